"""``python -m bench``: generate the W1 workload, check it, and measure the app on it.

Run from the repository root (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from bench import forums, loadgen, runner, targets, verify, workload
from townsquare.config import Settings

# (seconds per row, warm-up seconds, connections); --quick must finish within two minutes.
FULL = (10.0, 2.0, 16)
QUICK = (3.0, 1.0, 8)


def _settings(args: argparse.Namespace, data_dir: Path) -> Settings:
    if args.database_url:
        return Settings(data_dir=data_dir, database_url=args.database_url)
    return Settings(data_dir=data_dir)


def _workload(settings: Settings, seed: int) -> dict[str, Any]:
    """The data directory's W1 if it already holds it, else a freshly generated one."""
    meta = workload.existing(settings, workload.W1, seed)
    if meta is not None:
        print(f"Reusing {workload.W1.name} in {settings.data_dir}.")
        return meta
    print(f"Generating {workload.W1.name} (seed {seed}) in {settings.data_dir} …", flush=True)
    meta = workload.generate(settings, workload.W1, seed)
    counts = ", ".join(f"{n:,} {table}" for table, n in meta["counts"].items())
    print(f"  {counts}; built in {meta['seconds']['build']} s, loaded in "
          f"{meta['seconds']['load']} s")  # fmt: skip
    return meta


def cmd_generate(args: argparse.Namespace) -> int:
    _workload(_settings(args, args.data_dir), args.seed)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    settings = _settings(args, args.data_dir)
    engine = create_engine(workload.sync_url(settings))
    try:
        found = verify.problems(engine, verify.CHECKS)
        late = verify.problems(engine, verify.TIME_ORDER, sample=0)
    finally:
        engine.dispose()
    for problem in found:
        print(problem)
    print(f"{len(verify.CHECKS)} counter rules and a cooking sample: "
          f"{'all consistent' if not found else f'{len(found)} problems'}.")  # fmt: skip
    for problem in late:
        print(f"time order: {problem}")
    if late:
        print("(Expected after a run: the W1 row's concurrent posts break time order; "
              "see TIME_ORDER in bench/verify.py.)")  # fmt: skip
    return 1 if found else 0


def cmd_run(
    args: argparse.Namespace,
    only: frozenset[str] | None = None,
    more: Any = None,
    pages: dict[str, dict[str, Any]] | None = None,
) -> int:
    started = time.monotonic()
    seconds, warmup, connections = QUICK if args.quick else FULL
    seconds = args.seconds or seconds
    connections = args.connections or connections
    temporary = args.data_dir is None
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="townsquare-bench-"))
    try:
        settings = _settings(args, data_dir)
        meta = _workload(settings, args.seed)
        client = args.client or loadgen.available()
        print(f"Measuring with {client} …", flush=True)
        rep = runner.run(
            settings, meta, client=client,
            load=loadgen.Load(connections, seconds), warmup=loadgen.Load(connections, warmup),
            only=only, more=more,
        )  # fmt: skip
    finally:
        if temporary and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    rep["total_seconds"] = round(time.monotonic() - started, 1)
    print()
    print(runner.table(rep))
    print()
    print(targets.summary(rep))
    if pages is not None:  # python -m bench forums
        rep["forum_pages"] = pages
        print("\nPages:\n" + "\n".join("  " + line for line in forums.notes(rep, pages)))
        print("\n" + forums.summary(rep, pages))
    print(f"\nDone in {rep['total_seconds']} s.")
    if temporary and args.keep:
        print(f"Data kept in {data_dir} (reuse it with --data-dir).")
    if args.json:
        args.json.write_text(json.dumps(rep, indent=1) + "\n")
    return 1 if runner.failed(rep) else 0


def cmd_forums(args: argparse.Namespace) -> int:
    """R1 and R1L beside the Python forums' topic pages, all against one ceiling."""
    names = [n.strip() for n in args.only.split(",")] if args.only else list(forums.NAMES)
    unknown = sorted(set(names) - set(forums.NAMES))
    if unknown:
        raise SystemExit(f"unknown forum {', '.join(unknown)}; known: {', '.join(forums.NAMES)}")
    if args.prepare:
        for name in names:
            try:
                print(name, forums.prepare(forums.get(name)), flush=True)
            except Exception as exc:  # noqa: BLE001 — say which failed, go on to the next
                print(f"{name}: {exc}", flush=True)
        return 0
    pages: dict[str, dict[str, Any]] = {}

    def more(client: str, load: loadgen.Load, warmup: loadgen.Load) -> list[runner.Row]:
        return forums.measure(names, client, load, warmup, pages)

    return cmd_run(args, only=frozenset({"R1", "R1L"}), more=more, pages=pages)


def cmd_scale(args: argparse.Namespace) -> int:
    from bench import scale

    return scale.main(args)


def cmd_soak(args: argparse.Namespace) -> int:
    from bench import soak

    return soak.main(args)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, *, data_dir_required: bool) -> None:
        p.add_argument("--data-dir", type=Path, required=data_dir_required,
                       help="townsquare data directory (reused if it already holds W1)")  # fmt: skip
        p.add_argument("--database-url", default="",
                       help="an empty PostgreSQL database instead of SQLite, e.g. "
                            "postgresql+psycopg://user:pw@host/db")  # fmt: skip
        p.add_argument("--seed", type=int, default=1, help="workload seed (default 1)")

    run = commands.add_parser("run", help="generate W1 if needed, serve it, measure, print")
    common(run, data_dir_required=False)
    run.add_argument("--quick", action="store_true", help="3 s per row, 8 connections")
    run.add_argument("--seconds", type=float, help="seconds per row")
    run.add_argument("--connections", type=int, help="concurrent connections")
    run.add_argument("--client", choices=("wrk", "python"), help="default: wrk if installed")
    run.add_argument("--json", type=Path, help="also write the figures to this file")
    run.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    run.set_defaults(func=cmd_run)

    fo = commands.add_parser(
        "forums", help="R1 and R1L beside Spirit, django-machina, FlaskBB and Misago"
    )
    common(fo, data_dir_required=False)
    fo.add_argument("--quick", action="store_true", help="3 s per row, 8 connections")
    fo.add_argument("--seconds", type=float, help="seconds per row")
    fo.add_argument("--connections", type=int, help="concurrent connections")
    fo.add_argument("--client", choices=("wrk", "python"), help="default: wrk if installed")
    fo.add_argument("--json", type=Path, help="also write the figures to this file")
    fo.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    fo.add_argument("--only", help="comma-separated forums, e.g. spirit,machina (default all)")
    fo.add_argument("--prepare", action="store_true",
                    help="only install and seed the forums (once; later runs reuse them)")  # fmt: skip
    fo.set_defaults(func=cmd_forums)

    gen = commands.add_parser("generate", help="write W1 into a data directory")
    common(gen, data_dir_required=True)
    gen.set_defaults(func=cmd_generate)

    soak = commands.add_parser("soak", help="mixed reads and writes for a while: errors, "
                               "lost writes and worker memory, exit 1 past a limit")  # fmt: skip
    common(soak, data_dir_required=False)
    soak.add_argument("--seconds", type=float, default=120, help="how long (default 120)")
    soak.add_argument("--connections", type=int, default=8, help="concurrent clients (8)")
    soak.set_defaults(func=cmd_soak)

    sc = commands.add_parser("scale", help="R2, R3 and a discussion's page 1 and 200, "
                             "logged in, on W1 and on W1 grown to a million discussions")  # fmt: skip
    common(sc, data_dir_required=True)
    sc.add_argument("--quick", action="store_true", help="3 s per row, 8 connections")
    sc.add_argument("--discussions", type=int, default=1_000_000, help="discussions to add")
    sc.add_argument("--per", type=int, default=10, help="comments on each added discussion")
    sc.set_defaults(func=cmd_scale)

    check = commands.add_parser("check", help="verify a data directory's counters")
    common(check, data_dir_required=True)
    check.set_defaults(func=cmd_check)
    return top


def main() -> int:
    args = parser().parse_args()
    return args.func(args)


raise SystemExit(main())
