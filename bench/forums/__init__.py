"""Other Python forums served beside townsquare, for ``python -m bench forums``.

Each forum gets its own virtualenv and site directory outside the repository (under
``BENCH_FORUMS_HOME``, by default ``~/.cache/townsquare-bench/forums/<key>``), installed
from PyPI at the versions its module pins. Only the harness lives here: the settings
the forum needs, a seed script run with the forum's own Python through the forum's own
ORM (one topic of 500 posts by 50 members, one more member logged in), and the command
that serves it with 2 workers and debugging off. The seed script prints one line
``SEED {json}`` with the topic page's path, the session cookie and posts per page.

A forum is installed and seeded once; the next run reuses it while its pins and files
are unchanged (delete its directory to start again).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from bench import corpus, runner
from bench.loadgen import Load, Target

NAMES = ("spirit", "machina", "flaskbb", "misago")  # the order they are measured in
HOME_VARIABLE = "BENCH_FORUMS_HOME"
POSTS, MEMBERS = 500, 50  # the seeded topic: 500 posts by 50 members, as R1 has 500


@dataclass(frozen=True)
class Forum:
    key: str  # row key in the table, and the directory's name
    title: str  # name and version, as the table shows it
    packages: tuple[str, ...]  # exact pins, installed into the forum's own virtualenv
    files: dict[str, str]  # written into the site directory: settings, urls, seed script
    setup: tuple[tuple[str, ...], ...]  # run with the venv's python in the site directory
    seed: tuple[str, ...]  # likewise; prints "SEED {json}"
    serve: tuple[str, ...]  # a program in the venv's bin and its arguments; {port}
    logged_in_marker: str  # text only a logged-in member's page holds (checked before load)
    env: dict[str, str] = field(default_factory=dict)
    postgres_db: str = ""  # created afresh when set (forums that need PostgreSQL)
    python: str = sys.executable  # the interpreter the virtualenv is made from


def home() -> Path:
    default = Path.home() / ".cache" / "townsquare-bench" / "forums"
    return Path(os.environ.get(HOME_VARIABLE) or default)


def get(name: str) -> Forum:
    return importlib.import_module(f"bench.forums.{name}").FORUM


def _stamp(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _run(argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> str:
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(argv)}\n")
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    with log.open("a") as out:
        out.write(done.stdout + done.stderr)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr)[-2500:]
        raise RuntimeError(f"{' '.join(argv[:3])} … failed ({done.returncode}):\n{tail}")
    return done.stdout


def forum_env(forum: Forum, venv: Path) -> dict[str, str]:
    """The forum's processes see its own venv only: none of townsquare's settings."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(venv)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env | forum.env


def prepare(forum: Forum, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Install, configure and seed the forum unless already done; returns its seed line."""
    base = home() / forum.key
    venv, site, log = base / "venv", base / "site", base / "prepare.log"
    base.mkdir(parents=True, exist_ok=True)
    env = forum_env(forum, venv)
    python = str(venv / "bin" / "python")
    installed = _stamp(forum.packages, forum.python)
    files = forum.files | {"posts.json": topic_json()}
    seeded = _stamp(installed, files, forum.setup, forum.seed, forum.postgres_db)
    if (base / "seeded").is_file() and (base / "seeded").read_text() == seeded:
        return json.loads((base / "seed.json").read_text())
    if not ((base / "installed").is_file() and (base / "installed").read_text() == installed):
        say(f"  {forum.key}: installing {len(forum.packages)} packages into {venv} …")
        shutil.rmtree(venv, ignore_errors=True)
        _run([forum.python, "-m", "venv", str(venv)], base, env, log)
        _run([python, "-m", "pip", "install", "--disable-pip-version-check", "-q",
              "--no-deps", *forum.packages], base, env, log)  # fmt: skip
        _run([python, "-m", "pip", "check"], base, env, log)  # the pins are complete
        (base / "installed").write_text(installed)
    say(f"  {forum.key}: configuring and seeding {POSTS} posts by {MEMBERS} members …")
    shutil.rmtree(site, ignore_errors=True)
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text)
    if forum.postgres_db:
        pg = ["-h", "127.0.0.1", "-U", "postgres"]
        _run(["dropdb", "--if-exists", *pg, forum.postgres_db], site, env, log)
        _run(["createdb", *pg, forum.postgres_db], site, env, log)
    for command in forum.setup:
        _run([python, *command], site, env, log)
    out = _run([python, *forum.seed], site, env, log)
    line = next((ln for ln in out.splitlines() if ln.startswith("SEED ")), None)
    if line is None:
        raise RuntimeError(f"the seed script printed no SEED line:\n{out[-2000:]}")
    meta = json.loads(line.removeprefix("SEED "))
    (base / "seed.json").write_text(json.dumps(meta, indent=1) + "\n")
    (base / "seeded").write_text(seeded)
    return meta


def topic_json() -> str:
    """The seeded topic: the same corpus and kind of bodies as townsquare's R1."""
    rng = random.Random(1)
    members = [f"member{i:02d}" for i in range(1, MEMBERS + 1)]
    posts = [[rng.randrange(MEMBERS), corpus.comment_body(rng)] for _ in range(POSTS)]
    posts[0][0] = 0
    return json.dumps({"title": corpus.title(rng), "members": members, "posts": posts})


def _check_pages(forum: Forum, base: str, meta: dict[str, Any]) -> dict[str, int]:
    """Both pages answer 200, and only the cookie's shows a logged-in member."""
    sizes = {}
    for label, headers in (("anon", {}), ("member", {"Cookie": meta["cookie"]})):
        r = httpx.get(base + meta["path"], headers=headers, timeout=60)
        if r.status_code != 200:
            raise RuntimeError(f"{label} topic page answered HTTP {r.status_code}")
        member = forum.logged_in_marker in r.text
        if member != (label == "member"):
            raise RuntimeError(f"{label} topic page: logged-in marker present = {member}")
        sizes[label] = len(r.content)
    return sizes


def measure(
    names: list[str], client: str, load: Load, warmup: Load, pages: dict[str, dict[str, Any]]
) -> list[runner.Row]:
    """The rows for each forum's topic page, anonymous then logged in; ``pages`` gets
    what each page holds (posts per page, bytes).

    Called by the runner after townsquare's server has stopped and before the ceiling's
    starts, so only one server at a time has the machine. A forum that cannot be
    installed, seeded or served gets its rows with the reason, and the next one goes on.
    """
    rows: list[runner.Row] = []
    # Sync workers queue what they cannot take: a page of a second or more, behind 16
    # connections, waits longer than townsquare's 10 s timeout without having failed.
    load, warmup = replace(load, timeout=60), replace(warmup, timeout=60)
    for name in names:
        forum = get(name)
        anon = runner.Row(forum.key, f"{forum.title}: topic p1, anonymous", "GET", "")
        member = runner.Row(forum.key + "L", "the same page, logged in", "GET", "")
        rows += [anon, member]
        try:
            meta = prepare(forum)
            anon.path = member.path = meta["path"]
            anon.what = f"{forum.title}, {meta['per_page']} posts/page, anon"
            port = runner.free_port()
            argv = [str(home() / forum.key / "venv" / "bin" / forum.serve[0]),
                    *(a.format(port=port) for a in forum.serve[1:])]  # fmt: skip
            env = forum_env(forum, home() / forum.key / "venv")
            site = home() / forum.key / "site"
            with runner.serving(argv, env, port, site / "serve.log", cwd=site) as base:
                sizes = _check_pages(forum, base, meta)
                pages[forum.key] = {"title": forum.title, "path": meta["path"],
                                    "per_page": meta["per_page"], "bytes": sizes}  # fmt: skip
                cookie = {"Cookie": meta["cookie"]}
                for row, target in (
                    (anon, Target("GET", meta["path"])),
                    (member, Target("GET", meta["path"], ((cookie, ""),))),
                ):
                    print(f"  {row.key:<9} GET {row.path} …", flush=True)
                    runner.measure(client, base, row, target, load, warmup)
        except Exception as exc:  # noqa: BLE001 — one forum failing must not stop the rest
            reason = " ".join(str(exc).split())[:300]
            print(f"  {forum.key}: {reason}", flush=True)
            for row in (anon, member):
                row.problem = row.problem or reason
    return rows


def notes(rep: dict[str, Any], pages: dict[str, dict[str, Any]]) -> list[str]:
    """What each measured page holds, since the forums paginate differently."""
    out = [f"townsquare R1: 50 comments with their replies, {rep['r1_page_bytes']:,} bytes "
           "anonymous"]  # fmt: skip
    for key, page in pages.items():
        out.append(
            f"{key}: {page['title']}, {page['path']}: {page['per_page']} posts a page, "
            f"{page['bytes']['anon']:,} bytes anonymous, {page['bytes']['member']:,} logged in"
        )
    return out


def summary(rep: dict[str, Any], pages: dict[str, dict[str, Any]]) -> str:
    """Townsquare's R1L against the fastest forum logged in: the issue's 5× target."""
    by_key = {row["key"]: row for row in rep["rows"]}
    r1l = by_key.get("R1L", {})
    forums = [r for r in rep["rows"] if r["key"].endswith("L") and r["key"] != "R1L"]
    measured = [r for r in forums if "rps" in r]  # rows with errors still count, flagged
    if "rps" not in r1l or not measured:
        return "No comparison: townsquare's R1L or every forum's logged-in row is missing."
    best = max(measured, key=lambda r: r["rps"])
    times = r1l["rps"] / best["rps"] if best["rps"] else float("inf")
    key = best["key"].removesuffix("L")
    verdict = "met" if times >= 5 else "NOT met"
    flags = [f"{r['key']}: {r['problem']}" for r in (r1l, best) if r["problem"]]
    return (
        f"Logged in, one topic page: townsquare R1L {r1l['rps']:.0f} rps (p50 "
        f"{r1l['p50_ms']:.1f} ms, 50 comments with replies) against the fastest forum, "
        f"{key} {best['rps']:.0f} rps (p50 {best['p50_ms']:.1f} ms, {pages[key]['per_page']} "
        f"posts): townsquare serves {times:.1f}× as many pages a second; target ≥ 5×: "
        f"{verdict}." + (f" (Rows with errors: {'; '.join(flags)}.)" if flags else "")
    )
