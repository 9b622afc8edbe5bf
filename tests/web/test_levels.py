"""Levels on the pages: beside names, on the profile with progress, and explained."""


async def test_profile_shows_level_points_progress_and_breakdown(client, db, make):
    """A member's page shows their level, points, how far to the next level, and why."""
    a, b = await make.member("ada"), await make.member()
    group = await make.group(a, members=(b,))
    for i in range(5):
        await make.discussion(group, a, title=f"Topic {i}")
    d = await make.discussion(group, a, title="Liked")
    await make.comment(d, b)
    page = (await client.get("/u/ada")).text
    assert "<strong>Level 2</strong>" in page and "65 points" in page
    assert "135 to level 3" in page
    assert "Starting discussions" in page and "Others answering you" in page


async def test_levels_page_explains_the_table(client, settings):
    """/levels lists what earns points and where each level starts, from the settings."""
    settings.points_discussion = 12
    page = (await client.get("/levels")).text
    assert "Starting a discussion</th><td>12" in page
    assert "Level 10</th><td>from 1,000,000 points" in page


async def test_names_carry_the_level_they_earned(client, db, make):
    """The level beside a name on the discussion page is the one the points earned."""
    a = await make.member(display_name="Earner")
    group = await make.group(a)
    for i in range(5):
        d = await make.discussion(group, a, title=f"T{i}")
    page = (await client.get(f"/d/{d.id}")).text
    assert 'title="Level 2"' in page


async def test_creating_a_group_needs_level_four_but_never_locks_out_the_admin(
    settings, client, db, make, client_factory
):
    """Below the group-creation level the form is refused; at it, or as the admin, it works."""
    settings.group_create_level = 4
    admin, low, high = (
        await make.member(role="admin"),
        await make.member(level=3),
        await make.member(level=4),
    )
    await client.log_in_as(db, low)
    assert "Create a group" not in (await client.get("/groups")).text
    r = await client.form("/groups/new", {"name": "Too soon", "slug": "too-soon"})
    assert r.status_code == 403 and "from level 4" in r.text
    api = await client.send_json("POST", "/api/v1/groups", {"name": "Too soon", "slug": "too-soon"})
    assert api.status_code == 403
    for who, slug in ((high, "earned-it"), (admin, "admins-own")):
        c = client_factory()
        await c.log_in_as(db, who)
        assert (
            await c.form("/groups/new", {"name": f"Group {slug}", "slug": slug})
        ).status_code == 303


async def test_profile_lists_discussions_and_comments_a_page_at_a_time(client, db, make):
    """The member page pages through discussions, and has a comments tab; private ones stay hidden."""
    a = await make.member("paged")
    group = await make.group(a)
    secret = await make.group(a, visibility="private")
    made = [await make.discussion(group, a, title=f"Talk {i:02}") for i in range(23)]
    await make.discussion(secret, a, title="Secret talk")
    await make.comment(made[0], a, body="My own remark")
    first = (await client.get("/u/paged")).text
    assert "Talk 22" in first and "Talk 03" in first and "Talk 02" not in first
    assert "Secret talk" not in first
    older = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = (await client.get(older)).text
    assert "Talk 02" in second and "Talk 00" in second and "Talk 22" not in second
    comments = (await client.get("/u/paged?tab=comments")).text
    assert "My own remark" in comments and "On <a" in comments
