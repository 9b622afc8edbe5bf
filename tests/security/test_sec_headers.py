"""Security headers on every kind of response: pages, error pages, the API, static files,
redirects and even an unexpected failure; and pages that live within the strict policy."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

from tests.security.conftest import World

REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}


def policy(response: Any) -> dict[str, list[str]]:
    """The Content-Security-Policy as directive -> sources (exactly one header)."""
    values = response.headers.get_list("content-security-policy")
    assert len(values) == 1, values
    directives: dict[str, list[str]] = {}
    for part in values[0].split(";"):
        words = part.split()
        if words:
            assert words[0] not in directives, f"{words[0]} given twice"
            directives[words[0]] = words[1:]
    return directives


def assert_secure_headers(url: str, response: Any, *, inline_styles: bool = False) -> None:
    csp = policy(response)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts == ["'self'"], (url, scripts)
    assert csp["default-src"] == ["'self'"], url
    for directive, sources in csp.items():
        assert "'unsafe-eval'" not in sources, (url, directive)
        assert "*" not in sources, (url, directive)
        if directive != "style-src" or not inline_styles:
            assert "'unsafe-inline'" not in sources, (url, directive)
    assert csp["frame-ancestors"] == ["'none'"], url
    assert csp["object-src"] == ["'none'"], url
    assert csp["base-uri"] in (["'self'"], ["'none'"]), url
    assert csp["form-action"] == ["'self'"], url
    assert response.headers["x-content-type-options"] == "nosniff", url
    assert response.headers["x-frame-options"] == "DENY", url
    assert response.headers["referrer-policy"] in REFERRER_POLICIES, url


@pytest.fixture
async def urls(world: World) -> dict[str, int]:
    """url -> the status it answers a logged-in plain member (Bob) with."""
    d = world.d_alpha.id
    return {
        "/": 200, "/groups": 200, f"/d/{d}": 200, f"/d/{d}/c/{world.c_alpha.id}": 303,
        "/g/alpha": 200, "/u/alice": 200, "/search?q=alice": 200, "/notifications": 200,
        "/settings/profile": 200, "/feed.atom": 200, "/levels": 200,
        "/nowhere": 404, "/g/hush": 404, "/moderation/reports": 403, "/d/not-a-number": 400,
        "/api/v1/groups": 200, f"/api/v1/discussions/{d}": 200, "/api/v1/nowhere": 404,
        f"/api/v1/discussions/{world.d_hush.id}": 404, "/api/v1/reports": 403,
        "/api/v1/discussions/x": 422, "/api/openapi.json": 200,
        "/static/app.css": 200, "/static/app.js": 200, "/static/missing.css": 404,
    }  # fmt: skip


async def test_every_kind_of_response_carries_the_headers(client, db, world, urls):
    """Pages, redirects, 4xx pages, API answers and problems, static files: all of them."""
    await client.log_in_as(db, world.m["bob"])
    for url, status in urls.items():
        r = await client.get(url)
        assert r.status_code == status, (url, r.status_code)
        assert_secure_headers(url, r)
    for url in ("/healthz", "/readyz"):  # answered before the app, by the ops layer
        r = await client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        assert_secure_headers(url, r)
    r = await client.delete("/groups")  # a method the route does not take
    assert r.status_code == 405
    assert_secure_headers("DELETE /groups", r)


async def test_visitors_and_csrf_refusals_get_them_too(client):
    """Logged out, and on a refused form."""
    for url in ("/", "/login", "/signup", "/password/forgot"):
        assert_secure_headers(url, await client.get(url))
    r = await client.post("/login", data={"login": "x", "password": "y"})
    assert r.status_code == 403
    assert_secure_headers("POST /login", r)


async def test_rate_limited_answers_carry_them(app, client, settings):
    """A 429 is still a page of this site."""
    app.state.rates["login"] = type(app.state.rates["login"])(1, 60)
    codes = [(await client.form("/login", {"login": "x", "password": "y"})) for _ in range(2)]
    assert [r.status_code for r in codes] == [422, 429]
    assert_secure_headers("429", codes[1])


async def test_api_docs_may_inline_styles_but_never_scripts(client):
    """Swagger UI needs inline styles; its scripts still come from the site only."""
    r = await client.get("/api/docs")
    assert r.status_code == 200
    assert_secure_headers("/api/docs", r, inline_styles=True)
    assert "'unsafe-inline'" in policy(r)["style-src"]
    _assert_no_inline_script(r.text, "/api/docs")


async def test_an_unexpected_failure_still_carries_the_headers(app, client):
    """A bug that escapes as a 500 must not also drop the headers."""

    async def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/security-test-broken", broken)
    app.add_api_route("/api/v1/security-test-broken", broken)
    client._transport = type(client._transport)(app=app, raise_app_exceptions=False)
    for url in ("/security-test-broken", "/api/v1/security-test-broken"):
        r = await client.get(url)
        assert r.status_code == 500, url
        assert_secure_headers(url, r)
        assert "a bug" not in r.text  # the exception's details stay in the log


def _assert_no_inline_script(html: str, url: str) -> None:
    tree = lxml.html.fromstring(html)
    for script in tree.iter("script"):
        assert script.get("src"), f"{url}: an inline <script> the policy would block"
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        handlers = [a for a in el.attrib if a.lower().startswith("on")]
        assert not handlers, f"{url}: inline handler {handlers} on <{el.tag}>"
        assert not any(
            el.get(a, "").strip().lower().startswith("javascript:")
            for a in ("href", "src", "action")
        ), f"{url}: a javascript: address on <{el.tag}>"


async def test_pages_live_within_the_policy(client, db, world, urls):
    """No inline scripts, handlers, style attributes or <style> blocks the policy would block:
    what the policy forbids would silently break the page."""
    await client.log_in_as(db, world.m["alice"])  # the host sees every tool
    pages = [u for u, s in urls.items() if s == 200 and not u.startswith(("/api/", "/static/"))]
    pages += ["/g/alpha/settings", "/g/alpha/moderators", "/g/alpha/members", "/report?type=comment&id="
              f"{world.c_bob.id}", f"/d/{world.d_alpha.id}/edit", "/g/hush/requests"]  # fmt: skip
    for url in pages:
        r = await client.get(url)
        if url.endswith(".atom"):
            continue
        assert r.status_code == 200, url
        _assert_no_inline_script(r.text, url)
        tree = lxml.html.fromstring(r.text)
        assert not tree.xpath("//style"), f"{url}: a <style> block the policy would block"
        styled = [el.tag for el in tree.xpath("//*[@style]")]
        assert not styled, f"{url}: style attributes on {styled}"
