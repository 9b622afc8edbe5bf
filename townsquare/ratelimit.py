"""Rate limits for sign-up, log-in and posting: fixed windows shared by every worker.

A limit must hold for the site, not for each process: with ``serve --workers 4`` a count
kept in memory would let a password guesser try four times as often, and which worker
answers is up to the kernel. So the counts live where every worker sees them: in a small
SQLite file in the data directory (one machine), or in Redis when TOWNSQUARE_REDIS_URL is
set (several machines). Counting in memory is left for a limiter given neither.
A limit reads "N/period" (period: second, minute, hour, day).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from townsquare.domain.errors import RateLimited

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"\s*(\d+)\s*/\s*(second|minute|hour|day)\s*")
FILE_NAME = "ratelimit.db"


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        match = _RATE.fullmatch(text)
        if not match:
            raise ValueError(f"a rate reads like '10/minute', not {text!r}")
        return cls(int(match[1]), PERIODS[match[2]])


class Limiter:
    """Counts hits per (action, key) in the current window; too many raises RateLimited.

    ``redis_url`` shares the counts between machines, ``path`` (a SQLite file) between the
    processes of one machine; with neither they are this process's own.
    """

    def __init__(self, redis_url: str = "", path: Path | None = None) -> None:
        self._memory: dict[str, tuple[int, float]] = {}
        self._redis = None
        self._file: _FileCounts | None = None
        if redis_url:
            import redis.asyncio as redis

            self._redis = redis.from_url(redis_url)
        elif path is not None:
            self._file = _FileCounts(path)

    async def hit(self, action: str, key: str, rate: Rate, message: str) -> None:
        now = time.time()
        window = int(now // rate.seconds)
        name = f"townsquare:rl:{action}:{key}:{window}"
        retry = int((window + 1) * rate.seconds - now) + 1
        expires = (window + 1) * rate.seconds + 1
        if self._redis is not None:
            # One atomic round trip that creates the window with its expiry, then counts: a
            # worker that dies between two commands can never leave a window without one.
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.set(name, 0, ex=max(1, int(expires - now)), nx=True).incr(name)
                _, count = await pipe.execute()
        elif self._file is not None:
            count = await asyncio.to_thread(self._file.incr, name, expires, now)
        else:
            count = self._memory.get(name, (0, 0.0))[0] + 1
            self._memory[name] = (count, now + rate.seconds)
            if len(self._memory) > 10_000:  # forget windows that have passed
                self._memory = {k: v for k, v in self._memory.items() if v[1] > now}
        if count > rate.count:
            raise RateLimited(message, retry_after=retry)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()


class _FileCounts:
    """Window counts in a SQLite file that every worker on the machine opens.

    Each hit is one short write transaction (WAL, no fsync per commit); windows that have
    passed are swept now and then. The file holds nothing worth backing up.
    """

    SWEEP_EVERY = 500

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._hits = 0
        self._local = threading.local()
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS hit (name TEXT PRIMARY KEY, count INTEGER NOT NULL,"
                " expires REAL NOT NULL) WITHOUT ROWID"
            )

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def incr(self, name: str, expires: float, now: float) -> int:
        # This runs on whichever thread asyncio lends; each thread keeps its own connection
        # (opening one per hit cost more than the hit: every post counts here).
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        (count,) = db.execute(
            "INSERT INTO hit (name, count, expires) VALUES (?, 1, ?) ON CONFLICT (name)"
            " DO UPDATE SET count = count + 1 RETURNING count",
            (name, expires),
        ).fetchone()
        self._hits += 1
        if self._hits % self.SWEEP_EVERY == 0:
            db.execute("DELETE FROM hit WHERE expires < ?", (now,))
        return int(count)
