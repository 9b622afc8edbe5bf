"""The access log: one record per request (logger townsquare.access), JSON or plain."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys

import pytest

from townsquare.ops.logs import ACCESS, JsonFormatter, PlainFormatter, log_config, resolved_format
from townsquare.ops.middleware import OpsMiddleware

FIELDS = {"method", "path", "route", "status", "duration_ms", "member_id", "request_id"}


def access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == ACCESS]


async def test_one_record_per_request_with_route_member_and_request_id(client, db, make, caplog):
    """A member reads a discussion: one record with the route template, their id, 200,
    and the request id the response carries."""
    member = await make.member()
    discussion = await make.discussion(await make.group(members=(member,)), member)
    await client.log_in_as(db, member)
    with caplog.at_level(logging.INFO, logger=ACCESS):
        r = await client.get(f"/d/{discussion.id}")
    assert r.status_code == 200
    [record] = access_records(caplog)
    fields = record.access  # type: ignore[attr-defined]
    assert set(fields) == FIELDS
    assert fields["method"] == "GET" and fields["path"] == f"/d/{discussion.id}"
    assert fields["route"] == "/d/{discussion_id}"
    assert fields["status"] == 200 and fields["member_id"] == member.id
    assert fields["request_id"] == r.headers["x-request-id"]
    assert isinstance(fields["duration_ms"], float) and fields["duration_ms"] >= 0

    line = json.loads(JsonFormatter().format(record))
    assert set(line) == FIELDS | {"time", "level", "logger"}
    assert line["logger"] == ACCESS and line["level"] == "info"
    assert line["time"].endswith("Z") and line["route"] == "/d/{discussion_id}"


async def test_a_visitor_and_an_unknown_path(client, caplog):
    """No log-in: member_id null; a path no route knows: route null, status 404."""
    with caplog.at_level(logging.INFO, logger=ACCESS):
        await client.get("/login")
        await client.get("/no/such/page")
    login, missing = (r.access for r in access_records(caplog))  # type: ignore[attr-defined]
    assert login["member_id"] is None and login["route"] == "/login" and login["status"] == 200
    assert missing["route"] is None and missing["status"] == 404


async def test_api_routes_log_their_whole_template(client, caplog):
    """Included routers' prefixes are part of the template: /api/v1/groups/{slug}."""
    with caplog.at_level(logging.INFO, logger=ACCESS):
        await client.get("/api/v1/groups/nobody-here")
        await client.get("/static/app.css")
    api, static = (r.access for r in access_records(caplog))  # type: ignore[attr-defined]
    assert api["route"] == "/api/v1/groups/{slug}" and api["status"] == 404
    assert static["route"] == "/static/{path}" and static["status"] == 200


async def test_tokens_in_links_stay_out_of_the_log(client, caplog):
    """Unsubscribe and password-reset links carry secrets in the path; the log omits them."""
    with caplog.at_level(logging.INFO, logger=ACCESS):
        await client.get("/unsubscribe/very-secret-token-123")
    [record] = access_records(caplog)
    assert "very-secret-token-123" not in json.dumps(record.access)  # type: ignore[attr-defined]
    assert record.access["route"] == "/unsubscribe/{token}"  # type: ignore[attr-defined]


async def test_a_proxys_request_id_is_kept_only_behind_a_trusted_proxy(app, client, settings):
    """X-Request-ID from the client is ignored unless proxy headers are trusted."""
    r = await client.get("/login", headers={"X-Request-ID": "from-proxy-1"})
    assert r.headers["x-request-id"] != "from-proxy-1"
    trusting = OpsMiddleware(app, settings=settings.model_copy(update={"trust_proxy_headers": True}),
                             engine=app.state.engine, jobs=app.state.jobs)  # fmt: skip
    scope = {"headers": [(b"x-request-id", b"from-proxy-1")]}
    assert trusting._request_id(scope) == "from-proxy-1"
    scope = {"headers": [(b"x-request-id", b"bad id\n{}")]}
    assert trusting._request_id(scope) != "bad id\n{}"


async def test_a_streamed_response_passes_through_unbuffered_and_is_logged_at_its_end(
    app, settings, caplog
):
    """The first chunk reaches the server while the app still streams; the record comes
    after the last chunk, with the status the stream started with."""
    second_chunk_may_go = asyncio.Event()

    async def streaming_app(scope, receive, send):  # type: ignore[no-untyped-def]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
        await second_chunk_may_go.wait()
        await send({"type": "http.response.body", "body": b"data: 2\n\n"})

    middleware = OpsMiddleware(streaming_app, settings=settings, engine=app.state.engine,
                               jobs=app.state.jobs)  # fmt: skip
    records_at_last_chunk: list[int] = []

    async def server_send(message):  # type: ignore[no-untyped-def]
        if message.get("body") == b"data: 1\n\n":
            second_chunk_may_go.set()  # only reached if the chunk was not held back
        if message.get("body") == b"data: 2\n\n":
            records_at_last_chunk.append(len(access_records(caplog)))

    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "GET", "path": "/live", "headers": [], "root_path": ""}
    with caplog.at_level(logging.INFO, logger=ACCESS):
        await asyncio.wait_for(middleware(scope, receive, server_send), timeout=5)
    assert records_at_last_chunk == [0]
    [record] = access_records(caplog)
    assert record.access["status"] == 200  # type: ignore[attr-defined]


async def test_an_app_error_is_logged_as_500(app, settings, caplog):
    """An exception before any response is logged with status 500, and still raised."""

    async def broken(scope, receive, send):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    middleware = OpsMiddleware(broken, settings=settings, engine=app.state.engine,
                               jobs=app.state.jobs)  # fmt: skip
    scope = {"type": "http", "method": "POST", "path": "/x", "headers": [], "root_path": ""}
    with caplog.at_level(logging.INFO, logger=ACCESS), pytest.raises(RuntimeError):
        await middleware(scope, None, None)
    assert [r.access["status"] for r in access_records(caplog)] == [500]  # type: ignore[attr-defined]


def test_the_format_setting_and_auto(settings, monkeypatch):
    """json and plain as asked; auto is plain at a terminal and JSON otherwise."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    settings.log_format = "auto"
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert resolved_format(settings) == "json"
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert resolved_format(settings) == "plain"
    assert log_config(settings)["formatters"]["townsquare"]["()"].endswith("PlainFormatter")
    settings.log_format = "json"
    assert resolved_format(settings) == "json"
    assert log_config(settings)["loggers"]["uvicorn.access"]["propagate"] is False


def test_plain_lines_read_as_a_request():
    """A plain access line: method, path, status, duration, member and request id."""
    record = logging.LogRecord(ACCESS, logging.INFO, __file__, 1, "x", None, None)
    record.access = {"method": "GET", "path": "/d/3", "route": "/d/{discussion_id}",  # type: ignore[attr-defined]
                     "status": 200, "duration_ms": 1.25, "member_id": None, "request_id": "ab12"}  # fmt: skip
    line = PlainFormatter().format(record)
    assert line.endswith("info townsquare.access: GET /d/3 200 1.25ms member=- id=ab12")
