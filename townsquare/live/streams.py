"""What one viewer's stream may send: access checked on connect (and again while it is
open), events filtered to what that viewer may see, and nothing else.

Events carry ids, positions and counts only. A page that wants a new comment's text
asks for it with an ordinary GET, which checks permission like every other read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Block, Member
from townsquare.domain import discussions
from townsquare.domain.errors import NotFound
from townsquare.domain.events import discussion_channel, member_channel
from townsquare.live.bus import Event


@dataclass(frozen=True)
class View:
    """One viewer's stream: its channels, and what to leave out of them."""

    viewer_id: int | None
    discussion_id: int | None = None
    blocked: frozenset[int] = frozenset()

    @property
    def channels(self) -> tuple[str, ...]:
        found: list[str] = []
        if self.discussion_id is not None:
            found.append(discussion_channel(self.discussion_id))
        if self.viewer_id is not None:
            found.append(member_channel(self.viewer_id))
        return tuple(found)

    @property
    def replay_channel(self) -> str | None:
        """The channel a reconnecting page catches up on (the unread count is read fresh)."""
        return discussion_channel(self.discussion_id) if self.discussion_id is not None else None


async def discussion_view(db: AsyncSession, viewer: Member | None, discussion_id: int) -> View:
    """The stream of a discussion page: NotFound where the page itself would be."""
    await discussions.locate(db, viewer, discussion_id)
    blocked: frozenset[int] = frozenset()
    if viewer is not None:
        blocked = frozenset(
            await db.scalars(select(Block.blocked_id).where(Block.blocker_id == viewer.id))
        )
    return View(viewer.id if viewer else None, discussion_id, blocked)


def member_view(viewer: Member) -> View:
    return View(viewer.id)


async def still_allowed(db: AsyncSession, view: View, viewer: Member | None) -> bool:
    """Whether the stream may go on: the same viewer, still able to read the discussion."""
    if (viewer.id if viewer else None) != view.viewer_id:
        return False
    if view.discussion_id is None:
        return True
    try:
        await discussions.locate(db, viewer, view.discussion_id)
    except NotFound:
        return False
    return True


def is_unread_change(view: View, event: Event) -> bool:
    return view.viewer_id is not None and event.channel == member_channel(view.viewer_id)


def shown(view: View, event: Event, per_page: int) -> dict[str, Any] | None:
    """The event as this viewer's page receives it, or None to send nothing.

    A comment is announced only once it is live (one waiting for review, when it is
    approved), so what remains to leave out is what this viewer has blocked (their new
    comments and edits). "gone" and "like" carry ids and counts of what the page may
    already show; "changed" says only what happened to the discussion.
    """
    data = dict(event.data)
    if event.kind == "edited":
        return None if data.pop("author_id", None) in view.blocked else data
    if event.kind == "comment":
        if data.pop("author_id", None) in view.blocked:
            return None
        position = int(data.get("position") or 1)
        data["page"] = (position - 1) // per_page + 1
        return data
    if event.kind in ("like", "gone"):
        data.pop("author_id", None)
        return data
    if event.kind == "changed":  # the discussion itself: every reader of the page is told
        return data
    return None
