"""A member's page: who they are, their groups and their recent discussions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from townsquare.db.models import Comment, Discussion, Group, Member, Membership
from townsquare.domain import points
from townsquare.domain.accounts import member_by_name
from townsquare.domain.feeds import decode_cursor
from townsquare.domain.groups import member_group_ids

PER_PAGE = 20


@dataclass
class Profile:
    member: Member
    groups: list[Group]
    tab: str  # "discussions" or "comments"
    discussions: list[Discussion]
    comments: list[Comment]
    older: str | None  # cursor for the next page of the tab
    progress: points.Progress
    breakdown: list[tuple[str, int]]


def _cursor(when: datetime, ident: int) -> str:
    return f"{when:%Y%m%d%H%M%S%f}-{ident}"


async def member_profile(
    db: AsyncSession, viewer: Member | None, name: str, *, tab: str = "discussions",
    before: str | None = None,
) -> Profile:  # fmt: skip
    """Only what the viewer may see: public groups, and private ones the viewer shares.

    Discussions or comments, newest first, a page at a time by keyset on (created_at, id).
    """
    member = await member_by_name(db, name)
    shared = await member_group_ids(db, viewer) if viewer is not None else []
    visible = or_(Group.visibility == "public", Group.id.in_(shared))
    groups = await db.scalars(
        select(Group)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.member_id == member.id, Membership.state == "active", visible)
        .order_by(Group.name)
    )
    after = decode_cursor(before) if before else None
    found_d: list[Discussion] = []
    found_c: list[Comment] = []
    if tab == "comments":
        query = (
            select(Comment, Discussion)
            .join(Discussion, Discussion.id == Comment.discussion_id)
            .join(Group, Group.id == Discussion.group_id)
            .where(
                Comment.author_id == member.id,
                Comment.state == "live",
                Discussion.state == "live",
                visible,
            )  # fmt: skip
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(PER_PAGE + 1)
        )
        if after:
            query = query.where(tuple_(Comment.created_at, Comment.id) < tuple_(*after))
        for c, d in await db.execute(query):
            c.discussion_title = d.title  # type: ignore[attr-defined]
            found_c.append(c)
        rows: list = found_c
    else:
        tab = "discussions"
        query = (
            select(Discussion)
            .join(Discussion.group)
            .options(contains_eager(Discussion.group))
            .where(Discussion.author_id == member.id, Discussion.state == "live", visible)
            .order_by(Discussion.created_at.desc(), Discussion.id.desc())
            .limit(PER_PAGE + 1)
        )
        if after:
            query = query.where(tuple_(Discussion.created_at, Discussion.id) < tuple_(*after))
        found_d = list(await db.scalars(query))
        rows = found_d
    older = (
        _cursor(rows[PER_PAGE - 1].created_at, rows[PER_PAGE - 1].id)
        if len(rows) > PER_PAGE
        else None
    )
    progress = points.progress(member.points, points.rules(db).thresholds)
    return Profile(
        member, list(groups), tab, found_d[:PER_PAGE], found_c[:PER_PAGE], older, progress,
        await points.breakdown(db, member.id),
    )  # fmt: skip
