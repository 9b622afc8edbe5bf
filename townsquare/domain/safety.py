"""Members protect themselves (blocks, profanity masking) and site moderators keep order
(site bans).

A block is private: only the blocker's own pages and lists read it. A blocked member's
posts collapse on the blocker's pages, their discussions leave the blocker's feeds, and
they cannot answer the blocker's discussions or comments. A site ban stops a member
from logging in (their open sessions stop working at once) and is logged; the moderator
may also remove everything they posted.
"""

from __future__ import annotations

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Block, Comment, Discussion, Member, Session
from townsquare.domain import permissions
from townsquare.domain.accounts import member_by_name
from townsquare.domain.errors import Forbidden, Invalid, NotLoggedIn
from townsquare.domain.validate import Checker

# --- blocks


async def blocked_ids(db: AsyncSession, viewer: Member | None) -> set[int]:
    """The ids of the members the viewer blocked (an index range on the block key)."""
    if viewer is None:
        return set()
    return set(await db.scalars(select(Block.blocked_id).where(Block.blocker_id == viewer.id)))


async def is_blocking(db: AsyncSession, viewer: Member | None, member: Member) -> bool:
    if viewer is None:
        return False
    found = await db.scalar(
        select(Block.blocked_id).where(Block.blocker_id == viewer.id,
                                       Block.blocked_id == member.id)
    )  # fmt: skip
    return found is not None


async def block(db: AsyncSession, actor: Member | None, name: str) -> Member:
    """Block a member; blocking them again changes nothing."""
    member = await member_by_name(db, name)
    viewer = permissions.require(actor, "block", member)
    if not await is_blocking(db, viewer, member):
        db.add(Block(blocker_id=viewer.id, blocked_id=member.id))
        await db.commit()
    return member


async def unblock(db: AsyncSession, actor: Member | None, name: str) -> Member:
    """Take back a block; doing it again changes nothing."""
    member = await member_by_name(db, name)
    viewer = permissions.require(actor, "block", member)
    await db.execute(
        delete(Block).where(Block.blocker_id == viewer.id, Block.blocked_id == member.id)
    )
    await db.commit()
    return member


async def blocked_members(db: AsyncSession, actor: Member | None) -> list[Member]:
    """Whom the actor blocked, by name: for the actor only."""
    if actor is None:
        raise NotLoggedIn()
    rows = await db.scalars(
        select(Member)
        .join(Block, Block.blocked_id == Member.id)
        .where(Block.blocker_id == actor.id)
        .order_by(Member.name)
    )
    return list(rows)


async def refuse_if_blocked(db: AsyncSession, author: Member, *owners: int | None) -> None:
    """Refuse a comment or reply when an owner of what it answers has blocked its author.

    The message does not say who blocked whom: a block stays private.
    """
    ids = {o for o in owners if o is not None and o != author.id}
    if not ids:
        return
    conn = await db.connection()
    if await conn.scalar(_BLOCKED_BY, {"author": author.id, "owners": list(ids)}) is not None:
        raise Forbidden("You cannot answer this member's posts.")


# Built once: every comment and reply asks it.
_BLOCKED_BY = select(Block.blocker_id).where(
    Block.blocked_id == bindparam("author"),
    Block.blocker_id.in_(bindparam("owners", expanding=True)),
)


# --- profanity masking


async def set_mask_profanity(db: AsyncSession, actor: Member | None, on: bool) -> Member:
    """Turn profanity masking on or off for what the actor reads."""
    if actor is None:
        raise NotLoggedIn()
    member = await db.get(Member, actor.id)
    assert member is not None
    if member.mask_profanity != on:
        member.mask_profanity = on
        await db.commit()
    return member


# --- site bans


def _ban_reason(reason: str, *, required: bool) -> str:
    check = Checker()
    text = check.text("reason", reason, label="Reason", min_len=1 if required else 0,
                      max_len=1000)  # fmt: skip
    check.done()
    return text


def may_ban(actor: Member | None, member: Member) -> Member:
    """The actor, now known to be a site moderator who may ban or unban ``member``."""
    moderator = permissions.require(actor, "site.moderate")
    if member.id == moderator.id:
        raise Forbidden("You cannot ban yourself.")
    if permissions.is_admin(member) and not permissions.is_admin(moderator):
        raise Forbidden("Only an admin can ban an admin.")
    return moderator


async def ban(
    db: AsyncSession, actor: Member | None, name: str, *, reason: str,
    remove_content: bool = False,
) -> Member:  # fmt: skip
    """Ban a member from the site: no log-in, sessions ended, logged; optionally remove
    their live and waiting posts (each logged, counts and points kept true)."""
    from townsquare.domain import moderation  # moderation → comments → safety: import late

    member = await member_by_name(db, name)
    moderator = may_ban(actor, member)
    reason = _ban_reason(reason, required=True)
    if member.state != "banned":
        member.state = "banned"
        await db.execute(delete(Session).where(Session.member_id == member.id))
        moderation.record(db, moderator, "member.ban", "member", member.id, None, reason)
        await db.commit()
    if remove_content:
        await _remove_posts(db, moderator, member, reason)
    return member


async def _remove_posts(db: AsyncSession, moderator: Member, member: Member, reason: str) -> None:
    from townsquare.domain import moderation

    shown = ("live", "pending")
    discussion_ids = list(
        await db.scalars(
            select(Discussion.id).where(Discussion.author_id == member.id,
                                        Discussion.state.in_(shown))
        )
    )  # fmt: skip
    comment_ids = list(
        await db.scalars(
            select(Comment.id).where(Comment.author_id == member.id, Comment.state.in_(shown))
        )
    )
    # Replies first, so a comment's reply count drops before the comment itself goes.
    for comment_id in sorted(comment_ids, reverse=True):
        await moderation.remove(db, moderator, "comment", comment_id, reason)
    for discussion_id in discussion_ids:
        await moderation.remove(db, moderator, "discussion", discussion_id, reason)


async def unban(db: AsyncSession, actor: Member | None, name: str, *, reason: str = "") -> Member:
    """Let a banned member back in; what was removed stays removed (moderators may reinstate)."""
    from townsquare.domain import moderation

    member = await member_by_name(db, name)
    moderator = may_ban(actor, member)
    reason = _ban_reason(reason, required=False)
    if member.state != "banned":
        raise Invalid({"name": "That member is not banned."})
    member.state = "active"
    moderation.record(db, moderator, "member.unban", "member", member.id, None, reason)
    await db.commit()
    return member
