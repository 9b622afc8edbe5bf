"""A member's page: who they are, their groups and their recent discussions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from townsquare.db.models import Discussion, Group, Member, Membership
from townsquare.domain import points
from townsquare.domain.accounts import member_by_name
from townsquare.domain.groups import member_group_ids


@dataclass
class Profile:
    member: Member
    groups: list[Group]
    discussions: list[Discussion]
    progress: points.Progress
    breakdown: list[tuple[str, int]]


async def member_profile(db: AsyncSession, viewer: Member | None, name: str) -> Profile:
    """Only what the viewer may see: public groups, and private ones the viewer shares."""
    member = await member_by_name(db, name)
    shared = await member_group_ids(db, viewer) if viewer is not None else []
    visible = or_(Group.visibility == "public", Group.id.in_(shared))
    groups = await db.scalars(
        select(Group)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.member_id == member.id, Membership.state == "active", visible)
        .order_by(Group.name)
    )
    recent = await db.scalars(
        select(Discussion)
        .join(Discussion.group)
        .options(contains_eager(Discussion.group))
        .where(Discussion.author_id == member.id, Discussion.state == "live", visible)
        .order_by(Discussion.created_at.desc(), Discussion.id.desc())
        .limit(20)
    )
    progress = points.progress(member.points, points.rules(db).thresholds)
    return Profile(
        member, list(groups), list(recent), progress, await points.breakdown(db, member.id)
    )
