"""``python -m bench scale``: the same reads on W1 and on W1 grown a thousandfold.

Issue 6 asks that with 1,000,000 discussions and 10,000,000 comments the group list (R2)
and the home page (R3) cost what they cost on W1 (within 1.5×), and that a discussion's
page 200 costs what its page 1 does. This grows a copy of a W1 data directory with SQL
alone (a recursive CTE, no Python per row), then measures on both:

- R2L, R3L: the group list and the home page *logged in*, so they are rendered and their
  feed queries run (a visitor's copy would come from the page cache at any size);
- P1L, P200L: pages 1 and 200 of a discussion of 10,000 comments, logged in.

The grown rows are older than W1's, as a long-lived site's archive is, and carry no
search index (the FTS triggers are dropped in the grown copy: indexing ten million
comments is a separate job, ``townsquare search reindex``). SQLite only.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench import loadgen, runner, workload
from bench.loadgen import Target
from townsquare.config import Settings
from townsquare.web.security import SESSION_COOKIE

SCALE_FILE = "bench-scale.json"
LONG_COMMENTS = 10_000  # 200 pages of 50
TS = "strftime('%Y-%m-%d %H:%M:%S', {}) || '.000000'"  # the app's stored time format


def _grown_already(data_dir: Path, discussions: int, per: int) -> dict[str, Any] | None:
    path = data_dir / SCALE_FILE
    if not path.is_file():
        return None
    meta = json.loads(path.read_text())
    return meta if (meta["discussions"], meta["per"]) == (discussions, per) else None


def grow(settings: Settings, discussions: int, per: int) -> dict[str, Any]:
    """Add ``discussions`` old discussions of ``per`` comments each, and one of 10,000."""
    started = time.perf_counter()
    engine = create_engine(workload.sync_url(settings))
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        for table in ("discussion", "comment"):
            for event in ("insert", "update", "delete"):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS search_{table}_{event}")
        d0 = conn.scalar(text("SELECT max(id) FROM discussion")) + 1
        groups = conn.scalar(text("SELECT count(*) FROM grp"))
        members = conn.scalar(text("SELECT count(*) FROM member"))
        # Discussion i starts i minutes after 2020-01-01 (W1 begins in 2025), one group of
        # every `groups` in turn; its last comment is `per` minutes later.
        conn.exec_driver_sql(
            f"""
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {discussions - 1})
            INSERT INTO discussion (id, group_id, author_id, title, body_src, body_html, state,
                locked, pinned, promoted, comment_count, top_count, like_count,
                last_activity_at, created_at)
            SELECT {d0} + i, 1 + (i % {groups}), 1 + ((i * 7919) % {members}),
                'Archive discussion ' || i, 'From the archive.', '<p>From the archive.</p>',
                'live', 0, 0, 0, {per}, {per}, 0,
                {TS.format(f"'2020-01-01', '+' || (i + {per}) || ' minutes'")},
                {TS.format("'2020-01-01', '+' || i || ' minutes'")}
            FROM n
            """
        )
        long_id = d0 + discussions
        conn.exec_driver_sql(
            f"""
            INSERT INTO discussion (id, group_id, author_id, title, body_src, body_html, state,
                locked, pinned, promoted, comment_count, top_count, like_count,
                last_activity_at, created_at)
            VALUES ({long_id}, 1, 2, 'The longest discussion', 'Ten thousand comments.',
                '<p>Ten thousand comments.</p>', 'live', 0, 0, 0, {LONG_COMMENTS},
                {LONG_COMMENTS}, 0, '2019-12-31 00:00:00.000000', '2019-12-01 00:00:00.000000')
            """
        )
        for first, count, each in ((d0, discussions, per), (long_id, 1, LONG_COMMENTS)):
            conn.exec_driver_sql(
                f"""
                WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM d WHERE i < {count - 1}),
                     p(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM p WHERE k < {each})
                INSERT INTO comment (discussion_id, author_id, parent_id, position, body_src,
                    body_html, state, reply_count, like_count, created_at)
                SELECT {first} + i, 1 + ((i * 31 + k * 17) % {members}), NULL, k,
                    'Comment ' || k || ', from the archive.',
                    '<p>Comment ' || k || ', from the archive.</p>', 'live', 0, 0,
                    {TS.format("'2019-06-01', '+' || (i * 5 + k) || ' minutes'")}
                FROM d, p
                """
            )
        conn.exec_driver_sql(
            "UPDATE grp SET discussion_count = (SELECT count(*) FROM discussion "
            "WHERE discussion.group_id = grp.id AND state = 'live')"
        )
        totals = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in ("discussion", "comment")}  # fmt: skip
    engine.dispose()
    meta = {"discussions": discussions, "per": per, "long_discussion": long_id,
            "totals": totals, "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip
    (settings.data_dir / SCALE_FILE).write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def _targets(meta: dict[str, Any], long_id: int) -> list[runner.Scenario]:
    viewer = ({"Cookie": f"{SESSION_COOKIE}={meta['viewer_token']}"}, "")
    page = f"/d/{long_id}"
    return [
        runner.Scenario("R2L", "busiest group's list, logged in",
                        Target("GET", f"/g/{meta['group_slug']}", (viewer,))),
        runner.Scenario("R3L", "home page, logged in", Target("GET", "/", (viewer,))),
        runner.Scenario("P1L", "a long discussion's page 1, logged in",
                        Target("GET", page, (viewer,))),
        runner.Scenario("P200L", "its page 200, logged in",
                        Target("GET", f"{page}?page=200", (viewer,))),
    ]  # fmt: skip


def main(args: Any) -> int:
    seconds, warmup, connections = (3.0, 1.0, 8) if args.quick else (10.0, 2.0, 16)
    load, warm = loadgen.Load(connections, seconds), loadgen.Load(connections, warmup)
    client = loadgen.available()
    base_dir: Path = args.data_dir
    small = Settings(data_dir=base_dir / "w1")
    big = Settings(data_dir=base_dir / "grown")
    meta = workload.existing(small, workload.W1, args.seed)
    if meta is None:
        print(f"Generating W1 in {small.data_dir} …", flush=True)
        meta = workload.generate(small, workload.W1, args.seed)
    grown = _grown_already(big.data_dir, args.discussions, args.per)
    if grown is None:
        shutil.rmtree(big.data_dir, ignore_errors=True)
        shutil.copytree(small.data_dir, big.data_dir)
        print(f"Growing a copy by {args.discussions:,} discussions of {args.per} comments "
              f"and one of {LONG_COMMENTS:,} …", flush=True)  # fmt: skip
        grown = grow(big, args.discussions, args.per)
        print(f"  {grown['totals']['discussion']:,} discussions, "
              f"{grown['totals']['comment']:,} comments; {grown['seconds']} s", flush=True)  # fmt: skip
    reports = {}
    for label, settings in (("W1", small), ("grown", big)):
        # On W1 the long discussion is R1's (500 comments, 10 pages): page 200 does not
        # exist there, so W1's P200L is its last page.
        long_id = grown["long_discussion"] if label == "grown" else meta["long_discussion"]
        chosen = _targets(meta, long_id)
        if label == "W1":
            chosen[3] = runner.Scenario("P200L", "its last page (10), logged in",
                                        Target("GET", f"/d/{long_id}?page=10",
                                               chosen[3].target.variants))  # fmt: skip
        print(f"Measuring {label} …", flush=True)
        reports[label] = runner.run_scenarios(settings, chosen, client=client, load=load,
                                              warmup=warm)  # fmt: skip
    print()
    print(table(reports, connections, seconds))
    bad = [r for rep in reports.values() for r in rep if r.problem]
    return 1 if bad else 0


def table(reports: dict[str, list[runner.Row]], connections: int, seconds: float) -> str:
    small = {r.key: r for r in reports["W1"]}
    big = {r.key: r for r in reports["grown"]}
    lines = [f"wrk, {connections} connections, {seconds:g} s per row; p50 in ms", "",
             f"{'row':<7}{'what':<40}{'W1 p50':>9}{'grown p50':>11}{'×':>7}"]  # fmt: skip
    for key, row in big.items():
        a, b = small[key].result, row.result
        if a is None or b is None:
            lines.append(f"{key:<7}{row.what:<40}ERROR: {small[key].problem or row.problem}")
            continue
        lines.append(f"{key:<7}{row.what[:39]:<40}{a.p50_ms:>9.2f}{b.p50_ms:>11.2f}"
                     f"{b.p50_ms / a.p50_ms:>7.2f}")  # fmt: skip
    lines.append("")
    verdicts = []
    for key in ("R2L", "R3L"):
        a, b = small[key].result, big[key].result
        if a and b:
            ok = b.p50_ms <= 1.5 * a.p50_ms
            verdicts.append(f"  {'met' if ok else 'NOT MET':<9}{key} grown within 1.5× of W1: "
                            f"{b.p50_ms / a.p50_ms:.2f}×")  # fmt: skip
    p1, p200 = big["P1L"].result, big["P200L"].result
    if p1 and p200:
        ratio = p200.p50_ms / p1.p50_ms
        verdicts.append(f"  {'met' if ratio <= 1.2 else 'NOT MET':<9}page 200 costs what page 1 "
                        f"does (within 1.2×): {ratio:.2f}×")  # fmt: skip
    return "\n".join(lines + ["Targets (issue 6, scale):", *verdicts])
