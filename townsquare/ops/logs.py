"""Log lines: one JSON object per line for log collectors, or short plain lines for a
person at a terminal. ``townsquare serve`` and ``townsquare worker`` configure logging
from ``log_config(settings)``; the access log is the logger ``townsquare.access``, one
record per request, its fields in ``record.access`` (see ``ops.middleware``).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

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

    def format(self, record: logging.LogRecord) -> str:
        access = getattr(record, "access", None)
        line: dict[str, Any] = {
            "time": self.iso_time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        if access is not None:
            line.update(access)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return _encode(line)


class PlainFormatter(logging.Formatter):
    """``HH:MM:SS level logger message``; an access record reads as a short request line."""

    def format(self, record: logging.LogRecord) -> str:
        access = getattr(record, "access", None)
        if access is not None:
            who = access["member_id"]
            message = (
                f"{access['method']} {access['path']} {access['status']} "
                f"{access['duration_ms']}ms member={'-' if who is None else who} "
                f"id={access['request_id']}"
            )
        else:
            message = record.getMessage()
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        text = f"{stamp} {record.levelname.lower()} {record.name}: {message}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def log_config(settings: Settings) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for serve (uvicorn applies it in every worker) and
    worker: townsquare's loggers at info, uvicorn's own access log off (ours replaces it),
    everything else at warning, all through one formatter on stderr."""
    formatter = JsonFormatter if resolved_format(settings) == "json" else PlainFormatter
    handler = {"class": "logging.StreamHandler", "formatter": "townsquare", "stream": "ext://sys.stderr"}  # fmt: skip
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
