"""Feed rows kept per worker (web/fragments.py, KeptRows): reused while everything the row
prints is the same, rendered again when any of it changes, checked in verify mode."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from markupsafe import Markup

from townsquare.web.fragments import Fragments, KeptRows, _cost
from townsquare.web.pagecache import StaleEntry


def discussion(**changed):  # type: ignore[no-untyped-def]
    when = datetime(2026, 11, 2, tzinfo=UTC)
    values = dict(id=7, title="Swifts", link_url=None, created_at=when, promoted=False,
                  comment_count=3, like_count=1, last_activity_at=when, unread=False,
                  author=SimpleNamespace(name="ann", display_name="Ann", level=2), link=None,
                  group=SimpleNamespace(slug="birds", name="Birds"))  # fmt: skip
    values.update(changed)
    return SimpleNamespace(**values)


def counting_macro():  # type: ignore[no-untyped-def]
    def macro(d, show_group=True):  # type: ignore[no-untyped-def]
        macro.calls += 1
        group = f" in {d.group.name}" if show_group else ""
        return f"<li>{d.title}{group}: {d.comment_count}{' new' if d.unread else ''}</li>"

    macro.calls = 0
    return macro


def test_a_row_is_rendered_once_and_again_whenever_something_it_prints_changes():
    macro = counting_macro()
    rows = KeptRows(Fragments(1 << 20), macro)
    assert rows(discussion()) == Markup("<li>Swifts in Birds: 3</li>")
    assert rows(discussion()) == Markup("<li>Swifts in Birds: 3</li>") and macro.calls == 1
    assert rows(discussion(unread=True)) == Markup("<li>Swifts in Birds: 3 new</li>")
    assert rows(discussion(comment_count=4)) == Markup("<li>Swifts in Birds: 4</li>")
    assert rows(discussion(), show_group=False) == Markup("<li>Swifts: 3</li>")
    renamed = discussion(author=SimpleNamespace(name="ann", display_name="Ann", level=3))
    rows(renamed)
    assert macro.calls == 5


def test_verify_mode_catches_a_row_whose_key_missed_what_it_prints():
    """The row prints the group's name; were the key to leave it out, verify mode fails."""
    macro = counting_macro()
    rows = KeptRows(Fragments(1 << 20, verify=True), macro)
    rows(discussion())
    rows.key = lambda d, show_group: ("row", d.id)  # type: ignore[method-assign]
    rows(discussion())  # the same key, the same row: verified, no error
    with pytest.raises(StaleEntry):
        rows(discussion(group=SimpleNamespace(slug="birds", name="Birds of Europe")))


def test_keeping_a_key_again_counts_only_the_new_entry():
    """Kept members' sessions and standing are kept again under the same key whenever they
    are read again; the store's count of its bytes must not grow with each of those."""
    store = Fragments(8 * 1024)
    store.put(("page",), Markup("p" * 500))
    for n in range(1000):
        store.put(("who", "ann"), Markup("w" * (100 + n % 7)))
    assert store.size == _cost(Markup("p" * 500)) + _cost(store.kept[("who", "ann")])
    assert store.get(("page",)) is not None  # nothing was pushed out by phantom bytes


def test_the_store_counts_what_a_thread_really_holds():
    """A thread with one character outside Latin-1 holds two bytes for every character,
    and every entry costs its key's slot: the budget counts both, so a store of such
    threads keeps half as many of them, not as many as if each character were a byte."""
    plain, euro = Markup("a" * 1000), Markup("€" + "a" * 999)
    assert _cost(euro) - _cost(plain) >= 990
    store = Fragments(100 * 1024)
    for n in range(400):
        store.put(("thread", n), euro)
    assert store.size <= 100 * 1024
    assert 40 <= len(store.kept) <= 50  # about 2.2 KB each, not about 1 KB


def test_an_entry_is_taken_off_at_the_cost_it_was_kept_at():
    """What an entry counted when it was kept is what comes off when it goes, even if its
    size would be reckoned differently by then: the count neither drifts nor goes below 0."""

    class Growing:
        def __init__(self) -> None:
            self.n = 100

        def __len__(self) -> int:
            return self.n

    store = Fragments(2000)
    first = Growing()
    store.put(("a",), first)  # type: ignore[arg-type]
    first.n = 5000  # reckoned bigger now
    store.put(("a",), Growing())  # type: ignore[arg-type]
    for n in range(20):
        store.put(("b", n), Growing())  # type: ignore[arg-type]
    assert 0 <= store.size <= 2000
    assert store.size == sum(_cost(v) for v in store.kept.values())
