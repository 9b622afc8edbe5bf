"""Discussions: the discussion page, editing, deleting and restoring, likes, and new comments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from townsquare.api.deps import Config, Db, ItemId, Viewer, liked_by, logged_in
from townsquare.api.errors import RATE_LIMITED
from townsquare.api.schemas import (
    CommentFoundOut,
    CommentIn,
    DiscussionEditIn,
    DiscussionOut,
    DiscussionPageOut,
    LikeOut,
    comment_found_out,
    discussion_out,
    thread_out,
)
from townsquare.domain import comments, discussions, likes, permissions
from townsquare.web.deps import rate_limit

router = APIRouter(tags=["discussions"])

Page = Annotated[int, Query(ge=1, le=1_000_000, description="Comment page, from 1.")]


@router.get("/discussions/{discussion_id}")
async def get_discussion(
    discussion_id: ItemId, db: Db, viewer: Viewer, settings: Config, page: Page = 1
) -> DiscussionPageOut:
    """The discussion with one page of its comments, each with its replies."""
    p = await discussions.discussion_page(
        db, viewer, discussion_id, page, settings.comments_per_page
    )
    d = p.discussion
    admin = permissions.is_admin(viewer)
    return DiscussionPageOut(
        discussion=discussion_out(
            d, d.author, p.group, liked=("discussion", d.id) in p.liked, viewer=viewer
        ),
        comments=[thread_out(t.comment, t.replies, p.liked, admin=admin) for t in p.threads],
        page=p.page,
        pages=p.pages,
    )


@router.patch("/discussions/{discussion_id}")
async def edit_discussion(
    discussion_id: ItemId, body: DiscussionEditIn, db: Db, viewer: Viewer
) -> DiscussionOut:
    """Change the title or text; a field left out keeps its value."""
    found = await discussions.locate(db, viewer, discussion_id)
    current = found.discussion
    d = await discussions.edit_discussion(
        db, viewer, discussion_id,
        title=current.title if body.title is None else body.title,
        body=current.body_src if body.body is None else body.body,
    )  # fmt: skip
    liked = await liked_by(db, viewer, "discussion", d.id)
    return discussion_out(d, d.author, found.group, liked=liked, viewer=viewer)


@router.delete("/discussions/{discussion_id}", status_code=204)
async def delete_discussion(discussion_id: ItemId, db: Db, viewer: Viewer) -> Response:
    """Delete a discussion you started (an admin can restore it)."""
    await discussions.delete_discussion(db, viewer, discussion_id)
    return Response(status_code=204)


@router.post("/discussions/{discussion_id}/restore")
async def restore_discussion(discussion_id: ItemId, db: Db, viewer: Viewer) -> DiscussionOut:
    """Bring back a deleted discussion (admins)."""
    await discussions.restore_discussion(db, viewer, discussion_id)
    found = await discussions.locate(db, viewer, discussion_id)
    d = found.discussion
    liked = await liked_by(db, viewer, "discussion", d.id)
    return discussion_out(d, d.author, found.group, liked=liked, viewer=viewer)


@router.put("/discussions/{discussion_id}/like")
async def like_discussion(discussion_id: ItemId, db: Db, viewer: Viewer) -> LikeOut:
    """Like the discussion; liking it again changes nothing."""
    state = await likes.set_like(db, viewer, "discussion", discussion_id, True)
    return LikeOut(liked=state.liked, count=state.count)


@router.delete("/discussions/{discussion_id}/like")
async def unlike_discussion(discussion_id: ItemId, db: Db, viewer: Viewer) -> LikeOut:
    """Take back a like; doing it again changes nothing."""
    state = await likes.set_like(db, viewer, "discussion", discussion_id, False)
    return LikeOut(liked=state.liked, count=state.count)


@router.post(
    "/discussions/{discussion_id}/comments",
    status_code=201,
    tags=["comments"],
    responses=RATE_LIMITED,
    dependencies=[Depends(rate_limit("post"))],
)
async def add_comment(
    discussion_id: ItemId, body: CommentIn, db: Db, viewer: Viewer, settings: Config
) -> CommentFoundOut:
    """Comment on the discussion, or reply to one of its comments with parent_id."""
    c = await comments.add_comment(
        db, viewer, discussion_id, body=body.body, parent_id=body.parent_id
    )
    return comment_found_out(
        c, logged_in(viewer), liked=False, admin=permissions.is_admin(viewer),
        page=comments.page_of(c, settings.comments_per_page),
    )  # fmt: skip
