"""Serve a workload with townsquare, load it scenario by scenario, and compare to the ceiling.

Every figure is printed as a ratio to the ceiling measured in the same run (R1's exact
HTML served static), because absolute numbers say more about the machine than the app.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, text

from bench import ceiling, loadgen, workload
from bench.loadgen import Load, Result, Target
from townsquare.config import Settings
from townsquare.web.security import SESSION_COOKIE, csrf_token_for

ROOT = Path(__file__).resolve().parent.parent  # the repository, so workers can import bench
WORKERS = 2


@dataclass(frozen=True)
class Scenario:
    key: str
    what: str
    target: Target


@dataclass
class Row:
    key: str
    what: str
    method: str
    path: str
    result: Result | None = None
    problem: str = ""  # why the row could not be measured, or what went wrong while it was
    warm: Result | None = None  # the warm-up's own figures (W1 counts its posts too)


def scenarios(settings: Settings, meta: dict[str, Any]) -> list[Scenario]:
    """R1, R1L, R2, R3 and W1 for this data directory's workload."""
    long_page = f"/d/{meta['long_discussion']}"
    viewer = {"Cookie": f"{SESSION_COOKIE}={meta['viewer_token']}"}
    secret = settings.resolved_secret()
    posts = []
    for token in meta["poster_tokens"]:
        # The token the app would put in this member's forms (see townsquare.web.security).
        csrf = csrf_token_for(secret, "s:" + hashlib.sha256(token.encode()).hexdigest())
        headers = {
            "Cookie": f"{SESSION_COOKIE}={token}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        # The client appends a running number to the body, so no two comments are the same.
        posts.append((headers, urlencode({"csrf_token": csrf, "body": "Bench comment no. "})))
    return [
        Scenario("R1", "long discussion, first page, anonymous", Target("GET", long_page)),
        Scenario("R1L", "the same page, logged in", Target("GET", long_page, ((viewer, ""),))),
        Scenario(
            "R2", "busiest group's discussion list", Target("GET", f"/g/{meta['group_slug']}")
        ),
        Scenario("R3", "home page, anonymous", Target("GET", "/")),
        Scenario(
            "W1",
            "post a comment, logged in (303 = success)",
            Target("POST", f"/d/{meta['write_discussion']}/comments", tuple(posts), numbered=True),
        ),
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(
    argv: list[str], env: dict[str, str], port: int, log: Path, cwd: Path = ROOT,
    procs: list[subprocess.Popen[bytes]] | None = None,
) -> Iterator[str]:  # fmt: skip
    """Run a server in its own process group until it answers; stop the whole group after.
    ``procs``, when given, receives the server's process (its workers share its group)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    if procs is not None:
        procs.append(proc)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{argv[2:4]} exited early:\n{log.read_text()[-3000:]}")
            try:
                httpx.get(base + "/", timeout=2)  # any answer at all means it is listening
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no answer on {base} within 60 s") from None
                time.sleep(0.2)
        yield base
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    # The group is the one start_new_session made for this server: its master and workers.
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=wait)
        except ProcessLookupError:
            break
        except subprocess.TimeoutExpired:
            continue


def group_rss_mb(group: int) -> list[float]:
    """Resident memory of each worker in a server's process group (the master left out)."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == group:
            continue
        try:
            if os.getpgid(int(entry.name)) != group:
                continue
            # uvicorn's workers are multiprocessing children; its resource tracker is not one.
            if b"spawn_main" not in (entry / "cmdline").read_bytes():
                continue
            status = (entry / "status").read_text()
        except (OSError, ProcessLookupError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sorted(sizes)


def _comments(settings: Settings, discussion_id: int) -> int:
    engine = create_engine(workload.sync_url(settings))
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM comment WHERE discussion_id = :d"), {"d": discussion_id}
            ).scalar_one()
    finally:
        engine.dispose()


def _lost(row: Row, added: int) -> int:
    """Posts answered with success that are not in the database afterwards."""
    answered = sum(r.requests - r.errors for r in (row.warm, row.result) if r is not None)
    return max(0, answered - added)


def preflight(base: str, target: Target) -> str:
    """One request as the scenario sends it; the reason it fails, or "" when it works."""
    headers, body = target.variants[0]
    body = body + "0" if target.numbered else body
    try:
        response = httpx.request(
            target.method, base + target.path, headers=headers, content=body or None, timeout=30
        )
    except httpx.HTTPError as exc:
        return f"request failed: {exc!r}"
    if 200 <= response.status_code < 400:
        return ""
    hint = " (route not there yet?)" if response.status_code in (404, 405) else ""
    return f"HTTP {response.status_code}{hint}"


def measure(client: str, base: str, row: Row, target: Target, load: Load, warmup: Load) -> None:
    row.problem = preflight(base, target)
    if row.problem:
        return
    row.warm = loadgen.run(client, base, target, warmup)  # fills caches and pools; not counted
    row.result = loadgen.run(client, base, target, load)
    bad = row.result.errors + row.result.failures
    if bad:
        row.problem = f"{bad} of {row.result.requests} requests failed"


def run(
    settings: Settings, meta: dict[str, Any], *, client: str, load: Load, warmup: Load,
    only: frozenset[str] | None = None,
    more: Callable[[str, Load, Load], list[Row]] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Measure every scenario (or those in ``only``), then the ceiling; returns the report
    (also for --json). ``more`` measures other rows (bench/forums) between the two, once
    townsquare's server has stopped, so their ratios are to the same ceiling."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    if settings.database_url:
        env["TOWNSQUARE_DATABASE_URL"] = settings.database_url
    rows: list[Row] = []
    page = b""
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        logs = Path(tmp)
        port = free_port()
        argv = [sys.executable, "-m", "townsquare", "serve", "--data-dir", str(settings.data_dir),
                "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS)]  # fmt: skip
        servers: list[subprocess.Popen[bytes]] = []
        w1_lost: int | None = None
        with serving(argv, env, port, logs / "townsquare.log", procs=servers) as base:
            all_scenarios = scenarios(settings, meta)
            # The ceiling serves the very bytes an anonymous visitor gets for R1.
            r1 = httpx.get(base + all_scenarios[0].target.path, timeout=30)
            page = r1.content
            for sc in all_scenarios:
                if only is not None and sc.key not in only:
                    continue
                row = Row(sc.key, sc.what, sc.target.method, sc.target.path)
                rows.append(row)
                print(f"  {sc.key:<5} {sc.target.method} {sc.target.path} …", flush=True)
                before = _comments(settings, meta["write_discussion"]) if sc.key == "W1" else 0
                measure(client, base, row, sc.target, load, warmup)
                if sc.key == "W1" and row.result is not None:
                    w1_lost = _lost(row, _comments(settings, meta["write_discussion"]) - before)
            worker_rss = group_rss_mb(servers[-1].pid)
        server_log = (logs / "townsquare.log").read_text(errors="replace")
        if more is not None:
            rows += more(client, load, warmup)

        page_file = logs / "r1.html"
        page_file.write_bytes(page)
        env[ceiling.FILE_VARIABLE] = str(page_file)
        port = free_port()
        argv = [sys.executable, "-m", "uvicorn", "bench.ceiling:make_app", "--factory",
                "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS),
                "--no-access-log", "--log-level", "warning"]  # fmt: skip
        top = Row("ceiling", "R1's bytes served static (Starlette)", "GET", rows[0].path)
        print(f"  ceiling GET {top.path} …", flush=True)
        with serving(argv, env, port, logs / "ceiling.log") as base:
            measure(client, base, top, Target("GET", top.path), load, warmup)

    ceiling_note = "" if r1.status_code == 200 else f"R1 answered HTTP {r1.status_code}"
    rep = report(meta, settings, client, load, top, rows, len(page), ceiling_note, server_log)
    rep["w1_lost"], rep["worker_rss_mb"] = w1_lost, [round(mb, 1) for mb in worker_rss]
    return rep


def run_scenarios(
    settings: Settings, chosen: list[Scenario], *, client: str, load: Load, warmup: Load
) -> list[Row]:
    """Serve ``settings``' data directory and measure ``chosen`` (no ceiling): bench/scale."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        port = free_port()
        argv = [sys.executable, "-m", "townsquare", "serve", "--data-dir", str(settings.data_dir),
                "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS)]  # fmt: skip
        with serving(argv, env, port, Path(tmp) / "townsquare.log") as base:
            for sc in chosen:
                row = Row(sc.key, sc.what, sc.target.method, sc.target.path)
                print(f"  {sc.key:<5} {sc.target.method} {sc.target.path} …", flush=True)
                measure(client, base, row, sc.target, load, warmup)
                rows.append(row)
    return rows


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 2) if num and den else None


def report(
    meta: dict[str, Any], settings: Settings, client: str, load: Load, top: Row, rows: list[Row],
    page_bytes: int, ceiling_note: str, server_log: str,
) -> dict[str, Any]:  # fmt: skip
    out_rows = []
    for row in [top, *rows]:
        entry: dict[str, Any] = {"key": row.key, "what": row.what, "method": row.method,
                                 "path": row.path, "problem": row.problem}  # fmt: skip
        if row.result is not None:
            r = row.result
            entry |= {k: round(v, 3) for k, v in asdict(r).items()} | {"rps": round(r.rps, 1)}
            if top.result is not None:
                # Ceiling over measured: 4.0 means four times fewer requests per second.
                entry["times_fewer_rps"] = _ratio(top.result.rps, r.rps)
                entry["p50_ratio"] = _ratio(r.p50_ms, top.result.p50_ms)
                entry["p99_ratio"] = _ratio(r.p99_ms, top.result.p99_ms)
        out_rows.append(entry)
    errors = [line for line in server_log.splitlines() if "Traceback" in line or "ERROR" in line]
    return {
        "workload": meta["workload"],
        "seed": meta["seed"],
        "database": "sqlite" if settings.is_sqlite else "postgresql",
        "client": client,
        "connections": load.connections,
        "seconds_per_scenario": load.seconds,
        "workers": WORKERS,
        "r1_page_bytes": page_bytes,
        "ceiling_note": ceiling_note,
        "server_errors_logged": len(errors),
        "server_log_tail": server_log.splitlines()[-30:] if errors else [],
        "rows": out_rows,
    }


def table(rep: dict[str, Any]) -> str:
    """The report as text: ratios first (what to read), this machine's figures after."""
    head = (
        f"{rep['workload']} (seed {rep['seed']}) on {rep['database']}, {rep['workers']} workers; "
        f"load: {rep['client']}, {rep['connections']} connections, "
        f"{rep['seconds_per_scenario']:g} s per row; R1 page {rep['r1_page_bytes']:,} bytes"
    )
    lines = [head, ""]
    width = max(8, *(len(row["key"]) + 2 for row in rep["rows"]))  # forum keys are longer
    lines.append(
        f"{'row':<{width}}{'what':<43}{'×rps':>7}{'×p50':>7}{'×p99':>7}   │"
        f"{'rps':>9}{'p50 ms':>9}{'p99 ms':>9}"
    )
    lines.append("─" * (width + 68) + "┼" + "─" * 27)

    def fmt(value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value:.2f}" if value < 1000 else f"{value:.0f}"  # keeps a column's width

    for row in rep["rows"]:
        start = f"{row['key']:<{width}}{row['what'][:42]:<43}"
        if "rps" not in row:
            lines.append(f"{start}ERROR: {row['problem']}")
            continue
        lines.append(
            f"{start}{fmt(row.get('times_fewer_rps')):>7}{fmt(row.get('p50_ratio')):>7}"
            f"{fmt(row.get('p99_ratio')):>7}   │{row['rps']:>9.0f}{row['p50_ms']:>9.2f}"
            f"{row['p99_ms']:>9.2f}"
        )
        if row["problem"]:
            lines.append(f"{'':<{width}}ERROR: {row['problem']} — the figures above are not valid")
    lines.append("")
    lines.append(
        "×rps = ceiling rps / row rps (how many times fewer requests per second); "
        "×p50, ×p99 = row latency / ceiling latency. Lower is better; 1.00 is the ceiling."
    )
    if rep["client"] == "python":
        lines.append(
            "WARNING: the Python client is slower than the ceiling server, so the ceiling row "
            "measures the client and every ratio understates the gap; install wrk."
        )
    if rep["ceiling_note"]:
        lines.append(f"WARNING: the ceiling is not R1's page: {rep['ceiling_note']}")
    if rep["server_errors_logged"]:
        lines.append(
            f"WARNING: townsquare logged {rep['server_errors_logged']} errors; its log ends:"
        )
        lines += ["  " + line for line in rep["server_log_tail"]]
    return "\n".join(lines)


def failed(rep: dict[str, Any]) -> bool:
    return any(row["problem"] for row in rep["rows"])
