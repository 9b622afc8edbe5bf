"""Group directory, group pages, creating, joining and leaving groups."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Member
from townsquare.domain import discussions, feeds, groups
from townsquare.domain.errors import Invalid, NotLoggedIn
from townsquare.web.deps import get_db, get_settings, get_viewer, rate_limit
from townsquare.web.pages import form_data, redirect, render

router = APIRouter()


def _tab(tab: str, period: str) -> tuple[str, str]:
    return (tab if tab in feeds.TABS else "active", period if period in feeds.PERIODS else "week")


@router.get("/")
async def home(request: Request, before: str | None = None, after: str | None = None,
               tab: str = "active", period: str = "week",
               db: AsyncSession = Depends(get_db), viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    limit = get_settings(request).discussions_per_page
    tab, period = _tab(tab, period)
    home = await feeds.home_feed(db, viewer, before=before, after=after, limit=limit, tab=tab,
                                 period=period)  # fmt: skip
    return render(request, "home.html", {"home": home, "feed": home.feed, "tab": tab,
                                         "period": period, "base": "/"})  # fmt: skip


@router.get("/groups")
async def directory(request: Request, db: AsyncSession = Depends(get_db),
                    viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    return render(request, "groups/list.html", {"views": await groups.group_directory(db, viewer)})


@router.get("/groups/new")
async def new_group_form(request: Request, viewer: Member | None = Depends(get_viewer)):
    if viewer is None:
        raise NotLoggedIn()
    return render(request, "groups/new.html", {"values": {"visibility": "public"}, "errors": {}})


@router.post("/groups/new")
async def create_group(request: Request, db: AsyncSession = Depends(get_db),
                       viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    form = await form_data(request)
    try:
        group = await groups.create_group(
            db, viewer, name=form.get("name", ""), slug=form.get("slug", ""),
            description=form.get("description", ""), rules=form.get("rules", ""),
            visibility=form.get("visibility", "public"),
        )  # fmt: skip
    except Invalid as exc:
        return render(
            request, "groups/new.html", {"values": form, "errors": exc.errors}, status=422
        )
    return redirect(f"/g/{group.slug}")


@router.get("/g/{slug}")
async def group_page(slug: str, request: Request, before: str | None = None,
                     after: str | None = None, tab: str = "active", period: str = "week",
                     db: AsyncSession = Depends(get_db),
                     viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    limit = get_settings(request).discussions_per_page
    tab, period = _tab(tab, period)
    view, feed = await feeds.group_feed(db, viewer, slug, before=before, after=after, limit=limit,
                                        tab=tab, period=period)  # fmt: skip
    return render(request, "groups/page.html", {"view": view, "feed": feed, "tab": tab,
                                                "period": period, "base": f"/g/{view.group.slug}"})  # fmt: skip


@router.post("/g/{slug}/join")
async def join(slug: str, db: AsyncSession = Depends(get_db),
               viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    await groups.join_group(db, viewer, slug)
    return redirect(f"/g/{slug}")


@router.post("/g/{slug}/leave")
async def leave(slug: str, db: AsyncSession = Depends(get_db),
                viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    await groups.leave_group(db, viewer, slug)
    return redirect(f"/g/{slug}")


@router.get("/g/{slug}/new")
async def new_discussion_form(slug: str, request: Request, link: str | None = None,
                              db: AsyncSession = Depends(get_db),
                              viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    view = await groups.visible_group(db, viewer, slug)
    if viewer is None:
        raise NotLoggedIn()
    values = {"link_url": link} if link else {}
    return render(request, "discussions/new.html", {"view": view, "values": values, "errors": {}})


@router.post("/g/{slug}/new", dependencies=[Depends(rate_limit("post"))])
async def start_discussion(slug: str, request: Request, db: AsyncSession = Depends(get_db),
                           viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    form = await form_data(request)
    try:
        d = await discussions.start_discussion(
            db, viewer, group_slug=slug, title=form.get("title", ""), body=form.get("body", ""),
            link_url=form.get("link_url") or None, allow_duplicate=bool(form.get("allow_duplicate")),
        )  # fmt: skip
    except Invalid as exc:
        view = await groups.visible_group(db, viewer, slug)
        duplicate = exc.existing if isinstance(exc, discussions.Duplicate) else None
        ctx = {"view": view, "values": form, "errors": exc.errors, "duplicate": duplicate}
        return render(request, "discussions/new.html", ctx, status=422)
    return redirect(f"/d/{d.id}")
