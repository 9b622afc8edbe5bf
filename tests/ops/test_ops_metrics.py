"""Prometheus metrics at /metrics: off by default, a bearer token when set, requests by
route template, queue depth and job failures."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import run_jobs
from tests.mailbox import free_port
from townsquare.app import create_app


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def requests_key(route: str, method: str = "GET", status: str = "2xx"):  # type: ignore[no-untyped-def]
    labels = {"route": route, "method": method, "status": status}
    return ("townsquare_http_requests_total", frozenset(labels.items()))


@pytest.fixture
async def metrics_client(settings):  # type: ignore[no-untyped-def]
    """A client on an app with metrics on (and, when a test sets one, a token)."""
    settings.metrics = "on"
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as c:  # fmt: skip
        c.app = app  # type: ignore[attr-defined]
        yield c
    await app.state.engine.dispose()


async def scrape(client: httpx.AsyncClient, **headers: str) -> dict[tuple[str, frozenset], float]:
    r = await client.get("/metrics", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return samples(r.text)


async def test_metrics_are_off_by_default(client):
    """Without metrics = on, /metrics is just a page that does not exist."""
    assert (await client.get("/metrics")).status_code == 404


async def test_requests_are_counted_by_route_template_method_and_status_class(metrics_client, make):
    """Two reads of a discussion and a missing page: counted under their templates, with
    latency histograms; unknown paths share one label, never their own."""
    discussion = await make.discussion(await make.group())
    before = await scrape(metrics_client)
    for _ in range(2):
        assert (await metrics_client.get(f"/d/{discussion.id}")).status_code == 200
    await metrics_client.get("/no/such/thing-1")
    await metrics_client.request("BREW", "/login")
    after = await scrape(metrics_client)

    def delta(key) -> float:  # type: ignore[no-untyped-def]
        return after.get(key, 0) - before.get(key, 0)

    assert delta(requests_key("/d/{discussion_id}")) == 2
    assert delta(requests_key("unmatched", status="4xx")) == 1
    assert delta(requests_key("/login", method="other", status="4xx")) == 1
    count = ("townsquare_http_request_duration_seconds_count",
             requests_key("/d/{discussion_id}")[1])  # fmt: skip
    assert delta(count) == 2
    assert not any("thing-1" in str(labels) for _, labels in after)
    assert not any(dict(labels).get("route") == "/metrics" for _, labels in after)


async def test_a_token_guards_metrics(settings, metrics_client):
    """With metrics_token set: 401 without it or with a wrong one, 200 with it."""
    settings.metrics_token = "let-me-in"
    r = await metrics_client.get("/metrics")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert "townsquare_" not in r.text
    wrong = await metrics_client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert await scrape(metrics_client, Authorization="Bearer let-me-in")


async def test_queue_depth_is_read_at_each_scrape(metrics_client):
    """A queued job shows as pending until a worker runs it."""
    metrics_client.app.state.jobs.enqueue("send_digests")
    found = await scrape(metrics_client)
    assert found[("townsquare_queue_up", frozenset())] == 1
    assert found[("townsquare_queue_pending", frozenset())] == 1
    await run_jobs(metrics_client.app)
    assert (await scrape(metrics_client))[("townsquare_queue_pending", frozenset())] == 0


async def test_job_failures_are_counted_by_job_and_outcome(settings, metrics_client, make):
    """An email job whose SMTP server is down fails; it will be retried, and is counted so."""
    member = await make.member()
    settings.smtp_host, settings.smtp_port = "127.0.0.1", free_port()
    settings.smtp_starttls, settings.mail_to_files = False, False
    key = ("townsquare_job_failures_total",
           frozenset({"job": "send_password_reset", "outcome": "retried"}.items()))  # fmt: skip
    before = (await scrape(metrics_client)).get(key, 0)
    metrics_client.app.state.jobs.enqueue("send_password_reset", member.id)
    await run_jobs(metrics_client.app)
    assert (await scrape(metrics_client))[key] == before + 1
