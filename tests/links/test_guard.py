"""The SSRF guard: reading every spelling of an IP and refusing internal addresses."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from townsquare.links.errors import Refused
from townsquare.links.guard import parse_ip_literal, parse_target, refusal, resolve_allowed

SPELLINGS = [
    ("127.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),
    ("0x7f.0.0.1", "127.0.0.1"),
    ("0x7F000001", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("10.1", "10.0.0.1"),
    ("167772161", "10.0.0.1"),
    ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
    ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
    ("::1", "::1"),
    ("fe80::1%eth0", "fe80::1"),
    ("127.0.0.1.", "127.0.0.1"),
]


@pytest.mark.parametrize(("host", "ip"), SPELLINGS)
def test_every_spelling_of_an_ip_is_read(host, ip):
    """Decimal, octal, hex, short and IPv6 forms all parse to the address resolvers would use."""
    assert parse_ip_literal(host) == ipaddress.ip_address(ip)


@pytest.mark.parametrize(
    "host", ["example.com", "08.1", "1.2.3.4.5", "256.1.1.1", "1_0", "", "0x7g"]
)
def test_names_and_invalid_numbers_are_not_ips(host):
    """Host names and numbers no resolver accepts are not read as IPs."""
    assert parse_ip_literal(host) is None


REFUSED = [
    "127.0.0.1",
    "10.0.0.1",
    "172.31.255.255",
    "192.168.0.10",
    "100.64.0.1",
    "169.254.169.254",
    "0.0.0.0",
    "255.255.255.255",
    "224.0.0.251",
    "240.0.0.1",
    "192.0.2.1",
    "198.18.0.1",
    "198.51.100.2",
    "203.0.113.9",
    "::",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::127.0.0.1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "ff02::1",
    "2001:db8::1",
    "2002:a00:1::",
    "2002:7f00:1::",
    "64:ff9b::a00:1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
]
ALLOWED = [
    "93.184.216.34",
    "1.1.1.1",
    "2606:4700::1111",
    "::ffff:93.184.216.34",
    "2002:5db8:d822::",
]


@pytest.mark.parametrize("ip", REFUSED)
def test_internal_addresses_are_refused(ip):
    """Loopback, private, shared, link-local, multicast, reserved and embedded forms are refused."""
    assert refusal(ipaddress.ip_address(ip), allow_loopback=False) is not None


@pytest.mark.parametrize("ip", ALLOWED)
def test_public_addresses_are_allowed(ip):
    """Global unicast addresses, including IPv6 forms carrying a public IPv4, are allowed."""
    assert refusal(ipaddress.ip_address(ip), allow_loopback=False) is None


@pytest.mark.parametrize(
    ("ip", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", False),
        ("10.0.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("fd00::1", False),
    ],
)
def test_allow_loopback_opens_loopback_only(ip, allowed):
    """allow_loopback admits plain 127/8 and ::1 and nothing private."""
    assert (refusal(ipaddress.ip_address(ip), allow_loopback=True) is None) is allowed


@given(st.ip_addresses(v=4))
def test_ipv4_mapped_form_is_judged_like_the_address(ip):
    """::ffff:a.b.c.d is refused exactly when a.b.c.d is."""
    mapped = ipaddress.IPv6Address(f"::ffff:{ip}")
    assert (refusal(mapped, allow_loopback=False) is None) == (
        refusal(ip, allow_loopback=False) is None
    )


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_number_octal_and_hex_spellings_agree(value):
    """A 32-bit number spelled in decimal, hex or dotted octal reads as the same address."""
    ip = ipaddress.IPv4Address(value)
    octets = str(ip).split(".")
    assert parse_ip_literal(str(value)) == ip
    assert parse_ip_literal(hex(value)) == ip
    assert parse_ip_literal(".".join(f"0{int(o):o}" for o in octets)) == ip


@given(st.ip_addresses(v=4, network="10.0.0.0/8") | st.ip_addresses(v=4, network="172.16.0.0/12"))
def test_every_rfc1918_address_is_refused(ip):
    """No address in the private ranges gets through, with or without allow_loopback."""
    assert refusal(ip, allow_loopback=True) == "private"


async def test_resolve_allowed_refuses_a_literal_without_lookup(fake_dns):
    """An IP literal is judged as written; DNS is not asked."""
    with pytest.raises(Refused) as caught:
        await resolve_allowed("2130706433", 80, allow_loopback=False)
    assert caught.value.reason == "that address is not allowed"
    assert fake_dns["lookups"] == {}


async def test_resolve_allowed_returns_every_checked_address(fake_dns):
    """A name's addresses come back in resolver order once all are allowed."""
    fake_dns["site.test"] = ["93.184.216.34", "2606:4700::1111"]
    got = await resolve_allowed("site.test", 443, allow_loopback=False)
    assert [str(ip) for ip in got] == ["93.184.216.34", "2606:4700::1111"]


async def test_resolve_allowed_refuses_if_any_address_is_internal(fake_dns):
    """A name with one internal address among public ones is refused."""
    fake_dns["rebind.test"] = ["93.184.216.34", "169.254.169.254"]
    with pytest.raises(Refused) as caught:
        await resolve_allowed("rebind.test", 80, allow_loopback=True)
    assert caught.value.code == "not_allowed"
    assert "169.254.169.254" in caught.value.detail


async def test_real_resolver_refuses_localhost():
    """Through the system resolver, localhost is refused unless loopback is allowed."""
    with pytest.raises(Refused):
        await resolve_allowed("localhost", 80, allow_loopback=False)


def test_parse_target_uses_default_ports_and_keeps_the_query():
    """The target holds the ASCII host, the effective port and the path with its query."""
    target = parse_target("https://München.example/a%20b?x=1#frag")
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "xn--mnchen-3ya.example",
        443,
        "/a%20b?x=1",
    )
    assert target.host_header == "xn--mnchen-3ya.example"
