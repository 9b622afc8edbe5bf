"""Moderation: the review queue, removing and restoring posts with a reason, and the log.

Every moderator action writes a ``moderation_log`` row (who, what, target, reason, when),
with the group set when it happened inside one, so that group's moderators can read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from townsquare.db.models import Comment, Discussion, Group, Member, Membership, ModerationLog
from townsquare.domain import comments, discussions, notifications, permissions
from townsquare.domain.errors import Invalid
from townsquare.domain.validate import Checker

KINDS = ("discussion", "comment")


def record(
    db: AsyncSession, actor: Member, action: str, target_type: str, target_id: int,
    group_id: int | None, reason: str = "",
) -> None:  # fmt: skip
    """Add a log entry to the current transaction."""
    db.add(ModerationLog(actor_id=actor.id, action=action, target_type=target_type,
                         target_id=target_id, group_id=group_id, reason=reason))  # fmt: skip


def _reason(reason: str, *, required: bool) -> str:
    check = Checker()
    text = check.text("reason", reason, label="Reason", min_len=1 if required else 0, max_len=1000)
    check.done()
    return text


async def _move(
    db: AsyncSession, actor: Member | None, kind: str, item_id: int, action: str, state: str,
    log_action: str, reason: str = "",
) -> Discussion | Comment:  # fmt: skip
    if kind not in KINDS:
        raise Invalid({"kind": "Only discussions and comments can be moderated."})
    if kind == "discussion":
        item: Discussion | Comment = await discussions.set_state(
            db, actor, item_id, action, state, reason or None, commit=False
        )
        group_id = item.group_id
    else:
        item = await comments.set_state(
            db, actor, item_id, action, state, reason or None, commit=False
        )
        group_id = await db.scalar(
            select(Discussion.group_id).where(Discussion.id == item.discussion_id)
        )
    assert actor is not None
    record(db, actor, log_action, kind, item_id, group_id, reason)
    await notifications.on_moderated(db, actor, kind, item, log_action, reason)
    await db.commit()
    return item


async def approve(db: AsyncSession, actor: Member | None, kind: str, item_id: int):  # type: ignore[no-untyped-def]
    """A post waiting for review goes live: counted, and its points paid, from now."""
    return await _move(db, actor, kind, item_id, "review", "live", "approve")


async def reject(db: AsyncSession, actor: Member | None, kind: str, item_id: int, reason: str):  # type: ignore[no-untyped-def]
    """A post waiting for review is turned down; its author sees the reason."""
    return await _move(db, actor, kind, item_id, "review", "removed", "reject",
                       _reason(reason, required=True))  # fmt: skip


async def remove(db: AsyncSession, actor: Member | None, kind: str, item_id: int, reason: str):  # type: ignore[no-untyped-def]
    """A moderator takes a live post down; its author sees the reason; points go back."""
    return await _move(db, actor, kind, item_id, f"{kind}.remove", "removed", "remove",
                       _reason(reason, required=True))  # fmt: skip


async def reinstate(db: AsyncSession, actor: Member | None, kind: str, item_id: int):  # type: ignore[no-untyped-def]
    """A moderator puts a removed post back."""
    return await _move(db, actor, kind, item_id, f"{kind}.remove", "live", "reinstate")


@dataclass
class Queue:
    discussions: list[Discussion]
    comments: list[Comment]


async def review_queue(db: AsyncSession, actor: Member | None, limit: int = 100) -> Queue:
    """Posts waiting for review that the actor may decide, oldest first.

    Site moderators see every group's; a group's host and moderators see their groups'.
    """
    member = permissions.require(actor, "report")  # any member may ask; scope decides
    scope = None
    if not permissions.is_site_moderator(member):
        scope = select(Membership.group_id).where(
            Membership.member_id == member.id,
            Membership.state == "active",
            Membership.role.in_(("host", "moderator")),
        )
    ds = (
        select(Discussion)
        .join(Discussion.author)
        .join(Discussion.group)
        .options(contains_eager(Discussion.author), contains_eager(Discussion.group))
        .where(Discussion.state == "pending")
        .order_by(Discussion.created_at, Discussion.id)
        .limit(limit)
    )
    cs = (
        select(Comment, Discussion)
        .join(Comment.author)
        .join(Discussion, Discussion.id == Comment.discussion_id)
        .options(contains_eager(Comment.author))
        .where(Comment.state == "pending")
        .order_by(Comment.created_at, Comment.id)
        .limit(limit)
    )
    if scope is not None:
        ds = ds.where(Discussion.group_id.in_(scope))
        cs = cs.where(Discussion.group_id.in_(scope))
    pending_comments = []
    for c, d in await db.execute(cs):
        c.discussion_title = d.title  # type: ignore[attr-defined]
        pending_comments.append(c)
    return Queue(list(await db.scalars(ds)), pending_comments)


async def log_entries(
    db: AsyncSession, actor: Member | None, group: Group | None = None, limit: int = 200
) -> list[ModerationLog]:
    """The moderation log: all of it for site moderators, a group's part for its moderators."""
    member = permissions.require(actor, "report")
    query = select(ModerationLog).order_by(ModerationLog.created_at.desc()).limit(limit)
    if group is not None:
        membership = await db.scalar(
            select(Membership).where(
                Membership.group_id == group.id, Membership.member_id == member.id
            )
        )
        permissions.require(member, "group.moderate", group, membership=membership)
        query = query.where(ModerationLog.group_id == group.id)
    else:
        permissions.require(member, "site.moderate")
    return list(await db.scalars(query))


__all__ = ["approve", "log_entries", "record", "reinstate", "reject", "remove", "review_queue"]


async def decide_many(
    db: AsyncSession, actor: Member | None, items: list[tuple[str, int]], decision: str, reason: str
) -> int:
    """Approve or reject several posts at once; each is its own transaction and log entry."""
    if decision == "reject":
        reason = _reason(reason, required=True)
    done = 0
    for kind, item_id in items:
        if decision == "approve":
            await approve(db, actor, kind, item_id)
        else:
            await reject(db, actor, kind, item_id, reason)
        done += 1
    return done
