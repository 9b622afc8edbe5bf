"""One spelling per shared article, so "also discussed in" finds earlier shares.

Contract:

- ``normalize_url(url) -> str``: lower-case scheme and host, host in IDNA
  (ASCII) form without a trailing dot, default ports dropped (:80 for http,
  :443 for https), user name and password dropped, fragment dropped, tracking
  parameters removed (see ``TRACKING_PARAMS`` and ``TRACKING_PREFIXES``), the
  remaining query parameters sorted by name (stable, so repeated names keep
  their order), an empty path becomes "/", trailing slashes are dropped from
  any other path, and percent-escapes are upper-cased. Idempotent. Raises
  ``ValueError`` with a member-facing message for anything that is not an
  http(s) address with a host.
- ``host_of(url) -> str``: the host to show beside a card ("example.com" for
  "https://www.example.com/a"), in its ASCII form so look-alike Unicode
  domains cannot pass for familiar ones.

Pure string work: no network, no database.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# Parameters that only say how a reader arrived, never which page they read.
# Compared case-insensitively against the decoded parameter name.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "_ga",
        "_gl",
        "ref_src",
        "ref_url",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "hsctatracking",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "s_cid",
    }
)
# Whole families of campaign parameters (utm_source, utm_medium, utm_anything…).
TRACKING_PREFIXES = ("utm_",)

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are in a path; everything else is percent-encoded, so
# "/a b" and "/a%20b" end up the same. "%" is kept so existing escapes survive.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")

NOT_A_WEB_ADDRESS = "that address is not a web page (it must start with http:// or https://)"
NO_HOST = "that address has no site name in it"
BAD_HOST = "that address has a site name that is not valid"
BAD_PORT = "that address has a port number that is not valid"


def normalize_url(url: str) -> str:
    """The canonical spelling of an http(s) URL; ValueError (member-facing) otherwise."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(NOT_A_WEB_ADDRESS)
    host = _normal_host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(BAD_PORT) from None
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, _normal_path(parts.path), _normal_query(parts.query), ""))


def host_of(url: str) -> str:
    """The host to display next to a card, without a leading "www."."""
    host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    # Display only: show what we have rather than fail a page over a bad host.
    with contextlib.suppress(ValueError):
        host = _normal_host(host)
    return host.removeprefix("www.")


def is_tracking_param(name: str) -> bool:
    """True for a query parameter that only records where a reader came from."""
    key = name.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _normal_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if not host:
        raise ValueError(NO_HOST)
    if ":" in host:  # an IPv6 literal: urlsplit already removed the brackets
        return host
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(BAD_HOST) from None
    if not ascii_host or any(c in ascii_host for c in " /\\@?#"):
        raise ValueError(BAD_HOST)
    return ascii_host.lower()


def _normal_path(path: str) -> str:
    path = _upper_escapes(quote(path, safe=_PATH_SAFE))
    if not path:
        return "/"
    if not path.startswith("/"):
        path = "/" + path
    # "/a/" and "/a" are the same article on nearly every site; all trailing
    # slashes go (not just one) so that normalizing twice changes nothing.
    return path.rstrip("/") or "/"


def _normal_query(query: str) -> str:
    kept = []
    for piece in query.split("&"):
        if not piece:
            continue  # "a=1&&b=2" and "?" alone carry nothing
        raw_name = piece.split("=", 1)[0]
        name = unquote(raw_name.replace("+", " "))
        if is_tracking_param(name):
            continue
        kept.append((name, _upper_escapes(quote(piece, safe=_QUERY_SAFE))))
    # Python's sort is stable: repeated names (?tag=a&tag=b) keep their order,
    # which some sites give meaning to.
    kept.sort(key=lambda pair: pair[0])
    return "&".join(piece for _, piece in kept)


def _upper_escapes(text: str) -> str:
    return _ESCAPE.sub(lambda m: m.group(0).upper(), text)
