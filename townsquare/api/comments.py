"""Comments and replies: read one (with its page), edit, delete, restore, like."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.api.deps import Config, Db, ItemId, Viewer, liked_by
from townsquare.api.schemas import CommentEditIn, CommentFoundOut, LikeOut, comment_found_out
from townsquare.db.models import Comment, Member
from townsquare.domain import comments, likes, permissions

router = APIRouter(tags=["comments"])


async def _out(
    db: AsyncSession, viewer: Member | None, c: Comment, per_page: int
) -> CommentFoundOut:
    return comment_found_out(
        c, c.author, liked=await liked_by(db, viewer, "comment", c.id),
        admin=permissions.is_admin(viewer), page=comments.page_of(c, per_page),
    )  # fmt: skip


@router.get("/comments/{comment_id}")
async def get_comment(
    comment_id: ItemId, db: Db, viewer: Viewer, settings: Config
) -> CommentFoundOut:
    """One comment or reply, with the discussion page it is on."""
    found = await comments.find_comment(db, viewer, comment_id)
    return await _out(db, viewer, found.comment, settings.comments_per_page)


@router.patch("/comments/{comment_id}")
async def edit_comment(
    comment_id: ItemId, body: CommentEditIn, db: Db, viewer: Viewer, settings: Config
) -> CommentFoundOut:
    """Change what you wrote."""
    c = await comments.edit_comment(db, viewer, comment_id, body=body.body)
    return await _out(db, viewer, c, settings.comments_per_page)


@router.delete("/comments/{comment_id}", status_code=204)
async def delete_comment(comment_id: ItemId, db: Db, viewer: Viewer) -> Response:
    """Delete what you wrote; its replies stay in place."""
    await comments.delete_comment(db, viewer, comment_id)
    return Response(status_code=204)


@router.post("/comments/{comment_id}/restore")
async def restore_comment(
    comment_id: ItemId, db: Db, viewer: Viewer, settings: Config
) -> CommentFoundOut:
    """Bring back a deleted comment (admins)."""
    c = await comments.restore_comment(db, viewer, comment_id)
    return await _out(db, viewer, c, settings.comments_per_page)


@router.put("/comments/{comment_id}/like")
async def like_comment(comment_id: ItemId, db: Db, viewer: Viewer) -> LikeOut:
    """Like the comment; liking it again changes nothing."""
    state = await likes.set_like(db, viewer, "comment", comment_id, True)
    return LikeOut(liked=state.liked, count=state.count)


@router.delete("/comments/{comment_id}/like")
async def unlike_comment(comment_id: ItemId, db: Db, viewer: Viewer) -> LikeOut:
    """Take back a like; doing it again changes nothing."""
    state = await likes.set_like(db, viewer, "comment", comment_id, False)
    return LikeOut(liked=state.liked, count=state.count)
