"""Discussion pages kept for logged-in members (web/keptpages.py): shared between members
who may do the same things there, filled per member with their own header, likes, list of
other discussions and token, and never shared with whoever the page is personal to.

The suite runs with page_cache_verify on, so every hit below is also rendered from its
rows and compared; these tests check what a member sees, and when nothing is shared."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import member_client, pressed
from townsquare.web.pagecache import PLACEHOLDER


def hx_token(page: str) -> str:
    return re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page)[1]


async def test_members_alike_share_one_page_each_with_their_own_header_likes_and_token(
    ann_and_bob, client_factory, db, make, world
):
    _, group, d, c = world
    (_, ann), (_, bob) = ann_and_bob
    await ann.form(f"/c/{c.id}/like")

    first = await ann.get(f"/d/{d.id}")
    second = await bob.get(f"/d/{d.id}")
    again = await ann.get(f"/d/{d.id}")
    assert first.headers["x-cache"] == "miss"
    assert second.headers["x-cache"] == "hit" and again.headers["x-cache"] == "hit"
    pa, pb = again.text, second.text
    assert "Ann Person" in pa and "Bob Person" not in pa
    assert "Bob Person" in pb and "Ann Person" not in pb
    assert pressed(pa, c.id) and not pressed(pb, c.id)
    assert hx_token(pa) == ann.csrf() and hx_token(pb) == bob.csrf()
    assert ann.csrf() not in pb and bob.csrf() not in pa
    assert PLACEHOLDER not in pa + pb
    assert int(second.headers["content-length"]) == len(second.content)
    # The token on a shared page is the member's own: Bob can comment with it.
    r = await bob.post(f"/d/{d.id}/comments", data={"csrf_token": hx_token(pb), "body": "Yes."})
    assert r.status_code == 303


async def test_the_header_counts_each_members_own_unread_notifications(
    ann_and_bob, client_factory, db, make, world
):
    host, group, d, c = world
    (ann_m, ann), (_, bob) = ann_and_bob
    await ann.get(f"/d/{d.id}")
    # The host replies to Ann on another discussion: a notification for Ann alone, and a
    # write the shared copy of this page does not show.
    other = await make.discussion(group, host, title="Rhine")
    mine = await make.comment(other, ann_m, body="The Rhine is longer.")
    await make.comment(other, host, body="Not by much.", parent=mine)

    pa = (await ann.get(f"/d/{d.id}")).text
    pb = (await bob.get(f"/d/{d.id}")).text
    assert 'aria-label="Notifications: 1 unread"' in pa
    assert "unread-count" not in pb


async def test_a_kept_pages_etag_changes_whenever_what_is_filled_in_for_the_member_does(
    ann_and_bob, client_factory, db, make, world
):
    """A kept page's ETag is named from the kept copy and the member's fills rather than
    hashed from its whole body: the same for the same bytes, and new when only a fill
    changed (here the unread count in the header), so a stale 304 never happens."""
    host, group, d, _ = world
    (ann_m, ann), (_, bob) = ann_and_bob
    other = await make.discussion(group, host, title="Rhine")
    mine = await make.comment(other, ann_m, body="The Rhine is longer.")
    miss = await ann.get(f"/d/{d.id}")
    hit = await ann.get(f"/d/{d.id}")
    bobs = await bob.get(f"/d/{d.id}")
    assert (miss.headers["x-cache"], hit.headers["x-cache"]) == ("miss", "hit")
    assert miss.headers["etag"] == hit.headers["etag"] and miss.content == hit.content
    assert bobs.headers["etag"] != hit.headers["etag"]

    await make.comment(other, host, body="Not by much.", parent=mine)  # Ann's notification
    after = await ann.get(f"/d/{d.id}", headers={"If-None-Match": hit.headers["etag"]})
    assert after.status_code == 200 and after.headers["x-cache"] == "hit"
    assert 'aria-label="Notifications: 1 unread"' in after.text
    assert after.headers["etag"] != hit.headers["etag"]
    repeat = await ann.get(f"/d/{d.id}", headers={"If-None-Match": after.headers["etag"]})
    assert repeat.status_code == 304


async def test_a_new_comment_ends_the_shared_copy_for_everyone(
    ann_and_bob, client_factory, db, make, world
):
    host, group, d, _ = world
    (_, ann), (_, bob) = ann_and_bob
    await ann.get(f"/d/{d.id}")
    assert (await bob.get(f"/d/{d.id}")).headers["x-cache"] == "hit"
    await make.comment(d, host, body="The source is disputed, of course.")
    r = await bob.get(f"/d/{d.id}")
    assert r.headers["x-cache"] == "miss" and "The source is disputed" in r.text


async def test_a_page_someone_wrote_on_is_theirs_alone(client_factory, db, make, world):
    """The author of a comment (pending ones included) gets their own edit links, never a copy."""
    _, group, d, _ = world
    carl, carl_client = await member_client(client_factory, db, make, group, "carl")
    _, ann = await member_client(client_factory, db, make, group, "ann")
    mine = await make.comment(d, carl, body="I walked it once.")
    await ann.get(f"/d/{d.id}")
    await ann.get(f"/d/{d.id}")
    r = await carl_client.get(f"/d/{d.id}")
    assert "x-cache" not in r.headers
    assert f'href="/c/{mine.id}/edit"' in r.text
    assert f'href="/c/{mine.id}/edit"' not in (await ann.get(f"/d/{d.id}")).text


async def test_moderators_and_hosts_get_their_tools_never_a_copy(client_factory, db, make, world):
    host, group, d, c = world
    _, ann = await member_client(client_factory, db, make, group, "ann")
    admin = await make.member("admin", role="admin")
    boss = client_factory()
    await boss.log_in_as(db, admin)
    await ann.get(f"/d/{d.id}")
    await ann.get(f"/d/{d.id}")
    r = await boss.get(f"/d/{d.id}")
    assert "x-cache" not in r.headers
    assert f'href="/c/{c.id}/remove"' in r.text
    assert f'href="/c/{c.id}/remove"' not in (await ann.get(f"/d/{d.id}")).text


async def test_a_member_who_blocked_an_author_on_the_page_sees_them_collapsed(
    ann_and_bob, client_factory, db, make, world
):
    host, group, d, c = world
    (_, ann), (_, bob) = ann_and_bob
    await ann.get(f"/d/{d.id}")
    assert (await bob.form(f"/u/{host.name}/block")).status_code == 303
    r = await bob.get(f"/d/{d.id}")
    assert "x-cache" not in r.headers
    assert "You blocked this member." in r.text
    assert "You blocked this member." not in (await ann.get(f"/d/{d.id}")).text


async def test_private_groups_are_not_kept_for_members(client_factory, db, make):
    host, ann_m = await make.member("host"), await make.member("ann")
    group = await make.group(host, slug="quiet", visibility="private", members=(ann_m,))
    d = await make.discussion(group, host, title="Between us")
    ann = client_factory()
    await ann.log_in_as(db, ann_m)
    for _ in range(2):
        r = await ann.get(f"/d/{d.id}")
        assert r.status_code == 200 and "x-cache" not in r.headers


async def test_members_who_may_not_comment_get_a_copy_of_their_own_kind(
    ann_and_bob, client_factory, db, make, world
):
    """A non-member's page says "join"; a member's has the comment form: two copies."""
    _, group, d, _ = world
    (_, ann), (_, bob) = ann_and_bob
    outsider = await make.member("outsider")
    out = client_factory()
    await out.log_in_as(db, outsider)
    await ann.get(f"/d/{d.id}")
    await bob.get(f"/d/{d.id}")
    first = await out.get(f"/d/{d.id}")
    second = await out.get(f"/d/{d.id}")
    assert first.headers["x-cache"] == "miss" and second.headers["x-cache"] == "hit"
    assert 'id="comment-form"' not in second.text and "Join this group" in second.text
    assert 'id="comment-form"' in (await bob.get(f"/d/{d.id}")).text


async def test_a_kept_page_still_records_the_members_visit(
    app, ann_and_bob, client_factory, db, make, world
):
    """Reading a discussion from a kept copy marks it read, as reading it any other way does."""
    app.state.fragments.verify = False  # the check renders the page the ordinary way, visit too
    host, group, d, _ = world
    (ann_m, ann), (_, bob) = ann_and_bob
    await ann.get(f"/d/{d.id}")
    before = await visited(db, ann_m.id, d.id)
    await make.comment(d, host, body="New since Ann was here.")
    assert (await bob.get(f"/d/{d.id}")).headers["x-cache"] == "miss"
    r = await ann.get(f"/d/{d.id}")
    assert r.headers["x-cache"] == "hit" and "New since Ann was here." in r.text
    after = await visited(db, ann_m.id, d.id)
    assert after > before
    assert (await ann.get(f"/d/{d.id}")).headers["x-cache"] == "hit"
    assert await visited(db, ann_m.id, d.id) == after  # nothing new: nothing written


async def visited(db, member_id: int, discussion_id: int):
    from townsquare.db.models import DiscussionVisit

    visit = await db.get(DiscussionVisit, (member_id, discussion_id), populate_existing=True)
    return visit.visited_at


async def test_a_kept_hit_is_answered_before_routing_with_everything_the_route_gives(
    ann_and_bob, app, world, monkeypatch
):
    """Hits skip FastAPI's routing and dependencies (KeptPages.answer_before_routing); the
    answer still carries the route's headers, an ETag and 304 for a repeat visit."""
    _, _, d, _ = world
    (_, ann), (_, bob) = ann_and_bob
    kept = app.state.kept_pages
    early: list[bool] = []
    before = kept.answer_before_routing

    async def counted(scope, receive):  # type: ignore[no-untyped-def]
        found = await before(scope, receive)
        early.append(found is not None)
        return found

    monkeypatch.setattr(kept, "answer_before_routing", counted)
    routed = await ann.get(f"/d/{d.id}")
    hit = await bob.get(f"/d/{d.id}")
    assert (routed.headers["x-cache"], hit.headers["x-cache"]) == ("miss", "hit")
    assert early == [False, True]  # nothing kept yet for the first; the second from a copy
    personal = {"x-cache", "etag", "content-length", "date", "x-request-id"}

    def shared(response):  # type: ignore[no-untyped-def]  # a cookie by name: values are each browser's
        return {k: v.split("=")[0] if k == "set-cookie" else v
                for k, v in response.headers.items() if k not in personal}  # fmt: skip

    assert shared(routed) == shared(hit)
    again = await bob.get(f"/d/{d.id}", headers={"If-None-Match": hit.headers["etag"]})
    assert again.status_code == 304 and early[-1] is True


async def test_a_cookie_that_opens_no_session_falls_through_to_the_route(
    ann_and_bob, client_factory, world
):
    """A kept copy exists, but the cookie is stale: the route answers, as for a visitor."""
    _, _, d, _ = world
    (_, ann), _ = ann_and_bob
    assert (await ann.get(f"/d/{d.id}")).headers["x-cache"] == "miss"
    stranger = client_factory()
    stranger.cookies.set("ts_session", "not-a-session")
    page = await stranger.get(f"/d/{d.id}")
    assert page.status_code == 200
    assert "x-cache" not in page.headers or page.headers["x-cache"] != "hit"
    assert "Log in" in page.text and "Ann Person" not in page.text


async def test_a_hit_that_meets_a_locked_database_gets_the_routes_503_not_a_500(
    app, ann_and_bob, settings, world
):
    """A hit writes the member's visit; with the database locked past the busy timeout the
    member gets what any page gives then ('busy, try again', 503 with Retry-After)."""
    import sqlite3

    if not settings.is_sqlite:
        pytest.skip("SQLite's file lock; PostgreSQL's locks are tested in tests/faults")
    from tests.faults.test_fault_inject import on_every_connection

    _, _, d, _ = world
    (_, ann), (_, bob) = ann_and_bob
    assert (await ann.get(f"/d/{d.id}")).headers["x-cache"] == "miss"
    await on_every_connection(app.state.engine, "PRAGMA busy_timeout=200")
    holder = sqlite3.connect(settings.data_dir / "townsquare.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's write, held past the timeout
    try:
        r = await bob.get(f"/d/{d.id}")  # a kept copy exists; Bob's first visit is due
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.status_code == 503 and r.headers["retry-after"].isdigit()
    assert "busy" in r.text
    assert (await bob.get(f"/d/{d.id}")).status_code == 200
