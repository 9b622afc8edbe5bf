"""Load generators: wrk when it is installed, else a small httpx client.

Both send the same requests and report the same figures, so the runner does not care
which one it got. A response counts as an error unless it is 2xx or 3xx: a missing
route answering 404 quickly must never pass for a fast page.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class Target:
    """What a scenario sends. Variants (headers, body) are used in turn, one per request;
    with ``numbered`` each body gets a running number appended, so posts differ."""

    method: str
    path: str
    variants: tuple[tuple[dict[str, str], str], ...] = (({}, ""),)
    numbered: bool = False


@dataclass
class Result:
    requests: int  # responses received, errors included
    seconds: float
    errors: int  # responses that were not 2xx or 3xx
    failures: int  # connections refused or reset, timeouts
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Load:
    connections: int
    seconds: float
    timeout: float = 10.0


def available() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def run(client: str, base_url: str, target: Target, load: Load) -> Result:
    if client == "wrk":
        return run_wrk(base_url, target, load)
    return asyncio.run(run_python(base_url, target, load))


# --- wrk ------------------------------------------------------------------------------

# wrk runs this in its LuaJIT; the runner fills in the variants. done() prints one JSON
# line the runner reads, which is sturdier than parsing wrk's human-readable report.
LUA = """
local variants = {%(variants)s}
local numbered = %(numbered)s
local i, n = 0, 0
local ready = {}

local function nonempty(body)
  if body == "" then return nil end
  return body
end

-- Requests that never change are formatted once per thread, not once per request.
init = function(args)
  if not numbered then
    for k, v in ipairs(variants) do ready[k] = wrk.format(v[1], v[2], v[3], nonempty(v[4])) end
  end
end

request = function()
  i = i %% #variants + 1
  if not numbered then return ready[i] end
  local v = variants[i]
  n = n + 1
  return wrk.format(v[1], v[2], v[3], v[4] .. n)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %%d, "us": %%d, "errors": %%d, "failures": %%d, "p50": %%d, "p99": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_str(value: str) -> str:
    if not value.isascii():
        raise ValueError("wrk scripts get ASCII only; URL-encode the body")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lua_script(target: Target) -> str:
    variants = []
    for headers, body in target.variants:
        pairs = ", ".join(f"[{_lua_str(k)}] = {_lua_str(v)}" for k, v in headers.items())
        variants.append(
            f"{{{_lua_str(target.method)}, {_lua_str(target.path)}, {{{pairs}}}, {_lua_str(body)}}}"
        )
    return LUA % {
        "variants": ",\n  ".join(variants),
        "numbered": "true" if target.numbered else "false",
    }


def run_wrk(base_url: str, target: Target, load: Load) -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        script = Path(tmp) / "scenario.lua"
        script.write_text(lua_script(target))
        # One thread: the machine's two cores belong to the server's two workers as far
        # as possible; one wrk thread drives tens of thousands of requests a second.
        # wrk takes whole seconds only.
        seconds, timeout = max(1, round(load.seconds)), max(1, round(load.timeout))
        argv = ["wrk", "-t1", f"-c{load.connections}", f"-d{seconds}s", f"--timeout={timeout}s",
                "-s", str(script), base_url]  # fmt: skip
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    raw = json.loads(line.removeprefix("BENCH "))
    return Result(
        requests=raw["requests"], seconds=raw["us"] / 1e6, errors=raw["errors"],
        failures=raw["failures"], p50_ms=raw["p50"] / 1000, p99_ms=raw["p99"] / 1000,
    )  # fmt: skip


# --- python ---------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


async def run_python(base_url: str, target: Target, load: Load) -> Result:
    """The fallback: ``connections`` tasks on one event loop, each sending back to back.

    Much slower than wrk per request, so with it the ceiling row is bounded by the client
    too; ratios still compare rows of one run, which is all they are for.
    """
    latencies: list[float] = []
    errors = failures = 0
    counter = 0
    limits = httpx.Limits(max_connections=load.connections,
                          max_keepalive_connections=load.connections)  # fmt: skip
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=load.timeout) as http:
        deadline = time.perf_counter() + load.seconds

        async def worker() -> None:
            nonlocal errors, failures, counter
            while time.perf_counter() < deadline:
                headers, body = target.variants[counter % len(target.variants)]
                counter += 1
                if target.numbered:
                    body += str(counter)
                started = time.perf_counter()
                try:
                    response = await http.request(
                        target.method, target.path, headers=headers, content=body or None
                    )
                except httpx.HTTPError:
                    failures += 1
                    continue
                latencies.append(time.perf_counter() - started)
                if not 200 <= response.status_code < 400:
                    errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(load.connections)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return Result(
        requests=len(latencies), seconds=elapsed, errors=errors, failures=failures,
        p50_ms=percentile(latencies, 50) * 1000, p99_ms=percentile(latencies, 99) * 1000,
    )  # fmt: skip
