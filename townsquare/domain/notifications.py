"""Notifications: what happened to a member, in the app and by email as they chose.

The ``on_…`` hooks are called by other domain functions inside their transactions, just
before they commit, so a notification exists exactly when the thing it tells of does.
A notification is never about the member's own act, never from someone they block, and
never about something they cannot see. Emails go through the queue (``send_notification``
after ``mail_delay`` seconds, and the daily ``send_digests``); a notification read in the
app before its email goes out is not emailed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.config import Settings
from townsquare.db import changes
from townsquare.db.models import (
    Block,
    Comment,
    Discussion,
    Group,
    Member,
    Membership,
    Notification,
    NotificationSetting,
    UTCDateTime,
    utcnow,
)
from townsquare.domain import events, mail, permissions
from townsquare.domain.errors import Invalid, NotFound, NotLoggedIn

# Email choices per kind of notification: (what the settings page calls it, the default).
KINDS: dict[str, tuple[str, str]] = {
    "comment": ("Comments on your discussions", "immediately"),
    "reply": ("Replies to your comments", "immediately"),
    "mention": ("Mentions of you (@name)", "immediately"),
    "like": ("Likes on your posts", "digest"),
    "moderation": ("Your posts approved or removed by moderators", "immediately"),
    "join_request": ("Requests to join groups you moderate", "immediately"),
    "level": ("Reaching a new level", "digest"),
    "activity": ("New discussions in your groups", "digest"),
}
MODES = ("immediately", "digest", "never")
# The row kinds that a setting covers, where they differ.
SETTING_OF = {"approved": "moderation", "removed": "moderation", "rejected": "moderation"}
MENTION_RE = re.compile(r"(?<![\w@/.])@([a-zA-Z][a-zA-Z0-9_]{2,31})\b")
MAX_MENTIONS = 20
DIGEST_GAP = timedelta(hours=20)  # a digest run twice in a day sends once


def setting_kind(kind: str) -> str:
    return SETTING_OF.get(kind, kind)


# --- writing ------------------------------------------------------------------------------


async def _may_reach(db: AsyncSession, recipient: Member, actor_id: int | None,
                     group_id: int | None, *, unblocked: bool = False) -> bool:  # fmt: skip
    """The recipient is active, does not block the actor (``unblocked``: known already),
    and can read the group."""
    if recipient.state != "active":
        return False
    if actor_id is not None:
        if actor_id == recipient.id:
            return False
        if not unblocked:
            conn = await db.connection()
            if await conn.scalar(_BLOCKS, {"blocker": recipient.id, "blocked": actor_id}):
                return False
    if group_id is None:
        return True
    group = await db.get(Group, group_id)
    if group is None:
        return False
    if permissions.can_view_group(recipient, group, None):  # public: no membership to read
        return True
    membership = await db.scalar(
        select(Membership).where(
            Membership.group_id == group_id, Membership.member_id == recipient.id
        )
    )
    return permissions.can_view_group(recipient, group, membership)


# Built once: every comment, reply and like asks them (see _may_reach and notify).
_BLOCKS = select(Block.blocker_id).where(
    Block.blocker_id == bindparam("blocker"), Block.blocked_id == bindparam("blocked")
)
_N = Notification.__table__
_ADD = (
    insert(_N)
    .values(recipient_id=bindparam("recipient_id"), kind=bindparam("kind"),
            actor_id=bindparam("actor_id"), group_id=bindparam("group_id"),
            discussion_id=bindparam("discussion_id"), comment_id=bindparam("comment_id"),
            detail=bindparam("detail"), count=1,
            created_at=bindparam("created_at", type_=UTCDateTime()))
    .returning(_N.c.id)
)  # fmt: skip


async def notify(db: AsyncSession, recipient_id: int | None, kind: str, *,
                 actor_id: int | None = None, group_id: int | None = None,
                 discussion_id: int | None = None, comment_id: int | None = None,
                 detail: str = "", unblocked: bool = False) -> None:  # fmt: skip
    """Record one notification (likes fold into the unread one for the same item)."""
    if recipient_id is None:
        return
    recipient = await db.get(Member, recipient_id)
    if recipient is None or not await _may_reach(db, recipient, actor_id, group_id,
                                                 unblocked=unblocked):  # fmt: skip
        return
    now = utcnow()
    row = None
    if kind == "like":
        row = await db.scalar(
            select(Notification).where(
                Notification.recipient_id == recipient_id, Notification.kind == "like",
                Notification.read_at.is_(None), Notification.discussion_id == discussion_id,
                Notification.comment_id.is_(None) if comment_id is None
                else Notification.comment_id == comment_id,
            )
        )  # fmt: skip
    if row is not None:
        row.count += 1
        row.actor_id, row.created_at = actor_id, now
        await db.flush()
        row_id = row.id
    else:  # on no shared cached page: the change tracker needs only the recipient's key
        changes.touched(db, changes.member_key(recipient_id))
        conn = await db.connection()
        row_id = await conn.scalar(
            _ADD,
            {"recipient_id": recipient_id, "kind": kind, "actor_id": actor_id,
             "group_id": group_id, "discussion_id": discussion_id, "comment_id": comment_id,
             "detail": detail, "created_at": now},
        )  # fmt: skip
    events.announce(db, events.member_channel(recipient_id), "unread")
    confirmed = recipient.email_confirmed_at is not None
    if confirmed and await email_mode(db, recipient_id, setting_kind(kind)) == "immediately":
        events.defer(db, "send_notification", row_id)


def mentioned_names(text: str) -> list[str]:
    """Lower-case names written as @name, in order, each once."""
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(text or ""):
        seen.setdefault(match.group(1).lower(), None)
    return list(seen)[:MAX_MENTIONS]


async def on_comment(db: AsyncSession, comment: Comment, discussion: Discussion,
                     parent: Comment | None = None, *, just_written: bool = False) -> None:  # fmt: skip
    """A comment or reply went live: its discussion's author, the comment it answers, and
    everyone it @mentions hear of it (each once, the most specific way).

    ``just_written``: the comment was accepted in this transaction, which it is not when
    one of those two authors blocks its writer (``safety.refuse_if_blocked``); so for them
    the block is not asked again. An approval, later, asks."""
    if comment.state != "live":
        return  # a post waiting for review tells no one until it is approved
    if parent is None and comment.parent_id is not None:
        parent = await db.get(Comment, comment.parent_id)
    where = {"actor_id": comment.author_id, "group_id": discussion.group_id,
             "discussion_id": discussion.id, "comment_id": comment.id}  # fmt: skip
    told = {comment.author_id}
    if parent is not None and parent.author_id not in told:
        await notify(db, parent.author_id, "reply", unblocked=just_written, **where)
        told.add(parent.author_id)
    if discussion.author_id not in told:
        await notify(db, discussion.author_id, "comment", unblocked=just_written, **where)
        told.add(discussion.author_id)
    names = mentioned_names(comment.body_src)
    if names:
        for member_id in await db.scalars(select(Member.id).where(Member.name.in_(names))):
            if member_id not in told:
                await notify(db, member_id, "mention", **where)
                told.add(member_id)


async def on_like(db: AsyncSession, liker: Member, target_type: str,
                  item: Discussion | Comment, liked: bool = True) -> None:  # fmt: skip
    if not liked:
        return
    if isinstance(item, Comment):
        group_id = await db.scalar(
            select(Discussion.group_id).where(Discussion.id == item.discussion_id)
        )
        where = {"discussion_id": item.discussion_id, "comment_id": item.id}
    else:
        group_id, where = item.group_id, {"discussion_id": item.id}
    await notify(db, item.author_id, "like", actor_id=liker.id, group_id=group_id, **where)


async def on_moderated(db: AsyncSession, moderator: Member, kind: str,
                       item: Discussion | Comment, action: str, reason: str = "") -> None:  # fmt: skip
    """A moderator approved, turned down or removed a post: its author hears, with the reason;
    an approved comment now tells whoever it answers."""
    comment: Comment | None = None
    discussion: Discussion | None
    if isinstance(item, Comment):
        comment, discussion = item, await db.get(Discussion, item.discussion_id)
    else:
        discussion = item
    if discussion is None:
        return
    row_kind = {"approve": "approved", "reject": "rejected", "remove": "removed"}.get(action)
    if row_kind is None:
        return
    if row_kind != "approved":  # what it told others points at nothing they can see now
        await db.execute(
            update(Notification)
            .where(Notification.comment_id == item.id if comment else
                   Notification.discussion_id == item.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )  # fmt: skip
    await notify(db, item.author_id, row_kind, actor_id=moderator.id, group_id=discussion.group_id,
                 discussion_id=discussion.id, comment_id=comment.id if comment else None,
                 detail=reason)  # fmt: skip
    if comment is not None and row_kind == "approved":
        await on_comment(db, comment, discussion)


async def on_gone(db: AsyncSession, item: Discussion | Comment) -> None:
    """A post left the live state (deleted, removed, turned down): what told of it, or of
    anything in it, is marked read, so the header never counts what the page cannot show."""
    where = (
        Notification.comment_id == item.id
        if isinstance(item, Comment)
        else Notification.discussion_id == item.id
    )
    await db.execute(
        update(Notification).where(where, Notification.read_at.is_(None)).values(read_at=utcnow())
    )


async def on_left_group(db: AsyncSession, member_id: int, group_id: int) -> None:
    """A member left a private group: its notifications are marked read for them."""
    await db.execute(
        update(Notification)
        .where(
            Notification.recipient_id == member_id,
            Notification.group_id == group_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )


async def on_join_request(db: AsyncSession, member: Member, group: Group, state: str) -> None:
    """Someone asked to join a group: its host and moderators hear."""
    if state != "requested":
        return
    moderators = await db.scalars(
        select(Membership.member_id).where(
            Membership.group_id == group.id, Membership.state == "active",
            Membership.role.in_(("host", "moderator")),
        )
    )  # fmt: skip
    for moderator_id in list(moderators):
        await notify(db, moderator_id, "join_request", actor_id=member.id, group_id=group.id)


async def on_level(db: AsyncSession, member_id: int, level: int, before: int | None = None) -> None:
    """Called as a member's level is set: going up is news (going down is not)."""
    if before is None:
        before = await db.scalar(select(Member.level).where(Member.id == member_id))
    if before is not None and level > before:
        await notify(db, member_id, "level", detail=str(level))


# --- reading ------------------------------------------------------------------------------


@dataclass
class Item:
    """One notification as the member reads it."""

    id: int
    kind: str
    text: str
    url: str
    created_at: datetime
    read: bool
    detail: str


async def unread_count(db: AsyncSession, member_id: int) -> int:
    """One COUNT over the (recipient_id, read_at) index, for the header."""
    return int(await db.scalar(UNREAD, {"member_id": member_id}) or 0)


UNREAD = (  # built once: every logged-in page's header asks it (kept pages: in standing)
    select(func.count())
    .select_from(Notification)
    .where(Notification.recipient_id == bindparam("member_id"), Notification.read_at.is_(None))
)


def _describe(n: Notification, actor: str, title: str, group: str, comment: Comment | None) -> str:
    what = "reply" if comment is not None and comment.parent_id else (
        "comment" if comment is not None else "discussion")  # fmt: skip
    in_title = f"in “{title}”"
    match n.kind:
        case "comment":
            return f"{actor} commented on your discussion “{title}”"
        case "reply":
            return f"{actor} replied to your comment {in_title}"
        case "mention":
            return f"{actor} mentioned you {in_title}"
        case "like":
            where = f"“{title}”" if comment is None else f"{what} {in_title}"
            if n.count == 1:
                return f"{actor} liked your {where}" if comment else f"{actor} liked “{title}”"
            return f"{n.count} people liked your {where}"
        case "approved":
            return (
                f"Your {what} {in_title} was approved"
                if comment
                else f"Your discussion “{title}” was approved"
            )
        case "rejected" | "removed":
            verb = "was turned down" if n.kind == "rejected" else "was removed by a moderator"
            thing = f"{what} {in_title}" if comment else f"discussion “{title}”"
            return f"Your {thing} {verb}" + (f": {n.detail}" if n.detail else "")
        case "join_request":
            return f"{actor} asked to join {group}"
        case "level":
            return f"You reached level {n.detail}"
    return "Something happened"


async def _items(db: AsyncSession, member: Member, rows: list[Notification]) -> list[Item]:
    """Readable items for the member's notifications, leaving out what they may not see now
    (a private group they left, a post since removed or deleted)."""
    ids = lambda attr: {getattr(n, attr) for n in rows if getattr(n, attr)}  # noqa: E731
    actors = dict((await db.execute(
        select(Member.id, Member.display_name).where(Member.id.in_(ids("actor_id")))
    )).all())  # fmt: skip
    found = {d.id: d for d in await db.scalars(
        select(Discussion).where(Discussion.id.in_(ids("discussion_id"))))}  # fmt: skip
    comments = {c.id: c for c in await db.scalars(
        select(Comment).where(Comment.id.in_(ids("comment_id"))))}  # fmt: skip
    group_ids = ids("group_id") | {d.group_id for d in found.values()}
    group_rows = {g.id: g for g in await db.scalars(select(Group).where(Group.id.in_(group_ids)))}
    memberships = {m.group_id: m for m in await db.scalars(
        select(Membership).where(Membership.member_id == member.id,
                                 Membership.group_id.in_(group_ids)))}  # fmt: skip
    out = []
    for n in rows:
        d = found.get(n.discussion_id) if n.discussion_id else None
        c = comments.get(n.comment_id) if n.comment_id else None
        gid = d.group_id if d is not None else n.group_id
        g = group_rows.get(gid) if gid else None
        ms = memberships.get(gid) if gid else None
        if gid is not None and (g is None or not permissions.can_view_group(member, g, ms)):
            continue
        if (n.discussion_id and d is None) or (n.comment_id and c is None):
            continue
        if any(x is not None and not permissions.can_see_item(member, x, ms) for x in (d, c)):
            continue
        if n.comment_id:
            url = f"/d/{n.discussion_id}/c/{n.comment_id}"
        elif n.discussion_id:
            url = f"/d/{n.discussion_id}"
        elif n.kind == "join_request" and g is not None:
            url = f"/g/{g.slug}/requests"
        else:
            url = "/levels"
        text = _describe(n, actors.get(n.actor_id, "Someone"), d.title if d else "",
                         g.name if g else "", c)  # fmt: skip
        out.append(Item(n.id, n.kind, text, url, n.created_at, n.read_at is not None, n.detail))
    return out


def _member(actor: Member | None) -> Member:
    if actor is None:
        raise NotLoggedIn()
    return actor


async def notifications_page(db: AsyncSession, actor: Member | None, *,
                             before: int | None = None, limit: int = 30) -> tuple[list[Item], int | None]:  # fmt: skip
    """The member's notifications newest first (keyset on id), and the cursor for more."""
    member = _member(actor)
    query = select(Notification).where(Notification.recipient_id == member.id)
    if before is not None:
        query = query.where(Notification.id < before)
    rows = list(await db.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))
    more = rows[limit].id + 1 if len(rows) > limit else None
    return await _items(db, member, rows[:limit]), more


async def open_notification(db: AsyncSession, actor: Member | None, notification_id: int) -> str:
    """Mark one notification read and return where it points."""
    member = _member(actor)
    row = await db.get(Notification, notification_id)
    if row is None or row.recipient_id != member.id:
        raise NotFound("That notification does not exist.")
    items = await _items(db, member, [row])
    if row.read_at is None:
        row.read_at = utcnow()
        events.announce(db, events.member_channel(member.id), "unread")
        await db.commit()
    if not items:
        raise NotFound("What that notification pointed to is no longer there.")
    return items[0].url


async def mark_all_read(db: AsyncSession, actor: Member | None) -> int:
    member = _member(actor)
    done = await db.execute(
        update(Notification)
        .where(Notification.recipient_id == member.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    events.announce(db, events.member_channel(member.id), "unread")
    await db.commit()
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


# --- email choices ------------------------------------------------------------------------


async def email_modes(db: AsyncSession, member_id: int) -> dict[str, str]:
    """Every kind with the member's choice, defaults filled in."""
    modes = {kind: default for kind, (_label, default) in KINDS.items()}
    rows = await db.execute(
        select(NotificationSetting.kind, NotificationSetting.email).where(
            NotificationSetting.member_id == member_id
        )
    )
    modes.update({k: v for k, v in rows if k in modes})
    return modes


async def email_mode(db: AsyncSession, member_id: int, kind: str) -> str:
    chosen = await db.scalar(
        select(NotificationSetting.email).where(
            NotificationSetting.member_id == member_id, NotificationSetting.kind == kind
        )
    )
    return chosen or KINDS.get(kind, ("", "never"))[1]


async def set_email_modes(
    db: AsyncSession, actor: Member | None, modes: dict[str, str]
) -> dict[str, str]:
    """Save the member's choices; unknown kinds or modes are refused, missing kinds kept."""
    member = _member(actor)
    errors = {k: "Unknown kind of notification." for k in modes if k not in KINDS}
    errors |= {k: "Choose immediately, digest or never." for k, v in modes.items()
               if k in KINDS and v not in MODES}  # fmt: skip
    if modes.get("activity") == "immediately":
        errors["activity"] = "New discussions come in the daily digest or not at all."
    if errors:
        raise Invalid(errors)
    current = {s.kind: s for s in await db.scalars(
        select(NotificationSetting).where(NotificationSetting.member_id == member.id))}  # fmt: skip
    for kind, mode in modes.items():
        if kind in current:
            current[kind].email = mode
        else:
            db.add(NotificationSetting(member_id=member.id, kind=kind, email=mode))
    await db.commit()
    return await email_modes(db, member.id)


async def unsubscribe(db: AsyncSession, secret: str, token: str) -> tuple[Member, str]:
    """Turn off one kind of email (or all) from a signed link; no log-in needed."""
    found = mail.read_unsubscribe_token(secret, token)
    member = await db.get(Member, found[0]) if found else None
    if found is None or member is None or (found[1] not in KINDS and found[1] != "all"):
        raise NotFound("This unsubscribe link is not valid or has expired.")
    kinds = list(KINDS) if found[1] == "all" else [found[1]]
    await set_email_modes(db, member, dict.fromkeys(kinds, "never"))
    return member, found[1]


# --- the email jobs -----------------------------------------------------------------------


async def send_notification(db: AsyncSession, settings: Settings, notification_id: int) -> bool:
    """Email one notification unless it was read, already sent, or is no longer wanted."""
    n = await db.get(Notification, notification_id)
    if n is None or n.read_at is not None:
        return False
    if n.emailed_at is not None and n.emailed_at >= n.created_at:
        return False
    member = await db.get(Member, n.recipient_id)
    if member is None or member.email_confirmed_at is None or member.state != "active":
        return False
    kind = setting_kind(n.kind)
    if await email_mode(db, member.id, kind) != "immediately":
        return False
    items = await _items(db, member, [n])
    if not items:
        return False
    item = items[0]
    unsubscribe = mail.unsubscribe_link(settings, member.id, kind)
    subject, body = mail.render(
        "notification.txt", item=item, member=member, site_name=settings.site_name,
        link=mail.site_link(settings, item.url), unsubscribe=unsubscribe,
        settings_link=mail.site_link(settings, "/settings/notifications"),
        label=KINDS[kind][0],
    )  # fmt: skip
    await mail.deliver(settings, mail.message(settings, member.email, subject, body, unsubscribe))
    n.emailed_at = utcnow()
    await db.commit()
    return True


@dataclass
class Digest:
    member: Member
    items: list[Item]
    discussions: list[tuple[Discussion, Group]]


async def digest_for(db: AsyncSession, member: Member, since: datetime,
                     limit: int = 15) -> Digest:  # fmt: skip
    """What a member's digest holds: unread notifications they chose to get in the digest,
    and the liveliest new discussions in their groups, both since ``since``."""
    modes = await email_modes(db, member.id)
    digest_kinds = [k for k in ("comment", "reply", "mention", "like", "approved", "rejected",
                                "removed", "join_request", "level")
                    if modes[setting_kind(k)] == "digest"]  # fmt: skip
    rows = list(await db.scalars(
        select(Notification).where(
            Notification.recipient_id == member.id, Notification.read_at.is_(None),
            Notification.created_at >= since, Notification.kind.in_(digest_kinds),
            or_(Notification.emailed_at.is_(None), Notification.emailed_at < Notification.created_at),
        ).order_by(Notification.id.desc()).limit(50)
    ))  # fmt: skip
    items = await _items(db, member, rows)
    found: list[tuple[Discussion, Group]] = []
    if modes["activity"] == "digest":
        mine = select(Membership.group_id).where(
            Membership.member_id == member.id, Membership.state == "active"
        )
        found = [(d, g) for d, g in await db.execute(
            select(Discussion, Group).join(Group, Group.id == Discussion.group_id)
            .where(Discussion.group_id.in_(mine), Discussion.state == "live",
                   Discussion.created_at >= since, Discussion.author_id != member.id,
                   Discussion.author_id.not_in(
                       select(Block.blocked_id).where(Block.blocker_id == member.id)))
            .order_by((Discussion.comment_count + Discussion.like_count).desc(), Discussion.id.desc())
            .limit(limit)
        )]  # fmt: skip
    return Digest(member, items, found)


async def send_digests(db: AsyncSession, settings: Settings) -> int:
    """Send each confirmed member their daily digest (nothing new: no email); returns how many."""
    now = utcnow()
    due = list(await db.scalars(
        select(Member).where(
            Member.email_confirmed_at.is_not(None), Member.state == "active",
            or_(Member.digest_sent_at.is_(None), Member.digest_sent_at < now - DIGEST_GAP),
        ).order_by(Member.id)
    ))  # fmt: skip
    sent = 0
    for member in due:
        since = member.digest_sent_at or now - timedelta(days=1)
        digest = await digest_for(db, member, since)
        if digest.items or digest.discussions:
            unsubscribe = mail.unsubscribe_link(settings, member.id, "all")
            subject, body = mail.render(
                "digest.txt", digest=digest, member=member, site_name=settings.site_name,
                link=lambda path: mail.site_link(settings, path), unsubscribe=unsubscribe,
                settings_link=mail.site_link(settings, "/settings/notifications"),
            )  # fmt: skip
            await mail.deliver(
                settings, mail.message(settings, member.email, subject, body, unsubscribe)
            )
            await db.execute(
                update(Notification)
                .where(Notification.id.in_([i.id for i in digest.items]))
                .values(emailed_at=now)
            )
            sent += 1
        member.digest_sent_at = now
        await db.commit()
    return sent
