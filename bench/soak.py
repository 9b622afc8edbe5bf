"""``python -m bench soak``: mixed reads and writes against two workers for a while, then
the verdict: no errors, no lost writes, no memory creep.

It serves W1 as ``bench run`` does (runner.serving, two workers), drives R1, R1L, R2, R3
and W1 from runner.scenarios at once from one asyncio client, and keeps every comment
the server acknowledged (303 with the new comment's id) to look each one up at the end.
Memory is each worker's resident set (RSS, from /proc: Linux only) after a warm-up and
at the end. Exit status 1 when a limit is broken.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import bindparam, create_engine, text

from bench import runner, verify, workload
from bench.loadgen import Target
from townsquare.config import Settings

MAX_ERRORS = 0
MAX_LOST = 0
MAX_RSS_GROWTH = 0.10  # end over start, per worker
# One request in five is a comment; the rest are the four read rows in turn.
WRITE_SHARE = 0.2


@dataclass
class Tally:
    requests: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # "HTTP 500", "ReadTimeout", …
    acked: dict[int, str] = field(default_factory=dict)  # comment id -> its marker
    by_row: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


# --- memory ---------------------------------------------------------------------------


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def server_processes(port: int) -> tuple[int, list[int]]:
    """The serving process listening on ``port`` and its web workers (not helper processes)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            line = _cmdline(int(entry.name))
            if "townsquare serve" in line and f"--port {port} " in line + " ":
                master = int(entry.name)
                workers = [c for c in _children(master)
                           if "resource_tracker" not in _cmdline(c)]  # fmt: skip
                return master, sorted(workers)
    raise RuntimeError(f"no townsquare serve process on port {port}")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used (so far)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Timeline(threading.Thread):
    """Each process's RSS every ``every`` seconds while the soak runs: creep or plateau."""

    def __init__(self, pids: list[int], every: float) -> None:
        super().__init__(daemon=True)
        self.pids, self.every = pids, every
        self.samples: dict[int, list[float]] = {pid: [] for pid in pids}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every):
            for pid in self.pids:
                try:
                    self.samples[pid].append(rss_mib(pid))
                except OSError:
                    self.samples[pid].append(0.0)


# --- load -----------------------------------------------------------------------------


async def drive(base: str, reads: list[Target], write: Target, seconds: float,
                connections: int, tally: Tally, marker: str) -> None:  # fmt: skip
    """``connections`` clients back to back until the time is up, one request at a time."""
    # No keep-alive: a kept connection stays with the worker that accepted it, so a few
    # lucky connections could leave one worker idle, its memory untested.
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=0)
    deadline = time.monotonic() + seconds
    counter = 0
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:

        async def client(n: int) -> None:
            nonlocal counter
            rng = random.Random(n)
            while time.monotonic() < deadline:
                counter += 1
                number = counter
                if rng.random() < WRITE_SHARE:
                    headers, body = write.variants[number % len(write.variants)]
                    mark = f"{marker}-{number}"
                    target, content, row = write, f"{body}{mark}", "W1"
                else:
                    target = reads[number % len(reads)]
                    headers, content = target.variants[number % len(target.variants)]
                    mark, row = "", target.path
                try:
                    response = await http.request(target.method, target.path, headers=headers,
                                                  content=content or None)  # fmt: skip
                except httpx.HTTPError as exc:
                    tally.error(type(exc).__name__)
                    continue
                tally.requests += 1
                tally.by_row[row] = tally.by_row.get(row, 0) + 1
                if not 200 <= response.status_code < 400:
                    tally.error(f"HTTP {response.status_code} on {target.method} {target.path}")
                elif mark:
                    found = re.search(r"#c(\d+)$", response.headers.get("location", ""))
                    if found is None:
                        tally.error("a comment's 303 without the comment's address")
                    else:
                        tally.acked[int(found.group(1))] = mark

        await asyncio.gather(*(client(n) for n in range(connections)))


def lost_writes(settings: Settings, acked: dict[int, str]) -> list[int]:
    """Acknowledged comments that are not stored, or not as they were sent."""
    if not acked:
        return []
    engine = create_engine(workload.sync_url(settings))
    stored: dict[int, str] = {}
    try:
        with engine.connect() as conn:
            ids = list(acked)
            for i in range(0, len(ids), 500):
                query = text("SELECT id, body_src FROM comment WHERE id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                )
                stored |= dict(conn.execute(query, {"ids": ids[i : i + 500]}).all())
    finally:
        engine.dispose()
    return [i for i, mark in acked.items() if not stored.get(i, "").endswith(mark)]


# --- the run --------------------------------------------------------------------------


def soak(settings: Settings, meta: dict[str, Any], seconds: float, connections: int) -> int:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(runner.ROOT), env.get("PYTHONPATH")]))
    if settings.database_url:
        env["TOWNSQUARE_DATABASE_URL"] = settings.database_url
    rows = {s.key: s.target for s in runner.scenarios(settings, meta)}
    reads = [rows[k] for k in ("R1", "R1L", "R2", "R3")]
    warmup = min(10.0, seconds / 6)
    marker = f"soak{int(time.time())}"
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        log = Path(tmp) / "townsquare.log"
        port = runner.free_port()
        argv = [sys.executable, "-m", "townsquare", "serve", "--data-dir", str(settings.data_dir),
                "--host", "127.0.0.1", "--port", str(port), "--workers", str(runner.WORKERS)]  # fmt: skip
        with runner.serving(argv, env, port, log) as base:
            master, workers = server_processes(port)
            print(f"Serving on {base}: master {master}, workers {workers}. Warming up "
                  f"{warmup:g} s …", flush=True)  # fmt: skip
            asyncio.run(drive(base, reads, rows["W1"], warmup, connections, Tally(), marker))
            start = {pid: rss_mib(pid) for pid in [master, *workers]}
            cpu = {pid: cpu_seconds(pid) for pid in start}
            print(f"Soaking {seconds:g} s with {connections} connections "
                  f"({WRITE_SHARE:.0%} comments) …", flush=True)  # fmt: skip
            began = time.monotonic()
            timeline = Timeline(list(start), seconds / 10)
            timeline.start()
            asyncio.run(drive(base, reads, rows["W1"], seconds, connections, tally, marker))
            elapsed = time.monotonic() - began
            timeline.done.set()
            timeline.join()
            end = {pid: rss_mib(pid) for pid in start}
            cpu = {pid: cpu_seconds(pid) - cpu[pid] for pid in start}
            still = server_processes(port)[1]
        server_log = log.read_text(errors="replace")

    lost = lost_writes(settings, tally.acked)
    engine = create_engine(workload.sync_url(settings))
    try:
        counters = verify.problems(engine, verify.CHECKS, sample=50)
    finally:
        engine.dispose()
    return report(tally, elapsed, workers, master, start, end, still, lost, counters, server_log,
                  timeline.samples, cpu)  # fmt: skip


def report(tally: Tally, elapsed: float, workers: list[int], master: int,
           start: dict[int, float], end: dict[int, float], still: list[int], lost: list[int],
           counters: list[str], server_log: str,
           samples: dict[int, list[float]], cpu: dict[int, float]) -> int:  # fmt: skip
    broken: list[str] = []
    print()
    print(f"requests {tally.requests:,} in {elapsed:.0f} s ({tally.requests / elapsed:.0f}/s); "
          + ", ".join(f"{row} {n:,}" for row, n in sorted(tally.by_row.items())))  # fmt: skip
    print(f"errors {tally.error_count} (limit {MAX_ERRORS})")
    for what, n in sorted(tally.errors.items()):
        print(f"  {n:>6}  {what}")
    if tally.error_count > MAX_ERRORS:
        broken.append("errors")
    print(f"comments acknowledged {len(tally.acked):,}; lost or changed {len(lost)} "
          f"(limit {MAX_LOST})")  # fmt: skip
    if lost:
        print(f"  first lost ids: {lost[:10]}")
    if len(lost) > MAX_LOST:
        broken.append("lost writes")
    print(f"counters: {'all consistent' if not counters else '; '.join(counters)}")
    if counters:
        broken.append("counters")
    print(f"memory (RSS, MiB)      start      end   growth (limit {MAX_RSS_GROWTH:.0%} per worker)"
          "   CPU s   RSS over the run")  # fmt: skip
    for pid in start:
        growth = end[pid] / start[pid] - 1 if start[pid] else 0.0
        role = "serve + queue" if pid == master else "worker"
        print(f"  {role:<13} {pid:>7} {start[pid]:>8.1f} {end[pid]:>8.1f}   {growth:>+6.1%}"
              f"  {cpu[pid]:>6.1f}   {' '.join(f'{v:.0f}' for v in samples[pid])}")  # fmt: skip
        if pid != master and growth >= MAX_RSS_GROWTH:
            broken.append(f"memory of worker {pid}")
    if sorted(still) != sorted(workers):
        print(f"workers changed during the run: {workers} -> {still} (one died or restarted)")
        broken.append("workers restarted")
    # Plain lines say ERROR and Traceback; JSON lines (TOWNSQUARE_LOG_FORMAT) say so in "level".
    logged = [ln for ln in server_log.splitlines()
              if "Traceback" in ln or "ERROR" in ln or '"level": "error"' in ln]  # fmt: skip
    if logged:
        print(f"townsquare logged {len(logged)} errors (shown, not judged; the answers are):")
        print("\n".join("  " + ln[:300] for ln in logged[:10]))
    print()
    print("FAILED: " + ", ".join(broken) if broken else "PASSED: every limit held.")
    return 1 if broken else 0


def main(args: Any) -> int:
    """Entry point for ``python -m bench soak`` (arguments parsed in bench/__main__.py)."""
    temporary = args.data_dir is None
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="townsquare-soak-"))
    try:
        settings = (Settings(data_dir=data_dir, database_url=args.database_url)
                    if args.database_url else Settings(data_dir=data_dir))  # fmt: skip
        meta = workload.existing(settings, workload.W1, args.seed)
        if meta is None:
            print(f"Generating W1 (seed {args.seed}) in {data_dir} …", flush=True)
            meta = workload.generate(settings, workload.W1, args.seed)
        return soak(settings, meta, args.seconds, args.connections)
    finally:
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)
