"""Shared by the security tests: a seeded world with one of everything, the app's routes read
from its routing table, path filling, and a snapshot of every table to prove nothing changed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Base, Link, Membership, Notification
from townsquare.domain import governance, likes, reports

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _walk(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        nested = getattr(route, "effective_candidates", None)  # an included router
        if nested is not None:
            yield from _walk(nested())
        else:
            yield route


def app_routes(app: Any) -> list[RouteInfo]:
    """Every (method, path) the application answers, from its routing table (HEAD left out)."""
    found = []
    for route in _walk(app.routes):
        original = getattr(route, "original_route", route)
        if not isinstance(original, APIRoute):
            continue  # the static mount and FastAPI's own OpenAPI document
        found += [RouteInfo(m, route.path) for m in sorted(route.methods) if m != "HEAD"]
    return found


def fill(route: RouteInfo, values: dict[str, Any]) -> str:
    """The route's path with every parameter filled; KeyError names a parameter nobody filled."""
    missing = [p for p in route.params if p not in values]
    if missing:
        raise KeyError(f"{route}: no value for {missing}; add it to the seeded world")
    return PARAM.sub(lambda m: str(values[m[1]]), route.path)


async def snapshot(db: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order: equal snapshots mean nothing was written."""
    await db.commit()  # start from a fresh read, whatever this session held
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for table in Base.metadata.sorted_tables:
        rows = await db.execute(select(table).order_by(*table.primary_key.columns))
        tables[table.name] = [tuple(r) for r in rows]
    await db.commit()  # end the read (a rollback would expire the world's objects)
    return tables


def diff(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


@dataclass
class World:
    """Alice hosts a public group ("alpha") and a private one ("hush"); Bob is a plain member of
    alpha only; Carol moderates both; Erin asked to join both; Dave is banned from both."""

    m: dict[str, Any]
    alpha: Any
    hush: Any
    d_alpha: Any  # Alice's discussion in alpha
    c_alpha: Any  # Alice's comment on it
    d_bob: Any  # Bob's discussion in alpha
    c_bob: Any  # Bob's comment on Alice's discussion
    d_hush: Any  # Alice's discussion in hush
    c_hush: Any  # Carol's comment in hush
    notification_id: int  # Alice's: Bob commented on her discussion
    report_id: int  # Alice reported Bob's comment


@pytest.fixture
async def world(db: AsyncSession, make: Any) -> World:
    names = ("admin", "alice", "bob", "carol", "dave", "erin")
    m = {n: await make.member(n, role="admin" if n == "admin" else "member") for n in names}
    alice = m["alice"]
    alpha = await make.group(alice, slug="alpha", members=(m["bob"], m["carol"], m["dave"]))
    hush = await make.group(alice, slug="hush", visibility="private", members=(m["carol"],))
    for g in (alpha, hush):
        await governance.appoint_moderator(db, alice, g.slug, "carol")
        db.add(Membership(group_id=g.id, member_id=m["erin"].id, state="requested"))
        await db.commit()
    await governance.ban_member(db, alice, "alpha", "dave", "spam")
    await governance.ban_member(db, alice, "hush", "dave", "spam")
    d_alpha = await make.discussion(alpha, alice, title="Alice's", body="Alice *writes*.")
    c_alpha = await make.comment(d_alpha, alice, body="Alice again.")
    d_bob = await make.discussion(alpha, m["bob"], title="Bob's", body="Bob writes.")
    c_bob = await make.comment(d_alpha, m["bob"], body="Bob answers.")
    d_hush = await make.discussion(hush, alice, title="Hushed", body="Quiet words.")
    c_hush = await make.comment(d_hush, m["carol"], body="Quiet answer.")
    await likes.set_like(db, m["bob"], "comment", c_alpha.id, True)
    # Alice's discussion shares an article whose fetch failed, so "fetch again" has work to do.
    link = Link(url="https://example.org/a", url_hash="a" * 64, canonical_hash="a" * 64,
                status="failed", error_code="timeout", error_reason="it timed out")  # fmt: skip
    db.add(link)
    await db.flush()
    d_alpha.link_id, d_alpha.link_url = link.id, link.url
    await db.commit()
    report = await reports.report(db, alice, "comment", c_bob.id, "Rude.")
    notification_id = await db.scalar(
        select(Notification.id).where(
            Notification.recipient_id == alice.id, Notification.comment_id == c_bob.id
        )
    )
    assert notification_id is not None
    # All unread: opening one is then a write the snapshot would show.
    await db.execute(update(Notification).values(read_at=None))
    await db.commit()
    return World(m, alpha, hush, d_alpha, c_alpha, d_bob, c_bob, d_hush, c_hush,
                 notification_id, report.id)  # fmt: skip
