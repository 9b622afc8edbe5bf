"""The review queue: newcomers' posts wait, moderators decide, points follow the decision."""

from sqlalchemy import select

from townsquare.db.models import Comment, Discussion


async def _gate_on(settings):
    settings.review_below_level = 2


async def test_newcomers_discussion_waits_then_an_approval_publishes_it(settings, client, db, make,
                                                                         client_factory):  # fmt: skip
    """A level-1 member's discussion is theirs alone until a moderator approves it."""
    await _gate_on(settings)
    mod = await make.member(role="moderator")
    newcomer, other = await make.member(level=1), await make.member(level=2)
    group = await make.group(mod, members=(newcomer, other))
    await client.log_in_as(db, newcomer)
    r = await client.form(f"/g/{group.slug}/new", {"title": "My first post", "body": "Hello all"})
    did = int(r.headers["location"].rsplit("/", 1)[1])
    mine = (await client.get(f"/d/{did}")).text
    assert "Waiting for review" in mine

    them = client_factory()
    await them.log_in_as(db, other)
    assert (await them.get(f"/d/{did}")).status_code == 404
    assert "My first post" not in (await them.get(f"/g/{group.slug}")).text

    moderator = client_factory()
    await moderator.log_in_as(db, mod)
    queue = (await moderator.get("/review")).text
    assert "My first post" in queue
    r = await moderator.form("/review", {"item": f"discussion:{did}", "decision": "approve"})
    assert r.status_code == 303
    assert "My first post" in (await them.get(f"/g/{group.slug}")).text
    await db.refresh(newcomer)
    assert newcomer.points == 10


async def test_pending_comment_is_shown_only_to_its_author_and_rejection_tells_why(
    settings, client, db, make, client_factory
):
    """A newcomer's comment waits in place; turned down, the author sees the reason."""
    await _gate_on(settings)
    mod = await make.member(role="moderator")
    newcomer, other = await make.member(level=1), await make.member(level=2)
    group = await make.group(mod, members=(newcomer, other))
    d = await make.discussion(group, mod)
    await client.log_in_as(db, newcomer)
    await client.form(f"/d/{d.id}/comments", {"body": "Buy cheap watches"})
    c = await db.scalar(select(Comment))
    assert c.state == "pending"
    await db.refresh(d)
    assert d.comment_count == 0
    assert "Waiting for review" in (await client.get(f"/d/{d.id}")).text
    them = client_factory()
    await them.log_in_as(db, other)
    assert "Buy cheap watches" not in (await them.get(f"/d/{d.id}")).text

    moderator = client_factory()
    await moderator.log_in_as(db, mod)
    r = await moderator.form("/review", {"item": f"comment:{c.id}", "decision": "reject"})
    assert r.status_code == 422 and "Say why" in r.text
    r = await moderator.form("/review", {"item": f"comment:{c.id}", "decision": "reject",
                                         "reason": "Advertising"})  # fmt: skip
    assert r.status_code == 303
    page = (await client.get(f"/d/{d.id}")).text
    assert "Removed by a moderator: Advertising" in page


async def test_bulk_approval_and_who_may_review(settings, client, db, make, client_factory):
    """Several posts approve at once; a plain member cannot use the queue."""
    await _gate_on(settings)
    mod = await make.member(role="moderator")
    newcomer = await make.member(level=1)
    group = await make.group(mod, members=(newcomer,))
    await client.log_in_as(db, newcomer)
    for title in ("One", "Two"):
        await client.form(f"/g/{group.slug}/new", {"title": title})
    ids = list(await db.scalars(select(Discussion.id)))
    r = await client.form("/review", {"item": f"discussion:{ids[0]}", "decision": "approve"})
    assert r.status_code == 403
    moderator = client_factory()
    await moderator.log_in_as(db, mod)
    r = await moderator.form("/review", {"item": [f"discussion:{i}" for i in ids],
                                         "decision": "approve"})  # fmt: skip
    assert r.status_code == 303
    states = set(await db.scalars(select(Discussion.state)))
    assert states == {"live"}
    await db.refresh(group)
    assert group.discussion_count == 2


async def test_trusted_members_post_at_once(settings, client, db, make):
    """Level 2 and up skip the queue."""
    await _gate_on(settings)
    host = await make.member(level=2)
    group = await make.group(host)
    d = await make.discussion(group, host)
    assert d.state == "live"


async def test_api_lists_and_decides_the_queue(settings, client, db, make, client_factory):
    """GET /api/v1/review lists what waits; POST decides; bad input is a 422 problem."""
    await _gate_on(settings)
    mod = await make.member(role="moderator")
    newcomer = await make.member(level=1)
    group = await make.group(mod, members=(newcomer,))
    await client.log_in_as(db, newcomer)
    await client.form(f"/g/{group.slug}/new", {"title": "Queued"})
    moderator = client_factory()
    await moderator.log_in_as(db, mod)
    waiting = (await moderator.get("/api/v1/review")).json()
    assert [(w["kind"], w["title"]) for w in waiting] == [("discussion", "Queued")]
    bad = await moderator.send_json("POST", "/api/v1/review", {"items": [], "decision": "approve"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    no_reason = await moderator.send_json(
        "POST", "/api/v1/review",
        {"items": [{"kind": "discussion", "id": waiting[0]["id"]}], "decision": "reject"},
    )  # fmt: skip
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    ok = await moderator.send_json(
        "POST", "/api/v1/review",
        {"items": [{"kind": "discussion", "id": waiting[0]["id"]}], "decision": "approve"},
    )  # fmt: skip
    assert ok.status_code == 200 and ok.json() == {"decided": 1}
    assert (await moderator.get("/api/v1/review")).json() == []
