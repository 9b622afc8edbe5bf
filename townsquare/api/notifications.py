"""Notifications over JSON: the list, the unread count, marking read, email choices, and
member names by prefix for @mention autocomplete."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from townsquare.api.deps import Db, ItemId, Viewer, logged_in
from townsquare.api.schemas import MAX_ID
from townsquare.db.models import Member
from townsquare.domain import notifications

router = APIRouter(tags=["notifications"])

Mode = Literal["immediately", "digest", "never"]


class NotificationOut(BaseModel):
    id: int
    kind: str
    text: str
    url: str
    created_at: datetime
    read: bool


class NotificationList(BaseModel):
    items: list[NotificationOut]
    next_before: int | None  # pass as ?before= for older ones


class UnreadOut(BaseModel):
    unread: int


class ModesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    modes: dict[str, Mode]


class ModesOut(BaseModel):
    modes: dict[str, str]
    email_confirmed: bool


class NameOut(BaseModel):
    name: str
    display_name: str


@router.get("/notifications")
async def list_notifications(
    db: Db, viewer: Viewer, before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> NotificationList:  # fmt: skip
    """Your notifications, newest first."""
    items, more = await notifications.notifications_page(db, viewer, before=before, limit=limit)
    out = [NotificationOut(id=i.id, kind=i.kind, text=i.text, url=i.url,
                           created_at=i.created_at, read=i.read) for i in items]  # fmt: skip
    return NotificationList(items=out, next_before=more)


@router.get("/notifications/unread")
async def unread(db: Db, viewer: Viewer) -> UnreadOut:
    """How many of your notifications are unread."""
    return UnreadOut(unread=await notifications.unread_count(db, logged_in(viewer).id))


@router.post("/notifications/read")
async def read_all(db: Db, viewer: Viewer) -> UnreadOut:
    """Mark all your notifications read."""
    await notifications.mark_all_read(db, viewer)
    return UnreadOut(unread=0)


@router.post("/notifications/{notification_id}/read")
async def read_one(notification_id: ItemId, db: Db, viewer: Viewer) -> UnreadOut:
    """Mark one notification read."""
    await notifications.open_notification(db, viewer, notification_id)
    return UnreadOut(unread=await notifications.unread_count(db, logged_in(viewer).id))


@router.get("/notifications/settings")
async def get_modes(db: Db, viewer: Viewer) -> ModesOut:
    """How each kind of notification is emailed to you."""
    member = logged_in(viewer)
    modes = await notifications.email_modes(db, member.id)
    return ModesOut(modes=modes, email_confirmed=member.email_confirmed_at is not None)


@router.put("/notifications/settings")
async def put_modes(body: ModesIn, db: Db, viewer: Viewer) -> ModesOut:
    """Change how some kinds of notification are emailed to you (others stay as they are)."""
    modes = await notifications.set_email_modes(db, viewer, dict(body.modes))
    member = logged_in(viewer)
    return ModesOut(modes=modes, email_confirmed=member.email_confirmed_at is not None)


@router.get("/members")
async def members_by_prefix(
    db: Db, viewer: Viewer, prefix: Annotated[str, Query(min_length=1, max_length=32)]
) -> list[NameOut]:
    """Up to 10 active members whose name starts with ``prefix`` (for @mentions)."""
    logged_in(viewer)
    start = prefix.lower().lstrip("@")
    if not start or not all(ch.isalnum() or ch == "_" for ch in start):
        return []
    rows = await db.execute(
        select(Member.name, Member.display_name)
        .where(Member.name >= start, Member.name < start + "\U0010ffff", Member.state == "active")
        .order_by(Member.name)
        .limit(10)
    )
    return [NameOut(name=n, display_name=d) for n, d in rows]
