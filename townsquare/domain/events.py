"""Work that follows a write: recorded in the transaction, run only once it commits.

Two kinds ride on the session the same way: jobs for the queue (``defer``) and live
events for open pages (``announce``). ``db.engine.make_sessionmaker`` hands both over
after the commit, so a rolled-back write neither queues work nor shows on anyone's page.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

DEFERRED = "townsquare.deferred"
LIVE = "live"  # the deferred entries that are live events, not queue jobs


def defer(db: AsyncSession, job: str, *args: Any) -> None:
    """Ask for ``job(*args)`` to be queued when this session's transaction commits."""
    db.sync_session.info.setdefault(DEFERRED, []).append((job, args))


def announce(db: AsyncSession, channel: str, kind: str, **data: Any) -> None:
    """Tell the pages open on ``channel`` that ``kind`` happened, once this transaction commits.

    ``data`` carries ids and counts only: each stream decides what its viewer may see.
    """
    defer(db, LIVE, channel, kind, data)


def split(deferred: list[tuple[str, tuple[Any, ...]]]) -> tuple[list[Any], list[Any]]:
    """(queue jobs, live events as (channel, kind, data)) from what a transaction deferred."""
    jobs = [entry for entry in deferred if entry[0] != LIVE]
    live = [args for name, args in deferred if name == LIVE]
    return jobs, live


def discussion_channel(discussion_id: int) -> str:
    return f"d{discussion_id}"


def member_channel(member_id: int) -> str:
    return f"m{member_id}"
