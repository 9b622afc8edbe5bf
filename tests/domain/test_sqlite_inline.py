"""The inline SQLite driver: statements on the loop's thread, waits for a lock in a thread.

These run on a real SQLite file whatever database the suite targets: the driver is
SQLite's alone. The lock is held by a second, ordinary sqlite3 connection, as another
worker process would hold it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

from townsquare.db import sqlite_inline


def _engine(path: Path, wait_ms: int = 10_000, pool: int | None = None):  # type: ignore[no-untyped-def]
    """``pool``: that many connections and no more (enough for every writer of a test)."""
    sizes = {} if pool is None else {"pool_size": pool, "max_overflow": 0}
    url = f"sqlite+aiosqlite:///{path}"
    return create_async_engine(
        url, async_creator=sqlite_inline.connector(str(path), busy_timeout_ms=wait_ms), **sizes
    )


def _ticker() -> tuple[asyncio.Task[None], list[int]]:
    """Counts the event loop's 10 ms ticks: a loop held up by a wait would count none."""
    ticks = [0]

    async def tick() -> None:
        while True:
            await asyncio.sleep(0.01)
            ticks[0] += 1

    return asyncio.create_task(tick()), ticks


async def _names_then_dispose(engine) -> list[str]:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        names = list((await conn.execute(text("SELECT name FROM item ORDER BY id"))).scalars())
    await engine.dispose()
    return names


def _database(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        raw.execute("INSERT INTO item (name) VALUES ('first')")
    return path


def _hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Another connection takes the write lock now and lets it go after ``seconds``."""
    taken = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO item (name) VALUES ('other worker')")
        taken.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    taken.wait()
    return thread


def test_reads_writes_and_rollback_behave_like_any_driver(tmp_path: Path) -> None:
    path = _database(tmp_path)

    async def go() -> tuple[list[str], int | None]:
        engine = _engine(path)
        async with engine.begin() as conn:
            result = await conn.execute(text("INSERT INTO item (name) VALUES ('second')"))
            new_id = result.lastrowid
        async with engine.connect() as conn:
            await conn.execute(text("INSERT INTO item (name) VALUES ('never')"))
            await conn.rollback()
        names = await _names_then_dispose(engine)
        return names, new_id

    names, new_id = asyncio.run(go())
    assert names == ["first", "second"]
    assert new_id == 2


def test_a_statement_meeting_another_writers_lock_waits_off_the_loop(tmp_path: Path) -> None:
    """The writer waits for the lock in a thread; the loop keeps serving meanwhile."""
    path = _database(tmp_path)

    async def go() -> tuple[int, int, list[str]]:
        engine = _engine(path)
        clock, ticks = _ticker()
        holder = _hold_write_lock(path, 0.5)
        reads = 0
        async with engine.connect() as reader:  # readers are not blocked by a writer in WAL
            reads = len((await reader.execute(text("SELECT id FROM item"))).all())
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO item (name) VALUES ('waited')"))
        holder.join()
        clock.cancel()
        names = await _names_then_dispose(engine)
        return ticks[0], reads, names

    ticks, reads, names = asyncio.run(go())
    assert reads == 1
    assert names == ["first", "other worker", "waited"]
    # Half a second of waiting at 10 ms a tick: the loop ran the ticker throughout.
    assert ticks >= 20


def test_a_lock_held_past_the_busy_timeout_fails_with_database_locked(tmp_path: Path) -> None:
    path = _database(tmp_path)

    async def go() -> None:
        engine = _engine(path, wait_ms=100)
        holder = _hold_write_lock(path, 1.0)
        try:
            with pytest.raises(OperationalError, match="locked"):
                async with engine.begin() as conn:
                    await conn.execute(text("INSERT INTO item (name) VALUES ('gave up')"))
        finally:
            holder.join()
        async with engine.begin() as conn:  # the connection is usable again afterwards
            await conn.execute(text("INSERT INTO item (name) VALUES ('later')"))
        names = await _names_then_dispose(engine)
        assert names == ["first", "other worker", "later"]

    asyncio.run(go())


def test_executemany_from_a_generator_is_replayed_whole_after_waiting(tmp_path: Path) -> None:
    path = _database(tmp_path)

    async def go() -> list[str]:
        engine = _engine(path)
        holder = _hold_write_lock(path, 0.3)
        async with engine.begin() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            await driver.cursor().executemany(
                "INSERT INTO item (name) VALUES (?)", ((f"row {i}",) for i in range(3))
            )
        holder.join()
        names = await _names_then_dispose(engine)
        return names

    names = asyncio.run(go())
    assert names[-3:] == ["row 0", "row 1", "row 2"]


def test_a_request_cancelled_while_waiting_leaves_no_write_and_no_broken_connection(
    tmp_path: Path,
) -> None:
    """A closed tab cancels a write waiting in a thread: it is rolled back once the thread
    is done with the connection (never closed under it), and the pool goes on working."""
    path = _database(tmp_path)

    async def go() -> list[str]:
        engine = _engine(path)

        async def write() -> None:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO item (name) VALUES ('cancelled')"))

        holder = _hold_write_lock(path, 0.5)
        task = asyncio.create_task(write())
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        holder.join()
        for n in range(3):
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO item (name) VALUES (:n)"), {"n": f"after {n}"})
        names = await _names_then_dispose(engine)
        return names

    assert asyncio.run(go()) == ["first", "other worker", "after 0", "after 1", "after 2"]


def test_pragma_busy_timeout_still_sets_how_long_a_statement_waits(tmp_path: Path) -> None:
    """The setting keeps its meaning: with 100 ms, a writer gives up while a 3 s holder still
    holds the lock, not after the connector's 10 s default."""
    path = _database(tmp_path)

    async def go() -> bool:
        engine = _engine(path)  # 10 s by default
        async with engine.connect() as conn:
            await conn.execute(text("PRAGMA busy_timeout=100"))
            holder = _hold_write_lock(path, 3.0)
            with pytest.raises(OperationalError, match="locked"):
                await conn.execute(text("INSERT INTO item (name) VALUES ('gave up')"))
            still_held = holder.is_alive()
            await conn.rollback()
        holder.join()
        await engine.dispose()
        return still_held

    assert asyncio.run(go())


# --- the write gate: writers take turns in arrival order, across loops and processes ---


def _hold_gate(path: Path) -> tuple[threading.Event, threading.Thread]:
    """Another worker's writer, mid-transaction: it holds the gate's flock until released."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        import fcntl

        with open(str(path) + sqlite_inline.GATE_SUFFIX, "a+b") as gate:
            fcntl.flock(gate, fcntl.LOCK_EX)
            taken.set()
            release.wait()
            fcntl.flock(gate, fcntl.LOCK_UN)

    thread = threading.Thread(target=hold)
    thread.start()
    taken.wait()
    return release, thread


def test_writers_of_one_worker_take_their_turns_in_the_order_they_came(tmp_path: Path) -> None:
    """Twelve writers arrive while one holds the lock: its commit goes through (it never
    queues behind them) and they write in arrival order. With SQLite's own busy wait each
    slept and retried on its own, and the order was luck."""
    path = _database(tmp_path)

    async def go() -> list[str]:
        engine = _engine(path, wait_ms=3_000, pool=14)
        holder = await engine.connect()
        await holder.execute(text("INSERT INTO item (name) VALUES ('holder')"))

        async def write(n: int) -> None:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO item (name) VALUES (:n)"), {"n": f"w{n:02d}"})
                await asyncio.sleep(0.005)  # a transaction that yields between statements

        writers = []
        for n in range(12):
            writers.append(asyncio.create_task(write(n)))
            await asyncio.sleep(0.01)  # each arrives after the one before is queued
        await holder.commit()
        await holder.close()
        await asyncio.gather(*writers)  # a writer that gave up would raise "database is locked"
        names = await _names_then_dispose(engine)
        return names

    assert asyncio.run(go()) == ["first", "holder"] + [f"w{n:02d}" for n in range(12)]


def test_a_writer_waits_at_the_gate_off_the_loop_while_another_worker_writes(
    tmp_path: Path,
) -> None:
    """Another worker is mid-write (it holds the gate): the writer waits in a thread, the
    loop keeps serving, and the write goes through once the other lets go."""
    path = _database(tmp_path)

    async def go() -> tuple[int, bool, list[str]]:
        engine = _engine(path)
        release, other = _hold_gate(path)

        async def write() -> None:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO item (name) VALUES ('after the other')"))

        clock, ticks = _ticker()
        task = asyncio.create_task(write())
        await asyncio.sleep(0.3)
        waited = not task.done()
        release.set()
        await task
        other.join()
        clock.cancel()
        names = await _names_then_dispose(engine)
        return ticks[0], waited, names

    ticks, waited, names = asyncio.run(go())
    assert waited
    assert names == ["first", "after the other"]
    assert ticks >= 15


def test_a_gate_held_past_the_busy_timeout_gives_database_locked_and_recovers(
    tmp_path: Path,
) -> None:
    """Held too long by another worker: "database is locked" as SQLite would say, nothing
    written; once the other lets go, the same engine writes again (the abandoned wait's
    turn was handed back, not kept)."""
    path = _database(tmp_path)

    async def go() -> list[str]:
        engine = _engine(path, wait_ms=150)
        release, other = _hold_gate(path)
        try:
            with pytest.raises(OperationalError, match="locked"):
                async with engine.begin() as conn:
                    await conn.execute(text("INSERT INTO item (name) VALUES ('gave up')"))
        finally:
            release.set()
            other.join()
        for n in range(3):
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO item (name) VALUES (:n)"), {"n": f"later {n}"})
        names = await _names_then_dispose(engine)
        return names

    assert asyncio.run(go()) == ["first", "later 0", "later 1", "later 2"]


def test_a_writer_cancelled_at_the_gate_leaves_the_turn_free(tmp_path: Path) -> None:
    path = _database(tmp_path)

    async def go() -> list[str]:
        engine = _engine(path)
        release, other = _hold_gate(path)

        async def write(name: str) -> None:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO item (name) VALUES (:n)"), {"n": name})

        task = asyncio.create_task(write("cancelled"))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()
        other.join()
        await asyncio.wait_for(write("next"), 5)
        names = await _names_then_dispose(engine)
        return names

    assert asyncio.run(go()) == ["first", "next"]


def test_a_failed_write_and_a_rollback_each_end_the_turn(tmp_path: Path) -> None:
    """A statement that fails (a constraint) and a transaction rolled back both let the next
    writer in; nothing waits for a turn that was never handed back."""
    path = _database(tmp_path)

    async def go() -> list[str]:
        engine = _engine(path, wait_ms=500)
        with pytest.raises(Exception, match="NOT NULL"):
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO item (name) VALUES (NULL)"))
        async with engine.connect() as conn:
            await conn.execute(text("INSERT INTO item (name) VALUES ('rolled back')"))
            await conn.rollback()
        async with engine.begin() as conn:  # would give "database is locked" after 0.5 s
            await conn.execute(text("INSERT INTO item (name) VALUES ('kept')"))
        names = await _names_then_dispose(engine)
        return names

    assert asyncio.run(go()) == ["first", "kept"]
