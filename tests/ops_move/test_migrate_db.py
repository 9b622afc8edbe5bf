"""townsquare migrate-db: a real SQLite site moved into a scratch PostgreSQL database,
compared row for row, then served from PostgreSQL.

The site is written through the domain functions rather than seeded with the demo
community: the demo takes many seconds to seed, and this covers every table anyway.

These tests need a PostgreSQL server (the one TOWNSQUARE_TEST_DATABASE_URL names, else
postgres@127.0.0.1:5432); each makes a database of its own and drops it afterwards.
Without a server they skip, except under CI=true, where they fail: CI has one.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from markupsafe import escape
from sqlalchemy import create_engine, inspect, select, text, update
from sqlalchemy.engine import URL, make_url
from typer.testing import CliRunner

from tests.conftest import PASSWORD, SECRET, Client
from townsquare.app import create_app
from townsquare.cli import cli
from townsquare.config import Settings, normalize_database_url
from townsquare.db import migrate
from townsquare.db.engine import make_engine, make_sessionmaker
from townsquare.db.models import Base, Comment, Discussion, Group, Link, Member, utcnow
from townsquare.db.move import MoveRefused, postgres_url
from townsquare.domain import (
    accounts,
    comments,
    discussions,
    feeds,
    groups,
    likes,
    mail,
    moderation,
    notifications,
    reports,
    safety,
)  # fmt: skip

ROOMY = {"signup_rate": "1000/minute", "login_rate": "1000/minute", "post_rate": "1000/minute",
         "review_below_level": 1, "group_create_level": 1}  # fmt: skip


def _server() -> URL:
    """The test PostgreSQL server, as a URL of its maintenance database."""
    given = (
        os.environ.get("TOWNSQUARE_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/x"
    )
    return make_url(normalize_database_url(given)).set(database="postgres")


@pytest.fixture(scope="module")
def pg_server() -> URL:
    url = _server()
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server here"
        message = (
            f"no PostgreSQL at {url.render_as_string(hide_password=True)}: {exc.__class__.__name__}"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {message}", pytrace=False)
        pytest.skip(message)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite site at the newest migration, made once and copied by each test."""
    template = tmp_path_factory.mktemp("move-template")
    migrate.upgrade(Settings(data_dir=template, database_url=""))
    return template / "townsquare.db"


@pytest.fixture
def site(tmp_path: Path, migrated_sqlite: Path) -> Path:
    data = tmp_path / "site"
    data.mkdir()
    shutil.copy(migrated_sqlite, data / "townsquare.db")
    return data


@contextmanager
def scratch_database(server: URL) -> Iterator[str]:
    """A new, empty database on the server (as createdb makes), dropped afterwards; its URL
    in the plain postgresql:// form hosting providers give, which migrate-db must accept."""
    name = f"ts_move_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        plain = server.set(drivername="postgresql", database=name)
        yield plain.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def migrate_db(target: str, data: Path) -> Result:
    """The command, in-process, without any townsquare database setting of the caller's."""
    args = ["migrate-db", "--to", target, "--data-dir", str(data)]
    return CliRunner().invoke(cli, args, env={"TOWNSQUARE_DATABASE_URL": None})


def rows(url: str, table) -> list[tuple]:  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key))]
    finally:
        engine.dispose()


LONG_ARTICLE = "Résumé of the council's plan: " + "naïve café façade, 東京 and Zürich. " * 3000


async def build_site(settings: Settings) -> None:
    """A small community written through the domain as members would, with something in
    every table and every kind of value: Unicode, long article text, dates, booleans,
    NULLs, replies under comments, composite keys and a generated column."""
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine, settings=settings)() as db:
            admin = await accounts.sign_up(db, name="dana", email="dana@example.org",
                                           password=PASSWORD, display_name="Dana Whitfield")  # fmt: skip
            people = [admin]
            for name, shown in [("zoe", "Zoë Ångström"), ("kenji", "健二 Sato"), ("omar", "Omar")]:
                m = Member(name=name, display_name=shown, email=f"{name}@example.org",
                           password_hash=admin.password_hash, bio="Hi — I'm *new*.")  # fmt: skip
                db.add(m)
                people.append(m)
            await db.commit()
            hood = await groups.create_group(db, admin, name="Lindenfield Neighbours",
                                             slug="lindenfield", description="Our streets.")  # fmt: skip
            await groups.create_group(db, admin, name="Hosts' room", slug="hosts",
                                      visibility="private")  # fmt: skip
            for m in people[1:]:
                await groups.join_group(db, m, hood.slug)
            talks = []
            for i, m in enumerate(people[:2]):  # one discussion shares a link, one does not
                d = await discussions.start_discussion(
                    db, m, group_slug=hood.slug, title=f"Resurfacing Beechwood Street, part {i}",
                    body=f"**Roadworks** from June; detour via Elm Row ({i}).",
                    link_url=f"https://news.example.org/roadworks/{i}" if i == 0 else None,
                )  # fmt: skip
                talks.append(d)
            # What fetching the shared page would have stored (the queue is not running here).
            await db.execute(update(Link).values(status="ok", title="Council résumé",
                site_name="Lindenfield News", published=date(2026, 5, 17), lead="The plan.",
                text=LONG_ARTICLE, blocks='[["p", "The plan."]]', fetched_at=utcnow()))  # fmt: skip
            await db.commit()
            for d in talks:
                for m in people:
                    c = await comments.add_comment(db, m, d.id, body=f"Good news, {m.name}!")
                    await comments.add_comment(db, admin, d.id, body="Thanks.", parent_id=c.id)
                    await likes.set_like(db, m, "comment", c.id, True)
                await likes.set_like(db, people[1], "discussion", d.id, True)
            zoe, kenji = people[1], people[2]
            await accounts.open_session(db, admin, days=30)
            await accounts.open_session(db, kenji, days=None, kind="api", label="script")
            await feeds.record_visit(db, admin, talks[0])
            await safety.block(db, zoe, kenji.name)
            spam = await comments.add_comment(db, kenji, talks[0].id, body="Buy now!")
            await reports.report(db, zoe, "comment", spam.id, "Spam.")
            await moderation.remove(db, admin, "comment", spam.id, "Spam.")
            await notifications.set_email_modes(db, zoe, {"like": "never"})
            await mail.send_password_reset(db, settings, zoe.id)  # the queue's job: a token
            await db.commit()
    finally:
        await engine.dispose()


def test_target_urls_must_name_a_postgresql_database():
    """postgres:// and postgresql:// mean psycopg 3; other databases or no name are refused."""
    assert postgres_url("postgresql://u:pw@db/site") == "postgresql+psycopg://u:pw@db/site"
    assert postgres_url("postgres://u@db/site") == "postgresql+psycopg://u@db/site"
    assert postgres_url("postgresql+psycopg://u@db/site") == "postgresql+psycopg://u@db/site"
    assert Settings(database_url="postgresql://u@db/site").database_url.startswith(
        "postgresql+psycopg://"
    )
    for bad, says in [("sqlite:///x.db", "must be PostgreSQL"), ("postgresql://u@db", "Name the"),
                      ("not a url", "not a database URL")]:  # fmt: skip
        with pytest.raises(MoveRefused, match=says):
            postgres_url(bad)


async def test_a_site_moves_row_for_row_and_serves_from_postgresql(site, pg_server):
    """Every table arrives row for row with counts printed; the site then logs in, shows a
    discussion, searches and takes a new comment (its id after the copied ones) on PostgreSQL."""
    data = site
    await build_site(Settings(data_dir=data, database_url="", **ROOMY))
    lite = f"sqlite:///{data / 'townsquare.db'}"

    with scratch_database(pg_server) as target:
        # In a thread: the command runs its own event loop, as it does from a shell.
        moved = await asyncio.to_thread(migrate_db, target, data)
        assert moved.exit_code == 0, moved.output
        pg = normalize_database_url(target)
        for table in Base.metadata.sorted_tables:
            before = rows(lite, table)
            assert before, f"the test should give {table.name} rows to move"
            assert rows(pg, table) == before, table.name
            n = f"{len(before):,}"
            assert re.search(rf"^{table.name}\s+{n}\s+{n}$", moved.output, re.M), moved.output
        assert f"TOWNSQUARE_DATABASE_URL={pg}" in moved.output

        settings = Settings(data_dir=data, database_url=pg, secret_key=SECRET, **ROOMY)
        app = create_app(settings)
        try:
            async with app.state.sessionmaker() as db:
                busiest = await db.scalar(
                    select(Discussion).order_by(Discussion.comment_count.desc())
                )
                newest = await db.scalar(select(Comment.id).order_by(Comment.id.desc()))
                group = await db.get(Group, busiest.group_id)
            transport = httpx.ASGITransport(app=app)
            async with Client(transport=transport, base_url="http://testserver") as browser:
                page = await browser.get(f"/d/{busiest.id}")
                assert page.status_code == 200 and escape(busiest.title) in page.text

                word = max(re.findall(r"[A-Za-z]{6,}", busiest.title), key=len)
                found = await browser.get("/search", params={"q": word, "group": group.slug})
                assert found.status_code == 200 and f'href="/d/{busiest.id}' in found.text

                login = await browser.form("/login", {"login": "dana", "password": PASSWORD})
                assert login.status_code == 303, login.text
                posted = await browser.form(f"/d/{busiest.id}/comments", {"body": "Moved house."})
                assert posted.status_code == 303, posted.text
            async with app.state.sessionmaker() as db:
                mine = await db.scalar(select(Comment).where(Comment.body_src == "Moved house."))
                assert mine is not None and mine.id == newest + 1
        finally:
            await app.state.engine.dispose()


def test_migrate_db_refuses_a_target_that_is_not_empty(site, pg_server):
    """A database with anything in it is refused plainly, and left exactly as it was."""
    data = site
    with scratch_database(pg_server) as target:
        engine = create_engine(normalize_database_url(target))
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE keep_me (note text)"))
            conn.execute(text("INSERT INTO keep_me VALUES ('mine')"))
        result = migrate_db(target, data)
        assert result.exit_code == 1
        assert "is not empty" in result.output and "keep_me" in result.output
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == ["keep_me"]
            assert conn.execute(text("SELECT note FROM keep_me")).scalars().all() == ["mine"]
        engine.dispose()


def test_a_row_postgresql_refuses_rolls_the_whole_move_back(site, pg_server):
    """A value PostgreSQL will not take (SQLite ignores column lengths) stops the move with
    the table named, and leaves the target empty, schema and all, so it can be run again."""
    data = site
    with sqlite3.connect(data / "townsquare.db") as lite:
        lite.execute(
            "INSERT INTO member (name, display_name, email, password_hash, bio, role, state,"
            " mask_profanity, level, points, created_at) VALUES (?, 'X', 'x@example.org', 'h',"
            " '', 'member', 'active', 0, 1, 0, '2026-01-01 00:00:00')",
            ("x" * 40,),
        )
    with scratch_database(pg_server) as target:
        result = migrate_db(target, data)
        assert result.exit_code == 1
        assert "Copying member failed" in result.output
        engine = create_engine(normalize_database_url(target))
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
        engine.dispose()


def test_migrate_db_refuses_a_site_that_is_not_sqlite_or_not_there(tmp_path):
    """Without a SQLite database in the data directory there is nothing to move: exit 1."""
    result = migrate_db("postgresql://u@127.0.0.1:1/x", tmp_path / "none")
    assert result.exit_code == 1 and "no townsquare database" in result.output
    assert not Path(tmp_path / "none" / "townsquare.db").exists()
