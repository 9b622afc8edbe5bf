"""What a transaction changed, as page-version keys, bumped once it commits.

Every session the app, the queue and the commands open is watched (``watch``): rows the
ORM flushes and UPDATE/DELETE/INSERT statements run through the session are turned into
the keys of the pages they can change for a visitor who is not logged in (a hot path that
writes through the session's connection names its keys with ``touched``):

- ``d:<id>``: every page of discussion <id>;
- ``home``: the feeds (home page, group pages);
- ``site``: anything else those pages show (names, levels, groups, article cards).

A change that cannot be placed falls back to ``site``, which empties the whole cache: too
wide is slow, never wrong. Tables no cached page shows (sessions, notifications, the
points ledger, visits, reports, blocks, the moderation log) bump nothing. After a commit
the keys go to the site's version store (``townsquare/versions.py``); a rollback drops
them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter
from sqlalchemy.sql.operators import eq, in_op

from townsquare.db.models import Comment, Discussion
from townsquare.versions import Versions

PENDING = "townsquare.changes"
SITE, HOME = "site", "home"

# Tables that no cached (anonymous) page reads. Like rows show only through the counters
# they keep on their discussion or comment, and those updates are placed on their own.
UNSHOWN = {"session", "points_ledger", "discussion_visit", "notification", "like_",
           "notification_setting", "email_token", "report", "block", "moderation_log"}  # fmt: skip
# Columns that change with every post or like but that no cached page prints.
QUIET = {
    "member": {"points", "digest_sent_at", "email_confirmed_at", "password_hash", "email",
               "mask_profanity"},
    "grp": {"member_count", "discussion_count", "last_activity_at"},
    "discussion": {"comment_count", "top_count", "like_count", "last_activity_at"},
}  # fmt: skip


def discussion_key(discussion_id: int) -> str:
    return f"d:{discussion_id}"


def _pending(session: Session) -> set[str]:
    return session.info.setdefault(PENDING, set())


def touched(session: Any, *keys: str) -> None:
    """What a statement run on the session's connection (Core, unwatched) changed; hot
    write paths use it so that the ORM's per-statement work stays off them."""
    _pending(session).update(keys)


def _keys_for_row(session: Session, table: str, row: Any, changed: set[str] | None) -> set[str]:
    """Keys for one flushed ORM row (``changed``: the attributes it changed; None when new/gone)."""
    if table in UNSHOWN:
        return set()
    if table == "comment":
        return {discussion_key(row.discussion_id)}
    if table == "discussion":
        keys = {discussion_key(row.id), HOME}
        if changed is None or not changed <= QUIET["discussion"]:
            keys.add(SITE)  # titles show in lists and in "also discussed in"
        return keys
    quiet = QUIET.get(table)
    if changed is not None and quiet is not None and changed <= quiet:
        return {HOME} if table != "member" else set()
    return {SITE}


def _comments_keys(session: Session, comment_ids: Iterable[int]) -> set[str]:
    """The discussions of these comments, if this session has loaded them; else everything."""
    keys: set[str] = set()
    for comment_id in comment_ids:
        comment = session.identity_map.get(inspect(Comment).identity_key_from_primary_key((comment_id,)))  # fmt: skip
        if comment is None:
            return {SITE}
        keys.add(discussion_key(comment.discussion_id))
    return keys


def _where_values(statement: Any, column: str) -> list[Any] | None:
    """Values ``column`` is compared to by ``=`` or ``IN`` in the statement's WHERE, if any."""
    where = getattr(statement, "whereclause", None)
    if where is None:
        return None
    found: list[Any] = []
    for node in visitors.iterate(where):
        if not isinstance(node, BinaryExpression) or node.operator not in (eq, in_op):
            continue
        left, right = node.left, node.right
        if isinstance(left, Column) and left.name == column and isinstance(right, BindParameter):
            value = right.effective_value
            found.extend(value if isinstance(value, list | tuple) else [value])
    return found or None


def _keys_for_statement(session: Session, statement: Any) -> set[str]:
    table = getattr(statement, "table", None)
    name = getattr(table, "name", None)
    if name is None or name in UNSHOWN:
        return set() if name in UNSHOWN else {SITE}
    values = {getattr(c, "key", c) for c in getattr(statement, "_values", None) or {}}
    is_update = statement.is_update
    if name == "comment":
        by_discussion = _where_values(statement, "discussion_id")
        if by_discussion:
            return {discussion_key(i) for i in by_discussion}
        ids = _where_values(statement, "id")
        return _comments_keys(session, ids) if ids else {SITE}
    if name == "discussion":
        ids = _where_values(statement, "id")
        if not ids:
            return {SITE}
        keys = {discussion_key(i) for i in ids} | {HOME}
        if not (is_update and values and values <= QUIET["discussion"]):
            keys.add(SITE)
        return keys
    quiet = QUIET.get(name)
    if is_update and quiet is not None and values and values <= quiet:
        return {HOME} if name != "member" else set()
    return {SITE}


def watch(session_class: type[Session], versions: Versions) -> None:
    """Collect the keys each transaction of ``session_class`` touches; bump them after commit."""

    @event.listens_for(session_class, "after_flush")
    def _after_flush(session: Session, _context: Any) -> None:
        keys = _pending(session)
        for rows, new in ((session.new, True), (session.deleted, True), (session.dirty, False)):
            for row in rows:
                state = inspect(row)
                changed = None
                if not new:
                    changed = {a.key for a in state.attrs if a.history.has_changes()}
                    if not changed:
                        continue
                keys |= _keys_for_row(session, state.mapper.local_table.name, row, changed)

    @event.listens_for(session_class, "do_orm_execute")
    def _on_execute(state: ORMExecuteState) -> Any:
        if not (state.is_update or state.is_delete or state.is_insert):
            return None
        keys = _keys_for_statement(state.session, state.statement)
        if not keys:
            return None
        if state.is_insert or getattr(state.statement, "_returning", ()):
            _pending(state.session).update(keys)
            return None
        # An UPDATE or DELETE that matched no row (a level that did not change) ages nothing.
        result = state.invoke_statement()
        if getattr(result, "rowcount", 1) != 0:
            _pending(state.session).update(keys)
        return result

    @event.listens_for(session_class, "after_commit")
    def _after_commit(session: Session) -> None:
        keys = session.info.pop(PENDING, None)
        if keys:
            versions.bump(keys)

    @event.listens_for(session_class, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(PENDING, None)


__all__ = ["HOME", "SITE", "Discussion", "discussion_key", "touched", "watch"]
