"""Article cards from fixture pages shaped like news sites, blogs and magazines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from townsquare.links.extract import BLOCK_KINDS, cut_text, extract, file_card, is_html, make_lead

PAGES = Path(__file__).parent / "pages"


def card_of(name: str, url: str):
    """The card for a fixture page as if fetched from url."""
    return extract((PAGES / f"{name}.html").read_bytes(), url)


@pytest.fixture(scope="module")
def news():
    """A news story: cookie banner, byline, share bar, ad, related box, comments."""
    return card_of("news-bridge", "https://ledger.example/news/lowmere-footbridge?utm_source=x")


@pytest.fixture(scope="module")
def blog():
    """A blog post: no OpenGraph, date only in visible text, byline at the bottom."""
    return card_of("blog-sourdough", "https://crumbandcrust.example/2024/02/failed-sourdough/")


@pytest.fixture(scope="module")
def magazine():
    """A magazine feature with JSON-LD as its only metadata."""
    return card_of("magazine-tides", "https://quarterly.example/features/tide-tables")


@pytest.fixture(scope="module")
def ferry():
    """A story with OpenGraph only and a byline, dateline and labels inside the text."""
    return card_of("og-harbour", "https://harbourpost.example/transport/ferry-timetable-cut")


def test_news_card_fields(news):
    """Title, site, author and date come from the news page's meta tags."""
    assert news.title == "Lowmere votes to rebuild the old footbridge"
    assert news.site_name == "The Lowmere Ledger"
    assert news.author == "Marta Quill"
    assert news.published == date(2024, 3, 12)
    assert news.kind == "article"


def test_news_canonical_link_is_made_absolute(news):
    """A relative <link rel=canonical> is resolved against the page's address."""
    assert news.canonical_url == "https://ledger.example/news/2024/03/lowmere-footbridge-vote"


def test_news_lead_skips_the_cookie_banner_and_byline(news):
    """The lead opens with the story's first sentence and has none of the page furniture."""
    assert news.lead.startswith("Residents of Lowmere voted on Tuesday evening")
    assert len(news.lead) <= 600
    for furniture in ("cookies", "Marta Quill", "Share this", "Local news", "07:30"):
        assert furniture not in news.lead


def test_news_image_is_absolute_and_captioned_by_its_figure(news):
    """The og:image is absolute and its caption is the figcaption of the same picture."""
    assert news.image == (
        "https://ledger.example/media/2024/03/footbridge-archive.jpg?width=1200&crop=16x9"
    )
    assert news.caption == (
        "The wooden footbridge over the Mere in 1962, two decades before the first flood. "
        "Photograph: Lowmere Town Archive"
    )


def test_news_text_has_the_story_and_not_the_comments_or_related_box(news):
    """The full text keeps paragraphs, heading and quote, and drops comments and related links."""
    assert "The first bridge on the site was built by the mill owners" in news.text
    assert "A crossing with a history" in news.text
    assert "where our grandparents crossed it" in news.text
    for noise in ("riverwatcher", "rot within a decade", "Related stories", "chain ferry"):
        assert noise not in news.text
    assert "Advertisement" not in news.text
    assert "\n\n" in news.text


def test_news_blocks_give_the_reader_view_structure(news):
    """Blocks carry paragraphs, the subheading, the quote and the image, in page order."""
    kinds = [kind for kind, _ in news.blocks]
    assert set(kinds) <= BLOCK_KINDS
    assert ("h2", "A crossing with a history") in news.blocks
    assert (
        "quote",
        "We wanted the bridge where our grandparents crossed it, and that is what we got.",
    ) in news.blocks
    assert kinds.index("h2") < kinds.index("quote")
    assert all(value.startswith("https://") for kind, value in news.blocks if kind == "img")
    assert not any(kind == "h2" and value == news.title for kind, value in news.blocks)


def test_blog_card_finds_date_in_visible_text_and_author_at_the_bottom(blog):
    """Without meta tags the date comes from "Posted on …" and the author from the footer byline."""
    assert blog.title == "What a year of failed sourdough taught me"
    assert blog.published == date(2024, 2, 3)
    assert blog.author == "Ada Fenwick"
    assert blog.site_name == "Crumb & Crust"


def test_blog_image_is_the_post_image_with_its_caption(blog):
    """With no og:image, the first picture in the post is used, with its figcaption."""
    assert blog.image == "https://cdn.crumbandcrust.example/uploads/2024/02/loaf-42-1024x768.jpg"
    assert blog.caption == "Loaf number forty-two: the one that finally held its shape."


def test_blog_text_keeps_the_list_and_drops_the_comments(blog):
    """List items are blocks; reader comments and the sidebar are not in the text."""
    assert (
        "li",
        "Let the dough rise by half, whatever the recipe says about hours.",
    ) in blog.blocks
    assert blog.lead.startswith("For most of last year my starter")
    for noise in (
        "next to the boiler",
        "cold retard",
        "Recent posts",
        "Choosing a second-hand oven",
    ):
        assert noise not in blog.text


def test_magazine_card_reads_json_ld(magazine):
    """Headline, both authors, date, image and publisher come from JSON-LD."""
    assert magazine.title == "The quiet science of tide tables"
    assert magazine.author == "Ines Barrow, Callum Reith"
    assert magazine.published == date(2023, 11, 5)
    assert magazine.site_name == "Northern Quarterly"
    assert magazine.image == "https://img.quarterly.example/tides/harbour-wall_1600.jpg"


def test_magazine_caption_matches_another_size_of_the_same_picture(magazine):
    """The JSON-LD image (1600 wide) finds the figcaption of its 800-wide rendition."""
    assert magazine.caption == (
        "Spring tide against the harbour wall at Skelmouth, where records go back to 1790. "
        "Image: Callum Reith"
    )


def test_magazine_text_drops_newsletter_and_more_from_box(magazine):
    """Subheadings are kept at their level; the newsletter prompt and "More from" box are not."""
    assert ("h3", "What the tables leave out") in magazine.blocks
    assert "Weather is the part no table can promise." in magazine.text
    for noise in (
        "Sign up for our newsletter",
        "More from the Quarterly",
        "Where the herring went",
    ):
        assert noise not in magazine.text
        assert noise not in magazine.lead


def test_opengraph_only_card(ferry):
    """OpenGraph gives title, site, date and image; the byline in the text gives the author."""
    assert ferry.title == "Ferry timetable cut to two sailings a day"
    assert ferry.site_name == "Harbour Evening Post"
    assert ferry.published == date(2024, 1, 18)
    assert ferry.author == "Tom Reyes"
    assert ferry.image == "https://static.harbourpost.example/pics/ferry-at-quay.jpg"
    assert ferry.canonical_url is None


def test_opengraph_alt_that_reads_like_a_caption_is_used(ferry):
    """With no figure for the image, a descriptive og:image:alt becomes the caption."""
    assert ferry.caption == "The morning ferry waits at the quay as passengers board in the rain"


def test_lead_and_text_skip_byline_dateline_and_labels(ferry):
    """ "By …", "Published …", "Share this article" and "Advertisement" are not article text."""
    assert ferry.lead.startswith("Islanders will have two ferry sailings a day")
    for label in ("By Tom Reyes", "Published 18 January", "Share this article", "Advertisement"):
        assert label not in ferry.lead
        assert label not in ferry.text
    assert "This site uses cookies" not in ferry.text


def test_html_is_decoded_with_the_given_charset():
    """Bytes in ISO-8859-1 are read with the charset the server named."""
    page = "<html><head><title>Crème brûlée</title></head><body><p>Une crème.</p></body></html>"
    card = extract(page.encode("iso-8859-1"), "https://cuisine.example/", charset="iso-8859-1")
    assert card.title == "Crème brûlée"


def test_meta_charset_is_used_when_the_server_names_none():
    """Without a header charset the page's own <meta charset> decides."""
    page = (
        '<html><head><meta charset="windows-1252"><title>Café “quotes” façade</title></head></html>'
    )
    card = extract(page.encode("windows-1252"), "https://cafe.example/")
    assert card.title == "Café “quotes” façade"


@pytest.mark.parametrize(
    "html",
    [b"", b"\x00\xff\xfe", "<?xml version='1.0' encoding='utf-8'?><html><p>x</p></html>", "<p>"],
)
def test_garbage_gives_a_card_not_an_exception(html):
    """Empty or broken markup yields a card with what could be found."""
    card = extract(html, "https://broken.example/")
    assert card.url == "https://broken.example/"
    assert card.kind == "article"


def test_unsafe_image_urls_are_ignored():
    """javascript: and data: images are never chosen; the next candidate is."""
    page = (
        '<html><head><meta property="og:image" content="javascript:alert(1)">'
        '<meta name="twitter:image" content="data:image/png;base64,AAAA">'
        '<meta property="og:title" content="Safe"></head><body></body></html>'
    )
    assert extract(page, "https://x.example/").image is None


def test_generic_alt_text_is_not_a_caption():
    """An alt like "photo" or a file name is not shown as a caption."""
    page = (
        '<html><head><meta property="og:image" content="/a.jpg">'
        '<meta property="og:image:alt" content="photo"></head><body></body></html>'
    )
    card = extract(page, "https://x.example/story")
    assert card.image == "https://x.example/a.jpg"
    assert card.caption is None


LONG = (
    "The harbour board met on Monday to discuss the winter timetable and the state of the quay. "
    * 8
).strip()


def test_long_first_paragraph_is_cut_at_a_sentence_end():
    """A lead longer than 600 characters ends at the last full sentence that fits."""
    lead = make_lead([LONG])
    assert len(lead) <= 600
    assert lead.endswith("quay.")


def test_text_without_sentence_ends_is_cut_at_a_word_with_an_ellipsis():
    """With no sentence end in reach the cut falls between words and says so with "…"."""
    words = "word " * 200
    cut = cut_text(words, 100)
    assert cut.endswith("word…")
    assert len(cut) <= 101


def test_short_first_paragraph_is_joined_by_the_second():
    """A short opening paragraph is followed by the next one when both fit."""
    first = "Islanders will lose three of their five daily ferry sailings next month."
    second = "The operator blamed a shortage of qualified crew for the winter season cuts."
    assert make_lead([first, second]) == f"{first}\n\n{second}"


def test_lead_skips_fragments_and_furniture():
    """Short fragments, cookie notices, share labels and bylines never open a lead."""
    paragraphs = [
        "Share this",
        "By Jo Bell and Sam Roe",
        "Updated 4 April 2024, 10:02",
        "We use cookies to improve your experience on our site and to show you offers.",
        "Photo: archive",
        "The mill reopened on Saturday after a restoration that took eleven years to finish.",
    ]
    assert make_lead(paragraphs).startswith("The mill reopened on Saturday")


def test_pdf_gets_a_file_card():
    """A PDF is a file card titled by its file name."""
    card = file_card(
        "https://council.example/docs/Budget%202024.pdf",
        "https://council.example/docs/Budget%202024.pdf",
        "application/pdf",
    )
    assert (card.kind, card.file_type, card.title) == ("file", "PDF", "Budget 2024.pdf")
    assert card.text == "" and card.image is None


def test_image_link_shows_itself():
    """A JPEG link's card uses the image itself; an SVG's does not."""
    jpeg = file_card("https://x.example/p.jpg", "https://x.example/p.jpg", "image/jpeg")
    svg = file_card("https://x.example/p.svg", "https://x.example/p.svg", "image/svg+xml")
    assert (jpeg.file_type, jpeg.image) == ("JPEG image", "https://x.example/p.jpg")
    assert (svg.file_type, svg.image) == ("SVG image", None)


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/html; charset=utf-8", b"", True),
        ("application/xhtml+xml", b"", True),
        ("application/pdf", b"<html>", False),
        ("", b"  <!DOCTYPE html><html>", True),
        ("", b"%PDF-1.4", False),
    ],
)
def test_is_html(content_type, body, expected):
    """Pages are recognised by type, or by their first bytes when the type is missing."""
    assert is_html(content_type, body) is expected
