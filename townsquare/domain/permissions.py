"""Who may do what: every rule lives here, once.

Domain functions call ``require`` to refuse; templates call ``can`` to decide which
buttons to show. ``membership`` is the viewer's membership in the target's group, if any;
``group`` is that group (needed for its posting policies); ``policy`` carries the level
gates from the settings.

Roles: a site has admins (may do anything) and moderators (review queue, reports, bans);
a group has a host (its creator: settings, moderators, promotion), moderators (pin, lock,
remove, join requests, group bans) and members.
"""

from __future__ import annotations

from dataclasses import dataclass

from townsquare.db.models import Comment, Discussion, Group, Member, Membership
from townsquare.domain.errors import Forbidden, NotLoggedIn

Target = Group | Discussion | Comment | Member | None


@dataclass(frozen=True)
class Policy:
    """The level gates, from the settings."""

    review_below_level: int = 2  # posts by members below this level wait for review
    group_create_level: int = 4

    @classmethod
    def from_settings(cls, settings: object) -> Policy:
        return cls(
            review_below_level=getattr(settings, "review_below_level", 2),
            group_create_level=getattr(settings, "group_create_level", 4),
        )


DEFAULT_POLICY = Policy()


def is_admin(viewer: Member | None) -> bool:
    return viewer is not None and viewer.role == "admin"


def is_site_moderator(viewer: Member | None) -> bool:
    return viewer is not None and viewer.role in ("admin", "moderator")


def is_active(membership: Membership | None) -> bool:
    return membership is not None and membership.state == "active"


def is_group_moderator(viewer: Member | None, membership: Membership | None) -> bool:
    """Host or moderator of the group (or a site moderator, who may act anywhere)."""
    if is_site_moderator(viewer):
        return True
    return (
        is_active(membership)
        and membership is not None
        and membership.role
        in (
            "host",
            "moderator",
        )
    )


def is_host(viewer: Member | None, membership: Membership | None) -> bool:
    if is_admin(viewer):
        return True
    return is_active(membership) and membership is not None and membership.role == "host"


def can_view_group(viewer: Member | None, group: Group, membership: Membership | None) -> bool:
    if group.visibility == "public":
        return True
    return is_site_moderator(viewer) or is_active(membership)


def can_see_item(
    viewer: Member | None, item: Discussion | Comment, membership: Membership | None
) -> bool:
    """Live posts are for everyone who can read the group; a post waiting for review or
    removed by a moderator is for its author and the moderators; a deleted one for admins."""
    if item.state == "live":
        return True
    if viewer is None:
        return False
    if item.state in ("pending", "removed"):
        return item.author_id == viewer.id or is_group_moderator(viewer, membership)
    return is_admin(viewer)


def needs_review(author: Member, membership: Membership | None, policy: Policy) -> bool:
    """Whether a new post by ``author`` waits in the review queue before others see it."""
    if is_group_moderator(author, membership):
        return False
    return author.level < policy.review_below_level


def _may_post(policy_name: str, viewer: Member, membership: Membership | None) -> str | None:
    if membership is not None and membership.state == "banned":
        return "You have been banned from this group."
    if policy_name == "anyone":
        return None
    if policy_name == "moderators":
        if is_group_moderator(viewer, membership):
            return None
        return "Only the group's host and moderators can do that here."
    if is_active(membership) or is_admin(viewer):
        return None
    return "Join this group to take part in its discussions."


def why_not(
    viewer: Member | None,
    action: str,
    target: Target = None,
    *,
    group: Group | None = None,
    membership: Membership | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> str | None:
    """None when ``viewer`` may do ``action`` on ``target``, else the reason, in members' words."""
    if viewer is None:
        return "Log in first."
    if viewer.state == "banned":
        return "Your account has been suspended."
    admin = is_admin(viewer)
    owner = target is not None and getattr(target, "author_id", None) == viewer.id
    if group is None and isinstance(target, Group):
        group = target
    match action:
        case "group.create":
            if admin or is_site_moderator(viewer) or viewer.level >= policy.group_create_level:
                return None
            return f"Members can create groups from level {policy.group_create_level}."
        case "group.join":
            if membership is not None and membership.state == "active":
                return "You are already a member of this group."
            if membership is not None and membership.state == "banned":
                return "You cannot join this group."
            if membership is not None and membership.state == "requested":
                return "Your request to join is waiting for the group's moderators."
            level_gate = group is not None and group.join_policy == "level" and not admin
            if level_gate and group is not None and viewer.level < group.min_level:
                return f"This group is open to members from level {group.min_level}."
            return None
        case "group.leave":
            if membership is None or membership.state not in ("active", "requested"):
                return "You are not a member of this group."
            if membership.role == "host":
                return "The host cannot leave the group they look after."
            return None
        case "group.moderate":
            return (
                None
                if is_group_moderator(viewer, membership)
                else "Only the group's moderators can do that."
            )
        case "group.manage":
            return None if is_host(viewer, membership) else "Only the group's host can do that."
        case "discussion.start":
            if admin:
                return None
            reason = _may_post(group.post_policy if group else "members", viewer, membership)
            if reason and reason.startswith("Join"):
                return "Join this group to start a discussion in it."
            return reason
        case "comment.create":
            assert isinstance(target, Discussion)
            if target.state != "live":
                return "This discussion is not open for comments."
            if target.locked and not is_group_moderator(viewer, membership):
                return "This discussion is locked."
            if admin:
                return None
            return _may_post(group.comment_policy if group else "members", viewer, membership)
        case "discussion.edit" | "comment.edit":
            if getattr(target, "state", "") in ("deleted", "removed"):
                return "This has been removed."
            return None if owner or admin else "You can only edit what you wrote."
        case "discussion.delete" | "comment.delete":
            if getattr(target, "state", "") == "deleted":
                return "This has already been deleted."
            return None if owner or admin else "You can only delete what you wrote."
        case "discussion.restore" | "comment.restore":
            return None if admin else "Only an admin can restore deleted posts."
        case "discussion.remove" | "comment.remove" | "discussion.pin" | "discussion.lock":
            return (
                None
                if is_group_moderator(viewer, membership)
                else "Only the group's moderators can do that."
            )
        case "discussion.promote":
            return (
                None
                if is_host(viewer, membership) or admin
                else "Only the group's host can do that."
            )
        case "review":
            return (
                None
                if is_group_moderator(viewer, membership)
                else "Only moderators can review posts."
            )
        case "site.moderate":
            return None if is_site_moderator(viewer) else "Only the site's moderators can do that."
        case "report":
            return None
        case "block":
            if isinstance(target, Member) and target.id == viewer.id:
                return "You cannot block yourself."
            return None
        case "link.refetch":
            return None if admin else "Only an admin can fetch a link again."
        case "like":
            if membership is not None and membership.state == "banned":
                return "You have been banned from this group."
            return None
    raise ValueError(f"unknown action {action!r}")


def can(
    viewer: Member | None,
    action: str,
    target: Target = None,
    *,
    group: Group | None = None,
    membership: Membership | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> bool:
    reason = why_not(viewer, action, target, group=group, membership=membership, policy=policy)
    return reason is None


def require(
    viewer: Member | None,
    action: str,
    target: Target = None,
    *,
    group: Group | None = None,
    membership: Membership | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> Member:
    """Raise Forbidden (or NotLoggedIn) unless allowed; returns the viewer, now known present."""
    reason = why_not(viewer, action, target, group=group, membership=membership, policy=policy)
    if reason is not None:
        if viewer is None:
            raise NotLoggedIn()
        raise Forbidden(reason)
    assert viewer is not None
    return viewer


def policy_of(db: object) -> Policy:
    """The policy for a database session (its settings travel in ``session.info``)."""
    info = getattr(db, "info", {}) or {}
    settings = info.get("settings")
    return Policy.from_settings(settings) if settings is not None else DEFAULT_POLICY
