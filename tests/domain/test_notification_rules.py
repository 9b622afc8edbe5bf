"""Notifications through the domain layer: who hears of what, and who never does."""

from sqlalchemy import select

from townsquare.db.models import Notification
from townsquare.domain import comments, groups, likes, moderation, notifications, safety


async def _kinds(db, member):
    rows = await db.scalars(
        select(Notification).where(Notification.recipient_id == member.id).order_by(Notification.id)
    )
    return [n.kind for n in rows]


async def test_a_reply_tells_the_comment_author_and_the_discussion_author(db, make):
    """A reply notifies the comment's author (reply) and the discussion's author (comment)."""
    host, alice, bob = await make.member(), await make.member(), await make.member()
    group = await make.group(host, members=(alice, bob))
    d = await make.discussion(group, host)
    c = await make.comment(d, alice)
    await make.comment(d, bob, parent=c)
    assert await _kinds(db, alice) == ["reply"]
    assert await _kinds(db, host) == ["comment", "comment"]


async def test_nobody_is_notified_of_their_own_acts(db, make):
    """Commenting on, replying to and liking your own posts tells you nothing."""
    host = await make.member()
    group = await make.group(host)
    d = await make.discussion(group, host)
    c = await make.comment(d, host, body=f"Me again, @{host.name}")
    await make.comment(d, host, parent=c)
    await likes.set_like(db, host, "comment", c.id, True)
    assert await _kinds(db, host) == []


async def test_a_mention_reaches_a_member_who_can_see_the_discussion_only(db, make):
    """@name notifies a reader of the group; in a private group an outsider hears nothing."""
    host, carol, outsider = (
        await make.member(),
        await make.member("carol"),
        await make.member("olga"),
    )
    public = await make.group(host, members=(carol,))
    d = await make.discussion(public, host)
    await make.comment(d, host, body="What do you think, @Carol and @nobody_here?")
    assert await _kinds(db, carol) == ["mention"]
    secret = await make.group(host, visibility="private")
    d2 = await make.discussion(secret, host)
    await make.comment(d2, host, body="@olga would like this")
    assert await _kinds(db, outsider) == []


async def test_a_blocked_member_cannot_mention_the_blocker(db, make):
    """Someone you block reaches you neither by mention nor by like."""
    host, dan, troll = await make.member(), await make.member("dan"), await make.member("troll")
    group = await make.group(host, members=(dan, troll))
    d = await make.discussion(group, host)
    mine = await make.comment(d, dan)
    await safety.block(db, dan, "troll")
    await make.comment(d, troll, body="hey @dan")
    await likes.set_like(db, troll, "comment", mine.id, True)
    assert await _kinds(db, dan) == []


async def test_likes_on_one_comment_fold_into_one_notification(db, make):
    """Three likes make one unread row: "3 people liked your comment"."""
    author = await make.member()
    fans = [await make.member() for _ in range(3)]
    group = await make.group(author, members=tuple(fans))
    d = await make.discussion(group, author, title="Tides")
    c = await make.comment(d, author)
    for fan in fans:
        await likes.set_like(db, fan, "comment", c.id, True)
    items, _ = await notifications.notifications_page(db, author)
    assert [i.text for i in items] == ["3 people liked your comment in “Tides”"]
    assert items[0].url == f"/d/{d.id}/c/{c.id}"


async def test_a_comment_waiting_for_review_tells_no_one_until_approved(db, make, settings):
    """A held comment is silent; approval tells its author and the discussion's author."""
    settings.review_below_level = 2
    mod = await make.member(role="moderator", level=3)
    newcomer = await make.member(level=1)
    group = await make.group(mod, members=(newcomer,))
    d = await make.discussion(group, mod)
    c = await comments.add_comment(db, newcomer, d.id, body="First!")
    assert c.state == "pending"
    assert await _kinds(db, mod) == []
    await moderation.approve(db, mod, "comment", c.id)
    assert await _kinds(db, newcomer) == ["approved"]
    assert await _kinds(db, mod) == ["comment"]


async def test_an_approval_after_a_block_tells_the_blocker_nothing(db, make, settings):
    """A comment written before its discussion's author blocked the writer, approved after:
    the block is asked at approval (only a comment just accepted is known unblocked)."""
    settings.review_below_level = 2
    mod, host = await make.member(role="moderator", level=3), await make.member(level=3)
    newcomer = await make.member(level=1)
    group = await make.group(host, members=(newcomer, mod))
    d = await make.discussion(group, host)
    c = await comments.add_comment(db, newcomer, d.id, body="Waiting for review")
    await safety.block(db, host, newcomer.name)
    await moderation.approve(db, mod, "comment", c.id)
    assert await _kinds(db, host) == []
    assert await _kinds(db, newcomer) == ["approved"]


async def test_a_removal_tells_the_author_why(db, make):
    """A moderator's removal reaches the author with the reason."""
    mod, author = await make.member(role="moderator"), await make.member()
    group = await make.group(mod, members=(author,))
    d = await make.discussion(group, mod, title="Rules")
    c = await make.comment(d, author)
    await moderation.remove(db, mod, "comment", c.id, "Off topic")
    items, _ = await notifications.notifications_page(db, author)
    assert items[0].text == "Your comment in “Rules” was removed by a moderator: Off topic"


async def test_notifications_from_a_private_group_vanish_once_you_leave_it(db, make):
    """What a member can no longer see leaves their notifications page."""
    host, eve = await make.member(), await make.member()
    group = await make.group(host, visibility="private", members=(eve,))
    d = await make.discussion(group, eve)
    await make.comment(d, host)
    assert len((await notifications.notifications_page(db, eve))[0]) == 1
    await groups.leave_group(db, eve, group.slug)
    assert (await notifications.notifications_page(db, eve))[0] == []


async def test_a_join_request_tells_the_hosts(db, make):
    """Asking to join a request-only group notifies its host."""
    host, asker = await make.member(), await make.member()
    group = await make.group(host)
    group.join_policy = "request"
    await db.commit()
    await groups.join_group(db, asker, group.slug)
    items, _ = await notifications.notifications_page(db, host)
    assert items[0].kind == "join_request" and items[0].url == f"/g/{group.slug}/requests"


async def test_reaching_a_new_level_is_news(db, make, settings):
    """Points that lift a member a level notify them; the page links the levels."""
    settings.points_got_comment = 60
    host, fan = await make.member(), await make.member()
    group = await make.group(host, members=(fan,))
    d = await make.discussion(group, host)
    await make.comment(d, fan)
    items, _ = await notifications.notifications_page(db, host)
    assert "You reached level 2" in [i.text for i in items]


def test_mentions_are_read_from_text_once_each():
    """@name mentions, lower-cased, each once; emails and paths are not mentions."""
    text = "@Alice and @bob, also @alice; mail x@example.org or /@path"
    assert notifications.mentioned_names(text) == ["alice", "bob"]


async def test_the_unread_count_never_counts_what_the_page_cannot_show(db, make):
    """A deleted reply, or a private group left, leaves nothing unread behind."""
    host, alice, bob = await make.member(), await make.member(), await make.member()
    group = await make.group(host, members=(alice, bob))
    d = await make.discussion(group, host)
    c = await make.comment(d, alice)
    reply = await make.comment(d, bob, parent=c)
    assert await notifications.unread_count(db, alice.id) == 1
    await comments.delete_comment(db, bob, reply.id)
    assert await notifications.unread_count(db, alice.id) == 0

    secret = await make.group(host, visibility="private", members=(alice,))
    sd = await make.discussion(secret, host)
    await make.comment(sd, host, body=f"Hello @{alice.name}")
    assert await notifications.unread_count(db, alice.id) == 1
    await groups.leave_group(db, alice, secret.slug)
    assert await notifications.unread_count(db, alice.id) == 0
