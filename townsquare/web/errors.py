"""Where domain errors and HTTP errors become responses: a problem body under /api/, a page elsewhere.

Forms catch Invalid themselves (to show the member's text again with the message at the
field); everything that reaches this point is a whole-request failure.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from townsquare.api.errors import problem
from townsquare.domain.errors import DomainError, Invalid, NotLoggedIn, RateLimited


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


def install(app: FastAPI) -> None:
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
