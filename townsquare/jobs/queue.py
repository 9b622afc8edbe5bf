"""The background queue: huey on a SQLite file by default, on Redis when one is configured.

Domain functions never enqueue directly. They call ``domain.events.defer(db, job, *args)``,
and the session hands the deferred jobs to this queue only after its transaction commits,
so a job never runs for a write that rolled back.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from townsquare.config import Settings

log = logging.getLogger("townsquare.jobs")

# A fetch that failed for a reason that may pass (timeout, unreachable, 5xx) is tried
# again after 30 s, 2 min and 8 min, then left as failed; an admin can re-fetch it.
FETCH_RETRIES = 3
MAIL_RETRIES = 3
# Jobs kept in memory while the queue's storage is unreachable; beyond this, the oldest
# hand-overs win and later ones are dropped (their links stay "pending" for a re-fetch).
UNSENT_MAX = 10_000
UNSENT_RETRY_SECONDS = 5.0


class Retry(Exception):
    """Raised by a job whose failure may pass; huey schedules it again with backoff."""


class Jobs:
    """The tasks townsquare runs in the background, bound to one huey instance."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.huey: Huey = make_huey(settings)
        self._tasks: dict[str, Any] = {}
        self._unsent: list[tuple[str, tuple[Any, ...]]] = []
        self._unsent_lock = threading.Lock()
        self._retry_timer: threading.Timer | None = None
        self._register("fetch_link", self._fetch_link, retries=FETCH_RETRIES)
        # Email: a failed send (server down) is tried again with the same backoff.
        self._register("send_notification", self._send_notification, retries=MAIL_RETRIES)
        self._register("send_confirmation", self._send_confirmation, retries=MAIL_RETRIES)
        self._register("send_password_reset", self._send_password_reset, retries=MAIL_RETRIES)
        self._register("send_digests", self._send_digests, retries=MAIL_RETRIES)
        # Waits before sending, so a notification read in the app meanwhile is not emailed.
        self._delays = {"send_notification": lambda: self.settings.mail_delay}

    def _register(self, name: str, fn: Callable[..., None], retries: int = 0) -> None:
        self._tasks[name] = self.huey.task(
            retries=retries, retry_delay=30, retry_backoff=4, name=name
        )(fn)

    def enqueue(self, name: str, *args: Any) -> None:
        delay = self._delays[name]() if name in self._delays else 0
        if delay:
            self._tasks[name].schedule(args, delay=delay)
        else:
            self._tasks[name](*args)

    def enqueue_all(self, jobs: list[tuple[str, tuple[Any, ...]]]) -> None:
        """Hand a committed transaction's jobs to the queue.

        The write has committed, so a queue that cannot take the jobs (its storage is
        unreachable) must not turn the member's success into an error: the jobs wait in
        this process, tried again every few seconds and with the next hand-over.
        Meanwhile a card shows "pending".
        """
        with self._unsent_lock:
            waiting, self._unsent = self._unsent + list(jobs), []
        for i, (name, args) in enumerate(waiting):
            try:
                self.enqueue(name, *args)
            except Exception as exc:
                left = waiting[i:]
                log.warning("queue unavailable (%s); %d job(s) wait for the next try", exc,
                            len(left))  # fmt: skip
                with self._unsent_lock:
                    self._unsent = (left + self._unsent)[:UNSENT_MAX]
                    if self._retry_timer is None:
                        self._retry_timer = threading.Timer(UNSENT_RETRY_SECONDS, self._retry)
                        self._retry_timer.daemon = True
                        self._retry_timer.start()
                return

    def unsent(self) -> list[tuple[str, tuple[Any, ...]]]:
        """Jobs waiting for the queue to come back."""
        with self._unsent_lock:
            return list(self._unsent)

    def retry_unsent(self) -> int:
        """Offer the waiting jobs to the queue again now; how many still wait."""
        self.enqueue_all([])
        return len(self.unsent())

    def _retry(self) -> None:
        with self._unsent_lock:
            self._retry_timer = None
        self.retry_unsent()  # schedules the next try itself while the queue is still away

    def _fetch_link(self, link_id: int) -> None:
        from townsquare.domain import links

        transient = asyncio.run(links.refresh_link(self.settings, link_id))
        if transient:
            raise Retry(f"link {link_id}: will try again")

    def _with_db(self, job: Callable[..., Any], *args: Any) -> Any:
        """Run an async domain job with a session of its own (jobs run on worker threads)."""
        from townsquare.db.engine import make_engine, make_sessionmaker

        async def run() -> Any:
            engine = make_engine(self.settings)
            try:
                async with make_sessionmaker(
                    engine, on_commit=self.enqueue_all, settings=self.settings
                )() as db:
                    return await job(db, self.settings, *args)
            finally:
                await engine.dispose()

        return asyncio.run(run())

    def _send_notification(self, notification_id: int) -> None:
        from townsquare.domain import notifications

        self._with_db(notifications.send_notification, notification_id)

    def _send_confirmation(self, email: str) -> None:
        from townsquare.domain import mail

        self._with_db(mail.send_confirmation, email)

    def _send_password_reset(self, who: str | int) -> None:
        from townsquare.domain import mail

        self._with_db(mail.send_password_reset, who)

    def _send_digests(self) -> None:
        from townsquare.domain import notifications

        self._with_db(notifications.send_digests)

    def run_pending(self) -> int:
        """Run every task that is due now, in this thread; returns how many ran (tests, CLI)."""
        ran = 0
        while (task := self.huey.dequeue()) is not None:
            self.huey.execute(task)
            ran += 1
        return ran

    def consumer(self, workers: int = 2) -> Consumer:
        # Idle huey workers poll ever less often, by default down to every 10 s: a member
        # waiting on a card would wait for the poll, not the fetch. A poll is one query.
        return self.huey.create_consumer(
            workers=workers, worker_type="thread", periodic=False, max_delay=1.0
        )


def make_huey(settings: Settings) -> Huey:
    if settings.redis_url:
        return RedisHuey("townsquare", url=settings.redis_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("townsquare", filename=str(settings.data_dir / "queue.db"))


def start_in_process(jobs: Jobs, workers: int = 2) -> Consumer:
    """Run the queue on threads inside `serve`, so one command runs a whole small site."""
    consumer = jobs.consumer(workers)
    consumer._set_signal_handlers = lambda: None  # type: ignore[method-assign]  # the server owns signals
    consumer.start()
    return consumer
