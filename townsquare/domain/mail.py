"""Email: messages from templates, signed unsubscribe links, delivery, and the account emails
(address confirmation and password reset, each a single-use expiring link).

Sending is slow and may fail, so it only ever happens in the background queue: domain
functions ``defer`` a job, and the jobs here build and deliver the message. With no SMTP
server configured, each message is written as a ``.eml`` file under ``<data_dir>/mail/``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.config import Settings
from townsquare.db.models import EmailToken, Member, Session, utcnow
from townsquare.domain import events
from townsquare.domain.errors import Invalid

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates" / "email"
CONFIRM_DAYS = 7
UNSUBSCRIBE_DAYS = 365

_env = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=False, undefined=StrictUndefined,
    keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
)  # fmt: skip


class SendFailed(Exception):
    """The SMTP server could not be reached or refused the message; the job is retried."""


# --- signed links -------------------------------------------------------------------------


def _mac(secret: str, purpose: str, payload: str) -> str:
    key = hashlib.sha256(f"townsquare {purpose}:{secret}".encode()).digest()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:40]


def unsubscribe_token(secret: str, member_id: int, kind: str, *, now: float | None = None) -> str:
    """A token naming a member and a kind of email, valid for a year, signed with the site key."""
    expires = int((now or time.time()) + UNSUBSCRIBE_DAYS * 86400)
    payload = f"{member_id}.{kind}.{expires}"
    return f"{payload}.{_mac(secret, 'unsubscribe', payload)}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, str] | None:
    """(member id, kind) from a token this site signed that has not expired; else None."""
    parts = token.split(".")
    if len(token) > 200 or len(parts) != 4:
        return None
    member_id, kind, expires, mac = parts
    payload = f"{member_id}.{kind}.{expires}"
    if not hmac.compare_digest(mac, _mac(secret, "unsubscribe", payload)):
        return None
    if not (member_id.isdigit() and expires.isdigit()) or int(expires) < time.time():
        return None
    return int(member_id), kind


# --- messages -----------------------------------------------------------------------------


def render(template: str, **context: Any) -> tuple[str, str]:
    """(subject, body) from an email template whose first line is ``Subject: …``."""
    text = _env.get_template(template).render(**context)
    first, _, body = text.partition("\n")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


def message(settings: Settings, to: str, subject: str, body: str,
            unsubscribe: str | None = None) -> EmailMessage:  # fmt: skip
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=urlsplit(settings.site_url).hostname or "localhost")
    msg["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg.set_content(body)
    return msg


def site_link(settings: Settings, path: str) -> str:
    return settings.site_url.rstrip("/") + path


def unsubscribe_link(settings: Settings, member_id: int, kind: str) -> str:
    token = unsubscribe_token(settings.resolved_secret(), member_id, kind)
    return site_link(settings, f"/unsubscribe/{token}")


async def deliver(settings: Settings, msg: EmailMessage) -> None:
    """Send over SMTP, or write a .eml file when mail goes to files."""
    if settings.writes_mail_to_files:
        folder = settings.data_dir / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        (folder / f"{stamp}-{secrets.token_hex(4)}.eml").write_bytes(bytes(msg))
        return
    try:
        await aiosmtplib.send(
            msg, hostname=settings.smtp_host, port=settings.smtp_port,
            username=settings.smtp_user or None, password=settings.smtp_password or None,
            start_tls=settings.smtp_starttls, timeout=30,
        )  # fmt: skip
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise SendFailed(str(exc)) from exc


# --- single-use links: confirmation and password reset -------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _new_token(db: AsyncSession, member: Member, purpose: str, ttl: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    db.add(EmailToken(id=_hash(token), member_id=member.id, purpose=purpose, email=member.email,
                      expires_at=utcnow() + ttl))  # fmt: skip
    await db.flush()
    return token


async def _valid_token(db: AsyncSession, token: str, purpose: str) -> EmailToken:
    row = await db.get(EmailToken, _hash(token)) if 0 < len(token) <= 100 else None
    if (
        row is None
        or row.purpose != purpose
        or row.used_at is not None
        or row.expires_at < utcnow()
    ):
        raise Invalid({"token": "This link has expired or has already been used."})
    return row


def on_sign_up(db: AsyncSession, member: Member) -> None:
    """Hook for accounts.sign_up: a confirmation link goes out once the member exists."""
    events.defer(db, "send_confirmation", member.email)


async def request_confirmation(db: AsyncSession, member: Member) -> None:
    """Send (again) the link that confirms the member's address."""
    events.defer(db, "send_confirmation", member.email)
    await db.commit()


async def confirm_email(db: AsyncSession, token: str) -> Member:
    row = await _valid_token(db, token, "confirm")
    member = await db.get(Member, row.member_id)
    assert member is not None
    row.used_at = utcnow()
    if member.email == row.email and member.email_confirmed_at is None:
        member.email_confirmed_at = utcnow()
    await db.commit()
    return member


async def request_password_reset(db: AsyncSession, email: str) -> None:
    """Email a reset link if an account has this address; says nothing either way.

    The request does the same work for a known and an unknown address (one queued job,
    which looks the address up), so neither the answer nor its timing tells them apart.
    """
    email = normalized_email(email)
    if not email or len(email) > 254:
        raise Invalid({"email": "Enter the email address of your account."})
    events.defer(db, "send_password_reset", email)
    await db.commit()


def normalized_email(email: str | None) -> str:
    return (email or "").strip().lower()


async def check_reset_token(db: AsyncSession, token: str) -> None:
    await _valid_token(db, token, "reset")


async def reset_password(db: AsyncSession, token: str, password: str) -> Member:
    """Set a new password with a reset link; the link (and any older one) stops working,
    and every log-in of the member ends."""
    from townsquare.domain.accounts import hash_password

    row = await _valid_token(db, token, "reset")
    if len(password or "") < 8:
        raise Invalid({"password": "Use at least 8 characters."})
    if len(password) > 200:
        raise Invalid({"password": "Use at most 200 characters."})
    member = await db.get(Member, row.member_id)
    assert member is not None
    now = utcnow()
    # One UPDATE claims the link, so two racing uses cannot both succeed.
    claimed = await db.execute(
        update(EmailToken)
        .where(EmailToken.id == row.id, EmailToken.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Invalid({"token": "This link has expired or has already been used."})
    await db.execute(
        update(EmailToken)
        .where(EmailToken.member_id == member.id, EmailToken.purpose == "reset",
               EmailToken.used_at.is_(None))
        .values(used_at=now)
    )  # fmt: skip
    member.password_hash = hash_password(password)
    if member.email == row.email and member.email_confirmed_at is None:
        member.email_confirmed_at = now  # the link reached this inbox
    await db.execute(delete(Session).where(Session.member_id == member.id))
    await db.commit()
    return member


# --- the jobs -----------------------------------------------------------------------------


async def send_confirmation(db: AsyncSession, settings: Settings, email: str) -> None:
    member = await db.scalar(select(Member).where(Member.email == email))
    if member is None or member.email_confirmed_at is not None:
        return
    token = await _new_token(db, member, "confirm", timedelta(days=CONFIRM_DAYS))
    subject, body = render(
        "confirm.txt", member=member, site_name=settings.site_name, days=CONFIRM_DAYS,
        link=site_link(settings, f"/confirm/{token}"),
    )  # fmt: skip
    await deliver(settings, message(settings, member.email, subject, body))
    await db.commit()


async def send_password_reset(db: AsyncSession, settings: Settings, who: str | int) -> None:
    """The reset email for an address (or, from jobs queued before addresses, a member id);
    nothing when no active account has it."""
    if isinstance(who, int):
        member = await db.get(Member, who)
    else:
        member = await db.scalar(select(Member).where(Member.email == who))
    if member is None or member.state != "active":
        return
    minutes = settings.password_reset_minutes
    token = await _new_token(db, member, "reset", timedelta(minutes=minutes))
    subject, body = render(
        "password_reset.txt", member=member, site_name=settings.site_name, minutes=minutes,
        link=site_link(settings, f"/password/reset/{token}"),
    )  # fmt: skip
    await deliver(settings, message(settings, member.email, subject, body))
    await db.commit()
