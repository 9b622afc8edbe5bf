"""The review queue page: moderators approve or turn down newcomers' posts, one or many."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Member
from townsquare.domain import moderation
from townsquare.domain.errors import Invalid, NotFound
from townsquare.web.deps import get_db, get_viewer
from townsquare.web.pages import redirect, render

router = APIRouter()


def parse_items(raw: list[str]) -> list[tuple[str, int]]:
    """'discussion:12' / 'comment:5' form values to (kind, id) pairs; others are ignored."""
    items = []
    for value in raw:
        kind, _, ident = value.partition(":")
        if kind in moderation.KINDS and ident.isdigit() and len(ident) < 19:
            items.append((kind, int(ident)))
    return items


@router.get("/review")
async def review_page(request: Request, db: AsyncSession = Depends(get_db),
                      viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    queue = await moderation.review_queue(db, viewer)
    return render(request, "review.html", {"queue": queue, "errors": {}, "values": {}})


@router.post("/review")
async def decide(request: Request, db: AsyncSession = Depends(get_db),
                 viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    form = await request.form()
    items = parse_items([v for v in form.getlist("item") if isinstance(v, str)])
    decision = str(form.get("decision", ""))
    reason = str(form.get("reason", ""))
    errors: dict[str, str] = {}
    if not items:
        errors["item"] = "Tick at least one post."
    if decision not in ("approve", "reject"):
        errors["decision"] = "Choose approve or reject."
    elif decision == "reject" and not reason.strip():
        errors["reason"] = "Say why, so the author knows."
    if not errors:
        try:
            await moderation.decide_many(db, viewer, items, decision, reason)
            return redirect("/review")
        except Invalid as exc:
            errors = exc.errors
        except NotFound:
            errors = {"item": "One of those posts is no longer waiting; the list is fresh now."}
    queue = await moderation.review_queue(db, viewer)
    values = {"reason": reason, "decision": decision}
    return render(request, "review.html", {"queue": queue, "errors": errors, "values": values},
                  status=422)  # fmt: skip
