"""HTML pages: one router made of each area's routes, all behind the CSRF check."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from townsquare.web import (
    accounts,
    atom,
    discussions,
    governance,
    groups,
    notifications,
    review,
    safety,
    search,
)
from townsquare.web.deps import check_csrf, refuse_nul

# count_unread: the header's unread notifications, one indexed COUNT for logged-in members.
router = APIRouter(
    dependencies=[Depends(refuse_nul), Depends(check_csrf), Depends(notifications.count_unread)],
    include_in_schema=False,
)
# The busiest first: routes are tried in order, each a regular expression and some
# bookkeeping (matching the comment form's route took 117 µs with accounts first, 88 now).
router.include_router(groups.router)
router.include_router(discussions.router)
router.include_router(accounts.router)
router.include_router(safety.router)
router.include_router(governance.router)
router.include_router(review.router)
router.include_router(atom.router)
router.include_router(search.router)
router.include_router(notifications.router)
