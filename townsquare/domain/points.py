"""Points and levels: a ledger of awards, totals kept in the same transaction as the action.

Every award is a row keyed by (member, reason, source, actor), so doing the same thing
twice never pays twice, and taking the thing back (unlike, delete) deletes exactly the rows
it created. The values, caps and level thresholds are settings, read from the session.

What earns points (no points for liking your own content, nor for answering yourself):
- starting a discussion; writing a comment or reply;
- someone else commenting on your discussion or replying to your comment (capped);
- liking someone else's discussion, comment or reply (capped), and being liked.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.config import Settings
from townsquare.db import changes
from townsquare.db.models import Member, PointsEntry, UTCDateTime, set_loaded, utcnow
from townsquare.domain import notifications

REASONS = {
    "discussion": "Starting discussions",
    "comment": "Comments and replies",
    "got_comment": "Others answering you",
    "like_given": "Liking others' posts",
    "like_received": "Likes received",
}


@dataclass(frozen=True)
class Rules:
    amounts: dict[str, int]
    caps: dict[str, int]
    thresholds: tuple[int, ...]

    @classmethod
    def from_settings(cls, s: Settings) -> Rules:
        return cls(
            amounts={
                "discussion": s.points_discussion,
                "comment": s.points_comment,
                "got_comment": s.points_got_comment,
                "like_given": s.points_like_given,
                "like_received": s.points_like_received,
            },
            caps={"got_comment": s.points_got_comment_cap, "like_given": s.points_like_given_cap},
            thresholds=tuple(s.level_thresholds),
        )


def rules(db: AsyncSession) -> Rules:
    return Rules.from_settings(db.info.get("settings") or Settings())


def level_for(points: int, thresholds: tuple[int, ...]) -> int:
    """Level 1 below the first threshold; one more for each threshold reached."""
    return 1 + bisect.bisect_right(thresholds, points)


@dataclass
class Progress:
    level: int
    points: int
    floor: int  # points where this level began
    next_at: int | None  # points for the next level; None at the top

    @property
    def percent(self) -> int:
        if self.next_at is None:
            return 100
        return int(100 * (self.points - self.floor) / max(1, self.next_at - self.floor))


def progress(points: int, thresholds: tuple[int, ...]) -> Progress:
    level = level_for(points, thresholds)
    floor = thresholds[level - 2] if level > 1 else 0
    next_at = thresholds[level - 1] if level <= len(thresholds) else None
    return Progress(level, points, floor, next_at)


# Built once and run on the session's connection: every post and like pays points, and the
# ORM's work for these statements cost several times SQLite's. Points and the ledger show
# on no cached page, so there is nothing to tell the change tracker.
_M, _P = Member.__table__, PointsEntry.__table__
_ADD_POINTS = (
    update(_M)
    .where(_M.c.id == bindparam("member_id"))
    .values(points=_M.c.points + bindparam("change"))
    .returning(_M.c.points, _M.c.level)
)
_EARNED = select(func.coalesce(func.sum(_P.c.amount), 0)).where(
    _P.c.member_id == bindparam("member_id"), _P.c.reason == bindparam("reason")
)
_PAY = {
    name: dialect_insert(_P)
    .values(member_id=bindparam("member_id"), reason=bindparam("reason"),
            amount=bindparam("amount"), source_type=bindparam("source_type"),
            source_id=bindparam("source_id"), actor_id=bindparam("actor_id"),
            created_at=bindparam("created_at", type_=UTCDateTime()))
    .on_conflict_do_nothing()
    .returning(_P.c.id)
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}  # fmt: skip


async def _settle(db: AsyncSession, member_id: int, change: int) -> None:
    """Move a member's total by ``change`` and keep their level in step."""
    if not change:
        return
    conn = await db.connection()
    changes.touched(db, changes.member_key(member_id))  # their level shows in their header
    row = (await conn.execute(_ADD_POINTS, {"member_id": member_id, "change": change})).first()
    if row is None:
        return
    points, before = row
    set_loaded(db, Member, member_id, points=points)
    level = level_for(int(points or 0), rules(db).thresholds)
    if level == before:
        return
    await notifications.on_level(db, member_id, level, before=before)
    await db.execute(update(Member).where(Member.id == member_id).values(level=level))


async def award(
    db: AsyncSession, member_id: int, reason: str, source_type: str, source_id: int, actor_id: int
) -> int:
    """Pay ``reason``'s points once for this source and actor; returns what was paid.

    The ledger's unique key decides "once": the insert does nothing when the award exists."""
    r = rules(db)
    amount = r.amounts[reason]
    conn = await db.connection()
    if reason in r.caps:
        earned = await conn.scalar(_EARNED, {"member_id": member_id, "reason": reason})
        amount = min(amount, r.caps[reason] - int(earned or 0))
    if amount <= 0:
        return 0
    paid = await conn.scalar(
        _PAY[conn.dialect.name],
        {"member_id": member_id, "reason": reason, "amount": amount, "source_type": source_type,
         "source_id": source_id, "actor_id": actor_id, "created_at": utcnow()},
    )  # fmt: skip
    if paid is None:
        return 0
    await _settle(db, member_id, amount)
    return amount


async def revoke(db: AsyncSession, source_type: str, source_id: int, **match: int | str) -> None:
    """Take back the awards for a source (optionally only some reasons, actors or members)."""
    where = [PointsEntry.source_type == source_type, PointsEntry.source_id == source_id]
    where += [getattr(PointsEntry, k) == v for k, v in match.items()]
    rows = (await db.execute(select(PointsEntry.member_id, PointsEntry.amount).where(*where))).all()
    if not rows:
        return
    await db.execute(delete(PointsEntry).where(*where))
    owed: dict[int, int] = {}
    for member_id, amount in rows:
        owed[member_id] = owed.get(member_id, 0) + amount
    for member_id, amount in owed.items():
        await _settle(db, member_id, -amount)


async def breakdown(db: AsyncSession, member_id: int) -> list[tuple[str, int]]:
    """(label, points) per reason, largest first, for the member's profile."""
    rows = await db.execute(
        select(PointsEntry.reason, func.sum(PointsEntry.amount))
        .where(PointsEntry.member_id == member_id)
        .group_by(PointsEntry.reason)
    )
    pairs = [(REASONS.get(reason, reason), int(total)) for reason, total in rows]
    return sorted(pairs, key=lambda pair: -pair[1])


# --- the events that move points, called by the domain functions in their transactions ---

LIKE_REASONS = ("like_given", "like_received")


async def on_post(
    db: AsyncSession, kind: str, item_id: int, author_id: int, answered_id: int | None
) -> None:
    """A discussion or comment went live; ``answered_id`` owns what a comment answers."""
    await award(db, author_id, kind, kind, item_id, author_id)
    if answered_id is not None and answered_id != author_id:
        await award(db, answered_id, "got_comment", kind, item_id, author_id)


async def on_like(db: AsyncSession, kind: str, item_id: int, author_id: int, liker_id: int) -> None:
    if liker_id == author_id:
        return
    await award(db, liker_id, "like_given", kind, item_id, liker_id)
    await award(db, author_id, "like_received", kind, item_id, liker_id)


async def on_unlike(db: AsyncSession, kind: str, item_id: int, liker_id: int) -> None:
    for reason in LIKE_REASONS:
        await revoke(db, kind, item_id, actor_id=liker_id, reason=reason)


async def on_remove(db: AsyncSession, kind: str, item_id: int) -> None:
    """The item left the live state: everything it earned anyone is taken back."""
    await revoke(db, kind, item_id)


async def on_restore(
    db: AsyncSession, kind: str, item_id: int, author_id: int, answered_id: int | None
) -> None:
    """The item is live again: it earns what it would have, likes included."""
    from townsquare.db.models import Like

    await on_post(db, kind, item_id, author_id, answered_id)
    likers = await db.scalars(
        select(Like.member_id).where(Like.target_type == kind, Like.target_id == item_id)
    )
    for liker_id in list(likers):
        await on_like(db, kind, item_id, author_id, liker_id)


# --- recompute: the ledger and the totals rebuilt from the content itself ---


@dataclass
class Mismatch:
    member_id: int
    name: str
    stored: int
    expected: int
    ledger: int


async def _expected_entries(db: AsyncSession) -> list[tuple[int, str, str, int, int]]:
    """Every award the live content implies, oldest first, caps applied as they accrue."""
    from sqlalchemy.orm import aliased

    from townsquare.db.models import Comment, Discussion, Like

    rows: list[tuple[object, int, int, str, str, int, int]] = []  # (when, order, …entry)
    for d_id, author, when in await db.execute(
        select(Discussion.id, Discussion.author_id, Discussion.created_at).where(
            Discussion.state == "live"
        )
    ):
        rows.append((when, 0, author, "discussion", "discussion", d_id, author))
    parent = aliased(Comment)
    query = (
        select(Comment.id, Comment.author_id, Comment.created_at, parent.author_id,
               Discussion.author_id)
        .join(Discussion, Discussion.id == Comment.discussion_id)
        .outerjoin(parent, parent.id == Comment.parent_id)
        .where(Comment.state == "live")
    )  # fmt: skip
    for c_id, author, when, parent_author, d_author in await db.execute(query):
        rows.append((when, 1, author, "comment", "comment", c_id, author))
        answered = parent_author if parent_author is not None else d_author
        if answered != author:
            rows.append((when, 2, answered, "got_comment", "comment", c_id, author))
    for kind, model in (("discussion", Discussion), ("comment", Comment)):
        likes = (
            select(Like.member_id, Like.target_id, Like.created_at, model.author_id)
            .join(model, model.id == Like.target_id)
            .where(
                Like.target_type == kind, model.state == "live", Like.member_id != model.author_id
            )
        )
        for liker, target, when, author in await db.execute(likes):
            rows.append((when, 3, liker, "like_given", kind, target, liker))
            rows.append((when, 4, author, "like_received", kind, target, liker))
    rows.sort(key=lambda r: (r[0], r[1], r[5]))

    r = rules(db)
    earned: dict[tuple[int, str], int] = {}
    entries = []
    for _when, _order, member, reason, source_type, source_id, actor in rows:
        amount = r.amounts[reason]
        if reason in r.caps:
            so_far = earned.get((member, reason), 0)
            amount = min(amount, r.caps[reason] - so_far)
            earned[(member, reason)] = so_far + max(amount, 0)
        if amount > 0:
            entries.append((member, reason, source_type, source_id, actor, amount))
    return entries  # type: ignore[return-value]


async def recompute(db: AsyncSession, *, check: bool) -> list[Mismatch]:
    """Compare (check) or rebuild every member's ledger and total from the content.

    Returns the members whose stored total differed from what the content implies, or
    from their own ledger. With check=False the ledger and totals are then rewritten.
    """
    entries = await _expected_entries(db)
    expected: dict[int, int] = {}
    for member, _reason, _st, _sid, _actor, amount in entries:
        expected[member] = expected.get(member, 0) + amount
    ledger = dict(
        (await db.execute(
            select(PointsEntry.member_id, func.sum(PointsEntry.amount)).group_by(PointsEntry.member_id)
        )).all()
    )  # fmt: skip
    mismatches = []
    for member_id, name, stored in await db.execute(select(Member.id, Member.name, Member.points)):
        want, have = expected.get(member_id, 0), int(ledger.get(member_id, 0))
        if stored != want or have != want:
            mismatches.append(Mismatch(member_id, name, stored, want, have))
    if check or not mismatches:
        return mismatches
    await db.execute(delete(PointsEntry))
    for start in range(0, len(entries), 5000):
        db.add_all(
            PointsEntry(member_id=m, reason=reason, source_type=st, source_id=sid, actor_id=actor,
                        amount=amount)
            for m, reason, st, sid, actor, amount in entries[start : start + 5000]
        )  # fmt: skip
        await db.flush()
    thresholds = rules(db).thresholds
    for mismatch in mismatches:
        await db.execute(
            update(Member)
            .where(Member.id == mismatch.member_id)
            .values(points=mismatch.expected, level=level_for(mismatch.expected, thresholds))
        )
    await db.commit()
    return mismatches
