"""Request dependencies shared by both faces: the database session, the viewer, CSRF."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Depends, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.config import Settings
from townsquare.db.models import Member
from townsquare.domain import accounts
from townsquare.web.security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, UNSAFE, csrf_ok


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def bearer_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def get_viewer(request: Request, db: AsyncSession = Depends(get_db)) -> Member | None:
    """The member making the request (API token or session cookie), or None for a visitor."""
    if hasattr(request.state, "viewer"):
        return request.state.viewer
    viewer = None
    request.state.session_id = None
    token = bearer_token(request)
    if token is not None:
        found = await accounts.session_member(db, token, kind="api")
        if found is None:
            raise HTTPException(
                401, "That API token is not valid.", headers={"WWW-Authenticate": "Bearer"}
            )
    else:
        found = await accounts.session_member(db, request.cookies.get(SESSION_COOKIE))
    if found is not None:
        viewer, request.state.session_id = found
    request.state.viewer = viewer
    return viewer


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request without this browser's CSRF token (bearer tokens excepted)."""
    if request.method not in UNSAFE or bearer_token(request) is not None:
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not csrf_ok(request, given):
        raise HTTPException(
            403,
            "This form has expired or did not come from this site; reload the page and try again.",
        )


def client_address(request: Request) -> str:
    """The client's address; behind a proxy, uvicorn puts the forwarded one here when trusted."""
    return request.client.host if request.client else "unknown"


_MESSAGES = {
    "signup": "Too many sign-ups from your network; try again later.",
    "login": "Too many log-in attempts; wait a minute and try again.",
    "post": "You are posting very fast; wait a moment and try again.",
    "reset": "Too many password reset requests; try again later.",
    "search": "You are searching very fast; wait a moment and try again.",
}


async def limit(request: Request, action: str, key: str) -> None:
    """Count one hit of the action against one key: a client address, a member, an address."""
    rate = request.app.state.rates[action]
    await request.app.state.limiter.hit(action, key, rate, _MESSAGES[action])


async def limit_login_to(request: Request, db: AsyncSession, login: str) -> None:
    """Log-in attempts count against the account named too, so guesses spread over many
    addresses still meet the limit, whether they name it by its name or its email."""
    await limit(request, "login", await accounts.login_key(db, login))


def rate_limit(action: str):  # type: ignore[no-untyped-def]
    """A dependency that counts this request against the action's limit (posts: per member)."""

    async def check(request: Request, viewer: Member | None = Depends(get_viewer)) -> None:
        if request.method not in UNSAFE:
            return
        key = f"m{viewer.id}" if action == "post" and viewer else client_address(request)
        await limit(request, action, key)

    return check


async def limit_search(request: Request, viewer: Member | None) -> None:
    """Count a search against its member's limit, or its address's for a visitor: a search
    for a common word is the costliest read anyone can ask of the site."""
    await limit(request, "search", f"m{viewer.id}" if viewer else client_address(request))


async def refuse_nul(request: Request) -> None:
    """No address a page links to holds a NUL character, and PostgreSQL cannot compare text
    that does: such a path or query is answered 404 on both databases, never a 500."""
    query = request.query_params.multi_items()
    if "\x00" in request.url.path or any("\x00" in k + v for k, v in query):
        raise HTTPException(404, "There is no such page.")
