"""preview and card_for_url: from a shared address or a saved page to a card and its JSON."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from townsquare.links.errors import FetchFailed, LinkError, Refused
from townsquare.links.preview import JSON_KEYS, card_for_url, card_json, preview

PAGES = Path(__file__).parent / "pages"


async def test_preview_of_a_url_fetches_and_extracts(site, limits):
    """A URL through redirects gives the article card with the final address."""
    card = await preview(f"{site}/hops/2?utm_source=feed", limits)
    assert card.url == f"{site}/hops/2"
    assert card.final_url == f"{site}/hops/0"
    assert card.title == "Lowmere votes to rebuild the old footbridge"
    assert card.image == f"{site}/media/2024/03/footbridge-archive.jpg?width=1200&crop=16x9"


async def test_preview_of_a_saved_file_uses_the_given_url(limits, outbound):
    """A local HTML file is read without any network, with --url as its address."""
    card = await preview(
        str(PAGES / "magazine-tides.html"), limits, url="https://quarterly.example/tides"
    )
    assert card.url == card.final_url == "https://quarterly.example/tides"
    assert card.published == date(2023, 11, 5)
    assert outbound == []


async def test_preview_of_a_saved_file_defaults_to_its_file_uri(limits):
    """Without --url the card's address is the file's own URI."""
    path = PAGES / "og-harbour.html"
    card = await preview(path.resolve().as_uri(), limits)
    assert card.url == path.resolve().as_uri()
    assert card.title == "Ferry timetable cut to two sailings a day"


async def test_card_json_has_exactly_the_documented_keys(limits):
    """card_json prints the eleven keys, with the date as an ISO string."""
    card = await preview(str(PAGES / "news-bridge.html"), limits, url="https://ledger.example/a")
    data = card_json(card)
    assert list(data) == list(JSON_KEYS)
    assert set(data) == {
        "url",
        "final_url",
        "canonical_url",
        "title",
        "site_name",
        "author",
        "published",
        "lead",
        "image",
        "caption",
        "text",
    }
    assert data["published"] == "2024-03-12"


async def test_card_json_date_is_null_when_unknown(site, limits):
    """An unknown publication date is null, not an empty string."""
    data = card_json(await card_for_url(f"{site}/report.pdf", limits))
    assert data["published"] is None


async def test_pdf_link_gives_a_file_card(site, limits):
    """A PDF is not an error: it becomes a file card naming its type."""
    card = await card_for_url(f"{site}/report.pdf", limits)
    assert (card.kind, card.file_type, card.title) == ("file", "PDF", "report.pdf")


async def test_charset_from_the_server_is_used(site, limits):
    """An ISO-8859-1 page is decoded with the charset its server named."""
    card = await card_for_url(f"{site}/latin1", limits)
    assert card.title == "Crème brûlée à la maison"
    assert "un four doux" in card.text


@pytest.mark.parametrize(
    ("shared", "code"),
    [
        ("javascript:alert(1)", "not_web"),
        ("example.com/story", "not_web"),
        ("http://", "bad_address"),
    ],
)
async def test_card_for_url_refuses_what_is_not_a_web_address(shared, code, limits, outbound):
    """Member input that is not an http(s) address is refused with a reason, never read as a file."""
    with pytest.raises(Refused) as caught:
        await card_for_url(shared, limits)
    assert caught.value.code == code
    assert outbound == []


async def test_card_for_url_reports_failures_as_link_errors(site, strict):
    """Every failure is a LinkError with a member-facing reason."""
    for url, kind in ((f"{site}/pages/news-bridge", Refused), ("http://10.0.0.1/", Refused)):
        with pytest.raises(kind) as caught:
            await card_for_url(url, strict)
        assert isinstance(caught.value, LinkError)
        assert caught.value.reason == "that address is not allowed"


async def test_card_for_url_reports_http_errors(site, limits):
    """A 404 reaches the caller as FetchFailed with the status in the reason."""
    with pytest.raises(FetchFailed) as caught:
        await card_for_url(f"{site}/nothing-here", limits)
    assert caught.value.reason == "the site answered with an error (HTTP 404)"
