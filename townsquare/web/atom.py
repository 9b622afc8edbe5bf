"""Atom feeds for readers: the front page, a public group, a member's public discussions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from townsquare.db.models import Discussion, Group
from townsquare.domain import accounts, feeds
from townsquare.web.deps import get_db

router = APIRouter()
ENTRIES = 30


def _atom(request: Request, title: str, page: str, items: list[Discussion]) -> Response:
    """The feed of the page at path ``page`` (its own address is page + "feed.atom")."""
    base = str(request.base_url).rstrip("/")
    body = request.app.state.templates.get_template("feed.xml").render(
        title=title, base=base, page_url=f"{base}{page}",
        self_url=f"{base}{page.rstrip('/')}/feed.atom", items=items,
        updated=max((d.last_activity_at for d in items), default=None),
    )  # fmt: skip
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/feed.atom")
async def front_page_feed(request: Request, db: AsyncSession = Depends(get_db)) -> Response:
    """Public discussions, latest activity first: what a visitor's front page shows."""
    home = await feeds.home_feed(db, None, limit=ENTRIES)
    site = request.app.state.settings.site_name
    return _atom(request, site, "/", home.feed.items)


@router.get("/g/{slug}/feed.atom")
async def group_feed(slug: str, request: Request, db: AsyncSession = Depends(get_db)) -> Response:
    """A public group's discussions; private groups have no feed (a feed reader has no log-in)."""
    view, page = await feeds.group_feed(db, None, slug, limit=ENTRIES)
    return _atom(request, view.group.name, f"/g/{view.group.slug}", page.items)


@router.get("/u/{name}/feed.atom")
async def member_feed(name: str, request: Request, db: AsyncSession = Depends(get_db)) -> Response:
    """A member's discussions in public groups, newest first."""
    member = await accounts.member_by_name(db, name)
    items = await db.scalars(
        select(Discussion)
        .join(Discussion.group)
        .join(Discussion.author)
        .outerjoin(Discussion.link)
        .options(
            contains_eager(Discussion.group),
            contains_eager(Discussion.author),
            contains_eager(Discussion.link),
        )  # fmt: skip
        .where(
            Discussion.author_id == member.id,
            Discussion.state == "live",
            Group.visibility == "public",
        )  # fmt: skip
        .order_by(Discussion.created_at.desc(), Discussion.id.desc())
        .limit(ENTRIES)
    )
    return _atom(request, f"{member.display_name} on {request.app.state.settings.site_name}",
                 f"/u/{member.name}", list(items))  # fmt: skip
