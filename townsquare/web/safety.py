"""Reports, the moderation pages, site bans, blocks: the HTML face of domain/safety and
domain/reports."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Member
from townsquare.domain import groups, moderation, reports, safety
from townsquare.domain.accounts import member_by_name
from townsquare.domain.errors import Invalid, NotFound, NotLoggedIn
from townsquare.web.deps import get_db, get_viewer
from townsquare.web.pages import form_data, redirect, render

router = APIRouter()


def _target_id(raw: str | None) -> int:
    if not raw or not raw.isdigit() or len(raw) > 18:
        raise NotFound("There is nothing to report there.")
    return int(raw)


# --- reports


@router.get("/report")
async def report_form(request: Request, type: str = "", id: str = "",
                      db: AsyncSession = Depends(get_db),
                      viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    if viewer is None:
        raise NotLoggedIn()
    target = await reports.find_target(db, viewer, type, _target_id(id))
    ctx = {"target": target, "values": {}, "errors": {}, "done": False}
    return render(request, "safety/report.html", ctx)


@router.post("/report")
async def report_save(request: Request, db: AsyncSession = Depends(get_db),
                      viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    form = await form_data(request)
    if viewer is None:
        raise NotLoggedIn()
    kind, target_id = form.get("target_type", ""), _target_id(form.get("target_id"))
    target = await reports.find_target(db, viewer, kind, target_id)
    try:
        await reports.report(db, viewer, kind, target_id, form.get("reason", ""))
    except Invalid as exc:
        ctx = {"target": target, "values": form, "errors": exc.errors, "done": False}
        return render(request, "safety/report.html", ctx, status=422)
    return render(request, "safety/report.html",
                  {"target": target, "values": {}, "errors": {}, "done": True})  # fmt: skip


@router.get("/moderation/reports")
async def reports_page(request: Request, db: AsyncSession = Depends(get_db),
                       viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    listed = await reports.open_reports(db, viewer)
    return render(request, "safety/reports.html", {"reports": listed, "errors": {}})


@router.post("/moderation/reports/{report_id}")
async def resolve_report(report_id: int, request: Request, db: AsyncSession = Depends(get_db),
                         viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    form = await form_data(request)
    try:
        await reports.resolve(db, viewer, report_id, form.get("outcome", ""), form.get("note", ""))
    except Invalid as exc:
        listed = await reports.open_reports(db, viewer)
        ctx = {"reports": listed, "errors": {report_id: exc.errors},
               "values": {report_id: form}}  # fmt: skip
        return render(request, "safety/reports.html", ctx, status=422)
    return redirect("/moderation/reports")


@router.get("/moderation/log")
async def log_page(request: Request, db: AsyncSession = Depends(get_db),
                   viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    return await _log(request, db, viewer, None)


@router.get("/g/{slug}/log")
async def group_log_page(slug: str, request: Request, db: AsyncSession = Depends(get_db),
                         viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    """A group's own part of the log, for its host and moderators."""
    view = await groups.visible_group(db, viewer, slug)
    return await _log(request, db, viewer, view.group)


async def _log(request: Request, db: AsyncSession, viewer: Member | None, group):  # type: ignore[no-untyped-def]
    entries = await moderation.log_entries(db, viewer, group)
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    actors = {m.id: m for m in await db.scalars(select(Member).where(Member.id.in_(ids)))}
    ctx = {"entries": entries, "actors": actors, "group": group}
    return render(request, "safety/log.html", ctx)


# --- site bans


@router.get("/u/{name}/ban")
async def ban_form(name: str, request: Request, db: AsyncSession = Depends(get_db),
                   viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    member = await member_by_name(db, name)
    safety.may_ban(viewer, member)
    return render(request, "safety/ban.html", {"m": member, "values": {}, "errors": {}})


@router.post("/u/{name}/ban")
async def ban(name: str, request: Request, db: AsyncSession = Depends(get_db),
              viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    form = await form_data(request)
    try:
        member = await safety.ban(db, viewer, name, reason=form.get("reason", ""),
                                  remove_content=form.get("remove_content") == "on")  # fmt: skip
    except Invalid as exc:
        member = await member_by_name(db, name)
        ctx = {"m": member, "values": form, "errors": exc.errors}
        return render(request, "safety/ban.html", ctx, status=422)
    return redirect(f"/u/{member.name}")


@router.post("/u/{name}/unban")
async def unban(name: str, request: Request, db: AsyncSession = Depends(get_db),
                viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    form = await form_data(request)
    member = await safety.unban(db, viewer, name, reason=form.get("reason", ""))
    return redirect(f"/u/{member.name}")


# --- blocks


@router.post("/u/{name}/block")
async def block(name: str, db: AsyncSession = Depends(get_db),
                viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    member = await safety.block(db, viewer, name)
    return redirect(f"/u/{member.name}")


@router.post("/u/{name}/unblock")
async def unblock(name: str, request: Request, db: AsyncSession = Depends(get_db),
                  viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    form = await form_data(request)
    member = await safety.unblock(db, viewer, name)
    return redirect("/settings/blocked" if form.get("back") == "list" else f"/u/{member.name}")


@router.get("/settings/blocked")
async def blocked_list(request: Request, db: AsyncSession = Depends(get_db),
                       viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    members = await safety.blocked_members(db, viewer)
    return render(request, "safety/blocked.html", {"members": members})
