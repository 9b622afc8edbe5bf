"""Lists of discussions by latest activity, paginated by keyset (never OFFSET).

A cursor names the last row shown, ``<activity as YYYYmmddHHMMSSffffff>-<id>``;
``before`` walks to older rows, ``after`` back to newer ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, false, select, true, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from townsquare.db.models import Discussion, DiscussionVisit, Group, Member, UTCDateTime, utcnow
from townsquare.domain.errors import Invalid
from townsquare.domain.groups import GroupView, member_group_ids, visible_group


@dataclass
class FeedPage:
    items: list[Discussion]
    newer: str | None = None  # cursor for the page before (newer activity)
    older: str | None = None  # cursor for the page after (older activity)


@dataclass
class HomeFeed:
    feed: FeedPage
    scope: str  # "mine": the member's groups; "all": every group the viewer can see
    elsewhere: list[Discussion] = field(default_factory=list)


TABS = ("active", "new", "top")
PERIODS = {"day": 1, "week": 7, "month": 30, "year": 365, "all": None}


@dataclass(frozen=True)
class Order:
    """How a tab sorts: by one column, then id, both descending; cursors name that pair."""

    tab: str
    column: InstrumentedAttribute  # type: ignore[type-arg]

    def encode(self, d: Discussion) -> str:
        value = getattr(d, self.column.key)
        if isinstance(value, datetime):
            return f"{value:%Y%m%d%H%M%S%f}-{d.id}"
        return f"{value}-{d.id}"

    def decode(self, cursor: str) -> tuple[object, int]:
        if self.tab == "top":
            try:
                score, _, ident = cursor.partition("-")
                number = int(ident)
                if not 0 < number < 2**63 or abs(int(score)) > 2**62:
                    raise ValueError(cursor)
                return int(score), number
            except ValueError:
                raise Invalid({"cursor": "That page link is not valid."}) from None
        return decode_cursor(cursor)


ORDERS = {
    "active": Order("active", Discussion.last_activity_at),
    "new": Order("new", Discussion.created_at),
    "top": Order("top", Discussion.score),
}


def encode_cursor(d: Discussion) -> str:
    return ORDERS["active"].encode(d)


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        stamp, _, ident = cursor.partition("-")
        when = datetime.strptime(stamp, "%Y%m%d%H%M%S%f").replace(tzinfo=UTC)
        number = int(ident)
        if not 0 < number < 2**63:  # beyond what either database stores
            raise ValueError(ident)
        return when, number
    except ValueError:
        raise Invalid({"cursor": "That page link is not valid."}) from None


async def _base_for(db: AsyncSession, viewer: Member | None) -> Select[tuple[Discussion]]:
    """The base query, leaving out discussions by members the viewer blocked."""
    from townsquare.domain import safety

    query = _base()
    hidden = await safety.blocked_ids(db, viewer)
    if hidden:
        query = query.where(Discussion.author_id.not_in(sorted(hidden)))
    return query


def _base() -> Select[tuple[Discussion]]:
    return _BASE


# Built once, as the other hot statements are: every feed starts from it. Each use adds to
# it (a new statement), never changes it.
_BASE = (
    select(Discussion)
    .join(Discussion.author)
    .join(Discussion.group)
    .outerjoin(Discussion.link)
    .options(
        contains_eager(Discussion.author),
        contains_eager(Discussion.group),
        contains_eager(Discussion.link),
    )
    .where(Discussion.state == "live")
)


def _windowed(query: Select[tuple[Discussion]], tab: str, period: str) -> Select[tuple[Discussion]]:
    """The Top tab counts what was started within the period."""
    days = PERIODS.get(period)
    if tab == "top" and days is not None:
        query = query.where(Discussion.created_at >= utcnow() - timedelta(days=days))
    return query


async def _page(
    db: AsyncSession, query: Select[tuple[Discussion]], before: str | None, after: str | None,
    limit: int, tab: str = "active",
) -> FeedPage:  # fmt: skip
    order = ORDERS.get(tab, ORDERS["active"])
    key = tuple_(order.column, Discussion.id)
    if after:
        query = query.where(key > tuple_(*order.decode(after)))
        query = query.order_by(order.column, Discussion.id)
    else:
        if before:
            query = query.where(key < tuple_(*order.decode(before)))
        query = query.order_by(order.column.desc(), Discussion.id.desc())
    rows = list(await db.scalars(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    if after:
        rows.reverse()
    page = FeedPage(rows)
    if rows:
        has_older = more if not after else True
        has_newer = bool(before) or (bool(after) and more)
        page.older = order.encode(rows[-1]) if has_older else None
        page.newer = order.encode(rows[0]) if has_newer else None
    return page


async def group_feed(
    db: AsyncSession, viewer: Member | None, slug: str, *, before: str | None = None,
    after: str | None = None, limit: int = 25, tab: str = "active", period: str = "week",
) -> tuple[GroupView, FeedPage]:  # fmt: skip
    """A group's discussions; on the top page its pinned ones come first.

    Pinned discussions stay out of the keyset-paginated rows, so cursors never depend on
    them, and are prepended (newest activity first) whenever there is no newer page.
    """
    view = await visible_group(db, viewer, slug)
    query = (await _base_for(db, viewer)).where(Discussion.group_id == view.group.id)
    if tab != "active":  # pinned discussions lead the Active tab only
        page = await _page(db, _windowed(query, tab, period), before, after, limit, tab)
        await mark_unread(db, viewer, page.items)
        return view, page
    page = await _page(db, query.where(Discussion.pinned == false()), before, after, limit)
    if page.newer is None and not before:
        pinned = await db.scalars(
            query.where(Discussion.pinned == true())
            .order_by(Discussion.last_activity_at.desc(), Discussion.id.desc())
            .limit(limit)
        )
        page.items[:0] = list(pinned)
    await mark_unread(db, viewer, page.items)
    return view, page


async def home_feed(
    db: AsyncSession, viewer: Member | None, *, before: str | None = None,
    after: str | None = None, limit: int = 25, tab: str = "active", period: str = "week",
) -> HomeFeed:  # fmt: skip
    """A member's groups plus the front page; with no groups joined (or for visitors),
    every public group. Tabs: Active (latest activity), New, Top (score over a period)."""
    tab = tab if tab in TABS else "active"
    mine = await member_group_ids(db, viewer) if viewer is not None else []
    if mine:
        readable = Discussion.group_id.in_(mine) | (
            (Discussion.promoted == true()) & (Group.visibility == "public")
        )
        query = _windowed((await _base_for(db, viewer)).where(readable), tab, period)
        feed = await _page(db, query, before, after, limit, tab)
        elsewhere: list[Discussion] = []
        if not before and not after and tab == "active":
            others = _base().where(Group.visibility == "public", Discussion.group_id.not_in(mine))
            elsewhere = (await _page(db, others, None, None, 8)).items
        await mark_unread(db, viewer, feed.items)
        return HomeFeed(feed, "mine", elsewhere)
    query = _windowed(_base().where(Group.visibility == "public"), tab, period)
    feed = await _page(db, query, before, after, limit, tab)
    await mark_unread(db, viewer, feed.items)
    return HomeFeed(feed, "all")


async def mark_unread(db: AsyncSession, viewer: Member | None, items: list[Discussion]) -> None:
    """Set ``d.unread`` on each listed discussion the viewer read before and that has had
    activity since (one indexed query)."""
    for d in items:
        d.unread = False  # type: ignore[attr-defined]
    if viewer is None or not items:
        return
    seen = dict(
        (await db.execute(
            select(DiscussionVisit.discussion_id, DiscussionVisit.visited_at).where(
                DiscussionVisit.member_id == viewer.id,
                DiscussionVisit.discussion_id.in_([d.id for d in items]),
            )
        )).all()
    )  # fmt: skip
    for d in items:
        visited = seen.get(d.id)
        d.unread = visited is not None and d.last_activity_at > visited  # type: ignore[attr-defined]


async def record_visit(db: AsyncSession, viewer: Member | None, d: Discussion) -> datetime | None:
    """Note that the viewer has read the discussion; returns their previous visit.

    Writes only when there is something new since that visit, so reading an unchanged
    discussion again costs no write.
    """
    if viewer is None:
        return None
    visit = await db.get(DiscussionVisit, (viewer.id, d.id))
    previous = visit.visited_at if visit else None
    if visit is not None and visit.visited_at >= d.last_activity_at:
        return previous
    # An upsert: the member's other tab may write the same first visit at this moment, and a
    # failed insert's rollback would expire every row the page has loaded.
    now = utcnow()
    await db.execute(_VISIT[db.get_bind().dialect.name],
                     {"member_id": viewer.id, "discussion_id": d.id, "at": now})  # fmt: skip
    if visit is not None:
        set_committed_value(visit, "visited_at", now)
    await db.commit()
    return previous


def _visit_upsert(dialect_insert: Any) -> Any:
    insert = dialect_insert(DiscussionVisit.__table__).values(
        member_id=bindparam("member_id"), discussion_id=bindparam("discussion_id"),
        visited_at=bindparam("at", type_=UTCDateTime()),
    )  # fmt: skip
    return insert.on_conflict_do_update(
        index_elements=["member_id", "discussion_id"],
        set_={"visited_at": insert.excluded.visited_at},
    )


_VISIT = {"postgresql": _visit_upsert(postgresql.insert), "sqlite": _visit_upsert(sqlite.insert)}


async def first_unread(db: AsyncSession, viewer: Member | None, discussion_id: int) -> int | None:
    """The id of the first live comment written since the viewer's last visit, if any."""
    from townsquare.db.models import Comment

    if viewer is None:
        return None
    visit = await db.get(DiscussionVisit, (viewer.id, discussion_id))
    if visit is None:
        return None
    return await db.scalar(
        select(Comment.id)
        .where(
            Comment.discussion_id == discussion_id,
            Comment.state == "live",
            Comment.created_at > visit.visited_at,
        )  # fmt: skip
        .order_by(Comment.created_at, Comment.id)
        .limit(1)
    )
