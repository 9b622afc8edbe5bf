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
