"""`townsquare check`: one plain line per part, exit 1 when anything failed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import redis
from typer.testing import CliRunner

from tests.conftest import SECRET
from tests.mailbox import free_port
from tests.mailbox import start as start_smtp
from townsquare.cli import cli
from townsquare.config import Settings
from townsquare.ops import check

runner = CliRunner()
REDIS_URL = "redis://127.0.0.1:6379/13"  # this module's own Redis database


def states(settings: Settings) -> dict[str, str]:
    return {f.part: f.state for f in check.run(settings)}


def by_part(settings: Settings) -> dict[str, check.Finding]:
    return {f.part: f for f in check.run(settings)}


def invoke(settings: Settings, **env: str):  # type: ignore[no-untyped-def]
    env = {"TOWNSQUARE_SECRET_KEY": settings.secret_key,
           "TOWNSQUARE_DATABASE_URL": settings.database_url, **env}  # fmt: skip
    return runner.invoke(cli, ["check", "--data-dir", str(settings.data_dir)], env=env)


def database_at(folder: Path, revision: str | None) -> Settings:
    """A SQLite data directory whose database says it is at `revision` (None: no tables)."""
    folder.mkdir()
    conn = sqlite3.connect(folder / "townsquare.db")
    if revision is not None:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    conn.commit()
    conn.close()
    return Settings(data_dir=folder, database_url="", secret_key=SECRET)


def redis_or_skip() -> None:
    try:
        redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")


def test_a_good_setup_passes_every_check_and_exits_0(settings):
    """Migrated database, secret, writable data directory: each line ok, exit 0."""
    result = invoke(settings)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines[:6]] == [
        "configuration", "database", "queue", "mail", "storage", "redis",
    ]  # fmt: skip
    assert lines[0] == "configuration: ok"
    assert lines[1].startswith("database: ok (") and "the newest" in lines[1]
    assert lines[3].startswith("mail: not configured: mail goes to files in ")
    assert str(settings.data_dir / "mail") in lines[3]
    assert lines[5].startswith("redis: not configured")
    assert lines[-1] == "Ready to serve."


def test_a_good_setup_with_smtp_and_redis_reaches_both(settings):
    """A real SMTP server answers EHLO and Redis answers PING: mail, queue and redis ok."""
    redis_or_skip()
    controller, box = start_smtp(settings)
    try:
        settings.redis_url = REDIS_URL
        settings.site_url = "https://town.example.org"
        found = by_part(settings)
    finally:
        controller.stop()
    assert {p: f.state for p, f in found.items()} == {
        "configuration": "ok", "database": "ok", "queue": "ok", "mail": "ok",
        "storage": "ok", "redis": "ok",
    }, found  # fmt: skip
    assert f"127.0.0.1:{controller.port}" in found["mail"].message
    assert box.messages == []  # connect and EHLO only: nothing was sent


def test_an_unmigrated_database_fails_with_the_command_to_run(tmp_path):
    """A database at an older migration: 'database: failed', names townsquare migrate, exit 1."""
    settings = database_at(tmp_path / "old", "0006")
    found = by_part(settings)["database"]
    assert found.state == "failed"
    assert "at migration 0006" in found.message and "townsquare migrate --data-dir" in found.message
    result = invoke(settings)
    assert result.exit_code == 1
    assert "database: failed:" in result.output and "1 check(s) failed." in result.output


def test_an_empty_or_missing_or_newer_database_says_which(tmp_path):
    """No file: run init; no tables: run init; an unknown revision: a newer version made it."""
    missing = Settings(data_dir=tmp_path / "none", database_url="", secret_key=SECRET)
    assert "townsquare init" in by_part(missing)["database"].message
    empty = database_at(tmp_path / "empty", None)
    assert "no townsquare tables" in by_part(empty)["database"].message
    newer = database_at(tmp_path / "newer", "9999")
    assert "does not know" in by_part(newer)["database"].message


def test_an_unreachable_database_server_fails_with_where(settings):
    """A PostgreSQL URL nobody listens on: the database line names it, without the password."""
    settings.database_url = f"postgresql+psycopg://someone:hunter2@127.0.0.1:{free_port()}/town"
    found = by_part(settings)["database"]
    assert found.state == "failed" and "cannot open" in found.message
    assert "hunter2" not in found.message and "127.0.0.1" in found.message


def test_an_unreachable_smtp_port_fails_the_mail_check(settings):
    """SMTP configured on a port nobody listens on: mail failed with the settings to check."""
    settings.smtp_host, settings.smtp_port = "127.0.0.1", free_port()
    settings.smtp_starttls = False
    found = by_part(settings)
    assert found["mail"].state == "failed"
    assert f"127.0.0.1:{settings.smtp_port}" in found["mail"].message
    assert "TOWNSQUARE_SMTP_PORT" in found["mail"].message
    result = invoke(settings, TOWNSQUARE_SMTP_HOST="127.0.0.1",
                    TOWNSQUARE_SMTP_PORT=str(settings.smtp_port))  # fmt: skip
    assert result.exit_code == 1 and "mail: failed:" in result.output


def test_an_unreachable_redis_fails_the_redis_and_queue_checks(settings):
    """TOWNSQUARE_REDIS_URL at a closed port: both Redis and the queue (which lives there) fail."""
    settings.redis_url = f"redis://127.0.0.1:{free_port()}/0"
    found = states(settings)
    assert found["redis"] == "failed" and found["queue"] == "failed"
    result = invoke(settings, TOWNSQUARE_REDIS_URL=settings.redis_url)
    assert result.exit_code == 1
    assert "redis: failed: cannot reach Redis at" in result.output


def test_bad_configuration_is_reported_before_anything_else(settings):
    """A setting out of range: named as its variable, exit 1, nothing else checked."""
    result = invoke(settings, TOWNSQUARE_COMMENTS_PER_PAGE="1")
    assert result.exit_code == 1
    assert result.output.startswith("configuration: failed: TOWNSQUARE_COMMENTS_PER_PAGE:")
    assert "database:" not in result.output


def test_a_missing_secret_and_missing_data_directory_fail(tmp_path):
    """Nothing initialised: the secret, the database and the storage all say to run init."""
    settings = Settings(data_dir=tmp_path / "nowhere", database_url="")
    found = by_part(settings)
    assert found["configuration"].state == "failed" and "secret" in found["configuration"].message
    assert found["storage"].state == "failed" and "townsquare init" in found["storage"].message
    assert not (tmp_path / "nowhere").exists()  # checking created nothing


def test_open_metrics_are_a_warning_not_a_failure(settings):
    """metrics on without a token: a warning line; the check still passes."""
    settings.metrics = "on"
    found = by_part(settings)["configuration"]
    assert found.state == "warning" and "TOWNSQUARE_METRICS_TOKEN" in found.message
    settings.metrics_token = "s3cret"
    assert by_part(settings)["configuration"].state == "ok"
