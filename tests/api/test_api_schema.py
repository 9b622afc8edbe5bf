"""The API keeps the promises of its own OpenAPI document, checked by schemathesis.

Every operation in /api/openapi.json gets a bounded number of generated requests from a
visitor's browser (valid ones) and from a site admin's bearer token (valid and invalid
ones), against the real app over a small seeded world: path parameters often name a
group, member, discussion or comment that exists, so the fuzzing reaches past "not
found". Every answer must be no 5xx, with a status code and content type the document
declares for that operation, and a body that matches the declared schema.

Hypothesis drives the generation in a worker thread; each request runs on the test's own
event loop, where the app and its database engine live.
TOWNSQUARE_TEST_FUZZ_SCALE=10 multiplies the examples for a deeper run by hand.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Link, Membership, Notification
from townsquare.domain import accounts, reports
from townsquare.ratelimit import Rate
from townsquare.web.security import ANON_COOKIE, csrf_token_for

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Requests per operation, for each kind of client: enough to reach each route's main
# branches with the seeded values, few enough to keep the module to seconds. A visitor's
# invalid requests meet the same validation as the admin's, so only the admin sends them.
EXAMPLES = {
    "admin": {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 3},
    "visitor": {GenerationMode.POSITIVE: 3},
}
# Each of these checks or hashes a password: argon2id is slow on purpose, so one will do.
SLOW = {"POST /api/v1/auth/login", "POST /api/v1/auth/tokens", "POST /api/v1/auth/signup"}
BASE = "http://testserver"
VISITOR = "visitor-under-test"
Send = Callable[[Any], Awaitable[httpx.Response]]


@dataclass
class World:
    token: str  # the admin's bearer token
    known: dict[str, list[Any]]  # path parameter -> values that exist


async def seed(make: Any, db: AsyncSession) -> World:
    """A small community: an admin hosting a public and a private group, two members
    talking, a reply, a report, a join request, a group ban, a fetched article."""
    ada = await make.member("ada", role="admin")
    bob, cy, dee, eve = [await make.member(n) for n in ("bob", "cy", "dee", "eve")]
    town = await make.group(ada, slug="town", members=(bob, cy))
    hidden = await make.group(ada, slug="hidden", visibility="private")
    db.add(Membership(group_id=hidden.id, member_id=dee.id, state="requested"))
    db.add(Membership(group_id=town.id, member_id=eve.id, state="banned"))
    link = Link(url="https://example.org/a", url_hash="a" * 64, canonical_hash="a" * 64,
                status="ok", kind="article", title="An article", site_name="Example",
                lead="The lead.", blocks='[["p", "A paragraph."], ["h2", "A heading"]]')  # fmt: skip
    db.add(link)
    await db.commit()
    first = await make.discussion(town, bob, title="Bridges", body="About *bridges*.")
    second = await make.discussion(town, ada, title="Parks")
    third = await make.discussion(town, cy, title="Parks again")
    second.link_id = third.link_id = link.id
    await db.commit()
    c1 = await make.comment(first, ada, body="A comment for @cy.")
    c2 = await make.comment(first, cy, body="A reply.", parent=c1)
    c3 = await make.comment(second, bob)
    report = await reports.report(db, cy, "comment", c3.id, "Off topic.")
    notes = await db.scalars(select(Notification.id).where(Notification.recipient_id == ada.id))
    token = await accounts.open_session(db, ada, days=None, kind="api", label="schemathesis")
    return World(
        token=token,
        known={
            "slug": [town.slug, hidden.slug],
            "name": ["ada", "bob", "cy", "dee", "eve"],
            "discussion_id": [first.id, second.id, third.id],
            "comment_id": [c1.id, c2.id, c3.id],
            "report_id": [report.id],
            "notification_id": list(notes) or [1],
            "id": [first.id, second.id, c1.id, c2.id, c3.id, bob.id],
        },
    )


def cases(operation: Any, mode: GenerationMode, known: dict[str, list[Any]]) -> Any:
    """Generated requests; valid ones mostly aim their path parameters at what exists."""
    generated = operation.as_strategy(generation_mode=mode)
    if mode is not GenerationMode.POSITIVE:
        return generated

    @st.composite
    def aimed(draw: st.DrawFn) -> Any:
        case = draw(generated)
        for name in list(case.path_parameters or {}):
            if name in known and draw(st.integers(0, 3)):
                case.path_parameters[name] = draw(st.sampled_from(known[name]))
        # Ids inside bodies too: a report's target, a reply's comment, review items.
        body = case.body if isinstance(case.body, dict) else {}
        items = body.get("items") if isinstance(body.get("items"), list) else []
        for holder, key in [(body, "target_id"), (body, "parent_id")] + [(i, "id") for i in items]:
            if isinstance(holder, dict) and key in holder and draw(st.booleans()):
                holder[key] = draw(st.sampled_from(known["id"]))
        return case

    return aimed()


def as_httpx(kwargs: dict[str, Any]) -> dict[str, Any]:
    """schemathesis serializes a case for requests; here httpx carries it in-process."""
    out = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": dict(kwargs.get("headers") or {}),
        "params": kwargs.get("params") or None,
    }
    data = kwargs.get("data")
    if isinstance(data, (bytes, str)):
        out["content"] = data
    elif data is not None:
        out["data"] = data
    if kwargs.get("json") is not None:
        out["json"] = kwargs["json"]
    return out


def order(operation: Any) -> tuple[bool, str]:
    # Logging out ends the token every later request uses: it goes last.
    return (operation.label == "POST /api/v1/auth/logout", operation.label)


@asynccontextmanager
async def api(app: Any, headers: dict[str, str]) -> AsyncIterator[tuple[Any, Send]]:
    """The app's own OpenAPI document, loaded by schemathesis, and a way to send its cases."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        document = (await http.get("/api/openapi.json")).json()

        async def send(case: Any) -> httpx.Response:
            request = as_httpx(case.as_transport_kwargs(base_url=BASE))
            request["headers"].update(headers)
            http.cookies.clear()  # each request is exactly this client, nothing remembered
            return await http.request(**request)

        yield schemathesis.openapi.from_dict(document), send


async def fuzz(app: Any, who: str, headers: dict[str, str], world: World) -> list[str]:
    """Run every operation's examples; the failures found, one message per operation and mode."""
    loop = asyncio.get_running_loop()
    scale = int(os.environ.get("TOWNSQUARE_TEST_FUZZ_SCALE", "1"))
    failures: list[str] = []
    async with api(app, headers) as (schema, send):
        operations = sorted((r.ok() for r in schema.get_all_operations()), key=order)

        def run(operation: Any, mode: GenerationMode, examples: int) -> None:
            @settings(max_examples=examples, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            @given(case=cases(operation, mode, world.known))
            def check(case: Any) -> None:
                try:
                    response = asyncio.run_coroutine_threadsafe(send(case), loop).result()
                except httpx.InvalidURL:  # an address too long for httpx never reaches a server
                    reject()
                case.validate_response(response, checks=CHECKS)

            check()

        def run_all() -> None:
            for operation in operations:
                for mode, examples in EXAMPLES[who].items():
                    if operation.label in SLOW:
                        examples = 1
                    try:
                        run(operation, mode, examples * scale)
                    except (Exception, FailureGroup) as exc:  # all are reported together
                        failures.append(f"{operation.label} [{mode.value}]: {describe(exc)}")

        await asyncio.to_thread(run_all)
    return failures


def describe(exc: BaseException) -> str:
    """The failure's message; for Hypothesis's own groups (a flaky failure) the ones inside."""
    if isinstance(exc, FailureGroup):  # schemathesis's report, with a curl command
        return str(exc)
    if isinstance(exc, BaseExceptionGroup):
        return "\n".join([str(exc), *(describe(inner) for inner in exc.exceptions)])
    return f"{type(exc).__name__}: {exc}"


def admin(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token}"}


def visitor(app: Any) -> dict[str, str]:
    """A visitor's browser: its cookie and CSRF token, so writes get as far as the log-in check."""
    csrf = csrf_token_for(app.state.secret, f"a:{VISITOR}")
    return {"Cookie": f"{ANON_COOKIE}={VISITOR}", "X-CSRF-Token": csrf}


@pytest.mark.parametrize("who", ["visitor", "admin"])
async def test_every_api_answer_is_documented_and_no_5xx(
    who: str, app: Any, make: Any, db: AsyncSession
) -> None:
    """Generated requests to every operation get a documented status, content type and body."""
    world = await seed(make, db)
    failures = await fuzz(app, who, admin(world) if who == "admin" else visitor(app), world)
    assert not failures, f"{len(failures)} operations broke their contract:\n\n" + "\n\n".join(
        failures
    )


async def test_a_body_that_is_not_utf8_is_a_documented_400_problem(
    app: Any, make: Any, db: AsyncSession
) -> None:
    """Bytes that are not text are refused before validation: a 400 problem the document lists."""
    world = await seed(make, db)
    async with api(app, admin(world)) as (schema, send):
        case = schema["/api/v1/me"]["PATCH"].Case(body=b"\xff\xfe{", media_type="application/json")
        response = await send(case)
        assert response.status_code == 400
        case.validate_response(response, checks=CHECKS)


# NUL in a path, a query and a body: PostgreSQL refuses such text, so each must be a 422.
# (Path parameters go into the address as given, so they come percent-encoded here.)
NUL = [
    ("/api/v1/members/{name}", "GET", {"path_parameters": {"name": "ada%00"}}, "name"),
    ("/api/v1/groups/{slug}", "GET", {"path_parameters": {"slug": "to%00wn"}}, "slug"),
    ("/api/v1/search", "GET", {"query": {"q": "a\x00b"}}, "q"),
    ("/api/v1/auth/tokens", "POST", {"body": {"login": "ada\x00", "password": "x"}}, "body"),
    ("/api/v1/me", "PATCH", {"body": {"bio": "\x00"}}, "body"),
]


async def test_text_holding_nul_is_a_documented_422_problem(
    app: Any, make: Any, db: AsyncSession
) -> None:
    """A NUL character anywhere in the request is refused with a 422 naming where it was."""
    world = await seed(make, db)
    async with api(app, admin(world)) as (schema, send):
        for path, method, parts, field in NUL:
            if "body" in parts:
                parts = {**parts, "media_type": "application/json"}
            case = schema[path][method].Case(**parts)
            response = await send(case)
            assert response.status_code == 422, (path, response.text)
            assert "NUL" in response.json()["errors"][field]
            case.validate_response(response, checks=CHECKS)


async def test_every_rate_limited_answer_is_documented(
    app: Any, make: Any, db: AsyncSession
) -> None:
    """With every limit at one request, the second call to each operation is 429 only where documented."""
    world = await seed(make, db)
    app.state.rates = {action: Rate(1, 3600) for action in app.state.rates}
    limited, failures = [], []
    async with api(app, admin(world)) as (schema, send):
        for operation in sorted((r.ok() for r in schema.get_all_operations()), key=order):
            if operation.method.upper() == "GET":  # reads are never limited
                continue
            path = {p.name: world.known[p.name][0] for p in operation.path_parameters}
            body = {"body": {}, "media_type": "application/json"} if operation.body else {}
            case = operation.Case(path_parameters=path, **body)
            await send(case)
            response = await send(case)
            if response.status_code == 429:
                limited.append(operation.label)
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, FailureGroup) as exc:
                failures.append(f"{operation.label}: {describe(exc)}")
    assert "POST /api/v1/discussions/{discussion_id}/comments" in limited
    assert "POST /api/v1/auth/login" in limited
    assert not failures, "\n\n".join(failures)
