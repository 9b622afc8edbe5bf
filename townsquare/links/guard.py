"""The SSRF guard: which addresses the server may fetch for a member.

Members type addresses and the server fetches them, so a careless fetcher is a
way into the server's own network (the cloud metadata service at
169.254.169.254, an admin port on 127.0.0.1, a database on 10.x). The guard
answers one question — may we connect to this IP? — and the fetcher connects
only to the IPs the guard returned (no second DNS lookup that an attacker's
DNS server could answer differently).

Contract:

- ``Target(scheme, host, port, path)`` and ``parse_target(url) -> Target``:
  the one parse of a URL that both the check and the connection use. Raises
  ``Refused`` (code "not_web" or "bad_address").
- ``parse_ip_literal(host) -> IPv4Address | IPv6Address | None``: the IP a
  host spells, in any of the forms resolvers accept: dotted decimal, a single
  number ("2130706433"), octal ("0177.0.0.1"), hex ("0x7f.0.0.1"), short forms
  ("127.1"), mixes of these, and IPv6 ("::ffff:127.0.0.1", with or without
  brackets). None for a host name.
- ``refusal(ip, *, allow_loopback) -> str | None``: why an IP is refused (a
  word for logs), or None if it may be fetched.
- ``async resolve_allowed(host, port, *, allow_loopback) -> list[IP]``: the
  addresses to connect to, in resolver order, all of them allowed. Refused if
  ANY resolved address is refused (a name that resolves to one public and one
  private address is refused); ``FetchFailed`` (code "unreachable") if the name
  does not resolve.

What is refused: everything that is not a global unicast address — loopback,
private (RFC 1918, fc00::/7), shared (100.64/10), link-local (169.254/16,
fe80::/10), multicast, unspecified, reserved, broadcast, documentation and
benchmarking ranges, IPv6 outside 2000::/3 — and IPv6 forms that carry an IPv4
address (IPv4-mapped, IPv4-compatible, 6to4, NAT64, Teredo) when the carried
address is refused. ``allow_loopback=True`` (tests, local development) lets
plain 127.0.0.0/8 and ::1 through, nothing else.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from townsquare.links.errors import (
    BAD_ADDRESS,
    NOT_ALLOWED,
    NOT_WEB,
    UNREACHABLE,
    FetchFailed,
    Refused,
)

__all__ = [
    "IP",
    "Refused",
    "Target",
    "parse_ip_literal",
    "parse_target",
    "refusal",
    "resolve_allowed",
]

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Python's is_global already excludes most of these; naming them keeps the rule
# readable and independent of which Python version fixed which range.
_REFUSED_V4 = [
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # RFC 1918
        "100.64.0.0/10",  # carrier-grade NAT, shared
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, including the cloud metadata service
        "172.16.0.0/12",  # RFC 1918
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # old 6to4 relays
        "192.168.0.0/16",  # RFC 1918
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
    )
]
_PRIVATE_V4 = [
    ipaddress.IPv4Network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
]
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
_PRIVATE_V6 = [ipaddress.IPv6Network(n) for n in ("fc00::/7", "fec0::/10")]
_REFUSED_V6 = [
    ipaddress.IPv6Network(n)
    for n in (
        # IETF protocol assignments: benchmarking, ORCHID, and Teredo, whose
        # tunnels reach whatever the embedded client address is.
        "2001::/23",
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation (2024)
    )
]
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LOOPBACK_V4 = ipaddress.IPv4Network("127.0.0.0/8")
_LOOPBACK_V6 = ipaddress.IPv6Address("::1")
_HEX_PART = re.compile(r"0x[0-9a-f]*")
_OCTAL_PART = re.compile(r"0[0-7]+")
_DECIMAL_PART = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Target:
    """Where one request goes: scheme, host (ASCII, no brackets), port, path with query."""

    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_header(self) -> str:
        """The Host header the site expects: the name, with the port if not the default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port != _DEFAULT_PORTS[self.scheme]:
            return f"{host}:{self.port}"
        return host


def parse_target(url: str) -> Target:
    """Parse a URL the way the fetcher will use it; Refused if it is not a fetchable web address."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError, ValueError):
        raise _unparseable(url) from None
    if parsed.scheme not in _DEFAULT_PORTS:
        raise Refused("not_web", NOT_WEB, parsed.scheme)
    try:
        host = parsed.raw_host.decode("ascii").lower().rstrip(".")
    except UnicodeError:
        raise Refused("bad_address", BAD_ADDRESS, url) from None
    if not host:
        raise Refused("bad_address", BAD_ADDRESS, url)
    port = parsed.port or _DEFAULT_PORTS[parsed.scheme]
    return Target(parsed.scheme, host, port, parsed.raw_path.decode("ascii") or "/")


def _unparseable(url: str) -> Refused:
    """Why httpx could not parse url: say "not allowed" for an internal IP it spells oddly.

    httpx rejects dotted forms like "0177.0.0.1" outright. That is safe, but the
    member should learn the address is not allowed rather than that it is
    malformed; the classification never lets anything through.
    """
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    ip = parse_ip_literal(host) if host else None
    if ip is not None and refusal(ip, allow_loopback=False):
        return Refused("not_allowed", NOT_ALLOWED, f"{host} -> {ip}")
    return Refused("bad_address", BAD_ADDRESS, url)


def parse_ip_literal(host: str) -> IP | None:
    """The IP address a host spells (any form resolvers accept), or None for a name."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        try:
            # A zone ("%eth0", "%25eth0") only picks an interface; the address decides.
            return ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return None
    return _parse_ipv4_loose(host)


def refusal(ip: IP, *, allow_loopback: bool) -> str | None:
    """Why this address may not be fetched (a word for logs), or None if it may."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            # Loopback is allowed only in its plain spelling: a mapped 127.0.0.1
            # is never what a test or a developer meant.
            inner = refusal(embedded, allow_loopback=False)
            return f"embedded-{inner}" if inner else None
        if ip == _LOOPBACK_V6:
            return None if allow_loopback else "loopback"
        return _category(ip, _PRIVATE_V6, _REFUSED_V6, ip not in _GLOBAL_UNICAST_V6)
    if ip in _LOOPBACK_V4:
        return None if allow_loopback else "loopback"
    return _category(ip, _PRIVATE_V4, _REFUSED_V4, False)


def _category(ip: IP, private: list, refused: list, outside_unicast: bool) -> str | None:
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if any(ip in net for net in private):
        return "private"
    if outside_unicast or any(ip in net for net in refused) or not ip.is_global:
        return "reserved"
    return None


async def resolve_allowed(host: str, port: int, *, allow_loopback: bool) -> list[IP]:
    """The checked addresses to connect to for host:port; Refused if any is not allowed."""
    literal = parse_ip_literal(host)
    if literal is not None:
        addresses = [literal]
    elif _looks_numeric(host):
        # WHATWG URL parsing treats a host ending in a number as an IPv4 address;
        # one that is not a valid address is not something to send to DNS.
        raise Refused("bad_address", BAD_ADDRESS, host)
    else:
        addresses = await _lookup(host, port)
    for ip in addresses:
        why = refusal(ip, allow_loopback=allow_loopback)
        if why is not None:
            raise Refused("not_allowed", NOT_ALLOWED, f"{host} -> {ip} ({why})")
    return addresses


async def _lookup(host: str, port: int) -> list[IP]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchFailed("unreachable", UNREACHABLE, f"{host}: {exc}") from None
    addresses: list[IP] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = parse_ip_literal(str(sockaddr[0]))
        if ip is None:
            # The resolver answered something we cannot read: refuse rather than guess.
            raise Refused("not_allowed", NOT_ALLOWED, f"{host} -> {sockaddr[0]!r}")
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchFailed("unreachable", UNREACHABLE, f"{host}: no addresses")
    return addresses


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, for the forms that route to it."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    # IPv4-compatible (::a.b.c.d), deprecated but still parsed by some stacks;
    # :: and ::1 are left to the IPv6 rules.
    if int(ip) >> 32 == 0 and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip))
    return None


def _parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """inet_aton's reading: 1–4 parts, each decimal, octal (0…) or hex (0x…)."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        value = _parse_ipv4_part(part)
        if value is None:
            return None
        numbers.append(value)
    # Every part but the last is one byte; the last fills the remaining bytes,
    # which is how "127.1" means 127.0.0.1 and "2130706433" means the same.
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for i, n in enumerate(leading):
        value |= n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def _parse_ipv4_part(part: str) -> int | None:
    # Regular expressions rather than int() alone: int() also takes "1_0", " 1"
    # and non-ASCII digits, which no resolver reads as a number.
    if _HEX_PART.fullmatch(part):
        return int(part[2:] or "0", 16)
    if _OCTAL_PART.fullmatch(part):
        return int(part, 8)
    if _DECIMAL_PART.fullmatch(part):
        return int(part)
    return None


def _looks_numeric(host: str) -> bool:
    last = host.lower().rstrip(".").rsplit(".", 1)[-1]
    return bool(_DECIMAL_PART.fullmatch(last) or _HEX_PART.fullmatch(last))
