"""Group governance through the domain layer: who may govern, and what each action does."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from tests.conftest import Factory
from townsquare.db.models import Discussion, Group, Member, Membership, ModerationLog
from townsquare.domain import comments, discussions, feeds, governance, groups
from townsquare.domain.errors import Forbidden, Invalid, NotFound, NotLoggedIn

ROLES = ("visitor", "outsider", "member", "moderator", "host", "site_moderator", "admin", "banned")
ACTIONS = ("appoint", "settings", "approve", "ban", "pin", "lock", "remove", "promote")
MODERATING = {"approve", "ban", "pin", "lock", "remove"}
ALLOWED = {
    "visitor": set(),
    "outsider": set(),
    "member": set(),
    "banned": set(),
    "moderator": MODERATING,
    "site_moderator": MODERATING,
    "host": set(ACTIONS),
    "admin": set(ACTIONS),
}
TABLE = [(role, action, action in ALLOWED[role]) for role in ROLES for action in ACTIONS]


@dataclass
class World:
    """A public group with one of each role, a join request, a member to act on, and a discussion."""

    group: Group
    people: dict[str, Member | None]
    target: Member
    requester: Member
    discussion: Discussion


async def arrange(db, make: Factory, visibility: str = "public") -> World:
    host = await make.member("host")
    moderator, member = await make.member("moddy"), await make.member("plain")
    banned, target = await make.member("banned"), await make.member("target")
    group = await make.group(
        host, slug="harbour", visibility=visibility, members=(moderator, member, banned, target)
    )
    await governance.appoint_moderator(db, host, "harbour", "moddy")
    await governance.ban_member(db, host, "harbour", "banned")
    d = await make.discussion(group, member, title="Tides")
    requester = await make.member("asker")
    db.add(Membership(group_id=group.id, member_id=requester.id, state="requested"))
    await db.commit()
    people: dict[str, Member | None] = {
        "visitor": None, "outsider": await make.member("outsider"), "member": member,
        "moderator": moderator, "host": host, "banned": banned,
        "site_moderator": await make.member("sitemod", role="moderator"),
        "admin": await make.member("admin", role="admin"),
    }  # fmt: skip
    return World(group, people, target, requester, d)


SETTINGS = {"name": "Harbour folk", "description": "Boats.", "rules": "Be *kind*.",
            "post_policy": "members", "comment_policy": "anyone", "join_policy": "request",
            "min_level": "1", "visibility": "public"}  # fmt: skip


async def act(db, action: str, actor: Member | None, w: World) -> None:
    """Do one governance action as ``actor`` through the domain layer."""
    slug, did = w.group.slug, w.discussion.id
    match action:
        case "appoint":
            await governance.appoint_moderator(db, actor, slug, w.target.name)
        case "settings":
            await governance.update_settings(db, actor, slug, **SETTINGS)
        case "approve":
            await governance.approve_request(db, actor, slug, w.requester.name)
        case "ban":
            await governance.ban_member(db, actor, slug, w.target.name, "Spam")
        case "pin":
            await governance.set_pinned(db, actor, did, True)
        case "lock":
            await governance.set_locked(db, actor, did, True)
        case "remove":
            await governance.remove(db, actor, "discussion", did, "Off topic")
        case "promote":
            await governance.set_promoted(db, actor, did, True)


async def log_count(db) -> int:
    return await db.scalar(select(func.count()).select_from(ModerationLog))


@pytest.mark.parametrize(("role", "action", "allowed"), TABLE)
async def test_who_may_govern_a_group(db, make, role, action, allowed):
    """Hosts and admins do everything; moderators and site moderators moderate; nobody else."""
    w = await arrange(db, make)
    before = await log_count(db)
    if allowed:
        await act(db, action, w.people[role], w)
        assert await log_count(db) == before + 1  # every action is logged
    else:
        with pytest.raises(NotLoggedIn if role == "visitor" else Forbidden):
            await act(db, action, w.people[role], w)
        await db.rollback()
        assert await log_count(db) == before


async def state_of(db, group: Group, member: Member) -> Membership | None:
    return await db.scalar(
        select(Membership)
        .where(Membership.group_id == group.id, Membership.member_id == member.id)
        .execution_options(populate_existing=True)
    )


async def count(db, group: Group) -> int:
    await db.refresh(group)
    return group.member_count


async def test_a_request_group_holds_new_members_until_a_moderator_approves(db, make):
    """Joining asks; the request is not counted; approving makes an active, counted member."""
    w = await arrange(db, make)
    await governance.update_settings(db, w.people["host"], "harbour", **SETTINGS)
    newcomer = await make.member("newcomer")
    start = await count(db, w.group)
    await groups.join_group(db, newcomer, "harbour")
    assert (await state_of(db, w.group, newcomer)).state == "requested"
    assert await count(db, w.group) == start
    view, asking = await governance.join_requests(db, w.people["moderator"], "harbour")
    assert {p.member.name for p in asking} == {"asker", "newcomer"}
    await governance.approve_request(db, w.people["moderator"], "harbour", "newcomer")
    assert (await state_of(db, w.group, newcomer)).state == "active"
    assert await count(db, w.group) == start + 1


async def test_denying_a_request_deletes_it_and_withdrawing_does_not_change_the_count(db, make):
    """A denied request is gone (the member may ask again); a withdrawn one leaves the count."""
    w = await arrange(db, make)
    start = await count(db, w.group)
    await governance.deny_request(db, w.people["host"], "harbour", "asker", "Not yet")
    assert await state_of(db, w.group, w.requester) is None
    w.group.join_policy = "request"
    await db.commit()
    await groups.join_group(db, w.requester, "harbour")
    await groups.leave_group(db, w.requester, "harbour")
    assert await state_of(db, w.group, w.requester) is None
    assert await count(db, w.group) == start


async def test_a_level_group_refuses_members_below_its_level(db, make):
    """join_policy "level" lets in members from min_level only."""
    w = await arrange(db, make)
    await governance.update_settings(
        db, w.people["host"], "harbour", **SETTINGS | {"join_policy": "level", "min_level": "3"}
    )
    with pytest.raises(Forbidden, match="level 3"):
        await groups.join_group(db, await make.member("low", level=2), "harbour")
    await groups.join_group(db, await make.member("high", level=3), "harbour")


async def test_invalid_settings_come_back_field_by_field_and_change_nothing(db, make):
    """Every bad field gets its own message; the group keeps its old settings."""
    w = await arrange(db, make)
    bad = SETTINGS | {"name": "x", "post_policy": "everyone", "join_policy": "level",
                      "min_level": "eleven", "visibility": "secret"}  # fmt: skip
    with pytest.raises(Invalid) as err:
        await governance.update_settings(db, w.people["host"], "harbour", **bad)
    assert set(err.value.errors) == {"name", "post_policy", "min_level", "visibility"}
    assert (await db.get(Group, w.group.id, populate_existing=True)).post_policy == "members"


async def test_the_host_cannot_be_demoted_or_banned(db, make):
    """The host stays host, whoever asks."""
    w = await arrange(db, make)
    with pytest.raises(Forbidden):
        await governance.remove_moderator(db, w.people["admin"], "harbour", "host")
    with pytest.raises(Forbidden):
        await governance.ban_member(db, w.people["moderator"], "harbour", "host")
    assert (await state_of(db, w.group, w.people["host"])).role == "host"


async def test_only_the_host_bans_a_moderator_and_removes_moderators(db, make):
    """A moderator cannot ban a fellow moderator; the host can dismiss one."""
    w = await arrange(db, make)
    other = await make.member("other")
    await groups.join_group(db, other, "harbour")
    await governance.appoint_moderator(db, w.people["host"], "harbour", "other")
    with pytest.raises(Forbidden):
        await governance.ban_member(db, w.people["moderator"], "harbour", "other")
    await governance.remove_moderator(db, w.people["host"], "harbour", "other")
    assert (await state_of(db, w.group, other)).role == "member"
    view, staff, others = await governance.moderators(db, w.people["host"], "harbour")
    assert [p.member.name for p in staff] == ["host", "moddy"]
    assert "other" in {p.member.name for p in others}


async def test_only_active_members_can_be_appointed(db, make):
    """Outsiders, banned members and people asking to join are not moderator material."""
    w = await arrange(db, make)
    for name in ("outsider", "banned", "asker"):
        with pytest.raises(Invalid):
            await governance.appoint_moderator(db, w.people["host"], "harbour", name)
    with pytest.raises(NotFound):
        await governance.appoint_moderator(db, w.people["host"], "harbour", "nobody")


async def test_a_ban_uncounts_the_member_and_stops_posting_commenting_and_rejoining(db, make):
    """A banned member leaves the count and can no longer take part; unbanning lets them rejoin."""
    w = await arrange(db, make)
    start = await count(db, w.group)
    await governance.ban_member(db, w.people["moderator"], "harbour", "target", "Spam")
    assert await count(db, w.group) == start - 1
    with pytest.raises(Forbidden):
        await discussions.start_discussion(db, w.target, group_slug="harbour", title="Hi")
    with pytest.raises(Forbidden):
        await comments.add_comment(db, w.target, w.discussion.id, body="Hello")
    with pytest.raises(Forbidden):
        await groups.join_group(db, w.target, "harbour")
    view, active, banned = await governance.members(db, w.people["moderator"], "harbour")
    assert {p.member.name for p in banned} == {"banned", "target"}
    await governance.unban_member(db, w.people["moderator"], "harbour", "target")
    await groups.join_group(db, w.target, "harbour")
    assert await count(db, w.group) == start


async def test_anyone_on_the_site_can_be_banned_before_they_join(db, make):
    """Banning someone who is not a member keeps them out without changing the count."""
    w = await arrange(db, make)
    start = await count(db, w.group)
    await governance.ban_member(db, w.people["host"], "harbour", "outsider")
    assert await count(db, w.group) == start
    with pytest.raises(Forbidden):
        await groups.join_group(db, w.people["outsider"], "harbour")


async def test_locking_stops_comments_but_not_moderators(db, make):
    """A locked discussion takes no comments from members; moderators may still answer."""
    w = await arrange(db, make)
    await governance.set_locked(db, w.people["moderator"], w.discussion.id, True)
    with pytest.raises(Forbidden, match="locked"):
        await comments.add_comment(db, w.people["member"], w.discussion.id, body="Hello")
    await comments.add_comment(db, w.people["moderator"], w.discussion.id, body="Closed now.")
    await governance.set_locked(db, w.people["moderator"], w.discussion.id, False)
    await comments.add_comment(db, w.people["member"], w.discussion.id, body="Hello")


async def test_pinned_discussions_come_first_on_the_top_page_only(db, make):
    """Pinned discussions lead the first page and are left out of the paginated rest."""
    w = await arrange(db, make)
    for n in range(3):
        await make.discussion(w.group, w.people["member"], title=f"Later {n}")
    await governance.set_pinned(db, w.people["moderator"], w.discussion.id, True)
    _, top = await feeds.group_feed(db, None, "harbour", limit=2)
    assert [d.title for d in top.items] == ["Tides", "Later 2", "Later 1"]
    _, rest = await feeds.group_feed(db, None, "harbour", before=top.older, limit=2)
    assert [d.title for d in rest.items] == ["Later 0"]
    _, back = await feeds.group_feed(db, None, "harbour", after=rest.newer, limit=2)
    assert [d.title for d in back.items] == ["Tides", "Later 2", "Later 1"]


async def test_removal_keeps_the_reason_for_the_author_and_reinstating_clears_it(db, make):
    """A removed discussion carries its reason; reinstated, it is live again."""
    w = await arrange(db, make)
    await governance.remove(db, w.people["moderator"], "discussion", w.discussion.id, "Off topic")
    found = await discussions.locate(db, w.people["member"], w.discussion.id)
    assert (found.discussion.state, found.discussion.removal_reason) == ("removed", "Off topic")
    with pytest.raises(NotFound):
        await discussions.locate(db, w.people["outsider"], w.discussion.id)
    with pytest.raises(Invalid):
        await governance.remove(db, w.people["moderator"], "discussion", w.discussion.id, " ")
    await governance.reinstate(db, w.people["moderator"], "discussion", w.discussion.id)
    assert (await discussions.locate(db, None, w.discussion.id)).discussion.state == "live"


async def test_comments_are_removed_and_reinstated_with_a_reason(db, make):
    """A moderator removes a comment with a reason and can put it back."""
    w = await arrange(db, make)
    c = await comments.add_comment(db, w.people["member"], w.discussion.id, body="Rude words")
    removed = await governance.remove(db, w.people["moderator"], "comment", c.id, "Rude")
    assert (removed.state, removed.removal_reason) == ("removed", "Rude")
    with pytest.raises(Forbidden):
        await governance.reinstate(db, w.people["member"], "comment", c.id)
    await governance.reinstate(db, w.people["moderator"], "comment", c.id)


async def test_promoting_marks_the_discussion_for_the_front_page(db, make):
    """The host promotes and unpromotes; each step is logged."""
    w = await arrange(db, make)
    d = await governance.set_promoted(db, w.people["host"], w.discussion.id, True)
    assert d.promoted
    d = await governance.set_promoted(db, w.people["host"], w.discussion.id, False)
    assert not d.promoted
    actions = list(await db.scalars(select(ModerationLog.action).order_by(ModerationLog.id)))
    assert actions[-2:] == ["discussion.promote", "discussion.unpromote"]


async def test_a_private_group_is_not_found_by_outsiders_for_any_governance(db, make):
    """Outsiders and visitors learn nothing about a private group, not even that it exists."""
    w = await arrange(db, make, visibility="private")
    for actor in (None, w.people["outsider"]):
        with pytest.raises(NotFound):
            await governance.settings_of(db, actor, "harbour")
        with pytest.raises(NotFound):
            await governance.join_requests(db, actor, "harbour")
        with pytest.raises(NotFound):
            await governance.set_pinned(db, actor, w.discussion.id, True)


async def test_unknown_names_and_ids_are_not_found(db, make):
    """Governing someone or something that does not exist is a 404, not a crash."""
    w = await arrange(db, make)
    host = w.people["host"]
    with pytest.raises(NotFound):
        await governance.settings_of(db, host, "no-such-group")
    with pytest.raises(NotFound):
        await governance.approve_request(db, host, "harbour", "plain")  # a member, not asking
    with pytest.raises(NotFound):
        await governance.unban_member(db, host, "harbour", "plain")
    with pytest.raises(NotFound):
        await governance.set_pinned(db, host, 999_999, True)
