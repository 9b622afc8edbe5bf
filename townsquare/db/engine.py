"""Engines and sessions for SQLite (the default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from townsquare.config import Settings
from townsquare.db import changes, sqlite_inline
from townsquare.domain.events import DEFERRED, split
from townsquare.versions import versions_for


def make_engine(settings: Settings) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # Statements run inline and writers queue at the write gate (sqlite_inline), so a
        # connection is a file handle and its page cache. Eight kept open: with four, the
        # requests past them opened and closed a connection each, and a new connection
        # reads the schema again (bench R1L 1347 → 1621 rps, W1 341 → 350; memory alike).
        engine = create_async_engine(
            url, pool_size=8, max_overflow=8, async_creator=_sqlite_connector(url)
        )
        _tune_sqlite(engine.sync_engine)
        return engine
    # A write waiting on a lock gives up after 10 s, as SQLite's busy timeout does: the member
    # gets "try again" (503) instead of a request that hangs until the proxy drops it.
    return create_async_engine(
        url, pool_size=10, max_overflow=10, pool_pre_ping=True,
        connect_args={"options": "-c lock_timeout=10000"},
    )  # fmt: skip


def _sqlite_connector(url: str) -> Callable[[], Any]:
    """Statements run on the event loop's thread (see sqlite_inline); writers that meet
    another worker's lock wait in a thread for up to 10 s, as the busy timeout says."""
    parsed = make_url(url)
    uri = str(parsed.query.get("uri", "")).lower() in ("true", "1")
    return sqlite_inline.connector(parsed.database or ":memory:", busy_timeout_ms=10_000, uri=uri)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        # Writers from other workers wait (off the event loop: see sqlite_inline).
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


def make_sessionmaker(
    engine: AsyncEngine,
    on_commit: Callable[[list[tuple[str, tuple[Any, ...]]]], None] | None = None,
    settings: Settings | None = None,
    on_live: Callable[[list[tuple[str, str, dict[str, Any]]]], None] | None = None,
) -> async_sessionmaker[AsyncSession]:
    """Sessions for this engine; ``on_commit`` receives the jobs a transaction deferred,
    ``on_live`` the live events it announced (both only once it has committed).

    Each session carries the site's settings in ``session.info["settings"]``, so domain
    rules that are settings (points, levels) read them from the session they write with.
    """

    class AppSession(Session):
        pass

    @event.listens_for(AppSession, "after_commit")
    def _after_commit(session: Session) -> None:
        jobs, live = split(session.info.pop(DEFERRED, []))
        if jobs and on_commit is not None:
            on_commit(jobs)
        if live and on_live is not None:
            on_live(live)

    @event.listens_for(AppSession, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(DEFERRED, None)

    if settings is not None:  # what each transaction changed ages the cached pages that show it
        changes.watch(AppSession, versions_for(settings.data_dir, settings.redis_url))

    return async_sessionmaker(
        engine,
        expire_on_commit=False,
        autoflush=False,
        sync_session_class=AppSession,
        info={"settings": settings or Settings()},
    )
