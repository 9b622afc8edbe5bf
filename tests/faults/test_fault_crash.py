"""Crash consistency: the server is SIGKILLed in the middle of a burst of comments.

Every comment that got its 303 is there and intact after a restart, and nothing is half
written: each counter still equals its rows (bench/verify.py's rules).
"""

from __future__ import annotations

import re
import threading
import time

import httpx
from sqlalchemy import create_engine, text

from bench import verify
from townsquare.text.markdown import cook

CLIENTS = 4


async def test_comments_answered_303_survive_a_sigkill_mid_burst(server, make, log_in):
    """Four members post through the form at once; the server is killed mid-burst and
    restarted; each acknowledged comment is stored once, exactly as typed, and every
    counter equals its rows."""
    host = await make.member("host")
    group = await make.group(host)
    discussion = await make.discussion(group, host, title="Crash site")
    posters = []
    for i in range(CLIENTS):
        m = await make.member(f"poster{i}")
        await make.join(m, group)
        posters.append(await log_in(m))
    url = server.start()

    acked: dict[str, int] = {}  # body -> comment id from the 303's Location
    answers: list[int] = []
    cut: list[str] = []  # requests in flight when the server died
    lock = threading.Lock()
    killed = threading.Event()

    def post_until_killed(poster) -> None:  # type: ignore[no-untyped-def]
        with httpx.Client(base_url=url, cookies=poster.cookies, timeout=10) as browser:
            n = 0
            while not killed.is_set() or n < 3:  # a few more after the kill: refused, not lost
                n += 1
                body = f"{poster.name} says **no. {n}**: some words, then more words."
                try:
                    r = browser.post(f"/d/{discussion.id}/comments",
                                     data={"csrf_token": poster.csrf, "body": body})  # fmt: skip
                except httpx.ConnectError:
                    time.sleep(0.01)
                    continue
                except httpx.TransportError as exc:
                    cut.append(type(exc).__name__)
                    continue
                with lock:
                    answers.append(r.status_code)
                    if r.status_code == 303:
                        found = re.search(r"#c(\d+)$", r.headers["location"])
                        assert found, r.headers["location"]
                        acked[body] = int(found.group(1))

    threads = [threading.Thread(target=post_until_killed, args=(p,)) for p in posters]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while len(acked) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()
    killed.set()
    for t in threads:
        t.join(30)
    assert len(acked) >= 20, f"the burst never got going: {answers[:10]}\n{server.logs()}"
    assert cut, "the kill did not land in the middle of a request"
    assert set(answers) == {303}, f"answers other than 303: {sorted(set(answers))}"

    server.start()  # recovery happens here (SQLite replays its WAL on first open)
    page = httpx.get(f"{server.url}/d/{discussion.id}", timeout=10)
    assert page.status_code == 200

    engine = create_engine(server.settings.resolved_database_url.replace("+aiosqlite", ""))
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                text("SELECT id, body_src, body_html FROM comment WHERE discussion_id = :d"),
                {"d": discussion.id},
            ).all()
        problems = verify.problems(engine, verify.CHECKS)
    finally:
        engine.dispose()
    by_body: dict[str, list[int]] = {}
    for row in stored:
        by_body.setdefault(row.body_src, []).append(row.id)
        assert row.body_html == cook(row.body_src), f"comment {row.id} is half written"
    missing = {b: i for b, i in acked.items() if by_body.get(b) != [i]}
    assert not missing, f"{len(missing)} acknowledged comments lost or duplicated: {missing}"
    assert problems == []
