"""The nginx configuration in docs/deploy.md stays true: every live-update stream the app
serves has an unbuffered location, and nginx itself accepts the file (when installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from townsquare.app import create_app

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def _walk(routes: list[Any]) -> Iterator[Any]:
    """Every route, with FastAPI's included routers opened."""
    for route in routes:
        nested = getattr(route, "effective_candidates", None)
        if nested is not None:
            yield from _walk(nested())
        else:
            yield route


def nginx_example() -> str:
    blocks = re.findall(r"```nginx\n(.*?)```", DEPLOY.read_text(), re.S)
    assert len(blocks) == 1, "docs/deploy.md should hold one nginx configuration"
    return blocks[0]


def locations(conf: str) -> list[tuple[str, str, str]]:
    """(modifier, pattern, body) of each location block (none of ours nest)."""
    return re.findall(r"location\s+(=|~)?\s*(\S+)\s*\{(.*?)\}", conf, re.S)


def location_for(conf: str, path: str) -> str | None:
    """The body nginx would pick for path: exact, then the first regex, then longest prefix."""
    found = locations(conf)
    for mod, pattern, body in found:
        if mod == "=" and pattern == path:
            return body
    for mod, pattern, body in found:
        if mod == "~" and re.search(pattern, path):
            return body
    prefixes = [(p, b) for m, p, b in found if not m and path.startswith(p)]
    return max(prefixes, key=lambda pb: len(pb[0]))[1] if prefixes else None


async def test_every_event_stream_has_an_unbuffered_location(settings):
    """Each Server-Sent Events route of the app reaches a location with buffering off and
    a long read timeout; ordinary pages keep nginx's buffering."""
    app = create_app(settings)
    streams = [r.path for r in _walk(app.routes) if getattr(r, "path", "").endswith("/events")]
    await app.state.engine.dispose()
    conf = nginx_example()
    for route in {"/d/{discussion_id}/events", "/notifications/events", *streams}:
        sample = re.sub(r"\{[^}]+\}", "42", route)
        body = location_for(conf, sample)
        assert body is not None and "proxy_buffering off" in body, route
        assert re.search(r"proxy_read_timeout\s+\d+h", body), route
    page = location_for(conf, "/d/42")
    assert page is not None and "proxy_buffering off" not in page


def test_nginx_accepts_the_example(tmp_path):
    """`nginx -t` passes on the example, with a throw-away certificate in place of certbot's."""
    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if not (nginx and openssl):
        pytest.skip("nginx or openssl is not installed (apt-get install -y nginx)")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=community.example.org", "-keyout", str(tmp_path / "privkey.pem"),
                    "-out", str(tmp_path / "fullchain.pem")], check=True, capture_output=True)  # fmt: skip
    site = nginx_example().replace("/etc/letsencrypt/live/community.example.org/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n{mime}\naccess_log off;\ninclude {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
