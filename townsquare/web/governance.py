"""Group governance pages: settings, moderators, join requests, members and bans, and the
moderator's buttons on discussions and comments. Thin adapters over domain/governance."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Member
from townsquare.domain import comments, discussions, governance, permissions
from townsquare.domain.errors import Invalid
from townsquare.web.deps import get_db, get_viewer
from townsquare.web.pages import form_data, redirect, render

router = APIRouter()

Db = Annotated[AsyncSession, Depends(get_db)]
Viewer = Annotated[Member | None, Depends(get_viewer)]
Slug = Annotated[str, Path(max_length=100)]
Name = Annotated[str, Path(max_length=100)]
# The largest id both databases store; larger numbers are a 400 page, never an overflow.
ItemId = Annotated[int, Path(ge=1, le=2**63 - 1)]


# Settings


@router.get("/g/{slug}/settings")
async def settings_form(slug: Slug, request: Request, db: Db, viewer: Viewer) -> Response:
    view = await governance.settings_of(db, viewer, slug)
    ctx = {"view": view, "values": governance.settings_values(view.group), "errors": {}}
    return render(request, "groups/settings.html", ctx)


@router.post("/g/{slug}/settings")
async def save_settings(slug: Slug, request: Request, db: Db, viewer: Viewer) -> Response:
    form = await form_data(request)
    fields = ("name", "description", "rules", "post_policy", "comment_policy", "join_policy",
              "min_level", "visibility")  # fmt: skip
    try:
        await governance.update_settings(db, viewer, slug, **{k: form.get(k, "") for k in fields})
    except Invalid as exc:
        view = await governance.settings_of(db, viewer, slug)
        ctx = {"view": view, "values": form, "errors": exc.errors}
        return render(request, "groups/settings.html", ctx, status=422)
    return redirect(f"/g/{slug}")


# Moderators


async def _moderators_page(request: Request, db: AsyncSession, viewer: Member | None, slug: str,
                           values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Response:  # fmt: skip
    view, staff, others = await governance.moderators(db, viewer, slug)
    ctx = {"view": view, "staff": staff, "others": others, "values": values, "errors": errors}
    return render(request, "groups/moderators.html", ctx, status=status)


@router.get("/g/{slug}/moderators")
async def moderators_page(slug: Slug, request: Request, db: Db, viewer: Viewer) -> Response:
    return await _moderators_page(request, db, viewer, slug, {}, {})


@router.post("/g/{slug}/moderators")
async def appoint(slug: Slug, request: Request, db: Db, viewer: Viewer) -> Response:
    form = await form_data(request)
    try:
        await governance.appoint_moderator(db, viewer, slug, form.get("member", ""))
    except Invalid as exc:
        return await _moderators_page(request, db, viewer, slug, form, exc.errors, 422)
    return redirect(f"/g/{slug}/moderators")


@router.post("/g/{slug}/moderators/{name}/remove")
async def dismiss(slug: Slug, name: Name, db: Db, viewer: Viewer) -> Response:
    await governance.remove_moderator(db, viewer, slug, name)
    return redirect(f"/g/{slug}/moderators")


# Join requests


@router.get("/g/{slug}/requests")
async def requests_page(slug: Slug, request: Request, db: Db, viewer: Viewer) -> Response:
    view, asking = await governance.join_requests(db, viewer, slug)
    return render(request, "groups/requests.html", {"view": view, "asking": asking})


@router.post("/g/{slug}/requests/{name}/approve")
async def approve(slug: Slug, name: Name, db: Db, viewer: Viewer) -> Response:
    await governance.approve_request(db, viewer, slug, name)
    return redirect(f"/g/{slug}/requests")


@router.post("/g/{slug}/requests/{name}/deny")
async def deny(slug: Slug, name: Name, request: Request, db: Db, viewer: Viewer) -> Response:
    form = await form_data(request)
    await governance.deny_request(db, viewer, slug, name, form.get("reason", ""))
    return redirect(f"/g/{slug}/requests")


# Members and bans


async def _members_page(request: Request, db: AsyncSession, viewer: Member | None, slug: str,
                        values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Response:  # fmt: skip
    view, active, banned = await governance.members(db, viewer, slug)
    ctx = {"view": view, "active": active, "banned": banned, "values": values, "errors": errors}
    return render(request, "groups/members.html", ctx, status=status)


@router.get("/g/{slug}/members")
async def members_page(slug: Slug, request: Request, db: Db, viewer: Viewer) -> Response:
    return await _members_page(request, db, viewer, slug, {}, {})


@router.post("/g/{slug}/bans")
async def ban(slug: Slug, request: Request, db: Db, viewer: Viewer) -> Response:
    form = await form_data(request)
    try:
        await governance.ban_member(
            db, viewer, slug, form.get("member", ""), form.get("reason", "")
        )
    except Invalid as exc:
        return await _members_page(request, db, viewer, slug, form, exc.errors, 422)
    return redirect(f"/g/{slug}/members")


@router.post("/g/{slug}/bans/{name}/lift")
async def unban(slug: Slug, name: Name, db: Db, viewer: Viewer) -> Response:
    await governance.unban_member(db, viewer, slug, name)
    return redirect(f"/g/{slug}/members")


# Discussions: pin, lock, promote


FLAGS = {
    "pin": (governance.set_pinned, True), "unpin": (governance.set_pinned, False),
    "lock": (governance.set_locked, True), "unlock": (governance.set_locked, False),
    "promote": (governance.set_promoted, True), "unpromote": (governance.set_promoted, False),
}  # fmt: skip


def _flag_route(verb: str) -> None:
    change, on = FLAGS[verb]

    async def flag(discussion_id: ItemId, db: Db, viewer: Viewer) -> Response:
        await change(db, viewer, discussion_id, on)
        return redirect(f"/d/{discussion_id}")

    flag.__name__ = f"discussion_{verb}"
    router.add_api_route(f"/d/{{discussion_id}}/{verb}", flag, methods=["POST"])


for _verb in FLAGS:
    _flag_route(_verb)


# Removing and reinstating, with a reason the author sees


async def _remove_page(request: Request, db: AsyncSession, viewer: Member | None, kind: str,
                       item_id: int, values: dict[str, Any], errors: dict[str, str],
                       status: int = 200) -> Response:  # fmt: skip
    if kind == "discussion":
        found = await discussions.locate(db, viewer, item_id)
        item, title, back = found.discussion, found.discussion.title, f"/d/{item_id}"
    else:
        comment = await comments.find_comment(db, viewer, item_id)
        found, item = comment.where, comment.comment
        title = found.discussion.title
        back = f"/d/{found.discussion.id}/c/{item_id}"
    # Only the group's moderators get the form; the removal itself checks the same rule.
    permissions.require(viewer, f"{kind}.remove", item, group=found.group,
                        membership=found.membership)  # fmt: skip
    ctx = {"kind": kind, "item_id": item_id, "title": title, "back": back,
           "action": f"/{kind[0]}/{item_id}/remove", "values": values, "errors": errors}  # fmt: skip
    return render(request, "groups/remove.html", ctx, status=status)


async def _remove(request: Request, db: AsyncSession, viewer: Member | None, kind: str,
                  item_id: int) -> Response:  # fmt: skip
    form = await form_data(request)
    try:
        item = await governance.remove(db, viewer, kind, item_id, form.get("reason", ""))
    except Invalid as exc:
        return await _remove_page(request, db, viewer, kind, item_id, form, exc.errors, 422)
    return redirect(_back(kind, item))


def _back(kind: str, item: Any) -> str:
    if kind == "discussion":
        return f"/d/{item.id}"
    return f"/d/{item.discussion_id}/c/{item.id}"


@router.get("/d/{discussion_id}/remove")
async def remove_discussion_form(discussion_id: ItemId, request: Request, db: Db, viewer: Viewer) -> Response:  # fmt: skip
    return await _remove_page(request, db, viewer, "discussion", discussion_id, {}, {})


@router.post("/d/{discussion_id}/remove")
async def remove_discussion(discussion_id: ItemId, request: Request, db: Db, viewer: Viewer) -> Response:  # fmt: skip
    return await _remove(request, db, viewer, "discussion", discussion_id)


@router.post("/d/{discussion_id}/reinstate")
async def reinstate_discussion(discussion_id: ItemId, db: Db, viewer: Viewer) -> Response:
    item = await governance.reinstate(db, viewer, "discussion", discussion_id)
    return redirect(_back("discussion", item))


@router.get("/c/{comment_id}/remove")
async def remove_comment_form(comment_id: ItemId, request: Request, db: Db, viewer: Viewer) -> Response:  # fmt: skip
    return await _remove_page(request, db, viewer, "comment", comment_id, {}, {})


@router.post("/c/{comment_id}/remove")
async def remove_comment(comment_id: ItemId, request: Request, db: Db, viewer: Viewer) -> Response:  # fmt: skip
    return await _remove(request, db, viewer, "comment", comment_id)


@router.post("/c/{comment_id}/reinstate")
async def reinstate_comment(comment_id: ItemId, db: Db, viewer: Viewer) -> Response:
    item = await governance.reinstate(db, viewer, "comment", comment_id)
    return redirect(_back("comment", item))
