"""The demo community: what seeding builds, and that it keeps the domain's rules and counters."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare import demo
from townsquare.config import Settings
from townsquare.db import migrate
from townsquare.db.engine import make_engine, make_sessionmaker
from townsquare.db.models import (
    Base,
    Comment,
    Discussion,
    Group,
    Like,
    Link,
    Member,
    Membership,
    utcnow,
)
from townsquare.demo.people import GROUPS, PEOPLE
from townsquare.domain import accounts, discussions, links

STATIC = Path(demo.__file__).parent.parent / "web" / "static"


@pytest.fixture(scope="module")
def seeded_rows() -> dict[str, list[dict[str, Any]]]:
    """Every row the first seeding in this module wrote, by table, filled in by ``seeded``."""
    return {}


@pytest.fixture
async def seeded(settings: Settings, seeded_rows: dict[str, list[dict[str, Any]]]) -> Settings:
    """The test's own database with the demo community in it.

    Seeding takes seconds (argon2 on purpose, a commit per write), so it runs once per
    module and later tests get a copy of its rows.
    """
    engine = make_engine(settings)
    try:
        if not seeded_rows:
            assert await demo.seed(settings)
            async with engine.connect() as conn:
                for table in Base.metadata.sorted_tables:
                    rows = await conn.execute(select(table).order_by(*table.primary_key.columns))
                    # Generated columns (the Top tab's score) are the database's to fill.
                    generated = {c.name for c in table.columns if c.computed is not None}
                    seeded_rows[table.name] = [
                        {k: v for k, v in row.items() if k not in generated}
                        for row in rows.mappings()
                    ]
        else:
            async with engine.begin() as conn:
                for table in Base.metadata.sorted_tables:
                    if seeded_rows[table.name]:
                        await conn.execute(insert(table), seeded_rows[table.name])
                        if not settings.is_sqlite and "id" in table.columns:
                            # Copied ids leave PostgreSQL's sequences behind; move them on.
                            await conn.execute(text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                                f" (SELECT max(id) FROM {table.name}))"
                            ))  # fmt: skip
    finally:
        await engine.dispose()
    return settings


@asynccontextmanager
async def _session(settings: Settings) -> AsyncIterator[AsyncSession]:
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


@pytest.fixture
async def demo_db(seeded: Settings) -> AsyncIterator[AsyncSession]:
    async with _session(seeded) as session:
        yield session


async def _rows(db: AsyncSession, model: Any) -> list[Any]:
    return list(await db.scalars(select(model).order_by(*model.__table__.primary_key.columns)))


async def _snapshot(db: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    """Everything seeding writes except the timestamps, which follow today's date."""
    names = {m.id: m.name for m in await _rows(db, Member)}
    return {
        "members": [(m.name, m.display_name, m.bio, m.role) for m in await _rows(db, Member)],
        "groups": [
            (g.slug, g.name, g.description, g.rules_src, names[g.created_by_id], g.member_count,
             g.discussion_count)
            for g in await _rows(db, Group)
        ],
        "memberships": [
            (m.group_id, names[m.member_id], m.role, m.state) for m in await _rows(db, Membership)
        ],
        "discussions": [
            (d.group_id, names[d.author_id], d.title, d.link_url, d.body_src, d.comment_count,
             d.top_count, d.like_count)
            for d in await _rows(db, Discussion)
        ],
        "comments": [
            (c.discussion_id, names[c.author_id], c.parent_id, c.position, c.body_src,
             c.reply_count, c.like_count)
            for c in await _rows(db, Comment)
        ],
        "likes": [(names[x.member_id], x.target_type, x.target_id) for x in await _rows(db, Like)],
        "links": [
            (x.url, x.status, x.canonical_hash, x.title, x.site_name, x.author, x.lead, x.image,
             x.caption, x.text, x.blocks)
            for x in await _rows(db, Link)
        ],
    }  # fmt: skip


async def test_seed_creates_the_members_and_six_groups(demo_db):
    """Seeding signs up every demo member, the first as site admin, and founds the six groups."""
    members = await _rows(demo_db, Member)
    assert [m.name for m in members] == [p.name for p in PEOPLE]
    assert [m.name for m in members if m.role == "admin"] == [demo.DEMO_LOGIN]
    assert all(m.bio and m.display_name != m.name for m in members)
    found = await _rows(demo_db, Group)
    assert sorted(g.slug for g in found) == sorted(g.slug for g in GROUPS)
    assert len(found) == 6
    assert all(g.rules_html and g.description for g in found)
    assert await demo_db.scalar(select(func.count()).select_from(Discussion)) == 31
    with_links = await demo_db.scalar(
        select(func.count()).select_from(Discussion).where(Discussion.link_url.is_not(None))
    )
    assert with_links > 15  # most discussions start from a shared article


async def test_busiest_discussion_fills_three_pages(demo_db):
    """One discussion has over a hundred comments, so three pages at 50 a page, with replies."""
    busy = await demo_db.scalar(select(Discussion).order_by(Discussion.top_count.desc()).limit(1))
    assert busy is not None and busy.top_count > 100
    page = await discussions.discussion_page(demo_db, None, busy.id, 3, 50)
    assert page.pages >= 3
    assert page.threads
    replies = await demo_db.scalar(
        select(func.count()).where(Comment.discussion_id == busy.id, Comment.parent_id.is_not(None))
    )
    assert replies > 10


async def test_counters_agree_with_the_rows(demo_db):
    """Comment, reply, like, member and discussion counts match what is stored."""
    for d in await _rows(demo_db, Discussion):
        live = await demo_db.scalar(
            select(func.count()).where(Comment.discussion_id == d.id, Comment.state == "live")
        )
        tops = await demo_db.scalar(
            select(func.max(Comment.position)).where(Comment.discussion_id == d.id)
        )
        assert (d.comment_count, d.top_count) == (live, tops or 0), d.title
    for c in await _rows(demo_db, Comment):
        replies = await demo_db.scalar(
            select(func.count()).where(Comment.parent_id == c.id, Comment.state == "live")
        )
        assert c.reply_count == replies
    for kind, model in (("discussion", Discussion), ("comment", Comment)):
        counted = dict(
            (await demo_db.execute(
                select(Like.target_id, func.count()).where(Like.target_type == kind)
                .group_by(Like.target_id)
            )).all()
        )  # fmt: skip
        assert {x.id: x.like_count for x in await _rows(demo_db, model) if x.like_count} == counted
    for g in await _rows(demo_db, Group):
        members = await demo_db.scalar(
            select(func.count()).where(Membership.group_id == g.id, Membership.state == "active")
        )
        live = await demo_db.scalar(
            select(func.count()).where(Discussion.group_id == g.id, Discussion.state == "live")
        )
        assert (g.member_count, g.discussion_count) == (members, live)


async def test_authors_belong_to_the_groups_they_post_in(demo_db):
    """Everyone who starts a discussion or comments in a group has joined it; hosts founded it."""
    joined = {(m.group_id, m.member_id): m.role for m in await _rows(demo_db, Membership)}
    for g in await _rows(demo_db, Group):
        assert joined[g.id, g.created_by_id] == "host"
    group_of = {d.id: d.group_id for d in await _rows(demo_db, Discussion)}
    for d in await _rows(demo_db, Discussion):
        assert (d.group_id, d.author_id) in joined
    for c in await _rows(demo_db, Comment):
        assert (group_of[c.discussion_id], c.author_id) in joined


async def test_timestamps_tell_a_consistent_story(demo_db):
    """Activity spreads over the past weeks; last activity is the newest comment; ids follow time."""
    now = utcnow()
    groups_ = {g.id: g for g in await _rows(demo_db, Group)}
    talks = {d.id: d for d in await _rows(demo_db, Discussion)}
    notes = await _rows(demo_db, Comment)
    assert min(d.created_at for d in talks.values()) < now - timedelta(days=35)
    assert all(now - timedelta(days=50) < g.created_at for g in groups_.values())

    newest = {d.id: d.created_at for d in talks.values()}
    last_position: dict[int, int] = {}
    for before, after in zip(notes, notes[1:], strict=False):
        assert before.created_at < after.created_at
    for c in notes:
        d = talks[c.discussion_id]
        assert d.created_at < c.created_at < now
        assert c.position >= last_position.get(d.id, 0)
        last_position[d.id] = c.position
        newest[d.id] = max(newest[d.id], c.created_at)
    for d in talks.values():
        assert d.last_activity_at == newest[d.id], d.title
        assert groups_[d.group_id].created_at < d.created_at
    for g in groups_.values():
        assert g.last_activity_at == max(
            d.last_activity_at for d in talks.values() if d.group_id == g.id
        )
    for m in await _rows(demo_db, Membership):
        first = min(d.created_at for d in talks.values() if d.group_id == m.group_id)
        assert groups_[m.group_id].created_at <= m.created_at < first


async def test_seeding_again_changes_nothing(seeded):
    """A second seed sees the members already there, returns False and writes nothing."""
    async with _session(seeded) as db:
        before = await _snapshot(db)
    assert await demo.seed(seeded) is False
    async with _session(seeded) as db:
        assert await _snapshot(db) == before


async def test_the_demo_admin_can_log_in(demo_db):
    """The printed demo log-in and password authenticate, as the site admin."""
    member = await accounts.authenticate(
        demo_db, login=demo.DEMO_LOGIN, password=demo.DEMO_PASSWORD
    )
    assert member.name == demo.DEMO_LOGIN and member.role == "admin"


async def test_the_same_seed_builds_the_same_community(demo_db, tmp_path):
    """Seeding a second, empty SQLite database gives the same members, words and likes."""
    again = Settings(data_dir=tmp_path / "again", database_url="")
    await asyncio.to_thread(migrate.upgrade, again)  # it runs its own event loop
    assert await demo.seed(again)
    async with _session(again) as db:
        assert await _snapshot(db) == await _snapshot(demo_db)


async def test_every_shared_link_has_its_card_stored(demo_db):
    """Each link is stored as fetched, with a full card, so the demo needs no network."""
    shared = await _rows(demo_db, Link)
    assert len(shared) > 15
    discussed = {d.link_id for d in await _rows(demo_db, Discussion) if d.link_url}
    assert None not in discussed and discussed == {x.id for x in shared}
    for x in shared:
        assert x.status == "ok" and x.kind == "article" and x.fetched_at, x.url
        assert x.title and x.site_name and x.published and x.final_url == x.url, x.url
        assert x.lead and len(x.lead) <= 600 and x.text.startswith(x.lead.split("\n\n")[0])
        blocks = json.loads(x.blocks)
        assert {kind for kind, _ in blocks} <= {"p", "h2", "h3", "quote", "li", "img"}
        assert 4 <= sum(kind == "p" for kind, _ in blocks) <= 8, x.url
        assert x.text == "\n\n".join(value for kind, value in blocks if kind != "img")
        assert x.published < x.fetched_at.date() or x.published == x.fetched_at.date()


async def test_no_link_is_left_waiting_for_a_fetch(demo_db):
    """Seeding leaves no link pending (the demo's sites do not exist) and none failed."""
    statuses = await demo_db.scalars(select(Link.status).distinct())
    assert set(statuses) == {"ok"}


async def test_article_images_ship_with_the_app(demo_db):
    """Every card image is a site-relative path to an SVG in the app's static folder."""
    images = [x.image for x in await _rows(demo_db, Link) if x.image]
    assert len(images) >= 10
    for image in images:
        assert image.startswith(demo.IMAGES) and image.endswith(".svg")
        drawn = (STATIC / image.removeprefix("/static/")).read_text()
        assert 'viewBox="0 0 1200 630"' in drawn and "<script" not in drawn
    assert all(x.caption for x in await _rows(demo_db, Link) if x.image)


async def test_one_article_is_discussed_in_two_groups(demo_db):
    """Two groups share the same article (once with tracking tags), so each shows the other."""
    groups_of: dict[str, set[int]] = defaultdict(set)
    for d in await _rows(demo_db, Discussion):
        if d.link_url:
            groups_of[(await demo_db.get(Link, d.link_id)).canonical_hash].add(d.group_id)
    assert any(len(found) >= 2 for found in groups_of.values())
    tagged = await demo_db.scalar(select(Discussion).where(Discussion.link_url.contains("utm_")))
    assert tagged is not None
    found = await discussions.locate(demo_db, None, tagged.id)
    others = await links.also_discussed(demo_db, None, found.discussion)
    assert others and others[0].group_id != tagged.group_id


async def test_the_demo_shows_cards_with_their_images(seeded, client):
    """A shared discussion's page shows the stored card, and its image is served."""
    async with _session(seeded) as db:
        d = await db.scalar(
            select(Discussion).join(Link, Link.id == Discussion.link_id)
            .where(Link.image.is_not(None)).order_by(Discussion.id).limit(1)
        )  # fmt: skip
        assert d is not None
        link = await db.get(Link, d.link_id)
    page = await client.get(f"/d/{d.id}")
    assert page.status_code == 200
    assert "Fetching the article" not in page.text
    assert f'src="{link.image}"' in page.text and link.site_name in page.text
    image = await client.get(link.image)
    assert image.status_code == 200 and image.headers["content-type"].startswith("image/svg")


async def test_demo_visitor_meets_a_caught_up_community(seeded, db):
    """Seeded notifications are read, but for a few fresh ones for the demo log-in."""
    from townsquare.db.models import Notification

    unread = await db.scalars(
        select(Member.name).join(Notification, Notification.recipient_id == Member.id)
        .where(Notification.read_at.is_(None))
    )  # fmt: skip
    names = list(unread)
    assert names and set(names) == {demo.DEMO_LOGIN} and len(names) <= 3
