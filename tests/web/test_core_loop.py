"""The core loop through the HTML face: real app, real database, forms with CSRF tokens."""

import re

from sqlalchemy import select

from tests.conftest import PASSWORD
from townsquare.db.models import Comment, Discussion, Group, Member


async def test_member_signs_up_creates_group_posts_comments_replies_and_likes(client, db):
    """A newcomer can do the whole loop with plain form posts, no JavaScript."""
    r = await client.form(
        "/signup", {"name": "ada", "email": "ada@example.org", "password": PASSWORD}
    )
    assert r.status_code == 303 and "ts_session" in client.cookies
    r = await client.form(
        "/groups/new",
        {
            "name": "Science news",
            "slug": "science",
            "description": "New findings.",
            "visibility": "public",
        },
    )
    assert r.headers["location"] == "/g/science"
    r = await client.form("/g/science/new", {"title": "Octopuses dream", "body": "They *do*."})
    assert r.status_code == 303
    did = int(r.headers["location"].rsplit("/", 1)[1])
    r = await client.form(f"/d/{did}/comments", {"body": "Fascinating."})
    assert r.headers["location"].startswith(f"/d/{did}?page=1#c")
    cid = int(r.headers["location"].rsplit("#c", 1)[1])
    r = await client.form(f"/d/{did}/comments", {"body": "Agreed!", "parent_id": str(cid)})
    assert r.status_code == 303
    r = await client.form(f"/c/{cid}/like")
    assert r.status_code == 303

    page = (await client.get(f"/d/{did}")).text
    assert "<em>do</em>" in page and "Fascinating." in page and "Agreed!" in page
    assert "1 reply" in page and "2 comments" in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[\d:]+\+00:00"', page)
    assert 'class="level"' in page
    comment = await db.get(Comment, cid)
    await db.refresh(comment)
    assert comment.like_count == 1 and comment.reply_count == 1


async def test_post_without_csrf_token_is_refused(client, db, make):
    """A state-changing request without the CSRF token gets 403 and writes nothing."""
    member = await make.member()
    group = await make.group(member)
    await client.log_in_as(db, member)
    r = await client.post(f"/g/{group.slug}/new", data={"title": "Sneaky"})
    assert r.status_code == 403
    r = await client.post(f"/g/{group.slug}/new", data={"title": "Sneaky", "csrf_token": "forged"})
    assert r.status_code == 403
    assert await db.scalar(select(Discussion.id)) is None


async def test_editing_someone_elses_comment_is_forbidden(client, db, make):
    """Only the author (or an admin) may edit a comment; others get 403 and the text stays."""
    author, other = await make.member(), await make.member()
    group = await make.group(author, members=(other,))
    d = await make.discussion(group, author)
    c = await make.comment(d, author, body="Mine.")
    await client.log_in_as(db, other)
    r = await client.form(f"/c/{c.id}/edit", {"body": "Hijacked"})
    assert r.status_code == 403
    await db.refresh(c)
    assert c.body_src == "Mine."


async def test_posting_to_a_group_you_are_not_in_is_refused_with_a_message(client, db, make):
    """Starting a discussion needs membership; the page says so."""
    host, outsider = await make.member(), await make.member()
    group = await make.group(host)
    await client.log_in_as(db, outsider)
    r = await client.form(f"/g/{group.slug}/new", {"title": "Hello"})
    assert r.status_code == 403
    assert "Join this group to start a discussion" in r.text


async def test_empty_and_huge_titles_get_field_errors_and_keep_the_text(client, db, make):
    """Bad input re-shows the form with a message at the field and what the member typed."""
    member = await make.member()
    group = await make.group(member)
    await client.log_in_as(db, member)
    r = await client.form(f"/g/{group.slug}/new", {"title": "  ", "body": "My careful words"})
    assert r.status_code == 422
    assert 'id="e-title"' in r.text and "Title is required." in r.text
    assert "My careful words" in r.text
    huge = "x" * 100_000
    r = await client.form(f"/g/{group.slug}/new", {"title": huge, "body": "kept"})
    assert r.status_code == 422 and "at most 300 characters" in r.text and "kept" in r.text
    assert await db.scalar(select(Discussion.id)) is None


async def test_unknown_ids_are_404(client, db, make):
    """Missing discussions, comments and groups are 404 pages, never 500."""
    for url in ("/d/999", "/d/999/c/5", "/g/nowhere", "/u/nobody", "/c/77/reply", "/d/abc"):
        r = await client.get(url)
        assert r.status_code in (404, 400), url
    member = await make.member()
    await client.log_in_as(db, member)
    for url in ("/d/999/comments", "/c/999/like", "/d/999/like", "/x/1/like"):
        r = await client.form(url, {"body": "hi"})
        assert r.status_code == 404, url


async def test_html_and_script_in_markdown_come_out_inert(client, db, make):
    """Markdown is sanitized at write time: no script, no event handlers, no javascript: links."""
    member = await make.member()
    group = await make.group(member)
    d = await make.discussion(
        group, member, body="<script>alert(1)</script> [x](javascript:alert(2))"
    )
    await make.comment(d, member, body='<img src=x onerror="alert(3)"> **ok**')
    page = (await client.get(f"/d/{d.id}")).text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page and 'href="javascript:' not in page
    assert "<strong>ok</strong>" in page


async def test_long_discussion_paginates_and_permalinks_land_on_the_right_page(
    client, db, make, settings
):
    """Comments split into pages of comments_per_page; a permalink redirects to its page."""
    author = await make.member()
    group = await make.group(author)
    d = await make.discussion(group, author)
    made = [await make.comment(d, author, body=f"Comment number {i}") for i in range(1, 121)]
    reply = await make.comment(d, author, body="A late reply", parent=made[110])
    page1 = (await client.get(f"/d/{d.id}")).text
    assert "Comment number 1<" in page1 and "Comment number 51<" not in page1
    assert page1.count('aria-current="page"') == 2  # pager at the top and the bottom
    page3 = (await client.get(f"/d/{d.id}?page=3")).text
    assert "Comment number 101<" in page3 and "A late reply" in page3
    r = await client.get(f"/d/{d.id}/c/{reply.id}")
    assert r.status_code == 303 and r.headers["location"] == f"/d/{d.id}?page=3#c{reply.id}"
    assert (await client.get(f"/d/{d.id}?page=4")).status_code == 404


async def test_join_leave_and_group_lists(client, db, make):
    """Joining bumps the member count; the group directory and home feed list what is visible."""
    host, member = await make.member(), await make.member()
    group = await make.group(host)
    await make.discussion(group, host, title="Visible talk")
    secret = await make.group(host, visibility="private")
    await make.discussion(secret, host, title="Hidden talk")
    await client.log_in_as(db, member)
    assert (await client.form(f"/g/{group.slug}/join")).status_code == 303
    await db.refresh(group)
    assert group.member_count == 2
    listing = (await client.get("/groups")).text
    assert group.name in listing and secret.name not in listing
    home = (await client.get("/")).text
    assert "Visible talk" in home and "Hidden talk" not in home
    assert (await client.get(f"/g/{secret.slug}")).status_code == 404
    assert (await client.form(f"/g/{group.slug}/leave")).status_code == 303
    await db.refresh(group)
    assert group.member_count == 1


async def test_login_logout_revokes_the_session(client, db, make):
    """Logging out deletes the server-side session, so the old cookie stops working."""
    member = await make.member("grace")
    r = await client.form("/login", {"login": "grace", "password": "wrong password"})
    assert r.status_code == 422 and "do not match" in r.text and 'value="grace"' in r.text
    r = await client.form("/login", {"login": "grace@example.org", "password": PASSWORD})
    assert r.status_code == 303
    old = client.cookies.get("ts_session")
    assert "Log out" in (await client.get("/")).text
    await client.form("/logout")
    client.cookies.set("ts_session", old)
    assert "Log out" not in (await client.get("/")).text
    assert await db.scalar(select(Member.id).where(Member.name == "grace")) == member.id


async def test_delete_and_admin_restore_a_discussion(client, db, make):
    """An author's delete hides the discussion from lists; an admin can restore it."""
    admin = await make.member(role="admin")
    author = await make.member()
    group = await make.group(author)
    d = await make.discussion(group, author, title="Regrettable")
    await client.log_in_as(db, author)
    assert (await client.form(f"/d/{d.id}/delete")).status_code == 303
    assert "Regrettable" not in (await client.get(f"/g/{group.slug}")).text
    assert (await client.get(f"/d/{d.id}")).status_code == 404
    await client.log_in_as(db, admin)
    assert "Only admins see it" in (await client.get(f"/d/{d.id}")).text
    assert (await client.form(f"/d/{d.id}/restore")).status_code == 303
    assert "Regrettable" in (await client.get(f"/g/{group.slug}")).text
    g = await db.get(Group, group.id)
    await db.refresh(g)
    assert g.discussion_count == 1


async def test_a_nul_character_is_never_a_server_error(client, db, make):
    """PostgreSQL cannot hold or compare a NUL: addresses with one are 404, and typed text
    loses it (no one means one)."""
    member = await make.member()
    group = await make.group(member, slug="nul-check")
    for path in ("/u/a%00b", "/g/a%00b", "/search?q=a%00b", "/d/1?page=%00"):
        assert (await client.get(path)).status_code == 404, path
    await client.log_in_as(db, member)
    r = await client.form(f"/g/{group.slug}/new", {"title": "Null\x00 island", "body": "a\x00b"})
    assert r.status_code == 303
    d = await db.scalar(select(Discussion).where(Discussion.group_id == group.id))
    assert d.title == "Null island" and d.body_src == "ab"
