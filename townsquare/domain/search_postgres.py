"""The PostgreSQL backend of search: generated tsvector columns with GIN indexes (made by
migration 0005), websearch_to_tsquery, ts_rank and ts_headline.

The query is written back in websearch syntax with every term quoted, so words like
``or`` stay words; the words hold only letters and digits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Double, Select, cast, func, literal, literal_column, select

from townsquare.db.models import Comment, Discussion, Group, Link
from townsquare.domain.search import Query

CONFIG = "search_english"  # the text search configuration migration 0005 creates


def render(query: Query) -> str:
    """The websearch_to_tsquery input: ``"a" "b c" -"d"``."""
    return " ".join(("-" if t.negated else "") + '"' + " ".join(t.words) + '"' for t in query.terms)


class PostgresMatch:
    def __init__(self, query: Query, marks: tuple[str, str]) -> None:
        self.config = literal_column(f"'{CONFIG}'::regconfig")
        self.tsquery = func.websearch_to_tsquery(self.config, literal(render(query)))
        self.marks = marks

    def select(self, kind: str) -> tuple[Select[Any], ColumnElement[float], ColumnElement[str]]:
        if kind == "discussion":
            base = select().select_from(Discussion)
            table, source = "discussion", Discussion.body_src
        elif kind == "comment":
            base = (
                select()
                .select_from(Comment)
                .join(Discussion, Discussion.id == Comment.discussion_id)
            )
            table, source = "comment", Comment.body_src
        else:
            base = select().select_from(Link).join(Discussion, Discussion.link_id == Link.id)
            table, source = "link", func.left(func.coalesce(Link.text, ""), 20000)
        vector = literal_column(f"{table}.search_vector")
        base = base.join(Group, Group.id == Discussion.group_id).where(
            vector.op("@@")(self.tsquery)
        )
        score = cast(func.ts_rank(vector, self.tsquery), Double)
        start, stop = self.marks
        options = f"StartSel={start}, StopSel={stop}, MaxWords=35, MinWords=15"
        snippet = func.ts_headline(self.config, source, self.tsquery, literal(options))
        return base, score, snippet
