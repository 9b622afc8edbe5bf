"""API shared links: cards on discussions, the reader view, "also discussed in", duplicates, refetch.

A local web site on 127.0.0.1 serves the fixture article pages; fetches run when a test runs
the queued jobs, as the worker would.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select

from tests.conftest import run_jobs
from townsquare.db.models import Discussion

BRIDGE = "Lowmere votes to rebuild the old footbridge"
CARD_KEYS = {
    "url", "status", "title", "site_name", "domain", "author", "published", "lead", "image",
    "caption", "kind", "file_type", "has_reader_view",
}  # fmt: skip


async def share(client, headers, slug, url, **fields):
    return await client.post(
        f"/api/v1/groups/{slug}/discussions", json={"link_url": url, **fields}, headers=headers
    )


async def test_a_link_shared_without_a_title_is_pending_then_a_card(
    loopback, app, client, make, auth, article_site
):
    """The answer carries a pending card; after the fetch every discussion output has the card."""
    member = await make.member()
    group = await make.group(member)
    headers = await auth(member)
    r = await share(client, headers, group.slug, f"{article_site}/news-bridge.html?utm_source=x",
                    body="Worth a read.")  # fmt: skip
    assert r.status_code == 201, r.text
    posted = r.json()
    assert posted["title"] == "" and posted["link_url"].endswith("utm_source=x")
    assert posted["link"]["status"] == "pending" and posted["link"]["title"] is None
    assert posted["link"]["has_reader_view"] is False
    assert set(posted["link"]) == CARD_KEYS

    assert await run_jobs(app) == 1
    r = await client.get(f"/api/v1/discussions/{posted['id']}", headers=headers)
    d = r.json()["discussion"]
    card = d["link"]
    assert d["title"] == BRIDGE and set(card) == CARD_KEYS
    assert card["status"] == "ok" and card["kind"] == "article" and card["title"] == BRIDGE
    assert (card["site_name"], card["author"]) == ("The Lowmere Ledger", "Marta Quill")
    assert card["published"] == "2024-03-12" and card["domain"] == "127.0.0.1"
    assert card["url"] == f"{article_site}/news-bridge.html"
    assert card["lead"].startswith("Residents of Lowmere voted on Tuesday evening")
    assert (
        card["image"] == f"{article_site}/media/2024/03/footbridge-archive.jpg?width=1200&crop=16x9"
    )
    assert card["caption"].startswith("The wooden footbridge over the Mere in 1962")
    assert card["has_reader_view"] is True

    in_group = (await client.get(f"/api/v1/groups/{group.slug}/discussions")).json()["items"]
    at_home = (await client.get("/api/v1/feed", headers=headers)).json()["items"]
    assert [x["link"] for x in in_group] == [card] and [x["link"] for x in at_home] == [card]
    # The full text is for the reader view only: no feed or discussion carries it.
    assert "first bridge on the site was built by the mill owners" not in r.text


async def test_the_reader_view_is_the_article_as_blocks(
    loopback, app, client, make, auth, article_site
):
    """/article gives the extracted text as kind/value blocks, credited to the original."""
    member = await make.member()
    group = await make.group(member)
    r = await share(client, await auth(member), group.slug, f"{article_site}/news-bridge.html")
    await run_jobs(app)
    r = await client.get(f"/api/v1/discussions/{r.json()['id']}/article")
    assert r.status_code == 200, r.text
    article = r.json()
    assert article["title"] == BRIDGE and article["url"] == f"{article_site}/news-bridge.html"
    assert (article["site_name"], article["author"]) == ("The Lowmere Ledger", "Marta Quill")
    assert article["published"] == "2024-03-12"
    kinds = [b["kind"] for b in article["blocks"]]
    assert "p" in kinds and set(kinds) <= {"p", "h2", "h3", "quote", "li", "img"}
    assert {"kind": "h2", "value": "A crossing with a history"} in article["blocks"]
    assert all(set(b) == {"kind", "value"} for b in article["blocks"])


async def test_there_is_no_article_before_the_fetch_or_without_a_link(
    loopback, app, client, make, auth, article_site, problem
):
    """The reader view is a 404 problem while the fetch is pending and for a plain discussion."""
    member = await make.member()
    group = await make.group(member)
    r = await share(client, await auth(member), group.slug, f"{article_site}/blog-sourdough.html")
    pending = r.json()["id"]
    problem(await client.get(f"/api/v1/discussions/{pending}/article"), 404)
    plain = await make.discussion(group, member)
    problem(await client.get(f"/api/v1/discussions/{plain.id}/article"), 404)
    assert (await client.get(f"/api/v1/discussions/{plain.id}")).json()["discussion"][
        "link"
    ] is None
    await run_jobs(app)
    assert (await client.get(f"/api/v1/discussions/{pending}/article")).status_code == 200


async def test_a_failed_fetch_says_why_to_the_author_and_admins_only(
    loopback, app, client, make, auth, article_site
):
    """A page that cannot be had is a failed card; only its poster (and admins) get the reason."""
    poster, other = await make.member(), await make.member()
    admin = await make.member(role="admin")
    group = await make.group(poster, members=(other,))
    mine = await auth(poster)
    r = await share(client, mine, group.slug, f"{article_site}/missing.html", title="Gone")
    did = r.json()["id"]
    await run_jobs(app)

    def card(response):
        return response.json()["discussion"]["link"]

    own = card(await client.get(f"/api/v1/discussions/{did}", headers=mine))
    assert own["status"] == "failed"
    assert own["error_reason"] == "the site answered with an error (HTTP 404)"
    assert own["url"] == f"{article_site}/missing.html" and own["has_reader_view"] is False
    by_admin = card(await client.get(f"/api/v1/discussions/{did}", headers=await auth(admin)))
    assert by_admin["error_reason"] == own["error_reason"]
    theirs = await auth(other)
    for response in (
        await client.get(f"/api/v1/discussions/{did}", headers=theirs),
        await client.get(f"/api/v1/discussions/{did}"),
    ):
        assert card(response)["status"] == "failed" and "error_reason" not in card(response)
        assert "HTTP 404" not in response.text

    feed = f"/api/v1/groups/{group.slug}/discussions"
    assert (await client.get(feed, headers=mine)).json()["items"][0]["link"]["error_reason"]
    assert "error_reason" not in (await client.get(feed, headers=theirs)).json()["items"][0]["link"]
    home = (await client.get("/api/v1/feed", headers=theirs)).json()["items"][0]["link"]
    assert home["status"] == "failed" and "error_reason" not in home


async def test_also_discussed_never_shows_a_private_groups_share_to_outsiders(
    loopback, app, client, make, auth, article_site
):
    """Two spellings of one address meet in /also; a private group's share only for its members."""
    a, outsider = await make.member(), await make.member()
    first, second = await make.group(a), await make.group(a)
    secret = await make.group(a, visibility="private")
    headers = await auth(a)
    ids = {}
    for g, url in ((first, f"{article_site}/news-bridge.html"),
                   (secret, f"{article_site}/news-bridge.html?fbclid=abc"),
                   (second, f"{article_site}/news-bridge.html#top")):  # fmt: skip
        r = await share(client, headers, g.slug, url, title=f"Bridge in {g.slug}")
        assert r.status_code == 201, r.text
        ids[g.slug] = r.json()["id"]
    await run_jobs(app)

    also = f"/api/v1/discussions/{ids[second.slug]}/also"
    seen = (await client.get(also, headers=headers)).json()
    assert [x["id"] for x in seen] == [ids[secret.slug], ids[first.slug]]  # newest first
    assert seen[0]["group"] == {"slug": secret.slug, "name": secret.name}
    assert (
        seen[0]["url"] == f"/d/{ids[secret.slug]}"
        and seen[0]["title"] == f"Bridge in {secret.slug}"
    )
    assert seen[0]["author"]["name"] == a.name
    for viewer in (await auth(outsider), {}):
        r = await client.get(also, headers=viewer)
        assert [x["id"] for x in r.json()] == [ids[first.slug]]
        assert secret.slug not in r.text


async def test_also_discussed_of_a_private_discussion_is_hidden_from_outsiders(
    loopback, app, client, make, auth, article_site, problem
):
    """Asking for /also of a discussion one cannot see is the same 404 as the discussion."""
    a, outsider = await make.member(), await make.member()
    secret = await make.group(a, visibility="private")
    r = await share(
        client, await auth(a), secret.slug, f"{article_site}/og-harbour.html", title="Hush"
    )
    problem(await client.get(f"/api/v1/discussions/{r.json()['id']}/also",
                             headers=await auth(outsider)), 404)  # fmt: skip
    plain = await make.discussion(await make.group(a), a)
    assert (await client.get(f"/api/v1/discussions/{plain.id}/also")).json() == []


async def test_sharing_an_article_the_group_already_discusses_is_a_conflict(
    loopback, client, db, make, auth, article_site, problem
):
    """A duplicate is 409 naming the existing discussion; allow_duplicate posts it anyway."""
    member = await make.member()
    group, elsewhere = await make.group(member), await make.group(member)
    headers = await auth(member)
    url = f"{article_site}/blog-sourdough.html"
    first = (await share(client, headers, group.slug, url, title="One")).json()

    r = await share(client, headers, group.slug, url + "?utm_medium=mail", title="Two")
    body = problem(r, 409)
    assert body["existing"] == {"id": first["id"], "title": "One", "url": f"/d/{first['id']}"}
    assert "already discussing this article" in body["detail"]
    assert "already discussing this article" in body["errors"]["link_url"]
    assert await db.scalar(select(func.count()).select_from(Discussion)) == 1

    r = await share(client, headers, group.slug, url, title="Two", allow_duplicate=True)
    assert r.status_code == 201, r.text
    assert r.json()["link"]["url"] == first["link"]["url"]
    r = await share(client, headers, elsewhere.slug, url, title="Elsewhere")
    assert r.status_code == 201, r.text  # another group may discuss it too


async def test_a_title_is_needed_only_without_a_link(client, make, auth, problem):
    """No title and no link is a 422 at the title; a bad address is a 422 at link_url."""
    member = await make.member()
    group = await make.group(member)
    headers = await auth(member)
    path = f"/api/v1/groups/{group.slug}/discussions"
    r = await client.post(path, json={"body": "No title."}, headers=headers)
    assert "title" in problem(r, 422)["errors"]
    r = await client.post(path, json={"link_url": "javascript:alert(1)"}, headers=headers)
    assert "link_url" in problem(r, 422)["errors"]
    r = await client.post(path, json={"link_url": "https://a.example/", "allow_duplicate": "maybe"},
                          headers=headers)  # fmt: skip
    assert "allow_duplicate" in problem(r, 422)["errors"]


async def test_only_an_admin_refetches_a_link(
    loopback, app, client, make, auth, article_site, problem
):
    """An admin's refetch answers 202 with a pending card and queues a fetch; a member's is 403."""
    member, admin = await make.member(), await make.member(role="admin")
    group = await make.group(member)
    r = await share(client, await auth(member), group.slug, f"{article_site}/magazine-tides.html")
    did = r.json()["id"]
    await run_jobs(app)

    refetch = f"/api/v1/discussions/{did}/refetch"
    assert "admin" in problem(await client.post(refetch, headers=await auth(member)), 403)["detail"]
    assert await run_jobs(app) == 0

    r = await client.post(refetch, headers=await auth(admin))
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "pending" and set(r.json()) == CARD_KEYS
    assert await run_jobs(app) == 1
    card = (await client.get(f"/api/v1/discussions/{did}")).json()["discussion"]["link"]
    assert card["status"] == "ok" and card["title"]

    plain = await make.discussion(group, member)
    r = await client.post(f"/api/v1/discussions/{plain.id}/refetch", headers=await auth(admin))
    assert "link_url" in problem(r, 422)["errors"]


async def test_openapi_describes_the_link_routes_and_the_duplicate_conflict(client):
    """The OpenAPI document lists the link routes and documents the 409 with 'existing'."""
    spec = (await client.get("/api/openapi.json")).json()
    paths = spec["paths"]
    for path, method in (("article", "get"), ("also", "get"), ("refetch", "post")):
        assert method in paths[f"/api/v1/discussions/{{discussion_id}}/{path}"]
    post = paths["/api/v1/groups/{slug}/discussions"]["post"]
    conflict = post["responses"]["409"]
    assert "allow_duplicate" in conflict["description"]
    schema = conflict["content"]["application/problem+json"]["schema"]
    assert set(schema["properties"]["existing"]["properties"]) == {"id", "title", "url"}
    assert "#/$defs/" not in json.dumps(spec)  # every reference resolves inside the document
    assert "202" in paths["/api/v1/discussions/{discussion_id}/refetch"]["post"]["responses"]
    link = spec["components"]["schemas"]["LinkOut"]["properties"]
    assert CARD_KEYS | {"error_reason"} == set(link)
