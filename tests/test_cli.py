"""The townsquare command: init, serve's migration guard, createadmin, backup."""

import sqlite3
from datetime import UTC, datetime

from typer.testing import CliRunner

from townsquare.cli import cli
from townsquare.web.templating import page_links, plural, short_date

runner = CliRunner()


def test_init_creates_a_migrated_database_and_a_secret(tmp_path):
    """init makes the data directory, migrates the SQLite file and writes a private key."""
    data = tmp_path / "site"
    result = runner.invoke(cli, ["init", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert (data / "townsquare.db").exists()
    key = data / "secret_key"
    assert len(key.read_text()) > 40 and oct(key.stat().st_mode)[-3:] == "600"
    tables = {r[0] for r in sqlite3.connect(data / "townsquare.db").execute(
        "select name from sqlite_master where type='table'")}  # fmt: skip
    assert {"member", "grp", "discussion", "comment", "alembic_version"} <= tables


def test_serve_refuses_an_unmigrated_database_and_says_what_to_run(tmp_path):
    """serve on an empty folder exits 1 with the command to run, and starts nothing."""
    result = runner.invoke(cli, ["serve", "--data-dir", str(tmp_path / "empty"), "--port", "1"])
    assert result.exit_code == 1
    assert "townsquare init --data-dir" in result.output


def test_createadmin_makes_an_admin_and_reports_bad_input(tmp_path):
    """createadmin creates a site admin; a bad email is reported at its field, exit 1."""
    data = str(tmp_path / "site")
    runner.invoke(cli, ["init", "--data-dir", data])
    bad = runner.invoke(cli, ["createadmin", "--data-dir", data, "--name", "root_user",
                              "--email", "nope", "--password", "long enough pw"])  # fmt: skip
    assert bad.exit_code == 1 and "email" in bad.output
    ok = runner.invoke(cli, ["createadmin", "--data-dir", data, "--name", "root_user",
                             "--email", "root@example.org", "--password", "long enough pw"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    role = sqlite3.connect(f"{data}/townsquare.db").execute(
        "select role from member where name='root_user'").fetchone()  # fmt: skip
    assert role == ("admin",)


def test_createadmin_reaches_a_running_sites_kept_pages(tmp_path):
    """Making an existing member an admin bumps their version counter, so a running site's
    workers stop answering them from what they kept (web/keptpages.py)."""
    from townsquare.config import Settings
    from townsquare.db.changes import member_key
    from townsquare.versions import FileVersions

    data = tmp_path / "site"
    args = ["--data-dir", str(data), "--name", "ann", "--email", "ann@example.org",
            "--password", "long enough pw"]  # fmt: skip
    runner.invoke(cli, ["init", "--data-dir", str(data)])
    assert runner.invoke(cli, ["createadmin", *args]).exit_code == 0
    member_id = sqlite3.connect(data / "townsquare.db").execute(
        "select id from member where name='ann'").fetchone()[0]  # fmt: skip
    conn = sqlite3.connect(data / "townsquare.db")
    conn.execute("update member set role='member' where name='ann'")
    conn.commit()
    versions = FileVersions(Settings(data_dir=data).data_dir / "page-versions")
    before = versions.now([member_key(member_id)])
    assert runner.invoke(cli, ["createadmin", *args]).exit_code == 0
    assert versions.now([member_key(member_id)])[0] > before[0]


def test_backup_copies_the_database(tmp_path):
    """backup writes a consistent copy that opens as the same schema."""
    data = str(tmp_path / "site")
    runner.invoke(cli, ["init", "--data-dir", data])
    target = tmp_path / "copy.db"
    result = runner.invoke(cli, ["backup", str(target), "--data-dir", data])
    assert result.exit_code == 0, result.output
    assert sqlite3.connect(target).execute("select version_num from alembic_version").fetchone()


def test_short_dates_plurals_and_page_links():
    """'Oct 16' this year, with the year otherwise; '1 reply'/'3 replies'; pager gaps."""
    now = datetime(2026, 11, 30, tzinfo=UTC)
    assert short_date(datetime(2026, 10, 16, 9, tzinfo=UTC), now) == "Oct 16"
    assert short_date(datetime(2024, 10, 6, 9, tzinfo=UTC), now) == "Oct 6, 2024"
    assert (
        plural(1, "reply", "replies") == "1 reply" and plural(3, "reply", "replies") == "3 replies"
    )
    assert page_links(1, 3) == [1, 2, 3]
    assert page_links(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]


def test_preview_json_prints_exactly_the_card_fields(tmp_path):
    """preview --json on a saved page prints the documented keys and the extracted values."""
    import json
    from pathlib import Path

    page = Path(__file__).parent / "links" / "pages" / "news-bridge.html"
    result = runner.invoke(cli, ["preview", str(page), "--json", "--data-dir", str(tmp_path),
                                 "--url", "https://ledger.example/bridge"])  # fmt: skip
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)
    assert set(card) == {"url", "final_url", "canonical_url", "title", "site_name", "author",
                         "published", "lead", "image", "caption", "text"}  # fmt: skip
    assert card["title"] == "Lowmere votes to rebuild the old footbridge"
    assert card["published"] == "2024-03-12"


def test_preview_refuses_a_private_address_with_its_reason(tmp_path):
    """preview of a loopback address is refused before any connection, exit 2."""
    result = runner.invoke(cli, ["preview", "http://127.0.0.1:9/", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "not allowed" in result.output
