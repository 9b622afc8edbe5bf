"""The domain layer end to end on the real database: a group, a discussion, a comment, a reply, a like."""

from townsquare.domain import discussions, likes


async def test_comment_and_reply_update_counters_and_positions(db, make):
    """A comment takes the next position; a reply shares its comment's and bumps its reply count."""
    host = await make.member()
    group = await make.group(host)
    d = await make.discussion(group, host)
    first = await make.comment(d, host)
    second = await make.comment(d, host)
    reply = await make.comment(d, host, parent=first)
    assert (first.position, second.position, reply.position) == (1, 2, 1)
    page = await discussions.discussion_page(db, host, d.id, 1, 50)
    assert [t.comment.id for t in page.threads] == [first.id, second.id]
    assert [r.id for r in page.threads[0].replies] == [reply.id]
    assert page.threads[0].comment.reply_count == 1
    assert page.discussion.comment_count == 3
    state = await likes.set_like(db, host, "comment", reply.id, None)
    assert state.liked and state.count == 1
    state = await likes.set_like(db, host, "comment", reply.id, None)
    assert not state.liked and state.count == 0


async def test_what_the_session_holds_agrees_with_the_database_after_a_comment(db, make):
    """A comment's counters, points and times are written past the ORM (statements built
    once): the objects this session already holds must say what the database says."""
    from sqlalchemy import select

    from townsquare.db.models import Comment, Discussion, Group, Member
    from townsquare.domain import comments

    host, guest = await make.member(), await make.member()
    group = await make.group(host, members=(guest,))
    d = await make.discussion(group, host)
    first = await comments.add_comment(db, guest, d.id, body="A comment")
    reply = await comments.add_comment(db, host, d.id, body="A reply", parent_id=first.id)

    async def stored(*columns, where):  # read past the identity map
        row = (await db.execute(select(*columns).where(where))).one()
        return tuple(row) if len(columns) > 1 else row[0]

    counters = (Discussion.comment_count, Discussion.top_count, Discussion.last_activity_at)
    assert await stored(*counters, where=Discussion.id == d.id) == (2, 1, reply.created_at)
    assert (d.comment_count, d.top_count, d.last_activity_at) == (2, 1, reply.created_at)
    assert first.reply_count == await stored(Comment.reply_count, where=Comment.id == first.id)
    assert first.reply_count == 1
    assert group.last_activity_at == await stored(
        Group.last_activity_at, where=Group.id == group.id
    )
    for member in (host, guest):
        assert member.points == await stored(Member.points, where=Member.id == member.id)
    # The score the database computes from the counters is read again with the row.
    loaded = (await db.scalars(select(Discussion).where(Discussion.id == d.id))).one()
    assert loaded is d
    assert d.score == await stored(Discussion.score, where=Discussion.id == d.id) == 2
    shown = (Comment.position, Comment.parent_id, Comment.state, Comment.body_html)
    assert await stored(*shown, where=Comment.id == reply.id) == (
        reply.position, reply.parent_id, reply.state, reply.body_html,
    )  # fmt: skip
