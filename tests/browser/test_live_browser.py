"""Live updates in a real browser: what another member does shows on an open page without
a reload — comments, replies with their count, likes, deletions, and the header's unread
count."""

from __future__ import annotations

from tests.browser.conftest import expect

MARK = "window.__no_page_load = true"
STILL_MARKED = "window.__no_page_load === true"
LIVE_MS = 10_000  # patience for an update to arrive (a failing test fails, it never hangs)


def two_members_and_a_discussion(site, title):  # type: ignore[no-untyped-def]
    """A hosts a group B has joined, and starts a discussion there: (a, b, discussion id)."""
    a, b = site.member(), site.member()
    return a, b, site.discussion(site.group(a, joined=(b,)), a, title=title)


def test_another_members_comment_reply_and_like_appear_without_a_reload(open_page, site):
    """Page A shows B's new comment, B's reply under A's comment with "1 reply", the like
    count B gives, and A's unread count in the header — all without loading the page."""
    a, b, d = two_members_and_a_discussion(site, "Where do the swifts sleep?")
    [mine] = site.comments(d, a, ["On the wing, I read."])

    page_a = open_page(a)
    page_a.goto(f"/d/{d}")
    page_a.evaluate(MARK)
    expect(page_a.locator("header.site .unread-count")).to_have_count(0)

    page_b = open_page(b)
    page_b.goto(f"/d/{d}")
    page_b.locator("#f-body").fill("They do, for months at a time.")
    page_b.get_by_role("button", name="Comment", exact=True).click()
    expect(page_b.locator(".threads > .thread")).to_have_count(2)

    threads = page_a.locator(".threads > .thread")
    expect(threads).to_have_count(2, timeout=LIVE_MS)
    expect(threads.nth(1).locator(".prose")).to_have_text("They do, for months at a time.")
    expect(threads.nth(1)).to_contain_text(b.display_name)
    expect(page_a.locator("#comments-h .comment-count")).to_have_text("2 comments")
    expect(page_a.locator(f"#d{d} .actions .comment-count")).to_have_text("2 comments")
    # B commented on A's discussion: A has a notification, counted in the header.
    expect(page_a.locator("header.site .unread-count")).to_have_text("1", timeout=LIVE_MS)

    page_b.locator(f"#c{mine}").get_by_role("link", name="Reply").click()
    page_b.locator(f"#rf{mine} textarea").fill("Even asleep.")
    page_b.locator(f"#rf{mine}").get_by_role("button", name="Reply").click()
    expect(page_b.locator(f"#t{mine} .replies .comment")).to_have_count(1)

    reply = page_a.locator(f"#t{mine} .replies .comment")
    expect(reply).to_have_count(1, timeout=LIVE_MS)
    expect(reply.locator(".prose")).to_have_text("Even asleep.")
    expect(page_a.locator(f"#t{mine} .reply-count")).to_have_text("1 reply")
    expect(page_a.locator("header.site .unread-count")).to_have_text("2", timeout=LIVE_MS)

    page_b.locator(f"#c{mine} .like-button").click()
    expect(page_b.locator(f"#c{mine} .like-count")).to_have_text("1")
    expect(page_a.locator(f"#c{mine} .like-count")).to_have_text("1", timeout=LIVE_MS)

    # What arrived live works like the rest of the page: A can like B's reply in place.
    reply.locator(".like-button").click()
    expect(reply.locator(".like-count")).to_have_text("1")

    # B deletes the reply: it leaves A's page, and so does "1 reply".
    page_b.on("dialog", lambda dialog: dialog.accept())
    page_b.locator(f"#t{mine} .replies .comment").get_by_role("button", name="Delete").click()
    expect(reply).to_have_count(0, timeout=LIVE_MS)
    expect(page_a.locator(f"#t{mine} .reply-count")).to_have_count(0)
    expect(page_a.locator(f"#c{mine}")).to_be_visible()
    assert page_a.evaluate(STILL_MARKED), "page A was loaded again"


def test_a_reader_on_an_earlier_page_is_told_of_new_comments(open_page, site):
    """A comment that lands on a later page is not put into the page being read: a notice
    says how many are new and links to the first."""
    a, b, d = two_members_and_a_discussion(site, "A long one")
    site.comments(d, a, [f"Comment {n}." for n in range(1, 51)])

    page_a = open_page(a)
    page_a.goto(f"/d/{d}")
    page_a.evaluate(MARK)
    page_b = open_page(b)
    for body in ("Onto page two.", "And another."):
        page_b.goto(f"/d/{d}")
        page_b.locator("#f-body").fill(body)
        page_b.get_by_role("button", name="Comment", exact=True).click()
        expect(page_b.locator(".comment").filter(has_text=body)).to_have_count(1)
    first = page_b.locator(".threads > .thread").nth(0).get_attribute("id")
    notice = page_a.locator("#live-notice")
    expect(notice).to_have_text("2 new comments. Show", timeout=LIVE_MS)
    expect(page_a.locator(".threads > .thread")).to_have_count(50)
    assert page_a.evaluate(STILL_MARKED), "page A was loaded again"
    notice.get_by_role("link", name="Show").click()
    expect(page_a).to_have_url(f"{site.url}/d/{d}?page=2#c{first[1:]}")


def test_an_edited_comment_changes_on_an_open_page(open_page, site):
    """B edits their comment on its own page; A's open page shows the new text in place."""
    a, b, d = two_members_and_a_discussion(site, "Tides")
    [theirs] = site.comments(d, b, ["The moon does it all."])

    page_a = open_page(a)
    page_a.goto(f"/d/{d}")
    page_a.evaluate(MARK)
    page_b = open_page(b)
    page_b.goto(f"/c/{theirs}/edit")
    page_b.locator("textarea").fill("The moon does most of it; the sun helps.")
    page_b.get_by_role("button", name="Save").click()
    expect(page_b.locator(f"#c{theirs} .prose")).to_have_text(
        "The moon does most of it; the sun helps."
    )

    prose = page_a.locator(f"#c{theirs} .prose")
    expect(prose).to_have_text("The moon does most of it; the sun helps.", timeout=LIVE_MS)
    expect(page_a.locator(f"#c{theirs}")).to_contain_text("edited")
    assert page_a.evaluate(STILL_MARKED), "page A was loaded again"


def test_a_discussion_locked_while_open_says_so_and_offers_a_reload(open_page, site):
    """The host locks the discussion B is reading: B's page says it is locked, and the
    reload it offers shows the page without a comment form."""
    a, b, d = two_members_and_a_discussion(site, "Last call for the ferry timetable")

    page_b = open_page(b)
    page_b.goto(f"/d/{d}")
    page_b.evaluate(MARK)
    expect(page_b.locator("#f-body")).to_have_count(1)
    page_a = open_page(a)
    page_a.goto(f"/d/{d}")
    page_a.get_by_role("button", name="Lock", exact=True).click()
    expect(page_a.locator(".tag", has_text="Locked")).to_have_count(1)

    notice = page_b.locator("#live-notice")
    expect(notice).to_contain_text("now locked", timeout=LIVE_MS)
    assert page_b.evaluate(STILL_MARKED), "page B was loaded again"
    notice.get_by_role("link", name="Reload").click()
    expect(page_b.locator(".tag", has_text="Locked")).to_have_count(1)
    expect(page_b.locator("#f-body")).to_have_count(0)


def test_a_page_that_already_shows_a_change_is_not_told_of_it(open_page, site):
    """The host locks and opens the discussion again; B's page is rendered after both, but
    its stream starts from before them (as a page rendered just after a change can): the
    two events replay, and the page, which shows the discussion as it is, says nothing.
    A change it does not show yet is still announced."""
    a, b, d = two_members_and_a_discussion(site, "Ferry fares")
    page_a = open_page(a)
    page_a.goto(f"/d/{d}")
    page_a.get_by_role("button", name="Lock", exact=True).click()
    page_a.get_by_role("button", name="Unlock", exact=True).click()
    expect(page_a.get_by_role("button", name="Lock", exact=True)).to_have_count(1)

    page_b = open_page(b)
    page_b.goto(f"/d/{d}")
    page_b.evaluate(MARK)
    # The stream again, from the start of what the channel keeps.
    page_b.evaluate(
        """() => {
            const holder = document.querySelector("[data-live]");
            holder.setAttribute("data-live", holder.getAttribute("data-live").replace(/after=[^&]*/, "after=0-0"));
            document.dispatchEvent(new Event("htmx:afterSettle"));
        }"""
    )
    page_b.wait_for_timeout(1500)
    expect(page_b.locator("#live-notice")).to_be_hidden()

    page_a.get_by_role("button", name="Lock", exact=True).click()
    expect(page_b.locator("#live-notice")).to_contain_text("now locked", timeout=LIVE_MS)
    assert page_b.evaluate(STILL_MARKED), "page B was loaded again"
