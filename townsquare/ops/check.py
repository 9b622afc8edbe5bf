"""``townsquare check``: is this installation ready to serve? One line per part, in plain
words: ``ok``, or what is wrong and what to do. Exits 1 when anything failed, so a
deploy script or a container's start can stop early.

Nothing here writes to the site: the database is opened read-only in effect (a SELECT
and Alembic's revision lookup), the queue is counted, SMTP gets EHLO and no mail.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import typer
from pydantic import ValidationError

from townsquare.config import SECRET_FILE, Settings
from townsquare.ops.health import short

TIMEOUT = 5  # seconds for each connection attempt: a check should answer quickly
LOW_DISK = 1_000_000_000  # bytes; below this free space on the data directory's disk, warn
DEFAULT_SITE_URL = "http://127.0.0.1:8000"

State = Literal["ok", "not configured", "warning", "failed"]


@dataclass(frozen=True)
class Finding:
    part: str
    state: State
    message: str = ""

    def line(self) -> str:
        """``database: ok (…)``, ``mail: not configured: …``, ``queue: failed: …``."""
        if not self.message:
            return f"{self.part}: {self.state}"
        if self.state == "ok":
            return f"{self.part}: ok ({self.message})"
        return f"{self.part}: {self.state}: {self.message}"


def run(settings: Settings) -> list[Finding]:
    """Every check, in the order a person would fix them."""
    return [
        check_configuration(settings),
        check_database(settings),
        check_queue(settings),
        asyncio.run(check_mail(settings)),
        check_storage(settings),
        check_redis(settings),
    ]


def _hidden(url: str) -> str:
    """A URL as it may be printed: without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read; show only its scheme
        return url.split("://", 1)[0] + "://…"


def check_configuration(settings: Settings) -> Finding:
    key_file = settings.data_dir / SECRET_FILE
    try:
        has_key = bool(settings.secret_key) or bool(key_file.read_text().strip())
    except OSError:  # missing or unreadable: either way there is no key to sign with
        has_key = False
    if not has_key:
        return Finding(
            "configuration",
            "failed",
            f"no secret key: set TOWNSQUARE_SECRET_KEY, or run `townsquare init --data-dir "
            f"{settings.data_dir}` to write one to {key_file}",
        )
    if settings.metrics == "on" and not settings.metrics_token:
        return Finding(
            "configuration",
            "warning",
            "metrics are on without TOWNSQUARE_METRICS_TOKEN: anyone who can reach the site "
            "can read /metrics; set a token or block /metrics at the proxy",
        )
    if not settings.writes_mail_to_files and settings.site_url == DEFAULT_SITE_URL:
        return Finding(
            "configuration",
            "warning",
            f"TOWNSQUARE_SITE_URL is still {DEFAULT_SITE_URL}: links in the emails sent will "
            "point there; set it to the site's public address",
        )
    return Finding("configuration", "ok")


def check_database(settings: Settings) -> Finding:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, text

    from townsquare.db import migrate

    init = f"townsquare init --data-dir {settings.data_dir}"
    if not settings.database_url:
        path = settings.data_dir / "townsquare.db"
        if not path.is_file():
            return Finding("database", "failed", f"no database at {path} yet; run `{init}`")
    url = settings.resolved_database_url
    shown = (
        f"the SQLite file {url.split(':///', 1)[1]}" if url.startswith("sqlite") else _hidden(url)
    )
    sync_url = url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
    connect_args = {"connect_timeout": TIMEOUT} if url.startswith("postgresql") else {}
    engine = create_engine(sync_url, connect_args=connect_args)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = MigrationContext.configure(conn).get_current_revision()
    except Exception as exc:  # any driver error: say it and where
        return Finding(
            "database",
            "failed",
            f"cannot open {shown}: {short(exc)}. Is the database server running, and is "
            "TOWNSQUARE_DATABASE_URL right?",
        )
    finally:
        engine.dispose()
    head = migrate.head_revision(settings)
    if current == head:
        return Finding("database", "ok", f"{shown}, migration {current}, the newest")
    if current is None:
        return Finding("database", "failed", f"{shown} has no townsquare tables; run `{init}`")
    known = {s.revision for s in _scripts(settings).walk_revisions()}
    if current not in known:
        return Finding(
            "database",
            "failed",
            f"{shown} is at migration {current}, which this version of townsquare does not "
            "know: it was migrated by a newer version; install that version",
        )
    return Finding(
        "database",
        "failed",
        f"{shown} is at migration {current}, this version needs {head}; run `townsquare "
        f"migrate --data-dir {settings.data_dir}`",
    )


def _scripts(settings: Settings):  # type: ignore[no-untyped-def]
    from alembic.script import ScriptDirectory

    from townsquare.db import migrate

    return ScriptDirectory.from_config(migrate.alembic_config(settings))


def check_queue(settings: Settings) -> Finding:
    import redis
    from huey import RedisHuey, SqliteHuey

    pool = None
    if settings.redis_url:
        where = f"Redis at {_hidden(settings.redis_url)}"
        try:
            pool = redis.ConnectionPool.from_url(
                settings.redis_url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT
            )
        except ValueError as exc:
            return Finding("queue", "failed", f"cannot read TOWNSQUARE_REDIS_URL: {exc}")
        # The name townsquare.jobs.queue gives it, so these are the site's jobs.
        huey = RedisHuey("townsquare", connection_pool=pool)
    else:
        path = settings.data_dir / "queue.db"
        where = f"the SQLite file {path}"
        if not path.exists():
            return Finding("queue", "ok", f"{where} is made when the site first starts")
        huey = SqliteHuey("townsquare", filename=str(path), timeout=TIMEOUT, create_tables=False)
    try:
        pending, scheduled = huey.pending_count(), huey.scheduled_count()
    except Exception as exc:  # SQLite or Redis errors alike
        return Finding("queue", "failed", f"cannot read the queue in {where}: {short(exc)}")
    finally:
        huey.storage.close()
        if pool is not None:
            pool.disconnect()
    return Finding("queue", "ok", f"{where}, {pending} job(s) waiting, {scheduled} scheduled")


async def check_mail(settings: Settings) -> Finding:
    import aiosmtplib

    folder = settings.data_dir / "mail"
    if settings.writes_mail_to_files:
        if settings.smtp_host:
            return Finding(
                "mail",
                "not configured",
                f"TOWNSQUARE_MAIL_TO_FILES is on, so mail goes to files in {folder} and "
                f"{settings.smtp_host} is not used",
            )
        return Finding(
            "mail",
            "not configured",
            f"mail goes to files in {folder}; set TOWNSQUARE_SMTP_HOST to send it",
        )
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    # The same connection options as sending (domain/mail.deliver), then EHLO; no mail.
    smtp = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        start_tls=settings.smtp_starttls,
        timeout=TIMEOUT,
    )
    try:
        await smtp.connect()
        await smtp.ehlo()
        if settings.smtp_user:
            await smtp.login(settings.smtp_user, settings.smtp_password)
        await smtp.quit()
    except aiosmtplib.SMTPAuthenticationError:
        return Finding(
            "mail",
            "failed",
            f"the SMTP server at {where} refused the log-in as {settings.smtp_user}; check "
            "TOWNSQUARE_SMTP_USER and TOWNSQUARE_SMTP_PASSWORD",
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        return Finding(
            "mail",
            "failed",
            f"cannot reach the SMTP server at {where}: {short(exc)}. Check TOWNSQUARE_SMTP_HOST, "
            "TOWNSQUARE_SMTP_PORT and TOWNSQUARE_SMTP_STARTTLS",
        )
    finally:
        smtp.close()
    return Finding("mail", "ok", f"SMTP server at {where} answers")


def check_storage(settings: Settings) -> Finding:
    folder = settings.data_dir
    if not folder.is_dir():
        return Finding(
            "storage",
            "failed",
            f"the data directory {folder} does not exist; run `townsquare init --data-dir {folder}`",
        )
    probe = folder / f".townsquare-check-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return Finding(
            "storage",
            "failed",
            f"cannot write in {folder} ({exc.strerror}); give the user running townsquare "
            "write access to it",
        )
    free = shutil.disk_usage(folder).free
    gb = f"{free / 1e9:.1f} GB free"
    if free < LOW_DISK:
        return Finding(
            "storage",
            "warning",
            f"only {gb} on the disk holding {folder}; the database, the queue and backups "
            "need room to grow: free some space",
        )
    return Finding("storage", "ok", f"{folder} is writable, {gb}")


def check_redis(settings: Settings) -> Finding:
    if not settings.redis_url:
        return Finding(
            "redis",
            "not configured",
            "rate limits count in each process and the queue is a SQLite file",
        )
    import redis

    shown = _hidden(settings.redis_url)
    try:
        client = redis.Redis.from_url(
            settings.redis_url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT
        )
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, ValueError) as exc:
        return Finding(
            "redis",
            "failed",
            f"cannot reach Redis at {shown}: {short(exc)}. Is it running, and is "
            "TOWNSQUARE_REDIS_URL right?",
        )
    return Finding("redis", "ok", f"{shown} answers")


def command(data_dir: Path) -> None:
    """Check the installation: configuration, database, queue, mail, storage, Redis."""
    try:
        settings = Settings(data_dir=data_dir)
    except ValidationError as exc:
        for error in exc.errors():
            name = "_".join(str(p) for p in error["loc"]).upper()
            typer.echo(f"configuration: failed: TOWNSQUARE_{name}: {error['msg']}")
        typer.echo("Fix the configuration first; nothing else was checked.")
        raise typer.Exit(1) from None
    findings = run(settings)
    for finding in findings:
        typer.echo(finding.line())
    failed = [f for f in findings if f.state == "failed"]
    if failed:
        typer.echo(f"{len(failed)} check(s) failed.")
        raise typer.Exit(1)
    typer.echo("Ready to serve.")
