"""The visitors' page cache: served while nothing it shows changed, rendered again as soon as
a committed write touches it, never shared between a visitor's CSRF token and another's."""

import asyncio
import re

import pytest
from sqlalchemy import text, update

from townsquare.config import Settings
from townsquare.db.models import Group, Member
from townsquare.versions import FileVersions, RedisVersions
from townsquare.web import pagecache
from townsquare.web.pagecache import PLACEHOLDER, PageCache, StaleEntry


def hx_token(page: str) -> str:
    return re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page)[1]


@pytest.fixture
async def world(make):
    host = await make.member("host")
    group = await make.group(host, slug="birds")
    d = await make.discussion(group, host, title="Swifts sleep in flight")
    other = await make.discussion(group, host, title="Crows remember faces")
    return host, group, d, other


async def test_a_visitor_gets_the_kept_page_with_their_own_token(client_factory, world):
    _, _, d, _ = world
    first, second = client_factory(), client_factory()
    r1 = await first.get(f"/d/{d.id}")
    r2 = await first.get(f"/d/{d.id}")
    r3 = await second.get(f"/d/{d.id}")
    assert r1.headers["x-cache"] == "miss"
    assert r2.headers["x-cache"] == "hit" and r3.headers["x-cache"] == "hit"
    assert PLACEHOLDER not in r2.text and PLACEHOLDER not in r3.text
    assert hx_token(r2.text) == first.csrf() and hx_token(r3.text) == second.csrf()
    assert hx_token(r2.text) != hx_token(r3.text)
    assert int(r2.headers["content-length"]) == len(r2.content)
    # The token a kept page carries works: the visitor can log in with it.
    r = await second.post("/login", data={"csrf_token": hx_token(r3.text), "name": "x",
                                          "password": "not it"})  # fmt: skip
    assert r.status_code != 403


async def test_a_comment_renders_its_discussion_again_and_leaves_others_kept(
    client, client_factory, db, world
):
    host, _, d, other = world
    visitor = client_factory()
    for path in (f"/d/{d.id}", f"/d/{other.id}", "/", "/g/birds"):
        await visitor.get(path)
        assert (await visitor.get(path)).headers["x-cache"] == "hit"
    await client.log_in_as(db, host)
    await client.form(f"/d/{d.id}/comments", {"body": "They nap for seconds at a time."})

    r = await visitor.get(f"/d/{d.id}")
    assert r.headers["x-cache"] == "miss" and "They nap for seconds" in r.text
    assert (await visitor.get(f"/d/{other.id}")).headers["x-cache"] == "hit"
    # The feeds show the new activity and count.
    assert (await visitor.get("/")).headers["x-cache"] == "miss"
    assert (await visitor.get("/g/birds")).headers["x-cache"] == "miss"


async def test_replies_likes_edits_and_deletes_show_at_once(client, client_factory, db, world):
    host, _, d, _ = world
    visitor = client_factory()
    await client.log_in_as(db, host)
    r = await client.form(f"/d/{d.id}/comments", {"body": "First thought."})
    cid = int(r.headers["location"].rsplit("#c", 1)[1])
    await visitor.get(f"/d/{d.id}")

    await client.form(f"/d/{d.id}/comments", {"body": "A reply.", "parent_id": str(cid)})
    page = (await visitor.get(f"/d/{d.id}")).text
    assert "1 reply" in page and "A reply." in page

    await client.form(f"/c/{cid}/like")
    page = (await visitor.get(f"/d/{d.id}")).text
    assert re.search(rf'id="c{cid}".*?like-count[^>]*>♥ 1<', page, re.S)

    await client.form(f"/c/{cid}/edit", {"body": "Second thought."})
    page = (await visitor.get(f"/d/{d.id}")).text
    assert "Second thought." in page and "First thought." not in page


async def test_a_new_name_or_level_shows_on_every_kept_page(client_factory, db, world):
    host, _, d, other = world
    visitor = client_factory()
    await visitor.get(f"/d/{d.id}")
    await visitor.get(f"/d/{other.id}")
    await db.execute(update(Member).where(Member.id == host.id).values(display_name="Hostess"))
    await db.commit()
    for path in (f"/d/{d.id}", f"/d/{other.id}"):
        r = await visitor.get(path)
        assert r.headers["x-cache"] == "miss" and "Hostess" in r.text


async def test_a_group_made_private_disappears_from_the_cache(client_factory, db, world):
    _, group, d, _ = world
    visitor = client_factory()
    assert (await visitor.get(f"/d/{d.id}")).status_code == 200
    await db.execute(update(Group).where(Group.id == group.id).values(visibility="private"))
    await db.commit()
    assert (await visitor.get(f"/d/{d.id}")).status_code == 404
    assert (await visitor.get("/g/birds")).status_code == 404


async def test_logged_in_pages_are_not_kept(client, db, world):
    host, _, d, _ = world
    await client.log_in_as(db, host)
    await client.get(f"/d/{d.id}")
    assert "x-cache" not in (await client.get(f"/d/{d.id}")).headers


async def test_repeat_visits_get_304_until_the_page_changes(client, client_factory, db, world):
    host, _, d, _ = world
    visitor = client_factory()
    tag = (await visitor.get(f"/d/{d.id}")).headers["etag"]
    r = await visitor.get(f"/d/{d.id}", headers={"If-None-Match": tag})
    assert r.status_code == 304 and r.content == b""
    # Another visitor's copy carries another token, so another tag.
    assert (await client_factory().get(f"/d/{d.id}")).headers["etag"] != tag

    await client.log_in_as(db, host)
    mine = (await client.get(f"/d/{d.id}")).headers["etag"]
    assert (await client.get(f"/d/{d.id}", headers={"If-None-Match": mine})).status_code == 304
    await client.form(f"/d/{d.id}/comments", {"body": "Something new."})
    r = await client.get(f"/d/{d.id}", headers={"If-None-Match": mine})
    assert r.status_code == 200 and "Something new." in r.text
    assert (await visitor.get(f"/d/{d.id}", headers={"If-None-Match": tag})).status_code == 200


async def test_verify_mode_catches_a_write_that_bumped_nothing(client_factory, db, world):
    """The suite runs with verification on: a write the tracker misses fails a test."""
    _, _, d, _ = world
    visitor = client_factory()
    await visitor.get(f"/d/{d.id}")
    # Plain SQL text goes around the tracker, as a forgotten code path would.
    await db.execute(text("UPDATE discussion SET title = 'Changed behind its back'"))
    await db.commit()
    with pytest.raises(StaleEntry):
        await visitor.get(f"/d/{d.id}")


async def test_a_failed_write_bumps_nothing(client, client_factory, db, world):
    host, _, d, _ = world
    visitor = client_factory()
    await visitor.get(f"/d/{d.id}")
    await client.log_in_as(db, host)
    r = await client.form(f"/d/{d.id}/comments", {"body": "   "})
    assert r.status_code == 422
    assert (await visitor.get(f"/d/{d.id}")).headers["x-cache"] == "hit"


async def test_workers_on_one_machine_share_the_counters(tmp_path):
    one, two = FileVersions(tmp_path / "v"), FileVersions(tmp_path / "v")
    before = await two.read(["d:1", "site"])
    one.bump(["d:1"])
    after = await two.read(["d:1", "site"])
    assert after[0] == before[0] + 1 and after[1] == before[1]
    one.close()
    two.close()


@pytest.mark.xdist_group("redis-3")  # the second empties database 3
async def test_workers_on_several_machines_share_the_counters_in_redis():
    url = "redis://127.0.0.1:6379/3"
    one, two = RedisVersions(url), RedisVersions(url)
    try:
        await two._async.ping()
    except OSError:
        pytest.skip("Redis is not running")
    before = await two.read(["d:1", "home"])
    one.bump(["d:1"])
    after = await two.read(["d:1", "home"])
    assert after == (before[0] + 1, before[1])
    one.close()


@pytest.mark.xdist_group("redis-3")  # the second empties database 3
async def test_counters_redis_lost_never_match_what_was_read_before():
    """Redis restarted without its data: the counters count from zero again, and a bump or
    two could bring one back to a value a worker kept a page (or a session) under."""
    url = "redis://127.0.0.1:6379/3"
    store = RedisVersions(url)
    try:
        await store._async.ping()
    except OSError:
        pytest.skip("Redis is not running")
    await store._async.flushdb()
    store.bump(["m:1"])
    kept = await store.read(["m:1", "members"])
    await store._async.flushdb()  # lost, as by a restart without persistence
    store.bump(["m:1"])
    now = await store.read(["m:1", "members"])
    assert now != kept and now[1] != kept[1]  # even the counters that were never bumped
    assert await store.read(["m:1", "members"]) == now  # the new epoch holds
    store.close()


async def test_members_share_kept_threads_but_each_sees_their_own_likes_buttons_and_token(
    app, client_factory, db, make, world
):
    host, group, d, _ = world
    ann, bob = await make.member("ann"), await make.member("bob")
    for m in (ann, bob):
        await make.join(m, group)
    c = await make.comment(d, host, body="Swifts can stay aloft for ten months.")
    a, b, h = client_factory(), client_factory(), client_factory()
    await a.log_in_as(db, ann)
    await b.log_in_as(db, bob)
    await h.log_in_as(db, host)
    await a.form(f"/c/{c.id}/like")

    def liked(page: str) -> bool:
        form = re.search(rf'action="/c/{c.id}/like".*?</form>', page, re.S)[0]
        return 'aria-pressed="true"' in form

    for _ in range(2):  # the second round reuses what the first kept
        pa, pb, ph = [(await x.get(f"/d/{d.id}")).text for x in (a, b, h)]
        assert liked(pa) and not liked(pb)
        assert f'action="/c/{c.id}/delete"' in ph and f'action="/c/{c.id}/delete"' not in pb
        assert PLACEHOLDER not in pa + pb + ph
        assert f'name="csrf_token" value="{a.csrf()}"' in pa
        assert f'name="csrf_token" value="{b.csrf()}"' in pb and a.csrf() not in pb
        assert app.state.fragments.kept  # Ann's and Bob's threads (the host's are never kept)
    # Bob replies: everyone's next page shows the reply and the count.
    await b.form(f"/d/{d.id}/comments", {"body": "Even asleep?", "parent_id": str(c.id)})
    for x in (a, b, h):
        page = (await x.get(f"/d/{d.id}")).text
        assert "Even asleep?" in page and "1 reply" in page


async def test_static_files_named_by_their_hash_are_kept_for_a_year(client):
    page = (await client.get("/login")).text
    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]{12})"', page)[1]
    js = re.search(r'src="(/static/app\.js\?v=[0-9a-f]{12})"', page)[1]
    for url in (css, js):
        r = await client.get(url)
        assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
    # Another release's hash, or none, must be checked again before use.
    assert (await client.get("/static/app.css?v=000000000000")).headers[
        "cache-control"
    ] == "no-cache"
    assert (await client.get("/static/app.css")).headers["cache-control"] == "no-cache"


def _slow_page(release: asyncio.Event, status: int = 200):  # type: ignore[no-untyped-def]
    """A downstream app that answers once ``release`` is set, counting how often it ran."""

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        app.calls += 1
        await release.wait()
        headers = [(b"content-type", b"text/html; charset=utf-8")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"<p>%s</p>" % PLACEHOLDER.encode()})

    app.calls = 0
    return app


async def _visits(cache: PageCache, n: int, release: asyncio.Event) -> list[list[dict]]:
    """n visitors ask for one page at once; the rendering ends only once all have arrived."""

    async def visit(i: int) -> list[dict]:
        sent: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b""}

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/d/1", "query_string": b"",
                 "headers": [(b"host", b"town.test")], "state": {"anon": f"visitor{i}"}}  # fmt: skip
        await cache(scope, receive, send)
        return sent

    tasks = [asyncio.create_task(visit(i)) for i in range(n)]
    await asyncio.sleep(0.05)
    release.set()
    return await asyncio.gather(*tasks)


async def test_visitors_who_arrive_while_a_page_renders_wait_for_that_one_rendering(tmp_path):
    """A write to a busy page costs one rendering, not one per visitor reading it then; each
    still gets their own token in the copy."""
    release = asyncio.Event()
    app = _slow_page(release)
    cache = PageCache(app, Settings(data_dir=tmp_path), "secret", FileVersions(tmp_path / "v"))
    answers = await _visits(cache, 5, release)
    assert app.calls == 1
    how = sorted(dict(a[0]["headers"])[b"x-cache"] for a in answers)
    assert how == [b"hit"] * 4 + [b"miss"]
    bodies = {a[1]["body"] for a in answers}
    assert len(bodies) == 5 and not any(PLACEHOLDER.encode() in b for b in bodies)


async def test_when_the_rendering_cannot_be_kept_each_waiting_visitor_gets_their_own(tmp_path):
    release = asyncio.Event()
    app = _slow_page(release, status=404)
    cache = PageCache(app, Settings(data_dir=tmp_path), "secret", FileVersions(tmp_path / "v"))
    answers = await _visits(cache, 3, release)
    assert app.calls == 3 and not cache.rendering
    assert [a[0]["status"] for a in answers] == [404] * 3


async def test_a_visitor_does_not_wait_on_a_rendering_stuck_past_the_limit(tmp_path, monkeypatch):
    """The first rendering hangs (a lock, a slow query): the next visitor renders for
    themself once RENDER_WAIT_S has passed, rather than hang with it."""
    monkeypatch.setattr(pagecache, "RENDER_WAIT_S", 0.1)
    stuck = asyncio.Event()
    first = _slow_page(stuck)
    app_calls = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        app_calls.append(1)
        if len(app_calls) == 1:
            await first(scope, receive, send)
            return
        headers = [(b"content-type", b"text/html; charset=utf-8")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"<p>fresh</p>"})

    cache = PageCache(app, Settings(data_dir=tmp_path), "secret", FileVersions(tmp_path / "v"))
    release_later = asyncio.Event()
    visits = asyncio.create_task(_visits(cache, 2, release_later))
    await asyncio.sleep(0.5)  # the second visitor has given up waiting and been answered
    assert len(app_calls) == 2
    stuck.set()
    answers = await visits
    assert {a[1]["body"] for a in answers} >= {b"<p>fresh</p>"}


def test_a_kept_page_is_held_once_and_counted_once(settings):
    """A kept page is held cut at its placeholders and not also whole, counted by its
    length; keeping the same page again (two renderings at once) does not count it twice.
    Visitors' pages get half of TOWNSQUARE_PAGE_CACHE_MB, the threads and members' pages
    the other half."""
    settings.page_cache_mb = 2
    assert pagecache.cache_budgets(settings) == (1024 * 1024, 1024 * 1024)
    cache = PageCache(None, settings, "secret", FileVersions(settings.data_dir / "versions"))  # type: ignore[arg-type]
    body = b"<p>" + PLACEHOLDER.encode() + b"</p>" * 10_000
    entry = pagecache.Entry.of((1, 2), [], body)
    assert not hasattr(entry, "body") and entry.size == len(body)
    assert entry.filled(b"T" * 64) == body.replace(PLACEHOLDER.encode(), b"T" * 64)
    for _ in range(3):
        cache._keep(b"/d/1", pagecache.Entry.of((1, 2), [], body))
    assert cache.size == len(body) and cache.budget == 1024 * 1024
