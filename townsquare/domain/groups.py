"""Groups: create, browse, join and leave."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Group, Member, Membership, utcnow
from townsquare.domain import notifications, permissions
from townsquare.domain.errors import Invalid, NotFound
from townsquare.domain.validate import Checker
from townsquare.text.markdown import cook

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,47}")
RESERVED_SLUGS = {"new"}


@dataclass
class GroupView:
    group: Group
    membership: Membership | None


async def membership_of(
    db: AsyncSession, member: Member | None, group_id: int
) -> Membership | None:
    if member is None:
        return None
    return await db.scalar(_MEMBERSHIP, {"group_id": group_id, "member_id": member.id})


# Built once: every logged-in page asks it, and building the statement cost more than running it.
_MEMBERSHIP = select(Membership).where(
    Membership.group_id == bindparam("group_id"), Membership.member_id == bindparam("member_id")
)


async def visible_group(db: AsyncSession, viewer: Member | None, slug: str) -> GroupView:
    """The group by slug with the viewer's membership; NotFound if it does not exist for them."""
    group = await db.scalar(select(Group).where(Group.slug == slug.lower()))
    if group is None:
        raise NotFound("There is no group at that address.")
    membership = await membership_of(db, viewer, group.id)
    if not permissions.can_view_group(viewer, group, membership):
        raise NotFound("There is no group at that address.")  # private groups never leak
    return GroupView(group, membership)


async def create_group(
    db: AsyncSession,
    actor: Member | None,
    *,
    name: str,
    slug: str,
    description: str = "",
    rules: str = "",
    visibility: str = "public",
) -> Group:
    """Create a group; its creator becomes its host."""
    member = permissions.require(actor, "group.create", policy=permissions.policy_of(db))
    check = Checker()
    name = check.text("name", name, label="Name", min_len=3, max_len=80)
    slug = check.text("slug", slug, label="Address", min_len=2, max_len=48).lower()
    if "slug" not in check.errors and (not SLUG_RE.fullmatch(slug) or slug in RESERVED_SLUGS):
        check.fail(
            "slug", "Use lower-case letters, digits and dashes, starting with a letter or digit."
        )
    description = check.text("description", description, label="Description", max_len=1000)
    rules = check.text("rules", rules, label="Rules", max_len=10_000)
    if visibility not in ("public", "private"):
        check.fail("visibility", "Choose public or private.")
    check.done()
    if await db.scalar(select(Group.id).where(Group.slug == slug)) is not None:
        raise Invalid({"slug": "A group already uses that address."})

    now = utcnow()
    group = Group(
        name=name, slug=slug, description=description, rules_src=rules, rules_html=cook(rules),
        visibility=visibility, created_by_id=member.id, member_count=1, last_activity_at=now,
    )  # fmt: skip
    db.add(group)
    try:
        await db.flush()
        db.add(Membership(group_id=group.id, member_id=member.id, role="host"))
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise Invalid({"slug": "A group already uses that address."}) from None
    return group


async def join_group(db: AsyncSession, actor: Member | None, slug: str) -> Membership:
    """Join under the group's policy: open groups at once, "request" groups after a
    moderator approves (the request is not counted as a member), "level" groups from
    their minimum level."""
    view = await visible_group(db, actor, slug)
    member = permissions.require(
        actor, "group.join", view.group, group=view.group, membership=view.membership,
        policy=permissions.policy_of(db),
    )  # fmt: skip
    held = view.group.join_policy == "request" and not permissions.is_admin(member)
    state = "requested" if held else "active"
    membership = view.membership
    if membership is None:
        membership = Membership(group_id=view.group.id, member_id=member.id, state=state)
        db.add(membership)
    else:
        membership.state, membership.role = state, "member"
    if not held:
        await db.execute(
            update(Group)
            .where(Group.id == view.group.id)
            .values(member_count=Group.member_count + 1)
        )
    await notifications.on_join_request(db, member, view.group, state)
    await db.commit()
    return membership


async def leave_group(db: AsyncSession, actor: Member | None, slug: str) -> None:
    """Leave a group, or withdraw a request to join it."""
    view = await visible_group(db, actor, slug)
    permissions.require(actor, "group.leave", view.group, membership=view.membership)
    assert view.membership is not None
    counted = view.membership.state == "active"
    await db.delete(view.membership)
    if counted:
        await db.execute(
            update(Group)
            .where(Group.id == view.group.id)
            .values(member_count=Group.member_count - 1)
        )
    if view.group.visibility == "private":
        from townsquare.domain import notifications

        # What they can no longer open must not linger in their unread count.
        await notifications.on_left_group(db, view.membership.member_id, view.group.id)
    await db.commit()


async def group_directory(db: AsyncSession, viewer: Member | None) -> list[GroupView]:
    """Every group the viewer can see, busiest first, with the viewer's memberships.

    A site has tens to hundreds of groups, so this is one unpaginated indexed read.
    """
    mine: dict[int, Membership] = {}
    if viewer is not None:
        rows = await db.scalars(select(Membership).where(Membership.member_id == viewer.id))
        mine = {m.group_id: m for m in rows}
    groups = await db.scalars(
        select(Group).order_by(Group.last_activity_at.desc().nulls_last(), Group.id.desc())
    )
    return [
        GroupView(g, mine.get(g.id))
        for g in groups
        if permissions.can_view_group(viewer, g, mine.get(g.id))
    ]


async def member_group_ids(db: AsyncSession, member: Member) -> list[int]:
    rows = await db.scalars(
        select(Membership.group_id).where(
            Membership.member_id == member.id, Membership.state == "active"
        )
    )
    return list(rows)
