"""The ``townsquare`` command: init, serve, demo, createadmin, migrate, backup, restore."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from townsquare.config import SECRET_FILE, Settings
from townsquare.db import migrate as migrations
from townsquare.ops import check as ops_check

cli = typer.Typer(no_args_is_help=True, add_completion=False, help="Run a townsquare community.")

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        envvar="TOWNSQUARE_DATA_DIR",
        help="Folder for the database and secret key.",
        show_default=True,
    ),
]
Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(help="Port to listen on.")]


def settings_for(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir)


@cli.command()
def init(data_dir: DataDir = Path("townsquare-data")) -> None:
    """Create (or bring up to date) a data directory: database, migrations, secret key."""
    settings = settings_for(data_dir)
    migrations.upgrade(settings)
    settings.resolved_secret()
    typer.echo(f"Ready: {data_dir} (database at revision {migrations.head_revision(settings)}).")


@cli.command(name="migrate")
def migrate_cmd(data_dir: DataDir = Path("townsquare-data")) -> None:
    """Apply any pending database migrations."""
    settings = settings_for(data_dir)
    migrations.upgrade(settings)
    typer.echo(f"Database at revision {migrations.current_revision(settings)}.")


def _ensure_migrated(settings: Settings, apply: bool) -> None:
    if migrations.is_current(settings):
        return
    if apply:
        migrations.upgrade(settings)
        return
    current = migrations.current_revision(settings)
    state = "has no townsquare database yet" if current is None else "needs migrating"
    typer.echo(
        f"The database for {settings.data_dir} {state}.\n"
        f"Run: townsquare init --data-dir {settings.data_dir}   (or serve with --migrate)",
        err=True,
    )
    raise typer.Exit(1)


def _serve(settings: Settings, host: str, port: int, workers: int, queue: bool = True) -> None:
    from townsquare.ops.metrics import prepare_processes, watch_jobs

    prepare_processes(settings)  # before anything imports prometheus_client

    import uvicorn

    from townsquare.jobs.queue import Jobs, start_in_process
    from townsquare.ops.logs import log_config

    # One command runs a whole small site: the queue's workers are threads of this process
    # (the web workers are separate processes). Larger sites run `townsquare worker` instead.
    consumer = None
    if queue:
        jobs = Jobs(settings)
        watch_jobs(jobs)
        consumer = start_in_process(jobs)

    # Worker processes build their own app from these (see townsquare.cli:app_factory).
    # The secret key is made now, if it must be, so every worker reads the same one.
    settings.resolved_secret()
    os.environ.update(worker_environment(settings, workers))
    # glibc gives each thread that allocates its own arena; a worker's database threads
    # then hold memory they no longer use. Two arenas keep a worker about 10 MB smaller.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    uvicorn.run(
        "townsquare.cli:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=settings.trust_proxy_headers,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        access_log=False,  # townsquare.access logs each request once, with more in it
        log_config=log_config(settings),
        log_level="warning" if workers > 1 else "info",
    )
    if consumer is not None:
        consumer.stop(graceful=True)


def worker_environment(settings: Settings, workers: int) -> dict[str, str]:
    """What `serve` adds to the environment its workers read their settings from."""
    env = {"TOWNSQUARE_DATA_DIR": str(settings.data_dir.resolve())}
    if settings.database_url:
        env["TOWNSQUARE_DATABASE_URL"] = settings.database_url
    if workers > 1 and not settings.redis_url:
        # Without Redis the workers' live events meet in a file in the data directory.
        env["TOWNSQUARE_SHARED_LIVE"] = "true"
    return env


def app_factory():  # type: ignore[no-untyped-def]
    """Uvicorn's entry point in each worker: settings from the environment, read now."""
    from townsquare.app import create_app

    return create_app(Settings(), worker=True)


@cli.command()
def serve(
    data_dir: DataDir = Path("townsquare-data"),
    host: Host = "127.0.0.1",
    port: Port = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    migrate: Annotated[
        bool, typer.Option("--migrate", help="Apply pending migrations first.")
    ] = False,
    queue: Annotated[
        bool, typer.Option("--queue/--no-queue", help="Run background jobs in this process too.")
    ] = True,
) -> None:
    """Serve the community."""
    settings = settings_for(data_dir)
    _ensure_migrated(settings, migrate)
    if not settings.is_sqlite and not settings.secret_key:
        # A second machine would make a key of its own, and forms from one would fail on the other.
        typer.echo(
            f"Note: the secret key is the file {data_dir / SECRET_FILE} on this machine. "
            "Every app machine must use the same key: set TOWNSQUARE_SECRET_KEY on each.",
            err=True,
        )
    typer.echo(f"townsquare on http://{host}:{port}/  (data: {data_dir})")
    _serve(settings, host, port, workers, queue)


@cli.command()
def worker(
    data_dir: DataDir = Path("townsquare-data"),
    threads: Annotated[int, typer.Option(help="Jobs run at once.")] = 2,
) -> None:
    """Run background jobs (fetching shared links) for servers started with --no-queue."""
    import logging.config

    from townsquare.ops.metrics import prepare_processes, watch_jobs

    settings = settings_for(data_dir)
    prepare_processes(settings)  # its job failures join serve's metrics on this machine

    from townsquare.jobs.queue import Jobs
    from townsquare.ops.logs import log_config

    _ensure_migrated(settings, apply=False)
    logging.config.dictConfig(log_config(settings))
    typer.echo(f"townsquare worker: {threads} threads, data {data_dir}")
    jobs = Jobs(settings)
    watch_jobs(jobs)
    jobs.consumer(threads).run()


@cli.command()
def preview(
    url_or_file: Annotated[str, typer.Argument(help="An http(s) address, or a saved HTML file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the card as JSON.")] = False,
    url: Annotated[
        str | None, typer.Option(help="The address a saved file came from (for its links).")
    ] = None,
    data_dir: DataDir = Path("townsquare-data"),
) -> None:
    """Fetch a page (safely, as the site would) and print the article card it gives."""
    import json

    from townsquare.links.errors import LinkError
    from townsquare.links.fetch import FetchLimits
    from townsquare.links.preview import card_json
    from townsquare.links.preview import preview as make_card

    settings = settings_for(data_dir)
    try:
        card = asyncio.run(make_card(url_or_file, FetchLimits.from_settings(settings), url=url))
    except LinkError as exc:
        typer.echo(f"No card: {exc.reason}.", err=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        typer.echo(f"Cannot read {url_or_file}: {exc.strerror}.", err=True)
        raise typer.Exit(2) from None
    values = card_json(card)
    if as_json:
        typer.echo(json.dumps(values, ensure_ascii=False, indent=2))
        return
    for key, value in values.items():
        if key != "text" and value:
            typer.echo(f"{key:>13}: {value}")
    typer.echo(f"{'text':>13}: {len(card.text):,} characters in {len(card.blocks)} blocks")


@cli.command()
def demo(
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Keep the demo here; default: a throw-away folder."),
    ] = None,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    seed_only: Annotated[bool, typer.Option("--seed-only", help="Seed, then exit.")] = False,
) -> None:
    """Seed a community with demo members, groups and discussions, and serve it."""
    from townsquare import demo as demo_content

    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="townsquare-demo-"))
    settings = settings_for(data_dir)
    migrations.upgrade(settings)
    seeded = asyncio.run(demo_content.seed(settings))
    if seeded:
        typer.echo(f"Seeded the demo community in {data_dir}.")
    typer.echo(
        f"\n  Open http://{host}:{port}/\n"
        f"  Log in as {demo_content.DEMO_LOGIN} with password {demo_content.DEMO_PASSWORD}\n"
    )
    if not seed_only:
        _serve(settings, host, port, 1)


@cli.command()
def createadmin(
    name: Annotated[str, typer.Option(prompt=True, help="Member name (log-in).")],
    email: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    data_dir: DataDir = Path("townsquare-data"),
) -> None:
    """Create a site admin (or make an existing member with that name one)."""
    from townsquare.domain import accounts
    from townsquare.domain.errors import Invalid, NotFound

    settings = settings_for(data_dir)
    _ensure_migrated(settings, apply=False)

    async def run() -> str:
        from townsquare.db.engine import make_engine, make_sessionmaker

        engine = make_engine(settings)
        try:
            # With the settings, so the change reaches a running site's kept pages at once.
            async with make_sessionmaker(engine, settings=settings)() as db:
                try:
                    member = await accounts.member_by_name(db, name)
                except NotFound:
                    member = await accounts.sign_up(db, name=name, email=email, password=password)
                await accounts.make_admin(db, member)
                return member.name
        finally:
            await engine.dispose()

    try:
        who = asyncio.run(run())
    except Invalid as exc:
        for field, message in exc.errors.items():
            typer.echo(f"{field}: {message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{who} is now a site admin.")


@cli.command()
def backup(
    dest: Annotated[
        Path,
        typer.Argument(
            help="New folder for the backup (or a file ending in .db: the SQLite database alone)."
        ),
    ],
    data_dir: DataDir = Path("townsquare-data"),
) -> None:
    """Back up the site while it serves: the database (SQLite's backup API, or pg_dump), the
    queue, the secret key and the settings file."""
    from townsquare.ops import backup as ops

    _report(lambda: ops.backup(settings_for(data_dir), dest), "Backed up")


@cli.command()
def restore(
    src: Annotated[Path, typer.Argument(help="A backup folder (or a .db file) made by backup.")],
    data_dir: DataDir = Path("townsquare-data"),
    force: Annotated[
        bool, typer.Option("--force", help="Replace a site that is already there (stop it first).")
    ] = False,
) -> None:
    """Bring a backup back into a new data directory (and an empty PostgreSQL database)."""
    from townsquare.ops import backup as ops

    _report(lambda: ops.restore(settings_for(data_dir), src, force=force), "Restored")


def _report(work, done: str) -> None:  # type: ignore[no-untyped-def]
    from townsquare.ops.backup import BackupError

    try:
        outcome = work()
    except BackupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"{done} {outcome.database} ({outcome.total_rows:,} rows in {len(outcome.rows)} "
        f"tables, {', '.join(outcome.files)}): {outcome.path}"
    )
    for note in outcome.notes:
        typer.echo(note)


@cli.command("migrate-db")
def migrate_db(
    to: Annotated[str, typer.Option("--to", help="The empty PostgreSQL database: postgresql://…")],
    data_dir: DataDir = Path("townsquare-data"),
) -> None:
    """Move this SQLite site into an empty PostgreSQL database, and check every table."""
    from townsquare.db import move

    raise typer.Exit(move.run(settings_for(data_dir), to, typer.echo))


@cli.command(name="check")
def check(data_dir: DataDir = Path("townsquare-data")) -> None:
    """Check the installation: configuration, database, queue, mail, storage, Redis."""
    ops_check.command(data_dir)


points_cli = typer.Typer(no_args_is_help=True, help="Members' points and levels.")
cli.add_typer(points_cli, name="points")


@points_cli.command("recompute")
def points_recompute(
    check: Annotated[bool, typer.Option("--check", help="Only report; change nothing.")] = False,
    data_dir: DataDir = Path("townsquare-data"),
) -> None:
    """Rebuild every member's points and level from the ledger and the content."""
    from townsquare.db.engine import make_engine, make_sessionmaker
    from townsquare.domain import points

    settings = settings_for(data_dir)
    _ensure_migrated(settings, apply=False)

    async def run():  # type: ignore[no-untyped-def]
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine, settings=settings)() as db:
                return await points.recompute(db, check=check)
        finally:
            await engine.dispose()

    found = asyncio.run(run())
    for m in found:
        typer.echo(f"{m.name}: stored {m.stored}, ledger {m.ledger}, content says {m.expected}")
    if not found:
        typer.echo("Every member's points agree with the ledger and the content.")
    elif check:
        typer.echo(f"{len(found)} member(s) differ; run without --check to repair.")
        raise typer.Exit(1)
    else:
        typer.echo(f"Repaired {len(found)} member(s).")


search_cli = typer.Typer(no_args_is_help=True, help="The full-text search index.")
cli.add_typer(search_cli, name="search")


@search_cli.command("reindex")
def search_reindex(data_dir: DataDir = Path("townsquare-data")) -> None:
    """Rebuild the search index from the discussions, comments and shared articles."""
    from townsquare.db.move import reindex_site

    settings = settings_for(data_dir)
    _ensure_migrated(settings, apply=False)
    typer.echo(asyncio.run(reindex_site(settings)))


digest_cli = typer.Typer(no_args_is_help=True, help="The daily email digest.")
cli.add_typer(digest_cli, name="digest")


@digest_cli.command("send")
def digest_send(data_dir: DataDir = Path("townsquare-data")) -> None:
    """Send each member their daily digest (run once a day, e.g. from cron; a member gets
    at most one digest in 20 hours, so running it more often is harmless)."""
    from townsquare.db.engine import make_engine, make_sessionmaker
    from townsquare.domain import notifications

    settings = settings_for(data_dir)
    _ensure_migrated(settings, apply=False)

    async def run() -> int:
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine, settings=settings)() as db:
                return await notifications.send_digests(db, settings)
        finally:
            await engine.dispose()

    typer.echo(f"Sent {asyncio.run(run())} digest(s).")


def main() -> None:
    sys.exit(cli())
