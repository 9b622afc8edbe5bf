"""Version counters that tell every worker when a cached page went out of date.

A write bumps the counters of what it touched ("d:42" for discussion 42's pages, "home"
for the feeds, "site" for anything that shows on every page); a cached page remembers the
counters it was rendered under and is served only while they are unchanged.

Two stores behind one interface:

- ``FileVersions``: a small memory-mapped file in the data directory, shared by every
  worker on the machine. Reading is a memory read; a bump takes a file lock. Keys hash
  into a fixed number of slots, so two keys may share a slot: that only makes a page
  miss more often, never serve stale.
- ``RedisVersions``: the same counters in Redis, for several machines.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import secrets
import struct
import weakref
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

SLOTS = 1 << 12
_SLOT = struct.Struct("<Q")
FILE_NAME = "page-versions"


class Versions(Protocol):
    async def read(self, keys: Sequence[str]) -> tuple[int, ...]: ...

    def bump(self, keys: Iterable[str]) -> None: ...

    def close(self) -> None: ...


class FileVersions:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self._file = os.fdopen(fd, "r+b")
        if os.fstat(fd).st_size < SLOTS * _SLOT.size:
            os.ftruncate(fd, SLOTS * _SLOT.size)
        self._map = mmap.mmap(fd, SLOTS * _SLOT.size)

    @staticmethod
    def _offset(key: str) -> int:
        return (zlib.crc32(key.encode()) & (SLOTS - 1)) * _SLOT.size

    def now(self, keys: Sequence[str]) -> tuple[int, ...]:
        return tuple(_SLOT.unpack_from(self._map, self._offset(k))[0] for k in keys)

    async def read(self, keys: Sequence[str]) -> tuple[int, ...]:
        return self.now(keys)

    def bump(self, keys: Iterable[str]) -> None:
        offsets = {self._offset(k) for k in keys}
        if not offsets:
            return
        fcntl.flock(self._file, fcntl.LOCK_EX)
        try:
            for at in offsets:
                _SLOT.pack_into(self._map, at, _SLOT.unpack_from(self._map, at)[0] + 1)
        finally:
            fcntl.flock(self._file, fcntl.LOCK_UN)

    def close(self) -> None:
        self._map.close()
        self._file.close()


class RedisVersions:
    """Counters in Redis, each read with the store's *epoch*: a random number set once, so
    counters that Redis lost (a restart without persistence, a flush) and that count up
    from zero again can never match a version read before the loss."""

    PREFIX = "townsquare:v:"
    EPOCH = PREFIX + "epoch"

    def __init__(self, url: str) -> None:
        import redis
        import redis.asyncio as aioredis

        self._sync = redis.Redis.from_url(url)
        self._async = aioredis.from_url(url)

    async def read(self, keys: Sequence[str]) -> tuple[int, ...]:
        names = [self.EPOCH, *(self.PREFIX + k for k in keys)]
        epoch, *values = await self._async.mget(names)
        if epoch is None:  # a new store, or one that lost its keys: a new epoch, once
            await self._async.set(self.EPOCH, secrets.randbits(62), nx=True)
            epoch, *values = await self._async.mget(names)
        base = int(epoch or 0) << 64
        return tuple(base + int(v or 0) for v in values)

    def bump(self, keys: Iterable[str]) -> None:
        names = sorted({self.PREFIX + k for k in keys})
        if not names:
            return
        pipe = self._sync.pipeline(transaction=False)
        for name in names:
            pipe.incr(name)
        pipe.execute()

    def close(self) -> None:
        self._sync.close()


# Stores live while an app or a session factory holds them; the last one out closes the file.
_OPEN: weakref.WeakValueDictionary[str, Versions] = weakref.WeakValueDictionary()


def versions_for(data_dir: Path, redis_url: str = "") -> Versions:
    """The one store for this site in this process (writers and the page cache share it)."""
    where = redis_url or str(Path(data_dir).resolve() / FILE_NAME)
    store = _OPEN.get(where)
    if store is None:
        store = RedisVersions(redis_url) if redis_url else FileVersions(Path(where))
        _OPEN[where] = store
    return store
