"""Every setting townsquare reads, in one place.

Each field is read from a ``TOWNSQUARE_<NAME>`` environment variable, then from
``townsquare.toml`` in the data directory, then falls back to the default here.
docs/configuration.md lists them; keep the two in step.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

SECRET_FILE = "secret_key"
CONFIG_FILE = "townsquare.toml"


class Settings(BaseSettings):
    """One object for everything configurable; passed around, never imported as a global."""

    model_config = SettingsConfigDict(env_prefix="TOWNSQUARE_", extra="ignore")

    data_dir: Path = Field(
        default=Path("townsquare-data"),
        description="Folder for the SQLite database, the secret key and uploaded files.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means the SQLite file townsquare.db in the data directory.",
    )
    secret_key: str = Field(
        default="",
        description="Signs CSRF tokens; empty means the key init wrote to <data_dir>/secret_key.",
    )
    site_name: str = Field(default="townsquare", description="Shown in the header and titles.")
    comments_per_page: int = Field(
        default=50,
        ge=5,
        le=500,
        description="Comments (with their replies) on one discussion page.",
    )
    discussions_per_page: int = Field(
        default=25, ge=5, le=200, description="Discussions on one page of a group or the home feed."
    )
    session_days: int = Field(default=30, ge=1, description="How long a log-in lasts.")
    trust_proxy_headers: bool = Field(
        default=False,
        description="Believe X-Forwarded-Proto/For from a reverse proxy (set it behind one).",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="The proxies believed when trust_proxy_headers is on: addresses or networks, "
        "comma-separated (a load balancer on another machine must be listed), or *.",
    )
    log_format: Literal["auto", "json", "plain"] = Field(
        default="auto",
        description="Log lines as JSON objects or plain text; auto: plain at a terminal, JSON otherwise.",
    )
    metrics: Literal["off", "on"] = Field(
        default="off", description="Serve Prometheus metrics at /metrics."
    )
    metrics_token: str = Field(
        default="",
        description="When set, /metrics answers only requests with Authorization: Bearer <token>.",
    )
    signup_rate: str = Field(default="5/hour", description="Sign-ups allowed per client address.")
    login_rate: str = Field(
        default="10/minute", description="Log-in attempts per client address, and per account."
    )
    post_rate: str = Field(
        default="30/minute", description="Discussions and comments a member may post."
    )
    search_rate: str = Field(
        default="60/minute",
        description="Searches per member, or per client address for visitors: each reads the index for every hit of its words.",
    )
    reset_rate: str = Field(
        default="5/hour",
        description="Password reset emails asked for, per client address and per email address.",
    )
    site_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The public address of this site, for links in emails and the fetcher's User-Agent.",
    )
    fetch_connect_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to wait for a shared link's server to accept."
    )
    fetch_total_timeout: float = Field(
        default=15.0, gt=0, description="Seconds a whole fetch of a shared link may take."
    )
    fetch_max_bytes: int = Field(
        default=5_000_000, gt=0, description="Largest page body read when fetching a shared link."
    )
    fetch_max_redirects: int = Field(default=5, ge=0, description="Redirects followed per fetch.")
    fetch_allow_loopback: bool = Field(
        default=False,
        description="Let the fetcher reach 127.0.0.1/::1. Tests and local development only.",
    )
    review_below_level: int = Field(
        default=2,
        ge=1,
        le=11,
        description="Posts by members below this level wait for review (1: nobody waits).",
    )
    group_create_level: int = Field(
        default=4, ge=1, le=10, description="Level a member needs to create a group."
    )
    points_discussion: int = Field(
        default=10, ge=0, description="Points for starting a discussion."
    )
    points_comment: int = Field(default=5, ge=0, description="Points for a comment or reply.")
    points_got_comment: int = Field(
        default=5, ge=0, description="Points when someone else comments on or replies to yours."
    )
    points_got_comment_cap: int = Field(
        default=3000, ge=0, description="Most points a member can ever earn from others' comments."
    )
    points_like_given: int = Field(default=2, ge=0, description="Points for liking something.")
    points_like_given_cap: int = Field(
        default=10_000, ge=0, description="Most points a member can ever earn by liking."
    )
    points_like_received: int = Field(default=2, ge=0, description="Points for each like received.")
    level_thresholds: list[int] = Field(
        default=[50, 200, 500, 1500, 4000, 10_000, 50_000, 200_000, 1_000_000],
        description="Points needed for levels 2, 3, … 10: nine rising numbers (JSON list in the environment).",
    )
    smtp_host: str = Field(
        default="", description="SMTP server for outgoing email; empty: write emails to files."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="The SMTP server's port.")
    smtp_user: str = Field(default="", description="SMTP log-in name; empty: no log-in.")
    smtp_password: str = Field(default="", description="SMTP password.")
    smtp_starttls: bool = Field(
        default=True, description="Upgrade the SMTP connection with STARTTLS before sending."
    )
    mail_from: str = Field(
        default="townsquare <noreply@localhost>", description="The From address of every email."
    )
    mail_to_files: bool | None = Field(
        default=None,
        description="Write each email as a .eml file under <data_dir>/mail/ instead of sending; "
        "empty: true exactly when smtp_host is empty.",
    )
    mail_delay: int = Field(
        default=60,
        ge=0,
        description="Seconds a notification waits before its email, so one read in the app is not sent.",
    )
    password_reset_minutes: int = Field(
        default=60, ge=5, description="How long a password reset link works."
    )
    redis_url: str = Field(
        default="",
        description="Redis URL for shared rate limits across workers; empty: in-process.",
    )

    shared_live: bool = Field(
        default=False,
        description="Live events through a file in the data directory, so several workers "
        "on one machine reach each other's pages without Redis (serve --workers N sets it).",
    )

    page_cache_mb: int = Field(
        default=16,
        ge=0,
        description="Memory per worker for what is kept rendered: half for visitors' pages, half for comment threads and what is kept for members (pages, sessions); 0 turns the caches off.",
    )
    page_cache_seconds: int = Field(
        default=60,
        ge=1,
        description="Longest a kept page is served; writes replace it at once, this bounds what changes with the clock alone.",
    )
    page_cache_verify: bool = Field(
        default=False,
        description="Render every cached page again and fail loudly if it differs (for tests; slow).",
    )

    @field_validator("database_url")
    @classmethod
    def _driver(cls, value: str) -> str:
        return normalize_database_url(value)

    @field_validator("level_thresholds")
    @classmethod
    def _rising(cls, value: list[int]) -> list[int]:
        if len(value) != 9 or any(b <= a for a, b in zip(value, value[1:], strict=False)):
            raise ValueError("give nine rising numbers: the points for levels 2 to 10")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        data_dir = _data_dir_hint(init_settings, env_settings)
        toml = data_dir / CONFIG_FILE
        if toml.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'townsquare.db'}"

    @property
    def writes_mail_to_files(self) -> bool:
        return self.mail_to_files if self.mail_to_files is not None else not self.smtp_host

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    def resolved_secret(self) -> str:
        """The signing key: the setting, else the key file init wrote (created if missing)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / SECRET_FILE
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # Workers starting together may all find no key: each writes its own to a file
            # of its own and links it into place, so exactly one wins, whole, and all read it.
            draft = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
            draft.write_text(secrets.token_urlsafe(48))
            draft.chmod(0o600)
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
            draft.unlink()
        return path.read_text().strip()


def normalize_database_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` (what hosting providers hand out) name psycopg 3,
    the PostgreSQL driver townsquare ships; SQLAlchemy alone would look for psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _data_dir_hint(*sources: PydanticBaseSettingsSource) -> Path:
    for source in sources:
        value = source().get("data_dir")
        if value:
            return Path(value)
    return Path("townsquare-data")
