"""The two ways getting a shared link can fail, each with a member-facing reason.

``LinkError`` is the common base so a caller (the queue job, the CLI) can catch
one thing; ``code`` is a stable identifier to store, ``reason`` is shown to the
member who shared the link, and ``detail`` is for logs only (it may name the
address that was refused, which the member must not learn from us).
"""

from __future__ import annotations


class LinkError(Exception):
    """A shared link could not be turned into a card; ``reason`` is safe to show."""

    def __init__(self, code: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{code}: {reason}" + (f" ({detail})" if detail else ""))
        self.code = code
        self.reason = reason
        self.detail = detail


class Refused(LinkError):
    """We will not fetch this address (not http(s), malformed, or not a public address)."""


class FetchFailed(LinkError):
    """The fetch was allowed but did not give us a usable page (timeout, error, too big…)."""


# Reasons shown to members; one wording per situation everywhere.
NOT_ALLOWED = "that address is not allowed"
NOT_WEB = "that address is not a web page"
BAD_ADDRESS = "that address is not valid"
TIMEOUT = "the site took too long to answer"
TOO_LARGE = "the page is too large"
TOO_MANY_REDIRECTS = "too many redirects"
UNREACHABLE = "the site could not be reached"
UNREADABLE = "the site sent a page that could not be read"


def http_error(status: int) -> str:
    """The member-facing reason for a non-2xx final answer."""
    return f"the site answered with an error (HTTP {status})"
