"""Work that follows a write: recorded in the transaction, run only once it commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

DEFERRED = "townsquare.deferred"


def defer(db: AsyncSession, job: str, *args: Any) -> None:
    """Ask for ``job(*args)`` to be queued when this session's transaction commits."""
    db.sync_session.info.setdefault(DEFERRED, []).append((job, args))
