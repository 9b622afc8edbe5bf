"""Layout and focus, as only a browser shows them."""

from __future__ import annotations

import pytest

from tests.browser.conftest import expect

NARROW = 360
LONG_URL = "https://example.org/" + "a-very-long-path-segment-" * 8 + "?q=" + "x" * 60
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3


@pytest.fixture(scope="module")
def crowded_discussion(site):
    """A discussion titled with a pasted address, long words, code, a reply, two pages."""
    author, reader = site.member(), site.member()
    slug = site.group(author, joined=(reader,))
    body = f"{LONG_WORD}\n\n> {LONG_WORD}\n\n    {LONG_WORD} {LONG_WORD}\n\n{LONG_URL}"
    d = site.discussion(slug, author, title=f"Worth reading: {LONG_URL}", body=body,
                        link_url=LONG_URL)  # fmt: skip
    ids = site.comments(d, author, [f"{LONG_WORD} {n}" for n in range(1, 61)])
    site.comments(d, reader, [f"A reply with {LONG_URL}"], parent_id=ids[0])
    return d, slug, reader


PAGES = [  # (page, signed in); the new-discussion form is for members only
    ("discussion", False),
    ("discussion", True),
    ("group", False),
    ("group", True),
    ("signup", False),
    ("new-discussion", True),
]


@pytest.mark.parametrize(
    ("where", "signed_in"), PAGES, ids=[f"{w}-{'member' if s else 'visitor'}" for w, s in PAGES]
)
def test_pages_fit_a_360_px_screen(open_page, crowded_discussion, where, signed_in):
    """At 360 px wide the page has no horizontal scroll, even with long links and words."""
    d, slug, reader = crowded_discussion
    url = {"discussion": f"/d/{d}", "group": f"/g/{slug}", "signup": "/signup",
           "new-discussion": f"/g/{slug}/new"}[where]  # fmt: skip
    page = open_page(reader if signed_in else None, width=NARROW, height=720)
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW, f"{url} is {width} px wide at {NARROW} px"


def test_inline_reply_form_fits_a_360_px_screen(open_page, crowded_discussion):
    """An open inline reply form does not widen the page at 360 px."""
    d, _, reader = crowded_discussion
    page = open_page(reader, width=NARROW, height=720)
    page.goto(f"/d/{d}")
    page.locator(".thread .actions").first.get_by_role("link", name="Reply").click()
    expect(page.locator(".reply-slot textarea")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW


def _focused(page):
    return page.evaluate(
        """() => {
            const el = document.activeElement, s = getComputedStyle(el), r = el.getBoundingClientRect();
            return {cls: el.className, tag: el.tagName, outline: s.outlineStyle,
                    width: parseFloat(s.outlineWidth), left: r.left, top: r.top};
        }"""
    )


def test_keyboard_focus_is_visible(open_page, crowded_discussion):
    """Tab first reaches an on-screen skip link, then the like button, each with a focus ring."""
    d, _, reader = crowded_discussion
    page = open_page(reader)
    page.goto(f"/d/{d}")
    page.keyboard.press("Tab")
    skip = _focused(page)
    assert skip["cls"] == "skip"
    assert skip["left"] >= 0 and skip["top"] >= 0, "the skip link stays off screen"
    assert skip["outline"] != "none" and skip["width"] >= 2

    for _ in range(40):
        page.keyboard.press("Tab")
        if "like-button" in _focused(page)["cls"]:
            break
    ring = _focused(page)
    assert "like-button" in ring["cls"], "Tab never reached a like button"
    assert ring["outline"] != "none" and ring["width"] >= 2
