"""Lists of discussions by latest activity, paginated by keyset (never OFFSET).

A cursor names the last row shown, ``<activity as YYYYmmddHHMMSSffffff>-<id>``;
``before`` walks to older rows, ``after`` back to newer ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from townsquare.db.models import Discussion, Group, Member
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


def encode_cursor(d: Discussion) -> str:
    return f"{d.last_activity_at:%Y%m%d%H%M%S%f}-{d.id}"


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


def _base() -> Select[tuple[Discussion]]:
    return (
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


async def _page(
    db: AsyncSession, query: Select[tuple[Discussion]], before: str | None, after: str | None,
    limit: int,
) -> FeedPage:  # fmt: skip
    key = tuple_(Discussion.last_activity_at, Discussion.id)
    if after:
        query = query.where(key > tuple_(*decode_cursor(after)))
        query = query.order_by(Discussion.last_activity_at, Discussion.id)
    else:
        if before:
            query = query.where(key < tuple_(*decode_cursor(before)))
        query = query.order_by(Discussion.last_activity_at.desc(), Discussion.id.desc())
    rows = list(await db.scalars(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    if after:
        rows.reverse()
    page = FeedPage(rows)
    if rows:
        has_older = more if not after else True
        has_newer = bool(before) or (bool(after) and more)
        page.older = encode_cursor(rows[-1]) if has_older else None
        page.newer = encode_cursor(rows[0]) if has_newer else None
    return page


async def group_feed(
    db: AsyncSession, viewer: Member | None, slug: str, *, before: str | None = None,
    after: str | None = None, limit: int = 25,
) -> tuple[GroupView, FeedPage]:  # fmt: skip
    """A group's discussions; on the top page its pinned ones come first.

    Pinned discussions stay out of the keyset-paginated rows, so cursors never depend on
    them, and are prepended (newest activity first) whenever there is no newer page.
    """
    view = await visible_group(db, viewer, slug)
    query = _base().where(Discussion.group_id == view.group.id)
    page = await _page(db, query.where(Discussion.pinned.is_(False)), before, after, limit)
    if page.newer is None and not before:
        pinned = await db.scalars(
            query.where(Discussion.pinned.is_(True))
            .order_by(Discussion.last_activity_at.desc(), Discussion.id.desc())
            .limit(limit)
        )
        page.items[:0] = list(pinned)
    return view, page


async def home_feed(
    db: AsyncSession, viewer: Member | None, *, before: str | None = None,
    after: str | None = None, limit: int = 25,
) -> HomeFeed:  # fmt: skip
    """A member's groups first; with none joined (or for visitors), every visible group."""
    mine = await member_group_ids(db, viewer) if viewer is not None else []
    if mine:
        feed = await _page(db, _base().where(Discussion.group_id.in_(mine)), before, after, limit)
        elsewhere: list[Discussion] = []
        if not before and not after:
            others = _base().where(Group.visibility == "public", Discussion.group_id.not_in(mine))
            elsewhere = (await _page(db, others, None, None, 8)).items
        return HomeFeed(feed, "mine", elsewhere)
    query = _base().where(Group.visibility == "public")
    return HomeFeed(await _page(db, query, before, after, limit), "all")
