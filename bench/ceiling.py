"""The ceiling: one page's exact bytes served by the thinnest app on the same server stack.

Starlette under uvicorn with the same worker count, event loop and HTTP parser as
townsquare, answering every path with the bytes in ``BENCH_CEILING_FILE``. Whatever
townsquare spends beyond this is its own doing (routing, queries, templates), which is
what the ratios in the table isolate.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FILE_VARIABLE = "BENCH_CEILING_FILE"


def make_app() -> Starlette:
    """Uvicorn's factory, called in each worker; the page is read once, at start."""
    body = Path(os.environ[FILE_VARIABLE]).read_bytes()

    async def page(request: Request) -> Response:
        return Response(body, media_type="text/html; charset=utf-8")

    return Starlette(routes=[Route("/{path:path}", page)])
