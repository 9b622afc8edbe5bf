"""Atom feeds: valid, public content only."""

import feedparser


async def test_group_member_and_front_page_feeds_are_valid_atom(client, db, make):
    """Each feed parses cleanly and lists the public discussions with their links."""
    a = await make.member("writer", display_name="Wren Writer")
    group = await make.group(a, slug="walkers")
    d = await make.discussion(group, a, title="Moor path <closed>", body="Mud & *more*")
    for url in ("/feed.atom", "/g/walkers/feed.atom", "/u/writer/feed.atom"):
        r = await client.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
        parsed = feedparser.parse(r.content)
        assert not parsed.bozo, (url, parsed.bozo_exception)
        assert parsed.version == "atom10"
        entry = parsed.entries[0]
        assert entry.title == "Moor path <closed>" and entry.link.endswith(f"/d/{d.id}")
        assert entry.author == "Wren Writer"
        assert "<em>more</em>" in entry.content[0].value


async def test_private_groups_stay_out_of_every_feed(client, db, make):
    """A private group has no feed, and its discussions appear in no other feed."""
    a = await make.member("quiet")
    secret = await make.group(a, slug="secret", visibility="private")
    await make.discussion(secret, a, title="Hidden plans")
    assert (await client.get("/g/secret/feed.atom")).status_code == 404
    for url in ("/feed.atom", "/u/quiet/feed.atom"):
        assert "Hidden plans" not in (await client.get(url)).text
    assert (await client.get("/u/nobody/feed.atom")).status_code == 404
