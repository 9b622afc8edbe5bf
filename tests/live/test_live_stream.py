"""Live updates through the real app on a real socket: what a discussion page's stream
sends, to whom, and what a page that reconnects receives."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Client
from tests.live.live_sse import open_stream, serve_in_loop
from townsquare.domain import comments, likes, moderation, notifications, safety
from townsquare.web import live as web_live


@pytest.fixture
async def site(app: Any):
    """The app's URL, and a browser for it: site.client(member=None)."""
    async with serve_in_loop(app) as url:
        made: list[Client] = []

        class Site:
            base = url
            application = app

            @staticmethod
            async def client(db: Any = None, member: Any = None) -> Client:
                c = Client(base_url=url)
                made.append(c)
                if member is not None:
                    await c.log_in_as(db, member)
                return c

        yield Site
        for c in made:
            await c.aclose()


async def _discussion(make: Any, visibility: str = "public"):  # type: ignore[no-untyped-def]
    host = await make.member()
    group = await make.group(host, visibility=visibility)
    return host, group, await make.discussion(group, host)


async def test_a_new_comment_reaches_an_open_discussion_page(site, make, db):
    """A comment posted while a visitor reads the discussion arrives as an event with its
    page and the new count, and its text comes from the comment's live fragment."""
    host, group, d = await _discussion(make)
    reader = await site.client()
    async with open_stream(reader, f"/d/{d.id}/events") as stream:
        c = await make.comment(d, host, body="Fresh from the oven.")
        msg = await stream.next("comment")
    assert msg.data == {"id": c.id, "parent_id": None, "position": 1, "page": 1,
                        "comment_count": 1, "reply_count": None}  # fmt: skip
    assert msg.id
    fragment = await reader.get(f"/c/{c.id}/live")
    assert fragment.status_code == 200
    assert f'id="t{c.id}"' in fragment.text and "Fresh from the oven." in fragment.text


async def test_a_reply_carries_its_comments_new_reply_count(site, make, db):
    """A reply's event names its comment and that comment's reply count; its fragment is
    the reply alone, ready to join the comment's replies."""
    host, group, d = await _discussion(make)
    first = await make.comment(d, host, body="Question?")
    replier = await make.member()
    await make.join(replier, group)
    reader = await site.client(db, host)
    async with open_stream(reader, f"/d/{d.id}/events") as stream:
        r = await make.comment(d, replier, body="An answer.", parent=first)
        msg = await stream.next("comment")
    assert (msg.data["id"], msg.data["parent_id"], msg.data["reply_count"]) == (r.id, first.id, 1)
    fragment = (await reader.get(f"/c/{r.id}/live")).text
    assert fragment.lstrip().startswith("<li>") and "An answer." in fragment


async def test_like_counts_reach_the_page(site, make, db):
    """Liking a comment or the discussion sends the item's new like count."""
    host, group, d = await _discussion(make)
    c = await make.comment(d, host)
    fan = await make.member()
    await make.join(fan, group)
    reader = await site.client()
    async with open_stream(reader, f"/d/{d.id}/events") as stream:
        await likes.set_like(db, fan, "comment", c.id, True)
        assert (await stream.next("like")).data == {"type": "comment", "id": c.id, "count": 1}
        await likes.set_like(db, fan, "discussion", d.id, True)
        assert (await stream.next("like")).data == {"type": "discussion", "id": d.id, "count": 1}
        await likes.set_like(db, fan, "comment", c.id, False)
        assert (await stream.next("like")).data == {"type": "comment", "id": c.id, "count": 0}


async def test_the_unread_count_follows_notifications(site, make, db):
    """A member's stream opens with their unread count and sends the new count when a
    notification arrives or is read."""
    host, group, d = await _discussion(make)
    commenter = await make.member()
    await make.join(commenter, group)
    me = await site.client(db, host)
    async with open_stream(me, "/notifications/events") as stream:
        assert (await stream.next("unread")).data == {"count": 0}
        await make.comment(d, commenter)
        assert (await stream.next("unread")).data == {"count": 1}
        await notifications.mark_all_read(db, host)
        assert (await stream.next("unread")).data == {"count": 0}


async def test_a_visitor_has_no_notification_stream(site):
    """A visitor's page is told to stop (204), not to retry."""
    visitor = await site.client()
    assert (await visitor.get("/notifications/events")).status_code == 204


async def test_a_reconnect_with_last_event_id_receives_what_it_missed(site, make, db):
    """Closed after one event, a page that comes back with Last-Event-ID receives the
    comments posted meanwhile, in order, and not the one it had."""
    host, group, d = await _discussion(make)
    reader = await site.client()
    async with open_stream(reader, f"/d/{d.id}/events") as stream:
        first = await make.comment(d, host, body="One.")
        last_id = (await stream.next("comment")).id
    missed = [await make.comment(d, host, body=f"Missed {n}.") for n in (1, 2)]
    assert last_id is not None
    async with open_stream(reader, f"/d/{d.id}/events", **{"Last-Event-ID": last_id}) as stream:
        got = [(await stream.next("comment")).data["id"] for _ in missed]
        later = await make.comment(d, host, body="Live again.")
        assert (await stream.next("comment")).data["id"] == later.id
    assert got == [c.id for c in missed] and first.id not in got


async def test_the_page_cursor_covers_what_happens_before_its_stream_opens(site, make, db):
    """The page carries a cursor: a comment posted between the page and its stream's
    opening still arrives."""
    host, group, d = await _discussion(make)
    await make.comment(d, host, body="Before the page.")
    reader = await site.client()
    page = await reader.get(f"/d/{d.id}")
    url = re.search(r'data-live="([^"]+)"', page.text)
    assert url is not None and "after=" in url[1]
    between = await make.comment(d, host, body="Between page and stream.")
    async with open_stream(reader, url[1].replace("&amp;", "&")) as stream:
        assert (await stream.next("comment")).data["id"] == between.id


async def test_a_reconnect_after_too_long_is_told_to_reload(site, make, db):
    """A Last-Event-ID older than what is kept gets a 'stale' event, not silence."""
    host, group, d = await _discussion(make)
    reader = await site.client()
    async with open_stream(reader, f"/d/{d.id}/events", **{"Last-Event-ID": "1000-0"}) as stream:
        assert (await stream.next("stale", "comment")).kind == "stale"


async def test_a_private_groups_stream_refuses_outsiders(site, make, db):
    """Outsiders and visitors get the same 404 as the page; a member gets the stream."""
    host, group, d = await _discussion(make, visibility="private")
    c = await make.comment(d, host)
    outsider = await site.client(db, await make.member())
    visitor = await site.client()
    for who in (outsider, visitor):
        assert (await who.get(f"/d/{d.id}/events")).status_code == 404
        assert (await who.get(f"/c/{c.id}/live")).status_code == 404
    member = await site.client(db, host)
    async with open_stream(member, f"/d/{d.id}/events") as stream:
        assert stream.response.status_code == 200
        assert stream.response.headers["content-type"].startswith("text/event-stream")


async def test_a_comment_waiting_for_review_is_announced_once_approved(site, make, db, settings):
    """Nothing is sent for a held comment; its approval sends it as new."""
    settings.review_below_level = 2
    host, group, d = await _discussion(make)
    host.level = 5
    newcomer = await make.member(level=1)
    await make.join(newcomer, group)
    admin = await make.member(role="admin", level=5)
    reader = await site.client()
    async with open_stream(reader, f"/d/{d.id}/events") as stream:
        held = await make.comment(d, newcomer, body="Am I allowed?")
        assert held.state == "pending"
        assert (await reader.get(f"/c/{held.id}/live")).status_code == 404
        visible = await make.comment(d, host, body="Seen at once.")
        assert (await stream.next("comment")).data["id"] == visible.id
        await moderation.approve(db, admin, "comment", held.id)
        msg = await stream.next("comment")
    assert (msg.data["id"], msg.data["position"]) == (held.id, 1)


async def test_a_blocked_members_comments_are_not_sent_to_the_blocker(site, make, db):
    """The blocker's stream leaves out the blocked member's comments; others get them."""
    host, group, d = await _discussion(make)
    pest, friend, reader = await make.member(), await make.member(), await make.member()
    for m in (pest, friend, reader):
        await make.join(m, group)
    await safety.block(db, reader, pest.name)
    blocker, other = await site.client(db, reader), await site.client(db, host)
    async with (
        open_stream(blocker, f"/d/{d.id}/events") as mine,
        open_stream(other, f"/d/{d.id}/events") as theirs,
    ):
        noise = await make.comment(d, pest, body="Noise.")
        kind = await make.comment(d, friend, body="Kind words.")
        assert (await theirs.next("comment")).data["id"] == noise.id
        assert (await mine.next("comment")).data["id"] == kind.id


async def test_streams_send_heartbeats_and_end_when_the_server_stops(site, make, monkeypatch):
    """A quiet stream sends heartbeats carrying its resume point, and ends (so the server
    can stop) when the bus ends its streams, as it does when the server is told to stop."""
    monkeypatch.setattr(web_live, "HEARTBEAT_S", 0.05)
    host, group, d = await _discussion(make)
    reader = await site.client()
    async with open_stream(reader, f"/d/{d.id}/events") as stream:
        msg = await stream.message()
        while "heartbeat" not in msg.comments:
            msg = await stream.message()
        assert msg.id and msg.kind is None
        site.application.state.live.end_streams()
        assert await stream.ended()


async def test_a_deleted_comment_is_announced_gone_and_its_fragment_refused(site, make, db):
    """Deleting a reply sends 'gone' with the new counts; the page's fetch of it then gets
    the 404 that tells it to take the reply away."""
    host, group, d = await _discussion(make)
    first = await make.comment(d, host)
    reply = await make.comment(d, host, parent=first)
    reader = await site.client()
    async with open_stream(reader, f"/d/{d.id}/events") as stream:
        await comments.delete_comment(db, host, reply.id)
        msg = await stream.next("gone")
    assert msg.data == {"id": reply.id, "parent_id": first.id, "position": 1,
                        "comment_count": 1, "reply_count": 0}  # fmt: skip
    assert (await reader.get(f"/c/{reply.id}/live")).status_code == 404


async def test_an_edited_comment_is_announced_and_its_fragment_shows_the_new_text(site, make, db):
    """Editing a live comment sends 'edited' with its id, and the page fetches the new text.
    A member who blocked the author is not sent it; a save that changes nothing sends nothing."""
    host, group, d = await _discussion(make)
    c = await make.comment(d, host, body="Swifts sleep on the wing.")
    friend, blocker = await make.member(), await make.member()
    for m in (friend, blocker):
        await make.join(m, group)
    await safety.block(db, blocker, host.name)
    reader, blocked = await site.client(), await site.client(db, blocker)
    async with (
        open_stream(reader, f"/d/{d.id}/events") as stream,
        open_stream(blocked, f"/d/{d.id}/events") as blocked_stream,
    ):
        await comments.edit_comment(db, host, c.id, body="Swifts sleep on the wing, briefly.")
        msg = await stream.next("edited", "comment")
        await comments.edit_comment(db, host, c.id, body="Swifts sleep on the wing, briefly.")
        later = await make.comment(d, friend, body="And land to nest.")
        assert (await stream.next("edited", "comment")).data["id"] == later.id
        assert (await blocked_stream.next("edited", "comment")).data["id"] == later.id
    assert (msg.kind, msg.data) == ("edited", {"id": c.id, "parent_id": None})
    fragment = (await reader.get(f"/c/{c.id}/live")).text
    assert "Swifts sleep on the wing, briefly." in fragment


async def test_changes_to_the_discussion_itself_reach_its_open_pages(site, make, db):
    """Its author edits it, a moderator locks and opens it, its author deletes it: each
    reaches an open page as 'changed' with what happened. A save that changes nothing, and
    a pin, which the page does not show, send nothing."""
    from townsquare.domain import discussions, governance

    host, group, d = await _discussion(make)
    title = d.title
    reader = await site.client()
    async with open_stream(reader, f"/d/{d.id}/events") as stream:
        await discussions.edit_discussion(db, host, d.id, title=title, body="Now with a body.")
        edited = await stream.next("changed")
        await discussions.edit_discussion(db, host, d.id, title=title, body="Now with a body.")
        await governance.set_pinned(db, host, d.id, True)
        await governance.set_locked(db, host, d.id, True)
        locked = await stream.next("changed")
        await governance.set_locked(db, host, d.id, False)
        unlocked = await stream.next("changed")
        await discussions.delete_discussion(db, host, d.id)
        gone = await stream.next("changed")
    said = [m.data for m in (edited, locked, unlocked, gone)]
    assert [m["what"] for m in said] == ["edited", "locked", "unlocked", "gone"]
    # With each, what a page showing the change carries (state, locked, last edit), so a
    # page that already shows it can let it pass.
    await db.refresh(d)
    edit_ms = round(d.edited_at.timestamp() * 1000)
    assert [m["shown"] for m in said] == [
        f"live:0:{edit_ms}", f"live:1:{edit_ms}", f"live:0:{edit_ms}", f"deleted:0:{edit_ms}"
    ]  # fmt: skip
    page = await reader.get(f"/d/{d.id}")
    assert page.status_code == 404  # deleted: nothing shown to a visitor
