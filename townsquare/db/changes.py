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
points ledger, visits, reports, blocks, the moderation log) bump none of those.

A member's own state (their row, sessions, memberships, likes, blocks and notifications:
``OWNER``) also bumps ``m:<member id>``, which a member's kept page reads before
it answers without the database (``web/keptpages.py``). A change to those tables whose
member cannot be told from the statement bumps ``members``, every member's key at once.
After a commit the keys go to the site's version store (``townsquare/versions.py``); a
rollback drops them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ColumnElement,
)
from sqlalchemy.sql.operators import and_, eq, in_op

from townsquare.db.models import Comment, Discussion
from townsquare.versions import Versions

PENDING = "townsquare.changes"
SITE, HOME, MEMBERS = "site", "home", "members"

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


# Tables holding one member's own state, and the column naming that member. Not their
# visits: what a kept page takes from one (whether it is due) only turns true when the
# discussion changes, whose own key covers it; bumping the member on each visit would end
# their kept session every time they read a discussion that changed.
OWNER = {"member": "id", "session": "member_id", "membership": "member_id",
         "like_": "member_id", "block": "blocker_id", "notification": "recipient_id"}  # fmt: skip


def discussion_key(discussion_id: int) -> str:
    return f"d:{discussion_id}"


def member_key(member_id: int) -> str:
    return f"m:{member_id}"


def _pending(session: Session) -> set[str]:
    return session.info.setdefault(PENDING, set())


def touched(session: Any, *keys: str) -> None:
    """What a statement run on the session's connection (Core, unwatched) changed; hot
    write paths use it so that the ORM's per-statement work stays off them."""
    _pending(session).update(keys)


def _keys_for_row(session: Session, table: str, row: Any, changed: set[str] | None) -> set[str]:
    """Keys for one flushed ORM row (``changed``: the attributes it changed; None when new/gone)."""
    owner = OWNER.get(table)
    if owner is None:
        return _shown_keys_for_row(session, table, row, changed)
    member_id = getattr(row, owner, None)
    mine = {member_key(member_id)} if member_id is not None else {MEMBERS}
    return mine | _shown_keys_for_row(session, table, row, changed)


def _shown_keys_for_row(session: Session, table: str, row: Any,
                        changed: set[str] | None) -> set[str]:  # fmt: skip
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


def _where_values(statement: Any, column: str, params: Any = None) -> list[Any] | None:
    """The values the statement's own ``column`` is compared to by ``=`` or ``IN`` in a
    top-level AND term of its WHERE, which every row it changes meets; None when there is
    no such term or its value is not known (an OR, a subquery, a value bound later)."""
    where = getattr(statement, "whereclause", None)
    if where is None:
        return None
    table = statement.table
    top = isinstance(where, BooleanClauseList) and where.operator is and_
    for term in where.clauses if top else [where]:
        if not isinstance(term, BinaryExpression) or term.operator not in (eq, in_op):
            continue
        left, right = term.left, term.right
        if not (isinstance(left, Column) and left.name == column
                and getattr(left.table, "name", None) == table.name
                and isinstance(right, BindParameter)):  # fmt: skip
            continue
        value = right.effective_value
        if value is None and isinstance(params, Mapping):
            value = params.get(right.key)
        if value is None:
            return None
        values = list(value) if isinstance(value, list | tuple) else [value]
        return values or None
    return None


def _inserted_values(statement: Any, column: str, params: Any) -> list[Any] | None:
    """The values an INSERT gives ``column``, row by row (``params``: a mapping, or a list
    of them); None when any row's is not known."""
    rows = params if isinstance(params, list | tuple) else [params or {}]
    given = (getattr(statement, "_values", None) or {}).items()
    bound = {getattr(c, "key", c): v for c, v in given}
    found = []
    for row in rows:
        value = bound.get(column)
        if isinstance(value, BindParameter):
            value = row.get(value.key, value.effective_value)
        value = row.get(column, value)
        if value is None or isinstance(value, BindParameter | ColumnElement):
            return None
        found.append(value)
    return found or None


def _keys_for_statement(session: Session, statement: Any, params: Any = None) -> set[str]:
    table = getattr(statement, "table", None)
    owner = OWNER.get(getattr(table, "name", None) or "")
    if owner is None:
        return _shown_keys_for_statement(session, statement)
    if statement.is_insert:
        ids = _inserted_values(statement, owner, params)
    else:
        ids = _where_values(statement, owner, params)
    mine = {member_key(i) for i in ids} if ids else {MEMBERS}
    return mine | _shown_keys_for_statement(session, statement)


def _shown_keys_for_statement(session: Session, statement: Any) -> set[str]:
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
        keys = _keys_for_statement(state.session, state.statement, state.parameters)
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


__all__ = [
    "HOME",
    "MEMBERS",
    "SITE",
    "member_key",
    "Discussion",
    "discussion_key",
    "touched",
    "watch",
]
