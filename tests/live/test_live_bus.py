"""The live event bus: fan-out in one process and through Redis, replay for pages that
reconnect, and events published only once their write has committed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.live.live_sse import redis_url as redis_url
from townsquare.domain import events
from townsquare.live import bus as live_bus
from townsquare.live.bus import Ended, FileBus, MemoryBus, RedisBus, parse_id

# Both modules empty Redis database 7: under pytest-xdist they run on one worker.
pytestmark = pytest.mark.xdist_group("redis-7")


async def _next(sub: live_bus.Subscription) -> live_bus.Event:
    event = await sub.get(10)
    assert event is not None, "no event came"
    return event


async def test_memory_bus_fans_out_to_the_channels_subscribers_only():
    """Every subscriber of a channel receives its events, in order; other channels' don't."""
    bus = MemoryBus()
    a, b = await bus.subscribe(["d1"]), await bus.subscribe(["d1", "m5"])
    other = await bus.subscribe(["d2"])
    bus.publish("d1", "comment", {"id": 1})
    bus.publish("m5", "unread", {})
    bus.publish("d1", "like", {"id": 1, "count": 2})
    got_a = [await _next(a), await _next(a)]
    got_b = [await _next(b) for _ in range(3)]
    assert [e.kind for e in got_a] == ["comment", "like"]
    assert [e.kind for e in got_b] == ["comment", "unread", "like"]
    assert parse_id(got_b[0].id) < parse_id(got_b[1].id) < parse_id(got_b[2].id)
    assert await other.get(0.01) is None
    a.close()
    bus.publish("d1", "comment", {"id": 2})
    assert (await _next(b)).data == {"id": 2}


async def test_memory_bus_replays_what_a_page_missed():
    """Replay gives the channel's events after an id; a page cursor of 0-0 gets all that is
    kept; an id from before this process, or no id at all, cannot be answered."""
    bus = MemoryBus()
    assert bus.latest("d1") == "0-0"
    bus.publish("d1", "comment", {"id": 1})
    first = bus.latest("d1")
    bus.publish("d2", "comment", {"id": 9})
    bus.publish("d1", "comment", {"id": 2})
    assert [e.data["id"] for e in await bus.replay("d1", first)] == [2]
    assert [e.data["id"] for e in await bus.replay("d1", "0-0")] == [1, 2]
    assert await bus.replay("d1", bus.latest("d1")) == []
    assert await bus.replay("d1", "1000-0") is None
    assert await bus.replay("d1", "not an id") is None


async def test_a_stream_too_far_behind_is_ended(monkeypatch):
    """A subscriber that does not keep up is ended (its page reconnects and catches up)."""
    monkeypatch.setattr(live_bus, "QUEUE_MAX", 3)
    bus = MemoryBus()
    slow = await bus.subscribe(["d1"])
    for n in range(5):
        bus.publish("d1", "like", {"id": n})
    for _ in range(3):
        await _next(slow)
    with pytest.raises(Ended):
        await slow.get(1)


async def test_ending_the_bus_ends_every_stream_and_refuses_new_ones():
    bus = MemoryBus()
    sub = await bus.subscribe(["d1"])
    bus.end_streams()
    with pytest.raises(Ended):
        await sub.get(1)
    with pytest.raises(Ended):
        await (await bus.subscribe(["d1"])).get(1)


async def test_events_are_published_only_after_their_transaction_commits(app, db, make):
    """announce() inside a transaction: nothing while it is open, nothing if it rolls back,
    the event once it commits."""
    member = await make.member()
    sub = await app.state.live.subscribe(["d7"])
    member.display_name = "Renamed"
    await db.flush()
    events.announce(db, "d7", "comment", id=1)
    assert await sub.get(0.01) is None
    await db.rollback()
    member = await db.merge(member)
    member.display_name = "Renamed again"
    await db.flush()
    events.announce(db, "d7", "comment", id=2)
    await db.commit()
    assert (await _next(sub)).data == {"id": 2}
    assert await sub.get(0.01) is None


async def test_redis_bus_carries_events_between_workers(redis_url):
    """Two buses on one Redis (two workers): what one publishes, the other's subscribers
    receive, and either can replay from the channel's stream."""
    a, b = RedisBus(redis_url), RedisBus(redis_url)
    try:
        on_b = await b.subscribe(["d3"])
        on_a = await a.subscribe(["d3"])
        a.publish("d3", "comment", {"id": 1})
        a.publish("d4", "comment", {"id": 99})
        a.publish("d3", "like", {"id": 1, "count": 1})
        got = [await _next(on_b), await _next(on_b)]
        assert [(e.kind, e.data["id"]) for e in got] == [("comment", 1), ("like", 1)]
        assert [e.id for e in got] == [(await _next(on_a)).id, (await _next(on_a)).id]
        assert parse_id(got[0].id) < parse_id(got[1].id)
        assert b.latest("d3") == got[1].id
        replayed = await b.replay("d3", got[0].id)
        assert [(e.id, e.kind, e.data) for e in replayed] == [(got[1].id, "like", got[1].data)]
        assert [e.data["id"] for e in await b.replay("d3", "0-0")] == [1, 1]
        assert await b.replay("d3", "1000-0") is None
    finally:
        await a.close()
        await b.close()


async def test_redis_bus_publishes_after_commit_through_the_app(redis_url, settings, tmp_path):
    """An app configured with Redis hands committed events to Redis, where another worker's
    bus receives them."""
    from townsquare.app import create_app

    settings.redis_url = redis_url
    app: Any = create_app(settings)
    other = RedisBus(redis_url)
    try:
        sub = await other.subscribe(["d8"])
        async with app.state.sessionmaker() as db:
            events.announce(db, "d8", "comment", id=5)
            await db.commit()
        assert (await _next(sub)).data == {"id": 5}
    finally:
        await other.close()
        await app.state.live.close()
        await app.state.engine.dispose()
        await asyncio.sleep(0)


async def test_file_bus_carries_events_between_workers_on_one_machine(tmp_path):
    """Two buses on one file, as two workers on one data directory: each subscriber gets
    every worker's events on its channel, in one order, with rising ids."""
    a, b = FileBus(tmp_path / "live-events"), FileBus(tmp_path / "live-events")
    on_a, on_b = await a.subscribe(["d1"]), await b.subscribe(["d1"])
    a.publish("d1", "comment", {"id": 1})
    b.publish("d2", "comment", {"id": 99})  # another channel: nobody here listens
    b.publish("d1", "like", {"id": 1, "count": 1})
    a.publish("d1", "comment", {"id": 2})
    for sub in (on_a, on_b):
        got = [await _next(sub) for _ in range(3)]
        assert [(e.kind, e.data["id"]) for e in got] == [
            ("comment", 1),
            ("like", 1),
            ("comment", 2),
        ]
        assert got[0].key < got[1].key < got[2].key
        assert await sub.get(0.2) is None
    assert parse_id(b.latest("d1")) == got[-1].key
    assert parse_id(a.cursor()) >= got[-1].key
    await a.close()
    await b.close()


async def test_file_bus_replays_what_a_page_missed_while_the_ring_holds_it(tmp_path, monkeypatch):
    monkeypatch.setattr(live_bus, "SLOTS", 8)
    bus, other = FileBus(tmp_path / "live-events"), FileBus(tmp_path / "live-events")
    other.publish("d1", "comment", {"id": 1})
    start = (await bus.replay("d1", "0-0"))[0].id
    for n in (2, 3):
        other.publish("d1", "comment", {"id": n})
        other.publish("d2", "comment", {"id": 100 + n})
    missed = await bus.replay("d1", start)
    assert [e.data["id"] for e in missed] == [2, 3]
    assert await bus.replay("d1", missed[-1].id) == []
    assert await bus.replay("d1", "99999999999999-999") is None  # not an id of this file's
    for n in range(4, 12):  # the ring of eight goes round: event 1's successors are gone
        other.publish("d1", "comment", {"id": n})
    assert await bus.replay("d1", start) is None
    assert [e.data["id"] for e in await bus.replay("d1", "0-0")][-1] == 11


async def test_a_worker_a_whole_ring_behind_ends_its_streams(tmp_path, monkeypatch):
    """Events it never saw are gone: its pages reconnect, and catch up or are told to reload."""
    monkeypatch.setattr(live_bus, "SLOTS", 8)
    slow, busy = FileBus(tmp_path / "live-events"), FileBus(tmp_path / "live-events")
    sub = await slow.subscribe(["d1"])
    for n in range(10):  # published before the slow worker looks again
        busy.publish("d1", "comment", {"id": n})
    with pytest.raises(Ended):
        for _ in range(10):
            await _next(sub)
    await slow.close()


async def test_a_worker_that_starts_late_delivers_only_what_comes_after_and_knows_the_rest(
    tmp_path,
):
    """Events published before a worker first looked are not pushed to its new streams
    (the page's cursor and replay cover them), yet its pages' cursors and replays know them."""
    early, late = FileBus(tmp_path / "live-events"), FileBus(tmp_path / "live-events")
    for n in range(3):
        early.publish("d1", "comment", {"id": n})
    sub = await late.subscribe(["d1"])
    assert parse_id(late.latest("d1"))[1] == 3
    assert [e.data["id"] for e in await late.replay("d1", "0-0")] == [0, 1, 2]
    early.publish("d1", "comment", {"id": 3})
    assert (await _next(sub)).data == {"id": 3}
    assert await sub.get(0.2) is None
    # A page of a site quiet for longer than the retention resumes with nothing missed.
    quiet = f"1000-{parse_id(late.latest('d1'))[1]}"
    assert await late.replay("d1", quiet) == []
    await late.close()


async def test_a_bad_look_at_the_file_does_not_stop_the_worker_listening(tmp_path, monkeypatch):
    bus = FileBus(tmp_path / "live-events")
    sub = await bus.subscribe(["d1"])
    real, calls = bus._catch_up, []

    def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("a bad read")
        real()

    monkeypatch.setattr(bus, "_catch_up", flaky)
    await asyncio.sleep(2 * live_bus.POLL_S)
    bus.publish("d1", "comment", {"id": 1})
    assert (await _next(sub)).data == {"id": 1}
    await bus.close()


async def test_file_bus_drops_an_event_too_large_for_a_slot_and_goes_on(tmp_path, caplog):
    bus = FileBus(tmp_path / "live-events")
    sub = await bus.subscribe(["d1"])
    bus.publish("d1", "comment", {"text": "x" * live_bus.SLOT_SIZE})
    bus.publish("d1", "comment", {"id": 2})
    assert (await _next(sub)).data == {"id": 2}
    assert "too large" in caplog.text
    await bus.close()


@pytest.mark.parametrize(
    ("workers", "redis", "bus"),
    [(2, "", FileBus), (1, "", MemoryBus), (2, "redis://127.0.0.1:6379/7", RedisBus)],
)
def test_the_workers_serve_starts_pick_their_bus(tmp_path, monkeypatch, workers, redis, bus):
    """`serve --workers 2` without Redis: the file; one worker: memory; Redis: Redis."""
    from townsquare.app import create_app
    from townsquare.cli import worker_environment
    from townsquare.config import Settings

    settings = Settings(data_dir=tmp_path, redis_url=redis)
    for name, value in worker_environment(settings, workers).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TOWNSQUARE_REDIS_URL", redis)
    assert isinstance(create_app(Settings()).state.live, bus)
