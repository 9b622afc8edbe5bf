"""Fixtures for the links tests: a local site on 127.0.0.1, a fence on outgoing
connections, a fake resolver and small limits so the suite takes seconds."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from townsquare.links import guard
from townsquare.links.errors import UNREACHABLE, FetchFailed
from townsquare.links.fetch import FetchLimits

PAGES = Path(__file__).parent / "pages"
HUGE = 6_000_000
SLOW_SECONDS = 5.0
LOOPBACK = {"127.0.0.1", "::1"}

_stop = threading.Event()


class _Site(BaseHTTPRequestHandler):
    """Routes for every situation the fetcher meets: pages, redirects, files, errors, stalls."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output readable

    def do_GET(self) -> None:
        # The fetcher hangs up on purpose (size cap, timeout): not an error here.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route()

    def _route(self) -> None:
        path = self.path.split("?", 1)[0]
        if match := re.fullmatch(r"/pages/([a-z0-9-]+)", path):
            page = PAGES / f"{match.group(1)}.html"
            if page.is_file():
                return self._send(200, page.read_bytes(), "text/html; charset=utf-8")
        if match := re.fullmatch(r"/hops/(\d+)", path):
            left = int(match.group(1))
            if left == 0:
                return self._send(200, (PAGES / "news-bridge.html").read_bytes(), "text/html")
            return self._redirect(f"/hops/{left - 1}")
        if path == "/to-private":
            return self._redirect("http://10.0.0.1/admin")
        if path == "/to-metadata":
            return self._redirect("http://169.254.169.254/latest/meta-data/")
        if path == "/to-ftp":
            return self._redirect("ftp://files.example/report.txt")
        if path == "/echo":
            seen = f"<p>host={self.headers['Host']}</p><p>agent={self.headers['User-Agent']}</p>"
            return self._send(200, f"<html><body>{seen}</body></html>".encode(), "text/html")
        if path == "/latin1":
            page = (
                "<html><head><title>Crème brûlée à la maison</title></head><body><article>"
                "<h1>Crème brûlée à la maison</h1><p>Une crème brûlée réussie demande de la "
                "patience, un four doux et un caramel préparé au dernier moment.</p>"
                "</article></body></html>"
            )
            return self._send(200, page.encode("iso-8859-1"), "text/html; charset=iso-8859-1")
        if path == "/report.pdf":
            return self._send(200, b"%PDF-1.4\n% a tiny stand-in\n%%EOF\n", "application/pdf")
        if path == "/huge":
            return self._send_huge(declare_length=True)
        if path == "/huge-unsized":
            return self._send_huge(declare_length=False)
        if path == "/slow":
            _stop.wait(SLOW_SECONDS)  # a server that never answers in time
            return self._send(200, b"<html><body>late</body></html>", "text/html")
        return self._send(404, b"<html><body>Not here</body></html>", "text/html")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send_huge(self, *, declare_length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if declare_length:
            self.send_header("Content-Length", str(HUGE))
        else:
            # No length: the body runs until the connection closes.
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        chunk = b"<p>" + b"x" * 65_530 + b"</p>"
        sent = 0
        while sent < HUGE and not _stop.is_set():
            self.wfile.write(chunk)
            sent += len(chunk)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # disconnects the fetcher causes on purpose are not errors here


@pytest.fixture(scope="session")
def site() -> Iterator[str]:
    """Base URL of the local test site, e.g. http://127.0.0.1:40123."""
    server = _QuietServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        _stop.set()
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def port(site: str) -> int:
    """The local site's port."""
    return int(site.rsplit(":", 1)[1])


@pytest.fixture(autouse=True)
def outbound(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every TCP connection the code under test attempts; anything but loopback is stopped."""
    attempts: list[tuple[str, int]] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def fenced(sock: socket.socket, address: Any) -> tuple[str, int] | None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host, port = str(address[0]), int(address[1])
            attempts.append((host, port))
            if host not in LOOPBACK:
                raise ConnectionRefusedError(f"test fence: no traffic to {host}")
        return None

    def connect(sock: socket.socket, address: Any) -> None:
        fenced(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        fenced(sock, address)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return attempts


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A resolver answering from a dict (name -> list of IPs); ``lookups`` counts each name."""
    answers: dict[str, Any] = {"lookups": {}}

    async def lookup(host: str, port: int) -> list[guard.IP]:
        answers["lookups"][host] = answers["lookups"].get(host, 0) + 1
        if host not in answers:
            raise FetchFailed("unreachable", UNREACHABLE, host)
        return [guard.parse_ip_literal(ip) for ip in answers[host]]

    monkeypatch.setattr(guard, "_lookup", lookup)
    return answers


@pytest.fixture
def limits() -> FetchLimits:
    """Limits for tests, with loopback allowed so the local site can be reached. The total
    is roomy: a chain of redirects on a machine busy with the rest of the suite took over
    2 s once; the timeout tests bring their own short limits."""
    return FetchLimits(connect_timeout=2.0, total_timeout=10.0, allow_loopback=True)


@pytest.fixture
def strict() -> FetchLimits:
    """Production rules (loopback refused) with test timeouts."""
    return FetchLimits(connect_timeout=2.0, total_timeout=10.0, allow_loopback=False)
