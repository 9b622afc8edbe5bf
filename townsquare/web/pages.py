"""Helpers every HTML route uses: rendering, reading forms, redirects back."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from townsquare.web.pagecache import PLACEHOLDER
from townsquare.web.security import csrf_token


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status: int = 200) -> HTMLResponse:  # fmt: skip
    return request.app.state.templates.TemplateResponse(
        request, template, context or {}, status_code=status
    )


def render_with_kept_parts(request: Request, template: str, context: dict[str, Any],
                           status: int = 200) -> HTMLResponse:  # fmt: skip
    """Render a page that reuses parts kept for other viewers (``web/fragments.py``).

    Kept parts hold a placeholder where a CSRF token goes; the whole page is rendered with
    it and this viewer's token replaces it once. When the visitors' page cache is filling
    this page, it has set the placeholder already and does the replacing itself.
    """
    if getattr(request.state, "csrf", None) == PLACEHOLDER:
        return render(request, template, context, status)
    real = csrf_token(request)
    request.state.csrf = PLACEHOLDER
    try:
        response = render(request, template, context, status)
    finally:
        request.state.csrf = real
    response.body = response.body.replace(PLACEHOLDER.encode(), real.encode())  # same length
    return response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form as plain strings (files and repeated fields are not used by our forms)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths, so ?next= cannot send a member to another site."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    # Browsers read "/\host" as "//host" and drop tabs and newlines: refuse them all.
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    return target


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1
