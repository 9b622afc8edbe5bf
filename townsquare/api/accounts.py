"""Signing up, logging in and out, API tokens, one's own profile and other members'."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from townsquare.api.deps import Config, Db, Viewer, logged_in
from townsquare.api.errors import RATE_LIMITED
from townsquare.api.schemas import (
    CsrfOut,
    LoginIn,
    MemberOut,
    MeOut,
    PasswordIn,
    ProfileIn,
    SignupIn,
    TokenIn,
    TokenOut,
    me_out,
    member_out,
)
from townsquare.domain import accounts
from townsquare.web.deps import limit_login_to, rate_limit
from townsquare.web.security import (
    SESSION_COOKIE,
    clear_session_cookie,
    csrf_token,
    set_session_cookie,
)

router = APIRouter(tags=["accounts"])
# Exchanging a password for a token uses no cookie, so there is nothing for CSRF to forge;
# routes.py mounts this router without the CSRF check so scripts can call it directly.
credentials = APIRouter(tags=["accounts"])


@router.get("/auth/csrf")
async def get_csrf_token(request: Request) -> CsrfOut:
    """The CSRF token for this browser's cookies: send it as X-CSRF-Token on cookie-authenticated writes.

    Logging in or out changes it; fetch it again afterwards.
    """
    return CsrfOut(csrf_token=csrf_token(request))


@router.post(
    "/auth/signup",
    status_code=201,
    dependencies=[Depends(rate_limit("signup"))],
    responses=RATE_LIMITED,
)
async def sign_up(body: SignupIn, db: Db) -> MeOut:
    """Create an account; log in afterwards with /auth/login or /auth/tokens."""
    member = await accounts.sign_up(
        db, name=body.name, email=body.email, password=body.password,
        display_name=body.display_name,
    )  # fmt: skip
    return me_out(member)


@router.post("/auth/login", dependencies=[Depends(rate_limit("login"))], responses=RATE_LIMITED)
async def log_in(
    body: LoginIn, request: Request, response: Response, db: Db, settings: Config
) -> MeOut:
    """Log in with a session cookie, as the site's pages do."""
    await limit_login_to(request, db, body.login)
    member = await accounts.authenticate(db, login=body.login, password=body.password)
    held = request.cookies.get(SESSION_COOKIE)
    if held:  # a log-in this browser already held ends: the new one gets a fresh token
        await accounts.close_session(db, accounts.token_hash(held))
    token = await accounts.open_session(db, member, days=settings.session_days)
    set_session_cookie(response, request, token, settings.session_days)
    return me_out(member)


@router.post("/auth/logout", status_code=204)
async def log_out(request: Request, db: Db, viewer: Viewer) -> Response:
    """End this log-in on the server: the cookie, or the bearer token used, stops working."""
    if viewer is not None:
        await accounts.close_session(db, request.state.session_id, viewer.id)
    response = Response(status_code=204)
    clear_session_cookie(response)
    return response


@credentials.post(
    "/auth/tokens",
    status_code=201,
    dependencies=[Depends(rate_limit("login"))],
    responses=RATE_LIMITED,
)
async def create_token(body: TokenIn, request: Request, db: Db) -> TokenOut:
    """A bearer token for scripts and apps; it lasts until revoked with /auth/logout."""
    await limit_login_to(request, db, body.login)
    member = await accounts.authenticate(db, login=body.login, password=body.password)
    label = body.label.strip()
    token = await accounts.open_session(db, member, days=None, kind="api", label=label)
    return TokenOut(token=token, label=label)


@router.get("/me")
async def get_me(viewer: Viewer) -> MeOut:
    """The account making the request."""
    return me_out(logged_in(viewer))


@router.patch("/me")
async def update_me(body: ProfileIn, db: Db, viewer: Viewer) -> MeOut:
    """Change the display name and bio; a field left out keeps its value."""
    me = logged_in(viewer)
    member = await accounts.update_profile(
        db, me,
        display_name=me.display_name if body.display_name is None else body.display_name,
        bio=me.bio if body.bio is None else body.bio,
    )  # fmt: skip
    return me_out(member)


@router.put(
    "/me/password",
    status_code=204,
    dependencies=[Depends(rate_limit("login"))],
    responses=RATE_LIMITED,
)
async def change_password(body: PasswordIn, request: Request, db: Db, viewer: Viewer) -> Response:
    """Change the password; every other log-in and API token ends (this one stays)."""
    await accounts.change_password(
        db, logged_in(viewer), current=body.current_password, new=body.new_password,
        keep_session=request.state.session_id,
    )  # fmt: skip
    return Response(status_code=204)


@router.get("/members/{name}")
async def get_member(name: Annotated[str, Path(max_length=64)], db: Db) -> MemberOut:
    """A member's public profile."""
    return member_out(await accounts.member_by_name(db, name))
