"""The demo community: members, groups, discussions, comments and likes to explore.

Everything is written through the domain functions, so counters, positions and permission
rules hold exactly as they would for real members. Only the clock is cheated: afterwards
the timestamps are moved back over the past few weeks, keeping every discussion's last
activity equal to its newest comment and every group's to its newest discussion activity.
The content and every random choice come from a fixed seed, so each run builds the same
community; only the dates move along with today.

The shared articles come with their cards already stored (see ``demo/articles/``) and their
images ship with the app, so the demo shows full article cards without any network.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.config import Settings
from townsquare.db.engine import make_engine, make_sessionmaker
from townsquare.db.models import (
    Comment,
    Discussion,
    Group,
    Link,
    Member,
    Membership,
    Notification,
    utcnow,
)
from townsquare.demo import books, film, kitchen, lindenfield, philosophy, science
from townsquare.demo.busy import busy_discussion
from townsquare.demo.people import GROUPS, PEOPLE
from townsquare.demo.spec import ArticlePlan, DiscussionPlan
from townsquare.domain import accounts, comments, discussions, groups, likes, points
from townsquare.domain.links import url_hash
from townsquare.links.extract import make_lead
from townsquare.links.normalize import normalize_url

__all__ = ["DEMO_LOGIN", "DEMO_PASSWORD", "IMAGES", "community", "seed"]

DEMO_LOGIN = PEOPLE[0].name  # the first to sign up, so the site admin
# Every demo member shares it, so you can also look around as anyone else.
DEMO_PASSWORD = "demo-password-123"
SEED = 1130

SITE_AGE = timedelta(days=48)
LATEST = timedelta(minutes=10)  # nothing is dated closer to now than this
IMAGES = "/static/demo/"  # where the app serves web/static/demo/, the articles' images


def community(rng: Random) -> list[DiscussionPlan]:
    """Every discussion, oldest first; the busy one is generated from ``rng``."""
    written = (
        *lindenfield.DISCUSSIONS, *science.DISCUSSIONS, *books.DISCUSSIONS,
        *philosophy.DISCUSSIONS, *kitchen.DISCUSSIONS, *film.DISCUSSIONS,
    )  # fmt: skip
    return sorted((*written, busy_discussion(rng)), key=lambda d: -d.days_ago)


# A comment's place in the plan: discussion index, comment index, reply index (None: itself).
Key = tuple[int, int, int | None]


@dataclass(frozen=True)
class _Post:
    """A comment or reply to write, and when it was written."""

    at: datetime
    key: Key


@dataclass
class _Written:
    """Ids of what has been written so far, by name, slug or plan key."""

    members: dict[str, Member]
    groups: dict[str, int]
    discussions: list[int]
    comments: dict[Key, int]


async def seed(settings: Settings) -> bool:
    """Seed the demo community; False, changing nothing, if the site already has members."""
    engine = make_engine(settings)
    # The demo's history is written as already approved, by hosts trusted with their groups;
    # the points it earned are then settled by the ledger's own recompute.
    seeding = settings.model_copy(update={"review_below_level": 1, "group_create_level": 1})
    try:
        async with make_sessionmaker(engine, settings=seeding)() as db:
            if await db.scalar(select(func.count()).select_from(Member)):
                return False
            await _build(db, Random(SEED), utcnow())
            await points.recompute(db, check=False)
            await _settle_notifications(db)
            return True
    finally:
        await engine.dispose()


async def _settle_notifications(db: AsyncSession) -> None:
    """The seeded history notified everyone of everything; a visitor should meet a
    community already caught up, with a few fresh notifications for the demo log-in."""
    await db.execute(update(Notification).values(read_at=utcnow()))
    demo_id = select(Member.id).where(Member.name == DEMO_LOGIN).scalar_subquery()
    newest = (
        select(Notification.id)
        .where(Notification.recipient_id == demo_id)
        .order_by(Notification.id.desc())
        .limit(3)
    )
    await db.execute(update(Notification).where(Notification.id.in_(newest)).values(read_at=None))
    await db.commit()


def _schedule(
    rng: Random, plans: list[DiscussionPlan], now: datetime
) -> tuple[list[datetime], list[_Post]]:
    """When each discussion started, and every comment and reply in site-wide time order.

    Within a discussion the plan's order is kept (a comment, its replies, the next comment),
    so ids, positions and times all agree.
    """
    starts = [now - timedelta(days=d.days_ago, hours=rng.uniform(-3, 3)) for d in plans]
    posts: list[_Post] = []
    for i, (d, start) in enumerate(zip(plans, starts, strict=True)):
        keys: list[Key] = []
        for c, cp in enumerate(d.comments):
            keys += [(i, c, None), *((i, c, r) for r in range(len(cp.replies)))]
        end = min(start + timedelta(days=d.span_days), now - LATEST)
        gaps = [rng.expovariate(1.0) for _ in keys]
        total = sum(gaps) + rng.expovariate(1.0)  # the talk dies down a while before ``end``
        elapsed = 0.0
        for key, gap in zip(keys, gaps, strict=True):
            elapsed += gap
            posts.append(_Post(start + (end - start) * (elapsed / total), key))
    posts.sort(key=lambda p: p.at)  # so comment ids follow time across the whole site
    return starts, posts


def _text(plans: list[DiscussionPlan], key: Key) -> tuple[str, str]:
    """The author and text of a planned comment or reply."""
    i, c, r = key
    said = plans[i].comments[c] if r is None else plans[i].comments[c].replies[r]
    return said.author, said.text


async def _build(db: AsyncSession, rng: Random, now: datetime) -> None:
    plans = community(rng)
    starts, posts = _schedule(rng, plans, now)
    done = _Written({}, {}, [], {})

    for p in PEOPLE:
        m = await accounts.sign_up(
            db, name=p.name, email=f"{p.name}@example.org", password=DEMO_PASSWORD,
            display_name=p.display_name,
        )  # fmt: skip
        done.members[p.name] = await accounts.update_profile(
            db, m, display_name=p.display_name, bio=p.bio
        )

    for g in GROUPS:
        group = await groups.create_group(
            db, done.members[g.host], name=g.name, slug=g.slug, description=g.description,
            rules=g.rules,
        )  # fmt: skip
        done.groups[g.slug] = group.id
        for name in g.members:
            await groups.join_group(db, done.members[name], g.slug)

    for d in plans:
        started = await discussions.start_discussion(
            db, done.members[d.author], group_slug=d.group, title=d.title, body=d.body,
            link_url=d.link,
        )  # fmt: skip
        done.discussions.append(started.id)

    for post in posts:
        i, c, r = post.key
        author, text = _text(plans, post.key)
        parent = None if r is None else done.comments[i, c, None]
        written = await comments.add_comment(
            db, done.members[author], done.discussions[i], body=text, parent_id=parent
        )
        done.comments[post.key] = written.id

    await _store_cards(db, plans, starts)
    await _like(db, rng, plans, posts, done)
    await _backdate(db, rng, now, plans, starts, posts, done)


async def _store_cards(
    db: AsyncSession, plans: list[DiscussionPlan], starts: list[datetime]
) -> None:
    """Store every shared link as fetched when it was first shared, so no fetch is ever queued.

    Sharing created each link as pending; the demo's sites are fictional, so the card
    each article would have been extracted into is written here instead.
    """
    first: dict[str, tuple[ArticlePlan, datetime]] = {}  # by the shared link's url_hash
    for d, start in zip(plans, starts, strict=True):
        if d.link is None:
            continue
        if d.article is None:
            raise ValueError(f"every demo link needs its article: {d.link}")
        key = url_hash(normalize_url(d.link))
        if key not in first or start < first[key][1]:
            first[key] = (d.article, start)
    for key, (article, shared) in first.items():
        await db.execute(update(Link).where(Link.url_hash == key).values(_card(article, shared)))


def _card(a: ArticlePlan, shared: datetime) -> dict[str, object]:
    """A link row's card fields, as extraction would have filled them in."""
    image = IMAGES + a.image if a.image else None
    paragraphs = [value for kind, value in a.blocks if kind == "p"]
    canonical = normalize_url(a.url)  # each article names its own address as canonical
    return {
        "status": "ok", "kind": "article", "attempts": 1, "error_code": None,
        "error_reason": None, "final_url": a.url, "canonical_url": canonical,
        "canonical_hash": url_hash(canonical), "title": a.title, "site_name": a.site_name,
        "author": a.author, "published": (shared - timedelta(days=a.age_days)).date(),
        "lead": make_lead(paragraphs, title=a.title), "image": image, "caption": a.caption,
        "text": "\n\n".join(value for _, value in a.blocks),
        "blocks": json.dumps([*((("img", image),) if image else ()), *a.blocks]),
        "created_at": shared, "fetched_at": shared + timedelta(seconds=40),
    }  # fmt: skip


async def _like(
    db: AsyncSession, rng: Random, plans: list[DiscussionPlan], posts: list[_Post], done: _Written
) -> None:
    """Members of each group like some of its discussions, comments and replies."""
    audience = {g.slug: (g.host, *g.members) for g in GROUPS}

    async def liked_by(kind: str, target: int, group: str, author: str, most: int) -> None:
        others = [name for name in audience[group] if name != author]
        for name in rng.sample(others, min(most, len(others))):
            await likes.set_like(db, done.members[name], kind, target, True)

    for i, d in enumerate(plans):
        most = rng.randint(2, 7) + (5 if len(d.comments) > 20 else 0)  # a busy one draws a crowd
        await liked_by("discussion", done.discussions[i], d.group, d.author, most)
    for post in posts:
        i, _, r = post.key
        # Replies, and the comments of a very long discussion, each collect fewer likes.
        chance = 0.3 if r is not None or len(plans[i].comments) > 20 else 0.6
        if rng.random() < chance:
            most = rng.choices((1, 2, 3, 4), (50, 28, 15, 7))[0]
            author, _ = _text(plans, post.key)
            await liked_by("comment", done.comments[post.key], plans[i].group, author, most)


async def _backdate(
    db: AsyncSession,
    rng: Random,
    now: datetime,
    plans: list[DiscussionPlan],
    starts: list[datetime],
    posts: list[_Post],
    done: _Written,
) -> None:
    """Spread what was just written over the past weeks, keeping the activity times true."""
    # Everyone signed up on the site's first day, before the first group was founded.
    born = now - SITE_AGE
    await db.execute(
        update(Member),
        [{"id": done.members[p.name].id, "created_at": born + timedelta(hours=1.5 * n)}
         for n, p in enumerate(PEOPLE)],
    )  # fmt: skip

    last = list(starts)  # each discussion's last activity
    for post in posts:
        last[post.key[0]] = max(last[post.key[0]], post.at)
    await db.execute(
        update(Comment), [{"id": done.comments[p.key], "created_at": p.at} for p in posts]
    )
    await db.execute(
        update(Discussion),
        [{"id": did, "created_at": starts[i], "last_activity_at": last[i]}
         for i, did in enumerate(done.discussions)],
    )  # fmt: skip

    founded = {g.slug: now - timedelta(days=g.days_ago) for g in GROUPS}
    first: dict[str, datetime] = {}
    latest: dict[str, datetime] = {}
    for i, d in enumerate(plans):
        first[d.group] = min(first.get(d.group, starts[i]), starts[i])
        latest[d.group] = max(latest.get(d.group, last[i]), last[i])
    await db.execute(
        update(Group),
        [{"id": done.groups[slug], "created_at": founded[slug], "last_activity_at": latest[slug]}
         for slug in founded],
    )  # fmt: skip

    # Hosts joined when they founded the group, the others one by one before its first
    # discussion, in the order of their membership ids.
    slug_of = {gid: slug for slug, gid in done.groups.items()}
    in_group: dict[str, list[int]] = defaultdict(list)
    rows = await db.execute(select(Membership.id, Membership.group_id).order_by(Membership.id))
    for mid, gid in rows:
        in_group[slug_of[gid]].append(mid)
    joined = []
    for slug, ids in in_group.items():
        window = first[slug] - founded[slug]
        fractions = sorted(rng.uniform(0.05, 0.95) for _ in ids[1:])
        joined.append({"id": ids[0], "created_at": founded[slug]})  # the host's, made first
        joined += [{"id": mid, "created_at": founded[slug] + window * f}
                   for mid, f in zip(ids[1:], fractions, strict=True)]  # fmt: skip
    await db.execute(update(Membership), joined)
    await db.commit()
