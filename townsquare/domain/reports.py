"""Reports: any member flags a discussion, comment or member; moderators resolve them.

A report on a post carries the post's group, so it reaches that group's host and
moderators as well as the site moderators; a report on a member reaches the site
moderators only. Nobody can report what they cannot see, and nobody is shown a report
about a group they cannot moderate, so a report never carries a private group's content
anywhere new.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from townsquare.db.models import Comment, Discussion, Group, Member, Membership, Report, utcnow
from townsquare.domain import comments, discussions, moderation, permissions
from townsquare.domain.errors import Forbidden, Invalid, NotFound
from townsquare.domain.validate import Checker

TARGETS = ("discussion", "comment", "member")
OUTCOMES = ("resolved", "dismissed")
REASON_MAX = 1000


@dataclass
class Target:
    """What a report is about, as a moderator sees it: a label and a link."""

    type: str
    id: int
    label: str
    url: str
    group_id: int | None


async def find_target(
    db: AsyncSession, viewer: Member | None, target_type: str, target_id: int
) -> Target:
    """The thing to report, if the viewer may see it; NotFound otherwise (no leaks)."""
    if target_type == "discussion":
        d = (await discussions.locate(db, viewer, target_id)).discussion
        return Target("discussion", d.id, d.title or "a discussion", f"/d/{d.id}", d.group_id)
    if target_type == "comment":
        found = await comments.find_comment(db, viewer, target_id)
        c, d = found.comment, found.where.discussion
        kind = "reply" if c.parent_id else "comment"
        label = f"{c.author.display_name}'s {kind} on “{d.title}”"
        return Target("comment", c.id, label, f"/d/{d.id}/c/{c.id}", d.group_id)
    if target_type == "member":
        m = await db.get(Member, target_id)
        if m is None:
            raise NotFound("No such member.")
        return Target("member", m.id, f"{m.display_name} (@{m.name})", f"/u/{m.name}", None)
    raise Invalid({"target_type": "Report a discussion, a comment or a member."})


def _text(field: str, value: str, label: str, *, required: bool) -> str:
    check = Checker()
    text = check.text(field, value, label=label, min_len=1 if required else 0, max_len=REASON_MAX)
    check.done()
    return text


async def report(
    db: AsyncSession, actor: Member | None, target_type: str, target_id: int, reason: str
) -> Report:
    """File a report; reporting the same thing again while it is open changes nothing."""
    member = permissions.require(actor, "report")
    target = await find_target(db, member, target_type, target_id)
    if target.type == "member" and target.id == member.id:
        raise Invalid({"target_type": "You cannot report yourself."})
    reason = _text("reason", reason, "Reason", required=True)
    existing = await db.scalar(
        select(Report).where(
            Report.reporter_id == member.id, Report.target_type == target.type,
            Report.target_id == target.id, Report.state == "open",
        )
    )  # fmt: skip
    if existing is not None:
        return existing
    filed = Report(reporter_id=member.id, target_type=target.type, target_id=target.id,
                   group_id=target.group_id, reason=reason)  # fmt: skip
    db.add(filed)
    await db.commit()
    return filed


def _moderated_groups(member: Member):  # type: ignore[no-untyped-def]
    return select(Membership.group_id).where(
        Membership.member_id == member.id,
        Membership.state == "active",
        Membership.role.in_(("host", "moderator")),
    )


@dataclass
class OpenReport:
    report: Report
    reporter: Member
    target: Target
    group: Group | None


async def open_reports(
    db: AsyncSession, actor: Member | None, limit: int = 100
) -> list[OpenReport]:
    """Open reports the actor may act on, oldest first: all for site moderators, their
    groups' for a group's host and moderators; Forbidden for everyone else."""
    member = permissions.require(actor, "report")
    reporter = aliased(Member)
    query = (
        select(Report, reporter, Group)
        .join(reporter, reporter.id == Report.reporter_id)
        .outerjoin(Group, Group.id == Report.group_id)
        .where(Report.state == "open")
        .order_by(Report.created_at, Report.id)
        .limit(limit)
    )
    if not permissions.is_site_moderator(member):
        scope = list(await db.scalars(_moderated_groups(member)))
        if not scope:
            raise Forbidden("Only moderators can see reports.")
        query = query.where(Report.group_id.in_(scope))
    rows = list(await db.execute(query))
    targets = await _describe_all(db, [r for r, _, _ in rows])
    return [OpenReport(r, m, targets[(r.target_type, r.target_id)], g) for r, m, g in rows]


async def _describe_all(db: AsyncSession, reports: list[Report]) -> dict[tuple[str, int], Target]:
    """How a moderator sees each target (whatever its state now: removed posts included),
    in one query per kind of target rather than one per report."""
    wanted: dict[str, set[int]] = {kind: set() for kind in TARGETS}
    for r in reports:
        wanted[r.target_type].add(r.target_id)
    found: dict[tuple[str, int], Target] = {}
    if wanted["discussion"]:
        rows = await db.execute(
            select(Discussion.id, Discussion.title, Discussion.group_id).where(
                Discussion.id.in_(wanted["discussion"])
            )
        )
        for d_id, title, group_id in rows:
            found[("discussion", d_id)] = Target(
                "discussion", d_id, title or "a discussion", f"/d/{d_id}", group_id
            )
    if wanted["comment"]:
        rows = await db.execute(
            select(
                Comment.id,
                Comment.discussion_id,
                Comment.parent_id,
                Member.display_name,
                Discussion.title,
                Discussion.group_id,
            )  # fmt: skip
            .join(Member, Member.id == Comment.author_id)
            .join(Discussion, Discussion.id == Comment.discussion_id)
            .where(Comment.id.in_(wanted["comment"]))
        )
        for c_id, d_id, parent_id, name, title, group_id in rows:
            kind = "reply" if parent_id else "comment"
            found[("comment", c_id)] = Target("comment", c_id, f"{name}'s {kind} on “{title}”",
                                              f"/d/{d_id}/c/{c_id}", group_id)  # fmt: skip
    if wanted["member"]:
        for m in await db.scalars(select(Member).where(Member.id.in_(wanted["member"]))):
            found[("member", m.id)] = Target("member", m.id, f"{m.display_name} (@{m.name})",
                                             f"/u/{m.name}", None)  # fmt: skip
    gone = {"discussion": "a discussion that no longer exists",
            "comment": "a comment that no longer exists", "member": "a member who left"}  # fmt: skip
    for r in reports:
        key = (r.target_type, r.target_id)
        if key not in found:
            group_id = None if r.target_type == "member" else r.group_id
            found[key] = Target(r.target_type, r.target_id, gone[r.target_type], "", group_id)
    return found


async def resolve(
    db: AsyncSession, actor: Member | None, report_id: int, outcome: str, note: str = ""
) -> Report:
    """Close a report as resolved or dismissed, with an optional note; logged."""
    member = permissions.require(actor, "report")
    r = await db.get(Report, report_id)
    if r is None:
        raise NotFound("That report does not exist.")
    if not permissions.is_site_moderator(member):
        membership = None
        if r.group_id is not None:
            membership = await db.scalar(
                select(Membership).where(
                    Membership.group_id == r.group_id, Membership.member_id == member.id
                )
            )
        if r.group_id is None or not permissions.is_group_moderator(member, membership):
            raise NotFound("That report does not exist.")  # others do not learn it exists
    if outcome not in OUTCOMES:
        raise Invalid({"outcome": "Choose resolved or dismissed."})
    note = _text("note", note, "Note", required=False)
    if r.state != "open":
        raise Invalid({"outcome": f"This report was already {r.state}."})
    r.state, r.resolved_by_id, r.resolved_at, r.resolution = outcome, member.id, utcnow(), note
    action = "report.resolve" if outcome == "resolved" else "report.dismiss"
    moderation.record(db, member, action, "report", r.id, r.group_id, note)
    await db.commit()
    return r
