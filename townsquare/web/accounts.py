"""Sign up, log in and out, profile settings, member pages."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Member
from townsquare.domain import accounts, points, profiles, safety
from townsquare.domain.errors import Invalid, NotLoggedIn
from townsquare.web.deps import get_db, get_settings, get_viewer, limit_login_to, rate_limit
from townsquare.web.pages import form_data, redirect, render, safe_next
from townsquare.web.security import SESSION_COOKIE, clear_session_cookie, set_session_cookie

router = APIRouter()


async def _logged_in(request: Request, db: AsyncSession, member: Member, next_url: str) -> Response:
    days = get_settings(request).session_days
    held = request.cookies.get(SESSION_COOKIE)
    if held:  # a log-in this browser already held ends: the new one gets a fresh token
        await accounts.close_session(db, accounts.token_hash(held))
    token = await accounts.open_session(db, member, days=days)
    response = redirect(safe_next(next_url))
    set_session_cookie(response, request, token, days)
    return response


@router.get("/signup")
async def signup_form(request: Request, next: str = "/", viewer=Depends(get_viewer)):
    return render(request, "accounts/signup.html", {"values": {}, "errors": {}, "next": next})


@router.post("/signup", dependencies=[Depends(rate_limit("signup"))])
async def signup(request: Request, db: AsyncSession = Depends(get_db), viewer=Depends(get_viewer)):
    form = await form_data(request)
    try:
        member = await accounts.sign_up(
            db, name=form.get("name", ""), email=form.get("email", ""),
            password=form.get("password", ""), display_name=form.get("display_name", ""),
        )  # fmt: skip
    except Invalid as exc:
        values = {k: v for k, v in form.items() if k != "password"}
        ctx = {"values": values, "errors": exc.errors, "next": form.get("next", "/")}
        return render(request, "accounts/signup.html", ctx, status=422)
    return await _logged_in(request, db, member, form.get("next", "/"))


@router.get("/login")
async def login_form(request: Request, next: str = "/", viewer=Depends(get_viewer)):
    return render(request, "accounts/login.html", {"values": {}, "errors": {}, "next": next})


@router.post("/login", dependencies=[Depends(rate_limit("login"))])
async def login(request: Request, db: AsyncSession = Depends(get_db), viewer=Depends(get_viewer)):
    form = await form_data(request)
    await limit_login_to(request, db, form.get("login", ""))
    try:
        member = await accounts.authenticate(
            db, login=form.get("login", ""), password=form.get("password", "")
        )
    except Invalid as exc:
        ctx = {"values": {"login": form.get("login", "")}, "errors": exc.errors,
               "next": form.get("next", "/")}  # fmt: skip
        return render(request, "accounts/login.html", ctx, status=422)
    return await _logged_in(request, db, member, form.get("next", "/"))


@router.post("/logout")
async def logout(request: Request, db: AsyncSession = Depends(get_db), viewer=Depends(get_viewer)):
    if request.state.session_id:
        await accounts.close_session(db, request.state.session_id, viewer.id)
    response = redirect("/")
    clear_session_cookie(response)
    return response


@router.get("/settings/profile")
async def profile_form(request: Request, viewer: Member | None = Depends(get_viewer)):
    if viewer is None:
        raise NotLoggedIn()
    values = {"display_name": viewer.display_name, "bio": viewer.bio,
              "mask_profanity": "on" if viewer.mask_profanity else ""}  # fmt: skip
    return render(request, "accounts/settings.html", {"values": values, "errors": {}})


@router.post("/settings/profile")
async def profile_save(request: Request, db: AsyncSession = Depends(get_db),
                       viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    form = await form_data(request)
    try:
        member = await accounts.update_profile(
            db, viewer, display_name=form.get("display_name", ""), bio=form.get("bio", "")
        )
    except Invalid as exc:
        return render(request, "accounts/settings.html",
                      {"values": form, "errors": exc.errors}, status=422)  # fmt: skip
    await safety.set_mask_profanity(db, member, form.get("mask_profanity") == "on")
    return redirect(f"/u/{member.name}")


@router.get("/settings/password")
async def password_form(request: Request, viewer: Member | None = Depends(get_viewer)):
    if viewer is None:
        raise NotLoggedIn()
    return render(request, "accounts/password.html", {"values": {}, "errors": {}, "saved": False})


@router.post("/settings/password", dependencies=[Depends(rate_limit("login"))])
async def password_save(request: Request, db: AsyncSession = Depends(get_db),
                        viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    form = await form_data(request)
    try:
        await accounts.change_password(
            db, viewer, current=form.get("current_password", ""), new=form.get("password", ""),
            keep_session=request.state.session_id,
        )  # fmt: skip
    except Invalid as exc:
        ctx = {"values": {}, "errors": exc.errors, "saved": False}
        return render(request, "accounts/password.html", ctx, status=422)
    return render(request, "accounts/password.html", {"values": {}, "errors": {}, "saved": True})


@router.get("/levels")
async def levels(request: Request, viewer=Depends(get_viewer)):
    rules = points.Rules.from_settings(get_settings(request))
    return render(request, "levels.html", {"rules": rules})


@router.get("/u/{name}")
async def member_page(name: str, request: Request, tab: str = "discussions",
                      before: str | None = None, db: AsyncSession = Depends(get_db),
                      viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    profile = await profiles.member_profile(db, viewer, name, tab=tab, before=before)
    blocking = await safety.is_blocking(db, viewer, profile.member)
    return render(request, "accounts/profile.html", {"profile": profile, "blocking": blocking})
