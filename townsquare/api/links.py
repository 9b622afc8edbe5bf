"""Shared links: a discussion's article in reader view, its other discussions, fetching again.

The card itself travels with the discussion (the ``link`` member of every discussion output);
these routes are the parts that are too big for a feed row or belong to one person.
"""

from __future__ import annotations

from fastapi import APIRouter

from townsquare.api.deps import Db, ItemId, Viewer
from townsquare.api.schemas import (
    AlsoDiscussedOut,
    ArticleBlock,
    ArticleOut,
    LinkOut,
    also_discussed_out,
    link_out,
)
from townsquare.domain import discussions, links

router = APIRouter(tags=["links"])


@router.get("/discussions/{discussion_id}/article")
async def get_article(discussion_id: ItemId, db: Db, viewer: Viewer) -> ArticleOut:
    """The reader view of the shared article: its text as blocks, credited to the original.

    404 while the link is being fetched, when the fetch failed, or when there is no link.
    """
    a = await links.reader_view(db, viewer, discussion_id)
    return ArticleOut(
        title=a.link.title or a.discussion.title, site_name=a.link.site_name,
        author=a.link.author, published=a.link.published, url=a.link.final_url or a.link.url,
        blocks=[ArticleBlock.model_validate({"kind": k, "value": v}) for k, v in a.blocks],
    )  # fmt: skip


@router.get("/discussions/{discussion_id}/also")
async def also_discussed(discussion_id: ItemId, db: Db, viewer: Viewer) -> list[AlsoDiscussedOut]:
    """Other discussions of the same article, in groups the viewer can read, newest first."""
    found = await discussions.locate(db, viewer, discussion_id)
    return [also_discussed_out(d) for d in await links.also_discussed(db, viewer, found.discussion)]


@router.post("/discussions/{discussion_id}/refetch", status_code=202)
async def refetch_link(discussion_id: ItemId, db: Db, viewer: Viewer) -> LinkOut:
    """Fetch the discussion's link again in the background (admins); it is 'pending' until then."""
    link = await links.refetch(db, viewer, discussion_id)
    return link_out(link, show_error=True)  # only admins get this far
