"""Fetching shared links: limits, redirects and the SSRF guard, against a local site."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from townsquare.config import Settings
from townsquare.links import guard
from townsquare.links.errors import FetchFailed, Refused
from townsquare.links.fetch import FetchLimits, build_request, fetch


async def test_fetch_returns_the_page_with_its_type_and_charset(site, limits):
    """A plain page comes back as bytes with its media type and charset."""
    got = await fetch(f"{site}/pages/news-bridge", limits)
    assert got.status == 200
    assert got.content_type == "text/html"
    assert got.charset == "utf-8"
    assert b"Lowmere votes to rebuild" in got.body
    assert got.final_url == got.url == f"{site}/pages/news-bridge"


async def test_request_goes_to_the_checked_ip_with_the_real_host_header(
    port, limits, fake_dns, outbound
):
    """A name is resolved once and the request is sent to that IP, naming the host."""
    fake_dns["ledger.test"] = ["127.0.0.1"]
    got = await fetch(f"http://ledger.test:{port}/echo", limits)
    assert f"host=ledger.test:{port}".encode() in got.body
    assert fake_dns["lookups"] == {"ledger.test": 1}
    assert outbound == [("127.0.0.1", port)]


async def test_user_agent_names_townsquare_and_the_site(site):
    """The User-Agent built from settings names townsquare and the site's address."""
    settings = Settings(site_url="https://town.example", fetch_allow_loopback=True)
    got = await fetch(f"{site}/echo", FetchLimits.from_settings(settings))
    assert b"agent=townsquare link preview (+https://town.example)" in got.body


def test_limits_come_from_the_fetch_settings():
    """from_settings copies every fetch_* setting."""
    settings = Settings(
        fetch_connect_timeout=1.5,
        fetch_total_timeout=7.0,
        fetch_max_bytes=1234,
        fetch_max_redirects=2,
        fetch_allow_loopback=True,
    )
    limits = FetchLimits.from_settings(settings)
    assert (limits.connect_timeout, limits.total_timeout) == (1.5, 7.0)
    assert (limits.max_bytes, limits.max_redirects, limits.allow_loopback) == (1234, 2, True)
    assert FetchLimits().allow_loopback is False


async def test_every_redirect_hop_is_resolved_and_checked_once(port, limits, fake_dns):
    """Each hop is looked up exactly once: there is no second lookup to race."""
    fake_dns["ledger.test"] = ["127.0.0.1"]
    got = await fetch(f"http://ledger.test:{port}/hops/2", limits)
    assert got.final_url == f"http://ledger.test:{port}/hops/0"
    assert fake_dns["lookups"] == {"ledger.test": 3}


async def test_five_redirects_are_followed(site, limits):
    """A chain of five redirects is within the limit."""
    got = await fetch(f"{site}/hops/5", limits)
    assert got.final_url == f"{site}/hops/0"
    assert b"footbridge" in got.body


async def test_six_redirects_are_too_many(site, limits):
    """The sixth redirect is refused with "too many redirects"."""
    with pytest.raises(FetchFailed) as caught:
        await fetch(f"{site}/hops/6", limits)
    assert (caught.value.code, caught.value.reason) == ("too_many_redirects", "too many redirects")


@pytest.mark.parametrize("route", ["/to-private", "/to-metadata"])
async def test_redirect_to_a_private_address_is_refused_before_connecting(
    site, port, limits, outbound, route
):
    """A redirect into the private network is refused; only the first hop was connected."""
    with pytest.raises(Refused) as caught:
        await fetch(f"{site}{route}", limits)
    assert caught.value.reason == "that address is not allowed"
    assert outbound == [("127.0.0.1", port)]


async def test_public_name_redirecting_to_a_private_address_is_refused(
    port, limits, fake_dns, outbound
):
    """A public-looking name whose page redirects to 10.0.0.1 never reaches 10.0.0.1."""
    fake_dns["news.test"] = ["127.0.0.1"]
    with pytest.raises(Refused) as caught:
        await fetch(f"http://news.test:{port}/to-private", limits)
    assert caught.value.code == "not_allowed"
    assert all(host == "127.0.0.1" for host, _ in outbound)


async def test_redirect_to_another_scheme_is_refused(site, limits):
    """A redirect to ftp: is not followed."""
    with pytest.raises(Refused) as caught:
        await fetch(f"{site}/to-ftp", limits)
    assert (caught.value.code, caught.value.reason) == ("not_web", "that address is not a web page")


async def test_error_status_is_reported_with_its_code(site, limits):
    """A 404 is a failure naming the status."""
    with pytest.raises(FetchFailed) as caught:
        await fetch(f"{site}/missing", limits)
    assert caught.value.code == "http_error"
    assert caught.value.reason == "the site answered with an error (HTTP 404)"


async def test_a_pdf_is_returned_not_refused(site, limits):
    """Non-HTML answers come back for the extractor to turn into a file card."""
    got = await fetch(f"{site}/report.pdf", limits)
    assert got.content_type == "application/pdf"
    assert got.body.startswith(b"%PDF")


@pytest.mark.parametrize("route", ["/huge", "/huge-unsized"])
async def test_oversize_body_is_refused(site, limits, route):
    """A 6 MB body is refused as too large, declared or not."""
    with pytest.raises(FetchFailed) as caught:
        await fetch(f"{site}{route}", limits)
    assert (caught.value.code, caught.value.reason) == ("too_large", "the page is too large")


async def test_a_smaller_cap_stops_reading_early(site):
    """The cap is the limit's, not a constant: 100 kB stops a multi-megabyte body."""
    small = FetchLimits(total_timeout=2.0, max_bytes=100_000, allow_loopback=True)
    with pytest.raises(FetchFailed) as caught:
        await fetch(f"{site}/huge-unsized", small)
    assert caught.value.code == "too_large"


async def test_a_server_that_never_answers_times_out(site):
    """A stalled server gives "the site took too long to answer" within the total timeout."""
    quick = FetchLimits(connect_timeout=0.2, total_timeout=0.3, allow_loopback=True)
    started = time.monotonic()
    with pytest.raises(FetchFailed) as caught:
        await fetch(f"{site}/slow", quick)
    assert (caught.value.code, caught.value.reason) == (
        "timeout",
        "the site took too long to answer",
    )
    assert time.monotonic() - started < 1.5


async def test_a_closed_port_is_unreachable(limits):
    """Nothing listening gives "the site could not be reached"."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    with pytest.raises(FetchFailed) as caught:
        await fetch(f"http://127.0.0.1:{free_port}/", limits)
    assert (caught.value.code, caught.value.reason) == (
        "unreachable",
        "the site could not be reached",
    )


async def test_a_name_that_does_not_resolve_is_unreachable(limits, fake_dns, outbound):
    """An unknown name fails as unreachable without any connection."""
    with pytest.raises(FetchFailed) as caught:
        await fetch("http://nowhere.test/", limits)
    assert caught.value.code == "unreachable"
    assert outbound == []


REFUSED_STRICT = [
    "http://127.0.0.1:{port}/pages/news-bridge",
    "http://10.0.0.1/",
    "http://2130706433/",
    "http://[::ffff:127.0.0.1]/",
    "http://0x7f.1/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://[::1]:{port}/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://0.0.0.0/",
    "http://100.64.0.1/",
    "http://[fd00::1]/",
    "http://224.0.0.1/",
    "https://192.168.1.1/",
]


@pytest.mark.parametrize("template", REFUSED_STRICT)
async def test_internal_addresses_are_refused_before_connecting(template, port, strict, outbound):
    """Loopback, private, link-local and other internal addresses, in any spelling, are refused."""
    with pytest.raises(Refused) as caught:
        await fetch(template.format(port=port), strict)
    assert (caught.value.code, caught.value.reason) == (
        "not_allowed",
        "that address is not allowed",
    )
    assert outbound == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[2002:a00:1::]/",
        "http://169.254.169.254/",
        "http://172.16.5.4/",
    ],
)
async def test_allowing_loopback_allows_nothing_else(url, limits, outbound):
    """allow_loopback opens plain 127/8 and ::1 only, never private or mapped forms."""
    with pytest.raises(Refused):
        await fetch(url, limits)
    assert outbound == []


async def test_a_name_with_any_private_address_is_refused(strict, fake_dns, outbound):
    """One private address among public ones is enough to refuse the name."""
    fake_dns["mixed.test"] = ["203.0.114.10", "10.0.0.1"]
    with pytest.raises(Refused) as caught:
        await fetch("http://mixed.test/", strict)
    assert caught.value.code == "not_allowed"
    assert outbound == []


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://files.example/x", "not_web"),
        ("file:///etc/passwd", "not_web"),
        ("http://1.2.3.4.5/", "bad_address"),
        ("http://08.1/", "bad_address"),
        ("http:///nohost", "bad_address"),
    ],
)
async def test_addresses_that_are_not_web_addresses_are_refused(url, code, strict, outbound):
    """Other schemes and malformed hosts are refused with a reason, not an exception."""
    with pytest.raises(Refused) as caught:
        await fetch(url, strict)
    assert caught.value.code == code
    assert outbound == []


def test_https_request_targets_the_ip_and_keeps_the_name_for_tls():
    """For https the URL holds the checked IP; Host and the TLS server name hold the real name."""
    target = guard.parse_target("https://news.example/story?id=4")
    limits = FetchLimits()
    request = build_request(
        httpx.AsyncClient(), target, guard.parse_ip_literal("203.0.114.7"), limits
    )
    assert str(request.url) == "https://203.0.114.7/story?id=4"
    assert request.headers["Host"] == "news.example"
    assert request.extensions["sni_hostname"] == "news.example"


def test_ipv6_request_brackets_the_ip_and_keeps_a_custom_port_in_host():
    """An IPv6 target is bracketed in the URL and a non-default port stays in Host."""
    target = guard.parse_target("http://news.example:8080/")
    request = build_request(
        httpx.AsyncClient(), target, guard.parse_ip_literal("2606:4700::1"), FetchLimits()
    )
    assert str(request.url) == "http://[2606:4700::1]:8080/"
    assert request.headers["Host"] == "news.example:8080"
