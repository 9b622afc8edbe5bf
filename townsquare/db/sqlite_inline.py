"""SQLite for the async engine without a thread per statement.

aiosqlite gives every connection a thread and hands each call to it: a cursor, an
execute, a fetch and a close are four trips across threads for one statement, and on two
cores those trips cost more than the statements (a logged-in discussion page makes about
ten; a new comment about fifty). SQLite in WAL mode answers an indexed statement in
microseconds and readers never wait for a writer, so this driver runs statements on the
event loop's own thread, with SQLite's busy timeout at zero so that a statement never
sleeps there.

A statement that finds the database locked (another worker is writing) fails at once
with SQLITE_BUSY before it has done anything; it is then run again in a thread with the
real busy timeout, and the event loop serves other requests while it waits. Commits that
end a write transaction also go to a thread, because one may run a WAL checkpoint and
sync the file. Everything else is inline.

Waiting and committing have thread pools of their own, apart from each other and from
asyncio's default one: a commit is what lets waiting writers go, so it must never queue
behind them (with one shared pool, a few waiters filled it and the lock's holder could
not commit until their busy timeouts ran out).

Writers take turns at a gate before SQLite's lock (``WriteGate``). SQLite's own busy wait
polls: a waiting writer sleeps 1, 2, 5 … up to 100 ms between tries, so under steady
writing the lock sits free while waiters sleep and a writer can lose every race for
seconds (bench W1: 66 posts/s, p99 2.5 s). At the gate, writers of one process queue in
order on an asyncio lock and the processes on an flock of a file beside the database,
which the kernel hands to the next waiter the moment it is let go. SQLite's lock stays
what keeps the data safe; the gate only decides who asks for it next, and a writer that
does not pass through it (a migration, another program) is still waited for the old way.

It has the surface of an aiosqlite connection that SQLAlchemy's aiosqlite dialect uses,
and is plugged in through ``create_async_engine(..., async_creator=...)``.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
import sqlite3
import weakref
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

SQLITE_BUSY = 5
# "PRAGMA busy_timeout=N" keeps its meaning, how long a statement waits for a lock; the wait
# just happens in a thread. On the loop itself the timeout stays zero.
_BUSY_TIMEOUT = re.compile(r"\s*PRAGMA\s+busy_timeout\s*=\s*(\d+)\s*;?\s*", re.IGNORECASE)
# Threads start when first needed. A worker has at most its pool's connections waiting.
_WAITERS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="sqlite-wait")
_COMMITS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sqlite-commit")
# The statements before which sqlite3 opens a transaction of its own accord (a write).
_BEGINS = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
GATE_SUFFIX = "-writer"


def _locked(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF == SQLITE_BUSY


def _database_locked() -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError("database is locked")
    exc.sqlite_errorcode = SQLITE_BUSY  # type: ignore[attr-defined]
    return exc


class WriteGate:
    """One write transaction at a time for one database file, in arrival order: an asyncio
    lock among this event loop's connections, then an flock among processes (and loops).

    ``path`` is the gate's file; None for a database in memory, which one process alone
    can open, so the asyncio lock is the whole gate.
    """

    def __init__(self, path: str | None) -> None:
        self._path = path
        self._lock = asyncio.Lock()
        self._fd: int | None = None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    async def enter(self, wait_s: float) -> None:
        """Wait up to ``wait_s`` for a turn; "database is locked" after that, as SQLite says."""
        if self._lock.locked():
            try:
                await asyncio.wait_for(self._lock.acquire(), wait_s)
            except TimeoutError:
                raise _database_locked() from None
        else:
            await self._lock.acquire()
        if self._path is None:
            return
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        fd = self._fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        turn = asyncio.get_running_loop().run_in_executor(_WAITERS, fcntl.flock, fd, fcntl.LOCK_EX)
        try:
            await asyncio.wait_for(asyncio.shield(turn), wait_s)
        except BaseException as exc:
            # The thread may still get the flock after we stop waiting: it is let go then,
            # and only then may another of this loop's writers try (they share the file).
            def let_go(done: asyncio.Future[None]) -> None:
                if not done.cancelled() and done.exception() is None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                self._lock.release()

            turn.add_done_callback(let_go)
            if isinstance(exc, TimeoutError):
                raise _database_locked() from None
            raise

    def let_others_in(self) -> None:
        """Other workers may go: called from the thread that committed, so they need not
        wait for this event loop to come round to ``leave`` (which lets this loop's own
        writers go). Unlocking twice is harmless."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def leave(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._lock.release()


# One gate per database file and event loop (tests run many loops; a worker runs one).
_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, WriteGate]] = (
    weakref.WeakKeyDictionary()
)


def _gate_for(database: str, uri: bool) -> WriteGate:
    loop = asyncio.get_running_loop()
    gates = _GATES.get(loop)
    if gates is None:
        gates = _GATES[loop] = {}
        weakref.finalize(loop, lambda g=gates: [gate.close() for gate in g.values()])
    gate = gates.get(database)
    if gate is None:
        in_memory = database == ":memory:" or (uri and "mode=memory" in database)
        path = None if in_memory else _file_of(database, uri) + GATE_SUFFIX
        gate = gates[database] = WriteGate(path)
    return gate


def _file_of(database: str, uri: bool) -> str:
    if not uri:
        return os.path.abspath(database)
    path = database.removeprefix("file:").split("?", 1)[0]
    return os.path.abspath(path)


class _Now:
    """aiosqlite's request queue, as SQLAlchemy's isolation_level setter uses it: run now."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:  # handed to the awaiting caller, as aiosqlite does
            future.set_exception(exc)


class Cursor:
    def __init__(self, owner: Connection) -> None:
        self._owner = owner
        self._cursor = owner._connection.cursor()

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._owner._when_idle(self._cursor.close)

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        wait = _BUSY_TIMEOUT.fullmatch(sql)
        if wait:  # how long a statement may wait for a lock: kept for the waits off the loop
            self._owner._wait_ms = int(wait[1])
            return self
        await self._owner._run(sql, self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, seq_of_parameters: Iterable[Any]) -> Cursor:
        rows = list(seq_of_parameters)  # a generator could not be replayed after SQLITE_BUSY
        await self._owner._run(sql, self._cursor.executemany, sql, rows)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._owner._when_idle(self._cursor.close)

    async def setinputsizes(self, *sizes: Any) -> None:
        return None

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._rows()

    async def _rows(self) -> AsyncIterator[Any]:
        while True:
            batch = self._cursor.fetchmany(self._cursor.arraysize or 100)
            if not batch:
                return
            for row in batch:
                yield row


class Connection:
    """One sqlite3 connection, used from the event loop's thread and, when waiting, a worker thread."""

    def __init__(
        self, connection: sqlite3.Connection, busy_timeout_ms: int, gate: WriteGate | None = None
    ) -> None:
        self._connection = connection
        self._conn = connection  # the name SQLAlchemy's isolation_level setter reads
        self._tx = _Now()
        self._wait_ms = busy_timeout_ms
        self._pending: asyncio.Future[Any] | None = None
        self._gate = gate
        self._through = False  # this connection's write transaction has passed the gate

    @property
    def isolation_level(self) -> str | None:
        return self._connection.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._connection.isolation_level = value

    @property
    def in_transaction(self) -> bool:
        return self._connection.in_transaction

    def cursor(self) -> Cursor:
        return Cursor(self)

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        return await self.cursor().execute(sql, parameters)

    async def _run(self, sql: str, call: Callable[..., T], *args: Any) -> T:
        await self._idle()
        if (
            self._gate is not None
            and not self._through
            and not self._connection.in_transaction
            and self._connection.isolation_level is not None
            and _BEGINS.match(sql)
        ):  # this statement starts a write transaction: wait for a turn first
            await self._gate.enter(self._wait_ms / 1000)
            self._through = True
        try:
            try:
                return call(*args)
            except sqlite3.OperationalError as exc:
                if not _locked(exc):
                    raise
            return await self._off_loop(_WAITERS, self._waiting, call, *args)
        finally:
            if self._through and not self._connection.in_transaction:
                self._when_idle(self._leave_gate)  # the statement failed before it began one

    def _leave_gate(self, ended: bool = False) -> None:
        if self._through and (ended or not self._connection.in_transaction):
            self._through = False
            assert self._gate is not None
            self._gate.leave()

    def _waiting(self, call: Callable[..., T], *args: Any) -> T:
        """In a worker thread: the call again, this time waiting up to the busy timeout."""
        self._connection.execute(f"PRAGMA busy_timeout={self._wait_ms:d}")
        try:
            return call(*args)
        finally:
            self._connection.execute("PRAGMA busy_timeout=0")

    # A sqlite3 connection must not be used from two threads at once. While a call runs in
    # a thread, everything else on this connection waits for it, even when the request
    # that started it was cancelled (a closed browser tab): its rollback or close then
    # runs once the thread is done with the connection.
    async def _off_loop(self, pool: ThreadPoolExecutor, call: Callable[..., T], *args: Any) -> T:
        self._pending = asyncio.get_running_loop().run_in_executor(pool, call, *args)
        return await asyncio.shield(self._pending)

    async def _idle(self) -> None:
        while self._pending is not None and not self._pending.done():
            await asyncio.wait([self._pending])

    def _when_idle(self, call: Callable[[], Any]) -> None:
        if self._pending is not None and not self._pending.done():
            self._pending.add_done_callback(lambda _: call())
        else:
            call()

    async def commit(self) -> None:
        await self._idle()
        if not self._connection.in_transaction:
            return
        # The end of a write: SQLite may checkpoint the WAL and sync here, so not inline.
        try:
            await self._off_loop(_COMMITS, self._commit_in_thread)
        finally:
            self._when_idle(self._leave_gate)

    def _commit_in_thread(self) -> None:
        self._waiting(self._connection.commit)
        if self._through and self._gate is not None:
            self._gate.let_others_in()

    async def rollback(self) -> None:
        await self._idle()
        if self._connection.in_transaction:
            self._connection.rollback()
        self._leave_gate()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        await self._idle()
        self._connection.create_function(*args, **kwargs)

    async def close(self) -> None:
        await self._idle()
        self._closed()

    def stop(self) -> None:
        self._when_idle(self._closed)

    def _closed(self) -> None:
        self._connection.close()  # rolls back what was open, so the turn is over
        self._leave_gate(ended=True)


def connector(database: str, busy_timeout_ms: int = 10_000, uri: bool = False) -> Callable[[], Any]:
    """The ``async_creator`` for ``create_async_engine``: opens ``database`` inline."""

    async def connect() -> Connection:
        raw = sqlite3.connect(database, uri=uri, check_same_thread=False, timeout=0)
        return Connection(raw, busy_timeout_ms, _gate_for(database, uri))

    return connect
