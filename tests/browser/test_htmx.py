"""What htmx does in place, without a page load: inline replies and the like toggle."""

from __future__ import annotations

from tests.browser.conftest import expect

MARK = "window.__no_page_load = true"
STILL_MARKED = "window.__no_page_load === true"


def _discussion_with_a_comment(site):
    """An author's discussion with one comment, and another member of the group to act."""
    author, actor = site.member(), site.member()
    slug = site.group(author, joined=(actor,))
    d = site.discussion(slug, author, title="Tides and the moon")
    [cid] = site.comments(d, author, ["The moon does most of the work."])
    return d, cid, actor


def test_inline_reply_appears_under_its_comment_without_a_page_load(open_page, site):
    """Reply opens a form in place, focused; sending it shows the reply and "1 reply" in place."""
    d, cid, actor = _discussion_with_a_comment(site)
    page = open_page(actor)
    page.goto(f"/d/{d}")
    page.evaluate(MARK)

    page.locator(f"#c{cid}").get_by_role("link", name="Reply").click()
    textarea = page.locator(f"#rf{cid} textarea")
    expect(textarea).to_be_visible()
    expect(textarea).to_be_focused()
    expect(page).to_have_url(f"{site.url}/d/{d}")

    textarea.fill("And the sun a little.")
    page.locator(f"#rf{cid}").get_by_role("button", name="Reply").click()
    reply = page.locator(f"#t{cid} .replies .comment")
    expect(reply).to_have_count(1)
    expect(reply.locator(".prose")).to_have_text("And the sun a little.")
    expect(page.locator(f"#t{cid} .reply-count")).to_have_text("1 reply")
    expect(page.locator(f"#rf{cid} textarea")).to_have_count(0)
    expect(reply).to_be_focused()
    assert page.evaluate(STILL_MARKED), "the page was loaded again"
    expect(page).to_have_url(f"{site.url}/d/{d}")

    page.reload()
    expect(page.locator(f"#t{cid} .replies .prose")).to_have_text("And the sun a little.")


# Holds every XHR answer until the page sets window.__release: the live stream then puts the
# reply on the page before htmx swaps in its own copy of it.
HOLD_ANSWERS = """
(() => {
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    const onload = this.onload, xhr = this;
    if (onload) this.onload = function (e) {
      const wait = () => window.__release ? onload.call(xhr, e) : setTimeout(wait, 20);
      wait();
    };
    return send.call(this, body);
  };
})();
"""


def test_inline_reply_is_focused_when_the_live_stream_placed_it_first(open_page, site):
    """The reply is focused even when its live copy reached the page before htmx's answer."""
    d, cid, actor = _discussion_with_a_comment(site)
    page = open_page(actor)
    page.goto(f"/d/{d}")
    page.locator(f"#c{cid}").get_by_role("link", name="Reply").click()
    page.locator(f"#rf{cid} textarea").fill("Placed twice, shown once.")
    page.evaluate(HOLD_ANSWERS)
    page.locator(f"#rf{cid}").get_by_role("button", name="Reply").click()

    reply = page.locator(f"#t{cid} .replies .comment")
    expect(reply.locator(".prose")).to_have_text("Placed twice, shown once.")  # from the stream
    page.evaluate("window.__release = true")
    expect(page.locator(f"#rf{cid} textarea")).to_have_count(0)
    expect(reply).to_have_count(1)
    expect(reply).to_be_focused()


def test_empty_inline_reply_shows_its_error_in_place(open_page, site):
    """Sending an empty inline reply keeps the form in place with the message at the field."""
    d, cid, actor = _discussion_with_a_comment(site)
    page = open_page(actor)
    page.goto(f"/d/{d}")
    page.evaluate(MARK)
    page.locator(f"#c{cid}").get_by_role("link", name="Reply").click()
    page.locator(f"#rf{cid}").get_by_role("button", name="Reply").click()

    expect(page.locator(f"#rf{cid} .error")).to_be_visible()
    expect(page.locator(f"#rf{cid} textarea")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#t{cid} .replies")).to_have_count(0)
    assert page.evaluate(STILL_MARKED), "the page was loaded again"

    page.locator(f"#rf{cid} textarea").fill("Second try.")
    page.locator(f"#rf{cid}").get_by_role("button", name="Reply").click()
    expect(page.locator(f"#t{cid} .replies .prose")).to_have_text("Second try.")


def test_open_reply_form_keeps_ids_unique_and_labels_right(open_page, site):
    """With an inline reply form open, ids stay unique and each textarea keeps its own label."""
    d, cid, actor = _discussion_with_a_comment(site)
    page = open_page(actor)
    page.goto(f"/d/{d}")
    page.locator(f"#c{cid}").get_by_role("link", name="Reply").click()
    expect(page.locator(f"#rf{cid} textarea")).to_be_visible()

    duplicates = page.evaluate(
        """() => {
            const seen = {};
            for (const el of document.querySelectorAll("[id]")) seen[el.id] = (seen[el.id] || 0) + 1;
            return Object.keys(seen).filter((id) => seen[id] > 1);
        }"""
    )
    assert duplicates == []
    expect(page.get_by_label("Add a comment")).to_have_count(1)
    assert page.get_by_label("Add a comment").evaluate("el => el.closest('form').id") == (
        "comment-form"
    )


def test_like_toggles_in_place(open_page, site):
    """Like turns the count 0 -> 1 -> 0 and flips aria-pressed, without loading the page."""
    d, cid, actor = _discussion_with_a_comment(site)
    page = open_page(actor)
    page.goto(f"/d/{d}")
    page.evaluate(MARK)
    button = page.locator(f"#c{cid} form.like .like-button")
    count = page.locator(f"#c{cid} form.like .like-count")
    expect(count).to_have_text("0")
    expect(button).to_have_attribute("aria-pressed", "false")

    button.click()
    expect(count).to_have_text("1")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_contain_text("Liked")

    button.click()
    expect(count).to_have_text("0")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_contain_text("Like")
    assert page.evaluate(STILL_MARKED), "the page was loaded again"

    button.click()
    expect(count).to_have_text("1")
    page.reload()
    expect(count).to_have_text("1")
    expect(button).to_have_attribute("aria-pressed", "true")


def test_discussion_page_logs_no_errors(open_page, site):
    """Loading a discussion, opening a reply and liking log no console or CSP errors."""
    d, cid, actor = _discussion_with_a_comment(site)
    page = open_page(actor)
    page.goto(f"/d/{d}")
    page.locator(f"#c{cid}").get_by_role("link", name="Reply").click()
    expect(page.locator(f"#rf{cid} textarea")).to_be_visible()
    page.locator(f"#c{cid} .like-button").click()
    expect(page.locator(f"#c{cid} .like-count")).to_have_text("1")
    assert open_page.errors == []


def test_a_busy_server_is_said_in_place_and_nothing_is_lost(open_page, site):
    """An htmx post answered 503 swaps nothing; the page says to try again, and the next
    try that goes through clears the message."""
    d, cid, actor = _discussion_with_a_comment(site)
    page = open_page(actor)
    page.goto(f"/d/{d}")
    busy = {"on": True}

    def answer(route):  # the real server, unless the test says it is busy
        if busy["on"]:
            route.fulfill(status=503, headers={"Retry-After": "5"}, body="busy")
        else:
            route.continue_()

    page.route(f"**/c/{cid}/like", answer)
    button = page.locator(f"#c{cid} form.like .like-button")
    button.click()
    error = page.locator(f"#c{cid} .htmx-error")
    expect(error).to_have_text("That did not go through. Nothing was lost; try again in 5 seconds.")
    expect(page.locator(f"#c{cid} form.like .like-count")).to_have_text("0")
    busy["on"] = False
    button.click()
    expect(page.locator(f"#c{cid} form.like .like-count")).to_have_text("1")
    expect(page.locator(f"#c{cid} .htmx-error")).to_have_count(0)
