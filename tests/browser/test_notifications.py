"""Notifications in a real browser: the unread count in the header, the notifications page,
and following a notification to the exact reply on a later page."""

from __future__ import annotations

from tests.browser.conftest import expect
from townsquare.domain import accounts, notifications

NARROW = 360
TITLE = "Where should the number 7 bus go next?"
# The header link's word and its count: the word's top, bottom and right, the count's top,
# bottom and left.
BOXES = """a => {
  const range = document.createRange();
  range.selectNodeContents(a.firstChild);
  const w = range.getBoundingClientRect();
  const c = a.querySelector(".unread-count").getBoundingClientRect();
  return [w.top, w.bottom, w.right, c.top, c.bottom, c.left];
}"""
# What tells an unread row from a read one: its accent bar and the colour of its text.
ROW_LOOK = "r => [getComputedStyle(r).boxShadow, getComputedStyle(r.querySelector('a')).color]"


def _header_count(page):
    return page.locator("header.site .unread-count")


def test_reply_notification_leads_to_the_reply_on_page_two(open_page, site):
    """A reply to a member's comment on page 2 shows in the header count after a page load;
    its notification opens page 2 scrolled to the reply, and the count is gone."""
    author, member, replier = site.member(), site.member(), site.member()
    slug = site.group(author, joined=(member, replier))
    d = site.discussion(slug, author, title=TITLE)
    site.comments(d, author, [f"Stop number {n}." for n in range(1, 55)])
    (mine,) = site.comments(d, member, ["Comment number 55: past the library, please."])
    site.comments(d, author, [f"Stop number {n}." for n in range(56, 63)])

    page = open_page(member)
    page.goto("/")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    expect(_header_count(page)).to_have_count(0)

    (reply,) = site.comments(d, replier, ["Yes, and later on Sundays."], parent_id=mine)
    page.reload()
    expect(_header_count(page)).to_have_text("1")
    page.get_by_role("link", name="Notifications: 1 unread").click()

    expect(page).to_have_url(f"{site.url}/notifications")
    unread = page.locator(".notifications .notification.unread")
    expect(unread).to_have_count(1)
    expect(unread).to_contain_text(f"{replier.display_name} replied to your comment in “{TITLE}”")
    unread.get_by_role("link").click()

    expect(page).to_have_url(f"{site.url}/d/{d}?page=2#c{reply}")
    expect(page.locator(f"#c{reply}")).to_contain_text("Yes, and later on Sundays.")
    expect(page.locator(f"#c{reply}")).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == f"c{reply}"
    expect(_header_count(page)).to_have_count(0)
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()

    page.goto("/notifications")
    expect(page.locator(".notifications .notification")).to_have_count(1)
    expect(page.locator(".notifications .notification.unread")).to_have_count(0)


def test_notifications_fit_a_360_px_screen(open_page, site):
    """At 360 px the count sits beside its link, unread and read rows look different, and the
    page does not scroll sideways."""
    author, member = site.member(), site.member()
    slug = site.group(author, joined=(member,))
    title = "A rather long title about the " + "Lindenfield " * 6 + "market"
    d = site.discussion(slug, member, title=title)
    site.comments(d, author, ["First.", "Second."])

    async def read_oldest(db):
        viewer = await accounts.member_by_name(db, member.name)
        items, _ = await notifications.notifications_page(db, viewer)
        await notifications.open_notification(db, viewer, items[-1].id)

    site.run(read_oldest)
    page = open_page(member, width=NARROW, height=720)
    page.goto("/notifications")

    link = page.locator("header.site .notifications-link")
    expect(link).to_have_attribute("aria-label", "Notifications: 1 unread")
    word_top, word_bottom, word_right, top, bottom, left = link.evaluate(BOXES)
    assert top < word_bottom and word_top < bottom, "the count is on the word's line"
    assert left >= word_right, "the count comes after the word"

    unread = page.locator(".notifications .notification.unread")
    read = page.locator(".notifications .notification:not(.unread)")
    expect(unread).to_have_count(1)
    expect(read).to_have_count(1)
    assert unread.evaluate(ROW_LOOK) != read.evaluate(ROW_LOOK)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW
