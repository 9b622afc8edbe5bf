"""The outermost layer of the app: a request id, one access-log record and the metrics
for every request, and the operator's endpoints answered before any session or CSRF
work (``/healthz``, ``/readyz``, ``/metrics``).

A plain ASGI middleware, not Starlette's BaseHTTPMiddleware: it only watches the
messages go by, so a streamed response (Server-Sent Events) is never buffered, and the
duration runs to the end of the response.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable
from time import perf_counter, time
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from townsquare.config import Settings
from townsquare.ops import health
from townsquare.ops.logs import ACCESS, quick_access
from townsquare.ops.metrics import Metrics, process_metrics, token_ok
from townsquare.web.security import headers_for

if TYPE_CHECKING:
    from townsquare.jobs.queue import Jobs

log = logging.getLogger(ACCESS)
INFO, DEBUG = logging.INFO, logging.DEBUG
REQUEST_ID = b"x-request-id"
_SANE_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
UNMATCHED = "unmatched"  # the route label for paths no route knows (404s): never the raw path
OTHER = "other"  # answered by something without a template (the OpenAPI document)


def route_template(scope: Scope, root_path: str) -> str | None:
    """The template of the route that answered (``/d/{discussion_id}``), once routing ran.

    FastAPI keeps an included router's prefix in its "effective route context"; the
    APIRoute in ``scope["route"]`` knows only its own part (``/groups`` for
    ``/api/v1/groups``). A mounted app (static files) shows as the root path it adds; a
    layer that answers before routing may set ``scope["townsquare.route"]``."""
    context = scope.get("fastapi", {}).get("effective_route_context")
    template = getattr(context, "path_format", None) or getattr(
        scope.get("route"), "path_format", None
    )
    if template is None and scope.get("root_path", "") != root_path:
        template = scope["root_path"][len(root_path) :] + "/{path}"
    # A layer that answers before routing (a page cache) may name the route it stands for.
    return template or scope.get("townsquare.route")


Endpoint = Callable[[Scope, Receive, Send], Awaitable[int]]


class _Ids:
    """Request ids: unique, not secret. A random prefix per process (64 bits, so two
    processes in years of logs do not share one) and a counter, so an id costs no system
    call (``os.urandom`` for each request was 7% of a cached page's CPU). A forked child
    draws a prefix of its own."""

    def __init__(self) -> None:
        self.restart()
        os.register_at_fork(after_in_child=self.restart)

    def restart(self) -> None:
        self.prefix = os.urandom(8).hex()
        self.counter = itertools.count(1)

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter):08x}"


new_request_id = _Ids().next


class OpsMiddleware:
    def __init__(
        self, app: ASGIApp, *, settings: Settings, engine: AsyncEngine, jobs: Jobs
    ) -> None:
        self.app = app
        self.settings = settings
        self.engine = engine
        self.jobs = jobs
        self.trust_ids = settings.trust_proxy_headers
        self.metrics: Metrics | None = process_metrics() if settings.metrics == "on" else None
        self.endpoints: dict[str, Endpoint] = {"/healthz": self.healthz, "/readyz": self.readyz}
        if self.metrics is not None:
            self.endpoints["/metrics"] = self.serve_metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        request_id = self._request_id(scope)
        endpoint = self.endpoints.get(scope["path"])
        if endpoint is not None:
            # Probes come every few seconds: logged at debug, not counted.
            status = await endpoint(scope, receive, send)
            if log.isEnabledFor(DEBUG):
                self._log(DEBUG, scope, scope["path"], status, start, request_id)
            return

        status = 500  # what the server answers if the app raises before it responds
        root_path = scope.get("root_path", "")
        id_header = (REQUEST_ID, request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = route_template(scope, root_path)
            if self.metrics is not None:
                label = route or (UNMATCHED if status == 404 else OTHER)
                self.metrics.observe(scope["method"], label, status, perf_counter() - start)
            if log.isEnabledFor(INFO):
                self._log(INFO, scope, route, status, start, request_id)

    def _request_id(self, scope: Scope) -> str:
        """A proxy's X-Request-ID when proxies are trusted and it looks sane, else a new one."""
        if self.trust_ids:
            for name, value in scope["headers"]:
                if name == REQUEST_ID and _SANE_ID.fullmatch(value):
                    return value.decode()
        return new_request_id()

    def _log(
        self,
        level: int,
        scope: Scope,
        route: str | None,
        status: int,
        start: float,
        request_id: str,
    ) -> None:
        ms = round((perf_counter() - start) * 1000, 2)
        path = scope["path"]
        params = scope.get("path_params")
        if params and "token" in params:  # password reset and unsubscribe links stay out of logs
            path = path.replace(str(params["token"]), "…")
        state = scope.get("state")
        viewer = state.get("viewer") if state else None
        fields = {
            "method": scope["method"],
            "path": path,
            "route": route,
            "status": status,
            "duration_ms": ms,
            "member_id": getattr(viewer, "id", None),
            "request_id": request_id,
        }
        quick = quick_access(log) if level == INFO else None
        if quick is not None:
            quick.write_access(fields, time())
            return
        # makeRecord + handle is what log.log does, less its walk up the stack for the
        # caller's file and line, which an access record does not need.
        args = (fields["method"], path, status, ms)
        record = log.makeRecord(ACCESS, level, __file__, 0, "%s %s %s %sms", args, None,
                                extra={"access": fields})  # fmt: skip
        log.handle(record)

    # -- the operator's endpoints -------------------------------------------------------

    async def healthz(self, scope: Scope, receive: Receive, send: Send) -> int:
        return await _json(send, 200, {"status": "ok"})

    async def readyz(self, scope: Scope, receive: Receive, send: Send) -> int:
        parts = await health.readiness(self.engine, self.jobs)
        failing = [name for name, state in parts.items() if state != "ok"]
        if failing:
            body = {"status": "unavailable", "failing": failing, "checks": parts}
            return await _json(send, 503, body)
        return await _json(send, 200, {"status": "ready", "checks": parts})

    async def serve_metrics(self, scope: Scope, receive: Receive, send: Send) -> int:
        authorization = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        if not token_ok(self.settings, authorization):
            headers = [(b"www-authenticate", b'Bearer realm="metrics"')]
            return await _json(send, 401, {"status": "send the metrics token"}, headers)
        assert self.metrics is not None
        body, content_type = await asyncio.to_thread(self.metrics.render, self.jobs)
        return await _send(send, 200, body, content_type.encode())


async def _json(
    send: Send, status: int, value: Any, headers: list[tuple[bytes, bytes]] | None = None
) -> int:
    body = json.dumps(value).encode()
    return await _send(send, status, body, b"application/json", headers)


async def _send(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> int:
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
            *headers_for(),  # answered outside SecurityMiddleware, so added here
            *(headers or ()),
        ],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})
    return status
