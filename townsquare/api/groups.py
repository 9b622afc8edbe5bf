"""Groups: browse, create, join and leave; a group's discussions; the home feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import JSONResponse

from townsquare.api.deps import Config, Db, Viewer, logged_in
from townsquare.api.errors import RATE_LIMITED, problem, problem_response
from townsquare.api.schemas import (
    DiscussionIn,
    DiscussionOut,
    DuplicateProblem,
    GroupFeedOut,
    GroupIn,
    GroupOut,
    HomeFeedOut,
    discussion_out,
    discussion_ref,
    discussion_summary,
    group_out,
)
from townsquare.domain import discussions, feeds, groups
from townsquare.web.deps import rate_limit

router = APIRouter(tags=["groups"])

Slug = Annotated[str, Path(max_length=100)]
# The shape feeds.encode_cursor writes; checked here so an oversized id never reaches SQL.
Cursor = Annotated[
    str | None,
    Query(pattern=r"^\d{14,20}-\d{1,18}$", description="A cursor from a previous page."),
]
Limit = Annotated[
    int | None,
    Query(ge=1, le=100, description="Discussions per page; the site's setting if unset."),
]


@router.get("/groups")
async def list_groups(db: Db, viewer: Viewer) -> list[GroupOut]:
    """Every group the viewer can see, most recently active first."""
    return [group_out(v.group, v.membership) for v in await groups.group_directory(db, viewer)]


@router.post("/groups", status_code=201)
async def create_group(body: GroupIn, db: Db, viewer: Viewer) -> GroupOut:
    """Create a group; its creator becomes its host."""
    group = await groups.create_group(
        db, viewer, name=body.name, slug=body.slug, description=body.description,
        rules=body.rules, visibility=body.visibility,
    )  # fmt: skip
    view = await groups.visible_group(db, viewer, group.slug)
    return group_out(view.group, view.membership)


@router.get("/groups/{slug}")
async def get_group(slug: Slug, db: Db, viewer: Viewer) -> GroupOut:
    """A group with the viewer's membership; private groups are not found by non-members."""
    view = await groups.visible_group(db, viewer, slug)
    return group_out(view.group, view.membership)


@router.post("/groups/{slug}/join")
async def join_group(slug: Slug, db: Db, viewer: Viewer) -> GroupOut:
    """Become a member of the group."""
    await groups.join_group(db, viewer, slug)
    view = await groups.visible_group(db, viewer, slug)
    return group_out(view.group, view.membership)


@router.post("/groups/{slug}/leave", status_code=204)
async def leave_group(slug: Slug, db: Db, viewer: Viewer) -> Response:
    """Stop being a member; a private group is then no longer visible, so nothing is returned."""
    await groups.leave_group(db, viewer, slug)
    return Response(status_code=204)


@router.get("/groups/{slug}/discussions")
async def group_discussions(
    slug: Slug, db: Db, viewer: Viewer, settings: Config,
    before: Cursor = None, after: Cursor = None, limit: Limit = None,
) -> GroupFeedOut:  # fmt: skip
    """The group's discussions, latest activity first, a page at a time."""
    view, page = await feeds.group_feed(
        db, viewer, slug, before=before, after=after,
        limit=limit or settings.discussions_per_page,
    )  # fmt: skip
    return GroupFeedOut(
        group=group_out(view.group, view.membership),
        items=[discussion_summary(d, viewer) for d in page.items],
        next=page.older,
        prev=page.newer,
    )


DUPLICATE = problem_response(
    "The group already discusses this article (after normalizing the address). "
    "'existing' names that discussion; send the same request with allow_duplicate: true to "
    "post anyway. 'errors.link_url' carries the message for a form.",
    DuplicateProblem,
)


@router.post(
    "/groups/{slug}/discussions",
    status_code=201,
    response_model=DiscussionOut,
    responses={409: DUPLICATE, **RATE_LIMITED},
    dependencies=[Depends(rate_limit("post"))],
)
async def start_discussion(
    slug: Slug, body: DiscussionIn, db: Db, viewer: Viewer
) -> DiscussionOut | JSONResponse:
    """Start a discussion in a group you belong to, optionally about a link.

    With link_url the title may be empty: it is filled from the article. The article is
    fetched in the background, so the answer's link starts as 'pending'.
    """
    try:
        d = await discussions.start_discussion(
            db, viewer, group_slug=slug, title=body.title, body=body.body,
            link_url=body.link_url, allow_duplicate=body.allow_duplicate,
        )  # fmt: skip
    except discussions.Duplicate as dup:
        existing = discussion_ref(dup.existing).model_dump()
        detail = dup.errors["link_url"]
        return problem(409, detail, errors=dup.errors, extra={"existing": existing})
    await db.refresh(d, ["link"])  # the card (pending, or already fetched for an earlier share)
    view = await groups.visible_group(db, viewer, slug)
    return discussion_out(d, logged_in(viewer), view.group, liked=False, viewer=viewer)


@router.get("/feed", tags=["discussions"])
async def home_feed(
    db: Db, viewer: Viewer, settings: Config,
    before: Cursor = None, after: Cursor = None, limit: Limit = None,
) -> HomeFeedOut:  # fmt: skip
    """The viewer's groups' discussions, latest activity first; every public group for visitors."""
    home = await feeds.home_feed(
        db, viewer, before=before, after=after, limit=limit or settings.discussions_per_page
    )
    return HomeFeedOut(
        scope="mine" if home.scope == "mine" else "all",
        items=[discussion_summary(d, viewer) for d in home.feed.items],
        next=home.feed.older,
        prev=home.feed.newer,
        elsewhere=[discussion_summary(d, viewer) for d in home.elsewhere],
    )
