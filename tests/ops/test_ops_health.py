"""/healthz (the process answers) and /readyz (database and queue ready), outside sessions."""

from __future__ import annotations

import logging
import sqlite3

import httpx

from tests.conftest import SECRET
from tests.mailbox import free_port
from townsquare.app import create_app
from townsquare.config import Settings
from townsquare.ops.logs import ACCESS


async def probe(app, path: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        return await c.get(path)


async def test_healthz_answers_json_without_a_cookie(client):
    """200 {"status": "ok"} as JSON, and no visitor cookie: no session work for a probe."""
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert r.headers["content-type"] == "application/json"
    assert "set-cookie" not in r.headers


async def test_healthz_does_not_touch_the_database(tmp_path):
    """A site whose database cannot be opened is still alive, and not ready."""
    settings = Settings(data_dir=tmp_path, secret_key=SECRET,
                        database_url="sqlite+aiosqlite:///" + str(tmp_path / "no" / "such.db"))  # fmt: skip
    app = create_app(settings)
    try:
        assert (await probe(app, "/healthz")).status_code == 200
        ready = await probe(app, "/readyz")
    finally:
        await app.state.engine.dispose()
    assert ready.status_code == 503
    body = ready.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"].startswith("the database does not answer")
    assert body["checks"]["queue"] == "ok"


async def test_readyz_is_ready_on_a_migrated_site(client):
    """The database answers at the newest migration and the queue's file answers: 200."""
    r = await client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ready", "checks": {"database": "ok", "queue": "ok"}}
    assert "set-cookie" not in r.headers


async def test_readyz_names_a_database_behind_on_migrations(tmp_path):
    """A database at an older migration: 503 naming the database and the command to run."""
    conn = sqlite3.connect(tmp_path / "townsquare.db")
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("INSERT INTO alembic_version VALUES ('0006')")
    conn.commit()
    conn.close()
    app = create_app(Settings(data_dir=tmp_path, database_url="", secret_key=SECRET))
    try:
        r = await probe(app, "/readyz")
    finally:
        await app.state.engine.dispose()
    assert r.status_code == 503
    assert r.json()["failing"] == ["database"]
    assert "at migration 0006" in r.json()["checks"]["database"]
    assert "townsquare migrate" in r.json()["checks"]["database"]


async def test_readyz_names_the_queue_when_its_redis_is_unreachable(settings):
    """The queue lives in a Redis nobody answers at: 503 with failing ["queue"]."""
    settings.redis_url = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(settings)
    try:
        r = await probe(app, "/readyz")
    finally:
        await app.state.engine.dispose()
    assert r.status_code == 503
    assert r.json()["failing"] == ["queue"]
    assert r.json()["checks"]["database"] == "ok"
    assert "queue" in r.json()["checks"]["queue"]


async def test_probes_are_not_logged_at_info(client, caplog):
    """A probe every few seconds stays out of the info log; a page request is logged."""
    with caplog.at_level(logging.INFO, logger=ACCESS):
        await client.get("/healthz")
        await client.get("/readyz")
        assert [r for r in caplog.records if r.name == ACCESS] == []
        await client.get("/login")
    assert [r.access["path"] for r in caplog.records if r.name == ACCESS] == ["/login"]
