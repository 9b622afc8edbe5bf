"""Fetching a shared link under strict limits, connecting only to checked addresses.

Contract:

- ``FetchLimits`` (frozen dataclass): ``connect_timeout=5.0``,
  ``total_timeout=15.0`` (seconds, the whole fetch including DNS and every
  redirect), ``max_bytes=5_000_000`` (decoded body), ``max_redirects=5``,
  ``allow_loopback=False``, ``user_agent``. ``FetchLimits.from_settings(settings)``
  reads the ``fetch_*`` settings and names ``site_url`` in the User-Agent.
- ``async fetch(url, limits) -> Fetched``: ``Fetched(url, final_url, status,
  content_type, body, charset)``; ``content_type`` is the bare lower-case media
  type ("text/html", "application/pdf", "" if the site sent none), ``charset``
  the one the Content-Type header named or None. Any 2xx answer is returned,
  whatever its type: deciding what to do with a PDF is the extractor's job.
- Raises only ``Refused`` (code "not_web", "bad_address", "not_allowed") and
  ``FetchFailed`` (codes "timeout", "too_large", "too_many_redirects",
  "http_error", "unreachable", "unreadable"), both ``LinkError`` with a
  member-facing ``reason``.

How it stays safe: every hop (the first URL and each redirect) is parsed once
by ``guard.parse_target``, its host resolved and checked by
``guard.resolve_allowed``, and the request is sent to the checked IP itself
with the real name in the Host header and, for https, as the TLS server name
(so the certificate is still verified against the real name). No proxy from
the environment is used (it would do its own lookup), each hop gets a fresh
client (a pooled connection made for one name must not carry another name's
request), and the body is streamed and abandoned at ``max_bytes``.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import Any

import httpx

from townsquare.links import guard
from townsquare.links.errors import (
    BAD_ADDRESS,
    TIMEOUT,
    TOO_LARGE,
    TOO_MANY_REDIRECTS,
    UNREACHABLE,
    UNREADABLE,
    FetchFailed,
    LinkError,
    Refused,
    http_error,
)

__all__ = ["FetchFailed", "FetchLimits", "Fetched", "Refused", "fetch", "user_agent_for"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


def user_agent_for(site_url: str) -> str:
    """The User-Agent naming townsquare and the site it fetches for, so site owners can ask."""
    return f"townsquare link preview (+{site_url})"


@dataclass(frozen=True)
class FetchLimits:
    """Everything that bounds one fetch; tests shrink the timeouts and allow loopback."""

    connect_timeout: float = 5.0
    total_timeout: float = 15.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allow_loopback: bool = False
    user_agent: str = "townsquare link preview"

    @classmethod
    def from_settings(cls, settings: Any) -> FetchLimits:
        """The limits the ``fetch_*`` settings describe, with ``site_url`` in the User-Agent."""
        return cls(
            connect_timeout=settings.fetch_connect_timeout,
            total_timeout=settings.fetch_total_timeout,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
            allow_loopback=settings.fetch_allow_loopback,
            user_agent=user_agent_for(settings.site_url),
        )


@dataclass(frozen=True)
class Fetched:
    """A 2xx answer: where we asked, where we ended up, and the body as bytes."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    charset: str | None = None


async def fetch(url: str, limits: FetchLimits) -> Fetched:
    """Fetch url following checked redirects; Refused or FetchFailed on any problem."""
    try:
        async with asyncio.timeout(limits.total_timeout):
            return await _follow(url, limits)
    except TimeoutError:
        raise FetchFailed("timeout", TIMEOUT, url) from None


async def _follow(url: str, limits: FetchLimits) -> Fetched:
    current = url
    for _hop in range(limits.max_redirects + 1):
        target = guard.parse_target(current)
        addresses = await guard.resolve_allowed(
            target.host, target.port, allow_loopback=limits.allow_loopback
        )
        async with httpx.AsyncClient(trust_env=False, follow_redirects=False) as client:
            response = await _send_first_reachable(client, target, addresses, limits)
            try:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    current = _redirect_target(current, location)
                    continue
                if not 200 <= response.status_code < 300:
                    raise FetchFailed("http_error", http_error(response.status_code), current)
                body = await _read_capped(response, limits.max_bytes)
            except httpx.TimeoutException:
                raise FetchFailed("timeout", TIMEOUT, current) from None
            except httpx.DecodingError:
                raise FetchFailed("unreadable", UNREADABLE, current) from None
            except (httpx.HTTPError, OSError, ssl.SSLError) as exc:
                raise FetchFailed("unreachable", UNREACHABLE, f"{current}: {exc!r}") from None
            finally:
                await response.aclose()
        content_type = response.headers.get("content-type", "")
        return Fetched(
            url=url,
            final_url=current,
            status=response.status_code,
            content_type=content_type.split(";", 1)[0].strip().lower(),
            body=body,
            charset=response.charset_encoding,
        )
    raise FetchFailed("too_many_redirects", TOO_MANY_REDIRECTS, url)


def build_request(
    client: httpx.AsyncClient, target: guard.Target, ip: guard.IP, limits: FetchLimits
) -> httpx.Request:
    """The request for target sent to the checked ip: real Host header, real TLS server name."""
    netloc = f"[{ip}]" if ip.version == 6 else str(ip)
    return client.build_request(
        "GET",
        f"{target.scheme}://{netloc}:{target.port}{target.path}",
        headers={
            "Host": target.host_header,
            "User-Agent": limits.user_agent,
            "Accept": _ACCEPT,
            # Uncompressed, so the size cap counts what travels; a server that
            # compresses anyway is still capped after decoding.
            "Accept-Encoding": "identity",
        },
        timeout=httpx.Timeout(limits.total_timeout, connect=limits.connect_timeout),
        # httpcore uses this as the TLS server_hostname (SNI and certificate
        # check) instead of the IP in the URL; plain http ignores it.
        extensions={"sni_hostname": target.host},
    )


async def _send_first_reachable(
    client: httpx.AsyncClient,
    target: guard.Target,
    addresses: list[guard.IP],
    limits: FetchLimits,
) -> httpx.Response:
    """Send to each checked address in resolver order until one accepts."""
    failure: LinkError = FetchFailed("unreachable", UNREACHABLE, target.host)
    for ip in addresses:
        request = build_request(client, target, ip, limits)
        try:
            return await client.send(request, stream=True)
        except httpx.TimeoutException:
            failure = FetchFailed("timeout", TIMEOUT, f"{target.host} -> {ip}")
        except (httpx.HTTPError, OSError, ssl.SSLError) as exc:
            failure = FetchFailed("unreachable", UNREACHABLE, f"{target.host} -> {ip}: {exc!r}")
    raise failure


def _redirect_target(current: str, location: str) -> str:
    try:
        joined = httpx.URL(current).join(location.strip())
    except (httpx.InvalidURL, UnicodeError, ValueError):
        raise Refused("bad_address", BAD_ADDRESS, location) from None
    # The fragment is the reader's business, never sent to a server.
    return str(joined.copy_with(fragment=None))


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchFailed("too_large", TOO_LARGE, f"declared {declared} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            # Stop reading: closing the response drops the connection.
            raise FetchFailed("too_large", TOO_LARGE, f"more than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
