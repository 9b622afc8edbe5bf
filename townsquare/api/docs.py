"""/api/docs: the vendored Swagger UI over /api/openapi.json, with no inline script."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

SWAGGER = "/static/vendor/swagger-ui-5.35.0"


@router.get("/api/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> HTMLResponse:
    # The page only loads files; api-docs.js starts Swagger UI, as the CSP forbids inline code.
    title = escape(request.app.title)
    return HTMLResponse(
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        f'<link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">\n'
        "</head>\n<body>\n"
        '<div id="swagger-ui"></div>\n'
        f'<script src="{SWAGGER}/swagger-ui-bundle.js"></script>\n'
        '<script src="/static/api-docs.js"></script>\n'
        "</body>\n</html>\n"
    )
