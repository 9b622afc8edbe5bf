"""API accounts: sign-up, log-in and log-out with cookies, bearer tokens, CSRF."""

from __future__ import annotations

from sqlalchemy import func, select

from townsquare.db.models import Session
from townsquare.web.security import SESSION_COOKIE

PASSWORD = "correct horse battery"


async def _csrf(client) -> str:
    """Fetch this browser's CSRF token the way an API client in a page would."""
    return (await client.get("/api/v1/auth/csrf")).json()["csrf_token"]


async def _sign_up(client, name="alice", **extra):
    token = await _csrf(client)
    body = {"name": name, "email": f"{name}@example.org", "password": PASSWORD, **extra}
    return await client.post("/api/v1/auth/signup", json=body, headers={"X-CSRF-Token": token})


async def test_signup_returns_the_new_member_without_the_password_hash(client):
    """Sign-up answers 201 with the member (email included: it is theirs) and never the hash."""
    r = await _sign_up(client, display_name="Alice A.")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["name"] == "alice" and body["display_name"] == "Alice A."
    assert body["email"] == "alice@example.org" and body["level"] == 1
    assert body["role"] == "admin"  # the first member of a site runs it
    assert "password" not in r.text and "argon2" not in r.text


async def test_signup_lists_every_bad_field(client, problem):
    """A bad sign-up is a 422 problem naming each field that is wrong."""
    token = await _csrf(client)
    r = await client.post(
        "/api/v1/auth/signup",
        json={"name": "x", "email": "nope", "password": "short"},
        headers={"X-CSRF-Token": token},
    )
    errors = problem(r, 422)["errors"]
    assert set(errors) == {"name", "email", "password"}


async def test_signup_with_a_taken_name_is_refused(client, make, problem):
    """A name already in use is a 422 at the name field."""
    await make.member("alice")
    errors = problem(await _sign_up(client), 422)["errors"]
    assert "taken" in errors["name"]


async def test_signup_refuses_unknown_fields(client, problem):
    """A misspelt field is reported rather than silently dropped."""
    errors = problem(await _sign_up(client, dispaly_name="A"), 422)["errors"]
    assert "dispaly_name" in errors


async def test_login_sets_the_session_cookie_and_returns_the_member(client, make):
    """Logging in returns the member and a cookie that authenticates later requests."""
    await make.member("bob")
    token = await _csrf(client)
    r = await client.post(
        "/api/v1/auth/login",
        json={"login": "BOB@example.org", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "bob"
    assert SESSION_COOKIE in r.cookies
    assert (await client.get("/api/v1/me")).json()["name"] == "bob"


async def test_login_with_a_wrong_password_is_a_422_at_the_password(client, make, problem):
    """A wrong password is refused with one vague message, whether or not the name exists."""
    await make.member("bob")
    token = await _csrf(client)
    for login in ("bob", "nobody"):
        r = await client.post(
            "/api/v1/auth/login",
            json={"login": login, "password": "wrong password"},
            headers={"X-CSRF-Token": token},
        )
        assert "do not match" in problem(r, 422)["errors"]["password"]


async def test_login_without_the_csrf_header_is_refused(client, make, problem):
    """Log-in CSRF is refused too: another site cannot log a browser into its account."""
    await make.member("bob")
    await client.get("/api/v1/auth/csrf")  # the browser has its visitor cookie, but no token
    r = await client.post("/api/v1/auth/login", json={"login": "bob", "password": PASSWORD})
    problem(r, 403)
    assert SESSION_COOKIE not in client.cookies


async def test_cookie_write_without_the_csrf_header_is_a_403_problem(client, db, make, problem):
    """A cookie-authenticated write without X-CSRF-Token is refused; with it, it works."""
    member = await make.member()
    group = await make.group()
    await client.log_in_as(db, member)
    r = await client.post(f"/api/v1/groups/{group.slug}/join")
    assert "did not come from this site" in problem(r, 403)["detail"]
    r = await client.post(f"/api/v1/groups/{group.slug}/join", headers={"X-CSRF-Token": "forged"})
    problem(r, 403)
    r = await client.send_json("POST", f"/api/v1/groups/{group.slug}/join")
    assert r.status_code == 200, r.text


async def test_logout_revokes_the_session_on_the_server(client, client_factory, db, make, problem):
    """After log-out the old cookie no longer works, even if someone kept a copy of it."""
    member = await make.member()
    await client.log_in_as(db, member)
    stolen = client.cookies[SESSION_COOKIE]
    r = await client.send_json("POST", "/api/v1/auth/logout")
    assert r.status_code == 204
    other = client_factory()
    other.cookies.set(SESSION_COOKIE, stolen)
    problem(await other.get("/api/v1/me"), 401)
    assert await db.scalar(select(func.count()).select_from(Session)) == 0


async def test_a_token_is_issued_for_a_password_without_csrf(client, client_factory, make):
    """A script exchanges name and password for a token; then the token works with no CSRF header."""
    await make.member("bob")
    r = await client.post(
        "/api/v1/auth/tokens", json={"login": "bob", "password": PASSWORD, "label": "laptop"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["label"] == "laptop"
    headers = {"Authorization": f"Bearer {r.json()['token']}"}
    script = client_factory()  # no cookies at all
    assert (await script.get("/api/v1/me", headers=headers)).json()["name"] == "bob"
    r = await script.post(
        "/api/v1/groups", json={"name": "Scripted", "slug": "scripted"}, headers=headers
    )
    assert r.status_code == 201, r.text


async def test_a_token_needs_the_right_password(client, make, problem):
    """No token for a wrong password."""
    await make.member("bob")
    r = await client.post("/api/v1/auth/tokens", json={"login": "bob", "password": "wrong one!"})
    assert "password" in problem(r, 422)["errors"]


async def test_a_bad_token_is_401(client, problem):
    """A token that was never issued is refused, not treated as a visitor."""
    r = await client.get("/api/v1/me", headers={"Authorization": "Bearer made-up"})
    assert "token" in problem(r, 401)["detail"]
    r = await client.get("/api/v1/groups", headers={"Authorization": "Bearer " + "x" * 500})
    problem(r, 401)


async def test_logging_out_with_a_token_revokes_it(client, make, auth, problem):
    """POST /auth/logout with a bearer token revokes that token."""
    headers = await auth(await make.member())
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    problem(await client.get("/api/v1/me", headers=headers), 401)


async def test_a_cookie_token_is_not_a_bearer_token(client, client_factory, db, make, problem):
    """A browser session's secret cannot be replayed as an API token."""
    await client.log_in_as(db, await make.member())
    cookie = client.cookies[SESSION_COOKIE]
    script = client_factory()
    problem(await script.get("/api/v1/me", headers={"Authorization": f"Bearer {cookie}"}), 401)
