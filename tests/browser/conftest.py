"""Browser fixtures: the real server in a subprocess on a fresh SQLite data directory, and
Debian's chromium driven by Playwright's sync API.

Without chromium (or without the playwright package) the browser tests skip, unless
TOWNSQUARE_BROWSER_TESTS=required, as CI sets it: then they fail, so CI cannot pass by
quietly skipping them. They always run on SQLite, also in the PostgreSQL pass of CI.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.server
import itertools
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.config import Settings
from townsquare.db import models
from townsquare.db.engine import make_engine, make_sessionmaker
from townsquare.domain import accounts, comments, discussions, groups
from townsquare.jobs.queue import Jobs

try:  # test modules take expect from here, so they import even without playwright
    from playwright.sync_api import expect
except ImportError:  # then chromium_path skips (or fails) every browser test
    expect = None  # type: ignore[assignment]

REPO = Path(__file__).resolve().parents[2]
# Article pages the server fetches when a test shares a link: the browser tests' own first,
# then the ones the link extraction tests use.
ARTICLE_PAGES = (Path(__file__).resolve().parent / "pages", REPO / "tests" / "links" / "pages")
PASSWORD = "correct horse battery"
CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
NO_CHROMIUM = "no chromium: install it with apt-get install -y chromium to run the browser tests"
T = TypeVar("T")


def find_chromium() -> str | None:
    """The chromium to drive, or None when it (or the playwright package) is missing."""
    if expect is None:
        return None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def missing_browser(required: bool) -> None:
    """Fail when the browser tests are required, else skip, with the same clear message."""
    if required:
        pytest.fail(f"TOWNSQUARE_BROWSER_TESTS=required but {NO_CHROMIUM}", pytrace=False)
    pytest.skip(NO_CHROMIUM)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    found = find_chromium()
    if found is None:
        missing_browser(os.environ.get("TOWNSQUARE_BROWSER_TESTS") == "required")
    assert found is not None
    return found


# --- the server -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env() -> dict[str, str]:
    """The caller's environment without townsquare settings (SQLite, no Redis), generous limits.

    The fetcher may reach 127.0.0.1, where the tests serve their article pages, and gives up
    quickly, so a shared link that cannot be had fails within the test's patience.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSQUARE_")}
    env.update(
        TOWNSQUARE_SIGNUP_RATE="1000/minute",
        TOWNSQUARE_LOGIN_RATE="1000/minute",
        TOWNSQUARE_POST_RATE="1000/minute",
        # Level gates off, as in the in-process tests; the review test turns its own on.
        TOWNSQUARE_REVIEW_BELOW_LEVEL="1",
        TOWNSQUARE_GROUP_CREATE_LEVEL="1",
        TOWNSQUARE_FETCH_ALLOW_LOOPBACK="true",
        TOWNSQUARE_FETCH_CONNECT_TIMEOUT="2",
        TOWNSQUARE_FETCH_TOTAL_TIMEOUT="4",
    )
    return env


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/static/app.css", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(f"the server did not answer within 30 s:\n{log.read_text()}")


class Site:
    """The running server, and a way to arrange data through the domain layer on its database."""

    def __init__(self, url: str, data_dir: Path) -> None:
        self.url = url
        self.settings = Settings(
            data_dir=data_dir, database_url="", redis_url="", review_below_level=1,
            group_create_level=1,
        )  # fmt: skip
        self._names = itertools.count(1)
        self._password_hash: str | None = None
        # Jobs a write defers (fetching a shared link) go to the server's queue, as its own do.
        self._jobs = Jobs(self.settings)

    def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run work(db) to completion, in a thread of its own so no event loop is disturbed."""

        async def main() -> T:
            engine = make_engine(self.settings)
            try:
                async with make_sessionmaker(engine, self._jobs.enqueue_all, self.settings)() as db:
                    return await work(db)
            finally:
                await engine.dispose()

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, main()).result()

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self._names)}"

    def member(self, name: str | None = None, *, role: str = "member") -> Member:
        """A new member (role: member, moderator or admin of the site) with a log-in token a
        browser can carry as its session cookie."""
        name = name or self.unique("member")
        if self._password_hash is None:  # argon2id is slow on purpose: hash once a session
            self._password_hash = accounts.hash_password(PASSWORD)
        password_hash = self._password_hash

        async def work(db: AsyncSession) -> Member:
            m = models.Member(name=name, display_name=name.title(), email=f"{name}@example.org",
                              password_hash=password_hash, role=role)  # fmt: skip
            db.add(m)
            await db.commit()
            token = await accounts.open_session(db, m, days=1)
            return Member(m.id, m.name, m.display_name, token)

        return self.run(work)

    def group(self, host: Member, *, joined: tuple[Member, ...] = ()) -> str:
        """A public group hosted by host, with the others as members; returns its slug."""
        slug = self.unique("group-")

        async def work(db: AsyncSession) -> str:
            actor = await accounts.member_by_name(db, host.name)
            await groups.create_group(db, actor, name=f"Group {slug}", slug=slug,
                                      description="A group for browser tests.")  # fmt: skip
            for m in joined:
                await groups.join_group(db, await accounts.member_by_name(db, m.name), slug)
            return slug

        return self.run(work)

    def discussion(self, slug: str, author: Member, *, title: str = "A discussion",
                   body: str = "Some *words*.", link_url: str | None = None) -> int:  # fmt: skip
        async def work(db: AsyncSession) -> int:
            actor = await accounts.member_by_name(db, author.name)
            d = await discussions.start_discussion(
                db, actor, group_slug=slug, title=title, body=body, link_url=link_url
            )
            return d.id

        return self.run(work)

    def comments(self, discussion_id: int, author: Member, bodies: list[str],
                 parent_id: int | None = None) -> list[int]:  # fmt: skip
        """Comments (or replies to parent_id) in order; returns their ids."""

        async def work(db: AsyncSession) -> list[int]:
            actor = await accounts.member_by_name(db, author.name)
            ids = []
            for body in bodies:
                c = await comments.add_comment(
                    db, actor, discussion_id, body=body, parent_id=parent_id
                )
                ids.append(c.id)
            return ids

        return self.run(work)

    def link_status(self, discussion_id: int) -> str | None:
        """The fetch status of a discussion's link: pending, ok or failed (None: no link)."""

        async def work(db: AsyncSession) -> str | None:
            d = await db.get(models.Discussion, discussion_id)
            link = await db.get(models.Link, d.link_id) if d and d.link_id else None
            return link.status if link else None

        return self.run(work)

    def wait_for_link(self, discussion_id: int, timeout: float = 15) -> str:
        """Wait until the server's queue has fetched the discussion's link; its status."""
        deadline = time.monotonic() + timeout
        while (status := self.link_status(discussion_id)) == "pending":
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the link of discussion {discussion_id} was not fetched in {timeout} s"
                )
            time.sleep(0.1)
        assert status is not None
        return status


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    display_name: str
    token: str


@contextlib.contextmanager
def running_site(data: Path, env: dict[str, str] | None = None) -> Iterator[Site]:
    """`townsquare init` then `townsquare serve` on the data directory, stopped on exit.

    env overrides the test defaults of _server_env (a test that needs the level gates on
    passes its own TOWNSQUARE_REVIEW_BELOW_LEVEL). The site's first member, "founder", is
    its admin, as on a real site.
    """
    server_env = _server_env() | (env or {})
    subprocess.run(
        [sys.executable, "-m", "townsquare", "init", "--data-dir", str(data)],
        cwd=REPO, env=server_env, check=True, capture_output=True,
    )  # fmt: skip
    port = _free_port()
    log = data / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "townsquare", "serve", "--data-dir", str(data),
             "--port", str(port)],
            cwd=REPO, env=server_env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, log)
        s = Site(url, data)
        s.run(
            lambda db: accounts.sign_up(
                db, name="founder", email="founder@example.org", password=PASSWORD
            )
        )
        yield s
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def site(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The server with the level gates off, on a fresh data directory, for the session."""
    with running_site(tmp_path_factory.mktemp("browser-site")) as s:
        yield s


# --- the article pages ----------------------------------------------------------------------


class _ArticlePages(http.server.SimpleHTTPRequestHandler):
    """Serves a path from the first of ARTICLE_PAGES that has it."""

    def translate_path(self, path: str) -> str:
        found = ""
        for root in ARTICLE_PAGES:
            self.directory = str(root)
            found = super().translate_path(path)
            if os.path.exists(found):
                break
        return found

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass


@pytest.fixture(scope="session")
def article_site() -> Iterator[str]:
    """A local web site on 127.0.0.1 serving the fixture article pages; its base URL."""
    handler = functools.partial(_ArticlePages, directory=str(ARTICLE_PAGES[0]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # A local server answers in milliseconds; a short wait makes a failing test fail fast.
    expect.set_options(timeout=3_000)
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()
    finally:
        pw.stop()


class Tab:
    """Opens pages in fresh browser contexts and remembers the console errors they log."""

    def __init__(self, browser: Any, site: Site) -> None:
        self.browser = browser
        self.site = site
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def __call__(self, member: Member | None = None, *, js: bool = True,
                 width: int = 1024, height: int = 800) -> Any:  # fmt: skip
        context = self.browser.new_context(
            base_url=self.site.url,
            java_script_enabled=js,
            viewport={"width": width, "height": height},
        )
        context.set_default_timeout(3_000)
        self.contexts.append(context)
        if member is not None:
            context.add_cookies([{"name": "ts_session", "value": member.token,
                                  "url": self.site.url}])  # fmt: skip
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        return page

    def _console(self, message: Any) -> None:
        where = message.location.get("url", "")
        # Chromium asks for /favicon.ico on its own; a site without one is not a page error.
        if message.type == "error" and not where.endswith("/favicon.ico"):
            self.errors.append(f"{message.text} ({where})")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def open_page(browser: Any, site: Site) -> Iterator[Tab]:
    """open_page(member=None, js=True, width=1024): a new page, logged in as member if given."""
    tab = Tab(browser, site)
    yield tab
    tab.close()


@dataclass(frozen=True)
class LongDiscussion:
    id: int
    comment_ids: list[int]  # in order: position n is comment_ids[n - 1]
    reader: Member


@pytest.fixture(scope="session")
def long_discussion(site: Site) -> LongDiscussion:
    """A discussion with 120 comments: three pages of 50, 50 and 20. Nobody changes it."""
    author, reader = site.member(), site.member()
    slug = site.group(author, joined=(reader,))
    did = site.discussion(slug, author, title="A long conversation")
    ids = site.comments(did, author, [f"Comment number {n}." for n in range(1, 121)])
    return LongDiscussion(did, ids, reader)
