"""Live updates across real server processes: two `townsquare serve` workers sharing one
database and one Redis, and a server that stops while pages are listening."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import SECRET, Client
from tests.live.live_sse import PATIENCE_S, open_stream
from tests.live.live_sse import redis_url as redis_url
from townsquare.config import Settings

# Both modules empty Redis database 7: under pytest-xdist they run on one worker.
pytestmark = pytest.mark.xdist_group("redis-7")

REPO = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _server(settings: Settings, redis: str, log: Path) -> Iterator[tuple[str, subprocess.Popen]]:  # type: ignore[type-arg]
    """`python -m townsquare serve` on the test's database; its URL and process. Without
    Redis, its live events go through the data directory's file, as `serve --workers N`
    arranges for its own workers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSQUARE_")}
    env.update(
        TOWNSQUARE_DATABASE_URL=settings.database_url, TOWNSQUARE_SECRET_KEY=SECRET,
        TOWNSQUARE_REDIS_URL=redis, TOWNSQUARE_POST_RATE="1000/minute",
        TOWNSQUARE_REVIEW_BELOW_LEVEL="1", TOWNSQUARE_SHARED_LIVE=str(not redis).lower(),
    )  # fmt: skip
    port = _port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "townsquare", "serve", "--data-dir", str(settings.data_dir),
             "--port", str(port), "--no-queue"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


async def _up(url: str, proc: subprocess.Popen, log: Path) -> None:  # type: ignore[type-arg]
    async with httpx.AsyncClient() as c:
        for _ in range(600):
            if proc.poll() is not None:
                pytest.fail(f"the server exited:\n{log.read_text()}")
            with contextlib.suppress(httpx.TransportError):
                if (await c.get(url + "/static/app.css")).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    pytest.fail(f"the server did not start:\n{log.read_text()}")


@contextlib.asynccontextmanager
async def _two(settings, redis: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    with (
        _server(settings, redis, tmp_path / "a.log") as a,
        _server(settings, redis, tmp_path / "b.log") as b,
    ):
        await asyncio.gather(_up(*a, tmp_path / "a.log"), _up(*b, tmp_path / "b.log"))
        yield [a, b]


@pytest.fixture
async def workers(
    settings, redis_url, tmp_path
) -> AsyncIterator[list[tuple[str, subprocess.Popen]]]:  # type: ignore[type-arg]
    async with _two(settings, redis_url, tmp_path) as both:
        yield both


async def test_a_comment_posted_through_one_worker_reaches_a_reader_on_another(workers, make, db):
    """Worker A takes the comment; the reader connected to worker B gets its event, then
    B's page and the comment's live fragment show it. Then A is stopped with a page still
    listening: its stream ends and A exits, instead of waiting for a response that never
    finishes. (One test: each server start costs seconds.)"""
    (url_a, proc_a), (url_b, _) = workers
    await _through_one_read_on_the_other(url_a, url_b, make, db)
    async with Client(base_url=url_a) as on_a:
        host = await make.member()
        await on_a.log_in_as(db, host)
        group = await make.group(host)
        d = await make.discussion(group, host)
        async with open_stream(on_a, f"/d/{d.id}/events") as listening:
            await listening.next("unread")
            proc_a.send_signal(signal.SIGTERM)
            assert await listening.ended()
    # uvicorn re-raises the signal once it has shut down cleanly.
    assert await asyncio.to_thread(proc_a.wait, PATIENCE_S) in (0, -signal.SIGTERM)


async def test_without_redis_workers_on_one_machine_meet_in_the_data_directory(
    settings, tmp_path, make, db
):
    """No Redis: two servers on one data directory (as `serve --workers 2` runs them) still
    reach each other's open pages, through the live events file."""
    if settings.database_url:
        pytest.skip("one machine's data directory: the SQLite pass covers it")
    async with _two(settings, "", tmp_path) as ((url_a, _), (url_b, _)):
        await _through_one_read_on_the_other(url_a, url_b, make, db)
    assert (settings.data_dir / "live-events").exists()


async def _through_one_read_on_the_other(url_a: str, url_b: str, make, db) -> None:  # type: ignore[no-untyped-def]
    host = await make.member()
    group = await make.group(host)
    d = await make.discussion(group, host)
    writer = await make.member()
    await make.join(writer, group)
    async with Client(base_url=url_a) as on_a, Client(base_url=url_b) as on_b:
        await on_a.log_in_as(db, writer)
        await on_b.log_in_as(db, host)
        async with open_stream(on_b, f"/d/{d.id}/events") as stream:
            await stream.next("unread")  # the stream is open: B is listening
            posted = await on_a.form(f"/d/{d.id}/comments", {"body": "Sent through A."})
            assert posted.status_code == 303
            got = {m.kind: m for m in [await stream.next("comment", "unread") for _ in "ab"]}
            msg = got["comment"]
            assert msg.data["comment_count"] == 1 and msg.data["page"] == 1
            assert got["unread"].data == {"count": 1}  # the host's notification of it
        page = await on_b.get(f"/d/{d.id}")
        fragment = await on_b.get(f"/c/{msg.data['id']}/live")
        assert "Sent through A." in page.text and "Sent through A." in fragment.text
