"""For the live tests: reading an event stream, serving the app on a real socket, Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn

REDIS_URL = "redis://127.0.0.1:6379/7"  # the live tests' own Redis database
PATIENCE_S = 15  # a test fails, never hangs, when an awaited event does not come


@dataclass
class Message:
    kind: str | None
    data: Any = None
    id: str | None = None
    comments: list[str] = field(default_factory=list)


class Stream:
    """The messages of one open event stream, one at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def message(self) -> Message:
        msg = Message(None)
        seen = False
        while True:
            line = await asyncio.wait_for(anext(self._lines), PATIENCE_S)
            if line == "":
                if seen:
                    return msg
                continue
            seen = True
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "":
                msg.comments.append(value)
            elif name == "id":
                msg.id = value
            elif name == "event":
                msg.kind = value
            elif name == "data":
                msg.data = json.loads(value)

    async def next(self, *kinds: str) -> Message:
        """The next message of one of these kinds (others, heartbeats too, are passed over),
        within PATIENCE_S in all: heartbeats alone never keep a test waiting."""
        async with asyncio.timeout(PATIENCE_S):
            while True:
                msg = await self.message()
                if msg.kind in kinds:
                    return msg

    async def ended(self) -> bool:
        """Read to the end: True once the server closes the stream."""
        try:
            while True:
                await self.message()
        except StopAsyncIteration:
            return True


@contextlib.asynccontextmanager
async def open_stream(client: httpx.AsyncClient, url: str, **headers: str) -> AsyncIterator[Stream]:
    async with client.stream("GET", url, headers=headers, timeout=PATIENCE_S) as response:
        yield Stream(response)


@contextlib.asynccontextmanager
async def serve_in_loop(app: Any) -> AsyncIterator[str]:
    """The app on a real socket of 127.0.0.1, served by uvicorn in this event loop; its URL.

    In-process httpx does not stream a response while it is being written; a real server
    does, and the test can still write through the app's own sessions.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        app.state.live.end_streams()  # as a stopping server does, so no response stays open
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """Redis database 7, emptied; the test skips where no Redis runs."""
    redis = pytest.importorskip("redis.asyncio")
    client = redis.from_url(REDIS_URL)
    try:
        await client.flushdb()
    except Exception:
        await client.aclose()
        pytest.skip("no Redis on 127.0.0.1:6379")
    yield REDIS_URL
    await client.flushdb()
    await client.aclose()
