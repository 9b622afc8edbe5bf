"""Fault tests' fixtures: the real server in a subprocess on the test's own database, which
a test may kill with SIGKILL and start again, and logged-in members it can post as."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.browser.conftest import REPO, _free_port, _server_env, _wait_until_up
from tests.conftest import SECRET
from townsquare.config import Settings
from townsquare.db.models import Member
from townsquare.domain import accounts
from townsquare.web.security import SESSION_COOKIE, csrf_token_for


class Server:
    """`python -m townsquare serve` on a test's settings; start(), kill() (SIGKILL), stop()."""

    def __init__(self, settings: Settings, extra_env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.env = _server_env() | {
            "TOWNSQUARE_DATA_DIR": str(settings.data_dir),
            "TOWNSQUARE_SECRET_KEY": settings.secret_key,
        }
        if settings.database_url:
            self.env["TOWNSQUARE_DATABASE_URL"] = settings.database_url
        self.env |= extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.starts = 0

    def start(self) -> str:
        self.starts += 1
        port = _free_port()
        log = self.settings.data_dir / f"server-{self.starts}.log"
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "townsquare", "serve", "--port", str(port)],
                cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.url = f"http://127.0.0.1:{port}"
        _wait_until_up(self.url, self.proc, log)
        return self.url

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing, as when the machine's OOM killer strikes."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def logs(self) -> str:
        return "\n".join(
            p.read_text(errors="replace")
            for p in sorted(self.settings.data_dir.glob("server-*.log"))
        )


@pytest.fixture
def server(settings: Settings) -> Iterator[Server]:
    """The real server on this test's database (SQLite file, or PostgreSQL), not yet started."""
    s = Server(settings)
    yield s
    s.stop()


@dataclass(frozen=True)
class Poster:
    """A logged-in member as a browser is: the session cookie and the forms' CSRF token."""

    name: str
    token: str

    @property
    def cookies(self) -> dict[str, str]:
        return {SESSION_COOKIE: self.token}

    @property
    def csrf(self) -> str:
        return csrf_token_for(SECRET, "s:" + hashlib.sha256(self.token.encode()).hexdigest())


@pytest.fixture
def log_in(db: AsyncSession):  # type: ignore[no-untyped-def]
    """await log_in(member): a Poster carrying a fresh log-in of that member."""

    async def open_for(member: Member) -> Poster:
        return Poster(member.name, await accounts.open_session(db, member, days=1))

    return open_for
