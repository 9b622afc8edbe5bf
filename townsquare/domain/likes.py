"""Likes on discussions, comments and replies: one per member per item."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Comment, Discussion, Like, Member
from townsquare.domain import events, notifications, permissions, points
from townsquare.domain.comments import find_comment
from townsquare.domain.discussions import locate
from townsquare.domain.errors import Invalid, NotFound

KINDS = {"discussion": Discussion, "comment": Comment}


@dataclass
class LikeState:
    target_type: str
    target_id: int
    liked: bool
    count: int


async def set_like(
    db: AsyncSession, actor: Member | None, target_type: str, target_id: int, liked: bool | None
) -> LikeState:
    """Like (True), unlike (False) or toggle (None) an item; saying it twice changes nothing."""
    if target_type not in KINDS:
        raise Invalid({"target_type": "Only discussions and comments can be liked."})
    if target_type == "discussion":
        found = await locate(db, actor, target_id)
        item: Discussion | Comment = found.discussion
        membership = found.membership
    else:
        located = await find_comment(db, actor, target_id)
        item, membership = located.comment, located.where.membership
    member = permissions.require(actor, "like", item, membership=membership)
    if item.state != "live":
        raise NotFound("That has been deleted.")

    model = KINDS[target_type]
    key = (
        Like.member_id == member.id,
        Like.target_type == target_type,
        Like.target_id == target_id,
    )
    has = await db.scalar(select(Like.member_id).where(*key)) is not None
    want = (not has) if liked is None else liked
    if want != has:
        try:
            if want:
                db.add(Like(member_id=member.id, target_type=target_type, target_id=target_id))
                await db.flush()
            else:
                await db.execute(delete(Like).where(*key))
            count = await db.scalar(
                update(model)
                .where(model.id == target_id)
                .values(like_count=model.like_count + (1 if want else -1))
                .returning(model.like_count)
            )
            if want:
                await points.on_like(db, target_type, target_id, item.author_id, member.id)
            else:
                await points.on_unlike(db, target_type, target_id, member.id)
            await notifications.on_like(db, member, target_type, item, want)
            discussion_id = item.id if isinstance(item, Discussion) else item.discussion_id
            events.announce(db, events.discussion_channel(discussion_id), "like",
                            type=target_type, id=target_id, count=count)  # fmt: skip
            await db.commit()
        except IntegrityError:  # the same member's other request got there first
            await db.rollback()
    count = await db.scalar(select(model.like_count).where(model.id == target_id))
    return LikeState(target_type, target_id, want, int(count or 0))
