"""From a shared address (or, for the command line, a saved page) to a card.

Contract:

- ``async card_for_url(url, limits) -> Card``: what the queue job calls with
  the address a member shared. Normalizes it (``Refused`` code "not_web" or
  "bad_address" if it is not an http(s) address), fetches it under ``limits``
  and extracts a card: an article card for HTML, a ``file_card`` for anything
  else. Card ``url`` is the normalized address. Raises only ``Refused`` and
  ``FetchFailed`` (both ``LinkError``, with a member-facing ``reason``).
- ``async preview(url_or_file, limits, *, url=None) -> Card``: the
  ``townsquare preview`` command. An http(s) address goes through
  ``card_for_url``; a path (or file: URI) to a saved HTML page is read from
  disk and extracted, with ``url`` (default: the file's URI) as the address
  the page came from. Never call it with member input: it reads local files.
  A missing file raises ``FileNotFoundError``.
- ``card_json(card) -> dict``: exactly the keys ``url``, ``final_url``,
  ``canonical_url``, ``title``, ``site_name``, ``author``, ``published`` (ISO
  date string or None), ``lead``, ``image``, ``caption``, ``text`` — the
  output of ``townsquare preview --json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from townsquare.links.errors import BAD_ADDRESS, NOT_WEB, Refused
from townsquare.links.extract import Card, extract, file_card, is_html
from townsquare.links.fetch import FetchLimits, fetch
from townsquare.links.normalize import NOT_A_WEB_ADDRESS, normalize_url

__all__ = ["JSON_KEYS", "card_for_url", "card_json", "preview"]

JSON_KEYS = (
    "url",
    "final_url",
    "canonical_url",
    "title",
    "site_name",
    "author",
    "published",
    "lead",
    "image",
    "caption",
    "text",
)


async def card_for_url(url: str, limits: FetchLimits) -> Card:
    """Fetch a shared http(s) address safely and return its card."""
    try:
        normalized = normalize_url(url)
    except ValueError as exc:
        code = "not_web" if str(exc) == NOT_A_WEB_ADDRESS else "bad_address"
        raise Refused(code, NOT_WEB if code == "not_web" else BAD_ADDRESS, url) from None
    fetched = await fetch(normalized, limits)
    if not is_html(fetched.content_type, fetched.body):
        return file_card(normalized, fetched.final_url, fetched.content_type)
    return extract(fetched.body, normalized, fetched.final_url, charset=fetched.charset)


async def preview(url_or_file: str, limits: FetchLimits, *, url: str | None = None) -> Card:
    """The card for an http(s) address (fetched) or a saved HTML file (read from disk)."""
    scheme = urlsplit(url_or_file).scheme.lower()
    if scheme in ("http", "https"):
        return await card_for_url(url_or_file, limits)
    is_uri = scheme == "file"
    path = Path(unquote(urlsplit(url_or_file).path)) if is_uri else Path(url_or_file)
    body = path.read_bytes()
    source = url or path.resolve().as_uri()
    return extract(body, source, source)


def card_json(card: Card) -> dict[str, Any]:
    """The card as the JSON object ``townsquare preview --json`` prints."""
    values = {key: getattr(card, key) for key in JSON_KEYS}
    values["published"] = card.published.isoformat() if card.published else None
    return values
