"""API profiles: one's own account and other members' public profiles."""

from __future__ import annotations


async def test_me_needs_a_log_in(client, problem):
    """A visitor asking for /me gets a 401 problem."""
    problem(await client.get("/api/v1/me"), 401)


async def test_me_shows_the_members_own_email(client, make, auth):
    """/me is the one place a member's email appears, and never the password hash."""
    member = await make.member("carol", level=3)
    r = await client.get("/api/v1/me", headers=await auth(member))
    body = r.json()
    assert body["email"] == "carol@example.org"
    assert (body["name"], body["display_name"], body["level"]) == ("carol", "Carol", 3)
    assert "password_hash" not in body and "argon2" not in r.text


async def test_patching_me_changes_only_the_fields_given(client, make, auth):
    """PATCH /me with only a bio keeps the display name, and the other way round."""
    headers = await auth(await make.member("carol"))
    r = await client.patch("/api/v1/me", json={"bio": "Walks a lot."}, headers=headers)
    assert (r.json()["display_name"], r.json()["bio"]) == ("Carol", "Walks a lot.")
    r = await client.patch("/api/v1/me", json={"display_name": "C. Jones"}, headers=headers)
    assert (r.json()["display_name"], r.json()["bio"]) == ("C. Jones", "Walks a lot.")


async def test_an_empty_display_name_is_refused(client, make, auth, problem):
    """A blank display name is a 422 at display_name."""
    headers = await auth(await make.member())
    r = await client.patch("/api/v1/me", json={"display_name": "   "}, headers=headers)
    assert "required" in problem(r, 422)["errors"]["display_name"]


async def test_a_members_profile_hides_their_email(client, make):
    """Another member's profile shows name, display name and level, never email."""
    await make.member("dave", level=4, display_name="Dave D.")
    r = await client.get("/api/v1/members/Dave")
    assert r.status_code == 200
    body = r.json()
    assert (body["name"], body["display_name"], body["level"]) == ("dave", "Dave D.", 4)
    assert "email" not in body and "example.org" not in r.text


async def test_an_unknown_member_is_404(client, problem):
    """No member by that name: 404 problem."""
    problem(await client.get("/api/v1/members/nobody"), 404)
