"""Prometheus metrics: requests and their latency by route template, method and status
class; background job failures; queue depth, read when scraped.

Collectors belong to the process (a worker process serves many requests with one set).
When ``townsquare serve`` or ``townsquare worker`` run with ``metrics = on`` they use
prometheus_client's multiprocess mode, with files under ``<data_dir>/metrics/``: every
web worker and the queue's workers on that machine write there, and a scrape of any one
worker reads them all. Embedded in a single process (tests), the collectors are plain.

prometheus_client chooses its mode when it is first imported, from the environment, so
``prepare_processes`` runs before anything imports it and the imports here are late.
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from townsquare.config import Settings

if TYPE_CHECKING:
    from townsquare.jobs.queue import Jobs

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Request latency buckets in seconds: pages take milliseconds, streams may take minutes.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
STATUS_CLASS = ("1xx", "2xx", "3xx", "4xx", "5xx")


def metrics_dir(settings: Settings) -> Path:
    return settings.data_dir / "metrics"


def prepare_processes(settings: Settings) -> None:
    """Before serve or worker imports the app: when metrics are on, turn on multiprocess
    mode for this process and the workers it starts, in a folder without stale files."""
    if settings.metrics != "on":
        return
    folder = metrics_dir(settings).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for file in folder.glob("*.db"):
        # counter_<pid>.db, histogram_<pid>.db …: keep a live process's (a running worker
        # command), drop those of processes gone since the last start.
        pid = file.stem.rsplit("_", 1)[-1]
        if not (pid.isdigit() and _alive(int(pid))):
            file.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(folder)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Metrics:
    """The process's collectors, and a cache of their labelled children (``labels()``
    takes a lock and builds a key; a request should cost a dictionary lookup)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram, values

        self.multiprocess: bool = getattr(values.ValueClass, "_multiprocess", False)
        # Multiprocess mode reads the files at scrape time, not a registry.
        self.registry = None if self.multiprocess else CollectorRegistry(auto_describe=True)
        labels = ("method", "route", "status")
        self.requests = Counter(
            "townsquare_http_requests",
            "HTTP requests answered, by route template, method and status class.",
            labels,
            registry=self.registry,
        )
        self.latency = Histogram(
            "townsquare_http_request_duration_seconds",
            "Time from a request's arrival to the end of its response.",
            labels,
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.job_failures = Counter(
            "townsquare_job_failures",
            "Background jobs that raised; outcome 'retried' (tried again later) or 'failed'.",
            ("job", "outcome"),
            registry=self.registry,
        )
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        if method not in METHODS:  # a client may send any word; the label set stays small
            method = "other"
        key = (method, route, status)
        pair = self._children.get(key)
        if pair is None:
            labels = (
                method,
                route,
                STATUS_CLASS[status // 100 - 1] if 100 <= status < 600 else "other",
            )
            pair = self._children[key] = (
                self.requests.labels(*labels),
                self.latency.labels(*labels),
            )
        pair[0].inc()
        pair[1].observe(seconds)

    def render(self, jobs: Jobs | None) -> tuple[bytes, str]:
        """The exposition text (blocking: reads files and the queue; run it in a thread)."""
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = CollectorRegistry()
        if self.multiprocess:
            MultiProcessCollector(registry)
        else:
            assert self.registry is not None
            registry.register(_Each(self.registry))
        if jobs is not None:
            registry.register(QueueCollector(jobs))
        return generate_latest(registry), CONTENT_TYPE_LATEST


class _Each:
    """A registry's metrics inside another registry (collected, not copied)."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry

    def collect(self):  # type: ignore[no-untyped-def]
        yield from self.registry.collect()


class QueueCollector:
    """Queue depth, read from the queue's storage at each scrape; ``townsquare_queue_up``
    is 0 when the storage cannot be read."""

    def __init__(self, jobs: Jobs) -> None:
        self.huey = jobs.huey

    def collect(self):  # type: ignore[no-untyped-def]
        from prometheus_client.core import GaugeMetricFamily

        up = GaugeMetricFamily("townsquare_queue_up", "1 when the queue's storage answers.")
        try:
            pending, scheduled = self.huey.pending_count(), self.huey.scheduled_count()
        except Exception:  # any storage error means the same thing here: not readable
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily(
            "townsquare_queue_pending", "Background jobs waiting to run now.", value=pending
        )
        yield GaugeMetricFamily(
            "townsquare_queue_scheduled",
            "Background jobs waiting for a later time (delayed emails, retries).",
            value=scheduled,
        )


_process_metrics: Metrics | None = None


def process_metrics() -> Metrics:
    """This process's collectors, made on first use (after ``prepare_processes``)."""
    global _process_metrics
    if _process_metrics is None:
        _process_metrics = Metrics()
    return _process_metrics


def watch_jobs(jobs: Jobs) -> None:
    """Count failed jobs: huey signals each error, with the retries the task has left."""
    from huey.signals import SIGNAL_ERROR

    def on_error(signal: str, task: Any, exc: BaseException | None = None) -> None:
        outcome = "retried" if task.retries else "failed"
        process_metrics().job_failures.labels(task.name, outcome).inc()

    jobs.huey.signal(SIGNAL_ERROR)(on_error)


def token_ok(settings: Settings, authorization: bytes | None) -> bool:
    """No token set: open. Otherwise ``Authorization: Bearer <metrics_token>``."""
    if not settings.metrics_token:
        return True
    if not authorization or authorization[:7].lower() != b"bearer ":
        return False
    return hmac.compare_digest(authorization[7:].strip(), settings.metrics_token.encode())
