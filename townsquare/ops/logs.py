"""Log lines: one JSON object per line for log collectors, or short plain lines for a
person at a terminal. ``townsquare serve`` and ``townsquare worker`` configure logging
from ``log_config(settings)``; the access log is the logger ``townsquare.access``, one
record per request, its fields in ``record.access`` (see ``ops.middleware``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from typing import Any, TextIO

from townsquare.config import Settings

ACCESS = "townsquare.access"


def resolved_format(settings: Settings) -> str:
    """``json`` or ``plain``; ``auto`` is plain when stderr is a terminal, else JSON."""
    if settings.log_format != "auto":
        return settings.log_format
    return "plain" if sys.stderr.isatty() else "json"


# One encoder, made once: json.dumps with options builds a new encoder on every call.
_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, then any access fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._second = -1
        self._stamp = ""

    def iso_time(self, created: float) -> str:
        """``2026-11-30T05:35:12.123Z``; the part up to the second is formatted once a second
        (formatters run under their handler's lock)."""
        second = int(created)
        if second != self._second:
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._stamp}.{int((created - second) * 1000):03d}Z"

    def _line(
        self, created: float, level: str, name: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        return {"time": self.iso_time(created), "level": level, "logger": name, **fields}

    def access_line(self, fields: dict[str, Any], created: float) -> str:
        """An info access record's line, from its fields alone (see ``quick_access``)."""
        return _encode(self._line(created, "info", ACCESS, fields))

    def format(self, record: logging.LogRecord) -> str:
        access = getattr(record, "access", None)
        fields = access if access is not None else {"message": record.getMessage()}
        line = self._line(record.created, record.levelname.lower(), record.name, fields)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return _encode(line)


class PlainFormatter(logging.Formatter):
    """``HH:MM:SS level logger message``; an access record reads as a short request line."""

    @staticmethod
    def _request(access: dict[str, Any]) -> str:
        who = access["member_id"]
        return (
            f"{access['method']} {access['path']} {access['status']} "
            f"{access['duration_ms']}ms member={'-' if who is None else who} "
            f"id={access['request_id']}"
        )

    @staticmethod
    def _text(created: float, level: str, name: str, message: str) -> str:
        return f"{time.strftime('%H:%M:%S', time.localtime(created))} {level} {name}: {message}"

    def access_line(self, fields: dict[str, Any], created: float) -> str:
        """An info access record's line, from its fields alone (see ``quick_access``)."""
        return self._text(created, "info", ACCESS, self._request(fields))

    def format(self, record: logging.LogRecord) -> str:
        access = getattr(record, "access", None)
        message = self._request(access) if access is not None else record.getMessage()
        text = self._text(record.created, record.levelname.lower(), record.name, message)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class BatchedStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A StreamHandler that writes the access log's lines together, once per turn of the
    event loop; every other record at once, after any access lines before it.

    Writing each access line on its own was a system call per request. Lines gathered in
    a turn are written by a callback queued on the loop, which runs it within its next
    turn, shutting down included: none wait for a timer or are lost at a signal.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self.waiting: list[str] = []
        self.due_on: asyncio.AbstractEventLoop | None = None  # where the flush is queued

    def emit(self, record: logging.LogRecord) -> None:  # runs under the handler's lock
        self.flush()  # what came before goes first
        super().emit(record)

    def write_access(self, fields: dict[str, Any], created: float) -> None:
        """An info access record, given as its fields (see ``quick_access``): formatted
        under the lock, as records are, since formatters keep state between lines."""
        with self.lock:  # type: ignore[union-attr]
            try:
                line = self.formatter.access_line(fields, created)  # type: ignore[union-attr]
            except Exception:
                self.handleError(logging.makeLogRecord({"msg": "access line failed"}))
                return
            self.waiting.append(line + self.terminator)
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop running here: write it now
                self.flush()
                return
            if self.due_on is not loop:
                loop.call_soon(self.flush)
                self.due_on = loop

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self.due_on = None
            if self.waiting:
                text, self.waiting = "".join(self.waiting), []
                try:
                    self.stream.write(text)
                except Exception:
                    # As StreamHandler does with a failed write: report it, keep serving.
                    self.handleError(logging.makeLogRecord({"msg": "log write failed"}))
            super().flush()


def quick_access(logger: logging.Logger) -> BatchedStreamHandler | None:
    """The one handler an info record of ``logger`` would reach, when nothing on its way
    filters it and it is a ``BatchedStreamHandler`` whose formatter writes access lines:
    as ``serve`` configures logging. The access log then formats its line itself and
    hands it over. A LogRecord and the logging module's walk to the handler were a fifth
    of a cached page's CPU under load; any other set-up (a test's log capture, a second
    handler) takes that ordinary way.
    """
    found = None
    node: logging.Logger | None = logger
    while node is not None:
        if node.filters:
            return None
        for handler in node.handlers:
            if found is not None or type(handler) is not BatchedStreamHandler:
                return None
            found = handler
        node = node.parent if node.propagate else None
    if found is None or found.filters or found.level > logging.INFO:
        return None
    return found if hasattr(found.formatter, "access_line") else None


def log_config(settings: Settings) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for serve (uvicorn applies it in every worker) and
    worker: townsquare's loggers at info, uvicorn's own access log off (ours replaces it),
    everything else at warning, all through one formatter on stderr."""
    formatter = JsonFormatter if resolved_format(settings) == "json" else PlainFormatter
    handler = {"()": f"{__name__}.BatchedStreamHandler", "formatter": "townsquare",
               "stream": "ext://sys.stderr"}  # fmt: skip
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"townsquare": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            "townsquare": {"level": "INFO"},
            "uvicorn": {"level": "INFO"},
            "uvicorn.error": {"level": "INFO"},
            # Our access log has the route, member and request id; uvicorn's would double it.
            "uvicorn.access": {"level": "WARNING", "propagate": False},
        },
    }
