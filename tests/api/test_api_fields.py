"""Fields the API exposes for moderation and feeds: group policies, promotion, score, removal."""

from sqlalchemy import update

from townsquare.db.models import Discussion
from townsquare.domain import moderation


async def test_group_and_discussion_carry_policy_promotion_and_score(client, db, make):
    """A group shows its policies; a discussion its front-page flag and score."""
    host, other = await make.member(), await make.member()
    group = await make.group(host, members=(other,))
    d = await make.discussion(group, host)
    await make.comment(d, other)
    await db.execute(update(Discussion).where(Discussion.id == d.id).values(promoted=True))
    await db.commit()
    g = (await client.get(f"/api/v1/groups/{group.slug}")).json()
    assert (g["join_policy"], g["post_policy"], g["comment_policy"], g["min_level"]) == (
        "open", "members", "members", 1)  # fmt: skip
    body = (await client.get(f"/api/v1/discussions/{d.id}")).json()["discussion"]
    assert body["promoted"] is True and body["score"] == 1 and body["removal_reason"] is None


async def test_author_sees_why_a_moderator_removed_their_discussion(client, db, make):
    """The removal reason reaches the author through the API."""
    mod = await make.member(role="moderator")
    author = await make.member()
    group = await make.group(mod, members=(author,))
    d = await make.discussion(group, author)
    await moderation.remove(db, mod, "discussion", d.id, "Off topic here")
    await client.log_in_as(db, author)
    body = (await client.get(f"/api/v1/discussions/{d.id}")).json()["discussion"]
    assert body["state"] == "removed" and body["removal_reason"] == "Off topic here"
