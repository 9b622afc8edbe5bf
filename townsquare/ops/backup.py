"""Backups taken while the site serves, and restores into a fresh data directory or an
empty PostgreSQL database.

A backup is a folder:

- ``manifest.json``: the database kind, its migration revision, when, and the rows of
  every table, counted in the same snapshot the copy is taken from (a restore checks them);
- ``townsquare.db`` (SQLite: SQLite's online backup API, one step, inside one read
  transaction) or ``townsquare.pgdump`` (PostgreSQL: ``pg_dump --format=custom`` on an
  exported snapshot);
- ``queue.db``, the background queue when it lives in the data directory, so queued work
  (link fetches, emails) is not lost;
- ``secret_key`` and ``townsquare.toml`` when the data directory holds them: without the
  key, unsubscribe links in emails already sent stop working.

It is written as ``<dest>.partial`` and renamed when complete, so a folder named like the
backup is always a whole one. A destination ending in ``.db`` is the older single-file
form: the SQLite database alone.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from townsquare import __version__
from townsquare.config import CONFIG_FILE, SECRET_FILE, Settings
from townsquare.db import migrate

MANIFEST = "manifest.json"
SQLITE_FILE = "townsquare.db"
PG_FILE = "townsquare.pgdump"
QUEUE_FILE = "queue.db"
FORMAT = 1

# Runs one SQL statement in the snapshot being copied and returns its rows.
Query = Callable[[str], list[tuple[Any, ...]]]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class Outcome:
    """What a backup wrote or a restore brought back."""

    path: Path
    database: str  # "sqlite" or "postgresql"
    revision: str | None
    rows: dict[str, int]
    files: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def tables() -> list[str]:
    """Every table townsquare keeps, parents first, and Alembic's revision table."""
    from townsquare.db.models import Base

    return [t.name for t in Base.metadata.sorted_tables] + ["alembic_version"]


def count_rows(query: Query) -> dict[str, int]:
    return {name: int(query(f'SELECT count(*) FROM "{name}"')[0][0]) for name in tables()}


def _kind(settings: Settings) -> str:
    return "sqlite" if settings.is_sqlite else "postgresql"


# --- backup ---------------------------------------------------------------------------


def backup(
    settings: Settings, dest: Path, *, inside_snapshot: Callable[[Query], None] | None = None
) -> Outcome:
    """Copy the site's database (and the files it needs) to ``dest`` while it serves.

    ``inside_snapshot``, if given, is called with a query function that sees exactly the
    state being copied, as the manifest's row counts do.
    """
    if dest.exists():
        raise BackupError(f"{dest} already exists; give a new name for the backup.")
    if dest.suffix == ".db":
        return _single_file(settings, dest, inside_snapshot)
    partial = dest.with_name(dest.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)  # left by a backup that was interrupted
    partial.mkdir(parents=True)
    try:
        return _backup_into(settings, dest, partial, inside_snapshot)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _backup_into(
    settings: Settings, dest: Path, partial: Path, inside_snapshot: Callable[[Query], None] | None
) -> Outcome:
    try:
        if settings.is_sqlite:
            rows = _sqlite_copy(_sqlite_path(settings), partial / SQLITE_FILE, inside_snapshot)
            files = [SQLITE_FILE]
        else:
            rows = _pg_dump(settings, partial / PG_FILE, inside_snapshot)
            files = [PG_FILE]
        queue = settings.data_dir / QUEUE_FILE
        if not settings.redis_url and queue.exists():
            _sqlite_copy(queue, partial / QUEUE_FILE, None, count=False)
            files.append(QUEUE_FILE)
        for name in (SECRET_FILE, CONFIG_FILE):
            if (settings.data_dir / name).is_file():
                shutil.copy2(settings.data_dir / name, partial / name)
                files.append(name)
        revision = rows.pop("@revision", None)
        outcome = Outcome(dest, _kind(settings), revision, rows, files)  # type: ignore[arg-type]
        manifest = {
            "format": FORMAT,
            "townsquare": __version__,
            "database": outcome.database,
            "revision": revision,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "rows": rows,
            "files": files,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
        partial.rename(dest)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"The backup failed and was removed: {exc}.") from exc
    except Exception as exc:
        if type(exc).__module__.startswith("psycopg"):
            raise BackupError(f"The backup failed and was removed: {exc}".strip()) from exc
        raise
    if settings.secret_key and SECRET_FILE not in files:
        outcome.notes.append(
            "The secret key is set in the environment, not in the data directory: "
            "keep TOWNSQUARE_SECRET_KEY with this backup."
        )
    return outcome


def _single_file(
    settings: Settings, dest: Path, inside_snapshot: Callable[[Query], None] | None
) -> Outcome:
    if not settings.is_sqlite:
        raise BackupError(
            "This site runs on PostgreSQL: give a folder name (not one ending in .db) for "
            "a backup made with pg_dump."
        )
    rows = _sqlite_copy(_sqlite_path(settings), dest, inside_snapshot)
    revision = rows.pop("@revision", None)
    return Outcome(dest, "sqlite", revision, rows, [dest.name], notes=[
        "This is the database alone; a backup to a folder also keeps the secret key, "
        "the settings file and the queue."])  # fmt: skip


def _sqlite_path(settings: Settings) -> Path:
    path = settings.data_dir / SQLITE_FILE
    if not path.is_file():
        raise BackupError(f"There is no townsquare database at {path}; is --data-dir right?")
    return path


def _revision(query: Query) -> str | None:
    try:
        found = query("SELECT version_num FROM alembic_version")
    except (sqlite3.Error, OSError):
        return None
    return str(found[0][0]) if found else None


def _sqlite_copy(
    source: Path, target: Path, inside_snapshot: Callable[[Query], None] | None, count: bool = True
) -> dict[str, Any]:
    """One consistent copy: the counts and the pages come from one read transaction."""
    src = sqlite3.connect(source, isolation_level=None)
    try:
        src.execute("PRAGMA busy_timeout=10000")
        src.execute("BEGIN")  # the first read below fixes the snapshot until ROLLBACK

        def query(sql: str) -> list[tuple[Any, ...]]:
            return src.execute(sql).fetchall()

        rows: dict[str, Any] = {}
        if count:
            rows = count_rows(query)
            rows["@revision"] = _revision(query)
        else:
            query("SELECT count(*) FROM sqlite_master")
        if inside_snapshot is not None:
            inside_snapshot(query)
        dst = sqlite3.connect(target)
        try:
            # All pages in one step: the copy is the read transaction's snapshot, and
            # writers carry on meanwhile (WAL readers never block them).
            src.backup(dst)
        finally:
            dst.close()
        src.execute("ROLLBACK")
    finally:
        src.close()
    return rows


@dataclass(frozen=True)
class _Postgres:
    """How the command-line tools reach the site's PostgreSQL database."""

    uri: str  # libpq form, without the password
    env: dict[str, str]  # the password goes in PGPASSWORD, not on a command line

    @classmethod
    def of(cls, settings: Settings) -> _Postgres:
        url = make_url(settings.resolved_database_url)
        env = dict(os.environ)
        if url.password:
            env["PGPASSWORD"] = str(url.password)
        plain = url.set(drivername="postgresql", password=None)
        return cls(plain.render_as_string(hide_password=False), env)

    def tool(self, name: str) -> str:
        found = shutil.which(name)
        if found is None:
            raise BackupError(
                f"{name} is not on PATH. Install the PostgreSQL client tools (Debian: "
                f"apt-get install postgresql-client, the server's major version or newer) "
                f"and run this again."
            )
        return found

    def run(self, argv: list[str]) -> None:
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip()
            raise BackupError(f"{Path(argv[0]).name} failed: {said}")

    @contextmanager
    def connect(self, snapshot: bool = False) -> Iterator[Any]:
        import psycopg

        try:
            conn = psycopg.connect(self.uri, password=self.env.get("PGPASSWORD"))
        except psycopg.OperationalError as exc:
            raise BackupError(f"Cannot reach the database: {exc}".strip()) from None
        try:
            if snapshot:
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                conn.read_only = True
            yield conn
        finally:
            conn.close()


def _pg_dump(
    settings: Settings, target: Path, inside_snapshot: Callable[[Query], None] | None
) -> dict[str, Any]:
    pg = _Postgres.of(settings)
    pg_dump = pg.tool("pg_dump")
    with pg.connect(snapshot=True) as conn:

        def query(sql: str) -> list[tuple[Any, ...]]:
            return conn.execute(sql).fetchall()  # type: ignore[no-any-return]

        # pg_dump reads the very snapshot this transaction holds open, so its dump and
        # the counts below describe the same moment.
        snapshot = query("SELECT pg_export_snapshot()")[0][0]
        rows: dict[str, Any] = count_rows(query)
        rows["@revision"] = _revision(query)
        if inside_snapshot is not None:
            inside_snapshot(query)
        pg.run([pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-owner",
                "--no-privileges", "--file", str(target), "--dbname", pg.uri])  # fmt: skip
        conn.rollback()
    return rows


# --- restore --------------------------------------------------------------------------


def read_manifest(src: Path) -> dict[str, Any]:
    """The backup's manifest; a bare .db file (the single-file form) gets one made up."""
    if src.is_file():
        if not _is_sqlite_file(src):
            raise BackupError(f"{src} is not a townsquare backup (not a SQLite database).")
        return {"database": "sqlite", "files": [SQLITE_FILE], "rows": None, "revision": None,
                "single_file": True}  # fmt: skip
    if not src.is_dir():
        raise BackupError(f"There is no backup at {src}.")
    try:
        return json.loads((src / MANIFEST).read_text())  # type: ignore[no-any-return]
    except FileNotFoundError:
        raise BackupError(f"{src} is not a townsquare backup: it has no {MANIFEST}.") from None
    except ValueError:
        raise BackupError(f"{src}/{MANIFEST} is damaged; it is not JSON.") from None


def _is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def restore(settings: Settings, src: Path, *, force: bool = False) -> Outcome:
    """Bring the backup at ``src`` back into ``settings``' data directory and database,
    which must be empty unless ``force`` (then what is there is replaced)."""
    manifest = read_manifest(src)
    kind = _kind(settings)
    if manifest.get("database") != kind:
        raise BackupError(
            f"This backup is of a {manifest.get('database')} site, and the target is "
            f"{kind}; restore it into a site on {manifest.get('database')}."
        )
    data_dir = settings.data_dir
    files = [name for name in manifest["files"] if name not in (SQLITE_FILE, PG_FILE)]
    in_the_way = [str(data_dir / name) for name in files if (data_dir / name).exists()]
    if kind == "sqlite" and (data_dir / SQLITE_FILE).exists():
        in_the_way.insert(0, str(data_dir / SQLITE_FILE))
    pg = None if kind == "sqlite" else _Postgres.of(settings)
    if pg is not None and _pg_tables(pg):
        in_the_way.insert(0, f"the database {pg.uri}, which has tables")
    if in_the_way and not force:
        raise BackupError(
            f"The target is not empty: there is {' and '.join(in_the_way)} already. Nothing "
            f"was changed. Restore into a new data directory (and an empty database), or "
            f"add --force to replace what is there."
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    database_file = src if manifest.get("single_file") else src / SQLITE_FILE
    if kind == "sqlite":
        _sqlite_restore(database_file, data_dir / SQLITE_FILE)
        check = _sqlite_counts(data_dir / SQLITE_FILE)
    else:
        assert pg is not None
        _pg_restore(pg, src / PG_FILE, wipe=bool(in_the_way))
        with pg.connect() as conn:
            check = count_rows(lambda sql: conn.execute(sql).fetchall())
    if QUEUE_FILE in files:
        _sqlite_restore(src / QUEUE_FILE, data_dir / QUEUE_FILE)
    for name in (SECRET_FILE, CONFIG_FILE):
        if name in files:
            shutil.copy2(src / name, data_dir / name)
    if (data_dir / SECRET_FILE).exists():
        (data_dir / SECRET_FILE).chmod(0o600)
    outcome = Outcome(data_dir, kind, manifest.get("revision"), check, manifest["files"])
    expected = manifest.get("rows")
    if expected is not None:
        differ = [f"{t}: {check.get(t)} rows, the backup recorded {n}"
                  for t, n in expected.items() if check.get(t) != n]  # fmt: skip
        if differ:
            raise BackupError("The restored database does not match the backup's record: "
                              + "; ".join(differ) + ". Do not serve it; try the restore "
                              "again, or an older backup.")  # fmt: skip
    head = migrate.head_revision(settings)
    if outcome.revision and outcome.revision != head:
        outcome.notes.append(
            f"The backup is at migration {outcome.revision}, this townsquare at {head}: run "
            f"townsquare migrate --data-dir {data_dir} before serving."
        )
    if manifest.get("single_file"):
        outcome.notes.append("A single-file backup has no secret key: a new one is made, so "
                             "unsubscribe links in emails already sent stop working.")  # fmt: skip
    return outcome


def _sqlite_restore(source: Path, target: Path) -> None:
    """Copy a SQLite file into place through the backup API, checked before it is used."""
    for suffix in ("", "-wal", "-shm", ".restoring"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    staging = Path(f"{target}.restoring")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(staging)
        try:
            src.backup(dst)
            verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if verdict != "ok":
        staging.unlink(missing_ok=True)
        raise BackupError(f"{source} is damaged ({verdict}); use another backup.")
    os.replace(staging, target)


def _sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return count_rows(lambda sql: conn.execute(sql).fetchall())
    finally:
        conn.close()


def _pg_tables(pg: _Postgres) -> int:
    with pg.connect() as conn:
        found = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchone()
        return int(found[0]) if found else 0


def _pg_restore(pg: _Postgres, dump: Path, *, wipe: bool) -> None:
    pg_restore = pg.tool("pg_restore")
    if wipe:
        with pg.connect() as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
            conn.commit()
    pg.run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error",
            "--single-transaction", "--dbname", pg.uri, str(dump)])  # fmt: skip
