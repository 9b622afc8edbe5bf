"""Fixtures: a real database per test (a SQLite file, or PostgreSQL when
TOWNSQUARE_TEST_DATABASE_URL names one), the real app in-process, and small factories."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import http.server
import os
import shutil
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.app import create_app
from townsquare.config import Settings
from townsquare.db import migrate
from townsquare.db.engine import make_engine, make_sessionmaker
from townsquare.db.models import Base, Comment, Discussion, Group, Member, Membership
from townsquare.domain import accounts, comments, discussions, groups
from townsquare.web.security import SESSION_COOKIE, csrf_token_for


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker empties and fills a PostgreSQL database of its own
    (test_gw0, test_gw1, … beside the one named), made afresh when the worker starts."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    named = make_url(url)
    own = named.set(database=f"{named.database}_{worker}")
    admin = create_engine(named, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{own.database}"')
    admin.dispose()
    rendered = own.render_as_string(hide_password=False)
    os.environ["TOWNSQUARE_TEST_DATABASE_URL"] = rendered  # for tests that read it themselves
    return rendered


PG_URL = _database_of_this_worker(os.environ.get("TOWNSQUARE_TEST_DATABASE_URL", ""))
SECRET = "test-secret-not-for-production"
PASSWORD = "correct horse battery"
_PASSWORD_HASH = accounts.hash_password(PASSWORD)
# The points where each level starts (the default thresholds), so make.member(level=4) holds.
_LEVEL_FLOOR = [0, *Settings().level_thresholds]  # hashed once: argon2id is slow on purpose


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """SQLite: one migrated database file, copied for each test. PostgreSQL: migrate once."""
    if PG_URL:
        engine = create_engine(PG_URL.replace("+asyncpg", "+psycopg"))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        migrate.upgrade(Settings(data_dir=tmp_path_factory.mktemp("pg"), database_url=PG_URL))
        return None
    data = tmp_path_factory.mktemp("template")
    migrate.upgrade(Settings(data_dir=data, database_url=""))
    return data / "townsquare.db"


_PG_ENGINE: list[Any] = []  # one engine for the whole session's clean-ups


def _empty_pg() -> None:
    """Every table emptied and every id counting from 1 again, as TRUNCATE … RESTART
    IDENTITY would leave them; DELETE on a test's few rows takes 7 ms where TRUNCATE of
    every table took 80 (about a minute and a quarter over the PostgreSQL pass)."""
    if not _PG_ENGINE:
        _PG_ENGINE.append(create_engine(PG_URL))
    with _PG_ENGINE[0].begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):  # children before parents
            conn.execute(table.delete())
        conn.execute(text(
            "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public'"
        ))  # fmt: skip


# Tests post quickly from one address; the rate-limit tests tighten these on purpose.
# The level gates are off by default here too; the tests of the gates turn them on.
_ROOMY = {"signup_rate": "1000/minute", "login_rate": "1000/minute", "post_rate": "1000/minute",
          "search_rate": "1000/minute",
          "review_below_level": 1, "group_create_level": 1,
          # Every cached page served in a test is checked against a fresh rendering.
          "page_cache_verify": True}  # fmt: skip


@pytest.fixture
def settings(tmp_path: Path, migrated_template: Path | None) -> Settings:
    data = tmp_path / "data"
    data.mkdir()
    if PG_URL:
        _empty_pg()
        return Settings(data_dir=data, database_url=PG_URL, secret_key=SECRET, **_ROOMY)
    assert migrated_template is not None
    shutil.copy(migrated_template, data / "townsquare.db")
    return Settings(data_dir=data, database_url="", secret_key=SECRET, **_ROOMY)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    yield application
    await application.state.engine.dispose()


@pytest.fixture
async def db(app: Any) -> AsyncIterator[AsyncSession]:
    """A session on the same database the app uses, for arranging and checking."""
    async with app.state.sessionmaker() as session:
        yield session


class Client(httpx.AsyncClient):
    """An in-process browser: keeps cookies, knows its CSRF token, can log in as a member."""

    secret: str = SECRET

    def csrf(self) -> str:
        token = self.cookies.get(SESSION_COOKIE)
        if token:
            basis = "s:" + hashlib.sha256(token.encode()).hexdigest()
        else:
            basis = "a:" + (self.cookies.get("ts_anon") or "")
        return csrf_token_for(self.secret, basis)

    async def form(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
        """POST a form with this browser's CSRF token, as a page would."""
        if "ts_anon" not in self.cookies and SESSION_COOKIE not in self.cookies:
            await self.get("/static/app.css")  # any request hands out the visitor cookie
            if "ts_anon" not in self.cookies:
                await self.get("/login")
        return await self.post(url, data={"csrf_token": self.csrf(), **(data or {})}, **kw)

    async def send_json(self, method: str, url: str, json: Any = None) -> httpx.Response:
        """An API call with session auth, carrying the CSRF header as the site's pages do."""
        return await self.request(method, url, json=json, headers={"X-CSRF-Token": self.csrf()})

    async def log_in_as(self, db: AsyncSession, member: Member) -> None:
        token = await accounts.open_session(db, member, days=1)
        self.cookies.set(SESSION_COOKIE, token)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Client]:
    transport = httpx.ASGITransport(app=app)
    async with Client(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def client_factory(app: Any):  # type: ignore[no-untyped-def]
    """More browsers on the same app, for tests with several members at once."""
    made: list[Client] = []

    def make() -> Client:
        c = Client(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        made.append(c)
        return c

    return make


class Factory:
    """Small builders for arranging a test: make_member(), make_group(), …"""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db
        self.n = 0

    async def member(self, name: str | None = None, *, role: str = "member", level: int = 1,
                     display_name: str | None = None) -> Member:  # fmt: skip
        self.n += 1
        name = name or f"member{self.n}"
        m = Member(name=name, display_name=display_name or name.title(), email=f"{name}@example.org",
                   password_hash=_PASSWORD_HASH, role=role, level=level,
                   points=_LEVEL_FLOOR[level - 1])  # fmt: skip
        self.db.add(m)
        await self.db.commit()
        return m

    async def group(self, host: Member | None = None, *, slug: str | None = None,
                    visibility: str = "public", members: tuple[Member, ...] = ()) -> Group:  # fmt: skip
        self.n += 1
        host = host or await self.member()
        g = await groups.create_group(
            self.db, host, name=f"Group {self.n}", slug=slug or f"group-{self.n}",
            description="A group for testing.", visibility=visibility,
        )  # fmt: skip
        for m in members:
            self.db.add(Membership(group_id=g.id, member_id=m.id))
            g.member_count += 1
        await self.db.commit()
        return g

    async def discussion(self, group: Group, author: Member | None = None, *,
                         title: str = "A discussion", body: str = "Some *words*.") -> Discussion:  # fmt: skip
        if author is None:
            author = await self.member()
            await self.join(author, group)
        return await discussions.start_discussion(
            self.db, author, group_slug=group.slug, title=title, body=body
        )

    async def comment(self, discussion: Discussion, author: Member, *, body: str = "A comment.",
                      parent: Comment | None = None) -> Comment:  # fmt: skip
        return await comments.add_comment(
            self.db, author, discussion.id, body=body, parent_id=parent.id if parent else None
        )

    async def join(self, member: Member, group: Group) -> None:
        await groups.join_group(self.db, member, group.slug)


@pytest.fixture
def make(db: AsyncSession) -> Factory:
    return Factory(db)


ARTICLE_PAGES = Path(__file__).resolve().parent / "links" / "pages"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def article_site():  # type: ignore[no-untyped-def]
    """A local web site on 127.0.0.1 serving the fixture article pages (tests/links/pages)."""
    handler = functools.partial(_QuietHandler, directory=str(ARTICLE_PAGES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def loopback(settings: Settings) -> Settings:
    """Let the fetcher reach the local site: off by default, for tests and development only."""
    settings.fetch_allow_loopback = True
    settings.fetch_total_timeout = 5
    return settings


async def run_jobs(app: Any) -> int:
    """Run the queued background jobs, as the worker would (in a thread of its own)."""
    return await asyncio.to_thread(app.state.jobs.run_pending)


def new_settings(data_dir: Path, **kw: Any) -> Settings:
    return Settings(data_dir=data_dir, secret_key=SECRET, **kw)


__all__ = ["PASSWORD", "Client", "Factory", "make_engine", "make_sessionmaker", "new_settings"]
