"""Everything still works with JavaScript off: plain forms and the no-JS reply page."""

from __future__ import annotations

import re

from tests.browser.conftest import expect


def test_comment_reply_and_like_work_without_javascript(open_page, site):
    """With JavaScript off a member comments, replies via /c/<id>/reply and likes, by page loads."""
    author, member = site.member(), site.member()
    slug = site.group(author, joined=(member,))
    d = site.discussion(slug, author, title="Plain HTML still works")
    page = open_page(member, js=False)

    page.goto(f"/d/{d}")
    page.fill("#comment-form textarea", "Posted without a script.")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/d/{d}\?page=1#c\d+$"))
    cid = int(page.url.rsplit("#c", 1)[1])
    expect(page.locator(f"#c{cid} .prose")).to_have_text("Posted without a script.")

    page.locator(f"#c{cid}").get_by_role("link", name="Reply").click()
    expect(page).to_have_url(f"{site.url}/c/{cid}/reply")
    expect(page.locator("h1")).to_contain_text("Reply to")
    expect(page.locator("blockquote.quoted")).to_contain_text("Posted without a script.")
    page.locator("form.reply-form textarea").fill("Replied without a script.")
    page.locator("form.reply-form").get_by_role("button", name="Reply").click()
    expect(page).to_have_url(re.compile(rf"/d/{d}\?page=1#c\d+$"))
    expect(page.locator(f"#t{cid} .replies .prose")).to_have_text("Replied without a script.")
    expect(page.locator(f"#t{cid} .reply-count")).to_have_text("1 reply")

    page.locator(f"#c{cid} .like-button").click()
    expect(page).to_have_url(f"{site.url}/d/{d}?page=1#c{cid}")
    expect(page.locator(f"#c{cid} .like-count")).to_have_text("1")
    expect(page.locator(f"#c{cid} .like-button")).to_have_attribute("aria-pressed", "true")


def test_empty_reply_without_javascript_shows_the_error_on_the_reply_page(open_page, site):
    """With JavaScript off an empty reply comes back on the reply page with the message."""
    author, member = site.member(), site.member()
    slug = site.group(author, joined=(member,))
    d = site.discussion(slug, author)
    [cid] = site.comments(d, author, ["Say something."])
    page = open_page(member, js=False)
    page.goto(f"/c/{cid}/reply")
    page.locator("form.reply-form").get_by_role("button", name="Reply").click()
    expect(page.locator("form.reply-form .error")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Reply to")


def test_pager_and_permalink_work_without_javascript(open_page, site, long_discussion):
    """With JavaScript off the pager links and a permalink to page 3 are plain page loads."""
    d, ids = long_discussion.id, long_discussion.comment_ids
    page = open_page(js=False)
    page.goto(f"/d/{d}")
    page.locator("nav.pager").first.get_by_role("link", name="2", exact=True).click()
    expect(page).to_have_url(f"{site.url}/d/{d}?page=2")
    expect(page.locator("nav.pager").first.locator('[aria-current="page"]')).to_have_text("2")
    page.goto(f"/d/{d}/c/{ids[119]}")
    expect(page).to_have_url(f"{site.url}/d/{d}?page=3#c{ids[119]}")
    expect(page.locator(f"#c{ids[119]}")).to_contain_text("Comment number 120.")
