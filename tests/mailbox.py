"""A real SMTP server in-process (aiosmtpd) that keeps what arrives, for the email tests."""

from __future__ import annotations

import asyncio
import re
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from townsquare.db.models import Member, utcnow


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = message_from_bytes(envelope.content, policy=policy.default)
        msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        self.messages.clear()


def body(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return part.get_content()


def link(msg: EmailMessage, path_start: str) -> str:
    """The first link in the message whose path starts with path_start, as a path."""
    found = re.search(r"https?://[^/\s]+(" + re.escape(path_start) + r"\S*)", body(msg))
    assert found, f"no {path_start} link in {body(msg)!r}"
    return found.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(settings: Any) -> tuple[Controller, Mailbox]:
    """Serve SMTP on a free local port and point the settings at it."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.smtp_host, settings.smtp_port = "127.0.0.1", controller.port
    settings.smtp_starttls, settings.mail_delay = False, 0
    return controller, box


async def run_jobs(app: Any) -> int:
    return await asyncio.to_thread(app.state.jobs.run_pending)


async def confirm(db: Any, *members: Member) -> None:
    for m in members:
        m.email_confirmed_at = utcnow()
    await db.commit()
