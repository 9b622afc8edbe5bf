"""Where domain errors and HTTP errors become responses: a problem body under /api/, a page elsewhere.

Forms catch Invalid themselves (to show the member's text again with the message at the
field); everything that reaches this point is a whole-request failure.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from townsquare.api.errors import problem
from townsquare.db.models import Member
from townsquare.domain.errors import DomainError, Invalid, NotLoggedIn, RateLimited

log = logging.getLogger("townsquare.web")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, status: int, message: str) -> Response:
    titles = {401: "Log in first", 403: "Not allowed", 404: "Not found", 429: "Slow down"}
    return request.app.state.templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "heading": titles.get(status, "Something is wrong"), "message": message},
        status_code=status,
    )


# Database failures that pass on their own: (what to tell the member, seconds to wait).
BUSY = ("The site is busy and could not save this in time.", 5)
FULL = ("The site has run out of storage space, so it cannot save anything just now; "
        "its administrators have been told.", 60)  # fmt: skip
AWAY = ("The site cannot reach its database just now.", 10)
# PostgreSQL SQLSTATEs (or their classes) that mean "try again later", not "bug".
_PG_TRANSIENT = {"53": FULL, "55P03": BUSY, "57P01": AWAY, "57P02": AWAY, "57P03": AWAY,
                 "08": AWAY, "40001": BUSY, "40P01": BUSY}  # fmt: skip
_SQLITE_TRANSIENT = {"SQLITE_BUSY": BUSY, "SQLITE_LOCKED": BUSY, "SQLITE_FULL": FULL,
                     "SQLITE_IOERR": FULL, "SQLITE_CANTOPEN": AWAY}  # fmt: skip


def transient(exc: DBAPIError) -> tuple[str, int] | None:
    """The message and wait for a database failure that may pass (locked, busy, disk full,
    unreachable); None for one that is a bug (a missing table, a broken query)."""
    orig = exc.orig
    name = getattr(orig, "sqlite_errorname", None)
    if name is not None:
        return next((v for k, v in _SQLITE_TRANSIENT.items() if name.startswith(k)), None)
    state = getattr(orig, "sqlstate", None)
    if state:
        return _PG_TRANSIENT.get(state) or _PG_TRANSIENT.get(state[:2])
    # No SQLSTATE: the connection itself failed (refused, reset, timed out).
    return AWAY if exc.connection_invalidated or "connect" in str(orig).lower() else None


# Form fields never shown again: secrets, and what the page fills in by itself.
_HIDDEN = {"csrf_token", "next", "parent_id"}
_LONG = {"body", "description", "rules", "reason", "text"}


def _kept_fields(form: dict[str, str]) -> list[tuple[str, str, str]]:
    """(name, value, how to show it) for each field to send again: hidden, line or text."""
    kept = []
    for name, value in form.items():
        if "password" in name:
            continue
        if name in _HIDDEN or name.endswith("_id"):
            how = "hidden"
        elif name in _LONG or "\n" in value or len(value) > 120:
            how = "text"
        else:
            how = "line"
        kept.append((name, value, how))
    return kept


async def _reload_viewer(request: Request) -> None:
    """The failed transaction's rollback expired the viewer the page header shows; read it
    again in a session of its own (reads often still work), else show the page without."""
    viewer = getattr(request.state, "viewer", None)
    if viewer is None:
        return
    request.state.viewer = None
    identity = inspect(viewer).identity
    try:
        async with request.app.state.sessionmaker() as db:
            request.state.viewer = await db.get(Member, identity)
    except DBAPIError:
        pass


async def _unavailable(request: Request, message: str, wait: int) -> Response:
    """503 with Retry-After. A form post comes back with what the member typed, ready to
    send again, so nothing they wrote is lost."""
    headers = {"Retry-After": str(wait)}
    if _is_api(request):
        return problem(503, f"{message} Nothing was saved; try again in {wait} seconds.",
                       headers=headers)  # fmt: skip
    await _reload_viewer(request)
    fields: list[tuple[str, str, str]] = []
    if request.method == "POST":
        try:
            form = await request.form()  # already read by the route: Starlette keeps it
            fields = _kept_fields({k: v for k, v in form.items() if isinstance(v, str)})
        except Exception:  # a body that cannot be read again: the page says so plainly
            fields = []
    return request.app.state.templates.TemplateResponse(
        request,
        "unavailable.html",
        {"heading": "Not saved — try again shortly", "message": message, "wait": wait,
         "fields": fields, "action": request.url.path, "posted": request.method == "POST"},
        status_code=503,
        headers=headers,
    )  # fmt: skip


def install(app: FastAPI) -> None:
    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> Response:
        found = transient(exc)
        if found is None:
            raise exc  # a bug: let it be the 500 it is, with its traceback in the log
        message, wait = found
        level = logging.ERROR if found is FULL else logging.WARNING
        log.log(level, "%s %s: database unavailable (%s)", request.method, request.url.path,
                exc.orig)  # fmt: skip
        return await _unavailable(request, message, wait)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        if isinstance(exc, NotLoggedIn):
            headers = {"WWW-Authenticate": "Bearer"}
        if _is_api(request):
            errors = exc.errors if isinstance(exc, Invalid) else None
            return problem(exc.status, exc.message, errors=errors, headers=headers)
        if isinstance(exc, NotLoggedIn):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        response = _page(request, exc.status, exc.message)
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if _is_api(request):
            return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))
        if exc.status_code == 404 and detail == "Not Found":
            detail = "There is nothing at this address."
        return _page(request, exc.status_code, detail)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors: dict[str, str] = {}
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
            errors[".".join(loc) or "request"] = str(err.get("msg", "is not valid"))
        if _is_api(request):
            return problem(422, "The request is not valid.", errors=errors)
        return _page(request, 400, "That address or form is not valid.")
