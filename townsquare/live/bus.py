"""The live event bus: one interface, kept in this process or shared through Redis.

A committed write publishes ``(channel, kind, data)``; the bus gives it an id, keeps it
for ``RETENTION_S`` seconds so a page that reconnects can ask for what it missed, and
hands it to every subscription on its channel. Ids read ``<milliseconds>-<sequence>``
(Redis stream ids), rise on every channel and compare as pairs of numbers.

- ``MemoryBus``: one process (the default). Publishing is a dictionary look-up and a
  queue put; nothing leaves the process.
- ``FileBus``: several workers on one machine without Redis (``serve --workers N``): a
  ring of events in a memory-mapped file in the data directory, looked at by each worker
  twenty times a second.
- ``RedisBus``: several workers (``TOWNSQUARE_REDIS_URL``). A small Lua script appends
  the event to the channel's Redis stream (its replay log, trimmed by age) and PUBLISHes
  it in one step, so stream order is delivery order. Each worker holds one pub/sub
  connection, whatever the number of open pages, and fans out locally.

Streams are asyncio queues: an open page costs a queue and a coroutine, not a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import mmap
import os
import signal
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("townsquare.live")

RETENTION_S = 15 * 60  # how far back a reconnecting page can catch up
REPLAY_MAX = 1000  # more missed events than this: the page is told to reload instead
QUEUE_MAX = 500  # a stream this far behind is ended; its page reconnects and catches up
REDIS_PREFIX = "townsquare:live:"
REDIS_PUBSUB = "townsquare:live"

EventId = tuple[int, int]
ZERO: EventId = (0, 0)


def parse_id(text: str | None) -> EventId | None:
    """``"1700000000000-3"`` → ``(1700000000000, 3)``; None for anything else."""
    if not text:
        return None
    ms, _, seq = text.strip().partition("-")
    if not ms.isdigit() or not (seq or "0").isdigit() or len(text) > 40:
        return None
    return int(ms), int(seq or 0)


def format_id(pair: EventId) -> str:
    return f"{pair[0]}-{pair[1]}"


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Event:
    id: str
    channel: str
    kind: str
    data: dict[str, Any]

    @property
    def key(self) -> EventId:
        return parse_id(self.id) or (0, 0)


class Ended(Exception):
    """The subscription is over: the server is stopping, or the stream fell too far behind."""


_END = object()


class Subscription:
    """The events of some channels as they are published, through one asyncio queue."""

    def __init__(self, bus: Bus, channels: tuple[str, ...]) -> None:
        self.bus = bus
        self.channels = channels
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._ended = False

    def put(self, event: Event) -> None:
        if self._ended:
            return
        if self._queue.qsize() >= QUEUE_MAX:
            self.end()  # a page this slow catches up from the log when it reconnects
            return
        self._queue.put_nowait(event)

    def end(self) -> None:
        if not self._ended:
            self._ended = True
            self._queue.put_nowait(_END)

    async def get(self, timeout: float) -> Event | None:
        """The next event, or None after ``timeout`` seconds of quiet; raises Ended."""
        try:
            item = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None
        if item is _END:
            raise Ended()
        return item  # type: ignore[no-any-return]

    def close(self) -> None:
        self.bus._unsubscribe(self)


class Bus:
    """Local fan-out shared by both backends; subclasses store, order and carry events."""

    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = {}
        self.ending = False

    # --- the interface ----------------------------------------------------------------

    def publish(self, channel: str, kind: str, data: dict[str, Any]) -> None:
        """Send an event (called after a commit; never blocks, never raises)."""
        raise NotImplementedError

    def publish_all(self, events: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        """``make_sessionmaker``'s ``on_live``: what one transaction announced, in order."""
        for channel, kind, data in events:
            try:
                self.publish(channel, kind, data)
            except Exception:  # a live update lost is never worth failing a write for
                log.exception("live: could not publish %s on %s", kind, channel)

    async def replay(self, channel: str, after: str) -> list[Event] | None:
        """The channel's events after id ``after``, oldest first; None when some of them
        may no longer be kept (the page should reload). After ``"0-0"``: all that is kept."""
        raise NotImplementedError

    def latest(self, channel: str) -> str:
        """The id of the channel's newest kept event, or ``"0-0"``: the cursor a page rendered
        now carries. It changes only when the channel has news, as the page does."""
        raise NotImplementedError

    def cursor(self) -> str:
        """An id no later than any event still to come: where a stream resumes from."""
        raise NotImplementedError

    async def subscribe(self, channels: Iterable[str]) -> Subscription:
        sub = Subscription(self, tuple(channels))
        if self.ending:
            sub.end()
            return sub
        for channel in sub.channels:
            self._subs.setdefault(channel, set()).add(sub)
        await self._ready()
        return sub

    def end_streams(self) -> None:
        """End every open stream, now and from now on (the server is stopping)."""
        self.ending = True
        for subs in list(self._subs.values()):
            for sub in list(subs):
                sub.end()

    async def close(self) -> None:
        self.end_streams()

    # --- for the backends ---------------------------------------------------------------

    async def _ready(self) -> None:
        """Wait until events published from now on will reach this process."""

    def _deliver(self, event: Event) -> None:
        for sub in list(self._subs.get(event.channel, ())):
            sub.put(event)

    def _unsubscribe(self, sub: Subscription) -> None:
        for channel in sub.channels:
            subs = self._subs.get(channel)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[channel]

    @staticmethod
    def _too_old(after: EventId) -> bool:
        return after[0] < _now_ms() - RETENTION_S * 1000

    @staticmethod
    def _capped(events: list[Event]) -> list[Event] | None:
        return events if len(events) <= REPLAY_MAX else None


class MemoryBus(Bus):
    """One process: events kept in a deque per channel, delivered at once."""

    def __init__(self) -> None:
        super().__init__()
        self._log: dict[str, deque[Event]] = {}
        self._last: EventId = (_now_ms(), 0)
        self._start = self._last  # ids before this came from an earlier process
        self._published = 0

    def _next_id(self) -> EventId:
        ms = _now_ms()
        self._last = (ms, 0) if ms > self._last[0] else (self._last[0], self._last[1] + 1)
        return self._last

    def publish(self, channel: str, kind: str, data: dict[str, Any]) -> None:
        event = Event(format_id(self._next_id()), channel, kind, data)
        kept = self._log.setdefault(channel, deque())
        kept.append(event)
        self._trim(kept)
        self._published += 1
        if self._published % 1000 == 0:  # forget channels that have gone quiet
            for name, events in list(self._log.items()):
                self._trim(events)
                if not events:
                    del self._log[name]
        self._deliver(event)

    @staticmethod
    def _trim(events: deque[Event]) -> None:
        oldest = _now_ms() - RETENTION_S * 1000
        while events and events[0].key[0] < oldest:
            events.popleft()

    async def replay(self, channel: str, after: str) -> list[Event] | None:
        since = parse_id(after)
        if since is None or (since != ZERO and (since < self._start or self._too_old(since))):
            return None
        return self._capped([e for e in self._log.get(channel, ()) if e.key > since])

    def latest(self, channel: str) -> str:
        kept = self._log.get(channel)
        return kept[-1].id if kept else format_id(ZERO)

    def cursor(self) -> str:
        return format_id(self._last)


# KEYS[1]: the channel's stream. ARGV: oldest id to keep, event JSON, stream lifetime (ms),
# pub/sub channel. Appending and publishing in one script keeps the two in one order.
_PUBLISH = """
local id = redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[1], '*', 'e', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[4], id .. ' ' .. ARGV[2])
return id
"""
# Clocks of app machines and Redis may differ a little: a page's cursor starts this far
# back, and the page ignores what it already shows.
CLOCK_SLACK_MS = 5000


class RedisBus(Bus):
    """Several workers: a Redis stream per channel for replay, one pub/sub for delivery."""

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._script = self._redis.register_script(_PUBLISH)
        self._outbox: asyncio.Queue[tuple[str, str]] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._listener: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listening = asyncio.Event()
        self._latest: dict[str, str] = {}  # channel → newest id seen, for pages rendered here

    def _start(self, listen: bool = False) -> None:
        """The sender task on first publish; the listener only once someone subscribes."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._outbox, self._listening = loop, asyncio.Queue(), asyncio.Event()
            self._listener = None
            self._tasks = [loop.create_task(self._send())]
        if listen and self._listener is None:
            self._listener = loop.create_task(self._listen())
            self._tasks.append(self._listener)

    def publish(self, channel: str, kind: str, data: dict[str, Any]) -> None:
        self._start()
        assert self._outbox is not None
        payload = json.dumps({"channel": channel, "kind": kind, "data": data})
        self._outbox.put_nowait((channel, payload))

    async def _send(self) -> None:
        """Publish in commit order, one at a time, so no event overtakes another."""
        assert self._outbox is not None
        while True:
            channel, payload = await self._outbox.get()
            oldest = _now_ms() - RETENTION_S * 1000
            try:
                await self._script(
                    keys=[REDIS_PREFIX + channel],
                    args=[oldest, payload, RETENTION_S * 1000, REDIS_PUBSUB],
                )
            except Exception:
                log.exception("live: Redis refused an event for %s", channel)

    async def _listen(self) -> None:
        """Receive every worker's events; after a lost connection, end the streams so their
        pages reconnect and catch up from the streams."""
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(REDIS_PUBSUB)
                self._listening.set()
                async for message in pubsub.listen():
                    self._receive(message.get("data"))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("live: lost the Redis connection; retrying", exc_info=True)
                self._listening.clear()
                for subs in list(self._subs.values()):
                    for sub in list(subs):
                        sub.end()
                await asyncio.sleep(1)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def _receive(self, raw: Any) -> None:
        if not isinstance(raw, bytes | str):
            return
        text = raw.decode() if isinstance(raw, bytes) else raw
        event_id, _, payload = text.partition(" ")
        try:
            body = json.loads(payload)
            event = Event(event_id, body["channel"], body["kind"], body["data"])
        except (ValueError, KeyError, TypeError):
            log.warning("live: ignored a malformed message")
            return
        self._latest.pop(event.channel, None)
        self._latest[event.channel] = event.id
        if len(self._latest) > 50_000:  # forget the channels quiet the longest
            for channel in list(self._latest)[:25_000]:
                del self._latest[channel]
        self._deliver(event)

    async def _ready(self) -> None:
        self._start(listen=True)
        await asyncio.wait_for(self._listening.wait(), 10)

    async def replay(self, channel: str, after: str) -> list[Event] | None:
        since = parse_id(after)
        if since is None or (since != ZERO and self._too_old(since)):
            return None
        low = "-" if since == ZERO else "(" + format_id(since)
        rows = await self._redis.xrange(REDIS_PREFIX + channel, min=low, count=REPLAY_MAX + 1)
        events = []
        for event_id, fields in rows:
            body = json.loads(fields[b"e"])
            events.append(Event(event_id.decode(), body["channel"], body["kind"], body["data"]))
        return self._capped(events)

    def latest(self, channel: str) -> str:
        return self._latest.get(channel, format_id(ZERO))

    def cursor(self) -> str:
        return format_id((_now_ms() - CLOCK_SLACK_MS, 0))

    async def close(self) -> None:
        self.end_streams()
        if self._outbox is not None:  # let what was committed go out
            for _ in range(50):
                if self._outbox.empty():
                    break
                await asyncio.sleep(0.02)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._redis.aclose()


FILE_NAME = "live-events"
_HEAD = struct.Struct("<QQ")  # events ever written, the newest one's milliseconds
_HEAD_SIZE = 64
_SLOT = struct.Struct("<QQHH")  # the event's number, milliseconds, channel and body lengths
SLOT_SIZE = 512  # an event is ids and counts: 150-250 bytes
SLOTS = 4096
POLL_S = 0.05


class FileBus(Bus):
    """Several workers on one machine without Redis: events go through a ring of slots in a
    memory-mapped file in the data directory, as the page versions do. Publishing takes a
    file lock for a copy into the next slot; each worker looks at the count of events
    every ``POLL_S`` seconds (a memory read) and delivers what is new, in one order for
    every worker. The ring is the replay log: a page that reconnects catches up while its
    events are still in it (the last ``SLOTS`` events), found through an index of each
    channel's numbers that the worker keeps as it looks."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self._file = os.fdopen(fd, "r+b")
        size = _HEAD_SIZE + SLOTS * SLOT_SIZE
        if os.fstat(fd).st_size < size:
            os.ftruncate(fd, size)
        self._map = mmap.mmap(fd, size)
        self._seen, self._seen_ms = _HEAD.unpack_from(self._map, 0)  # delivered up to here
        self._poller: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._latest: dict[str, str] = {}  # channel → newest id delivered here
        self._numbers: dict[str, deque[int]] = {}  # channel → its events' numbers in the ring
        self._forgot = 0  # numbers up to this have been dropped from _numbers

    def publish(self, channel: str, kind: str, data: dict[str, Any]) -> None:
        name = channel.encode()
        body = json.dumps({"kind": kind, "data": data}, separators=(",", ":")).encode()
        if _SLOT.size + len(name) + len(body) > SLOT_SIZE:
            log.warning("live: an event for %s is too large for the shared file", channel)
            return
        fcntl.flock(self._file, fcntl.LOCK_EX)
        try:
            count, last_ms = _HEAD.unpack_from(self._map, 0)
            number, ms = count + 1, max(_now_ms(), last_ms)  # ids never go backwards
            at = self._offset(number)
            _SLOT.pack_into(self._map, at, 0, 0, 0, 0)  # a reader meeting it now skips it
            start = at + _SLOT.size
            self._map[start : start + len(name) + len(body)] = name + body
            _SLOT.pack_into(self._map, at, number, ms, len(name), len(body))
            _HEAD.pack_into(self._map, 0, number, ms)
        finally:
            fcntl.flock(self._file, fcntl.LOCK_UN)

    @staticmethod
    def _offset(number: int) -> int:
        return _HEAD_SIZE + ((number - 1) % SLOTS) * SLOT_SIZE

    def _read(self, number: int, channel: bytes | None = None) -> Event | None:
        """Event ``number`` if its slot still holds it (and it is on ``channel``, if given).
        Readers take no lock; a slot that does not hold its number is read again under a
        shared one, for machines that may show a reader the count before the slot."""
        event = self._read_slot(number, channel)
        if event is None and number > _HEAD.unpack_from(self._map, 0)[0] - SLOTS:
            fcntl.flock(self._file, fcntl.LOCK_SH)
            try:
                event = self._read_slot(number, channel)
            finally:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        return event

    def _read_slot(self, number: int, channel: bytes | None) -> Event | None:
        at = self._offset(number)
        found, ms, name_len, body_len = _SLOT.unpack_from(self._map, at)
        if found != number:
            return None
        start = at + _SLOT.size
        name = self._map[start : start + name_len]
        if channel is not None and name != channel:
            return None
        body = self._map[start + name_len : start + name_len + body_len]
        if _SLOT.unpack_from(self._map, at)[0] != number:
            return None  # overwritten while read
        try:
            value = json.loads(body)
            return Event(format_id((ms, number)), name.decode(), value["kind"], value["data"])
        except (ValueError, KeyError, TypeError):
            log.warning("live: skipped an unreadable event in the shared file")
            return None

    def _start(self) -> None:
        """The poller, from the file's newest event on; what the ring holds is indexed first,
        so ``latest`` and ``replay`` know the channels' events from before this worker looked."""
        loop = asyncio.get_running_loop()
        if self._loop is loop and self._poller is not None and not self._poller.done():
            return
        self._loop = loop
        count, _ = _HEAD.unpack_from(self._map, 0)
        self._numbers.clear()
        self._latest.clear()
        self._seen = max(0, count - SLOTS)
        self._look(deliver=False)  # what is already there: known, not pushed to new streams
        self._poller = loop.create_task(self._poll())

    async def _poll(self) -> None:
        while True:
            try:
                self._catch_up()
            except Exception:  # never let one bad read stop this worker's live updates
                log.exception("live: could not read the shared events file")
            await asyncio.sleep(POLL_S)

    def _catch_up(self) -> None:
        self._look(deliver=True)

    def _look(self, deliver: bool) -> None:
        """Read the events after ``_seen``: index each channel's numbers and newest id and,
        with ``deliver``, hand them to this worker's streams, which end when some of what
        they should have had is gone (their pages reconnect and catch up)."""
        count, _ = _HEAD.unpack_from(self._map, 0)
        if count < self._seen:  # the file was made anew: start from it
            self._seen = count
        first = max(self._seen + 1, count - SLOTS + 1)
        if deliver and first > self._seen + 1:  # this worker fell a whole ring behind
            self._end_all()
        for number in range(first, count + 1):
            event = self._read(number)
            if event is None:
                if deliver:
                    self._end_all()
                continue
            self._seen, self._seen_ms = number, event.key[0]
            self._numbers.setdefault(event.channel, deque()).append(number)
            self._latest.pop(event.channel, None)
            self._latest[event.channel] = event.id
            if deliver:
                self._deliver(event)
        self._seen = max(self._seen, count)
        if count - SLOTS >= self._forgot + SLOTS // 8:  # now and then, not at every look
            self._forget(count - SLOTS)

    def _forget(self, gone: int) -> None:
        """Drop the index's numbers the ring no longer holds, and quiet channels' names."""
        self._forgot = gone
        for channel in list(self._numbers):
            numbers = self._numbers[channel]
            while numbers and numbers[0] <= gone:
                numbers.popleft()
            if not numbers:
                del self._numbers[channel]
                self._latest.pop(channel, None)

    def _end_all(self) -> None:
        for subs in list(self._subs.values()):
            for sub in list(subs):
                sub.end()

    async def _ready(self) -> None:
        self._start()

    async def replay(self, channel: str, after: str) -> list[Event] | None:
        self._start()
        since = parse_id(after)
        count, _ = _HEAD.unpack_from(self._map, 0)
        oldest = max(1, count - SLOTS + 1)
        if since is None or since[1] > count:
            return None  # not an id of this file's
        if since != ZERO and since[1] + 1 < oldest:
            return None  # some of what came after it has left the ring
        # The channel's numbers this worker has indexed, then what came since its last look.
        numbers = [n for n in self._numbers.get(channel, ()) if n > since[1] and n >= oldest]
        numbers += range(max(self._seen + 1, since[1] + 1, oldest), count + 1)
        name, events = channel.encode(), []
        for number in numbers:
            event = self._read(number, name)
            if event is not None:
                events.append(event)
        return self._capped(events)

    def latest(self, channel: str) -> str:
        self._start()
        return self._latest.get(channel, format_id(ZERO))

    def cursor(self) -> str:
        return format_id((self._seen_ms, self._seen))

    async def close(self) -> None:
        self.end_streams()
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        self._map.close()
        self._file.close()


def make_bus(redis_url: str, shared: Path | None = None) -> Bus:
    """Redis when there is one; else a file in ``shared`` (several workers on one machine);
    else this process's memory."""
    if redis_url:
        return RedisBus(redis_url)
    return FileBus(shared) if shared is not None else MemoryBus()


def end_streams_on_exit(bus: Bus) -> Callable[[], None]:
    """End the open streams as soon as the server is told to stop.

    uvicorn waits for every open response before it runs the lifespan shutdown, and a
    stream never finishes by itself; so this chains onto the server's SIGINT and SIGTERM
    handlers. Returns a function that puts the previous handlers back.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        loop.call_soon_threadsafe(bus.end_streams)
        before = previous.get(signum)
        if callable(before):
            before(signum, frame)
        elif before == signal.SIG_DFL:
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)

    def restore() -> None:
        for signum, before in previous.items():
            if signal.getsignal(signum) is handler:
                signal.signal(signum, before)

    return restore
