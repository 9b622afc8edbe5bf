"""Cookies, CSRF tokens and security headers, shared by the HTML pages and the JSON API.

A log-in is a server-side session row; the cookie holds its token. Visitors who are not
logged in get a random ``ts_anon`` cookie so their forms (sign up, log in) carry a CSRF
token too. The token is an HMAC of whichever of the two the request has, so a page
rendered for one browser is useless to another site.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "ts_session"
ANON_COOKIE = "ts_anon"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

CSP = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI sets inline styles as it renders; only its page gets that allowance.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def csrf_token_for(secret: str, basis: str) -> str:
    return hmac.new(secret.encode(), f"csrf|{basis}".encode(), hashlib.sha256).hexdigest()


def csrf_basis(request: Request) -> str:
    """What the CSRF token is bound to: the log-in if there is one, else the visitor cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        return "s:" + hashlib.sha256(token.encode()).hexdigest()
    return "a:" + request.state.anon


def csrf_token(request: Request) -> str:
    """This request's token, computed once: a page prints it in every form."""
    token = getattr(request.state, "csrf", None)
    if token is None:
        token = request.state.csrf = csrf_token_for(request.app.state.secret, csrf_basis(request))
    return token


def csrf_ok(request: Request, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(str(given), csrf_token(request))


def cookie_secure(request: Request) -> bool:
    return request.url.scheme == "https"


def headers_for(csp: str = CSP) -> list[tuple[bytes, bytes]]:
    """The security headers every answer carries, with this content security policy."""
    return [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    ]


class SecurityMiddleware:
    """Gives visitors their anonymous cookie and adds security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        anon = cookies.get(ANON_COOKIE)
        new_anon = None
        if not anon or len(anon) > 64:
            anon = new_anon = secrets.token_urlsafe(24)
        scope.setdefault("state", {})["anon"] = anon
        path: str = scope["path"]
        csp = DOCS_CSP if path == "/api/docs" else CSP
        https = scope.get("scheme") == "https"

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [*message.get("headers", []), *headers_for(csp)]
                if new_anon and not path.startswith("/static/"):
                    flags = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if https else "")
                    headers.append((b"set-cookie", f"{ANON_COOKIE}={new_anon}{flags}".encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Starlette answers an unhandled error from outside every middleware, so its 500
            # would carry none of the headers; answer here instead, and still let it be logged.
            if not started:
                await send_with_headers(
                    {"type": "http.response.start", "status": 500,
                     "headers": [(b"content-type", b"text/plain; charset=utf-8")]}
                )  # fmt: skip
                await send_with_headers(
                    {"type": "http.response.body", "body": b"Something went wrong on our side."}
                )
            raise


def _cookies(scope: Scope) -> dict[str, str]:
    # Starlette's own parser: what request.cookies will say later, and it never raises on a
    # malformed header (that is the client's problem, not a 500).
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            return cookie_parser(value.decode("latin-1"))
    return {}


def set_session_cookie(response: Response, request: Request, token: str, days: int) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=days * 86400, httponly=True, samesite="lax",
        secure=cookie_secure(request), path="/",
    )  # fmt: skip


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
