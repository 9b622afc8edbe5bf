"""The SQLite backend of search: FTS5 external-content tables (made by migration 0005).

Each term is written as an FTS5 string ("…"), and the words inside hold only letters and
digits, so a member's input can never become an FTS5 operator or a syntax error.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Comment, Discussion, Group, Link
from townsquare.domain.search import Query, Term

# kind -> (index table, bm25 column weights, the column the snippet comes from)
INDEXES = {
    "discussion": ("search_discussion", "5.0, 1.0", 1),
    "comment": ("search_comment", "1.0", 0),
    "article": ("search_link", "3.0, 2.0, 1.0", 2),
}


def _string(term: Term) -> str:
    return '"' + " ".join(term.words) + '"'


def render(query: Query) -> str:
    """The FTS5 MATCH expression: ``("a" "b c") NOT "d"``."""
    positive = " ".join(_string(t) for t in query.positive)
    expression = f"({positive})"
    for term in query.negative:
        expression += f" NOT {_string(term)}"
    return expression


class SqliteMatch:
    def __init__(self, query: Query, marks: tuple[str, str]) -> None:
        self.expression = render(query)
        self.marks = marks

    def select(self, kind: str) -> tuple[Select[Any], ColumnElement[float], ColumnElement[str]]:
        name, weights, snippet_column = INDEXES[kind]
        fts = table(name, column("rowid"))
        index = literal_column(name)
        base = select().select_from(fts)
        if kind == "discussion":
            base = base.join(Discussion, Discussion.id == fts.c.rowid)
        elif kind == "comment":
            base = base.join(Comment, Comment.id == fts.c.rowid).join(
                Discussion, Discussion.id == Comment.discussion_id
            )
        else:
            base = base.join(Link, Link.id == fts.c.rowid).join(
                Discussion, Discussion.link_id == Link.id
            )
        base = base.join(Group, Group.id == Discussion.group_id).where(
            index.op("MATCH")(literal(self.expression))
        )
        score = -func.bm25(index, literal_column(weights))
        start, stop = self.marks
        snippet = func.snippet(index, snippet_column, start, stop, "…", 24)
        return base, score, snippet


async def rebuild(db: AsyncSession) -> None:
    """Re-read every row of the content tables into the FTS5 indexes."""
    for name, _weights, _column in INDEXES.values():
        await db.execute(text(f"INSERT INTO {name}({name}) VALUES ('rebuild')"))
    await db.commit()
