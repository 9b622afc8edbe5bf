"""Rate limits on sign-up, log-in and posting, in memory and shared through Redis."""

import secrets

import httpx
import pytest

from tests.conftest import PASSWORD, Client
from townsquare.app import create_app
from townsquare.domain.errors import RateLimited
from townsquare.ratelimit import Limiter, Rate


@pytest.fixture
def strict(settings):
    settings.signup_rate, settings.login_rate, settings.post_rate = "2/hour", "3/minute", "2/minute"
    return settings


async def test_too_many_signups_from_one_address_get_429(strict, db):
    """The third sign-up in an hour from one address is refused with Retry-After, and not created."""
    app = create_app(strict)
    async with Client(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        for i in range(2):
            r = await c.form("/signup", {"name": f"user{i}", "email": f"u{i}@example.org",
                                         "password": PASSWORD})  # fmt: skip
            assert r.status_code == 303
            c.cookies.delete("ts_session")
        r = await c.form(
            "/signup", {"name": "user9", "email": "u9@example.org", "password": PASSWORD}
        )
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert "Too many sign-ups" in r.text
    await app.state.engine.dispose()


async def test_posting_fast_is_limited_per_member(strict, db, make):
    """A member who posts faster than post_rate gets 429; the extra comment is not written."""
    app = create_app(strict)
    member = await make.member()
    group = await make.group(member)
    d = await make.discussion(group, member)
    async with Client(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await c.log_in_as(db, member)
        codes = [
            (await c.form(f"/d/{d.id}/comments", {"body": f"n{i}"})).status_code for i in range(3)
        ]
    assert codes == [303, 303, 429]
    await db.refresh(d)
    assert d.comment_count == 2
    await app.state.engine.dispose()


async def test_redis_limiter_shares_counts_between_limiters():
    """Two limiters on the same Redis (two workers) share one count."""
    redis = pytest.importorskip("redis.asyncio")
    try:
        probe = redis.from_url("redis://127.0.0.1:6379/0")
        await probe.ping()
        await probe.aclose()
    except Exception:
        pytest.skip("no Redis on 127.0.0.1:6379")
    key = secrets.token_hex(6)
    a, b = Limiter("redis://127.0.0.1:6379/0"), Limiter("redis://127.0.0.1:6379/0")
    rate = Rate.parse("2/minute")
    await a.hit("test", key, rate, "slow down")
    await b.hit("test", key, rate, "slow down")
    with pytest.raises(RateLimited):
        await a.hit("test", key, rate, "slow down")
    await a.close()
    await b.close()


def test_rate_strings_parse_and_reject_nonsense():
    """'10/minute' parses; anything else is a clear error at start-up."""
    assert Rate.parse("10/minute") == Rate(10, 60)
    with pytest.raises(ValueError):
        Rate.parse("ten a minute")


async def test_api_login_attempts_are_limited_with_a_problem_body(strict, db, make):
    """Password guessing through the API token endpoint hits the log-in limit: 429 problem+json."""
    await make.member("target")
    app = create_app(strict)
    async with Client(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        codes = []
        for _ in range(4):
            r = await c.post("/api/v1/auth/tokens", json={"login": "target", "password": "guess123",
                                                          "label": "x"})  # fmt: skip
            codes.append(r.status_code)
    assert codes == [422, 422, 422, 429]
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 429 and "retry-after" in r.headers
    await app.state.engine.dispose()


async def test_searching_fast_is_limited_per_member_and_per_address(settings, db, make):
    """Past search_rate a search gets 429 with Retry-After, on the page and in the API; a
    member counts on their own, not against their address; the empty search page is free."""
    settings.search_rate = "2/minute"
    app = create_app(settings)
    member = await make.member()
    transport = httpx.ASGITransport(app=app)
    async with (
        Client(transport=transport, base_url="http://t") as visitor,
        Client(transport=transport, base_url="http://t") as logged_in,
    ):
        await logged_in.log_in_as(db, member)
        assert (await visitor.get("/search")).status_code == 200  # no words: not counted
        codes = [(await visitor.get("/search", params={"q": f"swift {i}"})).status_code
                 for i in range(2)]  # fmt: skip
        refused = await visitor.get("/search", params={"q": "swift again"})
        api = await visitor.get("/api/v1/search", params={"q": "swift"})
        mine = await logged_in.get("/search", params={"q": "swift"})
    assert codes == [200, 200]
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "searching very fast" in refused.text
    assert api.status_code == 429 and api.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert mine.status_code == 200
    await app.state.engine.dispose()
