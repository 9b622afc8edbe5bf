"""Full-text search over discussions, comments and the text of shared articles.

One interface, two backends: ``search(db, viewer, text, filters)`` parses the member's
query once into a small AST (words, "quoted phrases", -exclusions), and the backend for
the session's database (``search_sqlite`` with FTS5, ``search_postgres`` with tsvector
columns) renders it and supplies the match, the score and the snippet. Everything else —
who may see what, filters, ordering and the keyset cursor — is written once, here.

The index itself needs no code on the write paths: the 0005 migration keeps it in step
(triggers on SQLite, generated columns on PostgreSQL).
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from townsquare.db.models import Block, Comment, Discussion, Group, Link, Member
from townsquare.domain.errors import Invalid
from townsquare.domain.groups import member_group_ids
from townsquare.domain.permissions import is_site_moderator

KINDS = ("discussion", "article", "comment")  # also the tie-break order between kinds
SORTS = ("relevance", "date")
MAX_QUERY = 500  # characters read from the box; the rest is ignored, never an error
MAX_TERMS = 16
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')


# -- the query language -------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word, or a phrase (several words in order); ``words`` hold letters and digits only."""

    words: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...] = ()

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negated)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.negated)

    @property
    def searchable(self) -> bool:
        """Exclusions alone match nothing: there must be something to look for."""
        return bool(self.positive)

    def __str__(self) -> str:
        """The query written back in our own syntax (what the search box shows)."""
        return " ".join(
            ("-" if t.negated else "")
            + (t.words[0] if len(t.words) == 1 else '"' + " ".join(t.words) + '"')
            for t in self.terms
        )


def parse(text: str) -> Query:
    """Words are ANDed, "quoted text" is a phrase, a leading ``-`` excludes.

    Anything that is not a letter or digit separates words, so no operator, quote or
    bracket of either backend's syntax can survive into the rendered query.
    """
    terms: list[Term] = []
    for m in _TOKEN.finditer(text[:MAX_QUERY]):
        quoted = m.group(2) is not None
        negated = bool(m.group(1) if quoted else m.group(3))
        body = m.group(2) if quoted else m.group(4)
        words = tuple(w.lower() for w in _WORD.findall(body))
        if not words:
            continue
        term = Term(words, negated)
        if term not in terms:
            terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    return Query(tuple(terms))


# -- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    kind: str | None = None  # discussion / comment / article; None for all
    group: str | None = None  # group slug
    author: str | None = None  # member name
    since: date | None = None  # inclusive
    until: date | None = None  # inclusive
    sort: str = "relevance"  # relevance / date


@dataclass
class Hit:
    kind: str
    id: int  # the discussion's id (discussion, article) or the comment's
    score: float
    created_at: datetime
    discussion_id: int
    title: str
    group_slug: str
    group_name: str
    author_name: str
    author_display_name: str
    author_level: int
    snippet: Markup
    state: str = "live"  # the viewer's own post waiting for review shows as "pending"
    comment_id: int | None = None
    link_id: int | None = None
    link_title: str | None = None
    link_site: str | None = None
    # An article shared by several discussions on this page: the others, as (id, title, group).
    also: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        if self.comment_id is not None:
            return f"/d/{self.discussion_id}/c/{self.comment_id}"
        return f"/d/{self.discussion_id}"


@dataclass
class Results:
    query: Query
    filters: Filters
    hits: list[Hit]
    more: str | None = None  # cursor for the next page


# -- backends -----------------------------------------------------------------------------


class Match(Protocol):
    """What a backend provides for one kind: the matching rows, their score and snippet."""

    def select(self, kind: str) -> tuple[Select[Any], ColumnElement[float], ColumnElement[str]]:
        """``select(...)`` of the id of the content table, joined as the backend needs, with
        the match applied; then the score (higher is better) and the raw snippet with the
        backend's markers around matched words."""
        ...


def backend_for(db: AsyncSession, query: Query, marks: tuple[str, str]) -> Match:
    name = db.bind.dialect.name
    if name == "sqlite":
        from townsquare.domain.search_sqlite import SqliteMatch

        return SqliteMatch(query, marks)
    if name == "postgresql":
        from townsquare.domain.search_postgres import PostgresMatch

        return PostgresMatch(query, marks)
    raise RuntimeError(f"search does not support {name}")


async def reindex(db: AsyncSession) -> str:
    """Rebuild the index from the content tables; returns what was done, in words."""
    if db.bind.dialect.name == "sqlite":
        from townsquare.domain.search_sqlite import rebuild

        await rebuild(db)
        return "Rebuilt the search index."
    return "PostgreSQL keeps the search columns up to date itself; nothing to rebuild."


# -- the cursor ---------------------------------------------------------------------------


def _encode(hit: Hit, sort: str) -> str:
    first = repr(hit.score) if sort == "relevance" else f"{hit.created_at:%Y%m%d%H%M%S%f}"
    return f"{first}~{KINDS.index(hit.kind)}~{hit.id}"


def _decode(cursor: str, sort: str) -> tuple[float | datetime, int, int]:
    try:
        first, kind, ident = cursor.split("~")
        number, k = int(ident), int(kind)
        if not (0 < number < 2**63 and 0 <= k < len(KINDS)):
            raise ValueError(cursor)
        if sort == "relevance":
            score = float(first)
            if score != score or score in (float("inf"), float("-inf")):
                raise ValueError(first)
            return score, k, number
        return datetime.strptime(first, "%Y%m%d%H%M%S%f").replace(tzinfo=UTC), k, number
    except ValueError:
        raise Invalid({"cursor": "That page link is not valid."}) from None


def _after(
    key: ColumnElement[Any], ident: ColumnElement[int], kind: int, cursor: tuple[Any, int, int]
) -> ColumnElement[bool]:
    """Rows after the cursor in the order (key desc, kind asc, id asc)."""
    value, ckind, cid = cursor
    if kind > ckind:
        return key <= value
    if kind < ckind:
        return key < value
    return or_(key < value, and_(key == value, ident > cid))


# -- visibility ---------------------------------------------------------------------------


@dataclass
class _Sight:
    viewer: Member | None
    groups: list[int]  # private groups the viewer belongs to
    everywhere: bool  # site moderators read every group

    def group_ok(self) -> ColumnElement[bool]:
        if self.everywhere:
            return true()
        return or_(
            Group.visibility == "public", Group.id.in_(self.groups) if self.groups else false()
        )

    def state_ok(self, item: type[Discussion] | type[Comment] | Any) -> ColumnElement[bool]:
        """Live posts, and the viewer's own post waiting for review."""
        if self.viewer is None:
            return item.state == "live"
        mine = and_(item.state == "pending", item.author_id == self.viewer.id)
        return or_(item.state == "live", mine)

    def not_blocked(self, author_id: ColumnElement[int]) -> ColumnElement[bool]:
        if self.viewer is None:
            return true()
        blocked = select(Block.blocked_id).where(Block.blocker_id == self.viewer.id)
        return author_id.not_in(blocked)


async def _sight(db: AsyncSession, viewer: Member | None) -> _Sight:
    if viewer is None:
        return _Sight(None, [], False)
    return _Sight(viewer, await member_group_ids(db, viewer), is_site_moderator(viewer))


# -- the search ---------------------------------------------------------------------------


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=UTC)


def highlight(raw: str | None, marks: tuple[str, str]) -> Markup:
    """Escape everything, then turn the backend's markers into <mark>; stored text is
    never trusted as HTML."""
    start, stop = marks
    text = html.escape(raw or "", quote=False)
    out: list[str] = []
    open_ = False
    for piece in re.split(f"({re.escape(start)}|{re.escape(stop)})", text):
        if piece == start and not open_:
            out.append("<mark>")
            open_ = True
        elif piece == stop and open_:
            out.append("</mark>")
            open_ = False
        elif piece not in (start, stop):
            out.append(piece)
    if open_:
        out.append("</mark>")
    return Markup("".join(out))


async def search(
    db: AsyncSession, viewer: Member | None, text: str, filters: Filters | None = None, *,
    cursor: str | None = None, limit: int = 20,
) -> Results:  # fmt: skip
    """The hits the viewer may see, best first (or newest first), ``limit`` at a time."""
    filters = filters or Filters()
    errors = {}
    if filters.kind is not None and filters.kind not in KINDS:
        errors["kind"] = "Choose discussions, comments or articles."
    if filters.sort not in SORTS:
        errors["sort"] = "Sort by relevance or by date."
    if filters.since and filters.until and filters.since > filters.until:
        errors["until"] = "The end date is before the start date."
    if errors:
        raise Invalid(errors)
    query = parse(text)
    results = Results(query, filters, [])
    if not query.searchable:
        return results
    after = _decode(cursor, filters.sort) if cursor else None
    nonce = secrets.token_hex(8)
    marks = (f"xs{nonce}x", f"xe{nonce}x")
    match = backend_for(db, query, marks)
    sight = await _sight(db, viewer)
    kinds = [filters.kind] if filters.kind else list(KINDS)
    hits: list[Hit] = []
    more = False
    for kind in kinds:
        found = await _search_kind(db, match, kind, sight, filters, after, limit, marks)
        more = more or len(found) > limit
        hits.extend(found[:limit])
    if filters.sort == "relevance":
        hits.sort(key=lambda h: (-h.score, KINDS.index(h.kind), h.id))
    else:
        hits.sort(key=lambda h: (-h.created_at.timestamp(), KINDS.index(h.kind), h.id))
    more = more or len(hits) > limit
    hits = hits[:limit]
    if more and hits:
        results.more = _encode(hits[-1], filters.sort)
    results.hits = _fold_articles(hits)
    return results


def _fold_articles(hits: list[Hit]) -> list[Hit]:
    """One article shared by several discussions shows once, naming the others."""
    first: dict[int, Hit] = {}
    kept: list[Hit] = []
    for hit in hits:
        if hit.kind == "article" and hit.link_id is not None:
            if hit.link_id in first:
                first[hit.link_id].also.append((hit.discussion_id, hit.title, hit.group_name))
                continue
            first[hit.link_id] = hit
        kept.append(hit)
    return kept


async def _search_kind(
    db: AsyncSession, match: Match, kind: str, sight: _Sight, filters: Filters,
    after: tuple[Any, int, int] | None, limit: int, marks: tuple[str, str],
) -> list[Hit]:  # fmt: skip
    base, score, snippet = match.select(kind)
    item: Any = Comment if kind == "comment" else Discussion
    author = aliased(Member)
    query = (
        base.add_columns(
            score.label("score"),
            snippet.label("snippet"),
            item.created_at.label("created_at"),
            item.state.label("state"),
            Discussion.id.label("discussion_id"),
            Discussion.title.label("title"),
            Group.slug.label("group_slug"),
            Group.name.label("group_name"),
            author.name.label("author_name"),
            author.display_name.label("author_display"),
            author.level.label("author_level"),
        )  # fmt: skip
        .join(author, author.id == item.author_id)
        .where(
            sight.group_ok(),
            sight.state_ok(Discussion),
            sight.not_blocked(item.author_id),
        )
    )
    if kind == "comment":
        query = query.add_columns(Comment.id.label("comment_id")).where(
            sight.state_ok(Comment), sight.not_blocked(Discussion.author_id)
        )
    if kind == "article":
        query = query.add_columns(Link.id.label("link_id"), Link.title.label("link_title"),
                                  Link.site_name)  # fmt: skip
    if filters.group:
        query = query.where(Group.slug == filters.group.strip().lower())
    if filters.author:
        query = query.where(author.name == filters.author.strip().lower().lstrip("@"))
    if filters.since:
        query = query.where(item.created_at >= _day_start(filters.since))
    if filters.until:
        query = query.where(item.created_at < _day_start(filters.until + timedelta(days=1)))
    ident = Comment.id if kind == "comment" else Discussion.id
    key = score if filters.sort == "relevance" else item.created_at
    if after is not None:
        query = query.where(_after(key, ident, KINDS.index(kind), after))
    query = query.order_by(key.desc(), ident).limit(limit + 1)
    rows = (await db.execute(query)).mappings().all()
    return [_hit(kind, row, marks) for row in rows]


def _hit(kind: str, row: Any, marks: tuple[str, str]) -> Hit:
    comment_id = row.get("comment_id")
    return Hit(
        kind=kind,
        id=comment_id if comment_id is not None else row["discussion_id"],
        score=float(row["score"]),
        created_at=row["created_at"],
        discussion_id=row["discussion_id"],
        title=row["title"],
        group_slug=row["group_slug"],
        group_name=row["group_name"],
        author_name=row["author_name"],
        author_display_name=row["author_display"],
        author_level=row["author_level"],
        snippet=highlight(row["snippet"], marks),
        state=row["state"],
        comment_id=comment_id,
        link_id=row.get("link_id"),
        link_title=row.get("link_title"),
        link_site=row.get("site_name"),
    )
