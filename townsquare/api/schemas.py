"""The API's request and response shapes, and the functions that fill responses from the domain.

Request models only guard types and absurd sizes (the ceilings below sit well above the
domain's own limits), so a member who is slightly over a limit gets the domain's
message in their words, field by field. Response models are filled explicitly, never
from ORM attributes, so a relationship that was not loaded can never trigger a query.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from townsquare.db.models import Comment, Discussion, Group, Link, Member, Membership
from townsquare.domain import permissions

# Ceilings against oversized payloads; the real limits and their messages are the domain's.
Line = Annotated[str, StringConstraints(max_length=2_000)]
Text = Annotated[str, StringConstraints(max_length=100_000)]
Secret = Annotated[str, StringConstraints(max_length=1_000)]
# The largest id both databases store; a bigger number is a 422, never an overflow.
MAX_ID = 2**63 - 1


class In(BaseModel):
    """A request body: unknown fields are refused, so a misspelt field is not silently lost."""

    model_config = ConfigDict(extra="forbid")


# Requests


class SignupIn(In):
    name: Line
    email: Line
    password: Secret
    display_name: Line = ""


class LoginIn(In):
    login: Line = Field(description="Member name or email.")
    password: Secret


class TokenIn(LoginIn):
    label: Annotated[str, StringConstraints(max_length=100)] = Field(
        default="", description="A note to recognise the token by, such as 'laptop'."
    )


class PasswordIn(In):
    current_password: Secret
    new_password: Secret


class ProfileIn(In):
    display_name: Line | None = None
    bio: Text | None = None


class GroupIn(In):
    name: Line
    slug: Line = Field(description="The group's address: lower-case letters, digits, dashes.")
    description: Text = ""
    rules: Text = Field(default="", description="Markdown.")
    visibility: Literal["public", "private"] = "public"


class DiscussionIn(In):
    # The domain allows far less; a long title gets its message, not a type error.
    title: Text = Field(
        default="",
        description="Required, unless link_url is given: then an empty title is filled "
        "from the article once it has been fetched.",
    )
    body: Text = Field(default="", description="Markdown.")
    link_url: Line | None = Field(default=None, description="An article this discussion is about.")
    allow_duplicate: bool = Field(
        default=False,
        description="Post even when the group already discusses the same article; "
        "without it, that is a 409 naming the existing discussion.",
    )


class DiscussionEditIn(In):
    title: Text | None = None
    body: Text | None = None


class CommentIn(In):
    body: Text = Field(description="Markdown.")
    parent_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = Field(
        default=None, description="The comment this replies to; replies are one level deep."
    )


class CommentEditIn(In):
    body: Text


# Responses


class Problem(BaseModel):
    """RFC 9457 problem details; ``errors`` maps a request field to its message."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, str] | None = None


class MemberRef(BaseModel):
    """How a name appears anywhere in the API: always with its display name and level."""

    name: str
    display_name: str
    level: int


class MemberOut(MemberRef):
    role: str
    points: int
    bio: str
    created_at: datetime


class MeOut(MemberOut):
    """The member's own account: the one place their email appears."""

    email: str


class MembershipOut(BaseModel):
    role: str
    state: str


class GroupRef(BaseModel):
    slug: str
    name: str


class GroupOut(GroupRef):
    description: str
    rules: str
    rules_html: str
    visibility: str
    join_policy: str = Field(description="open, request (moderators approve) or level.")
    min_level: int = Field(description="The level needed to join when join_policy is level.")
    post_policy: str = Field(description="Who may start discussions: anyone, members, moderators.")
    comment_policy: str = Field(description="Who may comment: anyone, members, moderators.")
    member_count: int
    discussion_count: int
    last_activity_at: datetime | None
    created_at: datetime
    membership: MembershipOut | None = Field(description="The viewer's membership, if any.")


class LinkOut(BaseModel):
    """The article card of a shared link; the full text is only in the article route."""

    url: str = Field(description="The article's address (after redirects), normalized.")
    status: Literal["pending", "ok", "failed"] = Field(
        description="'pending' until the background fetch has run; 'failed' leaves a plain link."
    )
    title: str | None
    site_name: str | None
    domain: str = Field(description="The host name of url, without 'www.'.")
    author: str | None
    published: date | None
    lead: str | None = Field(
        description="The first paragraph or two; paragraphs split by a blank line."
    )
    image: str | None = Field(description="The main image's absolute URL.")
    caption: str | None
    kind: Literal["article", "file"] = Field(description="'file': not a web page (see file_type).")
    file_type: str | None
    has_reader_view: bool = Field(description="Whether GET /discussions/{id}/article has text.")
    # Absent rather than null for everyone else, so their answers do not even hint at one.
    error_reason: str | None = Field(
        default=None,
        exclude_if=lambda reason: reason is None,
        description="Why the fetch failed; present only for the discussion's author (and "
        "admins) when status is 'failed'.",
    )


class DiscussionRef(BaseModel):
    id: int
    title: str = Field(description="Empty while a link shared without a title is being fetched.")
    url: str = Field(description="The discussion's page on the site.")


class DuplicateProblem(Problem):
    """409 when the group already discusses the article: post again with allow_duplicate."""

    existing: DiscussionRef


class AlsoDiscussedOut(DiscussionRef):
    """Another discussion of the same article, in a group the viewer can read."""

    group: GroupRef
    author: MemberRef
    comment_count: int
    created_at: datetime


class ArticleBlock(BaseModel):
    kind: Literal["p", "h2", "h3", "quote", "li", "img"]
    value: str = Field(description="Plain text (never HTML); for 'img', the image's absolute URL.")


class ArticleOut(BaseModel):
    """The reader view: the article's extracted text, to show with a link to the original."""

    title: str
    site_name: str | None
    author: str | None
    published: date | None
    url: str = Field(description="The original, to credit and link to.")
    blocks: list[ArticleBlock]


class DiscussionSummary(BaseModel):
    id: int
    group: GroupRef
    author: MemberRef
    title: str
    link_url: str | None = Field(description="The address as the member gave it.")
    link: LinkOut | None = Field(description="The article card, when a link was shared.")
    comment_count: int
    like_count: int
    pinned: bool
    locked: bool
    promoted: bool = Field(description="On the site's front page.")
    score: int = Field(description="Likes plus comments: the Top tab's order.")
    last_activity_at: datetime
    created_at: datetime


class DiscussionOut(DiscussionSummary):
    body: str = Field(description="The Markdown as written.")
    body_html: str = Field(description="Sanitized HTML, safe to insert into a page.")
    state: str
    removal_reason: str | None = Field(
        default=None, description="Why a moderator removed it (shown to its author)."
    )
    edited_at: datetime | None
    liked: bool = Field(description="Whether the viewer likes it.")


class CommentOut(BaseModel):
    id: int
    discussion_id: int
    parent_id: int | None
    author: MemberRef
    body: str | None = Field(description="The Markdown as written; null once deleted.")
    body_html: str | None = Field(description="Sanitized HTML; null once deleted.")
    state: str
    reply_count: int
    like_count: int
    liked: bool
    created_at: datetime
    edited_at: datetime | None


class ThreadOut(CommentOut):
    replies: list[CommentOut]


class DiscussionPageOut(BaseModel):
    discussion: DiscussionOut
    comments: list[ThreadOut]
    page: int
    pages: int


class CommentFoundOut(CommentOut):
    page: int = Field(description="The discussion page this comment is on.")


class FeedOut(BaseModel):
    items: list[DiscussionSummary]
    next: str | None = Field(description="Pass as ?before= for older discussions.")
    prev: str | None = Field(description="Pass as ?after= for newer discussions.")


class GroupFeedOut(FeedOut):
    group: GroupOut


class HomeFeedOut(FeedOut):
    scope: Literal["mine", "all"] = Field(
        description="'mine': the viewer's groups; 'all': every public group."
    )
    elsewhere: list[DiscussionSummary] = Field(
        description="On the first page of 'mine': lively discussions in other groups."
    )


class LikeOut(BaseModel):
    liked: bool
    count: int


class TokenOut(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'; shown only once.")
    label: str


class CsrfOut(BaseModel):
    csrf_token: str = Field(description="Send as the X-CSRF-Token header with cookie log-ins.")


# Filling responses


def member_ref(m: Member) -> MemberRef:
    return MemberRef(name=m.name, display_name=m.display_name, level=m.level)


def member_out(m: Member) -> MemberOut:
    return MemberOut(
        name=m.name, display_name=m.display_name, level=m.level, role=m.role, points=m.points,
        bio=m.bio, created_at=m.created_at,
    )  # fmt: skip


def me_out(m: Member) -> MeOut:
    return MeOut(**member_out(m).model_dump(), email=m.email)


def group_out(g: Group, membership: Membership | None) -> GroupOut:
    return GroupOut(
        slug=g.slug, name=g.name, description=g.description, rules=g.rules_src,
        rules_html=g.rules_html, visibility=g.visibility, join_policy=g.join_policy,
        min_level=g.min_level, post_policy=g.post_policy, comment_policy=g.comment_policy,
        member_count=g.member_count,
        discussion_count=g.discussion_count, last_activity_at=g.last_activity_at,
        created_at=g.created_at,
        membership=MembershipOut(role=membership.role, state=membership.state)
        if membership is not None else None,
    )  # fmt: skip


def domain_of(url: str) -> str:
    return (urlsplit(url).hostname or url).removeprefix("www.")


def link_out(link: Link, *, show_error: bool) -> LinkOut:
    """The card; ``show_error`` for the discussion's author and admins (see may_see_error)."""
    url = link.final_url or link.url
    failed = link.status == "failed"
    return LinkOut(
        url=url, status=link.status, title=link.title, site_name=link.site_name,
        domain=domain_of(url), author=link.author, published=link.published, lead=link.lead,
        image=link.image, caption=link.caption, kind=link.kind, file_type=link.file_type,
        has_reader_view=link.status == "ok" and bool(link.blocks),
        error_reason=link.error_reason if failed and show_error else None,
    )  # fmt: skip


def may_see_error(viewer: Member | None, d: Discussion) -> bool:
    """Why a fetch failed is the poster's business (and an admin's), not every reader's."""
    return viewer is not None and (viewer.id == d.author_id or permissions.is_admin(viewer))


def discussion_ref(d: Discussion) -> DiscussionRef:
    return DiscussionRef(id=d.id, title=d.title, url=f"/d/{d.id}")


def also_discussed_out(d: Discussion) -> AlsoDiscussedOut:
    return AlsoDiscussedOut(
        id=d.id, title=d.title, url=f"/d/{d.id}", group=GroupRef(slug=d.group.slug, name=d.group.name),
        author=member_ref(d.author), comment_count=d.comment_count, created_at=d.created_at,
    )  # fmt: skip


def _summary_fields(
    d: Discussion, author: Member, group: Group, viewer: Member | None
) -> dict[str, object]:
    # d.link must have been loaded with d (locate and the feeds do): it never lazy-loads.
    link = None if d.link is None else link_out(d.link, show_error=may_see_error(viewer, d))
    return dict(
        id=d.id, group=GroupRef(slug=group.slug, name=group.name), author=member_ref(author),
        title=d.title, link_url=d.link_url, link=link, comment_count=d.comment_count,
        like_count=d.like_count, pinned=d.pinned, locked=d.locked, promoted=d.promoted,
        score=d.like_count + d.comment_count,
        last_activity_at=d.last_activity_at, created_at=d.created_at,
    )  # fmt: skip


def discussion_summary(d: Discussion, viewer: Member | None) -> DiscussionSummary:
    """For feed rows, which the feed queries load with their author, group and link."""
    return DiscussionSummary.model_validate(_summary_fields(d, d.author, d.group, viewer))


def discussion_out(
    d: Discussion, author: Member, group: Group, *, liked: bool, viewer: Member | None
) -> DiscussionOut:
    return DiscussionOut.model_validate(
        _summary_fields(d, author, group, viewer)
        | dict(
            body=d.body_src,
            body_html=d.body_html,
            state=d.state,
            removal_reason=d.removal_reason if d.state == "removed" else None,
            edited_at=d.edited_at,
            liked=liked,
        )  # fmt: skip
    )


def _comment_fields(c: Comment, author: Member, *, liked: bool, admin: bool) -> dict[str, object]:
    # A deleted comment keeps its place (and its replies) but not its words, except for admins.
    hidden = c.state != "live" and not admin
    return dict(
        id=c.id, discussion_id=c.discussion_id, parent_id=c.parent_id, author=member_ref(author),
        body=None if hidden else c.body_src, body_html=None if hidden else c.body_html,
        state=c.state, reply_count=c.reply_count, like_count=c.like_count, liked=liked,
        created_at=c.created_at, edited_at=c.edited_at,
    )  # fmt: skip


def comment_out(c: Comment, author: Member, *, liked: bool, admin: bool) -> CommentOut:
    return CommentOut.model_validate(_comment_fields(c, author, liked=liked, admin=admin))


def comment_found_out(
    c: Comment, author: Member, *, liked: bool, admin: bool, page: int
) -> CommentFoundOut:
    return CommentFoundOut.model_validate(
        _comment_fields(c, author, liked=liked, admin=admin) | {"page": page}
    )


def thread_out(
    c: Comment, replies: list[Comment], liked: set[tuple[str, int]], *, admin: bool
) -> ThreadOut:
    def fields(x: Comment) -> dict[str, object]:
        return _comment_fields(x, x.author, liked=("comment", x.id) in liked, admin=admin)

    return ThreadOut.model_validate(
        fields(c) | {"replies": [CommentOut.model_validate(fields(r)) for r in replies]}
    )
