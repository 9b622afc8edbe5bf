"""The page cache for visitors who are not logged in, and ETags for every HTML page.

Visitors make most of a public community's page views and all see the same page, so the
home page, group pages and discussion pages are kept rendered, per worker, and served
before routing. Each entry remembers the version counters it was rendered under
(``townsquare/versions.py``): "site" and "d:<id>" for a discussion, "site" and "home" for
the feeds. Writes bump those counters when they commit (``townsquare/db/changes.py``), so
the next request renders the page again: a visitor never sees a page older than the last
committed write. Entries also expire after ``page_cache_seconds``, for what changes with
the clock alone (the "Top of the day" tab). Visitors who ask for a page while it is being
rendered wait for that rendering instead of starting their own, so a write to a busy page
costs one rendering per worker, not one per reader.

A visitor's forms still need the CSRF token of their own visitor cookie: the cached copy
holds a placeholder of the same length, replaced on the way out.

Logged-in pages pass through (discussion pages have kept copies of their own, shared per
kind of member: ``keptpages.py``); they and everything else in HTML get an ETag, so a
repeat visit that finds nothing new is answered 304 with no body.

With ``page_cache_verify`` (the test suite turns it on) every hit is also rendered afresh
and compared, and a difference is an error: any write that fails to bump what it touched
makes some test fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from townsquare.config import Settings
from townsquare.db.changes import HOME, SITE, discussion_key
from townsquare.versions import Versions
from townsquare.web.security import SESSION_COOKIE, csrf_token_for

# "/", "/d/<id>", "/g/<slug>": the pages most visitors read.
CACHED = re.compile(r"/(?:d/(\d+)|g/[a-z0-9-]+)?")
# How long a visitor waits for someone else's rendering of the page before rendering it too.
RENDER_WAIT_S = 5.0
# Stands in for the visitor's CSRF token in a cached page: the same length, never guessable.
PLACEHOLDER = secrets.token_hex(32)
_PLACEHOLDER = PLACEHOLDER.encode()


def cache_budgets(settings: Settings) -> tuple[int, int]:
    """Bytes for visitors' pages, and for the threads and members' pages (web/fragments.py):
    TOWNSQUARE_PAGE_CACHE_MB between them, half each."""
    half = settings.page_cache_mb * 1024 * 1024 // 2
    return half, half


class StaleEntry(AssertionError):
    """Raised in verify mode when a cached page differs from a fresh rendering."""


@dataclass
class Entry:
    versions: tuple[int, ...]
    born: float
    headers: list[tuple[bytes, bytes]]
    parts: list[bytes]  # the body cut at each placeholder; kept once, not also whole
    digest: str
    size: int  # the body's length

    @classmethod
    def of(
        cls, versions: tuple[int, ...], headers: list[tuple[bytes, bytes]], body: bytes
    ) -> Entry:
        digest = hashlib.blake2b(body, digest_size=12).hexdigest()
        parts = body.split(_PLACEHOLDER)
        return cls(versions, time.monotonic(), headers, parts, digest, len(body))

    def filled(self, token: bytes) -> bytes:
        return token.join(self.parts)


@dataclass
class Captured:
    status: int = 0
    headers: list[tuple[bytes, bytes]] | None = None
    body: bytes = b""
    streamed: bool = False


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def _has_session(scope: Scope) -> bool:
    cookie = _header(scope, b"cookie")
    return bool(cookie) and SESSION_COOKIE.encode() + b"=" in cookie


class PageCache:
    def __init__(self, app: ASGIApp, settings: Settings, secret: str, versions: Versions) -> None:
        self.app = app
        self.secret = secret
        self.versions = versions
        self.enabled = settings.page_cache_mb > 0
        self.budget = cache_budgets(settings)[0]
        self.seconds = settings.page_cache_seconds
        self.verify = settings.page_cache_verify
        self.entries: OrderedDict[bytes, Entry] = OrderedDict()
        self.rendering: dict[bytes, asyncio.Event] = {}  # pages being rendered, set when done
        self.size = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        match = CACHED.fullmatch(scope["path"]) if self.enabled else None
        plain = _header(scope, b"authorization") is None and _header(scope, b"hx-request") is None
        if match is not None and match[1] and plain and _has_session(scope):
            # A member's discussion page may be answered from a kept copy (web/keptpages.py).
            found = await scope["app"].state.kept_pages.answer_before_routing(scope, receive)
            if found is not None:
                scope["townsquare.route"] = "/d/{discussion_id}"
                await self._with_etag(scope, receive, send, found)
                return
        if match is None or not plain or _has_session(scope):
            await self._with_etag(scope, receive, send)
            return
        deps = (SITE, discussion_key(int(match[1]))) if match[1] else (SITE, HOME)
        key = b"%s|%s?%s" % (_header(scope, b"host") or b"", scope["path"].encode(),
                             scope["query_string"])  # fmt: skip
        versions = await self.versions.read(deps)
        entry = self._current(key, versions)
        rendering = self.rendering.get(key)
        if entry is None and rendering is not None:
            # Someone is rendering this page now: wait for their copy rather than render it
            # again, so a write to a busy page costs one rendering, not one per reader. A
            # rendering that takes longer than a few seconds is not waited for to its end.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(rendering.wait(), RENDER_WAIT_S)
            entry = self._current(key, versions)
        if entry is not None:
            self.entries.move_to_end(key)
            # Answered before routing: name the route for the access log and metrics.
            scope["townsquare.route"] = (
                "/d/{discussion_id}"
                if match[1]
                else ("/g/{slug}" if scope["path"].startswith("/g/") else "/")
            )
            if self.verify:
                await self._check(scope, receive, entry)
            await self._send(scope, send, entry, b"hit")
            return
        done = None if key in self.rendering else self.rendering.setdefault(key, asyncio.Event())
        try:
            got = await self._render(scope, receive)
        finally:
            if done is not None:
                del self.rendering[key]
                done.set()  # whoever waits finds the copy kept below, or renders for themselves
        entry = Entry.of(versions, got.headers or [], got.body)
        if got.status == 200 and not got.streamed and self._storable(entry):
            self._keep(key, entry)
            await self._send(scope, send, entry, b"miss")
            return
        await self._send_plain(scope, send, got)

    def _current(self, key: bytes, versions: tuple[int, ...]) -> Entry | None:
        """The kept copy of a page if it was rendered under these versions and is not too old."""
        entry = self.entries.get(key)
        if entry is not None and (
            entry.versions != versions or time.monotonic() - entry.born > self.seconds
        ):
            self._drop(key)
            entry = None
        return entry

    async def _render(self, scope: Scope, receive: Receive) -> Captured:
        """Run the app for this request with the placeholder token and keep what it answers."""
        scope.setdefault("state", {})["csrf"] = PLACEHOLDER
        got = Captured()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                got.status, got.headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                got.body += message.get("body", b"")
                got.streamed = got.streamed or message.get("more_body", False)

        await self.app(scope, receive, capture)
        return got

    @staticmethod
    def _storable(entry: Entry) -> bool:
        return not any(k == b"set-cookie" for k, _ in entry.headers) and any(
            k == b"content-type" and v.startswith(b"text/html") for k, v in entry.headers
        )

    def _keep(self, key: bytes, entry: Entry) -> None:
        if entry.size > self.budget // 4:
            return
        self._drop(key)  # a copy kept again (two renderings at once): count only the new one
        self.entries[key] = entry
        self.size += entry.size
        while self.size > self.budget:
            self._drop(next(iter(self.entries)))

    def _drop(self, key: bytes) -> None:
        gone = self.entries.pop(key, None)
        if gone is not None:
            self.size -= gone.size

    def _token(self, scope: Scope) -> bytes:
        return csrf_token_for(self.secret, "a:" + scope["state"]["anon"]).encode()

    async def _send(self, scope: Scope, send: Send, entry: Entry, how: bytes) -> None:
        token = self._token(scope)
        etag = b'"%s-%s"' % (entry.digest.encode(), token[:12])
        headers = [h for h in entry.headers if h[0] != b"content-length"]
        headers += [(b"etag", etag), (b"cache-control", b"no-cache"), (b"x-cache", how)]
        if _header(scope, b"if-none-match") == etag:
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = entry.filled(token)
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _send_plain(self, scope: Scope, send: Send, got: Captured) -> None:
        """An answer not kept (an error page, a redirect): sent as it came, token filled in."""
        body = got.body.replace(_PLACEHOLDER, self._token(scope))
        headers = [h for h in got.headers or [] if h[0] != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": got.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _check(self, scope: Scope, receive: Receive, entry: Entry) -> None:
        fresh = await self._render(scope, receive)
        if fresh.body != _PLACEHOLDER.join(entry.parts):
            raise StaleEntry(
                f"the cached copy of {scope['path']}?{scope['query_string'].decode()} is out "
                "of date: a write did not bump the version of what it changed"
            )

    async def _with_etag(
        self, scope: Scope, receive: Receive, send: Send, app: ASGIApp | None = None
    ) -> None:
        """Pass the request on (or to ``app``, an answer already made); a one-piece HTML
        answer gets an ETag (and 304 when it matches)."""
        start: Message | None = None

        async def send_with_etag(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            first, start = start, None
            headers = list(first.get("headers", []))
            html = any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers)
            if first["status"] != 200 or message.get("more_body", False) or not html:
                await send(first)
                await send(message)
                return
            body = message.get("body", b"")
            etag = next((v for k, v in headers if k == b"etag"), None)  # named by its maker
            if etag is None:
                etag = b'"%s"' % hashlib.blake2b(body, digest_size=12).hexdigest().encode()
                headers.append((b"etag", etag))
            if not any(k == b"cache-control" for k, _ in headers):
                headers.append((b"cache-control", b"private, no-cache"))
            if _header(scope, b"if-none-match") == etag:
                headers = [h for h in headers if h[0] != b"content-length"]
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**first, "headers": headers})
            await send(message)

        await (app or self.app)(scope, receive, send_with_etag)
