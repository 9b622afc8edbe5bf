"""Who may do what: every rule lives here, once.

Domain functions call ``require`` to refuse; templates call ``can`` to decide which
buttons to show. ``membership`` is the viewer's membership in the target's group, if any.
"""

from __future__ import annotations

from townsquare.db.models import Comment, Discussion, Group, Member, Membership
from townsquare.domain.errors import Forbidden, NotLoggedIn

Target = Group | Discussion | Comment | None


def is_admin(viewer: Member | None) -> bool:
    return viewer is not None and viewer.role == "admin"


def is_active(membership: Membership | None) -> bool:
    return membership is not None and membership.state == "active"


def can_view_group(viewer: Member | None, group: Group, membership: Membership | None) -> bool:
    if group.visibility == "public":
        return True
    return is_admin(viewer) or is_active(membership)


def why_not(
    viewer: Member | None,
    action: str,
    target: Target = None,
    *,
    group: Group | None = None,
    membership: Membership | None = None,
) -> str | None:
    """None when ``viewer`` may do ``action`` on ``target``, else the reason, in members' words."""
    if viewer is None:
        return "Log in first."
    admin = is_admin(viewer)
    owner = target is not None and getattr(target, "author_id", None) == viewer.id
    match action:
        case "group.create":
            return None
        case "group.join":
            if membership is not None and membership.state == "active":
                return "You are already a member of this group."
            if membership is not None and membership.state == "banned":
                return "You cannot join this group."
            return None
        case "group.leave":
            if not is_active(membership):
                return "You are not a member of this group."
            if membership is not None and membership.role == "host":
                return "The host cannot leave the group they look after."
            return None
        case "discussion.start":
            if admin or is_active(membership):
                return None
            return "Join this group to start a discussion in it."
        case "comment.create":
            assert isinstance(target, Discussion)
            if target.state != "live":
                return "This discussion is not open for comments."
            if target.locked and not admin:
                return "This discussion is locked."
            if admin or is_active(membership):
                return None
            return "Join this group to take part in its discussions."
        case "discussion.edit" | "comment.edit":
            if getattr(target, "state", "") == "deleted":
                return "This has been deleted."
            return None if owner or admin else "You can only edit what you wrote."
        case "discussion.delete" | "comment.delete":
            if getattr(target, "state", "") == "deleted":
                return "This has already been deleted."
            return None if owner or admin else "You can only delete what you wrote."
        case "link.refetch":
            return None if admin else "Only an admin can fetch a link again."
        case "discussion.restore" | "comment.restore":
            return None if admin else "Only an admin can restore deleted posts."
        case "like":
            return None
    raise ValueError(f"unknown action {action!r}")


def can(
    viewer: Member | None,
    action: str,
    target: Target = None,
    *,
    group: Group | None = None,
    membership: Membership | None = None,
) -> bool:
    return why_not(viewer, action, target, group=group, membership=membership) is None


def require(
    viewer: Member | None,
    action: str,
    target: Target = None,
    *,
    group: Group | None = None,
    membership: Membership | None = None,
) -> Member:
    """Raise Forbidden (or NotLoggedIn) unless allowed; returns the viewer, now known present."""
    reason = why_not(viewer, action, target, group=group, membership=membership)
    if reason is not None:
        if viewer is None:
            raise NotLoggedIn()
        raise Forbidden(reason)
    assert viewer is not None
    return viewer
