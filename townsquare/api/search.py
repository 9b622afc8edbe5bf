"""Search: the same query language, filters and visibility as the search page, as JSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from townsquare.api.deps import Db, Viewer
from townsquare.api.errors import RATE_LIMITED
from townsquare.domain import search
from townsquare.web.deps import limit_search

router = APIRouter(tags=["search"])


class SearchHitOut(BaseModel):
    kind: Literal["discussion", "comment", "article"]
    discussion_id: int
    comment_id: int | None
    title: str
    url: str
    group: str  # slug
    group_name: str
    author: str  # member name
    author_display_name: str
    author_level: int
    created_at: datetime
    pending: bool  # the viewer's own post, waiting for review
    snippet_html: str  # escaped text; matched words in <mark>
    score: float
    link_title: str | None
    link_site: str | None
    also_discussed_in: list[int]  # other discussions on this page that shared the article


class SearchOut(BaseModel):
    query: str  # as understood: words, "phrases" and -exclusions
    hits: list[SearchHitOut]
    more: str | None  # pass as ?cursor= for the next page


def hit_out(hit: search.Hit) -> SearchHitOut:
    return SearchHitOut(
        kind=hit.kind, discussion_id=hit.discussion_id, comment_id=hit.comment_id,
        title=hit.title, url=hit.url, group=hit.group_slug, group_name=hit.group_name,
        author=hit.author_name, author_display_name=hit.author_display_name,
        author_level=hit.author_level, created_at=hit.created_at,
        pending=hit.state == "pending", snippet_html=str(hit.snippet), score=hit.score,
        link_title=hit.link_title, link_site=hit.link_site,
        also_discussed_in=[d for d, _title, _group in hit.also],
    )  # fmt: skip


@router.get("/search", responses=RATE_LIMITED)
async def search_content(
    request: Request,
    db: Db,
    viewer: Viewer,
    q: Annotated[str, Query(max_length=10_000, description='Words, "phrases", -exclusions.')],
    kind: Literal["discussion", "comment", "article"] | None = None,
    group: Annotated[str | None, Query(max_length=100, description="A group's slug.")] = None,
    author: Annotated[str | None, Query(max_length=100, description="A member's name.")] = None,
    since: date | None = None,
    until: date | None = None,
    sort: Literal["relevance", "date"] = "relevance",
    cursor: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> SearchOut:
    """Discussions, comments and shared articles the viewer may see, best (or newest) first."""
    await limit_search(request, viewer)
    filters = search.Filters(
        kind=kind, group=group, author=author, since=since, until=until, sort=sort
    )
    results = await search.search(db, viewer, q, filters, cursor=cursor, limit=limit)
    return SearchOut(
        query=str(results.query), hits=[hit_out(h) for h in results.hits], more=results.more
    )
