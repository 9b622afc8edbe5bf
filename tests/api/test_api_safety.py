"""Reports, the moderation log, bans, blocks and preferences over JSON."""

from tests.conftest import PASSWORD


async def test_report_then_resolve_over_the_api(client, db, make, auth):
    """A member files a report (201); a site moderator lists and resolves it; it is logged."""
    mod, a, b = await make.member(role="moderator"), await make.member(), await make.member()
    filed = await client.post("/api/v1/reports", headers=await auth(a),
                              json={"target_type": "member", "target_id": b.id, "reason": "Spam."})  # fmt: skip
    assert filed.status_code == 201 and filed.json()["state"] == "open"
    listed = (await client.get("/api/v1/reports", headers=await auth(mod))).json()
    assert [r["id"] for r in listed] == [filed.json()["id"]]
    assert listed[0]["target"]["url"] == f"/u/{b.name}" and listed[0]["reporter"]["name"] == a.name
    done = await client.post(f"/api/v1/reports/{filed.json()['id']}/resolve",
                             headers=await auth(mod), json={"outcome": "dismissed", "note": "Fine."})  # fmt: skip
    assert done.status_code == 200 and done.json()["state"] == "dismissed"
    log = (await client.get("/api/v1/moderation/log", headers=await auth(mod))).json()
    assert log[0]["action"] == "report.dismiss" and log[0]["actor"] == mod.name


async def test_report_problems(client, db, make, auth, problem):
    """No reason: 422 with the field; members cannot list reports: 403; visitors: 401."""
    a, b = await make.member(), await make.member()
    bad = await client.post("/api/v1/reports", headers=await auth(a),
                            json={"target_type": "member", "target_id": b.id, "reason": ""})  # fmt: skip
    assert "reason" in problem(bad, 422)["errors"]
    problem(await client.get("/api/v1/reports", headers=await auth(a)), 403)
    problem(await client.get("/api/v1/reports"), 401)
    problem(await client.get("/api/v1/moderation/log", headers=await auth(a)), 403)


async def test_private_group_content_does_not_leak_through_reports(client, db, make, auth, problem):
    """An outsider's report on a private discussion is a 404 without its title."""
    host, outsider, other_host = await make.member(), await make.member(), await make.member()
    group = await make.group(host, visibility="private")
    await make.group(other_host)
    d = await make.discussion(group, host, title="Secret harbour")
    body = problem(await client.post("/api/v1/reports", headers=await auth(outsider),
                                     json={"target_type": "discussion", "target_id": d.id,
                                           "reason": "?"}), 404)  # fmt: skip
    assert "Secret" not in str(body)
    # another group's host sees nothing of it
    listed = await client.get("/api/v1/reports", headers=await auth(other_host))
    assert listed.status_code == 200 and listed.json() == []


async def test_ban_over_the_api_stops_tokens_and_log_in(client, db, make, auth, problem):
    """After a ban the member's token is refused and a new token is refused with a reason."""
    mod, bad = await make.member(role="moderator"), await make.member("mallory")
    token = await auth(bad)
    banned = await client.put("/api/v1/members/mallory/ban", headers=await auth(mod),
                              json={"reason": "Spam.", "remove_content": True})  # fmt: skip
    assert banned.json() == {"name": "mallory", "state": "banned"}
    problem(await client.get("/api/v1/me", headers=token), 401)
    refused = await client.post(
        "/api/v1/auth/tokens", json={"login": "mallory", "password": PASSWORD}
    )
    assert "suspended" in problem(refused, 422)["errors"]["password"]
    back = await client.request("DELETE", "/api/v1/members/mallory/ban", headers=await auth(mod))
    assert back.json()["state"] == "active"


async def test_ban_problems(client, db, make, auth, problem):
    """Members cannot ban (403); moderators cannot ban admins (403); a reason is required (422)."""
    admin, mod, m = (
        await make.member(role="admin"),
        await make.member(role="moderator"),
        await make.member(),
    )
    problem(await client.put(f"/api/v1/members/{mod.name}/ban", headers=await auth(m),
                             json={"reason": "x"}), 403)  # fmt: skip
    problem(await client.put(f"/api/v1/members/{admin.name}/ban", headers=await auth(mod),
                             json={"reason": "x"}), 403)  # fmt: skip
    body = problem(await client.put(f"/api/v1/members/{m.name}/ban", headers=await auth(mod),
                                    json={"reason": ""}), 422)  # fmt: skip
    assert "reason" in body["errors"]
    problem(await client.put("/api/v1/members/nobody_here/ban", headers=await auth(mod),
                             json={"reason": "x"}), 404)  # fmt: skip


async def test_block_over_the_api_is_private_and_stops_replies(client, db, make, auth, problem):
    """Block, list your blocks, the blocked member's comment is refused; unblock restores it."""
    a, b = await make.member(), await make.member()
    group = await make.group(a, members=(b,))
    d = await make.discussion(group, a)
    assert (
        await client.put(f"/api/v1/members/{b.name}/block", headers=await auth(a))
    ).status_code == 204
    mine = (await client.get("/api/v1/me/blocks", headers=await auth(a))).json()
    assert [m["name"] for m in mine] == [b.name]
    assert (await client.get("/api/v1/me/blocks", headers=await auth(b))).json() == []
    problem(await client.post(f"/api/v1/discussions/{d.id}/comments", headers=await auth(b),
                              json={"body": "Hello"}), 403)  # fmt: skip
    problem(await client.put(f"/api/v1/members/{a.name}/block", headers=await auth(a)), 403)
    await client.request("DELETE", f"/api/v1/members/{b.name}/block", headers=await auth(a))
    ok = await client.post(f"/api/v1/discussions/{d.id}/comments", headers=await auth(b),
                           json={"body": "Hello"})  # fmt: skip
    assert ok.status_code == 201


async def test_preferences_need_a_log_in_and_a_boolean(client, db, make, auth, problem):
    """The mask preference is set over the API; bad values 422; visitors have no blocks (401)."""
    m = await make.member()
    on = await client.put(
        "/api/v1/me/preferences", headers=await auth(m), json={"mask_profanity": True}
    )
    assert on.json() == {"mask_profanity": True}
    problem(await client.get("/api/v1/me/blocks"), 401)
    problem(
        await client.put(
            "/api/v1/me/preferences", headers=await auth(m), json={"mask_profanity": "x"}
        ),
        422,
    )
