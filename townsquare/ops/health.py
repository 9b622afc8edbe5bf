"""Readiness: can this process do its work right now? The database answers and is at the
newest migration, and the queue's storage answers. (Liveness, ``/healthz``, asks nothing:
a process that can answer at all is alive.)"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from townsquare.jobs.queue import Jobs

# A probe that waits longer than this is answered "not ready": load balancers give up
# sooner than a database's own timeouts would.
TIMEOUT = 3.0


@cache
def head_revision() -> str | None:
    """The newest migration this code knows (read once: the files do not change)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from townsquare.db.migrate import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def short(exc: BaseException) -> str:
    """An exception as one line a person can act on (a driver's own words, not
    SQLAlchemy's wrapping)."""
    exc = getattr(exc, "orig", None) or exc
    words = str(exc).strip().splitlines()
    return (words[0].rstrip(".") if words else "") or type(exc).__name__


async def database_problem(engine: AsyncEngine) -> str | None:
    """None when the database answers SELECT 1 and is at the newest revision."""
    try:
        async with asyncio.timeout(TIMEOUT), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except TimeoutError:
        return f"the database did not answer within {TIMEOUT:g} s"
    except Exception as exc:  # any driver error: the database is not usable
        return f"the database does not answer: {short(exc)}"
    head = head_revision()
    try:
        async with asyncio.timeout(TIMEOUT), engine.connect() as conn:
            result = await conn.execute(text("SELECT version_num FROM alembic_version"))
            current = result.scalar()
    except Exception:  # no alembic_version table: never migrated
        current = None
    if current != head:
        return f"the database is at migration {current or 'none'}, this code needs {head}: run townsquare migrate"
    return None


async def queue_problem(jobs: Jobs) -> str | None:
    """None when the queue's storage (the SQLite file or Redis) answers."""
    try:
        await asyncio.wait_for(asyncio.to_thread(jobs.huey.pending_count), TIMEOUT)
    except TimeoutError:
        return f"the queue's storage did not answer within {TIMEOUT:g} s"
    except Exception as exc:  # SQLite or Redis errors alike
        return f"the queue's storage does not answer: {short(exc)}"
    return None


async def readiness(engine: AsyncEngine, jobs: Jobs) -> dict[str, str]:
    """Each part's state: ``ok`` or what is wrong."""
    db, queue = await asyncio.gather(database_problem(engine), queue_problem(jobs))
    return {"database": db or "ok", "queue": queue or "ok"}
