"""Comments and replies: write, edit, delete, restore, and find a comment's page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, case, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, make_transient_to_detached

from townsquare.db import changes
from townsquare.db.models import Comment, Discussion, Group, Member, UTCDateTime, set_loaded, utcnow
from townsquare.domain import events, notifications, permissions, points, safety
from townsquare.domain.discussions import Located, locate
from townsquare.domain.errors import Invalid, NotFound
from townsquare.domain.validate import Checker
from townsquare.text.markdown import cook

BODY_MAX = 20_000


def _check_body(body: str) -> str:
    check = Checker()
    body = check.text("body", body, label="Comment", min_len=1, max_len=BODY_MAX)
    check.done()
    return body


async def add_comment(
    db: AsyncSession,
    actor: Member | None,
    discussion_id: int,
    *,
    body: str,
    parent_id: int | None = None,
) -> Comment:
    """Comment on a discussion, or reply to a comment (a reply to a reply joins its comment)."""
    found = await locate(db, actor, discussion_id)
    d = found.discussion
    member = permissions.require(
        actor, "comment.create", d, group=found.group, membership=found.membership
    )
    body = _check_body(body)
    html = cook(body)  # before the first write: nothing slow while holding SQLite's lock
    held = permissions.needs_review(member, found.membership, permissions.policy_of(db))

    parent: Comment | None = None
    if parent_id is not None:
        parent = await db.get(Comment, parent_id)
        if parent is None or parent.discussion_id != d.id:
            raise NotFound("The comment you are replying to does not exist.")
        if parent.parent_id is not None:  # replies are one level deep
            parent = await db.get(Comment, parent.parent_id)
            assert parent is not None
        if parent.state != "live":
            raise Invalid({"body": "The comment you are replying to has been deleted."})
    await safety.refuse_if_blocked(db, member, d.author_id, parent.author_id if parent else None)

    # The first write takes the lock, so positions are handed out one at a time. A comment
    # held for review takes its place now but counts only once approved. The counters go
    # through the session's connection, statements built once (see _COUNT).
    conn = await db.connection()
    top_count, comment_count = (
        await conn.execute(
            _COUNT, {"d_id": d.id, "n_all": 0 if held else 1, "n_top": 1 if parent is None else 0}
        )
    ).one()
    # Read the clock holding that lock, so times follow positions and a discussion's last
    # activity never goes backwards when two comments race.
    now = utcnow()
    loaded: dict[str, object] = {"top_count": top_count, "comment_count": comment_count}
    reply_count = None
    position = parent.position if parent is not None else top_count
    if not held:
        await conn.execute(_DISCUSSION_ACTIVE, {"d_id": d.id, "now": now})
        loaded["last_activity_at"] = now
        if parent is not None:
            reply_count = (await conn.execute(_REPLY_COUNT, {"c_id": parent.id})).scalar_one()
            set_loaded(db, Comment, parent.id, reply_count=reply_count)
        # Other discussions of the group do not share the lock: keep whichever time is later.
        await conn.execute(_GROUP_ACTIVE, {"g_id": d.group_id, "now": now})
        if found.group.last_activity_at is None or found.group.last_activity_at < now:
            set_loaded(db, Group, d.group_id, last_activity_at=now)
    set_loaded(db, Discussion, d.id, **loaded)
    changes.touched(db, changes.discussion_key(d.id), changes.HOME)
    row = {"discussion_id": d.id, "author_id": member.id,
           "parent_id": parent.id if parent else None, "position": position, "body_src": body,
           "body_html": html, "created_at": now, "state": "pending" if held else "live",
           "reply_count": 0, "like_count": 0, "removal_reason": None, "edited_at": None,
           "deleted_at": None}  # fmt: skip
    comment = Comment(id=(await conn.execute(_ADD, row)).scalar_one(), **row)
    make_transient_to_detached(comment)  # the row is written: the session holds it as loaded
    db.add(comment)
    if not held:
        answered = parent.author_id if parent is not None else d.author_id
        await points.on_post(db, "comment", comment.id, member.id, answered)
    await notifications.on_comment(db, comment, d, parent, just_written=True)
    if not held:
        _announce(db, comment, comment_count, reply_count)
    await db.commit()
    return comment


def _announce(db: AsyncSession, c: Comment, comment_count: int, reply_count: int | None,
              kind: str = "comment") -> None:  # fmt: skip
    """Open pages of the discussion learn that a comment is now live ("comment") or no longer
    is ("gone"): ids and counts only."""
    events.announce(db, events.discussion_channel(c.discussion_id), kind, id=c.id,
                    parent_id=c.parent_id, position=c.position, author_id=c.author_id,
                    comment_count=comment_count, reply_count=reply_count)  # fmt: skip


# Built once, run on the session's connection: a new comment's counters are the hottest
# writes on the site, and building and running them through the ORM cost several times
# what SQLite takes to do them.
_D, _C, _G = Discussion.__table__, Comment.__table__, Group.__table__
_COUNT = (
    update(_D)
    .where(_D.c.id == bindparam("d_id"))
    .values(comment_count=_D.c.comment_count + bindparam("n_all"),
            top_count=_D.c.top_count + bindparam("n_top"))
    .returning(_D.c.top_count, _D.c.comment_count)
)  # fmt: skip
_DISCUSSION_ACTIVE = (
    update(_D)
    .where(_D.c.id == bindparam("d_id"))
    .values(last_activity_at=bindparam("now", type_=UTCDateTime()))
)
_REPLY_COUNT = (
    update(_C)
    .where(_C.c.id == bindparam("c_id"))
    .values(reply_count=_C.c.reply_count + 1)
    .returning(_C.c.reply_count)
)
_ADD = insert(_C).values(
    {name: bindparam(name) for name in ("discussion_id", "author_id", "parent_id", "position",
                                        "body_src", "body_html", "state", "reply_count",
                                        "like_count", "removal_reason")}
    | {name: bindparam(name, type_=UTCDateTime()) for name in ("created_at", "edited_at",
                                                               "deleted_at")}
).returning(_C.c.id)  # fmt: skip
_NOW = bindparam("now", type_=UTCDateTime())
_GROUP_ACTIVE = (
    update(_G)
    .where(_G.c.id == bindparam("g_id"))
    .values(last_activity_at=case((_G.c.last_activity_at > _NOW, _G.c.last_activity_at),
                                  else_=_NOW))
)  # fmt: skip


@dataclass
class FoundComment:
    comment: Comment
    where: Located


async def find_comment(db: AsyncSession, viewer: Member | None, comment_id: int) -> FoundComment:
    """A comment the viewer may see, with its discussion; deleted ones only for admins."""
    comment = await db.scalar(
        select(Comment)
        .join(Comment.author)
        .options(contains_eager(Comment.author))
        .where(Comment.id == comment_id)
    )
    if comment is None:
        raise NotFound("That comment does not exist.")
    where = await locate(db, viewer, comment.discussion_id)
    if not permissions.can_see_item(viewer, comment, where.membership):
        raise NotFound("That comment has been deleted.")
    return FoundComment(comment, where)


async def edit_comment(
    db: AsyncSession, actor: Member | None, comment_id: int, *, body: str
) -> Comment:
    found = await find_comment(db, actor, comment_id)
    c = found.comment
    permissions.require(actor, "comment.edit", c, membership=found.where.membership)
    body = _check_body(body)
    if body != c.body_src:
        c.body_src, c.body_html, c.edited_at = body, cook(body), utcnow()
        if c.state == "live":  # open pages fetch the new text
            events.announce(db, events.discussion_channel(c.discussion_id), "edited", id=c.id,
                            parent_id=c.parent_id, author_id=c.author_id)  # fmt: skip
        await db.commit()
    return c


async def set_state(
    db: AsyncSession,
    actor: Member | None,
    comment_id: int,
    action: str,
    state: str,
    reason: str | None = None,
    commit: bool = True,
) -> Comment:
    """Move a comment between live, pending, removed and deleted, keeping every count true.

    ``commit=False`` leaves the transaction open for the caller's own writes (the log).
    """
    found = await find_comment(db, actor, comment_id)
    c = found.comment
    permissions.require(
        actor, action, c, group=found.where.group, membership=found.where.membership
    )
    if c.state == state:
        return c
    step = (state == "live") - (c.state == "live")  # counts hold live comments only
    c.state = state
    c.deleted_at = None if state == "live" else utcnow()
    c.removal_reason = reason if state == "removed" else None
    comment_count = await db.scalar(
        update(Discussion)
        .where(Discussion.id == c.discussion_id)
        .values(comment_count=Discussion.comment_count + step)
        .returning(Discussion.comment_count)
    )
    reply_count = None
    if c.parent_id is not None:
        reply_count = await db.scalar(
            update(Comment)
            .where(Comment.id == c.parent_id)
            .values(reply_count=Comment.reply_count + step)
            .returning(Comment.reply_count)
        )
    if step < 0:
        await points.on_remove(db, "comment", c.id)
        await notifications.on_gone(db, c)
        _announce(db, c, int(comment_count or 0), reply_count, kind="gone")
    elif step > 0:
        parent_author = await db.scalar(select(Comment.author_id).where(Comment.id == c.parent_id))
        answered = parent_author if c.parent_id else found.where.discussion.author_id
        await points.on_restore(db, "comment", c.id, c.author_id, answered)
        # Approved or restored: new to everyone reading the discussion.
        _announce(db, c, int(comment_count or 0), reply_count)
    if commit:
        await db.commit()
    return c


async def delete_comment(db: AsyncSession, actor: Member | None, comment_id: int) -> Comment:
    """Soft delete; a deleted comment keeps its place while it has replies."""
    return await set_state(db, actor, comment_id, "comment.delete", "deleted")


async def restore_comment(db: AsyncSession, actor: Member | None, comment_id: int) -> Comment:
    return await set_state(db, actor, comment_id, "comment.restore", "live")


def page_of(comment: Comment, per_page: int) -> int:
    return (comment.position - 1) // per_page + 1
