"""`townsquare serve --workers 2` as a real process: nothing a member relies on may live in
one worker only. A log-in made through one worker holds on the other, a form rendered by
one is accepted by the other (one secret key), a log-out on one ends it on both, and the
log-in rate limit counts attempts made to either worker together.

Which worker answers is up to the kernel, so the tests hold one keep-alive connection to
each worker (found through /proc: the process that owns the server end of the socket)
and alternate between them; that makes "across workers" certain rather than likely.
On PostgreSQL (TOWNSQUARE_TEST_DATABASE_URL) the server also uses Redis database 5, as
several machines would; on SQLite it uses the data directory alone, as one machine does.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.conftest import PG_URL, _empty_pg

REDIS_URL = "redis://127.0.0.1:6379/5"
# Its servers share Redis database 5, which the module empties: its tests stay on one
# pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("redis-5")
PASSWORD = "correct horse battery"
pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")


@dataclass
class Server:
    port: int
    pid: int
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated_template) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    data = tmp_path_factory.mktemp("workers")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSQUARE_")}
    env.update(
        TOWNSQUARE_LOGIN_RATE="4/day",  # a day: the test cannot straddle two windows
        TOWNSQUARE_SIGNUP_RATE="100/day",
        TOWNSQUARE_REVIEW_BELOW_LEVEL="1",
        TOWNSQUARE_PAGE_CACHE_VERIFY="true",
    )
    if PG_URL:
        import redis

        _empty_pg()
        with redis.Redis.from_url(REDIS_URL) as r:
            r.flushdb()  # database 5 is this test's own
        env.update(TOWNSQUARE_DATABASE_URL=PG_URL, TOWNSQUARE_REDIS_URL=REDIS_URL)
    else:
        shutil.copy(migrated_template, data / "townsquare.db")  # the suite's migrated file
    # No TOWNSQUARE_SECRET_KEY: serve makes the key file, and every worker must read it.
    port = _free_port()
    log = data / "serve.log"
    args = ["serve", "--data-dir", str(data), "--port", str(port), "--workers", "2", "--no-queue"]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "townsquare", *args], env=env, stdout=out, stderr=out
        )
    try:
        _wait_until_up(port, proc, log)
        yield Server(port, proc.pid, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until_up(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/static/app.css")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"serve did not answer within 60 s:\n{log.read_text()}")


# --- which worker holds a connection ---------------------------------------------------------


def _workers(parent: int) -> set[int]:
    """The serve process's children (uvicorn's worker processes)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces; the parent pid is the second field after it.
            if int(stat.rpartition(")")[2].split()[1]) == parent:
                found.add(int(entry.name))
    return found


def _owner(parent: int, server_port: int, client_port: int) -> int | None:
    """The worker that owns the server end of the connection from client_port."""
    local, remote = f":{server_port:04X}", f":{client_port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(local) and fields[2].endswith(remote) and fields[3] == "01":
            inode = fields[9]
    if inode is None:
        return None
    for pid in _workers(parent):
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


class Browser:
    """Cookies shared by several pinned connections, as one browser talking to the site."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def send(self, conn: Pinned, method: str, path: str, form: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        r = conn.request(method, path, body, headers)
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
                if "Max-Age=0" in value or "01 Jan 1970" in value:
                    self.cookies.pop(key)
        return r


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    text: str

    def getheaders(self) -> list[tuple[str, str]]:
        return self.headers

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name), None)

    def csrf(self) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.text)
        assert found, self.text[:500]
        return found[1]


class Pinned:
    """One keep-alive connection, held by one worker for as long as the test uses it."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.conn.connect()
        self.client_port = self.conn.sock.getsockname()[1]
        self.worker: int | None = None

    def request(
        self, method: str, path: str, body: str | None, headers: dict[str, str]
    ) -> Response:
        self.conn.request(method, path, body, headers)
        r = self.conn.getresponse()
        text = r.read().decode()
        # http.client would quietly reconnect (perhaps to the other worker); it must not.
        assert self.conn.sock is not None and self.conn.sock.getsockname()[1] == self.client_port
        return Response(r.status, r.getheaders(), text)


def one_connection_per_worker(server: Server) -> tuple[Pinned, Pinned]:
    """Open connections until two are held by different workers; close the rest."""
    seen: dict[int, Pinned] = {}
    spare: list[Pinned] = []
    deadline = time.monotonic() + 30  # a worker still starting accepts nothing yet
    while time.monotonic() < deadline:
        batch = [Pinned(server.port) for _ in range(4)]  # queued together, so both accept
        for p in batch:
            p.request("GET", "/static/app.css", None, {})
            p.worker = _owner(server.pid, server.port, p.client_port)
            assert p.worker is not None, "no worker owns the connection"
            if p.worker in seen:  # keep the newest: an idle keep-alive closes after 5 s
                spare.append(seen[p.worker])
            seen[p.worker] = p
        if len(seen) >= 2:
            break
        time.sleep(0.1)
    for p in spare:
        p.conn.close()
    assert len(seen) >= 2, f"every connection went to one worker: {seen.keys()}"
    a, b = list(seen.values())[:2]
    return a, b


def test_a_log_in_made_on_one_worker_holds_on_every_worker(server):
    """Sign up (and so log in) through one worker; the log-in works on both for many
    requests, a form from one is accepted by the other, and a log-out on one ends it on both."""
    if PG_URL:  # the key is a file of this machine's: serve says a second one needs it too
        assert "set TOWNSQUARE_SECRET_KEY on each" in server.log.read_text()
    a, b = one_connection_per_worker(server)
    me = Browser()
    page = me.send(a, "GET", "/signup")
    joined = me.send(a, "POST", "/signup", {"csrf_token": page.csrf(), "name": "walker",
                     "email": "walker@example.org", "password": PASSWORD})  # fmt: skip
    assert joined.status == 303, joined.text[:500]
    assert "ts_session" in me.cookies

    for i in range(20):
        r = me.send((a, b)[i % 2], "GET", "/settings/profile")
        assert r.status == 200, (i, r.status)  # a visitor would be sent to /login

    form = me.send(a, "GET", "/settings/profile")
    saved = me.send(b, "POST", "/settings/profile", {"csrf_token": form.csrf(),
                    "display_name": "Walks Far", "bio": "Across workers."})  # fmt: skip
    assert saved.status == 303, saved.text[:500]
    assert "Walks Far" in me.send(a, "GET", "/settings/profile").text

    kept = me.cookies["ts_session"]
    out = me.send(
        b, "POST", "/logout", {"csrf_token": me.send(b, "GET", "/settings/profile").csrf()}
    )
    assert out.status == 303
    me.cookies["ts_session"] = kept  # send the old cookie again, as a copied one would be
    gone = me.send(a, "GET", "/settings/profile")
    assert gone.status == 303 and "/login" in (gone.header("location") or "")


def test_the_log_in_limit_counts_both_workers_together(server):
    """Four wrong passwords split between the two workers use up a limit of four a day:
    the fifth attempt is refused with 429, whichever worker it reaches."""
    a, b = one_connection_per_worker(server)
    guesser = Browser()
    token = guesser.send(a, "GET", "/login").csrf()
    codes = []
    for i in range(5):
        r = guesser.send((a, b)[i % 2], "POST", "/login",
                         {"csrf_token": token, "login": "walker", "password": f"guess {i}"})  # fmt: skip
        codes.append(r.status)
    assert codes == [422, 422, 422, 422, 429]
    assert int(r.header("retry-after") or 0) > 0
