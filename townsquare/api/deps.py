"""What every API route takes: the database, the viewer, settings, and well-bounded ids."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.api.schemas import MAX_ID
from townsquare.config import Settings
from townsquare.db.models import Like, Member
from townsquare.domain.errors import NotLoggedIn
from townsquare.web.deps import get_db, get_settings, get_viewer

Db = Annotated[AsyncSession, Depends(get_db)]
Viewer = Annotated[Member | None, Depends(get_viewer)]
Config = Annotated[Settings, Depends(get_settings)]
# Bounded so a 30-digit id is a 422 here rather than an integer overflow in the database.
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]


def logged_in(viewer: Member | None) -> Member:
    """The viewer, for routes that only make sense for a member (reads of one's own account)."""
    if viewer is None:
        raise NotLoggedIn()
    return viewer


async def liked_by(
    db: AsyncSession, viewer: Member | None, target_type: str, target_id: int
) -> bool:
    """Whether the viewer likes one item; a read the domain's page query does for whole pages."""
    if viewer is None:
        return False
    found = await db.scalar(
        select(Like.member_id).where(
            Like.member_id == viewer.id,
            Like.target_type == target_type,
            Like.target_id == target_id,
        )
    )
    return found is not None
