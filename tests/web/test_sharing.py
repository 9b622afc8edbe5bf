"""Sharing a link: the card is fetched in the background and shown on the discussion page."""

from sqlalchemy import select

from tests.conftest import run_jobs
from townsquare.db.models import Discussion, Link


async def test_shared_link_shows_placeholder_then_card(
    loopback, app, client, db, make, article_site
):
    """Posting with a URL and no title queues a fetch; after it runs the page has the card."""
    member = await make.member()
    group = await make.group(member)
    await client.log_in_as(db, member)
    r = await client.form(f"/g/{group.slug}/new", {"link_url": f"{article_site}/news-bridge.html?utm_source=x",
                                                   "title": "", "body": "Worth a read."})  # fmt: skip
    assert r.status_code == 303
    did = int(r.headers["location"].rsplit("/", 1)[1])
    page = (await client.get(f"/d/{did}")).text
    assert "Fetching the article" in page and f'hx-get="/d/{did}/card"' in page

    assert await run_jobs(app) == 1
    card = (await client.get(f"/d/{did}/card")).text
    assert "Lowmere votes to rebuild the old footbridge" in card
    assert "The Lowmere Ledger" in card and "Marta Quill" in card
    assert "Residents of Lowmere voted" in card
    page = (await client.get(f"/d/{did}")).text
    assert "<h1>Lowmere votes to rebuild the old footbridge</h1>" in page
    reader = await client.get(f"/d/{did}/article")
    assert reader.status_code == 200 and "Read the original" in reader.text
    link = await db.scalar(select(Link))
    assert "utm_source" not in link.url and link.status == "ok"


async def test_failed_fetch_shows_plain_link_and_tells_only_the_poster(loopback, app, client, db, make,
                                                                        article_site, client_factory):  # fmt: skip
    """A page that cannot be had leaves a plain link; only the poster sees why."""
    poster, other = await make.member(), await make.member()
    group = await make.group(poster, members=(other,))
    await client.log_in_as(db, poster)
    r = await client.form(f"/g/{group.slug}/new", {"link_url": f"{article_site}/missing.html",
                                                   "title": "Gone"})  # fmt: skip
    did = int(r.headers["location"].rsplit("/", 1)[1])
    await run_jobs(app)
    mine = (await client.get(f"/d/{did}")).text
    assert "we could not make a card because the site answered with an error (HTTP 404)" in mine
    them = client_factory()
    await them.log_in_as(db, other)
    theirs = (await them.get(f"/d/{did}")).text
    assert f"{article_site}/missing.html" in theirs and "could not make a card" not in theirs


async def test_private_address_is_refused_without_loopback(settings, app, client, db, make):
    """With loopback not allowed (the default), a link to 127.0.0.1 is refused, never fetched."""
    member = await make.member()
    group = await make.group(member)
    d = await make.discussion(group, member)
    await client.log_in_as(db, member)
    r = await client.form(
        f"/g/{group.slug}/new", {"link_url": "http://127.0.0.1:9/x", "title": "T"}
    )
    did = int(r.headers["location"].rsplit("/", 1)[1])
    await run_jobs(app)
    link = await db.scalar(select(Link))
    assert link.status == "failed" and link.error_reason == "that address is not allowed"
    assert d.id != did


async def test_same_article_in_two_groups_is_also_discussed_but_private_groups_stay_hidden(
    loopback, app, client, db, make, article_site, client_factory
):
    """Two spellings of one address meet in "also discussed in"; a private group's share never shows."""
    a, outsider = await make.member(), await make.member()
    first, second = await make.group(a), await make.group(a)
    secret = await make.group(a, visibility="private")
    await client.log_in_as(db, a)
    for slug, url in ((first.slug, f"{article_site}/news-bridge.html"),
                      (secret.slug, f"{article_site}/news-bridge.html?fbclid=abc"),
                      (second.slug, f"{article_site}/news-bridge.html#top")):  # fmt: skip
        r = await client.form(f"/g/{slug}/new", {"link_url": url, "title": f"Bridge in {slug}"})
        assert r.status_code == 303
    await run_jobs(app)
    ids = {d.title: d.id for d in await db.scalars(select(Discussion))}
    assert len(set((await db.scalars(select(Discussion.link_id))).all())) == 1
    member_view = (await client.get(f"/d/{ids[f'Bridge in {second.slug}']}")).text
    assert "Also discussed in" in member_view and f"Bridge in {secret.slug}" in member_view
    other = client_factory()
    await other.log_in_as(db, outsider)
    outsider_view = (await other.get(f"/d/{ids[f'Bridge in {second.slug}']}")).text
    assert (
        f"Bridge in {first.slug}" in outsider_view
        and f"Bridge in {secret.slug}" not in outsider_view
    )


async def test_sharing_the_same_article_twice_in_a_group_warns_first(loopback, app, client, db, make,
                                                                      article_site):  # fmt: skip
    """The form warns before a duplicate in the same group; ticking "post anyway" posts it."""
    member = await make.member()
    group = await make.group(member)
    await client.log_in_as(db, member)
    url = f"{article_site}/blog-sourdough.html"
    assert (
        await client.form(f"/g/{group.slug}/new", {"link_url": url, "title": "One"})
    ).status_code == 303
    r = await client.form(
        f"/g/{group.slug}/new", {"link_url": url + "?utm_medium=mail", "title": "Two"}
    )
    assert r.status_code == 422 and "already discussing this article" in r.text
    assert 'name="allow_duplicate"' in r.text and 'value="Two"' in r.text
    r = await client.form(
        f"/g/{group.slug}/new", {"link_url": url, "title": "Two", "allow_duplicate": "1"}
    )
    assert r.status_code == 303


async def test_bad_link_is_a_field_error_and_keeps_the_text(settings, client, db, make):
    """A link that is not a web address is refused at the field; nothing is stored."""
    member = await make.member()
    group = await make.group(member)
    await client.log_in_as(db, member)
    r = await client.form(f"/g/{group.slug}/new", {"link_url": "javascript:alert(1)", "title": "",
                                                   "body": "kept words"})  # fmt: skip
    assert r.status_code == 422 and 'id="e-link_url"' in r.text and "kept words" in r.text
    assert await db.scalar(select(Link.id)) is None
