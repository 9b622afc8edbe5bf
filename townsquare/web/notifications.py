"""Notifications, email settings, unsubscribe links, password reset and address confirmation."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Member
from townsquare.domain import mail, notifications
from townsquare.domain.errors import Invalid, NotLoggedIn
from townsquare.web.deps import get_db, get_viewer, limit, rate_limit
from townsquare.web.pages import form_data, is_htmx, redirect, render

router = APIRouter()


async def count_unread(request: Request, db: AsyncSession = Depends(get_db),
                       viewer: Member | None = Depends(get_viewer)) -> None:  # fmt: skip
    """For the header: the logged-in member's unread count. htmx fragments skip it, and so
    do form posts: most answer with a redirect, and the page they lead to counts afresh."""
    if viewer is not None and request.method == "GET" and not is_htmx(request):
        request.state.unread_count = await notifications.unread_count(db, viewer.id)


@router.get("/notifications")
async def notifications_page(request: Request, before: int | None = None,
                             db: AsyncSession = Depends(get_db),
                             viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    items, more = await notifications.notifications_page(db, viewer, before=before)
    return render(request, "notifications.html", {"items": items, "more": more})


@router.get("/notifications/{notification_id}")
async def follow(notification_id: int, db: AsyncSession = Depends(get_db),
                 viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    return redirect(await notifications.open_notification(db, viewer, notification_id))


@router.post("/notifications/read")
async def read_all(db: AsyncSession = Depends(get_db), viewer: Member | None = Depends(get_viewer)):
    await notifications.mark_all_read(db, viewer)
    return redirect("/notifications")


def _settings_ctx(viewer: Member, modes: dict[str, str], **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"kinds": notifications.KINDS, "modes": modes, "member": viewer, "errors": {},
            "saved": False, "sent": False, **extra}  # fmt: skip


@router.get("/settings/notifications")
async def settings_form(request: Request, db: AsyncSession = Depends(get_db),
                        viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    if viewer is None:
        raise NotLoggedIn()
    modes = await notifications.email_modes(db, viewer.id)
    return render(request, "notification_settings.html", _settings_ctx(viewer, modes))


@router.post("/settings/notifications")
async def settings_save(request: Request, db: AsyncSession = Depends(get_db),
                        viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    if viewer is None:
        raise NotLoggedIn()
    form = await form_data(request)
    chosen = {k: form[k] for k in notifications.KINDS if k in form}
    try:
        modes = await notifications.set_email_modes(db, viewer, chosen)
    except Invalid as exc:
        modes = await notifications.email_modes(db, viewer.id) | chosen
        return render(request, "notification_settings.html",
                      _settings_ctx(viewer, modes, errors=exc.errors), status=422)  # fmt: skip
    return render(request, "notification_settings.html", _settings_ctx(viewer, modes, saved=True))


@router.post("/settings/notifications/confirm", dependencies=[Depends(rate_limit("login"))])
async def resend_confirmation(request: Request, db: AsyncSession = Depends(get_db),
                              viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    if viewer is None:
        raise NotLoggedIn()
    if viewer.email_confirmed_at is None:
        await mail.request_confirmation(db, viewer)
    modes = await notifications.email_modes(db, viewer.id)
    return render(request, "notification_settings.html", _settings_ctx(viewer, modes, sent=True))


@router.get("/unsubscribe/{token}")
async def unsubscribe_form(token: str, request: Request, viewer=Depends(get_viewer)):
    found = mail.read_unsubscribe_token(request.app.state.secret, token)
    label = None
    if found is not None:
        label = "all email" if found[1] == "all" else notifications.KINDS.get(found[1], ("",))[0]
    return render(request, "email_pages/unsubscribe.html",
                  {"token": token, "label": label, "done": False},
                  status=200 if label else 404)  # fmt: skip


@router.post("/unsubscribe/{token}")
async def unsubscribe(token: str, request: Request, db: AsyncSession = Depends(get_db),
                      viewer=Depends(get_viewer)):  # fmt: skip
    member, kind = await notifications.unsubscribe(db, request.app.state.secret, token)
    label = "all email" if kind == "all" else notifications.KINDS[kind][0]
    return render(request, "email_pages/unsubscribe.html",
                  {"token": token, "label": label, "done": True})  # fmt: skip


@router.get("/confirm/{token}")
async def confirm(token: str, request: Request, db: AsyncSession = Depends(get_db),
                  viewer=Depends(get_viewer)):  # fmt: skip
    try:
        member = await mail.confirm_email(db, token)
    except Invalid as exc:
        return render(request, "email_pages/confirmed.html",
                      {"error": exc.errors["token"], "member": None}, status=400)  # fmt: skip
    return render(request, "email_pages/confirmed.html", {"error": None, "member": member})


@router.get("/password/forgot")
async def forgot_form(request: Request, viewer=Depends(get_viewer)):
    return render(request, "email_pages/forgot.html", {"values": {}, "errors": {}, "sent": False})


@router.post("/password/forgot", dependencies=[Depends(rate_limit("reset"))])
async def forgot(request: Request, db: AsyncSession = Depends(get_db), viewer=Depends(get_viewer)):
    form = await form_data(request)
    # Per address asked about too, so nobody can fill one inbox with reset emails.
    email = mail.normalized_email(form.get("email"))
    await limit(request, "reset", "e:" + hashlib.sha256(email.encode()).hexdigest()[:32])
    try:
        await mail.request_password_reset(db, form.get("email", ""))
    except Invalid as exc:
        return render(request, "email_pages/forgot.html",
                      {"values": form, "errors": exc.errors, "sent": False}, status=422)  # fmt: skip
    return render(request, "email_pages/forgot.html",
                  {"values": form, "errors": {}, "sent": True})  # fmt: skip


@router.get("/password/reset/{token}")
async def reset_form(token: str, request: Request, db: AsyncSession = Depends(get_db),
                     viewer=Depends(get_viewer)):  # fmt: skip
    try:
        await mail.check_reset_token(db, token)
    except Invalid as exc:
        return render(request, "email_pages/reset.html",
                      {"token": token, "errors": exc.errors, "values": {}}, status=400)  # fmt: skip
    return render(request, "email_pages/reset.html", {"token": token, "errors": {}, "values": {}})


@router.post("/password/reset/{token}", dependencies=[Depends(rate_limit("login"))])
async def reset(token: str, request: Request, db: AsyncSession = Depends(get_db),
                viewer=Depends(get_viewer)):  # fmt: skip
    form = await form_data(request)
    try:
        await mail.reset_password(db, token, form.get("password", ""))
    except Invalid as exc:
        status = 400 if "token" in exc.errors else 422
        return render(request, "email_pages/reset.html",
                      {"token": token, "errors": exc.errors, "values": {}}, status=status)  # fmt: skip
    return redirect("/login?reset=1")
