"""Group governance through the HTML face: the same authorization table, the pages, the forms."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.domain.test_governance import SETTINGS, TABLE, World, arrange
from townsquare.db.models import Discussion, Group, Membership


def request_for(action: str, w: World) -> tuple[str, dict[str, str]]:
    slug, did = w.group.slug, w.discussion.id
    return {
        "appoint": (f"/g/{slug}/moderators", {"member": w.target.name}),
        "settings": (f"/g/{slug}/settings", SETTINGS),
        "approve": (f"/g/{slug}/requests/{w.requester.name}/approve", {}),
        "ban": (f"/g/{slug}/bans", {"member": w.target.name, "reason": "Spam"}),
        "pin": (f"/d/{did}/pin", {}),
        "lock": (f"/d/{did}/lock", {}),
        "remove": (f"/d/{did}/remove", {"reason": "Off topic"}),
        "promote": (f"/d/{did}/promote", {}),
    }[action]


@pytest.mark.parametrize(("role", "action", "allowed"), TABLE)
async def test_who_may_govern_a_group_through_the_pages(db, make, client, role, action, allowed):
    """Allowed actions redirect back (303); others are refused (403), visitors sent to log in."""
    w = await arrange(db, make)
    actor = w.people[role]
    if actor is not None:
        await client.log_in_as(db, actor)
    url, data = request_for(action, w)
    response = await client.form(url, data)
    if allowed:
        assert response.status_code == 303, response.text
        assert not response.headers["location"].startswith("/login")
    elif actor is None:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
    else:
        assert response.status_code == 403, response.text


async def test_the_group_page_shows_the_tools_to_moderators_only(db, make, client):
    """The host sees settings and moderators; a moderator sees requests; a member sees none."""
    w = await arrange(db, make)
    await client.log_in_as(db, w.people["host"])
    page = (await client.get("/g/harbour")).text
    assert 'href="/g/harbour/settings"' in page and 'href="/g/harbour/requests"' in page
    await client.log_in_as(db, w.people["moderator"])
    page = (await client.get("/g/harbour")).text
    assert 'href="/g/harbour/settings"' not in page and 'href="/g/harbour/requests"' in page
    await client.log_in_as(db, w.people["member"])
    assert 'href="/g/harbour/requests"' not in (await client.get("/g/harbour")).text
    assert (await client.get("/g/harbour/settings")).status_code == 403
    assert (await client.get("/g/harbour/requests")).status_code == 403


async def test_every_governance_page_renders_for_the_host(db, make, client):
    """Settings, moderators, requests, members and the remove form all answer 200."""
    w = await arrange(db, make)
    await client.log_in_as(db, w.people["host"])
    for path in ("settings", "moderators", "requests", "members"):
        response = await client.get(f"/g/harbour/{path}")
        assert response.status_code == 200, path
    assert "Asker" in (await client.get("/g/harbour/requests")).text
    assert "Banned" in (await client.get("/g/harbour/members")).text
    assert (await client.get(f"/d/{w.discussion.id}/remove")).status_code == 200


async def test_invalid_settings_are_shown_at_the_field_with_the_text_kept(db, make, client):
    """A bad form comes back 422 with each message beside its field and what was typed."""
    w = await arrange(db, make)
    await client.log_in_as(db, w.people["host"])
    bad = SETTINGS | {"name": "x", "description": "Still <here>", "min_level": "99"}
    response = await client.form("/g/harbour/settings", bad)
    assert response.status_code == 422
    assert 'id="e-name"' in response.text and 'id="e-min_level"' in response.text
    assert "Still &lt;here&gt;" in response.text and 'value="99"' in response.text


async def test_saving_settings_changes_the_group(db, make, client):
    """A good form saves and goes back to the group, which now asks before letting people in."""
    w = await arrange(db, make)
    await client.log_in_as(db, w.people["host"])
    response = await client.form("/g/harbour/settings", SETTINGS)
    assert response.status_code == 303 and response.headers["location"] == "/g/harbour"
    group = await db.get(Group, w.group.id, populate_existing=True)
    assert (group.name, group.join_policy, group.comment_policy) == (
        "Harbour folk",
        "request",
        "anyone",
    )
    newcomer = await make.member("newcomer")
    await client.log_in_as(db, newcomer)
    assert "Ask to join" in (await client.get("/g/harbour")).text
    await client.form("/g/harbour/join")
    page = (await client.get("/g/harbour")).text
    assert "Request pending" in page and "Withdraw request" in page
    await client.form("/g/harbour/leave")
    assert "Ask to join" in (await client.get("/g/harbour")).text


async def test_a_form_without_its_csrf_token_is_refused(db, make, client):
    """Governance forms need the page's CSRF token."""
    w = await arrange(db, make)
    await client.log_in_as(db, w.people["host"])
    response = await client.post("/g/harbour/settings", data=SETTINGS)
    assert response.status_code == 403
    response = await client.post(f"/d/{w.discussion.id}/pin")
    assert response.status_code == 403
    d = await db.get(Discussion, w.discussion.id, populate_existing=True)
    assert not d.pinned


async def test_unknown_groups_members_and_discussions_are_404(db, make, client):
    """Bad addresses are 404 pages, and absurd ids are refused, never a 500."""
    w = await arrange(db, make)
    await client.log_in_as(db, w.people["host"])
    assert (await client.get("/g/nowhere/settings")).status_code == 404
    assert (await client.form("/g/harbour/requests/nobody/approve")).status_code == 404
    assert (await client.form("/g/harbour/moderators/nobody/remove")).status_code == 404
    assert (await client.form("/d/999999/pin")).status_code == 404
    assert (await client.form("/d/99999999999999999999999/pin")).status_code in (400, 404, 422)
    assert (await client.form("/c/999999/remove", {"reason": "x"})).status_code == 404


async def test_bad_input_comes_back_at_the_field(db, make, client):
    """Appointing an outsider, banning yourself or removing without a reason: 422 with a message."""
    w = await arrange(db, make)
    await client.log_in_as(db, w.people["host"])
    response = await client.form("/g/harbour/moderators", {"member": "outsider"})
    assert response.status_code == 422 and "Only members of the group" in response.text
    response = await client.form("/g/harbour/bans", {"member": "host", "reason": "me"})
    assert response.status_code == 422 and 'value="host"' in response.text
    response = await client.form(f"/d/{w.discussion.id}/remove", {"reason": "  "})
    assert response.status_code == 422 and 'id="e-reason"' in response.text


async def test_moderator_buttons_and_markers_on_the_discussion_page(db, make, client):
    """Moderators see pin, lock and remove; the host also promotes; markers show the state."""
    w = await arrange(db, make)
    path = f"/d/{w.discussion.id}"
    await client.log_in_as(db, w.people["member"])
    page = (await client.get(path)).text
    assert f'action="{path}/pin"' not in page and f'action="{path}/remove"' not in page
    await client.log_in_as(db, w.people["moderator"])
    page = (await client.get(path)).text
    assert f'action="{path}/pin"' in page and f'action="{path}/remove"' in page
    assert f'action="{path}/promote"' not in page
    await client.log_in_as(db, w.people["host"])
    assert (await client.form(f"{path}/promote")).status_code == 303
    assert (await client.form(f"{path}/pin")).status_code == 303
    page = (await client.get(path)).text
    assert "Front page" in page and f'action="{path}/unpin"' in page
    group_page = (await client.get("/g/harbour")).text
    assert 'id="pinned-h"' in group_page and "Tides" in group_page


async def test_removing_and_reinstating_comments_through_the_pages(db, make, client):
    """A moderator removes a comment with a reason and puts it back."""
    from townsquare.domain import comments

    w = await arrange(db, make)
    c = await comments.add_comment(db, w.people["member"], w.discussion.id, body="Rude")
    await client.log_in_as(db, w.people["moderator"])
    assert (await client.get(f"/c/{c.id}/remove")).status_code == 200
    response = await client.form(f"/c/{c.id}/remove", {"reason": "Rude"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/d/{w.discussion.id}/c/{c.id}"
    assert (await client.form(f"/c/{c.id}/reinstate")).status_code == 303


async def test_a_private_groups_tools_are_not_found_by_outsiders(db, make, client):
    """Outsiders get 404 on every governance page of a private group, as if it did not exist."""
    w = await arrange(db, make, visibility="private")
    await client.log_in_as(db, w.people["outsider"])
    for path in ("settings", "moderators", "requests", "members"):
        assert (await client.get(f"/g/harbour/{path}")).status_code == 404, path
    assert (await client.form(f"/d/{w.discussion.id}/pin")).status_code == 404
    assert (await client.get(f"/d/{w.discussion.id}/remove")).status_code == 404


async def test_a_banned_member_sees_the_ban_and_no_join_button(db, make, client):
    """The group page tells a banned member so and offers no way back in."""
    w = await arrange(db, make)
    await client.log_in_as(db, w.people["banned"])
    page = (await client.get("/g/harbour")).text
    assert "You have been banned" in page and 'action="/g/harbour/join"' not in page
    assert (await client.form("/g/harbour/join")).status_code == 403
    ms = await db.scalar(
        select(Membership)
        .where(Membership.member_id == w.people["banned"].id)
        .execution_options(populate_existing=True)
    )
    assert ms.state == "banned"
