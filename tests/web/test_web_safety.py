"""Reports, moderation pages, bans, blocks and masking through the HTML face."""

from tests.conftest import PASSWORD
from townsquare.domain import reports, safety


async def test_a_member_reports_a_comment_and_a_moderator_resolves_it(client_factory, db, make):
    """The report form files a report; the moderator's page lists it and resolves it."""
    host, author, reader = await make.member(), await make.member(), await make.member()
    mod = await make.member(role="moderator")
    group = await make.group(host, members=(author, reader))
    d = await make.discussion(group, author, title="Harbour plans")
    c = await make.comment(d, author)
    browser = client_factory()
    await browser.log_in_as(db, reader)
    page = (await browser.get(f"/d/{d.id}")).text
    assert f'href="/report?type=comment&amp;id={c.id}"' in page
    form = await browser.get(f"/report?type=comment&id={c.id}")
    assert form.status_code == 200 and "Harbour plans" in form.text
    sent = await browser.form("/report", {"target_type": "comment", "target_id": c.id,
                                          "reason": "Insults."})  # fmt: skip
    assert sent.status_code == 200 and "The moderators will look" in sent.text
    moderator = client_factory()
    await moderator.log_in_as(db, mod)
    listing = await moderator.get("/moderation/reports")
    assert "Insults." in listing.text and f"/d/{d.id}/c/{c.id}" in listing.text
    assert 'href="/moderation/reports">Moderation</a>' in listing.text
    r = (await reports.open_reports(db, mod))[0].report
    done = await moderator.form(f"/moderation/reports/{r.id}",
                                {"outcome": "resolved", "note": "Removed it."})  # fmt: skip
    assert done.status_code == 303
    assert "No open reports." in (await moderator.get("/moderation/reports")).text
    log = (await moderator.get("/moderation/log")).text
    assert "report.resolve" in log and "Removed it." in log


async def test_a_report_without_a_reason_keeps_the_form(client, db, make):
    """An empty or overlong reason comes back with the text and a message at the field."""
    a, b = await make.member(), await make.member()
    await client.log_in_as(db, a)
    sent = await client.form("/report", {"target_type": "member", "target_id": b.id,
                                         "reason": "x" * 1001})  # fmt: skip
    assert sent.status_code == 422
    assert "at most 1,000 characters" in sent.text and "x" * 1001 in sent.text


async def test_report_form_needs_csrf_and_a_log_in(client, db, make):
    """Without a CSRF token: 403; a visitor is sent to log in."""
    a, b = await make.member(), await make.member()
    assert (await client.get(f"/report?type=member&id={b.id}")).status_code == 303
    await client.log_in_as(db, a)
    bare = await client.post("/report", data={"target_type": "member", "target_id": b.id,
                                             "reason": "Spam."})  # fmt: skip
    assert bare.status_code == 403


async def test_private_group_posts_cannot_be_reported_by_outsiders(client, db, make):
    """Reporting a private group's discussion from outside is a 404 that says nothing."""
    host, outsider = await make.member(), await make.member()
    group = await make.group(host, visibility="private")
    d = await make.discussion(group, host, title="Members only")
    await client.log_in_as(db, outsider)
    page = await client.get(f"/report?type=discussion&id={d.id}")
    assert page.status_code == 404 and "Members only" not in page.text
    sent = await client.form("/report", {"target_type": "discussion", "target_id": d.id,
                                         "reason": "?"})  # fmt: skip
    assert sent.status_code == 404 and "Members only" not in sent.text


async def test_moderation_pages_are_for_moderators(client, db, make):
    """A plain member gets 403 on the reports and log pages, and no Moderation link."""
    m = await make.member()
    await client.log_in_as(db, m)
    assert (await client.get("/moderation/reports")).status_code == 403
    assert (await client.get("/moderation/log")).status_code == 403
    assert "/moderation/reports" not in (await client.get("/")).text


async def test_a_banned_member_cannot_log_in_and_is_logged_out(client_factory, db, make):
    """A moderator bans from the profile; the member's session ends and log-in says why."""
    mod, bad = await make.member(role="moderator"), await make.member("mallory")
    victim = client_factory()
    await victim.log_in_as(db, bad)
    moderator = client_factory()
    await moderator.log_in_as(db, mod)
    assert 'href="/u/mallory/ban"' in (await moderator.get("/u/mallory")).text
    empty = await moderator.form("/u/mallory/ban", {"reason": "", "remove_content": "on"})
    assert empty.status_code == 422 and "Reason is required." in empty.text
    assert "checked" in empty.text
    done = await moderator.form("/u/mallory/ban", {"reason": "Harassment."})
    assert done.status_code == 303
    assert "mallory" not in (await victim.get("/")).text.split("<main")[0]
    fresh = client_factory()
    refused = await fresh.form("/login", {"login": "mallory", "password": PASSWORD})
    assert refused.status_code == 422 and "suspended" in refused.text
    assert "member.ban" in (await moderator.get("/moderation/log")).text


async def test_members_and_moderators_cannot_ban_admins(client, db, make):
    """A member gets 403 banning anyone; a moderator gets 403 banning an admin; 404 for no one."""
    admin, mod, m = (
        await make.member(role="admin"),
        await make.member(role="moderator"),
        await make.member(),
    )
    await client.log_in_as(db, m)
    assert (await client.form(f"/u/{mod.name}/ban", {"reason": "x"})).status_code == 403
    await client.log_in_as(db, mod)
    assert (await client.form(f"/u/{admin.name}/ban", {"reason": "x"})).status_code == 403
    assert (await client.get(f"/u/{admin.name}/ban")).status_code == 403
    assert (await client.form("/u/nobody_at_all/ban", {"reason": "x"})).status_code == 404


async def test_blocking_collapses_comments_and_stops_replies(client_factory, db, make):
    """After a block, the blocker sees one line; the blocked member cannot reply to them."""
    a, b, c = await make.member("alice"), await make.member("bob"), await make.member()
    group = await make.group(a, members=(b, c))
    d = await make.discussion(group, a)
    mine = await make.comment(d, a, body="Alice speaks.")
    await make.comment(d, b, body="Bob's rant.")
    alice, bob, carol = client_factory(), client_factory(), client_factory()
    for browser, member in ((alice, a), (bob, b), (carol, c)):
        await browser.log_in_as(db, member)
    assert (await alice.form("/u/bob/block")).status_code == 303
    page = (await alice.get(f"/d/{d.id}")).text
    assert "You blocked this member." in page and "Bob's rant." not in page
    assert "Bob's rant." in (await carol.get(f"/d/{d.id}")).text
    assert "You blocked" not in (await carol.get(f"/d/{d.id}")).text
    assert "bob" in (await alice.get("/settings/blocked")).text
    reply = await bob.form(f"/d/{d.id}/comments", {"body": "Hey", "parent_id": mine.id})
    assert reply.status_code == 403
    assert (await bob.form(f"/d/{d.id}/comments", {"body": "Hey"})).status_code == 403
    assert (await alice.form("/u/bob/unblock", {"back": "list"})).headers["location"] == (
        "/settings/blocked"
    )
    assert "Bob's rant." in (await alice.get(f"/d/{d.id}")).text


async def test_masking_changes_only_the_opted_in_viewers_page(client_factory, db, make):
    """Turning the preference on in settings masks that member's page, nobody else's."""
    a, b = await make.member(), await make.member()
    group = await make.group(a, members=(b,))
    d = await make.discussion(group, a, body="What a shit idea.")
    await make.comment(d, a, body="Holy shit.")
    prude, other = client_factory(), client_factory()
    await prude.log_in_as(db, b)
    await other.log_in_as(db, a)
    saved = await prude.form("/settings/profile", {"display_name": "Prude", "bio": "",
                                                   "mask_profanity": "on"})  # fmt: skip
    assert saved.status_code == 303
    assert "checked" in (await prude.get("/settings/profile")).text
    masked = (await prude.get(f"/d/{d.id}")).text
    assert "shit" not in masked and "What a **** idea." in masked and "Holy ****." in masked
    assert "What a shit idea." in (await other.get(f"/d/{d.id}")).text
    await safety.set_mask_profanity(db, b, False)
    assert (await prude.form("/settings/profile", {"display_name": "Prude"})).status_code == 303
    assert "Holy shit." in (await prude.get(f"/d/{d.id}")).text
