"""JSON API under /api/v1: thin adapters over the domain functions."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from townsquare.web.deps import check_csrf

router = APIRouter(prefix="/api/v1", dependencies=[Depends(check_csrf)])
