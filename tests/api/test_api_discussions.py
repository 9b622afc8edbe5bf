"""API discussions: the discussion page, editing, deleting, restoring and likes."""

from __future__ import annotations

import pytest


async def test_the_discussion_page_has_comments_replies_and_the_viewers_likes(client, make, auth):
    """One read gives the discussion, its comments with replies, and what the viewer liked."""
    host = await make.member("host", level=5, display_name="The Host")
    group = await make.group(host)
    d = await make.discussion(group, host)
    first = await make.comment(d, host, body="First!")
    reply = await make.comment(d, host, body="A reply.", parent=first)
    second = await make.comment(d, host, body="Second.")
    headers = await auth(host)
    await client.put(f"/api/v1/discussions/{d.id}/like", headers=headers)
    await client.put(f"/api/v1/comments/{reply.id}/like", headers=headers)

    r = await client.get(f"/api/v1/discussions/{d.id}", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["page"], body["pages"]) == (1, 1)
    assert body["discussion"]["liked"] is True and body["discussion"]["like_count"] == 1
    assert body["discussion"]["comment_count"] == 3
    assert body["discussion"]["author"] == {"name": "host", "display_name": "The Host", "level": 5}
    threads = body["comments"]
    assert [t["id"] for t in threads] == [first.id, second.id]
    assert [x["id"] for x in threads[0]["replies"]] == [reply.id]
    assert threads[0]["liked"] is False and threads[0]["replies"][0]["liked"] is True
    assert threads[0]["body_html"] == "<p>First!</p>\n"
    assert threads[0]["author"]["display_name"] == "The Host"

    anonymous = (await client.get(f"/api/v1/discussions/{d.id}")).json()
    assert anonymous["discussion"]["liked"] is False
    assert anonymous["comments"][0]["replies"][0]["liked"] is False


async def test_comment_pages(client, make, settings, problem):
    """Comments come a page at a time; a page past the end is 404, page 0 a 422."""
    settings.comments_per_page = 5
    host = await make.member()
    d = await make.discussion(await make.group(host), host)
    made = [await make.comment(d, host, body=f"c{i}") for i in range(7)]
    r = (await client.get(f"/api/v1/discussions/{d.id}", params={"page": 2})).json()
    assert (r["page"], r["pages"]) == (2, 2)
    assert [t["id"] for t in r["comments"]] == [c.id for c in made[5:]]
    problem(await client.get(f"/api/v1/discussions/{d.id}", params={"page": 3}), 404)
    assert (
        "page"
        in problem(await client.get(f"/api/v1/discussions/{d.id}", params={"page": 0}), 422)[
            "errors"
        ]
    )


@pytest.mark.parametrize(
    ("ident", "status"),
    [("999999", 404), (str(2**63 - 1), 404), (str(2**63), 422), ("9" * 30, 422), ("abc", 422)],
)
async def test_an_unknown_discussion_is_a_problem_not_a_crash(client, problem, ident, status):
    """Unknown ids are 404; ids no database can hold are 422, never a 500."""
    problem(await client.get(f"/api/v1/discussions/{ident}"), status)


async def test_the_author_edits_a_discussion_field_by_field(client, make, auth):
    """PATCH with only a title keeps the text, and marks the discussion edited."""
    host = await make.member()
    d = await make.discussion(await make.group(host), host, body="Original *text*.")
    r = await client.patch(
        f"/api/v1/discussions/{d.id}", json={"title": "Better title"}, headers=await auth(host)
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["title"], body["body"]) == ("Better title", "Original *text*.")
    assert body["edited_at"] is not None and body["group"]["slug"]


async def test_only_the_author_edits_a_discussion(client, make, auth, problem):
    """Another member editing a discussion gets a 403 with the reason."""
    host = await make.member()
    group = await make.group(host)
    d = await make.discussion(group, host)
    other = await make.member()
    await make.join(other, group)
    r = await client.patch(
        f"/api/v1/discussions/{d.id}", json={"title": "Mine now"}, headers=await auth(other)
    )
    assert "only edit what you wrote" in problem(r, 403)["detail"]


async def test_an_edit_is_checked_like_a_new_discussion(client, make, auth, problem):
    """Editing to an empty title is a 422 at the title."""
    host = await make.member()
    d = await make.discussion(await make.group(host), host)
    r = await client.patch(
        f"/api/v1/discussions/{d.id}", json={"title": ""}, headers=await auth(host)
    )
    assert "title" in problem(r, 422)["errors"]


async def test_deleting_and_restoring_a_discussion(client, make, auth, problem):
    """The author deletes (then it is gone for them); only an admin restores it."""
    host = await make.member()
    group = await make.group(host)
    d = await make.discussion(group, host)
    author = await auth(host)
    r = await client.delete(f"/api/v1/discussions/{d.id}", headers=author)
    assert r.status_code == 204
    problem(await client.get(f"/api/v1/discussions/{d.id}", headers=author), 404)
    r = await client.get(f"/api/v1/groups/{group.slug}/discussions")
    assert r.json()["items"] == []
    problem(await client.post(f"/api/v1/discussions/{d.id}/restore", headers=author), 404)

    admin = await auth(await make.member(role="admin"))
    r = await client.post(f"/api/v1/discussions/{d.id}/restore", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "live"
    assert (await client.get(f"/api/v1/discussions/{d.id}")).status_code == 200


async def test_only_the_author_or_an_admin_deletes_a_discussion(client, make, auth, problem):
    """Another member deleting a discussion is refused with the reason."""
    host = await make.member()
    d = await make.discussion(await make.group(host), host)
    r = await client.delete(f"/api/v1/discussions/{d.id}", headers=await auth(await make.member()))
    assert "only delete what you wrote" in problem(r, 403)["detail"]


async def test_liking_twice_is_one_like(client, make, auth):
    """PUT like twice counts once; DELETE twice leaves none."""
    host = await make.member()
    d = await make.discussion(await make.group(host), host)
    headers = await auth(await make.member())
    url = f"/api/v1/discussions/{d.id}/like"
    for _ in range(2):
        assert (await client.put(url, headers=headers)).json() == {"liked": True, "count": 1}
    for _ in range(2):
        assert (await client.delete(url, headers=headers)).json() == {"liked": False, "count": 0}


async def test_a_visitor_cannot_like(client, make, problem):
    """Liking needs a log-in."""
    host = await make.member()
    d = await make.discussion(await make.group(host), host)
    await client.get("/api/v1/auth/csrf")
    problem(await client.send_json("PUT", f"/api/v1/discussions/{d.id}/like"), 401)


async def test_liking_an_unknown_discussion_is_404(client, make, auth, problem):
    """No discussion, no like."""
    r = await client.put("/api/v1/discussions/424242/like", headers=await auth(await make.member()))
    problem(r, 404)
