"""Rendered comment threads, kept per worker and reused across viewers of a discussion page.

A discussion page is mostly its threads, and most members see a thread exactly as every
other member does: the same names, levels, text, counts and buttons, with their own CSRF
token (a placeholder here, filled in once for the whole page). What differs is whether
they liked an item, whether they may reply, and whether they mask profanity, so those
are part of the key. A thread is rendered afresh, never kept, when the viewer wrote part
of it, blocked one of its authors, or moderates (their buttons differ).

The key also holds the page-cache version counters of the discussion ("d:<id>") and the
site, read before the page's rows: any committed write that can change a thread bumps
one of them (``townsquare/db/changes.py``), so a kept thread is never older than the
last write. With ``page_cache_verify`` each reused thread is rendered again and compared.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup

from townsquare.db.models import Member, Membership
from townsquare.domain.discussions import Thread
from townsquare.web.pagecache import StaleEntry

PRIVILEGED_SITE_ROLES = {"admin", "moderator"}
PRIVILEGED_GROUP_ROLES = {"host", "moderator"}


class Fragments:
    """The kept threads of one worker, least recently used first, within a byte budget."""

    def __init__(self, budget_bytes: int, verify: bool = False) -> None:
        self.budget = budget_bytes
        self.verify = verify
        self.kept: OrderedDict[tuple[Any, ...], Markup] = OrderedDict()
        self.costs: dict[tuple[Any, ...], int] = {}  # as counted when kept
        self.size = 0

    def get(self, key: tuple[Any, ...]) -> Markup | None:
        found = self.kept.get(key)
        if found is not None:
            self.kept.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], html: Markup) -> None:
        cost = _cost(html)
        if self.budget <= 0 or cost > self.budget // 8:
            return
        if self.kept.pop(key, None) is not None:  # a key kept again: count only the new entry
            self.size -= self.costs[key]
        self.kept[key] = html
        self.costs[key] = cost
        self.size += cost
        while self.size > self.budget:
            gone, _ = self.kept.popitem(last=False)
            self.size -= self.costs.pop(gone)


# An entry's key (a tuple of versions and ids) and its slot in the dictionary, about.
_SLOT = 160


def _cost(value: Any) -> int:
    """The bytes an entry holds: a string's own size (one character outside Latin-1 makes
    every character of it two or four bytes), else what the value says of itself."""
    return (sys.getsizeof(value) if isinstance(value, str) else len(value)) + _SLOT


class PageThreads:
    """What one page render uses: ``thread(t, d, v)`` from the store when it can."""

    def __init__(self, store: Fragments, macro: Any, versions: tuple[int, ...],
                 viewer: Member | None, membership: Membership | None) -> None:  # fmt: skip
        self.store = store
        self.macro = macro
        self.versions = versions
        self.viewer = viewer
        privileged = viewer is not None and (
            viewer.role in PRIVILEGED_SITE_ROLES
            or (membership is not None and membership.role in PRIVILEGED_GROUP_ROLES)
        )
        self.usable = not privileged
        self.kept = False  # rendering a page to keep (web/keptpages.py): like buttons are slots

    def thread(self, t: Thread, d: Any, v: dict[str, Any]) -> Markup:
        key = self._key(t, v)
        if key is None:
            return self.macro(t, d, v)
        found = self.store.get(key)
        if found is not None:
            if self.store.verify and self.macro(t, d, v) != found:
                raise StaleEntry(f"the kept thread {t.comment.id} is out of date")
            return found
        html = self.macro(t, d, v)
        self.store.put(key, html)
        return html

    def _key(self, t: Thread, v: dict[str, Any]) -> tuple[Any, ...] | None:
        if not self.usable or v.get("new") is not None:
            return None
        items = [t.comment, *t.replies]
        viewer = self.viewer
        if viewer is None:
            return (self.versions, t.comment.id, "visitor")
        blocked = v.get("blocked") or ()
        if any(c.author_id == viewer.id or c.author_id in blocked for c in items):
            return None
        liked = v["liked"]
        mine = tuple(c.id for c in items if ("comment", c.id) in liked)
        return (self.versions, t.comment.id, "member", mine, bool(v["can_reply"]),
                viewer.mask_profanity, viewer.state, self.kept)  # fmt: skip


class KeptRows:
    """A discussion's row in the feeds (home, groups), kept per worker and keyed by
    everything the row prints: a member's home page lists some thirty rows, and rendering
    each was most of the page's template work. ``d.unread`` (per member) is part of the key.
    With ``page_cache_verify`` every reused row is rendered again and compared, so a value
    the row starts to print without joining the key fails the suite."""

    def __init__(self, store: Fragments, macro: Any) -> None:
        self.store = store
        self.macro = macro

    @staticmethod
    def key(d: Any, show_group: bool) -> tuple[Any, ...]:
        author, link, group = d.author, d.link, d.group if show_group else None
        return ("row", d.id, d.title, d.link_url, d.created_at, d.promoted, d.comment_count,
                d.like_count, d.last_activity_at, getattr(d, "unread", False),
                author.name, author.display_name, author.level,
                link and (link.status, link.image, link.site_name, link.url, link.lead),
                group and (group.slug, group.name),
                datetime.now(UTC).year)  # fmt: skip  # short dates name the year only if past

    def __call__(self, d: Any, show_group: bool = True) -> Markup:
        key = self.key(d, show_group)
        kept = self.store.get(key)
        if kept is not None and not self.store.verify:
            return kept
        fresh = Markup(self.macro(d, show_group=show_group))
        if kept is not None and kept != fresh:
            raise StaleEntry(f"the kept row of discussion {d.id} is out of date: {kept!r}")
        self.store.put(key, fresh)
        return fresh
