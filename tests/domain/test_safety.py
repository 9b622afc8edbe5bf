"""Reports, site bans, blocks and profanity masking through the domain layer."""

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from townsquare.db.models import Comment, Discussion, Group, Member, ModerationLog, Report
from townsquare.domain import accounts, comments, discussions, moderation, reports, safety
from townsquare.domain.errors import Forbidden, Invalid, NotFound
from townsquare.text.profanity import mask_html, masked_for


async def test_report_on_a_post_records_its_group_and_reaches_its_moderators(db, make):
    """A report on a comment carries the group; the host and site moderators see it."""
    host, author, reader = await make.member(), await make.member(), await make.member()
    site_mod = await make.member(role="moderator")
    group = await make.group(host, members=(author, reader))
    d = await make.discussion(group, author)
    c = await make.comment(d, author)
    r = await reports.report(db, reader, "comment", c.id, "Rude to everyone.")
    assert (r.group_id, r.state, r.target_type) == (group.id, "open", "comment")
    for moderator in (host, site_mod):
        listed = await reports.open_reports(db, moderator)
        assert [o.report.id for o in listed] == [r.id]
        assert listed[0].target.url == f"/d/{d.id}/c/{c.id}"
    with pytest.raises(Forbidden):
        await reports.open_reports(db, reader)


async def test_reports_list_oldest_first_and_a_repeat_changes_nothing(db, make):
    """Open reports come oldest first; reporting the same thing twice files one report."""
    mod, a, b = await make.member(role="moderator"), await make.member(), await make.member()
    first = await reports.report(db, a, "member", b.id, "Spam account.")
    again = await reports.report(db, a, "member", b.id, "Spam account, again.")
    second = await reports.report(db, b, "member", a.id, "Started it.")
    assert again.id == first.id
    listed = await reports.open_reports(db, mod)
    assert [o.report.id for o in listed] == [first.id, second.id]
    assert listed[0].group is None and listed[0].target.url == f"/u/{b.name}"


@pytest.mark.parametrize(
    ("reason", "field"), [("", "reason"), ("x" * 1001, "reason"), ("fine", "target_type")]
)
async def test_a_report_needs_a_short_reason_and_a_real_target(db, make, reason, field):
    """No reason, an overlong reason, or reporting yourself is a field error."""
    a = await make.member()
    target = a.id if field == "target_type" else (await make.member()).id
    with pytest.raises(Invalid) as caught:
        await reports.report(db, a, "member", target, reason)
    assert field in caught.value.errors


async def test_nobody_can_report_what_they_cannot_read(db, make):
    """A private group's discussion is NotFound to outsiders, even when reporting it."""
    host, outsider = await make.member(), await make.member()
    group = await make.group(host, visibility="private")
    d = await make.discussion(group, host)
    with pytest.raises(NotFound):
        await reports.report(db, outsider, "discussion", d.id, "What is this?")
    with pytest.raises(Invalid):
        await reports.report(db, outsider, "group", group.id, "What is this?")


async def test_private_group_reports_stay_with_that_groups_moderators(db, make):
    """Another group's host never sees (or resolves) a private group's reports."""
    host, other_host, member = await make.member(), await make.member(), await make.member()
    private = await make.group(host, visibility="private", members=(member,))
    await make.group(other_host)
    d = await make.discussion(private, host, title="Secret plans")
    r = await reports.report(db, member, "discussion", d.id, "Off topic.")
    assert await reports.open_reports(db, other_host) == []
    with pytest.raises(NotFound):
        await reports.resolve(db, other_host, r.id, "resolved")
    assert [o.target.label for o in await reports.open_reports(db, host)] == ["Secret plans"]


async def test_resolving_a_report_is_recorded_and_logged(db, make):
    """Resolve or dismiss: state, who, when and note are kept; the log has an entry."""
    mod, a, b = await make.member(role="moderator"), await make.member(), await make.member()
    r = await reports.report(db, a, "member", b.id, "Spam.")
    done = await reports.resolve(db, mod, r.id, "dismissed", "Not spam.")
    assert (done.state, done.resolved_by_id, done.resolution) == ("dismissed", mod.id, "Not spam.")
    assert done.resolved_at is not None
    entry = (await moderation.log_entries(db, mod))[0]
    assert (entry.action, entry.target_type, entry.target_id) == ("report.dismiss", "report", r.id)
    assert await reports.open_reports(db, mod) == []
    with pytest.raises(Invalid):
        await reports.resolve(db, mod, r.id, "resolved")
    with pytest.raises(Invalid):
        await reports.resolve(db, mod, (await reports.report(db, b, "member", a.id, "x")).id, "meh")


async def test_a_banned_member_cannot_log_in_and_their_sessions_stop(db, make):
    """A ban ends open sessions and refuses log-in with a clear message; unban lets them in."""
    mod, m = await make.member(role="moderator"), await make.member("mallory")
    token = await accounts.open_session(db, m, days=1)
    await safety.ban(db, mod, "mallory", reason="Harassment.")
    assert await accounts.session_member(db, token) is None
    with pytest.raises(Invalid) as caught:
        await accounts.authenticate(db, login="mallory", password=PASSWORD)
    assert "suspended" in caught.value.errors["password"]
    with pytest.raises(Invalid) as caught:
        await accounts.authenticate(db, login="mallory", password="wrong password")
    assert "do not match" in caught.value.errors["password"]
    await safety.unban(db, mod, "mallory")
    assert (await accounts.authenticate(db, login="mallory", password=PASSWORD)).id == m.id
    actions = [e.action for e in await moderation.log_entries(db, mod)]
    assert actions == ["member.unban", "member.ban"] or sorted(actions) == [
        "member.ban",
        "member.unban",
    ]


async def test_session_of_a_banned_member_is_refused_even_if_left_behind(db, make):
    """session_member checks the state, not only the session row."""
    m = await make.member()
    token = await accounts.open_session(db, m, days=1)
    m.state = "banned"
    await db.commit()
    assert await accounts.session_member(db, token) is None


@pytest.mark.parametrize(
    ("actor_role", "target_role", "allowed"),
    [
        ("member", "member", False),
        ("moderator", "member", True),
        ("moderator", "moderator", True),
        ("moderator", "admin", False),
        ("admin", "admin", True),
        ("admin", "moderator", True),
    ],
)
async def test_who_may_ban_whom(db, make, actor_role, target_role, allowed):
    """Site moderators and admins ban; moderators cannot ban admins."""
    actor, target = await make.member(role=actor_role), await make.member(role=target_role)
    if allowed:
        assert (await safety.ban(db, actor, target.name, reason="Rules.")).state == "banned"
    else:
        with pytest.raises(Forbidden):
            await safety.ban(db, actor, target.name, reason="Rules.")


async def test_a_ban_needs_a_reason_and_nobody_bans_themself(db, make):
    """An empty reason is a field error; banning yourself is refused."""
    mod, m = await make.member(role="moderator"), await make.member()
    with pytest.raises(Invalid):
        await safety.ban(db, mod, m.name, reason=" ")
    with pytest.raises(Forbidden):
        await safety.ban(db, mod, mod.name, reason="Oops.")
    with pytest.raises(Invalid):
        await safety.unban(db, mod, m.name)


async def test_a_ban_that_removes_content_keeps_counts_and_points_true(db, make):
    """Their discussions and comments become removed with the reason; counters follow."""
    mod, host, bad = await make.member(role="moderator"), await make.member(), await make.member()
    group = await make.group(host, members=(bad,))
    kept = await make.discussion(group, host)
    c = await make.comment(kept, bad)
    await make.comment(kept, bad, parent=await make.comment(kept, host))
    mine = await make.discussion(group, bad)
    ids = (kept.id, group.id, mine.id, c.id, bad.id, host.id)
    await safety.ban(db, mod, bad.name, reason="Spam.", remove_content=True)
    db.expire_all()
    kept_id, group_id, mine_id, c_id, bad_id, host_id = ids
    assert (await db.get(Discussion, kept_id)).comment_count == 1
    assert (await db.get(Group, group_id)).discussion_count == 1
    removed = await db.get(Discussion, mine_id)
    assert (removed.state, removed.removal_reason) == ("removed", "Spam.")
    assert (await db.get(Comment, c_id)).state == "removed"
    assert (await db.get(Member, bad_id)).points == 0
    parent = (await db.scalars(select(Comment).where(Comment.author_id == host_id))).one()
    assert parent.reply_count == 0


async def test_a_ban_that_keeps_content_leaves_posts_live(db, make):
    """The default keeps what they wrote."""
    mod, host, bad = await make.member(role="moderator"), await make.member(), await make.member()
    group = await make.group(host, members=(bad,))
    d_id = (await make.discussion(group, bad)).id
    await safety.ban(db, mod, bad.name, reason="Cooling off.")
    db.expire_all()
    assert (await db.get(Discussion, d_id)).state == "live"


async def test_a_banned_member_cannot_report_comment_or_block(db, make):
    """The banned state is refused everywhere permissions are asked."""
    mod, host, m = await make.member(role="moderator"), await make.member(), await make.member()
    group = await make.group(host, members=(m,))
    d = await make.discussion(group, host)
    await safety.ban(db, mod, m.name, reason="Rules.")
    with pytest.raises(Forbidden):
        await reports.report(db, m, "discussion", d.id, "Hm.")
    with pytest.raises(Forbidden):
        await comments.add_comment(db, m, d.id, body="Still here.")
    with pytest.raises(Forbidden):
        await safety.block(db, m, host.name)


async def test_blocking_collapses_comments_for_the_blocker_only(db, make):
    """The page marks blocked authors for the blocker; others see no mark."""
    a, b, c = await make.member(), await make.member(), await make.member()
    group = await make.group(a, members=(b, c))
    d = await make.discussion(group, a)
    await make.comment(d, b)
    await safety.block(db, a, b.name)
    await safety.block(db, a, b.name)  # twice is the same as once
    assert (await discussions.discussion_page(db, a, d.id, 1, 50)).blocked == {b.id}
    assert (await discussions.discussion_page(db, c, d.id, 1, 50)).blocked == set()
    assert (await discussions.discussion_page(db, None, d.id, 1, 50)).blocked == set()
    assert [m.name for m in await safety.blocked_members(db, a)] == [b.name]
    await safety.unblock(db, a, b.name)
    assert (await discussions.discussion_page(db, a, d.id, 1, 50)).blocked == set()


async def test_a_blocked_member_cannot_answer_the_blocker(db, make):
    """No comment on the blocker's discussion, no reply to the blocker's comment."""
    a, b, c = await make.member(), await make.member(), await make.member()
    group = await make.group(c, members=(a, b))
    theirs = await make.discussion(group, a)
    other = await make.discussion(group, c)
    comment = await make.comment(other, a)
    await safety.block(db, a, b.name)
    with pytest.raises(Forbidden) as caught:
        await make.comment(theirs, b)
    assert "blocked" not in caught.value.message
    with pytest.raises(Forbidden):
        await make.comment(other, b, parent=comment)
    assert (await make.comment(other, b)).state == "live"  # elsewhere they take part as usual
    assert (await make.comment(theirs, c)).state == "live"


async def test_nobody_blocks_themself_or_a_stranger(db, make):
    """Blocking yourself is refused; an unknown name is NotFound."""
    a = await make.member()
    with pytest.raises(Forbidden):
        await safety.block(db, a, a.name)
    with pytest.raises(NotFound):
        await safety.block(db, a, "nobody_here")


async def test_masking_changes_text_never_tags():
    """Words in text are masked; tags, attributes and references are left alone."""
    html = '<p title="shit">Oh shit &amp; <a href="/fuck">Fuck-up</a> in Scunthorpe</p>'
    assert mask_html(html) == (
        '<p title="shit">Oh **** &amp; <a href="/fuck">*******</a> in Scunthorpe</p>'
    )


async def test_masking_applies_only_to_a_viewer_who_asked(db, make):
    """The filter leaves HTML alone for visitors and members without the preference."""
    m = await make.member()
    assert masked_for("<p>shit</p>", None) == "<p>shit</p>"
    assert masked_for("<p>shit</p>", m) == "<p>shit</p>"
    await safety.set_mask_profanity(db, m, True)
    assert masked_for("<p>shit</p>", m) == "<p>****</p>"


async def test_report_rows_are_kept_for_the_moderators(db, make):
    """A report stays in the table with its reporter after it is resolved."""
    mod, a, b = await make.member(role="moderator"), await make.member(), await make.member()
    r = await reports.report(db, a, "member", b.id, "Spam.")
    await reports.resolve(db, mod, r.id, "resolved", "Warned them.")
    stored = (await db.scalars(select(Report))).one()
    assert (stored.reporter_id, stored.state) == (a.id, "resolved")
    assert (await db.scalars(select(ModerationLog.action))).all() == ["report.resolve"]


async def test_the_reports_list_reads_its_targets_in_a_few_queries(db, make):
    """Listing many reports costs one query per kind of target, not one per report."""
    from sqlalchemy import event

    mod, author = await make.member(role="moderator"), await make.member()
    group = await make.group(author)
    reporters = [await make.member() for _ in range(6)]
    for i, who in enumerate(reporters):
        await make.join(who, group)
        d = await make.discussion(group, author, title=f"Post {i}")
        c = await make.comment(d, author, body=f"Remark {i}")
        await reports.report(db, who, "discussion", d.id, "spam")
        await reports.report(db, who, "comment", c.id, "rude")
        await reports.report(db, who, "member", author.id, "troll")
    statements: list[str] = []
    engine = db.bind.sync_engine
    listen = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        found = await reports.open_reports(db, mod)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len(found) == 18
    assert {f.target.label for f in found if f.target.type == "discussion"} >= {"Post 0", "Post 5"}
    assert len(statements) <= 4, statements
