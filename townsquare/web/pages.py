"""Helpers every HTML route uses: rendering, reading forms, redirects back."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status: int = 200) -> HTMLResponse:  # fmt: skip
    return request.app.state.templates.TemplateResponse(
        request, template, context or {}, status_code=status
    )


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
    return target


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1
