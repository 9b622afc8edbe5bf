"""A member's kept page answered without the database (web/keptpages.py: Who, Mine).

After a member's first three visits, their session and their standing on a page are kept in the
worker under their version key "m:<id>" (db/changes.py), and a hit reads no row. Each test
warms a member up to such a hit, changes something the member's page shows through a write
that touches only that member, and checks the next page shows it. The suite runs with
page_cache_verify on, so each of those hits is also read and rendered again and compared."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tests.conftest import PASSWORD
from tests.web.conftest import pressed
from townsquare.db import changes
from townsquare.db.models import Member, Session, utcnow
from townsquare.domain import accounts, notifications
from townsquare.web import keptpages


@pytest.fixture
def quick(app, monkeypatch):  # type: ignore[no-untyped-def]
    """For each member's request of a discussion page, whether it was answered from what
    was kept alone, without the database."""
    kept = app.state.kept_pages
    from_kept, early = kept._from_kept, kept.answer_before_routing
    seen: list[bool] = []
    tried: list[bool] = []

    def counted(*args):  # type: ignore[no-untyped-def]
        found = from_kept(*args)
        tried.append(found is not None)
        return found

    async def each(scope, receive):  # type: ignore[no-untyped-def]
        tried.clear()
        found = await early(scope, receive)
        seen.append(bool(tried) and tried[-1])
        return found

    monkeypatch.setattr(kept, "_from_kept", counted)
    monkeypatch.setattr(kept, "answer_before_routing", each)
    return seen


async def warm(client, url, quick):  # type: ignore[no-untyped-def]
    """Visit until the page comes without the database (the fourth visit, as a rule)."""
    for _ in range(4):
        tried = len(quick)
        r = await client.get(url)
        assert r.status_code == 200
        if len(quick) > tried and quick[-1]:
            return r
    raise AssertionError(f"{url} never came from what was kept: {quick}")


async def test_a_members_fourth_visit_reads_no_row_and_is_the_same_page(
    ann_and_bob, app, quick, world
):
    _, _, d, _ = world
    (_, ann), _ = ann_and_bob
    app.state.kept_pages.store.verify = False  # the check reads rows; here none may be read
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = app.state.engine.sync_engine
    first = await ann.get(f"/d/{d.id}")  # the page is rendered and kept
    second = await ann.get(f"/d/{d.id}")  # a hit: her session is kept, so is who she is
    third = await ann.get(f"/d/{d.id}")  # her versions read before her rows: those are kept
    event.listen(engine, "before_cursor_execute", seen)
    try:
        fourth = await ann.get(f"/d/{d.id}")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert quick == [False, False, False, True]
    assert statements == []
    assert fourth.headers["x-cache"] == "hit"
    assert first.text == second.text == third.text == fourth.text
    assert fourth.headers["etag"] == third.headers["etag"] == second.headers["etag"]


async def test_when_only_the_page_changed_the_members_session_is_not_read_again(
    ann_and_bob, app, make, quick, world
):
    """Someone comments: the page and Ann's standing on it are read again, her session
    (nothing written to it or to her) is not."""
    host, _, d, _ = world
    (_, ann), _ = ann_and_bob
    app.state.kept_pages.store.verify = False  # the check reads the session on purpose
    await warm(ann, f"/d/{d.id}", quick)
    await make.comment(d, host, body="The Breg is the longer of the two.")
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = app.state.engine.sync_engine
    await ann.get(f"/d/{d.id}")  # the page is rendered and kept again
    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = await ann.get(f"/d/{d.id}")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert page.headers["x-cache"] == "hit" and "The Breg is the longer" in page.text
    assert "Ann Person" in page.text
    assert statements and not any("session" in s.split("WHERE")[0] for s in statements)


async def test_a_notification_about_another_discussion_shows_in_the_header(
    ann_and_bob, db, make, quick, world
):
    host, group, d, _ = world
    (ann_m, ann), (_, bob) = ann_and_bob
    other = await make.discussion(group, host, title="Rhine")
    mine = await make.comment(other, ann_m, body="The Rhine is longer.")
    await warm(ann, f"/d/{d.id}", quick)
    await warm(bob, f"/d/{d.id}", quick)

    await make.comment(other, host, body="Not by much.", parent=mine)  # to Ann alone
    page = (await ann.get(f"/d/{d.id}")).text
    assert 'aria-label="Notifications: 1 unread"' in page
    assert quick[-1] is False
    assert await bob.get(f"/d/{d.id}") and quick[-1] is True  # Bob's rows did not change

    await warm(ann, f"/d/{d.id}", quick)
    assert (await ann.form("/notifications/read")).status_code == 303
    page = (await ann.get(f"/d/{d.id}")).text
    assert "unread-count" not in page

    # A notification and nothing else: no points, no post.
    await warm(ann, f"/d/{d.id}", quick)
    await notifications.notify(db, ann_m.id, "mention", actor_id=host.id, group_id=group.id,
                               discussion_id=other.id)  # fmt: skip
    await db.commit()
    page = (await ann.get(f"/d/{d.id}")).text
    assert 'aria-label="Notifications: 1 unread"' in page


async def test_blocking_an_author_on_the_page_is_seen_on_the_next_visit(ann_and_bob, quick, world):
    host, _, d, c = world
    (_, ann), _ = ann_and_bob
    before = (await warm(ann, f"/d/{d.id}", quick)).text
    assert "Two small streams" in before
    assert (await ann.form(f"/u/{host.name}/block")).status_code == 303
    after = await ann.get(f"/d/{d.id}")
    assert after.status_code == 200 and quick[-1] is False
    assert "You blocked this member." in after.text


async def test_a_session_ended_elsewhere_is_not_honoured(ann_and_bob, client_factory, quick, world):
    """Ann's cookie copied into a second browser; she logs out in the first."""
    _, _, d, _ = world
    (_, ann), _ = ann_and_bob
    copy = client_factory()
    copy.cookies.set("ts_session", ann.cookies.get("ts_session"))
    assert "Ann Person" in (await warm(copy, f"/d/{d.id}", quick)).text

    assert (await ann.form("/logout")).status_code == 303
    page = await copy.get(f"/d/{d.id}")
    assert page.status_code == 200 and quick[-1] is False
    assert "Ann Person" not in page.text and "Log in" in page.text


async def test_a_new_password_ends_the_members_other_sessions_on_kept_pages_too(
    ann_and_bob, client_factory, db, quick, world
):
    _, _, d, _ = world
    (ann_m, ann), _ = ann_and_bob
    other = client_factory()
    await other.log_in_as(db, ann_m)
    assert "Ann Person" in (await warm(other, f"/d/{d.id}", quick)).text

    r = await ann.form("/settings/password",
                       {"current_password": PASSWORD, "password": "a new one here"})  # fmt: skip
    assert r.status_code == 200
    sessions = (await db.scalars(select(Session).where(Session.member_id == ann_m.id))).all()
    assert len(sessions) == 1  # only the browser that changed it
    page = await other.get(f"/d/{d.id}")
    assert "Ann Person" not in page.text and "Log in" in page.text
    assert "Ann Person" in (await ann.get(f"/d/{d.id}")).text


async def test_a_banned_member_is_logged_out_of_kept_pages_at_once(
    ann_and_bob, client_factory, db, make, quick, world
):
    _, _, d, _ = world
    (ann_m, ann), _ = ann_and_bob
    admin = await make.member("admin", role="admin")
    boss = client_factory()
    await boss.log_in_as(db, admin)
    await warm(ann, f"/d/{d.id}", quick)
    r = await boss.form(f"/u/{ann_m.name}/ban", {"reason": "Spam."})
    assert r.status_code == 303
    page = await ann.get(f"/d/{d.id}")
    assert "Ann Person" not in page.text and "Log in" in page.text


async def test_masking_profanity_is_a_kept_page_of_its_own(ann_and_bob, db, make, quick, world):
    host, _, d, _ = world
    (ann_m, ann), _ = ann_and_bob
    await make.comment(d, host, body="What a shit idea, a river.")
    assert "shit" in (await warm(ann, f"/d/{d.id}", quick)).text
    r = await ann.form("/settings/profile",
                       {"display_name": "Ann Person", "bio": "", "mask_profanity": "on"})  # fmt: skip
    assert r.status_code == 303
    page = await ann.get(f"/d/{d.id}")
    assert "shit" not in page.text and "What a **** idea" in page.text


async def test_a_session_that_ran_out_by_the_clock_is_not_honoured(
    ann_and_bob, monkeypatch, quick, world
):
    """Nothing is written when a session ends by its date: the hit checks the clock."""
    _, _, d, _ = world
    (_, ann), _ = ann_and_bob
    await warm(ann, f"/d/{d.id}", quick)
    later = utcnow() + timedelta(days=2)  # log_in_as opens one-day sessions
    monkeypatch.setattr(keptpages, "utcnow", lambda: later)
    monkeypatch.setattr(accounts, "utcnow", lambda: later)
    page = await ann.get(f"/d/{d.id}")
    assert quick[-1] is False
    assert "Ann Person" not in page.text and "Log in" in page.text


async def test_pressing_like_elsewhere_keeps_this_pages_buttons_as_they_were(
    ann_and_bob, make, quick, world
):
    host, group, d, c = world
    (_, ann), _ = ann_and_bob
    other = await make.discussion(group, host, title="Rhine")
    theirs = await make.comment(other, host, body="It flows north.")
    await warm(ann, f"/d/{d.id}", quick)
    assert (await ann.form(f"/c/{theirs.id}/like")).status_code in (200, 303)
    page = await ann.get(f"/d/{d.id}")
    assert not pressed(page.text, c.id)
    assert (await ann.form(f"/c/{c.id}/like")).status_code in (200, 303)
    assert pressed((await ann.get(f"/d/{d.id}")).text, c.id)


# --- which writes name which member (db/changes.py)


async def test_writes_to_a_members_own_rows_bump_their_key_and_unplaced_ones_everyones(
    app, db, make
):
    versions = app.state.page_versions
    ann = await make.member("ann")
    bob = await make.member("bob")
    keys = (changes.member_key(ann.id), changes.member_key(bob.id), changes.MEMBERS)

    async def moved(write):  # type: ignore[no-untyped-def]
        before = await versions.read(keys)
        await write()
        await db.commit()
        after = await versions.read(keys)
        return tuple(b > a for a, b in zip(before, after, strict=True))

    async def flag():  # an ORM row: its member column names them
        ann.mask_profanity = True

    async def ended():  # a statement's condition on the owner column names them
        await db.execute(
            Session.__table__.delete().where(Session.member_id == bob.id, Session.kind == "web")
        )

    async def either():  # an OR: rows of other members may change too
        await db.execute(
            Member.__table__.update()
            .where((Member.id == ann.id) | (Member.name == "bob"))
            .values(bio="")
        )

    token = await accounts.open_session(db, ann, days=1)

    async def by_id():  # a session found by its id alone: whose it is, the statement cannot say
        sid = accounts.token_hash(token)
        await db.execute(Session.__table__.delete().where(Session.id == sid))

    assert await moved(flag) == (True, False, False)
    await accounts.open_session(db, bob, days=1)
    assert await moved(ended) == (False, True, False)
    assert await moved(either) == (False, False, True)
    assert await moved(by_id) == (False, False, True)

    # A log-out names its member: only theirs.
    sid = accounts.token_hash(await accounts.open_session(db, ann, days=1))
    assert await moved(lambda: accounts.close_session(db, sid, ann.id)) == (True, False, False)
