"""Moving a site from its SQLite file to PostgreSQL: ``townsquare migrate-db``.

The whole move is one PostgreSQL transaction: Alembic brings the empty target to the
newest revision, every table of the models is copied in dependency order in batches, the
id sequences move past the copied ids and the row counts are compared — and only then
does it commit. A failure or a mismatch leaves the target as empty as it was, so the
admin can fix the cause and run the command again. The SQLite file is only read, inside
one read transaction, so the copy is a consistent snapshot even if the site kept running.

The search index is not copied: SQLite's FTS5 tables (``search_…``) have no meaning on
PostgreSQL, whose migration builds its own index as the rows arrive; the search domain's
``reindex`` then runs on the target like ``townsquare search reindex`` would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from alembic import command
from sqlalchemy import Connection, Engine, create_engine, event, func, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from townsquare.config import Settings, normalize_database_url
from townsquare.db import migrate as migrations
from townsquare.db.models import Base

BATCH = 2000  # rows per INSERT: big enough to be fast, small enough for any row size


class MoveRefused(Exception):
    """Why the move did not happen (or was rolled back), in words for the admin."""


@dataclass(frozen=True)
class Count:
    table: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


@dataclass
class Moved:
    """What a move did: the row counts on both sides, and what it left out and why."""

    url: str  # the target, password hidden
    counts: list[Count] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # SQLite tables townsquare does not own
    search: str = ""

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.counts)


def postgres_url(url: str) -> str:
    """The target as townsquare will use it (psycopg 3), or MoveRefused for anything else."""
    normalized = normalize_database_url(url.strip())
    try:
        parsed = make_url(normalized)
    except ArgumentError:
        raise MoveRefused(
            f"{url!r} is not a database URL; give postgresql://user@host/dbname."
        ) from None
    if parsed.get_backend_name() != "postgresql" or parsed.get_driver_name() != "psycopg":
        raise MoveRefused(
            f"The target must be PostgreSQL (postgresql://user@host/dbname), not {parsed.drivername}."
        )
    if not parsed.database:
        raise MoveRefused("Name the target database: postgresql://user@host/dbname.")
    return normalized


def hidden(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def move(
    source: Settings, to: str, *, batch: int = BATCH, echo: Callable[[str], None] = print
) -> Moved:
    """Copy the SQLite site of ``source`` into the empty PostgreSQL database ``to``."""
    url = postgres_url(to)
    _check_source(source)
    moved = Moved(url=hidden(url))
    target = create_engine(url, connect_args={"connect_timeout": 10})
    reader = _sqlite_reader(source)
    try:
        with _connect(target, moved.url) as pg, reader.connect() as lite, lite.begin():
            _check_empty(pg, moved.url)
            moved.foreign = _foreign_tables(lite)
            trans = pg.begin()
            echo(f"Creating the schema in {moved.url}…")
            cfg = migrations.alembic_config(Settings(data_dir=source.data_dir, database_url=url))
            # env.py migrates on this connection, inside this transaction.
            cfg.attributes["connection"] = pg
            command.upgrade(cfg, "head")
            for table in Base.metadata.sorted_tables:
                copied = _copy_table(lite, pg, table, batch)
                echo(f"  {table.name}: {copied:,} rows")
            _reset_sequences(pg)
            moved.counts = [
                Count(t.name, _count(lite, t), _count(pg, t)) for t in Base.metadata.sorted_tables
            ]
            if not moved.ok:
                trans.rollback()
                return moved
            pg.exec_driver_sql("ANALYZE")  # the planner's statistics, for the copied rows
            trans.commit()
    except DBAPIError as exc:  # the schema, a sequence, the commit: the table copy says more
        raise MoveRefused(
            f"PostgreSQL refused the move: {_reason(exc)}\n"
            "Nothing was kept in the target; the SQLite site is unchanged."
        ) from None
    finally:
        reader.dispose()
        target.dispose()
    moved.search = asyncio.run(reindex_site(Settings(data_dir=source.data_dir, database_url=url)))
    return moved


def _check_source(source: Settings) -> None:
    if not source.is_sqlite:
        raise MoveRefused(
            f"This site already uses {hidden(source.resolved_database_url)} "
            "(TOWNSQUARE_DATABASE_URL); migrate-db reads a SQLite site. Unset it for this command."
        )
    current = migrations.current_revision(source)
    if current is None:
        raise MoveRefused(f"There is no townsquare database in {source.data_dir}.")
    if current != migrations.head_revision(source):
        raise MoveRefused(
            f"The SQLite database is at revision {current}, behind this version of townsquare.\n"
            f"Run: townsquare migrate --data-dir {source.data_dir}   then migrate-db again."
        )


def _sqlite_reader(source: Settings) -> Engine:
    """A plain SQLite engine whose transactions start at BEGIN, so every read in one
    transaction sees the same snapshot (WAL lets the site go on writing meanwhile)."""
    engine = create_engine(f"sqlite:///{source.data_dir / 'townsquare.db'}")

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _reason(exc: DBAPIError) -> str:
    """The driver's own first line: what the admin can act on, without our traceback."""
    return (str(exc.orig) if exc.orig else str(exc)).strip().splitlines()[0]


def _connect(target: Engine, shown: str) -> Connection:
    try:
        return target.connect()
    except DBAPIError as exc:
        raise MoveRefused(f"Cannot connect to {shown}: {_reason(exc)}") from None


def _check_empty(pg: Connection, shown: str) -> None:
    """Refuse a database that holds anything: the move never overwrites or merges."""
    found = inspect(pg)
    names = sorted({*found.get_table_names(), *found.get_view_names()})
    if names:
        listed = ", ".join(names[:8]) + (" …" if len(names) > 8 else "")
        raise MoveRefused(
            f"The target database {shown} is not empty (it has {len(names)} table(s): {listed}).\n"
            "migrate-db only fills a new, empty database: create one (createdb) and name it."
        )
    pg.rollback()  # the inspection's implicit transaction; the move opens its own


def _foreign_tables(lite: Connection) -> list[str]:
    """Tables in the SQLite file that are neither townsquare's nor its search index."""
    ours = set(Base.metadata.tables) | {"alembic_version"}
    return sorted(
        name
        for name in inspect(lite).get_table_names()
        if name not in ours and not name.startswith(("search_", "sqlite_"))
    )


def _copy_table(lite: Connection, pg: Connection, table, batch: int) -> int:  # type: ignore[no-untyped-def]
    # Generated columns (the Top tab's score) are the database's to fill. Primary-key order
    # puts a parent comment before its replies: a row's id is always above its parent's.
    columns = [c for c in table.columns if c.computed is None]
    rows = lite.execution_options(yield_per=batch).execute(
        select(*columns).order_by(*table.primary_key.columns)
    )
    copied = 0
    for part in rows.partitions():
        values = [dict(row._mapping) for row in part]
        try:
            pg.execute(insert(table), values)
        except DBAPIError as exc:
            raise MoveRefused(
                f"Copying {table.name} failed after {copied:,} rows: {_reason(exc)}\n"
                "Nothing was written to the target; fix the row in SQLite and run migrate-db again."
            ) from None
        copied += len(values)
    return copied


def _reset_sequences(pg: Connection) -> None:
    """Copied ids leave each table's id sequence behind; the next id is max(id) + 1."""
    quote = pg.dialect.identifier_preparer
    for table in Base.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        name, col = quote.format_table(table), quote.quote(column.name)
        pg.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"coalesce((SELECT max({col}) FROM {name}), 0) + 1, false)"
            ),
            {"table": name, "column": column.name},
        )


def _count(conn: Connection, table) -> int:  # type: ignore[no-untyped-def]
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


async def reindex_site(settings: Settings) -> str:
    """Rebuild the site's search index (``townsquare search reindex``, and after a move)."""
    from townsquare.db.engine import make_engine, make_sessionmaker
    from townsquare.domain import search

    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine, settings=settings)() as db:
            return await search.reindex(db)
    finally:
        await engine.dispose()


def run(source: Settings, to: str, echo: Callable[[str], None] = print) -> int:
    """The command: move, print the counts and what to do next; the exit status."""
    echo(
        f"Moving {source.data_dir / 'townsquare.db'} to PostgreSQL. Stop the site first: "
        "anything written after the copy starts stays in SQLite only."
    )
    try:
        moved = move(source, to, echo=echo)
    except MoveRefused as exc:
        echo(str(exc))
        return 1
    width = max(len(c.table) for c in moved.counts)
    echo(f"\n{'table':<{width}}  {'SQLite':>10}  {'PostgreSQL':>10}")
    for c in moved.counts:
        mark = "" if c.ok else "  MISMATCH"
        echo(f"{c.table:<{width}}  {c.source:>10,}  {c.target:>10,}{mark}")
    for name in moved.foreign:
        echo(f"Not copied: table {name} is not townsquare's.")
    if not moved.ok:
        echo(
            "\nThe counts differ, so nothing was kept: the target is empty again. "
            "The SQLite site is unchanged."
        )
        return 1
    echo(f"\nSearch: {moved.search}")
    echo(
        "\nEvery row is in PostgreSQL. Next, for every townsquare process (serve, worker, cron):\n"
        f"  TOWNSQUARE_DATABASE_URL={moved.url}\n"
        "(with the real password if it has one), then restart. The SQLite file is untouched;\n"
        "keep it as a backup. The secret key stays in the data directory (or set\n"
        "TOWNSQUARE_SECRET_KEY to it on every machine)."
    )
    return 0
