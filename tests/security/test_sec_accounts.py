"""Accounts under attack: session handling, reset links, user enumeration, rate limits."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from tests.conftest import PASSWORD, Client, run_jobs
from townsquare.db.models import EmailToken, Member, Session, utcnow
from townsquare.domain import accounts
from townsquare.ratelimit import Rate
from townsquare.web.pages import safe_next
from townsquare.web.security import ANON_COOKIE, SESSION_COOKIE


def browser(app: Any, *, address: str = "203.0.113.7", https: bool = False) -> Client:
    """A browser from a given client address."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    base = "https://testserver" if https else "http://testserver"
    return Client(transport=transport, base_url=base)


async def sessions_of(db: Any, member: Member) -> int:
    await db.commit()
    return await db.scalar(select(func.count()).select_from(Session).where(
        Session.member_id == member.id))  # fmt: skip


async def signed_in(c: Client) -> bool:
    """Whether the browser's cookie opens a member-only page."""
    return (await c.get("/settings/profile")).status_code == 200


# --- sessions


async def test_log_in_issues_a_fresh_token_never_the_visitor_cookie(app, db, make):
    """The session token is new at log-in: not the visitor cookie, not a token the browser held."""
    alice, bob = await make.member("alice"), await make.member("bob")
    async with browser(app) as c:
        await c.get("/login")
        anon = c.cookies[ANON_COOKIE]
        planted = await accounts.open_session(db, bob, days=1)  # e.g. set by another site
        c.cookies.set(SESSION_COOKIE, planted)
        r = await c.form("/login", {"login": "alice", "password": PASSWORD})
        assert r.status_code == 303
        token = r.cookies[SESSION_COOKIE]
        assert token not in (anon, planted)
        assert (await accounts.session_member(db, token))[0].id == alice.id
        assert await accounts.session_member(db, planted) is None  # the old log-in ended
        assert await sessions_of(db, bob) == 0


async def test_api_log_in_rotates_the_session_too(app, db, make):
    """The API's cookie log-in ends the log-in the browser held and issues a new token."""
    await make.member("alice")
    async with browser(app) as c:
        await c.post("/api/v1/auth/login", json={"login": "alice", "password": PASSWORD},
                     headers={"X-CSRF-Token": (await _csrf(c))})  # fmt: skip
        first = c.cookies[SESSION_COOKIE]
        r = await c.post("/api/v1/auth/login", json={"login": "alice", "password": PASSWORD},
                         headers={"X-CSRF-Token": (await _csrf(c))})  # fmt: skip
        assert r.status_code == 200
        assert c.cookies[SESSION_COOKIE] != first
        assert await accounts.session_member(db, first) is None


async def _csrf(c: Client) -> str:
    return (await c.get("/api/v1/auth/csrf")).json()["csrf_token"]


async def test_log_out_ends_the_session_on_the_server(app, db, make):
    """After log-out the old cookie is refused everywhere, even if a browser kept it."""
    await make.member("alice")
    async with browser(app) as c:
        await c.form("/login", {"login": "alice", "password": PASSWORD})
        token = c.cookies[SESSION_COOKIE]
        assert await signed_in(c)
        assert (await c.form("/logout")).status_code == 303
    async with browser(app) as thief:
        thief.cookies.set(SESSION_COOKIE, token)
        assert not await signed_in(thief)
        assert (await thief.get("/api/v1/me")).status_code == 401


async def test_api_log_out_ends_a_bearer_token(app, db, make):
    """A token used to log out stops working at once."""
    await make.member("alice")
    async with browser(app) as c:
        r = await c.post("/api/v1/auth/tokens", json={"login": "alice", "password": PASSWORD,
                                                      "label": "script"})  # fmt: skip
        auth = {"Authorization": f"Bearer {r.json()['token']}"}
        assert (await c.get("/api/v1/me", headers=auth)).status_code == 200
        assert (await c.post("/api/v1/auth/logout", headers=auth)).status_code == 204
        assert (await c.get("/api/v1/me", headers=auth)).status_code == 401


@pytest.mark.parametrize("https", [False, True])
async def test_the_session_cookie_is_httponly_lax_and_secure_on_https(app, make, https):
    """Scripts cannot read it, other sites' forms do not carry it, https never leaks it."""
    await make.member("alice")
    async with browser(app, https=https) as c:
        r = await c.form("/login", {"login": "alice", "password": PASSWORD})
    cookie = next(v for v in r.headers.get_list("set-cookie") if v.startswith(SESSION_COOKIE))
    flags = {f.strip().lower() for f in cookie.split(";")}
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert ("secure" in flags) is https


async def test_expired_sessions_are_refused(app, db, make):
    """A cookie past its session's expiry opens nothing."""
    alice = await make.member("alice")
    async with browser(app) as c:
        await c.log_in_as(db, alice)
        assert await signed_in(c)
        await db.execute(update(Session).values(expires_at=utcnow() - timedelta(seconds=1)))
        await db.commit()
        assert not await signed_in(c)


# --- changing the password


async def test_a_password_change_ends_every_other_log_in(app, db, make):
    """The browser that changed it stays in; other browsers and API tokens are out."""
    alice = await make.member("alice")
    token = await accounts.open_session(db, alice, days=None, kind="api", label="script")
    async with browser(app) as here, browser(app) as there:
        for c in (here, there):
            await c.form("/login", {"login": "alice", "password": PASSWORD})
        wrong = await here.form("/settings/password", {"current_password": "a guess",
                                                       "password": "a new secret 1"})  # fmt: skip
        assert wrong.status_code == 422 and await signed_in(there)
        r = await here.form("/settings/password", {"current_password": PASSWORD,
                                                   "password": "a new secret 1"})  # fmt: skip
        assert r.status_code == 200 and "password is changed" in r.text
        assert await signed_in(here) and not await signed_in(there)
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await here.get("/api/v1/me", headers=bearer)).status_code == 401
    assert await sessions_of(db, alice) == 1
    await db.refresh(alice)
    assert accounts._hasher.verify(alice.password_hash, "a new secret 1")


async def test_the_api_password_change_keeps_the_token_used(app, db, make):
    """Through the API with a bearer token: that token stays, the browser's log-in ends."""
    alice = await make.member("alice")
    token = await accounts.open_session(db, alice, days=None, kind="api", label="script")
    async with browser(app) as c:
        await c.form("/login", {"login": "alice", "password": PASSWORD})
        bearer = {"Authorization": f"Bearer {token}"}
        r = await c.put("/api/v1/me/password", headers=bearer,
                        json={"current_password": PASSWORD, "new_password": "a new secret 1"})  # fmt: skip
        assert r.status_code == 204
        assert (await c.get("/api/v1/me", headers=bearer)).status_code == 200
        assert not await signed_in(c)


# --- reset links


def _reset_links(settings: Any) -> list[str]:
    folder = settings.data_dir / "mail"
    found = []
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        body = msg.get_body(("plain",)).get_content()
        found += re.findall(r"https?://\S+(/password/reset/[\w-]+)", body)
    return found


async def _ask_reset(app: Any, c: Client, settings: Any, email: str) -> str:
    r = await c.form("/password/forgot", {"email": email})
    assert r.status_code == 200
    await run_jobs(app)
    return _reset_links(settings)[-1]


async def test_a_reset_link_works_once_and_ends_every_log_in(app, db, make, settings):
    """Single use; all sessions and API tokens of the member end; the new password works."""
    alice = await make.member("alice")
    await accounts.open_session(db, alice, days=1)
    await accounts.open_session(db, alice, days=None, kind="api", label="script")
    async with browser(app) as c:
        link = await _ask_reset(app, c, settings, "alice@example.org")
        assert (await c.form(link, {"password": "a new secret 1"})).status_code == 303
        assert await sessions_of(db, alice) == 0
        again = await c.form(link, {"password": "a new secret 2"})
        assert again.status_code == 400
    await db.refresh(alice)
    assert accounts._hasher.verify(alice.password_hash, "a new secret 1")


async def test_a_reset_link_expires(app, db, make, settings):
    """Past password_reset_minutes the link is refused and the password stays."""
    alice = await make.member("alice")
    async with browser(app) as c:
        link = await _ask_reset(app, c, settings, "alice@example.org")
        stored = await db.scalar(select(EmailToken.expires_at))
        assert stored <= utcnow() + timedelta(minutes=settings.password_reset_minutes)
        await db.execute(update(EmailToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        await db.commit()
        assert (await c.form(link, {"password": "a new secret 1"})).status_code == 400
    await db.refresh(alice)
    assert accounts._hasher.verify(alice.password_hash, PASSWORD)


async def test_a_confirmation_link_is_not_a_reset_link(app, db, make, settings):
    """Tokens carry their purpose: an address confirmation token cannot reset a password."""
    async with browser(app) as c:
        await c.form("/signup", {"name": "newbie", "email": "new@example.org",
                                 "password": PASSWORD})  # fmt: skip
        await run_jobs(app)
        [path] = [p for p in (settings.data_dir / "mail").glob("*.eml")]
        body = message_from_bytes(path.read_bytes(), policy=policy.default)
        token = re.findall(r"/confirm/([\w-]+)", body.get_body(("plain",)).get_content())[0]
        r = await c.form(f"/password/reset/{token}", {"password": "a new secret 1"})
        assert r.status_code == 400


# --- no user enumeration


def _same_page(a: httpx.Response, b: httpx.Response, *typed: tuple[str, str]) -> None:
    """Equal status and equal body once what was typed and the CSRF token are taken out."""
    assert a.status_code == b.status_code
    strip = re.compile(r'name="csrf_token" value="[^"]*"|"X-CSRF-Token": "[^"]*"')
    ta, tb = strip.sub("", a.text), strip.sub("", b.text)
    for x, y in typed:
        ta, tb = ta.replace(x, "TYPED"), tb.replace(y, "TYPED")
    assert ta == tb


async def test_log_in_says_the_same_for_unknown_names_and_wrong_passwords(app, make):
    """The form, the API log-in and the token endpoint: one answer either way."""
    await make.member("alice")
    async with browser(app) as c:
        known = await c.form("/login", {"login": "alice", "password": "wrong password"})
        unknown = await c.form("/login", {"login": "nobody9", "password": "wrong password"})
        assert known.status_code == 422
        _same_page(known, unknown, ("alice", "nobody9"))
        for url in ("/api/v1/auth/login", "/api/v1/auth/tokens"):
            answers = [
                await c.post(
                    url,
                    json={"login": who, "password": "wrong password"},
                    headers={"X-CSRF-Token": c.csrf()},
                )  # fmt: skip
                for who in ("alice", "nobody9")
            ]
            assert answers[0].status_code == answers[1].status_code == 422
            assert answers[0].json() == answers[1].json()


async def test_unknown_names_cost_a_password_verification_too(make, db, monkeypatch):
    """Known, unknown and suspended accounts each run exactly one argon2 verification, against
    hashes of the same cost: the work, and so the time, does not say which names exist."""
    calls: list[str] = []
    real = accounts._hasher

    class Counting(type(real)):  # type: ignore[misc]
        def verify(self, hash: str, password: str) -> bool:  # noqa: A002
            calls.append(hash)
            return real.verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", Counting())
    await make.member("alice")
    banned = await make.member("banned")
    banned.state = "banned"
    await db.commit()
    for login in ("alice", "nobody9", "banned"):
        with pytest.raises(accounts.Invalid):
            await accounts.authenticate(db, login=login, password="wrong password")
    assert len(calls) == 3
    params = {h.split("$")[3] for h in calls}  # m=…,t=…,p=…
    assert len(params) == 1 and not real.check_needs_rehash(accounts._DUMMY_HASH)


async def test_reset_requests_look_and_work_the_same_for_unknown_addresses(app, make, settings):
    """Same page, and the same work (one queued job) whether or not the address has an account;
    only a real account gets an email."""
    await make.member("alice")
    async with browser(app) as c:
        known = await c.form("/password/forgot", {"email": "alice@example.org"})
        jobs_known = await run_jobs(app)
        unknown = await c.form("/password/forgot", {"email": "nobody@example.org"})
        jobs_unknown = await run_jobs(app)
    _same_page(known, unknown, ("alice@example.org", "nobody@example.org"))
    assert jobs_known == jobs_unknown == 1
    assert len(_reset_links(settings)) == 1


# --- rate limits


@pytest.fixture
def tight(app: Any) -> Any:
    """One of each per window (the limiter reads the app's rates on every request)."""
    for action in list(app.state.rates):
        app.state.rates[action] = Rate(1, 3600)
    return app


async def _two(c: Client, method: str, url: str, **kw: Any) -> httpx.Response:
    first = await c.request(method, url, **kw)
    assert first.status_code != 429, (url, first.text)
    return await c.request(method, url, **kw)


def _assert_limited(r: httpx.Response, url: str) -> None:
    assert r.status_code == 429, (url, r.status_code)
    assert 0 < int(r.headers["retry-after"]) <= 3601, url
    if url.startswith("/api/"):
        assert r.headers["content-type"] == "application/problem+json", url


async def test_each_limited_route_answers_429_with_retry_after(tight, db, make):
    """Log-in, sign-up and reset (per client address) and posting (per member), both faces."""
    app, alice = tight, await make.member("alice")
    group = await make.group(alice, slug="gg")
    d = await make.discussion(group, alice)
    login = {"login": "alice", "password": "wrong password"}
    web = (("/login", login), ("/password/forgot", {"email": "x@example.org"}),
           ("/signup", {"name": "", "email": "", "password": ""}),
           ("/password/reset/not-a-token", {"password": "a new secret 1"}))  # fmt: skip
    for n, (url, data) in enumerate(web):
        async with browser(app, address=f"203.0.113.{20 + n}") as c:
            form = {"csrf_token": await _token(c), **data}
            form["login"] = f"web{n}"  # a name of its own: guesses count per account too
            _assert_limited(await _two(c, "POST", url, data=form), url)
    api = (("/api/v1/auth/login", login), ("/api/v1/auth/tokens", login),
           ("/api/v1/auth/signup", {"name": "", "email": "", "password": ""}))  # fmt: skip
    for n, (url, body) in enumerate(api):
        async with browser(app, address=f"203.0.113.{30 + n}") as c:
            headers = {"X-CSRF-Token": await _csrf(c)}
            body = {**body, "login": f"api{n}"} if "login" in body else body
            _assert_limited(await _two(c, "POST", url, json=body, headers=headers), url)
    posting = (f"/d/{d.id}/comments", "/g/gg/new", f"/api/v1/discussions/{d.id}/comments",
               "/api/v1/groups/gg/discussions")  # fmt: skip
    for url in posting:  # one member each: the posting budget is the member's, on every route
        poster = await make.member()
        await make.join(poster, group)
        async with browser(app, address="203.0.113.9") as c:
            await c.log_in_as(db, poster)
            body = {"body": "Again.", "title": "Again"}
            if url.startswith("/api/"):
                body = body if "groups" in url else {"body": "Again."}
                r = await _two(c, "POST", url, json=body, headers={"X-CSRF-Token": c.csrf()})
            else:
                r = await _two(c, "POST", url, data={"csrf_token": c.csrf(), **body})
            _assert_limited(r, url)


async def test_address_limits_count_per_address_and_post_limits_per_member(tight, db, make):
    """Another address still may log in; another member at the same address still may post."""
    app, alice, bob = tight, await make.member("alice"), await make.member("bob")
    group = await make.group(alice, slug="gg", members=(bob,))
    d = await make.discussion(group, alice)
    async with browser(app, address="198.51.100.1") as c:
        guess = {"csrf_token": await _token(c), "login": "carol", "password": "a guess"}
        assert (await _two(c, "POST", "/login", data=guess)).status_code == 429
    async with browser(app, address="198.51.100.2") as c:
        r = await c.form("/login", {"login": "alice", "password": PASSWORD})
        assert r.status_code == 303
        # Alice's posting budget is spent by her; Bob, from the same address, still posts.
        assert (await c.form(f"/d/{d.id}/comments", {"body": "One."})).status_code == 303
        assert (await c.form(f"/d/{d.id}/comments", {"body": "Two."})).status_code == 429
    async with browser(app, address="198.51.100.2") as c:
        await c.log_in_as(db, bob)
        assert (await c.form(f"/d/{d.id}/comments", {"body": "Bob's."})).status_code == 303


async def test_guesses_at_one_account_are_limited_from_any_address(tight, make):
    """Spreading password guesses over many addresses does not lift the limit on one account,
    on the form, the API log-in and the token endpoint alike."""
    await make.member("alice")
    codes = []
    for n, url in enumerate(("/login", "/api/v1/auth/login", "/api/v1/auth/tokens")):
        async with browser(tight, address=f"198.51.100.{50 + n}") as c:
            guess = {"login": "Alice", "password": "a guess", "label": "x"}
            if url == "/login":
                r = await c.form(url, guess)
            else:
                body = {k: v for k, v in guess.items() if k != "label" or "tokens" in url}
                r = await c.post(url, json=body, headers={"X-CSRF-Token": await _csrf(c)})
            codes.append(r.status_code)
    assert codes == [422, 429, 429]


async def test_an_account_named_by_its_name_or_its_email_is_one_account_to_the_limit(tight, make):
    """Guesses that switch between an account's name and its email count together."""
    await make.member("alice")
    codes = []
    for n, login in enumerate(("alice", "ALICE@example.org ")):
        async with browser(tight, address=f"198.51.100.{60 + n}") as c:
            codes.append(
                (await c.form("/login", {"login": login, "password": "a guess"})).status_code
            )
    assert codes == [422, 429]
    # Logins that name no account are counted by what was typed, as before.
    async with browser(tight, address="198.51.100.70") as c:
        r = await c.form("/login", {"login": "nobody-here", "password": "a guess"})
        assert r.status_code == 422


async def _token(c: Client) -> str:
    await c.get("/login")
    return c.csrf()


async def test_reset_requests_are_limited_per_email_address(tight, make, settings):
    """Asking for one address's reset from many client addresses is still limited: nobody can
    flood an inbox, and the limit is the same for addresses without an account."""
    await make.member("alice")
    for i, email in enumerate(("alice@example.org", "nobody@example.org")):
        codes = []
        for n in range(2):
            async with browser(tight, address=f"192.0.2.{10 * i + n + 1}") as c:
                codes.append((await c.form("/password/forgot", {"email": email})).status_code)
        assert codes == [200, 429], email
    assert len(_reset_links(settings)) <= 1


# --- where log-in sends you


OFF_SITE = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example/",
            "/\t/evil.example/", "/\n/evil.example", "javascript:alert(1)", " //evil.example"]  # fmt: skip


def test_next_addresses_off_the_site_are_dropped():
    """?next= is followed only to a path of this site: browsers read a backslash, a tab or a
    newline after the first slash as another host."""
    for target in OFF_SITE:
        assert safe_next(target) == "/", target
    assert safe_next("/g/alpha?tab=new") == "/g/alpha?tab=new"


async def test_log_in_never_sends_the_browser_to_another_site(app, make):
    """The same through the real form."""
    await make.member("alice")
    async with browser(app) as c:
        r = await c.form("/login", {"login": "alice", "password": PASSWORD,
                                    "next": "/\\evil.example/"})  # fmt: skip
    assert r.status_code == 303
    assert r.headers["location"] == "/"
