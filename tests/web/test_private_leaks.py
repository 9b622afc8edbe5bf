"""A private group's content never reaches anyone outside it, on any surface."""

import pytest

from townsquare.domain import likes, moderation

SECRET = "Zephyrcorn"  # a word that exists only inside the private group


@pytest.fixture
async def secret_world(db, make):
    """A private group with a discussion, comment and like; an outsider; a public group."""
    host, insider, outsider = (await make.member("hosty"), await make.member("insider"),
                               await make.member("outsider"))  # fmt: skip
    secret = await make.group(host, slug="hush", visibility="private", members=(insider,))
    public = await make.group(host, slug="open", members=(outsider,))
    d = await make.discussion(secret, host, title=f"{SECRET} plans", body=f"About {SECRET}.")
    await make.comment(d, insider, body=f"More {SECRET} talk, @outsider")
    await likes.set_like(db, insider, "discussion", d.id, True)
    await make.discussion(public, host, title="Open talk")
    await moderation.remove(db, host, "discussion",
                            (await make.discussion(secret, host, title="x")).id, "tidy")  # fmt: skip
    return {"outsider": outsider, "insider": insider, "d": d}


SURFACES = [
    "/",
    "/?tab=new",
    "/?tab=top&period=all",
    "/groups",
    "/g/open",
    "/u/hosty",
    "/u/hosty?tab=comments",
    "/u/insider?tab=comments",
    f"/search?q={SECRET}",
    "/feed.atom",
    "/u/hosty/feed.atom",
    "/api/v1/feed",
    "/api/v1/groups",
    f"/api/v1/search?q={SECRET}",
    "/api/v1/members/hosty",
    "/notifications",
    "/api/v1/notifications",
]


async def test_outsider_sees_no_trace_of_the_private_group(client, db, secret_world):
    """Pages, API, search, feeds, notifications and counts show the outsider nothing of it."""
    await client.log_in_as(db, secret_world["outsider"])
    d = secret_world["d"]
    for url in SURFACES:
        r = await client.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
        _assert_no_trace(url, r.text, d.id)
    for url in (f"/d/{d.id}", "/g/hush", f"/api/v1/discussions/{d.id}", "/g/hush/feed.atom",
                f"/api/v1/discussions/{d.id}/also", f"/d/{d.id}/article"):  # fmt: skip
        assert (await client.get(url)).status_code == 404, url


async def test_visitors_see_no_trace_either(client, secret_world):
    """The same surfaces, logged out."""
    for url in SURFACES:
        r = await client.get(url)
        _assert_no_trace(url, r.text, secret_world["d"].id)


def _assert_no_trace(url: str, body: str, discussion_id: int) -> None:
    # A search page repeats what was typed; everywhere else the word itself must not appear.
    text = body.replace(f"q={SECRET}", "").replace(f"{SECRET} · Search", "")
    if "search" in url:
        text = text.replace(f'value="{SECRET}"', "").replace(f'"{SECRET}"', "")
        text = text.replace(f"<strong>{SECRET}</strong>", "")
    assert SECRET not in text and "hush" not in text, url
    assert f"/d/{discussion_id}" not in body, url


async def test_members_do_see_it(client, db, secret_world):
    """The check is meaningful: an insider finds the same content on those surfaces."""
    await client.log_in_as(db, secret_world["insider"])
    assert SECRET in (await client.get("/")).text
    assert SECRET in (await client.get(f"/search?q={SECRET}")).text
    assert SECRET in (await client.get(f"/d/{secret_world['d'].id}")).text


async def test_group_moderators_read_their_groups_log_and_no_one_else_does(client, db, make,
                                                                          client_factory):  # fmt: skip
    """/g/<slug>/log shows the group's moderation to its host; a member gets 403."""
    host, member = await make.member(), await make.member()
    group = await make.group(host, members=(member,))
    d = await make.discussion(group, member)
    await moderation.remove(db, host, "discussion", d.id, "Spam link")
    await client.log_in_as(db, host)
    page = await client.get(f"/g/{group.slug}/log")
    assert page.status_code == 200 and "Spam link" in page.text
    other = client_factory()
    await other.log_in_as(db, member)
    assert (await other.get(f"/g/{group.slug}/log")).status_code == 403
