"""@mention autocomplete in the comment box."""

from __future__ import annotations

from tests.browser.conftest import expect


def test_typing_at_and_a_few_letters_offers_members_and_enter_inserts_one(open_page, site):
    """ "@zeb" lists matching members; arrow down and Enter put "@name " in the box."""
    author = site.member()
    site.member("zebedee_one")
    site.member("zebedee_two")
    slug = site.group(author)
    d = site.discussion(slug, author, title="Who to ask")
    page = open_page(author)
    page.goto(f"/d/{d}")
    box = page.locator("#comment-form textarea")
    box.click()
    box.press_sequentially("Ask @zeb")
    options = page.locator(".mentions [role=option]")
    expect(options).to_have_count(2)
    expect(options.first).to_contain_text("@zebedee_one")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_value("Ask @zebedee_two ")
    expect(page.locator(".mentions")).to_have_count(0)
    box.press_sequentially("x")
    box.press("Escape")
    expect(page.locator(".mentions")).to_have_count(0)
