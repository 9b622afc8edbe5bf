"""`townsquare serve` as an operator runs it: JSON log lines on stderr, one per request
(uvicorn's own access log off), and /metrics read from the multiprocess files. One web
worker keeps the test quick; with more, each writes its own file in the same folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.mailbox import free_port


def wait_until_up(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("serve did not come up")


def login_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "townsquare_http_requests_total" and s.labels["route"] == "/login":
                return s.value
    return 0


def test_serve_logs_json_lines_and_serves_metrics_from_the_workers_files(settings):
    """One request to /login: exactly one JSON access line, and /metrics counts it once."""
    port = free_port()
    env = {**os.environ, "TOWNSQUARE_METRICS": "on", "TOWNSQUARE_LOG_FORMAT": "json",
           "TOWNSQUARE_SECRET_KEY": settings.secret_key,
           "TOWNSQUARE_DATABASE_URL": settings.database_url}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "townsquare", "serve", "--data-dir", str(settings.data_dir),
         "--port", str(port), "--no-queue"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc)
        r = httpx.get(base + "/login", timeout=10)
        assert r.status_code == 200
        request_id = r.headers["x-request-id"]
        assert login_count(httpx.get(base + "/metrics", timeout=10).text) == 1.0
        # Multiprocess mode: the worker wrote its counts to files under the data directory.
        assert list((settings.data_dir / "metrics").glob("counter_*.db"))
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)

    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "townsquare.access"]
    assert [a["path"] for a in access] == ["/login"]
    [line] = access
    assert line["route"] == "/login" and line["status"] == 200 and line["member_id"] is None
    assert line["request_id"] == request_id and line["method"] == "GET"
    assert isinstance(line["duration_ms"], float) and line["time"].endswith("Z")
    assert not any(line["logger"] == "uvicorn.access" for line in lines)
