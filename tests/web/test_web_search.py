"""The search page, the search API and `townsquare search reindex`, through the real app."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tests.conftest import PG_URL
from townsquare.cli import cli


@pytest.fixture
async def posts(make):  # type: ignore[no-untyped-def]
    host = await make.member("hazel")
    outsider = await make.member("otto")
    public = await make.group(host, slug="orchard")
    private = await make.group(host, slug="cellar", visibility="private")
    pears = await make.discussion(public, host, title="Pear trees",
                                  body="Pruning <em>old</em> pear trees & quinces.")  # fmt: skip
    cellar = await make.discussion(private, host, title="Cider", body="Pressing day.")
    await make.comment(cellar, host, body="The wassail starts at dusk.")
    return {"host": host, "outsider": outsider, "pears": pears}


async def test_every_page_has_a_search_box(client):
    """The header's box sends q to /search."""
    page = (await client.get("/")).text
    assert 'action="/search"' in page and 'name="q"' in page


async def test_search_page_shows_hits_with_group_author_and_escaped_snippet(client, posts):
    """A hit links to its discussion and shows its group, author and a marked snippet."""
    r = await client.get("/search", params={"q": "pruning"})
    assert r.status_code == 200
    assert f'href="/d/{posts["pears"].id}"' in r.text
    assert 'href="/g/orchard"' in r.text and 'href="/u/hazel"' in r.text
    assert "<mark>Pruning</mark>" in r.text
    assert "<em>old</em>" not in r.text and "&amp;" in r.text


async def test_private_comments_are_found_only_by_members(client, db, posts):
    """The outsider's search finds nothing; the host's finds the comment."""
    await client.log_in_as(db, posts["outsider"])
    page = (await client.get("/search", params={"q": "wassail"})).text
    assert "search-hit" not in page and "Nothing found" in page
    await client.log_in_as(db, posts["host"])
    assert "<mark>wassail</mark>" in (await client.get("/search", params={"q": "wassail"})).text


@pytest.mark.parametrize("q", ['"', "AND OR NOT", "*", ")(", "x" * 10_000, "-only"])
async def test_hostile_queries_are_answered_not_failed(client, posts, q):
    """Whatever is typed, the page answers 200 and the API 200."""
    assert (await client.get("/search", params={"q": q})).status_code == 200
    assert (await client.get("/api/v1/search", params={"q": q[:10_000]})).status_code == 200


async def test_bad_filters_show_the_form_again_with_the_message(client, posts):
    """A malformed date or a forged cursor: 422 with the message at the field, never 500."""
    r = await client.get("/search", params={"q": "pear", "since": "yesterday"})
    assert r.status_code == 422 and 'id="e-since"' in r.text and 'value="pear"' in r.text
    r = await client.get("/search", params={"q": "pear", "cursor": "nonsense"})
    assert r.status_code == 422


async def test_more_link_continues_the_results(client, make, posts):
    """Past one page, a "More results" link carries the query and the cursor."""
    for n in range(25):
        await make.discussion(await _group(make, posts), posts["host"], title=f"Plum {n}",
                              body="plum")  # fmt: skip
    r = await client.get("/search", params={"q": "plum", "sort": "date"})
    assert r.text.count('class="row search-hit"') == 20 and "More results" in r.text
    more = r.text.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert "q=plum" in more and "sort=date" in more
    assert (await client.get(more)).text.count('class="row search-hit"') == 5


async def _group(make, posts):  # type: ignore[no-untyped-def]
    if "extra" not in posts:
        posts["extra"] = await make.group(posts["host"], slug="plums")
    return posts["extra"]


async def test_api_search_returns_hits_and_validates(client, posts):
    """JSON hits with kind, group, author and snippet HTML; a bad kind is a 422 problem."""
    r = await client.get("/api/v1/search", params={"q": "pear -cider", "kind": "discussion"})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "pear -cider"
    [hit] = body["hits"]
    assert hit["kind"] == "discussion" and hit["group"] == "orchard" and hit["author"] == "hazel"
    assert "<mark>pear</mark>" in hit["snippet_html"] and "<em>" not in hit["snippet_html"]
    assert (
        await client.get("/api/v1/search", params={"q": "x", "kind": "member"})
    ).status_code == 422
    r = await client.get(
        "/api/v1/search", params={"q": "x", "since": "2020-02-01", "until": "2020-01-01"}
    )
    assert r.status_code == 422 and r.json()["errors"]["until"]


async def test_reindex_command_rebuilds_the_index(settings, db, posts, monkeypatch):
    """After the index is emptied behind the triggers' back, reindex brings hits back."""
    if PG_URL:
        monkeypatch.setenv("TOWNSQUARE_DATABASE_URL", PG_URL)
    else:
        await db.execute(
            text("INSERT INTO search_discussion(search_discussion) VALUES ('delete-all')")
        )
        await db.commit()
        from townsquare.domain import search

        assert (await search.search(db, None, "pruning")).hits == []
    await db.close()
    args = ["search", "reindex", "--data-dir", str(settings.data_dir)]
    result = await asyncio.to_thread(CliRunner().invoke, cli, args)  # it runs its own loop
    assert result.exit_code == 0, result.output
    assert ("Rebuilt" if not PG_URL else "nothing to rebuild") in result.output
    from townsquare.domain import search

    assert len((await search.search(db, None, "pruning")).hits) == 1
