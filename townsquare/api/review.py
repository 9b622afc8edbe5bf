"""The review queue over JSON: what waits, and approving or turning down posts in bulk."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from townsquare.api.deps import Db, Viewer
from townsquare.api.schemas import MAX_ID
from townsquare.domain import moderation

router = APIRouter(tags=["moderation"])


class WaitingOut(BaseModel):
    kind: Literal["discussion", "comment"]
    id: int
    discussion_id: int
    title: str
    body_html: str
    author: str
    created_at: datetime


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["discussion", "comment"]
    id: int = Field(ge=1, le=MAX_ID)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ItemIn] = Field(min_length=1, max_length=200)
    decision: Literal["approve", "reject"]
    reason: str = Field(default="", max_length=1000)


class DecisionOut(BaseModel):
    decided: int


@router.get("/review")
async def waiting(db: Db, viewer: Viewer) -> list[WaitingOut]:
    """Posts waiting for review that you may decide, oldest first (discussions, then comments)."""
    queue = await moderation.review_queue(db, viewer)
    out = [
        WaitingOut(kind="discussion", id=d.id, discussion_id=d.id, title=d.title,
                   body_html=d.body_html, author=d.author.name, created_at=d.created_at)
        for d in queue.discussions
    ]  # fmt: skip
    out += [
        WaitingOut(kind="comment", id=c.id, discussion_id=c.discussion_id,
                   title=c.discussion_title, body_html=c.body_html,  # type: ignore[attr-defined]
                   author=c.author.name, created_at=c.created_at)
        for c in queue.comments
    ]  # fmt: skip
    return out


@router.post("/review")
async def decide(body: DecisionIn, db: Db, viewer: Viewer) -> DecisionOut:
    """Approve, or turn down with a reason the authors will see, the listed posts."""
    items = [(i.kind, i.id) for i in body.items]
    return DecisionOut(
        decided=await moderation.decide_many(db, viewer, items, body.decision, body.reason)
    )
