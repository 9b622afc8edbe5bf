"""Points and levels: the ledger pays once, takes back exactly, and always matches recompute."""

import asyncio
import shutil

from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import PG_URL, SECRET, Factory
from townsquare.config import Settings
from townsquare.db.engine import make_engine, make_sessionmaker
from townsquare.db.models import Member, PointsEntry
from townsquare.domain import comments, discussions, likes, points
from townsquare.domain.errors import Forbidden, Invalid, NotFound


async def total(db, member) -> tuple[int, int]:
    await db.refresh(member)
    return member.points, member.level


async def test_posting_commenting_and_replying_pay_their_authors_and_who_they_answer(db, make):
    """Discussion 10; comment 5 plus 5 to the discussion's author; a reply pays its comment's author."""
    a, b, c = await make.member(), await make.member(), await make.member()
    group = await make.group(a, members=(b, c))
    d = await make.discussion(group, a)
    assert await total(db, a) == (10, 1)
    first = await make.comment(d, b)
    assert (await total(db, b))[0] == 5 and (await total(db, a))[0] == 15
    await make.comment(d, c, parent=first)
    assert (await total(db, c))[0] == 5 and (await total(db, b))[0] == 10
    assert (await total(db, a))[0] == 15  # a reply answers the comment, not the discussion


async def test_acting_on_your_own_content_earns_nothing_extra(db, make):
    """Answering yourself pays only the comment; liking your own post pays nothing."""
    a = await make.member()
    group = await make.group(a)
    d = await make.discussion(group, a)
    await make.comment(d, a)
    await likes.set_like(db, a, "discussion", d.id, True)
    assert (await total(db, a))[0] == 15


async def test_likes_pay_both_sides_and_unliking_takes_it_back(db, make):
    """A like pays 2 to the liker and 2 to the author, once; unliking removes both rows."""
    a, b = await make.member(), await make.member()
    group = await make.group(a, members=(b,))
    d = await make.discussion(group, a)
    for _ in range(2):
        await likes.set_like(db, b, "discussion", d.id, True)
    assert (await total(db, a))[0] == 12 and (await total(db, b))[0] == 2
    await likes.set_like(db, b, "discussion", d.id, False)
    assert (await total(db, a))[0] == 10 and (await total(db, b))[0] == 0
    assert await db.scalar(select(func.count()).select_from(PointsEntry)) == 1


async def test_deleting_takes_back_what_it_earned_and_restoring_gives_it_again(db, make):
    """A deleted comment's points (and its likes') go; an admin's restore brings them back."""
    admin, a, b = await make.member(role="admin"), await make.member(), await make.member()
    group = await make.group(a, members=(b,))
    d = await make.discussion(group, a)
    c = await make.comment(d, b)
    await likes.set_like(db, a, "comment", c.id, True)
    assert (await total(db, a))[0] == 10 + 5 + 2 and (await total(db, b))[0] == 5 + 2
    await comments.delete_comment(db, b, c.id)
    assert (await total(db, a))[0] == 10 and (await total(db, b))[0] == 0
    await comments.restore_comment(db, admin, c.id)
    assert (await total(db, a))[0] == 17 and (await total(db, b))[0] == 7
    assert await points.recompute(db, check=True) == []


async def test_levels_follow_the_thresholds(db, make, settings):
    """Five discussions make 50 points: level 2; the profile shows progress to level 3."""
    a = await make.member()
    group = await make.group(a)
    for i in range(5):
        await make.discussion(group, a, title=f"Topic {i}")
    assert await total(db, a) == (50, 2)
    progress = points.progress(50, tuple(settings.level_thresholds))
    assert (progress.level, progress.next_at, progress.percent) == (2, 200, 0)
    await discussions.delete_discussion(db, a, (await make.discussion(group, a)).id)
    assert await total(db, a) == (50, 2)


async def test_caps_stop_paying_past_the_limit(db, make, settings):
    """Points for liking stop at the cap; the ledger still agrees with recompute."""
    settings.points_like_given_cap = 4
    a, b = await make.member(), await make.member()
    group = await make.group(a, members=(b,))
    for i in range(3):
        d = await make.discussion(group, a, title=f"T{i}")
        await likes.set_like(db, b, "discussion", d.id, True)
    assert (await total(db, b))[0] == 4
    assert await points.recompute(db, check=True) == []


async def test_recompute_finds_and_repairs_a_tampered_total(db, make):
    """recompute --check reports a wrong total; recompute without it repairs it."""
    a = await make.member("tampered")
    group = await make.group(a)
    await make.discussion(group, a)
    a.points = 999
    await db.commit()
    found = await points.recompute(db, check=True)
    assert [(m.name, m.stored, m.expected) for m in found] == [("tampered", 999, 10)]
    await points.recompute(db, check=False)
    assert await points.recompute(db, check=True) == []
    assert (await total(db, a))[0] == 10


# --- the ledger property, over random histories --------------------------------------------

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["discuss", "comment", "reply", "like", "unlike", "delete", "restore"]),
        st.integers(0, 3),  # which member acts
        st.integers(0, 30),  # which item (modulo what exists)
    ),
    max_size=25,
)


async def _replay(db_settings: Settings, actions) -> list:
    engine = make_engine(db_settings)
    try:
        async with make_sessionmaker(engine, settings=db_settings)() as db:
            make = Factory(db)
            people = [await make.member(role="admin")] + [await make.member() for _ in range(3)]
            group = await make.group(people[0], members=tuple(people[1:]))
            slug = group.slug
            posts: list[tuple[str, int, int | None, int]] = []  # kind, id, parent, discussion
            for action, who, n in actions:
                actor = people[who]
                ds = [p for p in posts if p[0] == "discussion"]
                cs = [p for p in posts if p[0] == "comment" and p[2] is None]
                try:
                    if action == "discuss":
                        d = await discussions.start_discussion(
                            db, actor, group_slug=slug, title=f"t{n}")  # fmt: skip
                        posts.append(("discussion", d.id, None, d.id))
                    elif action in ("comment", "reply") and (ds if action == "comment" else cs):
                        pick = (ds if action == "comment" else cs)[
                            n % len(ds if action == "comment" else cs)
                        ]
                        parent = pick[1] if action == "reply" else None
                        c = await comments.add_comment(
                            db, actor, pick[3], body="re", parent_id=parent
                        )
                        posts.append(("comment", c.id, c.parent_id, c.discussion_id))
                    elif action in ("like", "unlike") and posts:
                        kind, item_id, _, _ = posts[n % len(posts)]
                        await likes.set_like(db, actor, kind, item_id, action == "like")
                    elif action in ("delete", "restore") and posts:
                        kind, item_id, _, _ = posts[n % len(posts)]
                        module = discussions if kind == "discussion" else comments
                        await getattr(module, f"{action}_{kind}")(db, people[0], item_id)
                except (NotFound, Invalid, Forbidden):  # refusals are part of the history too
                    await db.rollback()
                    for person in people:  # a rollback expires what the session held
                        await db.refresh(person)
            return await points.recompute(db, check=True)
    finally:
        await engine.dispose()


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(actions=ACTIONS)
def test_any_history_leaves_totals_equal_to_recompute(actions, migrated_template, tmp_path_factory):
    """Whatever members post, like, unlike, delete and restore, stored totals match recompute."""
    if PG_URL:  # the property runs on SQLite files; PostgreSQL runs the example tests above
        return
    data = tmp_path_factory.mktemp("ledger")
    shutil.copy(migrated_template, data / "townsquare.db")
    db_settings = Settings(data_dir=data, secret_key=SECRET)
    assert asyncio.run(_replay(db_settings, actions)) == []


async def test_member_totals_start_at_zero(db, make):
    """A new member has no points and level 1."""
    m = await make.member()
    assert (await db.get(Member, m.id)).points == 0
