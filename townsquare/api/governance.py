"""Group governance: settings, moderators, join requests, group bans, and moderating
discussions and comments. Thin adapters over domain/governance."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from townsquare.api.deps import Db, ItemId, Viewer
from townsquare.api.schemas import In, Line, Text
from townsquare.db.models import Comment, Discussion
from townsquare.domain import governance

router = APIRouter(tags=["governance"])

Slug = Annotated[str, Path(max_length=100)]
Name = Annotated[str, Path(max_length=100)]
Who = Literal["anyone", "members", "moderators"]
FlagChange = Callable[..., Awaitable[Discussion]]


class SettingsIn(In):
    """Any subset of the settings; the rest stay as they are."""

    name: Line | None = None
    description: Text | None = None
    rules: Text | None = Field(default=None, description="Markdown.")
    post_policy: Who | None = Field(default=None, description="Who may start discussions.")
    comment_policy: Who | None = Field(default=None, description="Who may comment.")
    join_policy: Literal["open", "request", "level"] | None = None
    min_level: Annotated[int, Field(ge=-1000, le=1000)] | None = Field(
        default=None, description="For join_policy 'level': 1 to 10."
    )
    visibility: Literal["public", "private"] | None = None


class SettingsOut(BaseModel):
    slug: str
    name: str
    description: str
    rules: str
    post_policy: str
    comment_policy: str
    join_policy: str
    min_level: int
    visibility: str


class PersonOut(BaseModel):
    """A member as the group sees them: role and state of their membership."""

    name: str
    display_name: str
    level: int
    role: Literal["host", "moderator", "member"]
    state: Literal["active", "requested", "banned"]
    since: datetime


class ReasonIn(In):
    reason: Text = Field(default="", description="Kept in the moderation log.")


class RemoveIn(In):
    reason: Text = Field(description="Shown to the author; required.")


class ModeratedOut(BaseModel):
    """Where a discussion or comment stands after a moderator's action."""

    id: int
    state: str
    removal_reason: str | None
    pinned: bool | None = Field(default=None, description="Discussions only.")
    locked: bool | None = Field(default=None, description="Discussions only.")
    promoted: bool | None = Field(default=None, description="Discussions only: on the front page.")


def _settings_out(slug: str, values: dict[str, str]) -> SettingsOut:
    return SettingsOut(slug=slug, **{**values, "min_level": int(values["min_level"])})


def _person(p: governance.Person) -> PersonOut:
    m, ms = p.member, p.membership
    return PersonOut(name=m.name, display_name=m.display_name, level=m.level, role=ms.role,  # type: ignore[arg-type]
                     state=ms.state, since=ms.created_at)  # type: ignore[arg-type]  # fmt: skip


def _moderated(item: Discussion | Comment) -> ModeratedOut:
    out = ModeratedOut(id=item.id, state=item.state, removal_reason=item.removal_reason)
    if isinstance(item, Discussion):
        out.pinned, out.locked, out.promoted = item.pinned, item.locked, item.promoted
    return out


# Settings


@router.get("/groups/{slug}/settings")
async def get_settings(slug: Slug, db: Db, viewer: Viewer) -> SettingsOut:
    """The group's settings; for its host and site admins."""
    view = await governance.settings_of(db, viewer, slug)
    return _settings_out(view.group.slug, governance.settings_values(view.group))


@router.patch("/groups/{slug}/settings")
async def change_settings(slug: Slug, body: SettingsIn, db: Db, viewer: Viewer) -> SettingsOut:
    """Change some of the group's settings; each invalid field is named in 'errors'."""
    view = await governance.settings_of(db, viewer, slug)
    values: dict[str, str | int] = {**governance.settings_values(view.group)}
    values |= body.model_dump(exclude_none=True)
    group = await governance.update_settings(db, viewer, slug, **values)  # type: ignore[arg-type]
    return _settings_out(group.slug, governance.settings_values(group))


# Moderators


@router.get("/groups/{slug}/moderators")
async def list_moderators(slug: Slug, db: Db, viewer: Viewer) -> list[PersonOut]:
    """The host and moderators; for the host."""
    _, staff, _ = await governance.moderators(db, viewer, slug)
    return [_person(p) for p in staff]


@router.put("/groups/{slug}/moderators/{name}")
async def appoint(slug: Slug, name: Name, db: Db, viewer: Viewer) -> PersonOut:
    """The host makes an active member a moderator."""
    await governance.appoint_moderator(db, viewer, slug, name)
    _, staff, _ = await governance.moderators(db, viewer, slug)
    return next(_person(p) for p in staff if p.member.name == name.strip().lower())


@router.delete("/groups/{slug}/moderators/{name}", status_code=204)
async def dismiss(slug: Slug, name: Name, db: Db, viewer: Viewer) -> Response:
    """The host makes a moderator an ordinary member again; the host cannot be removed."""
    await governance.remove_moderator(db, viewer, slug, name)
    return Response(status_code=204)


# Join requests


@router.get("/groups/{slug}/requests")
async def list_requests(slug: Slug, db: Db, viewer: Viewer) -> list[PersonOut]:
    """Members asking to join, oldest first; for the group's moderators."""
    _, asking = await governance.join_requests(db, viewer, slug)
    return [_person(p) for p in asking]


@router.post("/groups/{slug}/requests/{name}/approve")
async def approve(slug: Slug, name: Name, db: Db, viewer: Viewer) -> PersonOut:
    """Let the member in."""
    ms = await governance.approve_request(db, viewer, slug, name)
    _, active, _ = await governance.members(db, viewer, slug)
    return next(_person(p) for p in active if p.membership.id == ms.id)


@router.delete("/groups/{slug}/requests/{name}", status_code=204)
async def deny(slug: Slug, name: Name, db: Db, viewer: Viewer) -> Response:
    """Turn the request down; the member may ask again later."""
    await governance.deny_request(db, viewer, slug, name)
    return Response(status_code=204)


# Bans


@router.get("/groups/{slug}/bans")
async def list_bans(slug: Slug, db: Db, viewer: Viewer) -> list[PersonOut]:
    """Members banned from the group; for its moderators."""
    _, _, banned = await governance.members(db, viewer, slug)
    return [_person(p) for p in banned]


@router.put("/groups/{slug}/bans/{name}")
async def ban(slug: Slug, name: Name, body: ReasonIn, db: Db, viewer: Viewer) -> PersonOut:
    """Ban a member from posting, commenting and joining; only the host bans a moderator."""
    ms = await governance.ban_member(db, viewer, slug, name, body.reason)
    _, _, banned = await governance.members(db, viewer, slug)
    return next(_person(p) for p in banned if p.membership.id == ms.id)


@router.delete("/groups/{slug}/bans/{name}", status_code=204)
async def unban(slug: Slug, name: Name, db: Db, viewer: Viewer) -> Response:
    """Lift the ban; the member may join again under the join policy."""
    await governance.unban_member(db, viewer, slug, name)
    return Response(status_code=204)


# Discussions: pin, lock, promote


def _flag_routes(flag: str, change: FlagChange, summary: str) -> None:
    async def put(discussion_id: ItemId, db: Db, viewer: Viewer) -> ModeratedOut:
        return _moderated(await change(db, viewer, discussion_id, True))

    async def delete(discussion_id: ItemId, db: Db, viewer: Viewer) -> ModeratedOut:
        return _moderated(await change(db, viewer, discussion_id, False))

    path = f"/discussions/{{discussion_id}}/{flag}"
    put.__name__, delete.__name__ = f"{flag}_discussion", f"un{flag}_discussion"
    router.add_api_route(path, put, methods=["PUT"], summary=summary, tags=["governance"])
    router.add_api_route(path, delete, methods=["DELETE"], summary=f"Undo: {summary.lower()}",
                         tags=["governance"])  # fmt: skip


_flag_routes("pin", governance.set_pinned, "Pin to the top of the group (moderators)")
_flag_routes("lock", governance.set_locked, "Lock against new comments (moderators)")
_flag_routes("promote", governance.set_promoted, "Promote to the front page (host)")


# Removing and reinstating


@router.post("/discussions/{discussion_id}/remove")
async def remove_discussion(discussion_id: ItemId, body: RemoveIn, db: Db, viewer: Viewer) -> ModeratedOut:  # fmt: skip
    """Take a discussion down with a reason its author sees (moderators)."""
    return _moderated(await governance.remove(db, viewer, "discussion", discussion_id, body.reason))


@router.post("/discussions/{discussion_id}/reinstate")
async def reinstate_discussion(discussion_id: ItemId, db: Db, viewer: Viewer) -> ModeratedOut:
    """Put a removed discussion back (moderators)."""
    return _moderated(await governance.reinstate(db, viewer, "discussion", discussion_id))


@router.post("/comments/{comment_id}/remove")
async def remove_comment(comment_id: ItemId, body: RemoveIn, db: Db, viewer: Viewer) -> ModeratedOut:  # fmt: skip
    """Take a comment down with a reason its author sees (moderators)."""
    return _moderated(await governance.remove(db, viewer, "comment", comment_id, body.reason))


@router.post("/comments/{comment_id}/reinstate")
async def reinstate_comment(comment_id: ItemId, db: Db, viewer: Viewer) -> ModeratedOut:
    """Put a removed comment back (moderators)."""
    return _moderated(await governance.reinstate(db, viewer, "comment", comment_id))
