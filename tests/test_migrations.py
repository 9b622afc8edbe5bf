"""Migrations and models agree, so the schema only ever changes through Alembic."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from townsquare.db.migrate import include_name
from townsquare.db.models import Base


def test_migrated_database_matches_the_models(settings):
    """Autogenerate finds nothing to add: every model change has its revision."""
    url = settings.resolved_database_url.replace("+aiosqlite", "")
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []
