"""Faults injected into real components: each gives a clear message or a retry later,
never a 500 page and never lost input.

- the disk is full (SQLite's max_page_count lowered to the file's size: SQLITE_FULL);
- the database is locked by another writer for longer than the busy timeout;
- the queue's storage is unreachable when a link is shared;
- the SMTP server is down when a notification is emailed;
- the shared article's site is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.server
import sqlite3
import threading
from datetime import datetime

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import ARTICLE_PAGES, PG_URL
from tests.mailbox import confirm, free_port
from tests.mailbox import start as start_smtp
from townsquare.db.models import Comment, Link, Notification

sqlite_only = pytest.mark.skipif(
    bool(PG_URL), reason="SQLite's own failure modes (page limit, file lock)"
)
LONG_WORDS = " ".join(f"word{i} and the harbour wall, again" for i in range(450))  # ~16 KB


def run_retries(huey) -> int:  # type: ignore[no-untyped-def]
    """Let time pass for the queue: run every scheduled retry as if it were due now."""
    due = huey.read_schedule(datetime.max)
    for task in due:
        huey.execute(task, timestamp=task.eta)
    return len(due)


async def on_every_connection(engine: AsyncEngine, *pragmas: str) -> None:
    """From now on, every new connection of the app runs these pragmas (after its own)."""
    await engine.dispose()

    @event.listens_for(engine.sync_engine, "connect")
    def _squeeze(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        for pragma in pragmas:
            cur.execute(pragma)
        cur.close()
        if engine.dialect.name == "postgresql":
            dbapi_conn.commit()  # a SET inside the pool's first transaction would not last


async def _discussion(make, client, db):  # type: ignore[no-untyped-def]
    member = await make.member("writer")
    group = await make.group(member)
    d = await make.discussion(group, member, title="Harbour wall")
    await client.log_in_as(db, member)
    return d


@sqlite_only
async def test_disk_full_gives_503_and_the_comment_form_back_with_the_text(
    app, settings, client, db, make
):
    """A comment that hits SQLITE_FULL: 503 with Retry-After, a plain message, and the form
    filled in with what the member wrote, ready to send again; nothing half-saved."""
    d = await _discussion(make, client, db)
    path = settings.data_dir / "townsquare.db"
    raw = sqlite3.connect(path)
    raw.execute("VACUUM")  # no free pages left to write into
    pages = raw.execute("PRAGMA page_count").fetchone()[0]
    raw.close()
    await on_every_connection(app.state.engine, f"PRAGMA max_page_count={pages}")
    text = "My **long** reply <script>x()</script>. " + LONG_WORDS

    r = await client.form(f"/d/{d.id}/comments", {"body": text})

    assert r.status_code == 503, r.text[:500]
    assert r.headers["retry-after"].isdigit()
    assert "run out of storage space" in r.text and "Nothing was saved" in r.text
    assert "My **long** reply &lt;script&gt;x()&lt;/script&gt;." in r.text
    assert "<script>x()" not in r.text and 'name="csrf_token"' in r.text
    assert f'action="/d/{d.id}/comments"' in r.text
    assert await db.scalar(select(Comment).where(Comment.discussion_id == d.id)) is None

    api = await client.send_json("POST", f"/api/v1/discussions/{d.id}/comments", {"body": text})
    assert api.status_code == 503 and api.headers["retry-after"].isdigit()
    assert api.headers["content-type"] == "application/problem+json"
    assert "storage space" in api.json()["detail"]


@contextlib.contextmanager
def write_lock_held(settings):  # type: ignore[no-untyped-def]
    """Another process holds the write lock, as a long maintenance job would."""
    if settings.is_sqlite:
        holder = sqlite3.connect(settings.data_dir / "townsquare.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    import psycopg

    url = make_url(settings.database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as holder:
        holder.execute("LOCK TABLE discussion IN EXCLUSIVE MODE")  # reads go on, writes wait
        yield
        holder.rollback()


async def test_a_database_locked_past_the_busy_timeout_gives_503_with_the_text_kept(
    app, settings, client, db, make
):
    """Another process holds the write lock longer than the app will wait (SQLite's busy
    timeout, PostgreSQL's lock_timeout): the member gets 'busy, try again' with their text,
    and once the lock is gone the same form succeeds."""
    d = await _discussion(make, client, db)
    wait = "PRAGMA busy_timeout=200" if settings.is_sqlite else "SET lock_timeout = '200ms'"
    await on_every_connection(app.state.engine, wait)
    with write_lock_held(settings):
        r = await client.form(f"/d/{d.id}/comments", {"body": "Locked out, but kept."})

    assert r.status_code == 503 and r.headers["retry-after"].isdigit()
    assert "busy" in r.text and "Locked out, but kept." in r.text

    again = await client.form(f"/d/{d.id}/comments", {"body": "Locked out, but kept."})
    assert again.status_code == 303
    stored = await db.scalar(select(Comment.body_src).where(Comment.discussion_id == d.id))
    assert stored == "Locked out, but kept."


async def test_a_database_error_that_is_a_bug_stays_an_error(app, settings):
    """Errors that are bugs (a missing table) stay errors: only passing failures become 503."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from townsquare.web.errors import transient

    async with app.state.sessionmaker() as session:
        with pytest.raises(DBAPIError) as caught:
            await session.execute(text("SELECT * FROM no_such_table"))
    assert transient(caught.value) is None


async def test_sharing_a_link_while_the_queue_is_unreachable_still_posts(
    loopback, app, settings, client, db, make, article_site, tmp_path
):
    """The queue's storage is gone when a link is shared: the discussion is posted (303),
    the card waits as 'pending', and the fetch is handed to the queue once it is back."""
    member = await make.member("sharer")
    group = await make.group(member)
    await client.log_in_as(db, member)
    jobs = app.state.jobs
    storage = jobs.huey.storage
    real_path = storage.filename
    storage.close()
    storage.filename = str(tmp_path / "gone" / "queue.db")  # its disk went away

    r = await client.form(f"/g/{group.slug}/new", {"link_url": f"{article_site}/news-bridge.html",
                                                   "title": "Bridge", "body": "Look."})  # fmt: skip

    assert r.status_code == 303, r.text[:500]
    did = int(r.headers["location"].rsplit("/", 1)[1])
    page = await client.get(f"/d/{did}")
    assert page.status_code == 200 and "Fetching the article" in page.text
    assert jobs.unsent(), "the fetch was dropped, not kept for later"

    storage.close()
    storage.filename = real_path  # the queue is back: the next try hands over what waited
    assert await asyncio.to_thread(jobs.retry_unsent) == 0
    assert await asyncio.to_thread(jobs.run_pending) >= 1
    link = await db.scalar(select(Link).execution_options(populate_existing=True))
    assert link is not None and link.status == "ok"


async def test_smtp_down_the_email_is_retried_later_and_nothing_is_lost(app, settings, db, make):
    """The mail server refuses connections: the reply is posted, the email job fails and is
    scheduled again; when the server is back, the retry delivers it."""
    from townsquare.jobs.queue import MAIL_RETRIES

    host, alice = await make.member("host"), await make.member("alice")
    await confirm(db, host, alice)
    group = await make.group(host, members=(alice,))
    d = await make.discussion(group, host, title="Harbour walls")
    c = await make.comment(d, host, body="The wall is old.")
    settings.smtp_host, settings.smtp_port = "127.0.0.1", free_port()  # nothing listens
    settings.smtp_starttls, settings.mail_delay = False, 0

    await make.comment(d, alice, body="Older than the town", parent=c)  # the member's action
    huey = app.state.jobs.huey
    ran = await asyncio.to_thread(app.state.jobs.run_pending)

    assert ran >= 1
    [n] = (await db.scalars(select(Notification).where(Notification.recipient_id == host.id))).all()
    assert n.emailed_at is None
    assert huey.scheduled_count() == 1, "the failed email was not scheduled to be tried again"
    [retry] = huey.scheduled()
    assert retry.retries == MAIL_RETRIES - 1

    controller, box = start_smtp(settings)
    try:
        assert await asyncio.to_thread(run_retries, huey) == 1
    finally:
        controller.stop()
    [msg] = box.to("host@example.org")
    assert "Alice replied to your comment" in msg.get_body(("plain",)).get_content()
    await db.refresh(n)
    assert n.emailed_at is not None


async def test_article_site_down_posts_the_discussion_and_tells_the_poster(
    loopback, app, settings, client, db, make
):
    """The article's site refuses connections: the discussion is there, the poster sees why
    there is no card, and the fetch is tried again later, when it succeeds."""
    member = await make.member("poster")
    group = await make.group(member)
    await client.log_in_as(db, member)
    port = free_port()  # nothing listens here yet
    r = await client.form(f"/g/{group.slug}/new", {"link_url": f"http://127.0.0.1:{port}/news-bridge.html",
                                                   "title": "Bridge", "body": "Worth a read."})  # fmt: skip
    assert r.status_code == 303
    did = int(r.headers["location"].rsplit("/", 1)[1])
    huey = app.state.jobs.huey
    await asyncio.to_thread(app.state.jobs.run_pending)

    page = await client.get(f"/d/{did}")
    assert page.status_code == 200 and "Worth a read." in page.text
    assert "we could not make a card because" in page.text
    assert huey.scheduled_count() == 1, "the fetch is not tried again"

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(ARTICLE_PAGES))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    site = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        assert await asyncio.to_thread(run_retries, huey) == 1
    finally:
        site.shutdown()
        site.server_close()
    link = await db.scalar(select(Link).execution_options(populate_existing=True))
    assert link is not None and link.status == "ok"
    card = await client.get(f"/d/{did}/card")
    assert "we could not make a card" not in card.text and "card-title" in card.text
