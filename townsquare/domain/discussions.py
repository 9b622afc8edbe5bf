"""Discussions: start, edit, delete and restore; and the discussion page read."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import bindparam, case, exists, literal, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from townsquare.db.models import (
    Block,
    Comment,
    Discussion,
    DiscussionVisit,
    Group,
    Like,
    Member,
    Membership,
    utcnow,
)
from townsquare.domain import events, notifications, permissions, points
from townsquare.domain.errors import Invalid, NotFound
from townsquare.domain.groups import membership_of, visible_group
from townsquare.domain.validate import Checker
from townsquare.text.markdown import cook

TITLE_MAX = 300
BODY_MAX = 50_000


class Duplicate(Invalid):
    """The group already discusses this article; the form offers to post anyway."""

    def __init__(self, existing: Discussion) -> None:
        super().__init__(
            {"link_url": f"This group is already discussing this article: “{existing.title}”."}
        )
        self.existing = existing


@dataclass
class Thread:
    """A comment with its replies, in time order."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass
class DiscussionPage:
    discussion: Discussion
    group: Group
    membership: Membership | None
    threads: list[Thread]
    page: int
    pages: int
    liked: set[tuple[str, int]]
    blocked: set[int] = field(default_factory=set)  # authors the viewer blocked: collapsed
    authors: frozenset[int] = frozenset()  # of every comment in the page's range, shown or not


@dataclass
class Located:
    discussion: Discussion
    group: Group
    membership: Membership | None


# Built once: every discussion page and every write to a discussion starts here, and
# building this statement (joins, eager options) cost more than running it.
_LOCATE = (
    select(Discussion, Group)
    .join(Group, Group.id == Discussion.group_id)
    .join(Discussion.author)
    .outerjoin(Discussion.link)
    .options(contains_eager(Discussion.author), contains_eager(Discussion.link))
    .where(Discussion.id == bindparam("discussion_id"))
)


async def locate(db: AsyncSession, viewer: Member | None, discussion_id: int) -> Located:
    """The discussion if the viewer may see it (deleted ones: admins only), else NotFound."""
    row = (await db.execute(_LOCATE, {"discussion_id": discussion_id})).first()
    if row is None:
        raise NotFound("That discussion does not exist.")
    discussion, group = row
    membership = await membership_of(db, viewer, group.id)
    if not permissions.can_view_group(viewer, group, membership):
        raise NotFound("That discussion does not exist.")
    if not permissions.can_see_item(viewer, discussion, membership):
        raise NotFound("That discussion has been deleted.")
    return Located(discussion, group, membership)


def _check_post(
    title: str, body: str, link: str | None = None, *, title_required: bool = True
) -> tuple[str, str, str | None]:
    check = Checker()
    link = (link or "").strip() or None
    # With a link, an empty title is filled from the article once it is fetched.
    min_title = 1 if title_required or link is None else 0
    title = check.text("title", title, label="Title", min_len=min_title, max_len=TITLE_MAX)
    if "\n" in title:
        check.fail("title", "Keep the title on one line.")
    body = check.text("body", body, label="Text", max_len=BODY_MAX)
    link = check.text("link_url", link, label="Link", max_len=2000) or None
    if link is not None:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            check.fail("link_url", "Give a web address starting with http:// or https://.")
    check.done()
    return title, body, link


async def start_discussion(
    db: AsyncSession,
    actor: Member | None,
    *,
    group_slug: str,
    title: str,
    body: str = "",
    link_url: str | None = None,
    allow_duplicate: bool = False,
) -> Discussion:
    """Start a discussion in a group the actor belongs to, optionally about a shared link.

    The link is fetched in the background; sharing an article this group is already
    discussing raises Duplicate unless ``allow_duplicate``.
    """
    from townsquare.domain import links

    view = await visible_group(db, actor, group_slug)
    member = permissions.require(actor, "discussion.start", view.group, membership=view.membership)
    title, body, link_url = _check_post(title, body, link_url, title_required=False)
    held = permissions.needs_review(member, view.membership, permissions.policy_of(db))
    link = None
    if link_url is not None:
        links.normalized(link_url)  # a bad address is a field error before anything is stored
        link = await links.link_for(db, link_url)
        existing = await links.discussed_in_group(db, view.group.id, link)
        if existing is not None and not allow_duplicate:
            raise Duplicate(existing)
        if not title and link.status == "ok" and link.title:
            title = link.title[:TITLE_MAX]
    now = utcnow()
    discussion = Discussion(
        group_id=view.group.id, author_id=member.id, title=title, body_src=body,
        body_html=cook(body), link_url=link_url, link_id=link.id if link else None,
        last_activity_at=now, created_at=now, state="pending" if held else "live",
    )  # fmt: skip
    db.add(discussion)
    if not held:
        await db.execute(
            update(Group)
            .where(Group.id == view.group.id)
            .values(discussion_count=Group.discussion_count + 1, last_activity_at=now)
        )
    await db.flush()
    if not held:
        await points.on_post(db, "discussion", discussion.id, member.id, None)
    await db.commit()
    return discussion


async def edit_discussion(
    db: AsyncSession, actor: Member | None, discussion_id: int, *, title: str, body: str
) -> Discussion:
    found = await locate(db, actor, discussion_id)
    permissions.require(actor, "discussion.edit", found.discussion, membership=found.membership)
    title, body, _ = _check_post(title, body, title_required=True)
    d = found.discussion
    if (title, body) != (d.title, d.body_src):
        d.title, d.body_src, d.body_html, d.edited_at = title, body, cook(body), utcnow()
        if d.state == "live":
            announce_change(db, d, "edited")
        await db.commit()
    return d


def announce_change(db: AsyncSession, d: Discussion, what: str) -> None:
    """Open pages of the discussion learn that it changed: "edited", "locked", "unlocked"
    or "gone" (deleted or removed). They offer a reload rather than patch the page, unless
    they show it as it now is (``shown``): a page rendered just after the change may still
    be sent the event, its cursor read before the event reached its worker."""
    events.announce(db, events.discussion_channel(d.id), "changed", what=what, shown=shown(d))


def shown(d: Discussion) -> str:
    """What an open page shows of the discussion itself: its state, whether it is locked,
    when it was last edited (the page carries it as ``data-shown``)."""
    edited = round(d.edited_at.timestamp() * 1000) if d.edited_at else 0
    return f"{d.state}:{int(d.locked)}:{edited}"


async def set_state(
    db: AsyncSession,
    actor: Member | None,
    discussion_id: int,
    action: str,
    state: str,
    reason: str | None = None,
    commit: bool = True,
) -> Discussion:
    """Move a discussion between live, pending, removed and deleted, keeping counts true.

    ``commit=False`` leaves the transaction open for the caller's own writes (the log).
    """
    found = await locate(db, actor, discussion_id)
    permissions.require(
        actor, action, found.discussion, group=found.group, membership=found.membership
    )
    d = found.discussion
    if d.state == state:
        return d
    step = (state == "live") - (d.state == "live")  # the count holds live discussions only
    d.state = state
    d.deleted_at = utcnow() if state == "deleted" else None
    d.removal_reason = reason if state == "removed" else None
    if step < 0:
        announce_change(db, d, "gone")
    if step:
        await db.execute(
            update(Group)
            .where(Group.id == d.group_id)
            .values(discussion_count=Group.discussion_count + step)
        )
    if step < 0:
        await points.on_remove(db, "discussion", d.id)
        await notifications.on_gone(db, d)
    elif step > 0:
        await points.on_restore(db, "discussion", d.id, d.author_id, None)
    if commit:
        await db.commit()
    return d


async def delete_discussion(
    db: AsyncSession, actor: Member | None, discussion_id: int
) -> Discussion:
    """Soft delete: the discussion leaves every list; an admin can restore it."""
    return await set_state(db, actor, discussion_id, "discussion.delete", "deleted")


async def restore_discussion(
    db: AsyncSession, actor: Member | None, discussion_id: int
) -> Discussion:
    return await set_state(db, actor, discussion_id, "discussion.restore", "live")


def _keep(t: Thread, viewer: Member | None, membership: Membership | None) -> bool:
    """Live comments show; a deleted one holds its place while it has replies; one waiting
    for review or removed shows only to its author and the moderators."""
    state = t.comment.state
    if state == "live":
        return True
    if state == "deleted":
        return bool(t.replies)
    return permissions.can_see_item(viewer, t.comment, membership)


def page_count(top_count: int, per_page: int) -> int:
    return max(1, math.ceil(top_count / per_page))


def page_positions(page: int, per_page: int) -> tuple[int, int]:
    """The first and last position on a page: its comments, and their replies, which share
    their comment's position."""
    return (page - 1) * per_page + 1, page * per_page


async def discussion_page(
    db: AsyncSession, viewer: Member | None, discussion_id: int, page: int, per_page: int
) -> DiscussionPage:
    """Everything the discussion page shows, in four indexed queries at most."""
    found = await locate(db, viewer, discussion_id)
    d = found.discussion
    pages = page_count(d.top_count, per_page)
    if page < 1 or page > pages:
        raise NotFound(f"This discussion has {pages} page{'s' if pages > 1 else ''}.")
    lo, hi = page_positions(page, per_page)
    rows = await db.scalars(
        select(Comment)
        .join(Comment.author)
        .options(contains_eager(Comment.author))
        .where(Comment.discussion_id == d.id, Comment.position.between(lo, hi))
        .order_by(Comment.position, Comment.id)
    )
    threads: list[Thread] = []
    by_id: dict[int, Thread] = {}
    authors: set[int] = set()
    for c in rows:
        authors.add(c.author_id)
        if c.parent_id is None:
            by_id[c.id] = Thread(c)
            threads.append(by_id[c.id])
        elif c.parent_id in by_id and (
            c.state == "live" or permissions.can_see_item(viewer, c, found.membership)
        ):
            by_id[c.parent_id].replies.append(c)
    threads = [t for t in threads if _keep(t, viewer, found.membership)]
    shown = [c for t in threads for c in (t.comment, *t.replies)]
    liked = await liked_items(db, viewer, d.id, [c.id for c in shown])
    blocked = await blocked_among(db, viewer, {c.author_id for c in shown})
    return DiscussionPage(d, found.group, found.membership, threads, page, pages, liked, blocked,
                          frozenset(authors))  # fmt: skip


async def liked_items(db: AsyncSession, viewer: Member | None, discussion_id: int,
                      comment_ids: Sequence[int]) -> set[tuple[str, int]]:  # fmt: skip
    """Which of the discussion and these comments the viewer liked, as (type, id)."""
    if viewer is None:
        return set()
    rows = await db.execute(
        _LIKED, {"member_id": viewer.id, "discussion_id": discussion_id, "ids": list(comment_ids)}
    )
    return {(t, i) for t, i in rows}


@dataclass
class Standing:
    """A member's own place on a discussion page, read in one statement (web/keptpages.py)."""

    membership: tuple[str, str] | None  # role, state in the discussion's group
    liked: set[tuple[str, int]]
    blocks_an_author: bool
    visit_due: bool  # record_visit has something to write
    unread: int  # the header's count of unread notifications


async def standing(db: AsyncSession, viewer: Member, d: Discussion, page: int,
                   per_page: int) -> Standing:  # fmt: skip
    """What liked_items, blocked_among, membership_of, record_visit and the header's unread
    count would each read, in one round trip: a kept page's every request needs all five.
    The page's comments and their authors are found by position in the statement itself
    (a kept copy is used only while they are unchanged), not bound as lists."""
    lo, hi = page_positions(page, per_page)
    rows = await db.execute(
        _STANDING,
        {"member_id": viewer.id, "discussion_id": d.id, "group_id": d.group_id,
         "lo": lo, "hi": hi, "last": d.last_activity_at},
    )  # fmt: skip
    out = Standing(None, set(), False, True, 0)
    for kind, text, number in rows:
        if kind == "l":
            out.liked.add((text, number))
        elif kind == "b":
            out.blocks_an_author = True
        elif kind == "m":
            role, _, state = text.partition(":")
            out.membership = (role, state)
        elif kind == "u":
            out.unread = number
        else:
            out.visit_due = bool(number)
    return out


# Built once, with bind parameters: the discussion page asks these on every logged-in view.
# Two selects, not an OR: each probes the likes' key, however many a member has made.
_LIKED_DISCUSSION = select(Like.target_type, Like.target_id).where(
    Like.member_id == bindparam("member_id"),
    Like.target_type == "discussion",
    Like.target_id == bindparam("discussion_id"),
)
_LIKED = union_all(
    _LIKED_DISCUSSION,
    select(Like.target_type, Like.target_id).where(
        Like.member_id == bindparam("member_id"),
        Like.target_type == "comment",
        Like.target_id.in_(bindparam("ids", expanding=True)),
    ),
)
_BLOCKED = select(Block.blocked_id).where(
    Block.blocker_id == bindparam("member_id"),
    Block.blocked_id.in_(bindparam("authors", expanding=True)),
)


async def blocked_among(
    db: AsyncSession, viewer: Member | None, authors: Iterable[int]
) -> set[int]:
    """The members among ``authors`` whom the viewer blocked."""
    others = set(authors) - {viewer.id} if viewer is not None else set()
    if not others or viewer is None:
        return set()
    return set(await db.scalars(_BLOCKED, {"member_id": viewer.id, "authors": list(others)}))


# What _LIKED, _BLOCKED, the membership lookup, the visit and the unread count ask, as one
# round trip of (kind, text, number) rows; the page's comments by position rather than by
# bound lists of ids, which SQLAlchemy would render into the statement on every request.
# Measured on SQLite: the page's comments joined to the member's likes, 23 µs (an IN list
# of them, 33); the member's blocks, usually none, each looked for on the page, 2 µs (the
# page's authors listed first, 30).
_ON_PAGE = (
    Comment.discussion_id == bindparam("discussion_id"),
    Comment.position.between(bindparam("lo"), bindparam("hi")),
)
_STANDING = union_all(
    select(literal("l"), Like.target_type, Like.target_id).where(_LIKED_DISCUSSION.whereclause),
    select(literal("l"), Like.target_type, Like.target_id)
    .join(Comment, Comment.id == Like.target_id)
    .where(Like.member_id == bindparam("member_id"), Like.target_type == "comment", *_ON_PAGE),
    select(literal("b"), literal(""), Block.blocked_id).where(
        Block.blocker_id == bindparam("member_id"),
        exists().where(*_ON_PAGE, Comment.author_id == Block.blocked_id),
    ),
    select(literal("m"), Membership.role + ":" + Membership.state, literal(0)).where(
        Membership.group_id == bindparam("group_id"),
        Membership.member_id == bindparam("member_id"),
    ),
    select(
        literal("v"),
        literal(""),
        case((DiscussionVisit.visited_at < bindparam("last"), 1), else_=0),
    ).where(
        DiscussionVisit.member_id == bindparam("member_id"),
        DiscussionVisit.discussion_id == bindparam("discussion_id"),
    ),
    select(literal("u"), literal(""), notifications.UNREAD.selected_columns[0]).where(
        notifications.UNREAD.whereclause
    ),
)
