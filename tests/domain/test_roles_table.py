"""Who may post where: roles × actions × group posting policies, through the domain layer.

The expectations below restate the rules from the issue in a table of their own, so a
change in permissions.py that breaks one shows up here as a cell that disagrees.
"""

import itertools

import pytest
from sqlalchemy import update

from townsquare.db.models import Group, Member, Membership
from townsquare.domain import comments, discussions, likes, safety
from townsquare.domain.errors import Forbidden, NotLoggedIn

ROLES = ["anonymous", "level1", "site_member", "group_member", "group_moderator", "host",
         "site_moderator", "admin", "site_banned", "group_banned", "blocked_by_author"]  # fmt: skip
ACTIONS = ["start", "comment", "reply_to_author", "like"]
POLICIES = ["anyone", "members", "moderators"]

IN_GROUP = {"level1", "group_member", "group_moderator", "host", "blocked_by_author"}
MODERATES = {"group_moderator", "host", "site_moderator", "admin"}


def expected(role: str, action: str, policy: str) -> str:
    """'ok', 'login' or 'no', by the rules of the issue."""
    if role == "anonymous":
        return "login"
    if role in ("site_banned", "group_banned"):
        return "no"
    if action == "like":
        return "ok"
    if role == "admin":
        return "ok"
    if role == "blocked_by_author" and action in ("comment", "reply_to_author"):
        return "no"
    if policy == "anyone":
        return "ok"
    if policy == "members":
        return "ok" if role in IN_GROUP else "no"
    return "ok" if role in MODERATES else "no"


@pytest.fixture
async def world(db, make, settings):
    settings.review_below_level = 2  # level-1 posts are held, but still allowed
    author = await make.member("author", level=3)
    group = await make.group(author, slug="square")
    d = await make.discussion(group, author, title="Open question")
    c = await make.comment(d, author, body="My own first comment")
    people: dict[str, Member | None] = {"anonymous": None}
    for role in ROLES[1:]:
        level = 1 if role == "level1" else 3
        site_role = {"site_moderator": "moderator", "admin": "admin"}.get(role, "member")
        m = await make.member(role, level=level, role=site_role)
        people[role] = m
        if role in IN_GROUP - {"host"} or role == "group_banned":
            db.add(Membership(group_id=group.id, member_id=m.id,
                              role="moderator" if role == "group_moderator" else "member",
                              state="banned" if role == "group_banned" else "active"))  # fmt: skip
        if role == "site_banned":
            m.state = "banned"
    people["host"] = author
    await db.commit()
    await safety.block(db, author, "blocked_by_author")
    return {"group": group, "d": d, "c": c, "people": people}


@pytest.mark.parametrize(
    ("role", "action", "policy"), list(itertools.product(ROLES, ACTIONS, POLICIES))
)
async def test_roles_actions_and_policies(db, world, role, action, policy):
    """Each cell of the table: allowed, refused, or asked to log in."""
    group, d, c = world["group"], world["d"], world["c"]
    await db.execute(update(Group).where(Group.id == group.id)
                     .values(post_policy=policy, comment_policy=policy))  # fmt: skip
    await db.commit()
    actor = world["people"][role]
    try:
        if action == "start":
            await discussions.start_discussion(db, actor, group_slug=group.slug, title="Mine too")
        elif action == "comment":
            await comments.add_comment(db, actor, d.id, body="A thought")
        elif action == "reply_to_author":
            await comments.add_comment(db, actor, d.id, body="A reply", parent_id=c.id)
        else:
            await likes.set_like(db, actor, "discussion", d.id, True)
        outcome = "ok"
    except NotLoggedIn:
        outcome = "login"
    except Forbidden:
        outcome = "no"
    assert outcome == expected(role, action, policy)
