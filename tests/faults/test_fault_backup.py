"""Backups taken while members write, restored into a fresh site: the same rows, and it serves.

On PostgreSQL (TOWNSQUARE_TEST_DATABASE_URL) the restore goes into a scratch database
this module creates and drops.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bench import verify
from tests.conftest import PG_URL
from townsquare.app import create_app
from townsquare.cli import cli
from townsquare.config import Settings
from townsquare.db.engine import make_engine, make_sessionmaker
from townsquare.db.models import Member
from townsquare.domain import comments
from townsquare.ops import backup as ops

Dump = dict[str, list[tuple[Any, ...]]]


def dump(query: ops.Query) -> Dump:
    """Every row of every table, in a stable order."""
    return {t: sorted(map(tuple, query(f'SELECT * FROM "{t}"')), key=repr) for t in ops.tables()}


def dump_site(settings: Settings) -> Dump:
    if settings.is_sqlite:
        conn = sqlite3.connect(settings.data_dir / ops.SQLITE_FILE)
        try:
            return dump(lambda sql: conn.execute(sql).fetchall())
        finally:
            conn.close()
    import psycopg

    url = make_url(settings.database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as conn:
        return dump(lambda sql: conn.execute(sql).fetchall())


class Writer(threading.Thread):
    """A member commenting as fast as the domain layer lets them, on a loop of its own."""

    def __init__(self, settings: Settings, member_id: int, discussion_id: int) -> None:
        super().__init__(daemon=True)
        self.settings, self.member_id, self.discussion_id = settings, member_id, discussion_id
        self.acked: list[int] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._write())
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc

    async def _write(self) -> None:
        engine = make_engine(self.settings)
        try:
            async with make_sessionmaker(engine, settings=self.settings)() as db:
                author = await db.get(Member, self.member_id)
                while not self.stop.is_set():
                    n = len(self.acked) + 1
                    c = await comments.add_comment(
                        db, author, self.discussion_id, body=f"Written under load, no. {n}"
                    )
                    self.acked.append(c.id)
        finally:
            await engine.dispose()

    def wait_for(self, n: int) -> None:
        while len(self.acked) < n and self.error is None and self.is_alive():
            self.stop.wait(0.01)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Settings]:
    """Settings for the site a backup is restored into: a new data directory, and on
    PostgreSQL a scratch database of its own."""
    data = tmp_path / "restored"
    if not PG_URL:
        yield Settings(data_dir=data, database_url="")
        return
    url = make_url(PG_URL)
    scratch = f"{url.database}_restore"
    admin = create_engine(
        url.set(drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    try:
        yield Settings(
            data_dir=data,
            database_url=url.set(database=scratch).render_as_string(hide_password=False),
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()


async def test_backup_under_write_load_restores_the_snapshot_row_for_row(
    settings, make, db, target, tmp_path
):
    """A backup taken while a member comments holds exactly the rows of one moment; restored
    into a fresh site, every table matches that moment, every counter its rows, and it serves."""
    author = await make.member("loud")
    group = await make.group(author)
    discussion = await make.discussion(group, author, title="Busy discussion")
    writer = Writer(settings, author.id, discussion.id)
    writer.start()
    snapshot: Dump = {}
    try:
        await asyncio.to_thread(writer.wait_for, 10)
        dest = tmp_path / "backup"
        outcome = await asyncio.to_thread(
            ops.backup, settings, dest, inside_snapshot=lambda q: snapshot.update(dump(q))
        )
        await asyncio.to_thread(writer.wait_for, len(writer.acked) + 10)
    finally:
        writer.stop.set()
        await asyncio.to_thread(writer.join, 30)
    assert writer.error is None, writer.error
    in_backup = len(snapshot["comment"])
    assert 10 <= in_backup < len(writer.acked), "the writer was not writing around the backup"
    assert outcome.rows["comment"] == in_backup
    assert (dest / ops.MANIFEST).is_file() and not Path(f"{dest}.partial").exists()

    restored = await asyncio.to_thread(ops.restore, target, dest)

    assert restored.rows == outcome.rows
    assert dump_site(target) == snapshot
    engine = create_engine(target.resolved_database_url.replace("+aiosqlite", ""))
    try:
        assert verify.problems(engine, verify.CHECKS) == []
    finally:
        engine.dispose()
    app = create_app(target)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://restored"
        ) as browser:
            page = await browser.get(f"/d/{discussion.id}")
    finally:
        await app.state.engine.dispose()
    assert page.status_code == 200
    assert "Busy discussion" in page.text and "Written under load, no. 1<" in page.text


def test_restore_refuses_a_site_that_is_there_unless_forced(tmp_path):
    """restore into a data directory that holds a site says so and changes nothing;
    --force replaces it; a folder that is not a backup is named as such."""
    runner = CliRunner()
    site, other = str(tmp_path / "site"), str(tmp_path / "other")
    assert runner.invoke(cli, ["init", "--data-dir", site]).exit_code == 0
    shutil.copytree(site, other)
    Path(f"{other}/secret_key").write_text("the other site's own key")
    sqlite3.connect(f"{site}/townsquare.db").execute("PRAGMA user_version=7").connection.commit()
    backup = str(tmp_path / "nightly")
    made = runner.invoke(cli, ["backup", backup, "--data-dir", site])
    assert made.exit_code == 0, made.output
    assert {p.name for p in Path(backup).iterdir()} >= {"manifest.json", "townsquare.db",
                                                         "secret_key"}  # fmt: skip

    refused = runner.invoke(cli, ["restore", backup, "--data-dir", other])
    assert refused.exit_code == 1
    assert "not empty" in refused.output and "--force" in refused.output
    assert sqlite3.connect(f"{other}/townsquare.db").execute("PRAGMA user_version").fetchone() == (
        0,
    )

    forced = runner.invoke(cli, ["restore", backup, "--data-dir", other, "--force"])
    assert forced.exit_code == 0, forced.output
    assert sqlite3.connect(f"{other}/townsquare.db").execute("PRAGMA user_version").fetchone() == (
        7,
    )
    assert Path(f"{other}/secret_key").read_text() == Path(f"{site}/secret_key").read_text()

    again = runner.invoke(cli, ["backup", backup, "--data-dir", site])
    assert again.exit_code == 1 and "already exists" in again.output
    stray = runner.invoke(cli, ["restore", str(tmp_path), "--data-dir", str(tmp_path / "x")])
    assert stray.exit_code == 1 and "not a townsquare backup" in stray.output


def test_postgres_backup_without_pg_dump_says_what_to_install(tmp_path, monkeypatch):
    """On PostgreSQL, a missing pg_dump is named with the package to install; nothing is left."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    settings = Settings(
        data_dir=tmp_path / "site", database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"
    )
    with pytest.raises(ops.BackupError, match="pg_dump is not on PATH.*postgresql-client"):
        ops.backup(settings, tmp_path / "b")
    assert not (tmp_path / "b").exists() and not (tmp_path / "b.partial").exists()
