"""Full-text search through the domain layer, on a small corpus, on either backend."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from townsquare.db.models import Comment, Discussion, Link
from townsquare.domain import links, safety, search
from townsquare.domain.errors import Invalid
from townsquare.domain.search import Filters, Term, parse

ARTICLE_TEXT = (
    "The council approved a radical plan for urban beekeeping on rooftops. Hives will "
    "sit above the library and the old fire station, tended by volunteers."
)


@pytest.fixture
async def corpus(db, make):  # type: ignore[no-untyped-def]
    """Members, a public and a private group, and the posts the tests look for."""
    alice = await make.member("alice")
    bob = await make.member("bob")
    carol = await make.member("carol")
    dave = await make.member("dave")
    public = await make.group(alice, slug="growers", members=(bob, carol, dave))
    private = await make.group(carol, slug="hideout", visibility="private")
    garden = await make.discussion(
        public, alice, title="Allotment life", body="Notes from my garden this spring."
    )
    await make.discussion(public, bob, title="Best café in town", body="The café on Main St.")
    await make.discussion(public, alice, title="Tomato blight", body="My tomato seedlings wilt.")
    await make.discussion(public, bob, title="Tomato soup", body="A tomato soup recipe.")
    link = await links.link_for(db, "https://news.example.org/bees")
    await db.execute(
        update(Link)
        .where(Link.id == link.id)
        .values(status="ok", title="Bees on the roof", site_name="Example News", text=ARTICLE_TEXT)
    )
    await db.commit()
    shared = await make.discussion(public, dave, title="Look at this", body="Thoughts?")
    await db.execute(update(Discussion).where(Discussion.id == shared.id).values(link_id=link.id))
    await db.commit()
    secret = await make.discussion(private, carol, title="Members only", body="Hello.")
    await make.comment(secret, carol, body="The password is zanzibarite.")
    await make.comment(garden, dave, body="Marmalade from the greenhouse oranges.")
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "garden": garden,
            "shared": shared, "secret": secret, "public": public}  # fmt: skip


def titles(results: search.Results) -> list[str]:
    return [h.title for h in results.hits]


async def test_a_phrase_from_a_shared_article_finds_its_discussion(db, corpus):
    """The article's own text is searched, and the hit names the discussion that shared it."""
    found = await search.search(db, None, '"urban beekeeping on rooftops"')
    assert [(h.kind, h.discussion_id) for h in found.hits] == [("article", corpus["shared"].id)]
    assert found.hits[0].link_title == "Bees on the roof"
    assert "<mark>" in found.hits[0].snippet


async def test_words_are_stemmed(db, corpus):
    """Searching "gardens" finds a discussion that says "garden"."""
    assert titles(await search.search(db, None, "gardens")) == ["Allotment life"]


async def test_accents_are_folded(db, corpus):
    """ "cafe" finds "café", and "café" finds it too."""
    assert titles(await search.search(db, None, "cafe")) == ["Best café in town"]
    assert titles(await search.search(db, None, "CAFÉ")) == ["Best café in town"]


async def test_an_excluded_word_drops_its_discussions(db, corpus):
    """ "tomato -soup" keeps the blight and leaves out the soup."""
    assert titles(await search.search(db, None, "tomato -soup")) == ["Tomato blight"]
    assert sorted(titles(await search.search(db, None, "tomato"))) == [
        "Tomato blight",
        "Tomato soup",
    ]


async def test_words_must_all_appear(db, corpus):
    """Several words are ANDed; a phrase needs its words in order."""
    assert titles(await search.search(db, None, "tomato seedlings")) == ["Tomato blight"]
    assert titles(await search.search(db, None, '"seedlings tomato"')) == []


async def test_a_private_groups_comment_is_found_only_by_its_members(db, corpus):
    """A word only in a private group's comment: never for outsiders, found by a member."""
    for outsider in (None, corpus["bob"], corpus["alice"]):
        assert (await search.search(db, outsider, "zanzibarite")).hits == []
    hits = (await search.search(db, corpus["carol"], "zanzibarite")).hits
    assert [(h.kind, h.discussion_id) for h in hits] == [("comment", corpus["secret"].id)]
    assert hits[0].url == f"/d/{corpus['secret'].id}/c/{hits[0].comment_id}"


async def test_site_moderators_find_private_content(db, make, corpus):
    """Site moderators read every group, so search shows them everything live."""
    mod = await make.member("mod", role="moderator")
    assert len((await search.search(db, mod, "zanzibarite")).hits) == 1


@pytest.mark.parametrize("state", ["pending", "removed", "deleted"])
async def test_posts_not_live_are_not_found(db, corpus, state):
    """Waiting for review, removed or deleted: not found by others."""
    garden = corpus["garden"]
    await db.execute(update(Discussion).where(Discussion.id == garden.id).values(state=state))
    await db.execute(update(Comment).where(Comment.body_src.like("Marmalade%")).values(state=state))
    await db.commit()
    for viewer in (None, corpus["bob"], corpus["carol"]):
        assert (await search.search(db, viewer, "garden")).hits == []
        assert (await search.search(db, viewer, "marmalade")).hits == []


async def test_an_author_finds_their_own_post_waiting_for_review(db, corpus):
    """A pending post is found by its author, marked as pending."""
    garden = corpus["garden"]
    await db.execute(update(Discussion).where(Discussion.id == garden.id).values(state="pending"))
    await db.commit()
    hits = (await search.search(db, corpus["alice"], "garden")).hits
    assert [(h.title, h.state) for h in hits] == [("Allotment life", "pending")]


async def test_blocked_members_comments_are_not_found_by_the_blocker(db, corpus):
    """Bob blocked Dave: Dave's comment and shared article vanish for Bob only."""
    await safety.block(db, corpus["bob"], "dave")
    assert (await search.search(db, corpus["bob"], "marmalade")).hits == []
    assert (await search.search(db, corpus["bob"], "beekeeping")).hits == []
    assert len((await search.search(db, corpus["alice"], "marmalade")).hits) == 1


async def test_edits_and_deletes_reach_the_index_in_the_same_transaction(db, corpus):
    """The triggers (SQLite) or generated columns (PostgreSQL) follow every write."""
    garden = corpus["garden"]
    await db.execute(
        update(Discussion).where(Discussion.id == garden.id).values(body_src="Now about orchards.")
    )
    await db.commit()
    assert (await search.search(db, None, "spring")).hits == []
    assert titles(await search.search(db, None, "orchard")) == ["Allotment life"]


HOSTILE = ['"', '""', "AND OR NOT", "*", ")(", "NEAR(a b)", "title:x", "^start", "-", "--x",
           "a\x00b", "'; DROP TABLE discussion; --", "x" * 10_000, "tomato " * 2_000,
           '"unclosed phrase', "-tomato", "\\", "{a b}", "col : a", "a + b", "\u202etomato"]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_input_never_errors(db, corpus, text):
    """Operators, quotes, brackets, NULs and huge queries are only ever words (or nothing)."""
    found = await search.search(db, corpus["bob"], text)
    assert isinstance(found.hits, list)
    await search.search(db, None, text, Filters(sort="date"))


async def test_html_in_stored_text_comes_out_escaped(db, make, corpus):
    """The snippet escapes what members wrote and marks only the matched words."""
    await make.comment(corpus["garden"], corpus["bob"],
                       body='<script>alert(1)</script> Tom & Jerry <b>xylophone</b> 1 < 2')  # fmt: skip
    [hit] = (await search.search(db, None, "xylophone")).hits
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    assert "&amp;" in hit.snippet and "&lt;" in hit.snippet
    assert "<mark>xylophone</mark>" in hit.snippet


async def test_filters_by_kind_group_author_and_date(db, make, corpus):
    """Each filter narrows; an unknown group or author finds nothing."""
    other = await make.group(corpus["bob"], slug="kitchen")
    await make.discussion(other, corpus["bob"], title="Tomato chutney", body="Spiced.")
    assert len((await search.search(db, None, "tomato")).hits) == 3
    by_group = await search.search(db, None, "tomato", Filters(group="kitchen"))
    assert titles(by_group) == ["Tomato chutney"]
    assert titles(await search.search(db, None, "tomato", Filters(author="alice"))) == [
        "Tomato blight"
    ]
    assert (await search.search(db, None, "tomato", Filters(author="nobody"))).hits == []
    assert (await search.search(db, None, "tomato", Filters(kind="comment"))).hits == []
    marmalade = await search.search(db, None, "marmalade", Filters(kind="comment"))
    assert [h.kind for h in marmalade.hits] == ["comment"]
    today = datetime.now(UTC).date()
    assert len((await search.search(db, None, "tomato", Filters(since=today))).hits) == 3
    later = Filters(since=today + timedelta(days=1))
    assert (await search.search(db, None, "tomato", later)).hits == []
    assert (await search.search(db, None, "tomato", Filters(until=date(2000, 1, 1)))).hits == []


async def test_bad_filters_are_field_errors(db, corpus):
    """An unknown kind or sort, a reversed date range or a forged cursor: Invalid, never 500."""
    with pytest.raises(Invalid):
        await search.search(db, None, "tomato", Filters(kind="member"))
    with pytest.raises(Invalid):
        await search.search(db, None, "tomato", Filters(sort="random"))
    with pytest.raises(Invalid):
        await search.search(db, None, "tomato", Filters(since=date(2020, 2, 1),
                                                        until=date(2020, 1, 1)))  # fmt: skip
    for cursor in ("x", "nan~0~1", "1.0~9~1", "1.0~0~0", "1.0~0~99999999999999999999"):
        with pytest.raises(Invalid):
            await search.search(db, None, "tomato", cursor=cursor)


@pytest.mark.parametrize("sort", ["relevance", "date"])
async def test_pages_walk_every_hit_once(db, make, corpus, sort):
    """A cursor continues where the page ended: no hit twice, none missed."""
    for n in range(7):
        await make.discussion(corpus["public"], corpus["alice"], title=f"Pumpkin {n}",
                              body="pumpkin " * (n + 1))  # fmt: skip
        await make.comment(corpus["garden"], corpus["bob"], body=f"pumpkin number {n}")
    seen: list[tuple[str, int]] = []
    cursor = None
    for _ in range(10):
        page = await search.search(db, None, "pumpkin", Filters(sort=sort), cursor=cursor, limit=3)
        seen += [(h.kind, h.id) for h in page.hits]
        cursor = page.more
        if cursor is None:
            break
    assert len(seen) == 14 and len(set(seen)) == 14
    if sort == "date":
        whens = [h.created_at for h in (await search.search(db, None, "pumpkin", Filters(sort=sort),
                                                             limit=20)).hits]  # fmt: skip
        assert whens == sorted(whens, reverse=True)


async def test_reindex_rebuilds_the_index(db, corpus):
    """Rebuilding changes nothing that was right, and says what it did."""
    said = await search.reindex(db)
    assert said
    assert titles(await search.search(db, None, "gardens")) == ["Allotment life"]


def test_parse_reads_words_phrases_and_exclusions():
    """The AST holds lower-case words only; operators and punctuation never survive."""
    q = parse('Tomato "green house" -soup -"tin can" AND NOT* )( ""')
    assert q.terms == (
        Term(("tomato",)), Term(("green", "house")), Term(("soup",), True),
        Term(("tin", "can"), True), Term(("and",)), Term(("not",)),
    )  # fmt: skip
    assert str(q) == 'tomato "green house" -soup -"tin can" and not'
    assert not parse("-soup").searchable
    assert not parse('" * ) ( -').searchable
    assert len(parse("w " * 5_000).terms) == 1
    assert len(parse(" ".join(f"w{n}" for n in range(100))).terms) == search.MAX_TERMS
