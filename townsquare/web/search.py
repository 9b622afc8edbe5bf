"""The search page: one box, filters by kind, group, author and dates, sorted by
relevance or date, a page of hits at a time."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Member
from townsquare.domain import search
from townsquare.domain.errors import Invalid
from townsquare.web.deps import get_db, get_viewer, limit_search
from townsquare.web.pages import render

router = APIRouter()

FIELDS = ("q", "kind", "group", "author", "since", "until", "sort")


def _date(value: str, field: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = "Give a date as YYYY-MM-DD."
        return None


def filters_from(values: dict[str, str]) -> search.Filters:
    """Filters from query parameters; a bad date is a field error like any other."""
    errors: dict[str, str] = {}
    since = _date(values.get("since", ""), "since", errors)
    until = _date(values.get("until", ""), "until", errors)
    if errors:
        raise Invalid(errors)
    return search.Filters(
        kind=values.get("kind") or None, group=values.get("group") or None,
        author=values.get("author") or None, since=since, until=until,
        sort=values.get("sort") or "relevance",
    )  # fmt: skip


@router.get("/search")
async def search_page(request: Request, db: AsyncSession = Depends(get_db),
                      viewer: Member | None = Depends(get_viewer)):  # fmt: skip
    params = request.query_params
    values = {name: params.get(name, "")[: search.MAX_QUERY].strip() for name in FIELDS}
    context: dict[str, Any] = {"values": values, "errors": {}, "results": None, "more_url": None}
    if values["q"]:
        await limit_search(request, viewer)
        try:
            results = await search.search(
                db, viewer, values["q"], filters_from(values), cursor=params.get("cursor") or None
            )
        except Invalid as exc:
            context["errors"] = exc.errors
            return render(request, "search.html", context, status=422)
        context["results"] = results
        if results.more:
            kept = {name: value for name, value in values.items() if value}
            context["more_url"] = "/search?" + urlencode({**kept, "cursor": results.more})
    return render(request, "search.html", context)
