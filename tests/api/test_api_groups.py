"""API groups: the directory, creating, joining and leaving, and a group's discussions."""

from __future__ import annotations

import pytest


async def test_the_directory_hides_private_groups_from_non_members(client, make, auth):
    """A member sees public groups and the private ones they belong to, no others."""
    me = await make.member()
    await make.group(slug="open-one")
    await make.group(slug="secret-mine", visibility="private", members=(me,))
    await make.group(slug="secret-other", visibility="private")
    r = await client.get("/api/v1/groups", headers=await auth(me))
    assert sorted(g["slug"] for g in r.json()) == ["open-one", "secret-mine"]
    r = await client.get("/api/v1/groups")
    assert [g["slug"] for g in r.json()] == ["open-one"]


async def test_creating_a_group_makes_its_creator_host(client, make, auth):
    """A new group answers 201 with the creator as its host and the rules cooked."""
    r = await client.post(
        "/api/v1/groups",
        json={"name": "Hikers", "slug": "hikers", "rules": "Be **kind**.", "visibility": "private"},
        headers=await auth(await make.member()),
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["membership"] == {"role": "host", "state": "active"}
    assert body["member_count"] == 1 and body["visibility"] == "private"
    assert "<strong>kind</strong>" in body["rules_html"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Hikers", "slug": "Not A Slug!"}, "slug"),
        ({"name": "Hi", "slug": "hikers"}, "name"),
        ({"name": "Hikers", "slug": "hikers", "visibility": "secret"}, "visibility"),
        ({"name": "Hikers"}, "slug"),
    ],
)
async def test_a_bad_group_is_refused_at_its_field(client, make, auth, problem, payload, field):
    """Each bad group field is a 422 naming that field."""
    r = await client.post("/api/v1/groups", json=payload, headers=await auth(await make.member()))
    assert field in problem(r, 422)["errors"]


async def test_a_taken_group_address_is_refused(client, make, auth, problem):
    """Two groups cannot share a slug."""
    await make.group(slug="hikers")
    r = await client.post(
        "/api/v1/groups", json={"name": "Hikers", "slug": "hikers"},
        headers=await auth(await make.member()),
    )  # fmt: skip
    assert "already" in problem(r, 422)["errors"]["slug"]


async def test_a_visitor_cannot_create_a_group(client, problem):
    """Creating a group needs a log-in: 401."""
    await client.get("/api/v1/auth/csrf")
    r = await client.send_json("POST", "/api/v1/groups", {"name": "Hikers", "slug": "hikers"})
    problem(r, 401)


async def test_a_private_group_is_not_found_by_non_members(client, make, auth, problem):
    """A private group is 404 to visitors and non-members, 200 to its members."""
    me = await make.member()
    group = await make.group(visibility="private", members=(me,))
    problem(await client.get(f"/api/v1/groups/{group.slug}"), 404)
    outsider = await auth(await make.member())
    problem(await client.get(f"/api/v1/groups/{group.slug}", headers=outsider), 404)
    r = await client.get(f"/api/v1/groups/{group.slug}", headers=await auth(me))
    assert r.json()["membership"]["role"] == "member"


async def test_an_unknown_group_is_404(client, problem):
    """No group at that address: 404 problem."""
    problem(await client.get("/api/v1/groups/nowhere"), 404)


async def test_joining_and_leaving_a_group(client, make, auth, problem):
    """Join counts the member in; joining twice is refused; leaving counts them out."""
    group = await make.group()
    headers = await auth(await make.member())
    r = await client.post(f"/api/v1/groups/{group.slug}/join", headers=headers)
    assert r.json()["membership"] == {"role": "member", "state": "active"}
    assert r.json()["member_count"] == 2
    r = await client.post(f"/api/v1/groups/{group.slug}/join", headers=headers)
    assert "already" in problem(r, 403)["detail"]
    r = await client.post(f"/api/v1/groups/{group.slug}/leave", headers=headers)
    assert r.status_code == 204
    r = await client.get(f"/api/v1/groups/{group.slug}", headers=headers)
    assert r.json()["membership"] is None and r.json()["member_count"] == 1


async def test_the_host_cannot_leave(client, make, auth, problem):
    """The host of a group is refused when leaving it, with the reason."""
    host = await make.member()
    group = await make.group(host)
    r = await client.post(f"/api/v1/groups/{group.slug}/leave", headers=await auth(host))
    assert "host" in problem(r, 403)["detail"]


async def test_starting_a_discussion(client, make, auth):
    """A member starts a discussion: 201 with the author's names and level and cooked text."""
    me = await make.member("erin", level=2, display_name="Erin E.")
    group = await make.group(me)
    r = await client.post(
        f"/api/v1/groups/{group.slug}/discussions",
        json={"title": "Trail report", "body": "It was *muddy*.",
              "link_url": "https://example.org/trails"},
        headers=await auth(me),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["author"] == {"name": "erin", "display_name": "Erin E.", "level": 2}
    assert body["group"] == {"slug": group.slug, "name": group.name}
    assert body["body_html"] == "<p>It was <em>muddy</em>.</p>\n"
    assert body["link_url"] == "https://example.org/trails"
    assert body["created_at"].endswith("Z") or "+00:00" in body["created_at"]
    r = await client.get(f"/api/v1/discussions/{body['id']}")
    assert r.json()["discussion"]["title"] == "Trail report"


async def test_a_non_member_cannot_start_a_discussion(client, make, auth, problem):
    """Starting a discussion in a group you are not in is a 403 saying to join first."""
    group = await make.group()
    r = await client.post(
        f"/api/v1/groups/{group.slug}/discussions", json={"title": "Hello"},
        headers=await auth(await make.member()),
    )  # fmt: skip
    assert "Join this group" in problem(r, 403)["detail"]


@pytest.mark.parametrize(
    "title", ["", "   ", "x" * 301, "x" * 100_000, "x" * 102_400, "two\nlines"]
)
async def test_a_bad_title_is_refused_at_the_title(client, make, auth, problem, title):
    """Empty, huge or multi-line titles are a 422 naming the title."""
    me = await make.member()
    group = await make.group(me)
    r = await client.post(
        f"/api/v1/groups/{group.slug}/discussions", json={"title": title}, headers=await auth(me)
    )
    assert problem(r, 422)["errors"]["title"]


async def test_a_link_must_be_a_web_address(client, make, auth, problem):
    """A link that is not http(s) is a 422 at link_url."""
    me = await make.member()
    group = await make.group(me)
    r = await client.post(
        f"/api/v1/groups/{group.slug}/discussions",
        json={"title": "Look", "link_url": "javascript:alert(1)"}, headers=await auth(me),
    )  # fmt: skip
    assert "link_url" in problem(r, 422)["errors"]


async def test_group_discussions_page_by_cursor(client, make):
    """A group's discussions come newest first; next and prev cursors walk the pages."""
    host = await make.member()
    group = await make.group(host)
    made = [await make.discussion(group, host, title=f"D{i}") for i in range(5)]
    newest_first = [d.id for d in reversed(made)]
    url = f"/api/v1/groups/{group.slug}/discussions"

    first = (await client.get(url, params={"limit": 2})).json()
    assert [d["id"] for d in first["items"]] == newest_first[:2]
    assert first["prev"] is None and first["next"]
    assert first["items"][0]["author"]["level"] == 2  # five discussions: 50 points

    second = (await client.get(url, params={"limit": 2, "before": first["next"]})).json()
    assert [d["id"] for d in second["items"]] == newest_first[2:4]
    assert second["prev"] and second["next"]

    third = (await client.get(url, params={"limit": 2, "before": second["next"]})).json()
    assert [d["id"] for d in third["items"]] == newest_first[4:]
    assert third["next"] is None

    back = (await client.get(url, params={"limit": 2, "after": second["prev"]})).json()
    assert [d["id"] for d in back["items"]] == newest_first[:2]


@pytest.mark.parametrize("cursor", ["nonsense", "20260101000000000000-" + "9" * 40])
async def test_a_bad_cursor_is_a_422(client, make, problem, cursor):
    """A cursor that is not one we wrote is refused, however long its id."""
    group = await make.group()
    r = await client.get(f"/api/v1/groups/{group.slug}/discussions", params={"before": cursor})
    assert "before" in problem(r, 422)["errors"]


async def test_a_private_groups_discussions_are_404_to_non_members(client, make, auth, problem):
    """Neither the list nor a single discussion of a private group shows to outsiders."""
    me = await make.member()
    group = await make.group(me, visibility="private")
    d = await make.discussion(group, me)
    outsider = await auth(await make.member())
    for headers in ({}, outsider):
        problem(await client.get(f"/api/v1/groups/{group.slug}/discussions", headers=headers), 404)
        problem(await client.get(f"/api/v1/discussions/{d.id}", headers=headers), 404)
    r = await client.get(f"/api/v1/groups/{group.slug}/discussions", headers=await auth(me))
    assert [x["id"] for x in r.json()["items"]] == [d.id]


async def test_the_home_feed_shows_a_members_groups_first(client, make, auth):
    """A member's feed is their groups' discussions, with public ones elsewhere on page one."""
    me = await make.member()
    mine = await make.group(me)
    other = await make.group()
    stranger = await make.member()
    secret = await make.group(stranger, visibility="private")
    d_mine = await make.discussion(mine, me)
    d_other = await make.discussion(other)
    await make.discussion(secret, stranger)

    r = (await client.get("/api/v1/feed", headers=await auth(me))).json()
    assert r["scope"] == "mine"
    assert [d["id"] for d in r["items"]] == [d_mine.id]
    assert [d["id"] for d in r["elsewhere"]] == [d_other.id]

    r = (await client.get("/api/v1/feed")).json()
    assert r["scope"] == "all"
    assert [d["id"] for d in r["items"]] == [d_other.id, d_mine.id]
