"""Live updates as Server-Sent Events, and the fragments a page fetches when told.

``GET /d/{id}/events`` streams a discussion's new comments, replies and like counts (and
the viewer's unread count); ``GET /notifications/events`` the unread count alone. Each
stream checks access when it opens and every minute after, holds no database session
while it waits, sends a heartbeat every 15 s, and ends when the server stops. A page
that reconnects sends ``Last-Event-ID`` and receives what it missed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Member
from townsquare.domain import accounts, comments, discussions, notifications
from townsquare.domain.errors import NotFound
from townsquare.live import streams
from townsquare.live.bus import Bus, Ended, format_id, parse_id
from townsquare.web.deps import bearer_token, get_db, get_settings, get_viewer
from townsquare.web.pages import render
from townsquare.web.security import SESSION_COOKIE

router = APIRouter(include_in_schema=False)

HEARTBEAT_S = 15.0
RECHECK_BEATS = 4  # access is checked again every 4 heartbeats (a minute)
RETRY_MS = 2000  # how soon a browser reconnects after losing the stream
HEADERS = {"Cache-Control": "no-cache, no-store", "X-Accel-Buffering": "no"}


def sse(kind: str | None = None, data: Any = None, event_id: str | None = None) -> str:
    """One message in the text/event-stream format (an id alone moves the page's cursor)."""
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    if kind is not None:
        lines.append(f"event: {kind}")
        lines.append("data: " + json.dumps(data or {}, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


@router.get("/d/{discussion_id}/events")
async def discussion_events(discussion_id: int, request: Request, after: str | None = None):  # type: ignore[no-untyped-def]
    """A discussion page's stream; ``after`` is the cursor the page was rendered with."""
    async with request.app.state.sessionmaker() as db:
        viewer = await get_viewer(request, db)
        view = await streams.discussion_view(db, viewer, discussion_id)
        unread = await notifications.unread_count(db, viewer.id) if viewer else None
    return _stream(request, view, unread, after)


@router.get("/notifications/events")
async def notification_events(request: Request):  # type: ignore[no-untyped-def]
    """The header's unread count for a logged-in member (204 tells a visitor's page to stop)."""
    async with request.app.state.sessionmaker() as db:
        viewer = await get_viewer(request, db)
        if viewer is None:
            return Response(status_code=204)
        unread = await notifications.unread_count(db, viewer.id)
    return _stream(request, streams.member_view(viewer), unread, None)


def _stream(request: Request, view: streams.View, unread: int | None,
            after: str | None) -> StreamingResponse:  # fmt: skip
    return StreamingResponse(
        _events(request, view, unread, after),
        media_type="text/event-stream; charset=utf-8",
        headers=HEADERS,
    )


async def _events(request: Request, view: streams.View, unread: int | None,
                  after: str | None) -> AsyncIterator[str]:  # fmt: skip
    bus: Bus = request.app.state.live
    per_page = get_settings(request).comments_per_page
    # Subscribe before catching up, so nothing published meanwhile falls between the two.
    sub = await bus.subscribe(view.channels)
    try:
        yield f"retry: {RETRY_MS}\n\n"
        if unread is not None:
            yield sse("unread", {"count": unread})
        replayed = None  # the last event sent while catching up: not sent twice
        cursor = None  # where a reconnect resumes from; sent as a bare id
        if view.replay_channel is not None:
            resumed = request.headers.get("last-event-id")
            start = resumed or after
            missed = await bus.replay(view.replay_channel, start) if start else []
            if missed is None and not resumed:
                # The page's own cursor is old only when its discussion has been quiet (a
                # cached page): whatever is kept covers the moments since it was rendered.
                missed = await bus.replay(view.replay_channel, "0-0")
            if missed is None:  # some of what the page missed is no longer kept
                yield sse("stale")
                missed = []
            for event in missed:
                out = streams.shown(view, event, per_page)
                if out is not None:
                    yield sse(event.kind, out, event.id)
                replayed = event.key
            cursor = max(replayed or (0, 0), parse_id(bus.cursor()) or (0, 0))
            yield sse(event_id=format_id(cursor))
        beats = 0
        while True:
            try:
                event = await sub.get(HEARTBEAT_S)
            except Ended:
                return
            if event is None:
                beats += 1
                if beats % RECHECK_BEATS == 0 and not await _still_allowed(request, view):
                    return
                if cursor is not None:  # a reconnect resumes from here, not from the page
                    cursor = max(cursor, parse_id(bus.cursor()) or cursor)
                    yield f"id: {format_id(cursor)}\n: heartbeat\n\n"
                else:
                    yield ": heartbeat\n\n"
                continue
            if streams.is_unread_change(view, event):
                assert view.viewer_id is not None
                async with request.app.state.sessionmaker() as db:
                    count = await notifications.unread_count(db, view.viewer_id)
                yield sse("unread", {"count": count})
                continue
            if replayed is not None and event.key <= replayed:
                continue  # already sent while catching up
            out = streams.shown(view, event, per_page)
            if out is not None:
                yield sse(event.kind, out, event.id)
            if cursor is not None:
                cursor = max(cursor, event.key)
    finally:
        sub.close()


async def _still_allowed(request: Request, view: streams.View) -> bool:
    """Log-in and access read afresh, in a session of their own."""
    async with request.app.state.sessionmaker() as db:
        token = bearer_token(request)
        if token is not None:
            found = await accounts.session_member(db, token, kind="api")
        else:
            found = await accounts.session_member(db, request.cookies.get(SESSION_COOKIE))
        return await streams.still_allowed(db, view, found[0] if found else None)


@router.get("/c/{comment_id}/live")
async def comment_fragment(comment_id: int, request: Request, db: AsyncSession = Depends(get_db),
                           viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    """A new comment (its whole thread) or reply as this viewer's page shows it."""
    found = await comments.find_comment(db, viewer, comment_id)
    c = found.comment
    per_page = get_settings(request).comments_per_page
    data = await discussions.discussion_page(
        db, viewer, c.discussion_id, comments.page_of(c, per_page), per_page
    )
    thread = next((t for t in data.threads if t.comment.id == (c.parent_id or c.id)), None)
    reply = None
    if thread is not None and c.parent_id is not None:
        reply = next((r for r in thread.replies if r.id == c.id), None)
    if thread is None or (c.parent_id is not None and reply is None):
        raise NotFound("That comment is not shown here.")
    ctx = {"p": data, "d": data.discussion, "t": thread, "reply": reply}
    return render(request, "comments/_live.html", ctx)
