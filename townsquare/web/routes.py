"""HTML pages: thin adapters over the domain functions."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from townsquare.web.deps import check_csrf

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)
