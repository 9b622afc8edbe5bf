"""Reports, the moderation log, site bans, blocks and the profanity preference over JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from townsquare.api.deps import Db, ItemId, Viewer, logged_in
from townsquare.api.schemas import MAX_ID, In, MemberRef, Text, member_ref
from townsquare.db.models import Member, Report
from townsquare.domain import moderation, reports, safety

router = APIRouter(tags=["safety"])
Name = Annotated[str, Path(max_length=64)]


class ReportIn(In):
    target_type: Literal["discussion", "comment", "member"]
    target_id: int = Field(ge=1, le=MAX_ID)
    reason: Text


class ResolveIn(In):
    outcome: Literal["resolved", "dismissed"]
    note: Text = ""


class TargetOut(BaseModel):
    type: str
    id: int
    label: str
    url: str


class ReportOut(BaseModel):
    id: int
    target_type: str
    target_id: int
    group_id: int | None
    reason: str
    state: str
    created_at: datetime
    resolution: str
    resolved_at: datetime | None


class OpenReportOut(ReportOut):
    reporter: MemberRef
    target: TargetOut
    group: str | None = Field(description="The group's slug, for reports on its posts.")


class LogEntryOut(BaseModel):
    id: int
    actor: str | None
    action: str
    target_type: str
    target_id: int
    group_id: int | None
    reason: str
    created_at: datetime


class BanIn(In):
    reason: Text
    remove_content: bool = False


class UnbanIn(In):
    reason: Text = ""


class BanOut(BaseModel):
    name: str
    state: str


class PreferencesIn(In):
    mask_profanity: bool


class PreferencesOut(BaseModel):
    mask_profanity: bool


def _report_out(r: Report) -> ReportOut:
    return ReportOut(
        id=r.id, target_type=r.target_type, target_id=r.target_id, group_id=r.group_id,
        reason=r.reason, state=r.state, created_at=r.created_at, resolution=r.resolution,
        resolved_at=r.resolved_at,
    )  # fmt: skip


@router.post("/reports", status_code=201)
async def file_report(body: ReportIn, db: Db, viewer: Viewer) -> ReportOut:
    """Report a discussion, comment or member to the moderators (a reason is required)."""
    r = await reports.report(db, viewer, body.target_type, body.target_id, body.reason)
    return _report_out(r)


@router.get("/reports")
async def list_reports(db: Db, viewer: Viewer) -> list[OpenReportOut]:
    """Open reports the viewer moderates, oldest first (site moderators: all)."""
    return [
        OpenReportOut(
            **_report_out(o.report).model_dump(),
            reporter=member_ref(o.reporter),
            target=TargetOut(
                type=o.target.type, id=o.target.id, label=o.target.label, url=o.target.url
            ),
            group=o.group.slug if o.group else None,
        )  # fmt: skip
        for o in await reports.open_reports(db, viewer)
    ]


@router.post("/reports/{report_id}/resolve")
async def resolve_report(report_id: ItemId, body: ResolveIn, db: Db, viewer: Viewer) -> ReportOut:
    """Close a report as resolved or dismissed, with an optional note; logged."""
    return _report_out(await reports.resolve(db, viewer, report_id, body.outcome, body.note))


@router.get("/moderation/log")
async def moderation_log(db: Db, viewer: Viewer) -> list[LogEntryOut]:
    """Every moderator action, newest first (site moderators)."""
    entries = await moderation.log_entries(db, viewer)
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    names = dict((await db.execute(select(Member.id, Member.name).where(Member.id.in_(ids)))).all())
    return [
        LogEntryOut(
            id=e.id,
            actor=names.get(e.actor_id),
            action=e.action,
            target_type=e.target_type,
            target_id=e.target_id,
            group_id=e.group_id,
            reason=e.reason,
            created_at=e.created_at,
        )  # fmt: skip
        for e in entries
    ]


@router.put("/members/{name}/ban")
async def ban_member(name: Name, body: BanIn, db: Db, viewer: Viewer) -> BanOut:
    """Ban a member from the site (site moderators; admins only by admins)."""
    m = await safety.ban(db, viewer, name, reason=body.reason, remove_content=body.remove_content)
    return BanOut(name=m.name, state=m.state)


@router.delete("/members/{name}/ban")
async def unban_member(name: Name, db: Db, viewer: Viewer, body: UnbanIn | None = None) -> BanOut:
    """Let a banned member back in."""
    m = await safety.unban(db, viewer, name, reason=body.reason if body else "")
    return BanOut(name=m.name, state=m.state)


@router.put("/members/{name}/block", status_code=204)
async def block_member(name: Name, db: Db, viewer: Viewer) -> Response:
    """Block a member: private; their posts collapse for you and they cannot answer yours."""
    await safety.block(db, viewer, name)
    return Response(status_code=204)


@router.delete("/members/{name}/block", status_code=204)
async def unblock_member(name: Name, db: Db, viewer: Viewer) -> Response:
    """Take back a block."""
    await safety.unblock(db, viewer, name)
    return Response(status_code=204)


@router.get("/me/blocks")
async def my_blocks(db: Db, viewer: Viewer) -> list[MemberRef]:
    """Whom you blocked."""
    return [member_ref(m) for m in await safety.blocked_members(db, logged_in(viewer))]


@router.put("/me/preferences")
async def set_preferences(body: PreferencesIn, db: Db, viewer: Viewer) -> PreferencesOut:
    """Your reading preferences: mask profanity in what you read."""
    m = await safety.set_mask_profanity(db, viewer, body.mask_profanity)
    return PreferencesOut(mask_profanity=m.mask_profanity)


__all__ = ["router"]
