"""API comments and replies: writing, reading one with its page, editing, deleting, likes."""

from __future__ import annotations

import pytest


async def _discussion(make):
    """A group whose host started a discussion; returns (host, group, discussion)."""
    host = await make.member()
    group = await make.group(host)
    return host, group, await make.discussion(group, host)


async def test_commenting_and_replying(client, make, auth):
    """A comment answers 201 with its page; a reply lands under its comment."""
    host, _, d = await _discussion(make)
    headers = await auth(host)
    url = f"/api/v1/discussions/{d.id}/comments"
    r = await client.post(url, json={"body": "Nice **find**."}, headers=headers)
    assert r.status_code == 201, r.text
    comment = r.json()
    assert comment["page"] == 1 and comment["parent_id"] is None
    assert comment["body_html"] == "<p>Nice <strong>find</strong>.</p>\n"
    assert set(comment["author"]) == {"name", "display_name", "level"}

    r = await client.post(
        url, json={"body": "Agreed.", "parent_id": comment["id"]}, headers=headers
    )
    assert r.status_code == 201 and r.json()["parent_id"] == comment["id"]
    page = (await client.get(f"/api/v1/discussions/{d.id}")).json()
    assert [x["body"] for x in page["comments"][0]["replies"]] == ["Agreed."]
    assert page["comments"][0]["reply_count"] == 1


async def test_a_reply_to_a_reply_joins_its_comment(client, make, auth):
    """Replies are one level deep: replying to a reply attaches to the top comment."""
    host, _, d = await _discussion(make)
    top = await make.comment(d, host)
    reply = await make.comment(d, host, parent=top)
    r = await client.post(
        f"/api/v1/discussions/{d.id}/comments",
        json={"body": "Deeper", "parent_id": reply.id}, headers=await auth(host),
    )  # fmt: skip
    assert r.json()["parent_id"] == top.id


async def test_replying_to_a_comment_elsewhere_is_404(client, make, auth, problem):
    """A parent_id from another discussion is not found."""
    host, group, d = await _discussion(make)
    elsewhere = await make.comment(await make.discussion(group, host), host)
    r = await client.post(
        f"/api/v1/discussions/{d.id}/comments",
        json={"body": "Hi", "parent_id": elsewhere.id}, headers=await auth(host),
    )  # fmt: skip
    problem(r, 404)


async def test_a_non_member_cannot_comment(client, make, auth, problem):
    """Commenting in a group you have not joined is a 403 saying to join."""
    _, _, d = await _discussion(make)
    r = await client.post(
        f"/api/v1/discussions/{d.id}/comments", json={"body": "Hi"},
        headers=await auth(await make.member()),
    )  # fmt: skip
    assert "Join this group" in problem(r, 403)["detail"]


@pytest.mark.parametrize("body", ["", "  \n ", "x" * 20_001])
async def test_a_bad_comment_is_refused_at_the_body(client, make, auth, problem, body):
    """Empty or overlong comments are a 422 at body."""
    host, _, d = await _discussion(make)
    r = await client.post(
        f"/api/v1/discussions/{d.id}/comments", json={"body": body}, headers=await auth(host)
    )
    assert problem(r, 422)["errors"]["body"]


async def test_html_and_script_come_back_inert(client, make, auth):
    """Raw HTML, scripts and javascript: links in Markdown never reach body_html as markup."""
    host, _, d = await _discussion(make)
    source = (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3)) <a href='javascript:alert(4)'>a</a>"
    )
    r = await client.post(
        f"/api/v1/discussions/{d.id}/comments", json={"body": source}, headers=await auth(host)
    )
    html = r.json()["body_html"]
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "&lt;script&gt;" in html  # shown as the text the member typed
    assert r.json()["body"] == source  # the source as typed, for editing


async def test_a_comment_knows_its_page(client, make, settings):
    """GET a comment gives the discussion page it is on, for permalinks."""
    settings.comments_per_page = 5
    host, _, d = await _discussion(make)
    made = [await make.comment(d, host) for _ in range(6)]
    reply = await make.comment(d, host, parent=made[5])
    for c, page in ((made[0], 1), (made[4], 1), (made[5], 2), (reply, 2)):
        r = await client.get(f"/api/v1/comments/{c.id}")
        assert (r.json()["id"], r.json()["page"]) == (c.id, page)


async def test_an_unknown_comment_is_404(client, make, auth, problem):
    """Unknown comment ids are 404 for reading, editing, deleting and liking."""
    headers = await auth(await make.member())
    problem(await client.get("/api/v1/comments/31337"), 404)
    problem(await client.patch("/api/v1/comments/31337", json={"body": "x"}, headers=headers), 404)
    problem(await client.delete("/api/v1/comments/31337", headers=headers), 404)
    problem(await client.put("/api/v1/comments/31337/like", headers=headers), 404)


async def test_a_comment_in_a_private_group_is_404_to_outsiders(client, make, auth, problem):
    """A permalink into a private group does not reveal the comment."""
    host = await make.member()
    d = await make.discussion(await make.group(host, visibility="private"), host)
    c = await make.comment(d, host)
    problem(await client.get(f"/api/v1/comments/{c.id}"), 404)
    assert (
        await client.get(f"/api/v1/comments/{c.id}", headers=await auth(host))
    ).status_code == 200


@pytest.mark.parametrize(
    ("who", "edit", "delete"),
    [("author", 200, 204), ("other member", 403, 403), ("admin", 200, 204)],
)
async def test_who_may_edit_and_delete_a_comment(client, make, auth, problem, who, edit, delete):
    """The author and admins may edit and delete a comment; other members get a 403."""
    host, group, d = await _discussion(make)
    writer = await make.member()
    await make.join(writer, group)
    c = await make.comment(d, writer, body="Mine.")
    actor = {
        "author": writer,
        "other member": host,  # even the group's host: moderation is a separate action
        "admin": await make.member(role="admin"),
    }[who]
    headers = await auth(actor)
    r = await client.patch(f"/api/v1/comments/{c.id}", json={"body": "Changed."}, headers=headers)
    if edit == 200:
        assert r.status_code == 200, r.text
        assert r.json()["body_html"] == "<p>Changed.</p>\n" and r.json()["edited_at"]
    else:
        assert "only edit what you wrote" in problem(r, edit)["detail"]
    r = await client.delete(f"/api/v1/comments/{c.id}", headers=headers)
    if delete == 204:
        assert r.status_code == 204
    else:
        problem(r, delete)


async def test_a_deleted_comment_keeps_its_place_but_not_its_words(client, make, auth, problem):
    """A deleted comment with replies still shows, without its text; alone it is 404."""
    host, _, d = await _discussion(make)
    top = await make.comment(d, host, body="Regrettable.")
    await make.comment(d, host, parent=top, body="A reply.")
    headers = await auth(host)
    assert (await client.delete(f"/api/v1/comments/{top.id}", headers=headers)).status_code == 204
    page = (await client.get(f"/api/v1/discussions/{d.id}")).json()
    shown = page["comments"][0]
    assert shown["state"] == "deleted" and shown["body"] is None and shown["body_html"] is None
    assert "Regrettable" not in str(page)
    assert [x["body"] for x in shown["replies"]] == ["A reply."]
    problem(await client.get(f"/api/v1/comments/{top.id}", headers=headers), 404)


async def test_only_an_admin_restores_a_comment(client, make, auth, problem):
    """An admin sees a deleted comment's text and can restore it; its author cannot."""
    host, _, d = await _discussion(make)
    c = await make.comment(d, host, body="Oops.")
    author = await auth(host)
    await client.delete(f"/api/v1/comments/{c.id}", headers=author)
    problem(await client.post(f"/api/v1/comments/{c.id}/restore", headers=author), 404)

    admin = await auth(await make.member(role="admin"))
    seen = (await client.get(f"/api/v1/comments/{c.id}", headers=admin)).json()
    assert (seen["state"], seen["body"]) == ("deleted", "Oops.")
    r = await client.post(f"/api/v1/comments/{c.id}/restore", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "live"
    assert (await client.get(f"/api/v1/comments/{c.id}")).json()["body"] == "Oops."


async def test_liking_a_comment_twice_is_one_like(client, make, auth):
    """PUT like on a comment twice counts once; the comment then shows liked for that member."""
    host, _, d = await _discussion(make)
    c = await make.comment(d, host)
    headers = await auth(await make.member())
    url = f"/api/v1/comments/{c.id}/like"
    for _ in range(2):
        assert (await client.put(url, headers=headers)).json() == {"liked": True, "count": 1}
    r = (await client.get(f"/api/v1/comments/{c.id}", headers=headers)).json()
    assert (r["liked"], r["like_count"]) == (True, 1)
    for _ in range(2):
        assert (await client.delete(url, headers=headers)).json() == {"liked": False, "count": 0}
