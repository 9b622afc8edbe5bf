"""bench/targets.py: the verdict lines `python -m bench run` prints under its table."""

from bench.targets import verdicts


def report(ceiling_p99: float, r1_p99: float) -> dict:  # type: ignore[type-arg]
    def row(key: str, rps: float, p99: float) -> dict:  # type: ignore[type-arg]
        return {"key": key, "rps": rps, "p99_ms": p99, "problem": "", "errors": 0, "failures": 0}

    rows = [row("ceiling", 10_000, ceiling_p99), row("R1", 6_000, r1_p99),
            row("R1L", 3_000, 9.0), row("R2", 6_000, 8.0), row("R3", 6_000, 8.0),
            row("W1", 320, 120.0)]  # fmt: skip
    return {"rows": rows, "connections": 16, "database": "sqlite", "w1_lost": 0,
            "worker_rss_mb": [140.0, 141.0]}  # fmt: skip


def by_target(rep: dict) -> dict:  # type: ignore[type-arg]
    return {
        v.target.split(" ")[0] + (" p99" if "p99" in v.target else ""): v for v in verdicts(rep)
    }


def test_a_slow_tail_is_not_met_when_the_ceiling_meets_the_bound():
    found = by_target(report(ceiling_p99=4.0, r1_p99=96.0))
    assert found["R1 p99"].met is False and found["R1L p99"].met is True
    assert found["R1"].met is True and found["W1"].met is True
    assert all(v.met for k, v in found.items() if k != "R1 p99")


def test_a_tail_the_static_ceiling_shares_is_the_machines_not_the_apps():
    """The host of a virtual machine stalled it (the static page's own p99 was 92 ms):
    the app's p99 cannot be judged there, and the line says why; bounds met stay met."""
    found = by_target(report(ceiling_p99=92.0, r1_p99=96.0))
    assert found["R1 p99"].met is None
    assert "the static ceiling's own: 92.0 ms" in found["R1 p99"].line()
    assert found["R1L p99"].met is True
