"""A form with an error comes back with what the member typed and the message at the field."""

from __future__ import annotations

import re

from tests.browser.conftest import expect


def test_discussion_form_error_keeps_the_typed_text(open_page, site):
    """Errors at the title, then at the link, each keep everything the member typed."""
    host = site.member()
    slug = site.group(host)
    page = open_page(host)
    page.goto(f"/g/{slug}/new")
    page.fill("#f-body", "Long careful commentary\n\nin *two* paragraphs.")
    page.get_by_role("button", name="Post discussion").click()  # no title, and no link to lend one

    expect(page.locator("#e-title")).to_be_visible()
    expect(page.locator("#f-title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-body")).to_have_value("Long careful commentary\n\nin *two* paragraphs.")

    page.fill("#f-title", "Swifts")
    page.fill("#f-link_url", "ftp://example.org/swifts")
    page.get_by_role("button", name="Post discussion").click()
    expect(page.locator("#e-link_url")).to_be_visible()
    expect(page.locator("#f-link_url")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-link_url")).to_have_value("ftp://example.org/swifts")
    expect(page.locator("#f-title")).to_have_value("Swifts")
    expect(page.locator("#f-body")).to_have_value("Long careful commentary\n\nin *two* paragraphs.")

    page.fill("#f-link_url", "")
    page.get_by_role("button", name="Post discussion").click()
    expect(page).to_have_url(re.compile(r"/d/\d+$"))
    expect(page.locator(".commentary em")).to_have_text("two")


def test_signup_error_keeps_everything_but_the_password(open_page, site):
    """A sign-up with a bad name shows the error at the name and keeps the email and display name."""
    page = open_page()
    page.goto("/signup")
    page.fill("#f-name", "no spaces allowed")
    page.fill("#f-display_name", "Ada L.")
    page.fill("#f-email", "ada.l@example.org")
    page.fill("#f-password", "correct horse battery")
    page.get_by_role("button", name="Sign up").click()

    expect(page.locator("#e-name")).to_be_visible()
    expect(page.locator("#f-name")).to_have_value("no spaces allowed")
    expect(page.locator("#f-display_name")).to_have_value("Ada L.")
    expect(page.locator("#f-email")).to_have_value("ada.l@example.org")
    expect(page.locator("#f-password")).to_have_value("")
