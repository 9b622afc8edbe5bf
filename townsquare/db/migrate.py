"""Applying and checking Alembic migrations from code (init, serve --migrate, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from townsquare.config import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave the search index out of model comparisons: migration 0005 makes it (FTS5
    tables and triggers on SQLite, tsvector columns and GIN indexes on PostgreSQL), every
    piece named ``search_…``, and none of it is in the models."""
    return not (name or "").startswith("search_")


def alembic_config(settings: Settings) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", settings.resolved_database_url.replace("%", "%%"))
    return cfg


def _sync_url(url: str) -> str:
    return url.replace("+aiosqlite", "")


def head_revision(settings: Settings) -> str | None:
    return ScriptDirectory.from_config(alembic_config(settings)).get_current_head()


def current_revision(settings: Settings) -> str | None:
    """The revision the database is at, or None for an empty or missing database."""
    url = settings.resolved_database_url
    if not settings.database_url and not (settings.data_dir / "townsquare.db").exists():
        return None
    engine = create_engine(_sync_url(url))
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def is_current(settings: Settings) -> bool:
    return current_revision(settings) == head_revision(settings)


def upgrade(settings: Settings) -> None:
    """Bring the database to the newest revision (creating it if needed)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings), "head")
