"""Every state-changing route, read from the routing table, refuses a request without this
browser's CSRF token, and writes nothing. A route this module cannot fill fails the test."""

from __future__ import annotations

import typing
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from tests.conftest import SECRET
from tests.security.conftest import (
    UNSAFE,
    RouteInfo,
    World,
    _walk,
    app_routes,
    diff,
    fill,
    snapshot,
)
from townsquare.domain import mail
from townsquare.web.security import SESSION_COOKIE, csrf_token_for

# Routes that take no CSRF token, each with the reason it is safe without one.
EXEMPT = {
    "POST /api/v1/auth/tokens": "exchanges a name and password for a bearer token in the "
    "response body; it reads and sets no cookie, so a forged cross-site request gains nothing "
    "(and a JSON body cannot be sent cross-site without a CORS preflight we never grant)",
}
REFUSAL = "did not come from this site"


def unsafe_routes(app: Any) -> list[RouteInfo]:
    return [r for r in app_routes(app) if r.method in UNSAFE]


async def path_values(route: RouteInfo, w: World, db: Any) -> dict[str, Any]:
    """Real ids of the seeded world for the route's parameters, the member named by the
    role the route acts on (moderators, join requests, bans)."""
    name = "bob"
    for segment, who in (("/moderators/", "carol"), ("/requests/", "erin"), ("/bans/", "dave")):
        if segment in route.path:
            name = who
    values: dict[str, Any] = {
        "slug": w.alpha.slug, "name": name, "discussion_id": w.d_alpha.id,
        "comment_id": w.c_alpha.id, "kind": "d", "target_id": w.d_alpha.id,
        "report_id": w.report_id, "notification_id": w.notification_id,
    }  # fmt: skip
    if route.path.startswith("/unsubscribe/"):
        values["token"] = mail.unsubscribe_token(SECRET, w.m["alice"].id, "all")
    elif route.path.startswith("/password/reset/"):
        values["token"] = await mail._new_token(db, w.m["alice"], "reset", timedelta(hours=1))
        await db.commit()
    return values


FORM = {
    "body": "Forged words.", "title": "Forged", "reason": "forged", "note": "forged",
    "name": "Forged Group", "slug": "forged", "description": "x", "rules": "x",
    "email": "forged@example.org", "password": "forged password 1", "login": "alice",
    "display_name": "Forged", "bio": "forged", "member": "bob", "target_type": "comment",
    "outcome": "resolved", "decision": "approve", "visibility": "public", "mask_profanity": "on",
}  # fmt: skip


def json_body(route: RouteInfo, app: Any, w: World) -> dict[str, Any] | None:
    """A valid body for the route's pydantic model (so only the token is missing)."""
    endpoint = next(
        r.endpoint for r in _effective(app) if r.path == route.path and route.method in r.methods
    )
    hints = typing.get_type_hints(endpoint, include_extras=True)
    models = [h for h in hints.values() if isinstance(h, type) and issubclass(h, BaseModel)]
    models = [m for m in models if m.__name__.endswith("In")]
    if not models:
        return None
    generic = {**FORM, "target_id": w.c_bob.id, "label": "forged", "current_password": "x", "new_password": "forged password 2", "remove_content": False,
               "mask_profanity": True, "modes": {"reply": "never"}, "visibility": None,
               "items": [{"kind": "comment", "id": w.c_bob.id}]}  # fmt: skip
    body = {}
    for field, info in models[0].model_fields.items():
        if field in generic:
            if generic[field] is not None:
                body[field] = generic[field]
        elif info.is_required():
            raise KeyError(
                f"{route}: no value for body field {field!r}; add it to the generic body"
            )
    return body


def _effective(app: Any) -> list[Any]:
    return [r for r in _walk(app.routes) if hasattr(r, "methods") and hasattr(r, "endpoint")]


async def send(client: Any, route: RouteInfo, url: str, token: str | None, body: Any) -> Any:
    if route.api:
        headers = {"X-CSRF-Token": token} if token is not None else {}
        return await client.request(route.method, url, json=body, headers=headers)
    form = dict(FORM)
    if token is not None:
        form["csrf_token"] = token
    return await client.request(route.method, url, data=form)


def refused(response: Any) -> bool:
    return response.status_code == 403 and REFUSAL in response.text


def test_every_exemption_names_a_real_route(app):
    """A stale exemption would hide nothing, but would mislead: each one exists."""
    present = {str(r) for r in unsafe_routes(app)}
    assert set(EXEMPT) <= present, set(EXEMPT) - present


async def test_state_changing_routes_refuse_requests_without_the_token(
    app, db, world, client, client_factory
):
    """No token, a wrong one, another member's, or this browser's visitor token: 403, no write."""
    routes = [r for r in unsafe_routes(app) if str(r) not in EXEMPT]
    assert len(routes) > 80  # the routing table was read, not an empty list
    await client.get("/login")  # the visitor cookie, whose token must stop working at log-in
    visitor_token = client.csrf()
    await client.log_in_as(db, world.m["admin"])
    other = client_factory()
    await other.log_in_as(db, world.m["bob"])
    variants = {"missing": None, "wrong": "0" * 64, "another member's": other.csrf(),
                "visitor's": visitor_token}  # fmt: skip
    visitor = client_factory()
    await visitor.get("/login")
    plans = []
    for route in routes:
        url = fill(route, await path_values(route, world, db))
        plans.append((route, url, json_body(route, app, world) if route.api else None))

    before = await snapshot(db)
    failures = []
    for route, url, body in plans:
        for label, token in variants.items():
            r = await send(client, route, url, token, body)
            if not refused(r):
                failures.append(f"{route} with {label} token: {r.status_code}")
        r = await send(visitor, route, url, None, body)
        if not refused(r):
            failures.append(f"{route} as a visitor without a token: {r.status_code}")
    assert not failures, "\n".join(failures)
    assert diff(before, await snapshot(db)) == []

    # The control: with the right token the same request gets past the check (whatever the
    # domain then says), so the refusals above were the CSRF check and nothing else.
    session = client.cookies.get(SESSION_COOKIE)
    for route, url, body in plans:
        # A log-out in the list ends it server-side; a log-in or sign-up sets another.
        client.cookies.delete(SESSION_COOKIE)
        client.cookies.set(SESSION_COOKIE, session)
        if route.path in ("/logout", "/api/v1/auth/logout"):
            continue
        r = await send(client, route, url, client.csrf(), body)
        assert not refused(r), f"{route}: refused even with the token"


async def test_a_bearer_token_never_borrows_the_session_cookie(app, db, world, client):
    """CSRF is skipped for bearer requests only because the cookie is then ignored."""
    await client.log_in_as(db, world.m["alice"])
    before = await snapshot(db)
    r = await client.delete(
        f"/api/v1/discussions/{world.d_alpha.id}", headers={"Authorization": "Bearer forged"}
    )
    assert r.status_code == 401
    r = await client.post(
        f"/d/{world.d_alpha.id}/delete", headers={"Authorization": "Bearer forged"}
    )
    assert r.status_code == 401
    assert diff(before, await snapshot(db)) == []


async def test_tokens_are_bound_to_the_secret_key(world):
    """The token is an HMAC under the site key: the same basis under another key differs."""
    assert csrf_token_for("one key", "s:abc") != csrf_token_for("another key", "s:abc")
    assert csrf_token_for("one key", "s:abc") != csrf_token_for("one key", "s:abd")


@pytest.mark.parametrize("route", sorted(EXEMPT))
async def test_exempt_routes_set_no_cookie(app, db, world, client, route):
    """The exempt token route answers without touching the browser's session."""
    method, path = route.split(" ")
    r = await client.request(
        method, path, json={"login": "alice", "password": "correct horse battery", "label": "t"}
    )
    assert r.status_code == 201
    assert SESSION_COOKIE not in r.headers.get("set-cookie", "")
