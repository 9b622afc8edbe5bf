"""search index

SQLite: FTS5 external-content tables over discussion, comment and link, kept in step by
triggers, so the index changes in the same transaction as the write. PostgreSQL: stored
generated tsvector columns with GIN indexes. Every object here is named ``search_…`` so
the model comparison can skip it (none of it is in the models).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# (index table, content table, indexed columns); the trigger fires only when one of the
# indexed columns changes, so counter updates on a discussion never touch the index.
FTS = [
    ("search_discussion", "discussion", ["title", "body_src"]),
    ("search_comment", "comment", ["body_src"]),
    ("search_link", "link", ["title", "lead", "text"]),
]

# PostgreSQL: one text search configuration, english stemming plus unaccent when the
# extension can be installed; queries name the same configuration.
PG_CONFIG = "search_english"
PG_VECTORS = {
    "discussion": "setweight(to_tsvector('search_english'::regconfig, coalesce(title, '')), 'A')"
    " || setweight(to_tsvector('search_english'::regconfig, coalesce(body_src, '')), 'B')",
    "comment": "to_tsvector('search_english'::regconfig, coalesce(body_src, ''))",
    # A tsvector holds at most 1 MB; the opening of a very long article is plenty.
    "link": "setweight(to_tsvector('search_english'::regconfig, coalesce(title, '')), 'A')"
    " || setweight(to_tsvector('search_english'::regconfig, coalesce(lead, '')), 'B')"
    " || to_tsvector('search_english'::regconfig, left(coalesce(text, ''), 200000))",
}


def _sqlite_upgrade() -> None:
    for index, table, columns in FTS:
        cols = ", ".join(f'"{c}"' for c in columns)
        new = ", ".join(f'new."{c}"' for c in columns)
        old = ", ".join(f'old."{c}"' for c in columns)
        op.execute(
            f"CREATE VIRTUAL TABLE {index} USING fts5({cols}, content='{table}', "
            "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new}); END"
        )
        op.execute(
            f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old}); END"
        )
        op.execute(
            f"CREATE TRIGGER {index}_update AFTER UPDATE OF {cols} ON {table} BEGIN "
            f"INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new}); END"
        )
        op.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")


def _sqlite_downgrade() -> None:
    for index, _table, _columns in FTS:
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {index}_{event}")
        op.execute(f"DROP TABLE IF EXISTS {index}")


def _postgres_upgrade() -> None:
    bind = op.get_bind()
    accents = True
    try:
        with bind.begin_nested():  # a failure must not abort the migration's transaction
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    except Exception:  # noqa: BLE001 - no permission or not installed: stem without folding
        accents = False
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {PG_CONFIG} (COPY = english)")
    if accents:
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {PG_CONFIG} "
            "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
        )
    for table, expression in PG_VECTORS.items():
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        op.execute(f"CREATE INDEX search_{table}_gin ON {table} USING gin (search_vector)")


def _postgres_downgrade() -> None:
    for table in PG_VECTORS:
        op.execute(f"DROP INDEX IF EXISTS search_{table}_gin")
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
    op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {PG_CONFIG}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        _postgres_upgrade()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_downgrade()
    elif dialect == "postgresql":
        _postgres_downgrade()
