"""Group governance through the JSON API: the authorization table, good and bad requests."""

from __future__ import annotations

import pytest

from tests.domain.test_governance import TABLE, World, arrange
from townsquare.domain import comments


def call_for(action: str, w: World) -> tuple[str, str, dict | None]:
    base, d = f"/api/v1/groups/{w.group.slug}", f"/api/v1/discussions/{w.discussion.id}"
    return {
        "appoint": ("PUT", f"{base}/moderators/{w.target.name}", None),
        "settings": ("PATCH", f"{base}/settings", {"join_policy": "request"}),
        "approve": ("POST", f"{base}/requests/{w.requester.name}/approve", None),
        "ban": ("PUT", f"{base}/bans/{w.target.name}", {"reason": "Spam"}),
        "pin": ("PUT", f"{d}/pin", None),
        "lock": ("PUT", f"{d}/lock", None),
        "remove": ("POST", f"{d}/remove", {"reason": "Off topic"}),
        "promote": ("PUT", f"{d}/promote", None),
    }[action]


@pytest.mark.parametrize(("role", "action", "allowed"), TABLE)
async def test_who_may_govern_a_group_through_the_api(
    db, make, client, auth, problem, role, action, allowed
):
    """Allowed calls answer 200; others a 403 problem (401 for visitors)."""
    w = await arrange(db, make)
    actor = w.people[role]
    headers = await auth(actor) if actor is not None else {}
    method, url, body = call_for(action, w)
    if actor is None:  # a visitor's browser: CSRF passes, then the log-in is missing
        await client.get("/login")
        response = await client.send_json(method, url, body)
    else:
        response = await client.request(method, url, json=body, headers=headers)
    if allowed:
        assert response.status_code == 200, response.text
    else:
        problem(response, 401 if actor is None else 403)


async def test_settings_read_and_change_with_errors_by_field(db, make, client, auth, problem):
    """PATCH changes only what it names; invalid values come back field by field."""
    w = await arrange(db, make)
    headers = await auth(w.people["host"])
    url = "/api/v1/groups/harbour/settings"
    got = (await client.get(url, headers=headers)).json()
    assert got["join_policy"] == "open" and got["post_policy"] == "members"
    changed = await client.patch(
        url, json={"join_policy": "level", "min_level": 3}, headers=headers
    )
    assert changed.status_code == 200
    assert (changed.json()["join_policy"], changed.json()["min_level"]) == ("level", 3)
    assert changed.json()["name"] == got["name"]
    bad = await client.patch(url, json={"name": "x", "min_level": 40}, headers=headers)
    assert set(problem(bad, 422)["errors"]) == {"name", "min_level"}
    wrong = await client.patch(url, json={"post_policy": "everyone"}, headers=headers)
    assert "post_policy" in problem(wrong, 422)["errors"]
    unknown = await client.patch(url, json={"colour": "red"}, headers=headers)
    problem(unknown, 422)


async def test_requests_moderators_and_bans_round_trip(db, make, client, auth, problem):
    """List, approve, appoint, dismiss, ban and unban, each answering in members' terms."""
    w = await arrange(db, make)
    host = await auth(w.people["host"])
    base = "/api/v1/groups/harbour"
    asking = (await client.get(f"{base}/requests", headers=host)).json()
    assert [p["name"] for p in asking] == ["asker"] and asking[0]["state"] == "requested"
    approved = await client.post(f"{base}/requests/asker/approve", headers=host)
    assert approved.json()["state"] == "active"
    appointed = await client.put(f"{base}/moderators/asker", headers=host)
    assert appointed.json()["role"] == "moderator"
    staff = (await client.get(f"{base}/moderators", headers=host)).json()
    assert [p["name"] for p in staff] == ["host", "moddy", "asker"]
    assert (await client.delete(f"{base}/moderators/asker", headers=host)).status_code == 204
    problem(await client.delete(f"{base}/moderators/host", headers=host), 403)
    banned = await client.put(f"{base}/bans/target", json={"reason": "Spam"}, headers=host)
    assert banned.json()["state"] == "banned"
    names = [p["name"] for p in (await client.get(f"{base}/bans", headers=host)).json()]
    assert names == ["banned", "target"]
    assert (await client.delete(f"{base}/bans/target", headers=host)).status_code == 204
    problem(await client.delete(f"{base}/bans/target", headers=host), 404)


async def test_joining_a_request_group_and_being_denied(db, make, client, auth):
    """Joining a request group answers with state 'requested'; a denied request is gone."""
    w = await arrange(db, make)
    host = await auth(w.people["host"])
    await client.patch(
        "/api/v1/groups/harbour/settings", json={"join_policy": "request"}, headers=host
    )
    newcomer = await auth(await make.member("newcomer"))
    joined = await client.post("/api/v1/groups/harbour/join", headers=newcomer)
    assert joined.json()["membership"]["state"] == "requested"
    assert (await client.delete("/api/v1/groups/harbour/requests/newcomer", headers=host)).status_code == 204  # fmt: skip
    me = (await client.get("/api/v1/groups/harbour", headers=newcomer)).json()
    assert me["membership"] is None


async def test_moderating_discussions_and_comments(db, make, client, auth, problem):
    """Pin, lock, promote, remove with a reason and reinstate; a removal needs its reason."""
    w = await arrange(db, make)
    host = await auth(w.people["host"])
    d = f"/api/v1/discussions/{w.discussion.id}"
    assert (await client.put(f"{d}/pin", headers=host)).json()["pinned"] is True
    assert (await client.delete(f"{d}/pin", headers=host)).json()["pinned"] is False
    assert (await client.put(f"{d}/promote", headers=host)).json()["promoted"] is True
    problem(await client.post(f"{d}/remove", json={"reason": ""}, headers=host), 422)
    problem(await client.post(f"{d}/remove", json={}, headers=host), 422)
    removed = (await client.post(f"{d}/remove", json={"reason": "Off topic"}, headers=host)).json()
    assert (removed["state"], removed["removal_reason"]) == ("removed", "Off topic")
    assert (await client.post(f"{d}/reinstate", headers=host)).json()["state"] == "live"
    c = await comments.add_comment(db, w.people["member"], w.discussion.id, body="Rude")
    out = await client.post(
        f"/api/v1/comments/{c.id}/remove", json={"reason": "Rude"}, headers=host
    )
    assert out.json()["state"] == "removed" and out.json()["pinned"] is None
    back = await client.post(f"/api/v1/comments/{c.id}/reinstate", headers=host)
    assert back.json()["state"] == "live"


async def test_cookie_writes_need_the_csrf_header(db, make, client, problem):
    """A logged-in browser's write without X-CSRF-Token is refused."""
    w = await arrange(db, make)
    await client.log_in_as(db, w.people["host"])
    problem(await client.put(f"/api/v1/discussions/{w.discussion.id}/pin"), 403)
    ok = await client.send_json("PUT", f"/api/v1/discussions/{w.discussion.id}/pin")
    assert ok.status_code == 200


async def test_unknown_and_private_targets_are_404(db, make, client, auth, problem):
    """Unknown groups, members and ids are 404; a private group's tools are 404 to outsiders."""
    w = await arrange(db, make, visibility="private")
    host = await auth(w.people["host"])
    problem(await client.get("/api/v1/groups/nowhere/settings", headers=host), 404)
    problem(await client.put("/api/v1/groups/harbour/moderators/nobody", headers=host), 404)
    problem(await client.put("/api/v1/discussions/999999/pin", headers=host), 404)
    problem(await client.put("/api/v1/discussions/99999999999999999999/pin", headers=host), 422)
    outsider = await auth(w.people["outsider"])
    for url in ("settings", "requests", "bans", "moderators"):
        problem(await client.get(f"/api/v1/groups/harbour/{url}", headers=outsider), 404)
    problem(await client.put(f"/api/v1/discussions/{w.discussion.id}/pin", headers=outsider), 404)
    problem(await client.get("/api/v1/groups/harbour/requests"), 404)
