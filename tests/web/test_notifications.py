"""Notifications in the pages and the API: the header count, the page, marking read, settings."""

from sqlalchemy import select

from townsquare.db.models import Notification, NotificationSetting


async def _reply_for(make, settings=None):
    host, alice, bob = (
        await make.member("host"),
        await make.member("alice"),
        await make.member("bob"),
    )
    group = await make.group(host, members=(alice, bob))
    d = await make.discussion(group, host, title="Harbour walls")
    c = await make.comment(d, host, body="The wall is old.")
    await make.comment(d, bob, body="I walked it.")
    reply = await make.comment(d, alice, body="Older than the town", parent=c)
    return host, alice, d, reply


async def test_header_shows_unread_count_and_following_one_marks_it_read(client, db, make):
    """The header counts unread; following a notification lands on the comment and reads it."""
    host, _alice, d, reply = await _reply_for(make)
    await client.log_in_as(db, host)
    page = (await client.get("/")).text
    assert 'class="count unread-count">2<' in page
    listing = (await client.get("/notifications")).text
    assert "Alice replied to your comment in “Harbour walls”" in listing
    n = await db.scalar(
        select(Notification).where(
            Notification.kind == "reply", Notification.recipient_id == host.id
        )
    )
    r = await client.get(f"/notifications/{n.id}")
    assert r.status_code == 303 and r.headers["location"] == f"/d/{d.id}/c/{reply.id}"
    landing = await client.get(r.headers["location"])
    assert landing.headers["location"] == f"/d/{d.id}?page=1#c{reply.id}"
    assert 'unread-count">1<' in (await client.get("/")).text


async def test_mark_all_read_clears_the_count(client, db, make):
    """One button marks every notification read."""
    host, *_ = await _reply_for(make)
    await client.log_in_as(db, host)
    r = await client.form("/notifications/read")
    assert r.status_code == 303
    assert "unread-count" not in (await client.get("/")).text


async def test_someone_elses_notification_is_not_found(client, db, make, client_factory):
    """A member cannot open or mark another member's notification."""
    host, alice, *_ = await _reply_for(make)
    n = await db.scalar(select(Notification).where(Notification.recipient_id == host.id))
    await client.log_in_as(db, alice)
    assert (await client.get(f"/notifications/{n.id}")).status_code == 404
    anonymous = client_factory()
    r = await anonymous.get("/notifications")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_email_settings_are_saved_and_a_bad_choice_is_refused(client, db, make):
    """The settings page stores each kind's choice; an unknown mode is shown back with an error."""
    member = await make.member()
    await client.log_in_as(db, member)
    page = (await client.get("/settings/notifications")).text
    assert "Replies to your comments" in page and "not confirmed yet" in page
    r = await client.form("/settings/notifications", {"reply": "never", "like": "immediately"})
    assert r.status_code == 200 and "Saved." in r.text
    saved = {s.kind: s.email for s in await db.scalars(select(NotificationSetting))}
    assert saved["reply"] == "never" and saved["like"] == "immediately"
    bad = await client.form("/settings/notifications", {"reply": "hourly"})
    assert bad.status_code == 422 and "Choose immediately, digest or never." in bad.text


async def test_the_api_lists_counts_and_marks_notifications(client, db, make):
    """GET /api/v1/notifications, the unread count, and marking one or all read."""
    host, *_ = await _reply_for(make)
    await client.log_in_as(db, host)
    listing = (await client.get("/api/v1/notifications")).json()
    assert [i["kind"] for i in listing["items"]] == ["reply", "comment"]
    assert (await client.get("/api/v1/notifications/unread")).json() == {"unread": 2}
    first = listing["items"][0]["id"]
    r = await client.send_json("POST", f"/api/v1/notifications/{first}/read")
    assert r.json() == {"unread": 1}
    r = await client.send_json(
        "PUT", "/api/v1/notifications/settings", {"modes": {"like": "never"}}
    )
    assert r.json()["modes"]["like"] == "never"
    await client.send_json("POST", "/api/v1/notifications/read")
    assert (await client.get("/api/v1/notifications/unread")).json() == {"unread": 0}


async def test_member_names_by_prefix_for_mentions(client, db, make):
    """/api/v1/members?prefix= offers names for @mention autocomplete."""
    me = await make.member("zed")
    await make.member("marta")
    await make.member("mario")
    await client.log_in_as(db, me)
    names = [m["name"] for m in (await client.get("/api/v1/members?prefix=@Mar")).json()]
    assert names == ["mario", "marta"]
