"""The standard workload W1, generated deterministically and bulk-loaded with SQL.

Going through the domain layer would take minutes (one transaction per comment), so
rows are built in memory and inserted in large batches with SQLAlchemy Core. The price
is that this module must keep every denormalized counter exactly as the domain layer
would; ``bench.verify`` recomputes them from the rows to prove it.

The same seed always gives the same rows, ids, tokens and text, so two runs measure
the same pages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, insert, select, text

from bench import corpus
from townsquare.config import Settings
from townsquare.db import migrate
from townsquare.db.models import Comment, Discussion, Group, Like, Member, Membership, Session
from townsquare.domain.accounts import hash_password, token_hash
from townsquare.text.markdown import cook

# Bump when the generator changes what it writes, so old data directories are not reused.
GENERATOR_VERSION = 2  # 2: members have levels and points; W1 posters are past review
META_FILE = "bench-workload.json"
PASSWORD = "bench-password"
# A fixed epoch instead of now(): the same seed must give the same timestamps.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
BATCH = 5000


@dataclass(frozen=True)
class Shape:
    """How big a workload is. W1 is the standard one named in DESIGN.md."""

    name: str = "W1"
    members: int = 5000
    groups: int = 20
    discussions: int = 2000
    max_comments: int = 20  # per ordinary discussion, comments and replies together
    big_comments: int = 500  # comments (not counting replies) on the one long discussion
    reply_share: float = 0.25  # chance that a new post under a discussion is a reply
    deleted_share: float = 0.02  # soft-deleted comments, so "live only" counters matter
    posters: int = 200  # logged-in members the write scenario rotates through


W1 = Shape()


@dataclass
class Rows:
    """Everything to insert, table by table in foreign-key order, plus what the runner needs."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


def sync_url(settings: Settings) -> str:
    """The app's async URL turned into one a plain (sync) engine can bulk-load through."""
    url = settings.resolved_database_url
    return url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")


def _token(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(rng.randbytes(32)).rstrip(b"=").decode()


def _weighted_distinct(rng: random.Random, weights: list[float], k: int) -> list[int]:
    chosen: list[int] = []
    while len(chosen) < k:
        g = rng.choices(range(len(weights)), weights)[0]
        if g not in chosen:
            chosen.append(g)
    return chosen


def build(shape: Shape, seed: int, password_hash: str) -> Rows:
    """All rows of the workload, with counters computed the way the domain layer keeps them."""
    rng = random.Random(seed)
    rows = Rows()

    # Members: the first is the site admin, as sign_up makes the first member.
    members = []
    # Levels as an established community has them: most members past the newcomers' review
    # (level 2+), a few long-standing ones higher; points at the floor of their level. W1's
    # posters are regulars, so their comments go live as most comments on a real site do.
    floors = [0, *Settings().level_thresholds]
    for i in range(1, shape.members + 1):
        name, display = corpus.member_name(rng, i)
        level = rng.choices((1, 2, 3, 4, 5, 6), (15, 40, 25, 12, 6, 2))[0]
        members.append(
            {
                "id": i, "name": name, "display_name": display, "email": f"{name}@example.org",
                "password_hash": password_hash, "bio": "", "role": "admin" if i == 1 else "member",
                "level": level, "points": floors[level - 1],
                "created_at": EPOCH + timedelta(minutes=2 * i),
            }
        )  # fmt: skip

    # Groups: a few busy ones and a long tail, as communities are.
    weights = [1 / (g + 1) ** 0.8 for g in range(shape.groups)]
    creators = rng.sample(range(2, 102), shape.groups)
    groups = []
    for g, creator in enumerate(creators):
        gname, description = corpus.GROUPS[g % len(corpus.GROUPS)]
        suffix = "" if g < len(corpus.GROUPS) else f" {g // len(corpus.GROUPS) + 1}"
        created = members[creator - 1]["created_at"] + timedelta(hours=1, minutes=10 * g)
        groups.append(
            {
                "id": g + 1, "slug": corpus.slugify(gname + suffix), "name": gname + suffix,
                "description": description, "rules_src": "", "rules_html": "",
                "visibility": "public", "join_policy": "open", "created_by_id": creator,
                "member_count": 0, "discussion_count": 0, "last_activity_at": created,
                "created_at": created,
            }
        )  # fmt: skip

    # Memberships, the creator of each group first as its host. All of them predate the
    # first discussion, so any member of a group may be the author of anything in it.
    memberships: list[dict[str, Any]] = []
    in_group: list[list[int]] = [[] for _ in groups]

    def join(g: int, member_id: int, role: str, at: datetime) -> None:
        memberships.append(
            {"id": len(memberships) + 1, "group_id": g + 1, "member_id": member_id,
             "role": role, "state": "active", "created_at": at}
        )  # fmt: skip
        in_group[g].append(member_id)
        groups[g]["member_count"] += 1

    for g, creator in enumerate(creators):
        join(g, creator, "host", groups[g]["created_at"])
    for m in members:
        k = rng.choice((1, 1, 2, 2, 2, 3, 3, 4, 5))
        for g in _weighted_distinct(rng, weights, min(k, shape.groups)):
            if m["id"] in in_group[g][:1]:  # already its host
                continue
            at = max(m["created_at"], groups[g]["created_at"])
            join(g, m["id"], "member", at + timedelta(minutes=rng.randint(1, 2880)))

    # Discussions over six months, ten days after the site opened; each gets its comments.
    start, span = EPOCH + timedelta(days=10), timedelta(days=180)
    step = span / shape.discussions
    big = shape.discussions - 100  # late in the timeline, so it is near the top of feeds
    discussions, comments = [], []
    for i in range(shape.discussions):
        g = 0 if i == big else rng.choices(range(shape.groups), weights)[0]
        created = start + step * i + timedelta(seconds=rng.randint(0, int(step.total_seconds())))
        body = corpus.discussion_body(rng)
        d = {
            "id": i + 1, "group_id": g + 1, "author_id": rng.choice(in_group[g]),
            "title": corpus.title(rng), "link_url": corpus.url(rng) if rng.random() < 0.7 else None,
            "body_src": body, "body_html": cook(body), "state": "live", "locked": False,
            "pinned": False, "comment_count": 0, "top_count": 0, "like_count": 0,
            "last_activity_at": created, "created_at": created, "edited_at": None,
            "deleted_at": None,
        }  # fmt: skip
        discussions.append(d)
        groups[g]["discussion_count"] += 1
        comments += _comments(rng, shape, d, in_group[g], big=i == big)
        groups[g]["last_activity_at"] = max(groups[g]["last_activity_at"], d["last_activity_at"])

    # Ids in the order comments were written across the whole site, as autoincrement gives
    # them: the long discussion's comments are interleaved with others', not one block.
    comments.sort(key=lambda c: (c["created_at"], c["key"]))
    id_of = {c["key"]: n for n, c in enumerate(comments, start=1)}
    for c in comments:
        c["id"] = id_of[c.pop("key")]
        parent = c.pop("parent_key")
        c["parent_id"] = id_of[parent] if parent is not None else None

    likes = _likes(rng, shape, discussions, comments, big_id=big + 1)

    # Log-ins for the scenarios: one reader, and posters who rotate so that no single
    # member's rate limit decides the write figure. All belong to the long discussion's group.
    host = in_group[0][0]
    regulars = [m for m in in_group[0] if m not in (1, host)]
    viewer, posters = regulars[0], regulars[1 : 1 + shape.posters]
    for member_id in [viewer, *posters]:  # regulars: past the newcomers' review
        member = members[member_id - 1]
        if member["level"] < 2:
            member["level"], member["points"] = 2, floors[1]
    target = max(
        (d for d in discussions if d["group_id"] == 1 and d["id"] != big + 1),
        key=lambda d: d["created_at"],
    )
    sessions, tokens = [], []
    for member_id in [viewer, *posters]:
        token = _token(rng)
        tokens.append(token)
        sessions.append(
            {"id": token_hash(token), "member_id": member_id, "kind": "web", "label": "bench",
             "created_at": EPOCH, "expires_at": None}
        )  # fmt: skip

    rows.tables = {
        "member": members,
        "grp": groups,
        "membership": memberships,
        "session": sessions,
        "discussion": discussions,
        "comment": comments,
        "like_": likes,
    }
    rows.meta = {
        "workload": shape.name,
        "shape": asdict(shape),
        "seed": seed,
        "generator": GENERATOR_VERSION,
        "password": PASSWORD,
        "long_discussion": big + 1,
        "write_discussion": target["id"],
        "group_slug": groups[0]["slug"],
        "viewer_token": tokens[0],
        "poster_tokens": tokens[1:],
    }
    return rows


def _comments(
    rng: random.Random, shape: Shape, d: dict[str, Any], authors: list[int], *, big: bool
) -> list[dict[str, Any]]:
    """One discussion's comments and replies in the order written, updating its counters."""
    out: list[dict[str, Any]] = []
    tops: list[dict[str, Any]] = []
    when = d["created_at"]
    count = 0 if big else rng.randint(0, shape.max_comments)
    while (len(tops) < shape.big_comments) if big else (len(out) < count):
        when += timedelta(minutes=rng.randint(1, 30 if big else 240), seconds=rng.randint(0, 59))
        parent = rng.choice(tops) if tops and rng.random() < shape.reply_share else None
        if parent is None:
            d["top_count"] += 1  # a comment takes the next position...
            position = d["top_count"]
        else:
            position = parent["position"]  # ...a reply shares its comment's
        body = corpus.comment_body(rng)
        c = {
            "key": (d["id"], len(out)), "parent_key": parent["key"] if parent else None,
            "discussion_id": d["id"], "author_id": rng.choice(authors), "position": position,
            "body_src": body, "body_html": cook(body), "state": "live", "reply_count": 0,
            "like_count": 0, "created_at": when, "edited_at": None, "deleted_at": None,
        }  # fmt: skip
        out.append(c)
        if parent is None:
            tops.append(c)
        else:
            parent["reply_count"] += 1
        d["comment_count"] += 1
    d["last_activity_at"] = when  # adding a comment is activity; deleting one is not

    # A few are deleted afterwards (after their replies, which the domain would refuse
    # to accept under a deleted comment); they leave the live counters but keep positions.
    by_key = {c["key"]: c for c in out}
    for c in out:
        if rng.random() < shape.deleted_share:
            c["state"], c["deleted_at"] = "deleted", when + timedelta(minutes=5)
            d["comment_count"] -= 1
            if c["parent_key"] is not None:
                by_key[c["parent_key"]]["reply_count"] -= 1
    return out


def _likes(
    rng: random.Random,
    shape: Shape,
    discussions: list[dict[str, Any]],
    comments: list[dict[str, Any]],
    *,
    big_id: int,
) -> list[dict[str, Any]]:
    likes = []

    def like(kind: str, item: dict[str, Any], n: int) -> None:
        for member_id in rng.sample(range(1, shape.members + 1), min(n, shape.members)):
            at = item["created_at"] + timedelta(minutes=rng.randint(1, 600))
            likes.append(
                {"member_id": member_id, "target_type": kind, "target_id": item["id"],
                 "created_at": at}
            )  # fmt: skip
        item["like_count"] += n

    for d in discussions:
        like("discussion", d, 150 if d["id"] == big_id else int(rng.expovariate(1 / 6)))
    for c in comments:
        if rng.random() < 0.35:
            like("comment", c, rng.randint(1, 6))
    return likes


def _batches(items: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(items), BATCH):
        yield items[i : i + BATCH]


TABLES = {
    t.name: t
    for t in (
        Member.__table__,
        Group.__table__,
        Membership.__table__,
        Session.__table__,
        Discussion.__table__,
        Comment.__table__,
        Like.__table__,
    )
}


def load(engine: Engine, rows: Rows) -> None:
    """Insert every row in one transaction; refuse a database that already has members."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        if conn.scalar(select(func.count()).select_from(Member.__table__)):
            raise SystemExit("That database already has members; give an empty one.")
        if sqlite:
            # Durability does not matter for a file we can regenerate; speed does.
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
        for name, items in rows.tables.items():
            for batch in _batches(items):
                conn.execute(insert(TABLES[name]), batch)
        if not sqlite:
            # Explicit ids leave the sequences behind; the app's next insert needs them ahead.
            for name in ("member", "grp", "membership", "discussion", "comment"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
    if not sqlite:
        # A running PostgreSQL has statistics and vacuumed tables (autovacuum); a fresh
        # load has neither, and autovacuum would catch up during the first rows measured
        # (R1 on PostgreSQL 0.33-0.37 of the ceiling just after a load, 0.55 a run later).
        # SQLite gets none, as a real install never runs ANALYZE unless told to.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")


def _url_tag(settings: Settings) -> str:
    """Which database a data directory's workload lives in, without keeping a password."""
    return hashlib.sha256(sync_url(settings).encode()).hexdigest()[:16]


def existing(settings: Settings, shape: Shape, seed: int) -> dict[str, Any] | None:
    """The workload's description if this data directory already holds it, else None."""
    path = settings.data_dir / META_FILE
    if not path.is_file():
        return None
    meta = json.loads(path.read_text())
    same = (
        meta.get("shape") == asdict(shape)
        and meta.get("seed") == seed
        and meta.get("generator") == GENERATOR_VERSION
        and meta.get("database") == _url_tag(settings)
    )
    return meta if same and migrate.is_current(settings) else None


def generate(settings: Settings, shape: Shape = W1, seed: int = 1) -> dict[str, Any]:
    """Create the database, load the workload and record it; returns the recorded meta."""
    started = time.perf_counter()
    migrate.upgrade(settings)
    settings.resolved_secret()  # the runner signs CSRF tokens with it before serving
    rows = build(shape, seed, hash_password(PASSWORD))
    built = time.perf_counter()
    engine = create_engine(sync_url(settings))
    try:
        load(engine, rows)
    finally:
        engine.dispose()
    rows.meta["database"] = _url_tag(settings)
    rows.meta["counts"] = {name: len(items) for name, items in rows.tables.items()}
    rows.meta["seconds"] = {
        "build": round(built - started, 1),
        "load": round(time.perf_counter() - built, 1),
    }
    # Written last: a directory whose generation was interrupted is never reused.
    path: Path = settings.data_dir / META_FILE
    path.write_text(json.dumps(rows.meta, indent=1))
    return rows.meta
