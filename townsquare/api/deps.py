"""What every API route takes: the database, the viewer, settings, and well-bounded ids."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.api.schemas import MAX_ID
from townsquare.config import Settings
from townsquare.db.models import Like, Member
from townsquare.domain.errors import Invalid, NotLoggedIn
from townsquare.web.deps import get_db, get_settings, get_viewer

Db = Annotated[AsyncSession, Depends(get_db)]
Viewer = Annotated[Member | None, Depends(get_viewer)]
Config = Annotated[Settings, Depends(get_settings)]
# Bounded so a 30-digit id is a 422 here rather than an integer overflow in the database.
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]


# JSON carries NUL only as the escape \u0000, after an even run of backslashes (if any).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_NUL = "Text may not contain the NUL character."


async def refuse_nul(request: Request) -> None:
    """Refuse NUL characters in the path, the query or the body, on every API route.

    PostgreSQL can neither store nor compare text holding NUL, so without this a name or a
    body with one is a 500 there; no member means one, so it is a 422 on both databases.
    """
    errors = {name: _NUL for name, value in request.path_params.items() if "\x00" in str(value)}
    for name, value in request.query_params.multi_items():
        if "\x00" in name + value:
            errors[name.replace("\x00", "")] = _NUL
    body = await request.body()  # already read and kept by the framework
    if b"\x00" in body or _JSON_NUL.search(body):
        errors["body"] = _NUL
    if errors:
        raise Invalid(errors)


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
