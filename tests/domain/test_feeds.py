"""Feeds: Active, New and Top tabs, the front page, unread markers, and plans that scale."""

from datetime import timedelta

import pytest
from sqlalchemy import event, inspect, select, text, update

from tests.conftest import PG_URL
from townsquare.db.models import Discussion, DiscussionVisit, Member, utcnow
from townsquare.domain import feeds, likes


async def test_tabs_order_by_activity_creation_and_score(db, make):
    """Active follows the latest comment, New the start, Top likes plus comments in the period."""
    a, b = await make.member(), await make.member()
    group = await make.group(a, members=(b,))
    old = await make.discussion(group, a, title="Old but busy")
    fresh = await make.discussion(group, a, title="Fresh")
    await make.comment(old, b)
    await likes.set_like(db, b, "discussion", old.id, True)
    titles = lambda page: [d.title for d in page.items]  # noqa: E731
    _, active = await feeds.group_feed(db, a, group.slug, tab="active")
    _, new = await feeds.group_feed(db, a, group.slug, tab="new")
    _, top = await feeds.group_feed(db, a, group.slug, tab="top", period="all")
    assert titles(active) == ["Old but busy", "Fresh"]
    assert titles(new) == ["Fresh", "Old but busy"]
    assert titles(top) == ["Old but busy", "Fresh"]
    await db.execute(update(Discussion).where(Discussion.id == old.id)
                     .values(created_at=utcnow() - timedelta(days=10)))  # fmt: skip
    await db.commit()
    _, week = await feeds.group_feed(db, a, group.slug, tab="top", period="week")
    assert titles(week) == ["Fresh"]
    assert fresh.id in [d.id for d in week.items]


async def test_top_tab_pages_by_score_without_repeats(db, make):
    """Walking Top's pages with its cursor visits every discussion once, highest first."""
    a, b = await make.member(), await make.member()
    group = await make.group(a, members=(b,))
    made = [await make.discussion(group, a, title=f"D{i}") for i in range(7)]
    for i, d in enumerate(made):
        for _ in range(i % 3):
            await make.comment(d, b)
    seen, cursor = [], None
    while True:
        _, page = await feeds.group_feed(db, a, group.slug, tab="top", period="all", limit=3,
                                         before=cursor)  # fmt: skip
        seen += [(d.score, d.id) for d in page.items]
        if not page.older:
            break
        cursor = page.older
    assert sorted(seen, reverse=True) == seen and len({i for _, i in seen}) == 7


async def test_home_shows_my_groups_plus_the_front_page(db, make):
    """A member's home has their groups' discussions and promoted ones from public groups."""
    me, other = await make.member(), await make.member()
    mine, theirs = await make.group(me), await make.group(other)
    secret = await make.group(other, visibility="private")
    await make.discussion(mine, me, title="In my group")
    promoted = await make.discussion(theirs, other, title="On the front page")
    hidden = await make.discussion(secret, other, title="Promoted but private")
    await make.discussion(theirs, other, title="Not promoted")
    await db.execute(update(Discussion).where(Discussion.id.in_([promoted.id, hidden.id]))
                     .values(promoted=True))  # fmt: skip
    await db.commit()
    home = await feeds.home_feed(db, me)
    assert {d.title for d in home.feed.items} == {"In my group", "On the front page"}


async def test_unread_marker_and_jump_to_the_first_unread_comment(client, db, make):
    """After a visit, new comments mark the discussion unread and /unread lands on the first."""
    me, other = await make.member(), await make.member()
    group = await make.group(me, members=(other,))
    d = await make.discussion(group, me, title="Watched")
    await client.log_in_as(db, me)
    await client.get(f"/d/{d.id}")
    assert "new comments" not in (await client.get("/")).text
    first = await make.comment(d, other, body="First news")
    await make.comment(d, other, body="Second news")
    assert "new comments" in (await client.get("/")).text
    r = await client.get(f"/d/{d.id}/unread")
    assert r.headers["location"] == f"/d/{d.id}/c/{first.id}"
    await client.get(f"/d/{d.id}")
    assert "new comments" not in (await client.get("/")).text


# --- plans at scale: first and deep pages use an index, never a sort of the table -----------


async def _fill(db, group_ids, author_id, n):
    if PG_URL:
        groups = "ARRAY[" + ",".join(map(str, group_ids)) + "]"
        await db.execute(text(f"""
            INSERT INTO discussion (group_id, author_id, title, body_src, body_html, state, locked,
              pinned, promoted, comment_count, top_count, like_count, last_activity_at, created_at)
            SELECT ({groups})[1 + (g % {len(group_ids)})], {author_id}, 't', '', '', 'live',
              false, false, (g % 1000 = 0), g % 17, 0, g % 5,
              now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval
            FROM generate_series(1, {n}) AS g"""))  # fmt: skip
        await db.commit()
        await db.execute(text("ANALYZE discussion"))
    else:
        whens = " ".join(f"WHEN {i} THEN {gid}" for i, gid in enumerate(group_ids))
        await db.execute(text(f"""
            WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < {n})
            INSERT INTO discussion (group_id, author_id, title, body_src, body_html, state, locked,
              pinned, promoted, comment_count, top_count, like_count, last_activity_at, created_at)
            SELECT CASE g % {len(group_ids)} {whens} END, {author_id}, 't', '', '', 'live', 0, 0, (g % 1000 = 0), g % 17, 0, g % 5,
              datetime('now', '-' || g || ' seconds'), datetime('now', '-' || g || ' seconds')
            FROM seq"""))  # fmt: skip
        # No ANALYZE: a real SQLite install never runs it, so the planner must find the
        # index from the query's shape alone.
    await db.commit()


async def test_a_first_visit_two_tabs_write_at_once_fails_neither_page(app, db, make, monkeypatch):
    """Two tabs open a discussion for the first time together: both read "no visit yet",
    the other tab writes it first. This one's write then updates that row; it must not fail
    and roll back, which would expire every row its page has loaded."""
    a, b = await make.member(), await make.member()
    group = await make.group(a, members=(b,))
    d = await make.discussion(group, a, title="Two tabs")
    async with app.state.sessionmaker() as tab:
        other = await tab.get(Member, b.id)
        assert await feeds.record_visit(tab, other, await tab.get(Discussion, d.id)) is None
    first = await db.scalar(
        select(DiscussionVisit.visited_at).where(DiscussionVisit.member_id == b.id)
    )
    real_get = db.get

    async def before_the_other_tab(model, key, **kw):  # type: ignore[no-untyped-def]
        return None if model is DiscussionVisit else await real_get(model, key, **kw)

    monkeypatch.setattr(db, "get", before_the_other_tab)
    await feeds.record_visit(db, b, d)
    monkeypatch.undo()
    assert not inspect(d).expired_attributes and d.title == "Two tabs"
    b_id = b.id
    db.expire_all()
    rows = (await db.execute(select(DiscussionVisit.visited_at)
                             .where(DiscussionVisit.member_id == b_id))).scalars().all()  # fmt: skip
    assert len(rows) == 1 and rows[0] >= first


@pytest.mark.parametrize("tab", ["active", "new", "top"])
async def test_feed_pages_use_an_index_at_scale(db, make, tab):
    """Over 200,000 discussions, the first and a deep page of each tab read an index in order."""
    me = await make.member()
    groups = [await make.group(me) for _ in range(4)]
    await _fill(db, [g.id for g in groups], me.id, 200_000)
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if "FROM discussion" in statement and "ORDER BY" in statement and "LIMIT" in statement:
            statements.append((statement, parameters))

    engine = db.bind.sync_engine if hasattr(db.bind, "sync_engine") else db.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        first = await feeds.home_feed(db, None, tab=tab, period="all", limit=25)
        cursor = first.feed.older
        for _ in range(3):  # a few pages deep, as page 100 would be
            cursor = (
                await feeds.home_feed(db, None, tab=tab, period="all", before=cursor)
            ).feed.older
        _, gpage = await feeds.group_feed(db, None, groups[1].slug, tab=tab, period="all")
        await feeds.group_feed(db, None, groups[1].slug, tab=tab, period="all", before=gpage.older)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert statements
    for statement, parameters in statements:
        async with db.bind.connect() as conn:
            prefix = "EXPLAIN " if PG_URL else "EXPLAIN QUERY PLAN "
            plan_rows = (await conn.exec_driver_sql(prefix + statement, parameters)).all()
        plan = "\n".join(" ".join(str(c) for c in row) for row in plan_rows)
        assert "ix_discussion" in plan, plan
        if "pinned = 1" in statement or "pinned = true" in statement:
            # A group's pinned few, by their own index: not a walk through the whole group.
            assert "ix_discussion_pinned" in plan, plan
        if PG_URL:
            assert "Sort" not in plan and "Seq Scan on discussion" not in plan, plan
        else:
            assert "TEMP B-TREE" not in plan and "SCAN discussion" not in plan, plan
