"""The speed targets of issue 6, read off one run's report: a line each, met or not met.

Every target is a ratio to the ceiling of the same run, or a figure the machine cannot
flatter (errors, lost writes, memory per worker), so that two runs on two machines can be
compared by their verdicts. The forums' target (R1L at least 5× the fastest of them) is
judged by ``python -m bench forums`` (bench/forums).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

P99_CONNECTIONS = 16  # the p99 targets are set at this many connections
P99_MS = 50


@dataclass
class Verdict:
    target: str
    figure: str
    met: bool | None  # None: not measured in this run

    def line(self) -> str:
        word = {True: "met", False: "NOT MET", None: "not measured"}[self.met]
        return f"  {word:<13}{self.target:<66}{self.figure}"


def _rows(rep: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in rep["rows"] if "rps" in row and not row["problem"]}


def verdicts(rep: dict[str, Any]) -> list[Verdict]:
    rows = _rows(rep)
    top = rows.get("ceiling")
    out: list[Verdict] = []

    def share(key: str, least: float, what: str) -> None:
        row = rows.get(key)
        if row is None or top is None:
            out.append(Verdict(f"{key} {what} ≥ {least:g} of the ceiling", "—", None))
            return
        ratio = row["rps"] / top["rps"]
        out.append(Verdict(f"{key} {what} ≥ {least:g} of the ceiling", f"{ratio:.3f}",
                           ratio >= least))  # fmt: skip

    share("R1", 0.5, "anonymous")
    for key, what in (("R1L", "logged in"), ("R2", "group list"), ("R3", "home")):
        share(key, 0.15, what)
    connections = rep["connections"]
    # A machine whose static ceiling itself has a p99 past the bound (a virtual machine
    # whose host takes its cores away now and then) cannot judge an app against it.
    machine = top is not None and top["p99_ms"] >= P99_MS
    for key in ("R1", "R1L", "R2", "R3"):
        row = rows.get(key)
        target = f"{key} p99 < {P99_MS} ms at {P99_CONNECTIONS} connections"
        if row is None:
            out.append(Verdict(target, "—", None))
            continue
        note = "" if connections == P99_CONNECTIONS else f" (at {connections}; run without --quick)"
        met = row["p99_ms"] < P99_MS if connections == P99_CONNECTIONS else None
        if machine and met is False:
            note += f" (the static ceiling's own: {top['p99_ms']:.1f} ms; this machine's)"
            met = None
        out.append(Verdict(target, f"{row['p99_ms']:.1f} ms{note}", met))
    w1 = rows.get("W1")
    if w1 is None:
        out.append(Verdict("W1 ≥ 300 comments/s, no errors, none lost", "—", None))
    else:
        lost = rep.get("w1_lost")
        figure = f"{w1['rps']:.0f}/s, {w1['errors'] + w1['failures']} errors"
        figure += f", {lost} lost" if lost is not None else ", loss not checked"
        met = w1["rps"] >= 300 and not (w1["errors"] + w1["failures"]) and lost == 0
        target = "W1 ≥ 300 comments/s, no errors, none lost"
        if rep["database"] != "sqlite":
            target += " (the 300 is for SQLite)"
            met = not (w1["errors"] + w1["failures"]) and lost == 0
        out.append(Verdict(target, figure, met))
    rss = rep.get("worker_rss_mb")
    if rss:
        out.append(Verdict("each worker < 150 MB RSS after the runs",
                           ", ".join(f"{mb:.0f} MB" for mb in rss), max(rss) < 150))  # fmt: skip
    else:
        out.append(Verdict("each worker < 150 MB RSS after the runs", "—", None))
    return out


def summary(rep: dict[str, Any]) -> str:
    found = verdicts(rep)
    met = sum(v.met is True for v in found)
    head = f"Targets (issue 6): {met} of {len(found)} met"
    return "\n".join([head, *(v.line() for v in found)])
