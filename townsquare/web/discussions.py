"""The discussion page, and everything done on it: comment, reply, like, edit, delete."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.changes import SITE, discussion_key
from townsquare.db.models import Comment, Group, Member
from townsquare.domain import comments, discussions, feeds, likes, links, permissions
from townsquare.domain.errors import Invalid, NotLoggedIn
from townsquare.web.deps import get_db, get_settings, get_viewer, rate_limit
from townsquare.web.fragments import PageThreads
from townsquare.web.pages import (
    form_data,
    is_htmx,
    page_number,
    redirect,
    render,
    render_with_kept_parts,
)

router = APIRouter()


def permalink(comment: Comment, per_page: int) -> str:
    return f"/d/{comment.discussion_id}?page={comments.page_of(comment, per_page)}#c{comment.id}"


async def _page(request: Request, db: AsyncSession, viewer: Member | None, discussion_id: int,
                page: int, **extra) -> dict:  # type: ignore[no-untyped-def]  # fmt: skip
    per_page = get_settings(request).comments_per_page
    state = request.app.state
    # Read before the rows: a write committed after this read bumps past it.
    versions = await state.page_versions.read((SITE, discussion_key(discussion_id)))
    data = await discussions.discussion_page(db, viewer, discussion_id, page, per_page)
    macro = state.templates.env.get_template("comments/_macros.html").module.thread
    threads = PageThreads(state.fragments, macro, versions, viewer, data.membership)
    return {"p": data, "d": data.discussion, "group": data.group, "per_page": per_page,
            "values": {}, "errors": {}, "threads": threads, **extra}  # fmt: skip


@router.get("/d/{discussion_id}")
async def discussion_page(discussion_id: int, request: Request, page: str | None = None,
                          db: AsyncSession = Depends(get_db),
                          viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    n = page_number(page)
    kept = request.app.state.kept_pages
    if viewer is not None:
        found = await kept.answer(request, db, viewer, discussion_id, n)
        if found is not None:
            return found
    ctx = await _loaded_page(request, db, viewer, discussion_id, n)
    return kept.keep(request, ctx) or render_with_kept_parts(request, "discussions/page.html", ctx)


async def _loaded_page(request: Request, db: AsyncSession, viewer: Member | None,
                       discussion_id: int, page: int) -> dict:  # type: ignore[type-arg]  # fmt: skip
    ctx = await _page(request, db, viewer, discussion_id, page)
    ctx["also"] = await links.also_discussed(db, viewer, ctx["d"])
    await feeds.record_visit(db, viewer, ctx["d"])
    return ctx


async def ordinary_page(request: Request, db: AsyncSession, viewer: Member | None,
                        discussion_id: int, page: int) -> Response:  # fmt: skip
    """The page rendered from its rows, as a kept copy must read (web/keptpages.py checks)."""
    ctx = await _loaded_page(request, db, viewer, discussion_id, page)
    return render_with_kept_parts(request, "discussions/page.html", ctx)


@router.get("/d/{discussion_id}/unread")
async def first_unread(discussion_id: int, request: Request, db: AsyncSession = Depends(get_db),
                       viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    """Jump to the first comment written since the viewer last read the discussion."""
    found = await discussions.locate(db, viewer, discussion_id)
    comment_id = await feeds.first_unread(db, viewer, found.discussion.id)
    if comment_id is None:
        return redirect(f"/d/{discussion_id}")
    return redirect(f"/d/{discussion_id}/c/{comment_id}")


@router.get("/d/{discussion_id}/card")
async def link_card(discussion_id: int, request: Request, db: AsyncSession = Depends(get_db),
                    viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    """The article card alone: htmx polls it while the link is being fetched."""
    found = await discussions.locate(db, viewer, discussion_id)
    return render(request, "links/card.html", {"d": found.discussion})


@router.get("/d/{discussion_id}/article")
async def reader_view(discussion_id: int, request: Request, db: AsyncSession = Depends(get_db),
                      viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    return render(
        request, "links/article.html", {"a": await links.reader_view(db, viewer, discussion_id)}
    )


@router.post("/d/{discussion_id}/refetch")
async def refetch_link(discussion_id: int, db: AsyncSession = Depends(get_db),
                       viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    await links.refetch(db, viewer, discussion_id)
    return redirect(f"/d/{discussion_id}")


@router.get("/d/{discussion_id}/c/{comment_id}")
async def comment_permalink(discussion_id: int, comment_id: int, request: Request,
                            db: AsyncSession = Depends(get_db),
                            viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    found = await comments.find_comment(db, viewer, comment_id)
    if found.comment.discussion_id != discussion_id:
        return redirect(f"/d/{found.comment.discussion_id}/c/{comment_id}")
    return redirect(permalink(found.comment, get_settings(request).comments_per_page))


@router.post("/d/{discussion_id}/comments", dependencies=[Depends(rate_limit("post"))])
async def add_comment(discussion_id: int, request: Request, db: AsyncSession = Depends(get_db),
                      viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    form = await form_data(request)
    parent_raw = form.get("parent_id") or None
    parent_id = int(parent_raw) if parent_raw and parent_raw.isdigit() else None
    per_page = get_settings(request).comments_per_page
    try:
        comment = await comments.add_comment(
            db, viewer, discussion_id, body=form.get("body", ""), parent_id=parent_id
        )
    except Invalid as exc:
        if parent_id is not None:
            return await _reply_form(request, db, viewer, parent_id, form, exc.errors)
        d = (await discussions.locate(db, viewer, discussion_id)).discussion
        last = discussions.page_count(d.top_count, per_page)
        ctx = await _page(request, db, viewer, discussion_id, last, values=form, errors=exc.errors)
        return render_with_kept_parts(request, "discussions/page.html", ctx, status=422)
    if is_htmx(request) and parent_id is not None:
        return await _thread(request, db, viewer, comment.parent_id or comment.id, new=comment.id)
    return redirect(permalink(comment, per_page))


async def _thread(request: Request, db: AsyncSession, viewer: Member | None, comment_id: int,
                  new: int | None = None) -> Response:  # fmt: skip
    """One comment with its replies, for htmx to swap in after a reply."""
    found = await comments.find_comment(db, viewer, comment_id)
    per_page = get_settings(request).comments_per_page
    data = await discussions.discussion_page(
        db, viewer, found.comment.discussion_id, comments.page_of(found.comment, per_page), per_page
    )
    thread = next(t for t in data.threads if t.comment.id == comment_id)
    return render(request, "comments/_thread.html",
                  {"p": data, "d": data.discussion, "t": thread, "new": new})  # fmt: skip


async def _reply_form(request: Request, db: AsyncSession, viewer: Member | None, comment_id: int,
                      values: dict, errors: dict) -> Response:  # type: ignore[type-arg]  # fmt: skip
    found = await comments.find_comment(db, viewer, comment_id)
    if viewer is None:
        raise NotLoggedIn()
    ctx = {"c": found.comment, "d": found.where.discussion, "values": values, "errors": errors}
    if is_htmx(request):
        # htmx swaps only 2xx answers; the form comes back in place with the message,
        # into its slot rather than over the thread a successful reply replaces.
        response = render(request, "comments/_reply_form.html", ctx)
        if errors:
            response.headers["HX-Retarget"] = f"#rf{found.comment.id}"
            response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "comments/reply.html", ctx, status=422 if errors else 200)


@router.get("/c/{comment_id}/reply")
async def reply_form(comment_id: int, request: Request, db: AsyncSession = Depends(get_db),
                     viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    return await _reply_form(request, db, viewer, comment_id, {}, {})


@router.get("/c/{comment_id}/edit")
async def edit_comment_form(comment_id: int, request: Request, db: AsyncSession = Depends(get_db),
                            viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    found = await comments.find_comment(db, viewer, comment_id)
    if viewer is None:
        raise NotLoggedIn()
    # The form only for whom the save would accept: not an editor for someone else's comment.
    permissions.require(viewer, "comment.edit", found.comment, membership=found.where.membership)
    ctx = {"c": found.comment, "d": found.where.discussion,
           "values": {"body": found.comment.body_src}, "errors": {}}  # fmt: skip
    return render(request, "comments/edit.html", ctx)


@router.post("/c/{comment_id}/edit")
async def edit_comment(comment_id: int, request: Request, db: AsyncSession = Depends(get_db),
                       viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    form = await form_data(request)
    try:
        c = await comments.edit_comment(db, viewer, comment_id, body=form.get("body", ""))
    except Invalid as exc:
        found = await comments.find_comment(db, viewer, comment_id)
        ctx = {
            "c": found.comment,
            "d": found.where.discussion,
            "values": form,
            "errors": exc.errors,
        }
        return render(request, "comments/edit.html", ctx, status=422)
    return redirect(permalink(c, get_settings(request).comments_per_page))


@router.post("/c/{comment_id}/delete")
async def delete_comment(comment_id: int, request: Request, db: AsyncSession = Depends(get_db),
                         viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    c = await comments.delete_comment(db, viewer, comment_id)
    page = comments.page_of(c, get_settings(request).comments_per_page)
    return redirect(f"/d/{c.discussion_id}?page={page}")


@router.post("/c/{comment_id}/restore")
async def restore_comment(comment_id: int, request: Request, db: AsyncSession = Depends(get_db),
                          viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    c = await comments.restore_comment(db, viewer, comment_id)
    return redirect(permalink(c, get_settings(request).comments_per_page))


@router.post("/{kind}/{target_id}/like")
async def like(kind: str, target_id: int, request: Request, db: AsyncSession = Depends(get_db),
               viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    target_type = {"d": "discussion", "c": "comment"}.get(kind)
    if target_type is None:
        return render(request, "error.html", {"status": 404, "heading": "Not found",
                                              "message": "Nothing to like here."}, status=404)  # fmt: skip
    state = await likes.set_like(db, viewer, target_type, target_id, None)
    if is_htmx(request):
        return render(request, "_like.html", {"kind": kind, "item_id": target_id,
                                              "liked": state.liked, "count": state.count})  # fmt: skip
    if target_type == "discussion":
        return redirect(f"/d/{target_id}")
    c = (await comments.find_comment(db, viewer, target_id)).comment
    return redirect(permalink(c, get_settings(request).comments_per_page))


@router.get("/d/{discussion_id}/edit")
async def edit_discussion_form(discussion_id: int, request: Request,
                               db: AsyncSession = Depends(get_db),
                               viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    found = await discussions.locate(db, viewer, discussion_id)
    if viewer is None:
        raise NotLoggedIn()
    d = found.discussion
    permissions.require(viewer, "discussion.edit", d, membership=found.membership)
    ctx = {"d": d, "group": found.group, "values": {"title": d.title, "body": d.body_src},
           "errors": {}}  # fmt: skip
    return render(request, "discussions/edit.html", ctx)


@router.post("/d/{discussion_id}/edit")
async def edit_discussion(discussion_id: int, request: Request, db: AsyncSession = Depends(get_db),
                          viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    form = await form_data(request)
    try:
        d = await discussions.edit_discussion(
            db, viewer, discussion_id, title=form.get("title", ""), body=form.get("body", "")
        )
    except Invalid as exc:
        found = await discussions.locate(db, viewer, discussion_id)
        ctx = {"d": found.discussion, "group": found.group, "values": form, "errors": exc.errors}
        return render(request, "discussions/edit.html", ctx, status=422)
    return redirect(f"/d/{d.id}")


@router.post("/d/{discussion_id}/delete")
async def delete_discussion(discussion_id: int, db: AsyncSession = Depends(get_db),
                            viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    d = await discussions.delete_discussion(db, viewer, discussion_id)
    group = await db.get(Group, d.group_id)
    return redirect(f"/g/{group.slug}" if group else "/")


@router.post("/d/{discussion_id}/restore")
async def restore_discussion(discussion_id: int, db: AsyncSession = Depends(get_db),
                             viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    d = await discussions.restore_discussion(db, viewer, discussion_id)
    return redirect(f"/d/{d.id}")
