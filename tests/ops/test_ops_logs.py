"""The access log: one record per request (logger townsquare.access), JSON or plain."""

from __future__ import annotations

import asyncio
import calendar
import io
import json
import logging
import os
import sys
import time

import pytest

from townsquare.ops.logs import (
    ACCESS,
    BatchedStreamHandler,
    JsonFormatter,
    PlainFormatter,
    log_config,
    quick_access,
    resolved_format,
)
from townsquare.ops.middleware import OpsMiddleware, new_request_id

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


def _standalone(formatter: logging.Formatter, stream: io.StringIO):  # type: ignore[no-untyped-def]
    """townsquare.access under a root of its own, as serve configures it: one batched handler."""
    root = logging.RootLogger(logging.WARNING)
    handler = BatchedStreamHandler(stream)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    access = logging.Logger(ACCESS, logging.INFO)
    access.parent = root
    return access, handler


@pytest.mark.parametrize("formatter", [JsonFormatter, PlainFormatter])
async def test_the_quick_access_line_is_the_line_a_record_would_give(
    app, settings, monkeypatch, formatter
):
    """Under serve's set-up the middleware formats its own line; it matches, field for
    field, what the formatter makes of the access record the ordinary way."""
    stream = io.StringIO()
    access, handler = _standalone(formatter(), stream)
    assert quick_access(access) is handler
    monkeypatch.setattr("townsquare.ops.middleware.log", access)

    async def page(scope, receive, send):  # type: ignore[no-untyped-def]
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def nowhere(message):  # type: ignore[no-untyped-def]
        pass

    middleware = OpsMiddleware(page, settings=settings, engine=app.state.engine,
                               jobs=app.state.jobs)  # fmt: skip
    scope = {"type": "http", "method": "GET", "path": "/g/x", "headers": [], "root_path": ""}
    await middleware(scope, None, nowhere)
    assert stream.getvalue() == ""  # waiting for the loop's next turn
    await asyncio.sleep(0)
    [line] = stream.getvalue().splitlines()

    # The same request's fields through a LogRecord, at the same moment, the ordinary way.
    record = logging.LogRecord(ACCESS, logging.INFO, __file__, 1, "x", None, None)
    if formatter is JsonFormatter:
        quick = json.loads(line)
        record.access = {k: quick[k] for k in FIELDS}  # type: ignore[attr-defined]
        record.created = _created(quick["time"])
        assert json.loads(handler.format(record)) == quick
        assert quick["status"] == 201 and quick["path"] == "/g/x" and quick["level"] == "info"
    else:
        rest = line.split(" ", 1)[1]  # after the clock time
        words = rest.split()
        record.access = {"method": "GET", "path": "/g/x", "route": None, "status": 201,  # type: ignore[attr-defined]
                         "duration_ms": words[5].removesuffix("ms"), "member_id": None,
                         "request_id": words[7].removeprefix("id=")}  # fmt: skip
        assert handler.format(record).split(" ", 1)[1] == rest
        assert rest.startswith("info townsquare.access: GET /g/x 201 ")


def _created(stamp: str) -> float:
    """The epoch seconds of a JSON line's ``time``, to the millisecond."""
    whole, ms = stamp.rstrip("Z").split(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + int(ms) / 1000 + 0.0004


def test_any_other_handler_or_filter_takes_the_ordinary_way():
    """A second handler (a test's capture), a handler of another kind, or a filter on the
    way: no quick line, so each of them still sees every record."""
    access, handler = _standalone(JsonFormatter(), io.StringIO())
    assert quick_access(access) is handler
    access.parent.addHandler(logging.NullHandler())  # type: ignore[union-attr]
    assert quick_access(access) is None
    access, handler = _standalone(JsonFormatter(), io.StringIO())
    access.addFilter(lambda record: True)
    assert quick_access(access) is None
    access, handler = _standalone(logging.Formatter(), io.StringIO())
    assert quick_access(access) is None  # a formatter that knows no access lines
    access, handler = _standalone(JsonFormatter(), io.StringIO())
    handler.setLevel(logging.WARNING)
    assert quick_access(access) is None


def _fields(path: str) -> dict[str, object]:
    return {"method": "GET", "path": path, "route": None, "status": 200, "duration_ms": 0.5,
            "member_id": None, "request_id": "ab12"}  # fmt: skip


def _paths(stream: io.StringIO) -> list[str]:
    lines = stream.getvalue().splitlines()
    return [line.split()[4] for line in lines if " townsquare.access: GET " in line]


async def test_access_lines_go_out_together_at_the_loops_next_turn():
    """Quick access lines wait for the loop's next turn and then go out in one write, in
    order; an ordinary record takes the waiting ones along before itself."""
    stream = io.StringIO()
    logger, handler = _standalone(PlainFormatter(), stream)
    handler.write_access(_fields("/one"), time.time())
    handler.write_access(_fields("/two"), time.time())
    assert stream.getvalue() == ""
    await asyncio.sleep(0)
    assert _paths(stream) == ["/one", "/two"]
    handler.write_access(_fields("/three"), time.time())
    logger.warning("four")
    assert _paths(stream) == ["/one", "/two", "/three"]
    assert stream.getvalue().splitlines()[-1].endswith("four")
    await asyncio.sleep(0)
    assert stream.getvalue().count("/three") == 1


def test_a_flush_lost_with_its_loop_does_not_hold_back_later_lines():
    """A line written on a loop that closed before its flush ran goes out with the next
    line written on a running loop."""
    stream = io.StringIO()
    _, handler = _standalone(PlainFormatter(), stream)

    lost = asyncio.new_event_loop()
    lost.close()
    handler.waiting.append(PlainFormatter().access_line(_fields("/first"), time.time()) + "\n")
    handler.due_on = lost  # its flush was queued there and never ran
    assert stream.getvalue() == ""

    async def on_a_later_loop() -> None:
        handler.write_access(_fields("/second"), time.time())
        await asyncio.sleep(0)

    asyncio.run(on_a_later_loop())
    assert _paths(stream) == ["/first", "/second"]


def test_with_no_loop_running_an_access_line_is_written_at_once():
    stream = io.StringIO()
    _, handler = _standalone(PlainFormatter(), stream)
    handler.write_access(_fields("/alone"), time.time())
    assert _paths(stream) == ["/alone"]


def test_request_ids_are_unique_and_a_forked_child_draws_its_own():
    ids = {new_request_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        os.write(writer, new_request_id().encode())
        os._exit(0)
    os.waitpid(child, 0)
    theirs = os.read(reader, 64).decode()
    ours = new_request_id()
    assert theirs[:16] != ours[:16] and len(theirs) == len(ours) == 24
