"""Discussion pages for logged-in members, kept rendered and shared between them.

Visitors get whole pages from the page cache (``pagecache.py``). A member's page differs
from another member's in a few known places: the header (their name, level and unread
count), the like buttons they pressed, the "Also discussed in" list (it includes private
groups they belong to), and their form token. Everything else depends only on what the
member may do there, their *shape*: site role and account state, membership in the
group, whether they mask profanity. So a page is rendered once per shape with *slots*
where the personal parts go (``slot()``), cut at the slots, and kept; each member's
request fills the slots: their header, the liked or unliked variant of each like button,
their list, their token. A hit costs one statement for the member's standing on the page
(membership, likes, blocks, whether the visit needs writing, unread notifications:
``discussions.standing``), the list's query when the discussion has an article, and no
template beyond the header.
The page cache asks for hits before routing (``answer_before_routing``), so a hit costs
no FastAPI routing or dependency solving either.

A member's next hits skip the database as well: their session's row (``Who``) and their
standing on the page with their "also discussed" list (``Mine``) are kept beside the page,
under the version counters read before those rows: "site", the discussion's, "members"
and the member's own "m:<id>", which every write to their row, sessions, memberships,
likes, blocks and notifications bumps (``db/changes.py``), and "home" when the
list shows other discussions' counts. A session's end is checked against the clock on
every hit. Verify mode reads all of it again and compares.

Not shared, rendered as before: the discussion's author and anyone who wrote on the page
(their edit links, their pending posts), moderators and hosts (their tools), a member
who blocked someone on the page, discussions that are not live or not in a public group.

Entries are keyed, like kept threads, by the version counters "site" and "d:<id>" read
before the rows, and expire after ``page_cache_seconds``. With ``page_cache_verify``
every page a member gets from a kept copy, the first included, is also rendered the
ordinary way and compared.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Receive, Scope

from townsquare.db.changes import HOME, MEMBERS, SITE, discussion_key, member_key
from townsquare.db.models import Discussion, Group, Member, utcnow
from townsquare.domain import accounts, discussions, feeds, links, notifications
from townsquare.domain.discussions import Standing
from townsquare.web.errors import transient
from townsquare.web.fragments import PRIVILEGED_GROUP_ROLES, PRIVILEGED_SITE_ROLES, Fragments
from townsquare.web.pagecache import PLACEHOLDER, StaleEntry
from townsquare.web.pages import page_number
from townsquare.web.security import SESSION_COOKIE, csrf_token

# The discussion page's path, as its route reads it (an id SQLite's integers can hold).
DISCUSSION_PATH = re.compile(r"/d/([0-9]{1,18})")

# Open and close a slot, and separate its name from its variants. Random per process, so
# nothing a member writes can pose as one.
SLOT = secrets.token_hex(12)
SEP = secrets.token_hex(12)
KIND = {"discussion": "d", "comment": "c"}


def slot(name: str, *variants: str) -> Markup:
    """In a kept rendering, a place filled per member: by name, or by choosing a variant."""
    return Markup(SLOT + SEP.join((name, *variants)) + SLOT)


def is_kept(request: Request) -> bool:
    return getattr(request.state, "kept", False)


@dataclass
class Meta:
    """What a request needs before it can pick its shape's page."""

    born: float
    discussion: Discussion  # loaded with the page, read only
    group: Group
    authors: frozenset[int]  # everyone who wrote something on the page, shown or not

    def __len__(self) -> int:
        return 64 + 8 * len(self.authors)


@dataclass
class Who:
    """A session's member as read from the database, kept for that session's next hits."""

    born: float
    member: Member  # loaded with the session, read only
    expires: datetime | None  # the session's end
    versions: tuple[int, ...] | None  # "site", "members", "m:<id>" before the row; None: not read
    csrf: str  # the session's form token

    def __len__(self) -> int:  # measured with tracemalloc: the member's copy, about 1.3 KB
        return 2048


@dataclass
class Mine:
    """A member's standing on one page of a discussion and their "also discussed" list,
    kept likewise, with the header and list as filled for them."""

    born: float
    versions: tuple[int, ...]  # see ``_mine_versions``
    standing: Standing
    also: list[Discussion]  # loaded with their groups, read only
    fills: dict[str, str] = dataclasses.field(default_factory=dict)  # "nav", "also": as filled

    def __len__(self) -> int:  # with the header filled in; a listed discussion, about 5 KB
        return 2048 + 64 * len(self.standing.liked) + 6144 * len(self.also)


def _mine_versions(known: tuple[int, ...], d: Discussion) -> tuple[int, ...]:
    """What a member's standing and list on ``d`` depend on, from ``known`` ("site", "d:<id>",
    "members", "m:<id>", "home"): "home" only if the list is there, as it shows comment
    counts of other discussions, which a comment anywhere changes."""
    return known if d.link_id is not None else known[:4]


_MEMBER_COLUMNS = tuple(c.key for c in Member.__table__.columns)


def _columns(member: Member) -> tuple[Any, ...]:
    return tuple(getattr(member, key) for key in _MEMBER_COLUMNS)


def _unbound(member: Member) -> Member:
    """A copy of the member's row that no session holds, so no rollback can expire it."""
    return Member(**dict(zip(_MEMBER_COLUMNS, _columns(member), strict=True)))


# Text of a kept page, encoded once and cut at each form token: (b"…", b"…") is
# b"…" + token + b"…".
Pieces = tuple[bytes, ...]


def pieces(text: str) -> Pieces:
    return tuple(p.encode() for p in text.split(PLACEHOLDER))


@dataclass
class Kept:
    """A page laid out once as a list of bytes for a member who pressed no button, with
    empty places for their token and named slots; a hit copies the list, fills those
    places, swaps in the pressed buttons, and joins it, with no Python loop over the page."""

    born: float
    flat: list[bytes]
    tokens: list[int]  # where the member's form token goes
    named: dict[str, list[int]]  # where "nav" and "also" go
    likes: dict[str, list[tuple[int, int, Pieces]]]  # a button's place and its pressed look
    digest: bytes  # names the layout: with what fills it, a hit's ETag

    def __len__(self) -> int:
        pressed = sum(len(b) for spans in self.likes.values() for *_, v in spans for b in v)
        return sum(map(len, self.flat)) + pressed + 8 * len(self.tokens)


def cut(html: str) -> Kept:
    flat: list[bytes] = []
    tokens: list[int] = []
    named: dict[str, list[int]] = {}
    likes: dict[str, list[tuple[int, int, Pieces]]] = {}

    def lay(text: Pieces) -> None:
        flat.append(text[0])
        for rest in text[1:]:
            tokens.append(len(flat))
            flat.extend((b"", rest))

    for i, text in enumerate(html.split(SLOT)):
        if i % 2 == 0:
            lay(pieces(text))
            continue
        name, *variants = text.split(SEP)
        if not variants:
            named.setdefault(name, []).append(len(flat))
            flat.append(b"")
        else:  # a like button: unpressed, pressed
            start = len(flat)
            lay(pieces(variants[0]))
            likes.setdefault(name, []).append((start, len(flat), pieces(variants[1])))
    # Once per kept copy, from the layout rather than the markers (random per process), so
    # every worker names the same page alike; every count and length is written.
    digest = hashlib.sha1(b"%d|%r|%r|" % (len(flat), tokens, sorted(named.items())),
                          usedforsecurity=False)  # fmt: skip
    for b in flat:
        digest.update(b"%d:" % len(b))
        digest.update(b)
    for name, spans in sorted(likes.items()):
        for start, end, pressed in spans:
            digest.update(b"%s|%d|%d|%d|" % (name.encode(), start, end, len(pressed)))
            for b in pressed:
                digest.update(b"%d:" % len(b))
                digest.update(b)
    return Kept(time.monotonic(), flat, tokens, named, likes, digest.digest())


class KeptPages:
    def __init__(self, store: Fragments, seconds: int) -> None:
        self.store = store
        self.seconds = seconds

    @staticmethod
    def shape(viewer: Member, membership: tuple[str, str] | None, d: Discussion,
              authors: frozenset[int]) -> tuple[Any, ...] | None:  # fmt: skip
        """What this member's page depends on besides its slots; None if it is their own.
        ``membership``: their role and state in the group."""
        if viewer.role in PRIVILEGED_SITE_ROLES or viewer.id == d.author_id or viewer.id in authors:
            return None
        if membership is not None and membership[0] in PRIVILEGED_GROUP_ROLES:
            return None
        return (viewer.role, viewer.state, viewer.mask_profanity, membership)

    async def answer(self, request: Request, db: AsyncSession, viewer: Member,
                     discussion_id: int, page: int,
                     known: tuple[int, ...] | None = None) -> HTMLResponse | None:  # fmt: skip
        """This member's page from a kept copy, or None when there is none to use.
        ``known``: the versions read before the member's session was, if they were; their
        standing is then kept (``Mine``) for their next hits."""
        if self.store.budget <= 0:
            return None
        versions = await request.app.state.page_versions.read((SITE, discussion_key(discussion_id)))
        meta = self.store.get(("meta", versions, discussion_id, page))
        if not isinstance(meta, Meta) or time.monotonic() - meta.born > self.seconds:
            return None
        d = meta.discussion
        per_page = request.app.state.settings.comments_per_page
        mine = await discussions.standing(db, viewer, d, page, per_page)
        request.state.unread_count = mine.unread  # the route counts it in a dependency
        shape = self.shape(viewer, mine.membership, d, meta.authors)
        kept = shape and self.store.get(("page", versions, discussion_id, page, shape))
        if not isinstance(kept, Kept) or time.monotonic() - kept.born > self.seconds:
            return None
        if mine.blocks_an_author:
            return None
        if mine.visit_due:
            await feeds.record_visit(db, viewer, d)
        also = await links.also_discussed(db, viewer, d)  # after: a rollback there expires rows
        if known is not None and known[:2] == versions:
            done = dataclasses.replace(mine, visit_due=False)
            kept_mine = Mine(time.monotonic(), _mine_versions(known, d), done, also)
            self.store.put(("mine", viewer.id, discussion_id, page), kept_mine)  # type: ignore[arg-type]
        response = self.fill(request, kept, mine.liked, also)
        if self.store.verify:
            await self._check(request, db, viewer, discussion_id, page, response.body.decode())
        response.headers["x-cache"] = "hit"
        return response

    async def answer_before_routing(self, scope: Scope, receive: Receive) -> HTMLResponse | None:
        """``answer`` for ``GET /d/<id>`` with a session cookie, called by the page cache
        before routing: FastAPI's routing and dependency solving cost a hit more than its
        reads did. A member seen before, whose versions have held since, is answered from
        what was kept (``Who``, ``Mine``) without the database; otherwise the member is
        found as ``get_viewer`` finds them. Without a kept copy to use, None, and the route
        serves the request as it would have (finding the member again, in its own session)."""
        match = DISCUSSION_PATH.fullmatch(scope["path"])
        if match is None or self.store.budget <= 0:
            return None
        request = Request(scope, receive)
        discussion_id, page = int(match[1]), page_number(request.query_params.get("page"))
        state = request.app.state
        versions = await state.page_versions.read((SITE, discussion_key(discussion_id)))
        meta = self.store.get(("meta", versions, discussion_id, page))
        token = request.cookies.get(SESSION_COOKIE)
        if not isinstance(meta, Meta) or not token or len(token) > 100:
            return None  # nothing kept for this page: not worth a session lookup here
        sid = accounts.token_hash(token)
        who = self.store.get(("who", sid))
        known, trusted = None, False
        if isinstance(who, Who):  # its member is known: read their versions before any row
            mine = await state.page_versions.read((MEMBERS, member_key(who.member.id), HOME))
            known = (*versions, *mine)
            trusted = self._holds(who, known)
            found = trusted and self._from_kept(request, sid, who, meta, known, discussion_id, page)
            if found:
                if self.store.verify:
                    await self._check_kept(request, token, who, meta, discussion_id, page, found)
                return found
        found = None
        try:
            async with state.read_sessionmaker() as db:  # autocommit on PostgreSQL
                found = await self._from_rows(request, db, token, sid, who if trusted else None,
                                              known, discussion_id, page)  # fmt: skip
        except DBAPIError as exc:
            if transient(exc) is None:
                raise  # a bug: the 500 it is
            # Locked, full, away: the route meets it too and answers as for any page (503
            # with Retry-After), which this layer, outside the app's error handlers, cannot.
            found = None
        if found is None:
            for name in ("viewer", "session_id", "csrf"):  # this session's, now closed
                scope["state"].pop(name, None)
        return found

    async def _from_rows(self, request: Request, db: AsyncSession, token: str, sid: str,
                         trusted: Who | None, known: tuple[int, ...] | None,
                         discussion_id: int, page: int) -> HTMLResponse | None:  # fmt: skip
        """The hit with the member's standing read from the database, and the member too
        unless their kept session still holds (``trusted``: the page changed, they did not).
        What was read is kept for their next hits, under ``known`` if it was read first."""
        state = request.state
        if trusted is not None:
            viewer = trusted.member
            state.viewer, state.session_id, state.csrf = viewer, sid, trusted.csrf
            if self.store.verify:
                await self._check_session(db, token, trusted)
            return await self.answer(request, db, viewer, discussion_id, page, known)
        got = await accounts.session_found(db, token)
        if got is None:
            return None
        viewer, sid, expires = got
        state.viewer, state.session_id = viewer, sid
        who = self.store.get(("who", sid))
        if not isinstance(who, Who) or who.member.id != viewer.id:
            known = None
        mark = None if known is None else (known[0], known[2], known[3])
        self.store.put(("who", sid), Who(time.monotonic(), _unbound(viewer), expires, mark,  # type: ignore[arg-type]
                                         csrf_token(request)))  # fmt: skip
        return await self.answer(request, db, viewer, discussion_id, page, known)

    def _holds(self, who: Who, known: tuple[int, ...]) -> bool:
        """The kept session is still what its rows say: nothing written to its member since
        (``known``'s "site", "members", "m:<id>"), not too old, not ended by the clock."""
        if who.versions != (known[0], known[2], known[3]):
            return False
        if time.monotonic() - who.born > self.seconds:
            return False
        return who.expires is None or who.expires >= utcnow()

    def _from_kept(self, request: Request, sid: str, who: Who, meta: Meta,
                   known: tuple[int, ...], discussion_id: int,
                   page: int) -> HTMLResponse | None:  # fmt: skip
        """The hit from what was kept alone, if all of it still holds (``who`` does)."""
        now = time.monotonic()
        d, viewer = meta.discussion, who.member
        mine = self.store.get(("mine", viewer.id, discussion_id, page))
        if not isinstance(mine, Mine) or mine.versions != _mine_versions(known, d):
            return None
        if now - mine.born > self.seconds or now - meta.born > self.seconds:
            return None
        standing = mine.standing
        shape = self.shape(viewer, standing.membership, d, meta.authors)
        kept = shape and self.store.get(("page", known[:2], discussion_id, page, shape))
        if not isinstance(kept, Kept) or now - kept.born > self.seconds:
            return None
        if standing.blocks_an_author or standing.visit_due:
            return None
        state = request.state
        state.viewer, state.session_id, state.csrf = viewer, sid, who.csrf
        state.unread_count = standing.unread
        response = self.fill(request, kept, standing.liked, mine.also, mine.fills)
        response.headers["x-cache"] = "hit"
        return response

    async def _check_kept(self, request: Request, token: str, who: Who, meta: Meta,
                          discussion_id: int, page: int, response: HTMLResponse) -> None:  # fmt: skip
        """Verify mode: what a hit without the database used must be what it would read."""
        per_page = request.app.state.settings.comments_per_page
        mine = self.store.get(("mine", who.member.id, discussion_id, page))
        assert isinstance(mine, Mine)
        async with request.app.state.read_sessionmaker() as db:
            member = await self._check_session(db, token, who)
            fresh = await discussions.standing(db, member, meta.discussion, page, per_page)
            if fresh != mine.standing:
                raise StaleEntry(
                    f"the kept standing of member {who.member.id} on discussion {discussion_id}"
                    f" is out of date: kept {mine.standing}, fresh {fresh}"
                )
            request.state.viewer = member
            await self._check(request, db, member, discussion_id, page, response.body.decode())

    @staticmethod
    async def _check_session(db: AsyncSession, token: str, who: Who) -> Member:
        """Verify mode: a kept session must be what its rows say; the member as read."""
        got = await accounts.session_found(db, token)
        if got is None or _columns(got[0]) != _columns(who.member) or got[2] != who.expires:
            raise StaleEntry(f"the kept session of member {who.member.id} is out of date")
        return got[0]

    def keep(self, request: Request, ctx: dict[str, Any]) -> HTMLResponse | None:
        """After an ordinary load: keep this page for the member's shape and answer from it."""
        from townsquare.web.pages import render, render_with_kept_parts

        viewer, p, d, group = request.state.viewer, ctx["p"], ctx["d"], ctx["group"]
        if self.store.budget <= 0 or viewer is None or d.state != "live" or p.blocked:
            return None
        ms = p.membership and (p.membership.role, p.membership.state)
        shape = self.shape(viewer, ms, d, p.authors)
        if group.visibility != "public" or shape is None:
            return None
        versions = ctx["threads"].versions
        real = csrf_token(request)
        ctx["threads"].kept = request.state.kept = True
        request.state.csrf = PLACEHOLDER  # kept with the placeholder; each member's token goes in
        try:
            shared = {**ctx, "p": dataclasses.replace(p, liked=set())}
            html = render(request, "discussions/page.html", shared).body
        finally:
            ctx["threads"].kept = request.state.kept = False
            request.state.csrf = real
        kept = cut(html.decode())
        key = (versions, d.id, p.page)
        self.store.put(("page", *key, shape), kept)  # type: ignore[arg-type]
        meta = Meta(kept.born, d, group, p.authors)
        self.store.put(("meta", *key), meta)  # type: ignore[arg-type]
        response = self.fill(request, kept, p.liked, ctx["also"])
        if self.store.verify:  # the first member's copy is filled from slots too: check it
            fresh = render_with_kept_parts(request, "discussions/page.html", ctx).body.decode()
            _compare(
                response.body.decode(), fresh, f"discussion {d.id}, page {p.page}, as first kept"
            )
        response.headers["x-cache"] = "miss"
        return response

    def fill(self, request: Request, kept: Kept, liked: set[tuple[str, int]],
             also: list[Discussion], fills: dict[str, str] | None = None) -> HTMLResponse:  # fmt: skip
        """The member's page from a kept copy: their slots filled, their form token in, and
        an ETag named from the copy and those fills, not hashed from the whole body.
        ``fills``: the header and list as filled before for this member (``Mine``), or an
        empty dict to fill and keep them in."""
        real = csrf_token(request)
        if not fills:
            macros = request.app.state.templates.env.get_template("_macros.html").module
            request.state.csrf = PLACEHOLDER
            try:
                nav = str(macros.viewer_nav(request, request.state.viewer))
                also_html = str(macros.also_block(also))
            finally:
                request.state.csrf = real
            if fills is not None:
                fills.update(nav=nav, also=also_html)
        else:
            nav, also_html = fills["nav"], fills["also"]
        token = real.encode()
        out = kept.flat.copy()
        for at in kept.tokens:
            out[at] = token
        named = {"nav": nav, "also": also_html}
        for name, places in kept.named.items():
            filled = token.join(pieces(named[name]))
            for at in places:
                out[at] = filled
        pressed = []
        for kind, item in liked:
            for start, end, look in kept.likes.get(f"like:{KIND[kind]}:{item}", ()):
                out[start:end] = [token.join(look), *[b""] * (end - start - 1)]
                pressed.append(start)
        choices = b",".join(b"%d" % at for at in sorted(pressed))
        tag = hashlib.sha1(kept.digest, usedforsecurity=False)
        for fill in (nav.encode(), also_html.encode(), choices, token):
            tag.update(b"%d:" % len(fill))
            tag.update(fill)
        # "k" keeps these apart from the ETags hashed from a whole body (pagecache.py).
        return HTMLResponse(b"".join(out), headers={"etag": f'"k{tag.hexdigest()[:24]}"'})

    async def _check(self, request: Request, db: AsyncSession, viewer: Member,
                     discussion_id: int, page: int, body: str) -> None:  # fmt: skip
        from townsquare.web.discussions import ordinary_page

        # The header's count as the route's dependency would read it, not as standing did.
        request.state.unread_count = await notifications.unread_count(db, viewer.id)
        fresh = (await ordinary_page(request, db, viewer, discussion_id, page)).body.decode()
        _compare(body, fresh, f"discussion {discussion_id}, page {page}")


def _compare(kept: str, fresh: str, what: str) -> None:
    """Verify mode: the page a member got must be the page rendered the ordinary way."""
    if kept != fresh:
        at = len(os.path.commonprefix([fresh, kept]))
        raise StaleEntry(
            f"the kept page of {what} is out of date at {at}: "
            f"kept {kept[at - 80 : at + 80]!r}, fresh {fresh[at - 80 : at + 80]!r}"
        )
