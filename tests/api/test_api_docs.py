"""The API's description: OpenAPI, the Swagger UI page, and its answers to malformed requests."""

from __future__ import annotations

import re


async def test_the_docs_page_loads_swagger_ui_without_inline_script(client):
    """/api/docs loads the vendored Swagger UI files and has no inline script for the CSP to block."""
    r = await client.get("/api/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert 'id="swagger-ui"' in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert [attrs.strip() for attrs, _ in scripts] == [
        'src="/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js"',
        'src="/static/api-docs.js"',
    ]
    assert all(body == "" for _, body in scripts)
    assert 'href="/static/vendor/swagger-ui-5.35.0/swagger-ui.css"' in html
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert (await client.get(asset)).status_code == 200, asset
    assert "script-src 'self'" in r.headers["content-security-policy"]


async def test_openapi_describes_every_operation_and_the_bearer_scheme(client):
    """The OpenAPI document lists the core loop and declares bearer tokens."""
    spec = (await client.get("/api/openapi.json")).json()
    paths = spec["paths"]
    expected = {
        "/api/v1/auth/signup": {"post"},
        "/api/v1/auth/login": {"post"},
        "/api/v1/auth/logout": {"post"},
        "/api/v1/auth/tokens": {"post"},
        "/api/v1/me": {"get", "patch"},
        "/api/v1/members/{name}": {"get"},
        "/api/v1/groups": {"get", "post"},
        "/api/v1/groups/{slug}": {"get"},
        "/api/v1/groups/{slug}/join": {"post"},
        "/api/v1/groups/{slug}/leave": {"post"},
        "/api/v1/groups/{slug}/discussions": {"get", "post"},
        "/api/v1/feed": {"get"},
        "/api/v1/discussions/{discussion_id}": {"get", "patch", "delete"},
        "/api/v1/discussions/{discussion_id}/restore": {"post"},
        "/api/v1/discussions/{discussion_id}/like": {"put", "delete"},
        "/api/v1/discussions/{discussion_id}/comments": {"post"},
        "/api/v1/comments/{comment_id}": {"get", "patch", "delete"},
        "/api/v1/comments/{comment_id}/restore": {"post"},
        "/api/v1/comments/{comment_id}/like": {"put", "delete"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert "/api/docs" not in paths
    problem = paths["/api/v1/me"]["get"]["responses"]["401"]["content"]
    assert "application/problem+json" in problem


async def test_nothing_in_a_response_leaks_a_password_hash(client, make, auth):
    """No member schema in the API has a password field; only the own-account one has email."""
    spec = (await client.get("/api/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    for name, schema in schemas.items():
        assert not any("password" in p for p in schema.get("properties", {})) or name.endswith("In")
    with_email = {n for n, s in schemas.items() if "email" in s.get("properties", {})}
    assert with_email == {"MeOut", "SignupIn"}


async def test_malformed_json_is_a_422_problem(client, make, auth, problem):
    """A body that is not JSON, or JSON of the wrong shape, is a 422 problem, never a 500."""
    headers = {**await auth(await make.member()), "content-type": "application/json"}
    problem(await client.post("/api/v1/groups", content=b"{not json", headers=headers), 422)
    problem(await client.post("/api/v1/groups", content=b"[1, 2]", headers=headers), 422)
    r = await client.post("/api/v1/groups", json={"name": 5, "slug": ["x"]}, headers=headers)
    assert {"name", "slug"} <= set(problem(r, 422)["errors"])


async def test_an_unknown_api_address_is_a_404_problem(client, problem):
    """Addresses under /api/ that do not exist answer with a problem body, not a page."""
    problem(await client.get("/api/v1/nothing-here"), 404)
