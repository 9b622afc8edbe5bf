"""Group governance: moderators, settings, join requests, group bans, and the moderator's
hand on discussions (pin, lock, promote; remove and reinstate go through moderation).

Each write checks permission against the group and the actor's membership, validates,
writes a moderation log row and commits, all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Comment, Discussion, Group, Member, Membership
from townsquare.domain import moderation, permissions
from townsquare.domain.discussions import Located, announce_change, locate
from townsquare.domain.errors import Forbidden, Invalid, NotFound
from townsquare.domain.groups import GroupView, visible_group
from townsquare.domain.validate import Checker
from townsquare.text.markdown import cook

POLICIES = ("anyone", "members", "moderators")
JOIN_POLICIES = ("open", "request", "level")
VISIBILITIES = ("public", "private")
MAX_LEVEL = 10


@dataclass
class Person:
    """A member of (or banned from, or asking to join) a group, with their membership."""

    member: Member
    membership: Membership


async def _governed(db: AsyncSession, actor: Member | None, slug: str, action: str) -> tuple[Member, GroupView]:  # fmt: skip
    """The group if the actor may see it and do ``action`` in it."""
    view = await visible_group(db, actor, slug)
    member = permissions.require(
        actor, action, view.group, group=view.group, membership=view.membership,
        policy=permissions.policy_of(db),
    )  # fmt: skip
    return member, view


async def _person(db: AsyncSession, group: Group, name: str) -> tuple[Member, Membership | None]:
    target = await db.scalar(select(Member).where(Member.name == (name or "").strip().lower()))
    if target is None:
        raise NotFound("There is no member by that name.")
    membership = await db.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.member_id == target.id)
    )
    return target, membership


async def _people(db: AsyncSession, group: Group, *states: str) -> list[Person]:
    rows = await db.execute(
        select(Member, Membership)
        .join(Membership, Membership.member_id == Member.id)
        .where(Membership.group_id == group.id, Membership.state.in_(states))
        .order_by(Membership.created_at, Membership.id)
    )
    return [Person(m, ms) for m, ms in rows]


async def _count(db: AsyncSession, group: Group, step: int) -> None:
    await db.execute(
        update(Group).where(Group.id == group.id).values(member_count=Group.member_count + step)
    )


# Moderators


async def moderators(db: AsyncSession, actor: Member | None, slug: str) -> tuple[GroupView, list[Person], list[Person]]:  # fmt: skip
    """For the host: (group, its host and moderators, the other active members)."""
    _, view = await _governed(db, actor, slug, "group.manage")
    people = await _people(db, view.group, "active")
    staff = [p for p in people if p.membership.role in ("host", "moderator")]
    others = [p for p in people if p.membership.role == "member"]
    return view, staff, others


async def appoint_moderator(db: AsyncSession, actor: Member | None, slug: str, name: str) -> Membership:  # fmt: skip
    """The host makes an active member a moderator."""
    member, view = await _governed(db, actor, slug, "group.manage")
    target, ms = await _person(db, view.group, name)
    if ms is None or ms.state != "active":
        raise Invalid({"member": "Only members of the group can be moderators."})
    if ms.role == "member":
        ms.role = "moderator"
        moderation.record(db, member, "group.appoint", "member", target.id, view.group.id)
        await db.commit()
    return ms


async def remove_moderator(db: AsyncSession, actor: Member | None, slug: str, name: str) -> Membership:  # fmt: skip
    """The host makes a moderator an ordinary member again; the host stays host."""
    member, view = await _governed(db, actor, slug, "group.manage")
    target, ms = await _person(db, view.group, name)
    if ms is None or ms.role not in ("host", "moderator"):
        raise NotFound("That member is not one of the group's moderators.")
    if ms.role == "host":
        raise Forbidden("The host cannot be removed from looking after the group.")
    ms.role = "member"
    moderation.record(db, member, "group.dismiss", "member", target.id, view.group.id)
    await db.commit()
    return ms


# Settings


def settings_values(group: Group) -> dict[str, str]:
    """The settings form's values for a group, as the form sends them."""
    return {
        "name": group.name, "description": group.description, "rules": group.rules_src,
        "post_policy": group.post_policy, "comment_policy": group.comment_policy,
        "join_policy": group.join_policy, "min_level": str(group.min_level),
        "visibility": group.visibility,
    }  # fmt: skip


async def settings_of(db: AsyncSession, actor: Member | None, slug: str) -> GroupView:
    """The group, for its settings page (host and admins only)."""
    _, view = await _governed(db, actor, slug, "group.manage")
    return view


async def update_settings(
    db: AsyncSession, actor: Member | None, slug: str, *, name: str, description: str = "",
    rules: str = "", post_policy: str = "members", comment_policy: str = "members",
    join_policy: str = "open", min_level: str | int = 1, visibility: str = "public",
) -> Group:  # fmt: skip
    """The host changes the group's name, texts and policies; every problem at its field."""
    member, view = await _governed(db, actor, slug, "group.manage")
    check = Checker()
    name = check.text("name", name, label="Name", min_len=3, max_len=80)
    description = check.text("description", description, label="Description", max_len=1000)
    rules = check.text("rules", rules, label="Rules", max_len=10_000)
    for field, value in (("post_policy", post_policy), ("comment_policy", comment_policy)):
        if value not in POLICIES:
            check.fail(field, "Choose anyone, group members, or hosts and moderators.")
    if join_policy not in JOIN_POLICIES:
        check.fail("join_policy", "Choose open, by request, or a minimum level.")
    level = 1
    try:
        level = int(str(min_level).strip() or "1")
    except ValueError:
        check.fail("min_level", f"Give a level from 1 to {MAX_LEVEL}.")
    if not 1 <= level <= MAX_LEVEL:
        check.fail("min_level", f"Give a level from 1 to {MAX_LEVEL}.")
    if visibility not in VISIBILITIES:
        check.fail("visibility", "Choose public or private.")
    check.done()

    g = view.group
    g.name, g.description = name, description
    if rules != g.rules_src:
        g.rules_src, g.rules_html = rules, cook(rules)
    g.post_policy, g.comment_policy = post_policy, comment_policy
    g.join_policy, g.visibility = join_policy, visibility
    g.min_level = level if join_policy == "level" else 1
    moderation.record(db, member, "group.settings", "group", g.id, g.id)
    await db.commit()
    return g


# Join requests


async def join_requests(db: AsyncSession, actor: Member | None, slug: str) -> tuple[GroupView, list[Person]]:  # fmt: skip
    """For the group's moderators: who asks to join, oldest first."""
    _, view = await _governed(db, actor, slug, "group.moderate")
    return view, await _people(db, view.group, "requested")


async def _request(db: AsyncSession, actor: Member | None, slug: str, name: str) -> tuple[Member, GroupView, Member, Membership]:  # fmt: skip
    member, view = await _governed(db, actor, slug, "group.moderate")
    target, ms = await _person(db, view.group, name)
    if ms is None or ms.state != "requested":
        raise NotFound("That member has not asked to join this group.")
    return member, view, target, ms


async def approve_request(db: AsyncSession, actor: Member | None, slug: str, name: str) -> Membership:  # fmt: skip
    """A moderator lets a member in: an active membership, counted from now."""
    member, view, target, ms = await _request(db, actor, slug, name)
    ms.state, ms.role = "active", "member"
    await _count(db, view.group, +1)
    moderation.record(db, member, "group.approve", "member", target.id, view.group.id)
    await db.commit()
    return ms


async def deny_request(db: AsyncSession, actor: Member | None, slug: str, name: str, reason: str = "") -> None:  # fmt: skip
    """A moderator turns a request down; the member may ask again later."""
    member, view, target, ms = await _request(db, actor, slug, name)
    reason = _reason(reason)
    await db.delete(ms)
    moderation.record(db, member, "group.deny", "member", target.id, view.group.id, reason)
    await db.commit()


# Group bans


def _reason(reason: str) -> str:
    check = Checker()
    text = check.text("reason", reason, label="Reason", max_len=1000)
    check.done()
    return text


async def members(db: AsyncSession, actor: Member | None, slug: str) -> tuple[GroupView, list[Person], list[Person]]:  # fmt: skip
    """For the group's moderators: (group, active members, banned members)."""
    _, view = await _governed(db, actor, slug, "group.moderate")
    people = await _people(db, view.group, "active", "banned")
    return (
        view,
        [p for p in people if p.membership.state == "active"],
        [p for p in people if p.membership.state == "banned"],
    )


async def ban_member(db: AsyncSession, actor: Member | None, slug: str, name: str, reason: str = "") -> Membership:  # fmt: skip
    """A moderator bans a member (or anyone on the site) from the group: no posting,
    commenting or joining. Only the host may ban a moderator; nobody bans the host."""
    member, view = await _governed(db, actor, slug, "group.moderate")
    target, ms = await _person(db, view.group, name)
    reason = _reason(reason)
    if target.id == member.id:
        raise Invalid({"member": "You cannot ban yourself."})
    if ms is not None and ms.role == "host":
        raise Forbidden("The host cannot be banned from the group they look after.")
    if ms is not None and ms.role == "moderator" and ms.state == "active":
        permissions.require(member, "group.manage", view.group, membership=view.membership)
    if ms is None:
        ms = Membership(group_id=view.group.id, member_id=target.id, state="banned")
        db.add(ms)
    elif ms.state != "banned":
        if ms.state == "active":
            await _count(db, view.group, -1)
        ms.state, ms.role = "banned", "member"
    else:
        return ms
    moderation.record(db, member, "group.ban", "member", target.id, view.group.id, reason)
    await db.commit()
    return ms


async def unban_member(db: AsyncSession, actor: Member | None, slug: str, name: str) -> None:
    """A moderator lifts a group ban; the member may join again under the join policy."""
    member, view = await _governed(db, actor, slug, "group.moderate")
    target, ms = await _person(db, view.group, name)
    if ms is None or ms.state != "banned":
        raise NotFound("That member is not banned from this group.")
    await db.delete(ms)
    moderation.record(db, member, "group.unban", "member", target.id, view.group.id)
    await db.commit()


# Discussions: pin, lock, promote; remove and reinstate


async def _flag(db: AsyncSession, actor: Member | None, discussion_id: int, action: str, attr: str, on: bool) -> Discussion:  # fmt: skip
    found: Located = await locate(db, actor, discussion_id)
    member = permissions.require(
        actor, action, found.discussion, group=found.group, membership=found.membership
    )
    d = found.discussion
    if d.state != "live":
        raise Invalid({attr: "Only a live discussion can be changed this way."})
    if getattr(d, attr) != on:
        setattr(d, attr, on)
        if attr == "locked":  # open pages' comment forms are now wrong
            announce_change(db, d, "locked" if on else "unlocked")
        verb = action.split(".")[1]
        moderation.record(db, member, f"discussion.{'' if on else 'un'}{verb}", "discussion",
                          d.id, d.group_id)  # fmt: skip
        await db.commit()
    return d


async def set_pinned(db: AsyncSession, actor: Member | None, discussion_id: int, pinned: bool) -> Discussion:  # fmt: skip
    """A moderator pins a discussion to the top of its group's page, or unpins it."""
    return await _flag(db, actor, discussion_id, "discussion.pin", "pinned", pinned)


async def set_locked(db: AsyncSession, actor: Member | None, discussion_id: int, locked: bool) -> Discussion:  # fmt: skip
    """A moderator closes a discussion to new comments, or opens it again."""
    return await _flag(db, actor, discussion_id, "discussion.lock", "locked", locked)


async def set_promoted(db: AsyncSession, actor: Member | None, discussion_id: int, promoted: bool) -> Discussion:  # fmt: skip
    """The host (or an admin) puts a discussion on the site's front page, or takes it off."""
    return await _flag(db, actor, discussion_id, "discussion.promote", "promoted", promoted)


async def remove(db: AsyncSession, actor: Member | None, kind: str, item_id: int, reason: str) -> Discussion | Comment:  # fmt: skip
    """A moderator takes a discussion or comment down with a reason its author sees."""
    return await moderation.remove(db, actor, kind, item_id, reason)  # type: ignore[no-any-return]


async def reinstate(db: AsyncSession, actor: Member | None, kind: str, item_id: int) -> Discussion | Comment:  # fmt: skip
    """A moderator puts a removed discussion or comment back."""
    return await moderation.reinstate(db, actor, kind, item_id)  # type: ignore[no-any-return]


__all__ = [
    "Person", "appoint_moderator", "approve_request", "ban_member", "deny_request",
    "join_requests", "members", "moderators", "reinstate", "remove", "remove_moderator",
    "set_locked", "set_pinned", "set_promoted", "settings_of", "settings_values",
    "unban_member", "update_settings",
]  # fmt: skip
