"""The core loop in a real browser: sign up, create a group, start a discussion, comment,
reply, like; then the long discussion's pages and permalinks."""

from __future__ import annotations

import re

from tests.browser.conftest import PASSWORD, expect


def test_newcomer_signs_up_and_runs_the_whole_loop(open_page, site):
    """A newcomer signs up, creates a group, starts a discussion, comments, replies and likes."""
    name = site.unique("newcomer")
    slug = site.unique("birds-")
    page = open_page()

    page.goto("/signup")
    page.fill("#f-name", name)
    page.fill("#f-email", f"{name}@example.org")
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(site.url + "/")
    expect(page.locator("header.site a.me")).to_contain_text(name)

    page.goto("/groups")
    page.get_by_role("link", name="Create a group").click()
    page.fill("#f-name", "Birdwatchers")
    page.fill("#f-slug", slug)
    page.fill("#f-description", "Who saw what, and where.")
    page.get_by_role("button", name="Create group").click()
    expect(page).to_have_url(f"{site.url}/g/{slug}")
    expect(page.locator("h1")).to_have_text("Birdwatchers")

    page.get_by_role("link", name="Start a discussion").click()
    page.fill("#f-title", "Swifts are back")
    page.fill("#f-body", "Look *up* tonight.")
    page.get_by_role("button", name="Post discussion").click()
    expect(page).to_have_url(re.compile(r"/d/\d+$"))
    expect(page.locator("article.discussion h1")).to_have_text("Swifts are back")
    expect(page.locator(".commentary em")).to_have_text("up")

    page.fill("#comment-form textarea", "Three over the church at dusk.")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page).to_have_url(re.compile(r"/d/\d+\?page=1#c\d+$"))
    cid = int(page.url.rsplit("#c", 1)[1])
    expect(page.locator(f"#c{cid} .prose")).to_have_text("Three over the church at dusk.")
    expect(page.locator("#comments-h")).to_have_text("1 comment")

    page.locator(f"#c{cid}").get_by_role("link", name="Reply").click()
    page.locator(f"#rf{cid} textarea").fill("And a dozen over the river.")
    page.locator(f"#rf{cid}").get_by_role("button", name="Reply").click()
    expect(page.locator(f"#t{cid} .replies .prose")).to_have_text("And a dozen over the river.")
    expect(page.locator(f"#t{cid} .reply-count")).to_have_text("1 reply")

    page.locator(f"#c{cid} .like-button").click()
    expect(page.locator(f"#c{cid} .like-count")).to_have_text("1")

    page.reload()
    expect(page.locator("#comments-h")).to_have_text("2 comments")
    expect(page.locator(f"#t{cid} .reply-count")).to_have_text("1 reply")
    expect(page.locator(f"#c{cid} .like-button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#c{cid} .like-count")).to_have_text("1")


def _current_page(page):
    return page.locator("nav.pager").first.locator('[aria-current="page"]')


def test_pager_goes_to_page_two_and_back(open_page, site, long_discussion):
    """The pager shows page 2's comments, and Back (or Previous) returns to page 1's."""
    d, ids = long_discussion.id, long_discussion.comment_ids
    page = open_page(long_discussion.reader)
    page.goto(f"/d/{d}")
    expect(_current_page(page)).to_have_text("1")
    expect(page.locator(".threads > .thread")).to_have_count(50)
    expect(page.locator(f"#c{ids[0]}")).to_be_visible()

    page.locator("nav.pager").first.get_by_role("link", name="2", exact=True).click()
    expect(page).to_have_url(f"{site.url}/d/{d}?page=2")
    expect(_current_page(page)).to_have_text("2")
    expect(page.locator(f"#c{ids[50]}")).to_contain_text("Comment number 51.")
    expect(page.locator(f"#c{ids[0]}")).to_have_count(0)
    expect(page.locator(".page-of")).to_have_text("page 2 of 3")

    page.go_back()
    expect(page).to_have_url(f"{site.url}/d/{d}")
    expect(_current_page(page)).to_have_text("1")
    expect(page.locator(f"#c{ids[0]}")).to_contain_text("Comment number 1.")
    expect(page.locator(f"#c{ids[50]}")).to_have_count(0)

    page.locator("nav.pager").first.locator('a[rel="next"]').click()
    expect(_current_page(page)).to_have_text("2")
    page.locator("nav.pager").first.locator('a[rel="prev"]').click()
    expect(page).to_have_url(f"{site.url}/d/{d}?page=1")
    expect(_current_page(page)).to_have_text("1")
    expect(page.locator(f"#c{ids[0]}")).to_be_visible()


def test_permalink_opens_page_three_at_the_comment(open_page, site, long_discussion):
    """A comment's permalink lands on its page (3 of 3), scrolled to and highlighting it."""
    d, ids = long_discussion.id, long_discussion.comment_ids
    target = ids[110]  # the 111th comment: page 3 at 50 a page
    page = open_page()
    page.goto(f"/d/{d}/c/{target}")
    expect(page).to_have_url(f"{site.url}/d/{d}?page=3#c{target}")
    expect(_current_page(page)).to_have_text("3")
    expect(page.locator(f"#c{target}")).to_contain_text("Comment number 111.")
    expect(page.locator(f"#c{target}")).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == f"c{target}"

    other = ids[100]
    page.locator(f"#c{other} a.permalink").click()
    expect(page).to_have_url(f"{site.url}/d/{d}?page=3#c{other}")
    expect(page.locator(f"#c{other}")).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == f"c{other}"
