"""Static files with caching headers: a year, immutable, for URLs that carry the file's hash.

Pages link assets as ``/static/app.css?v=<hash>`` (``templating.static_url``), so a new
release changes the URL and browsers never hold an old file. A request with no hash, or
with another release's hash, gets the file with ``no-cache`` (revalidated by ETag).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from townsquare.web.templating import asset_version

YEAR = "public, max-age=31536000, immutable"


class HashedStatic(StaticFiles):
    def file_response(self, full_path, stat_result, scope: Scope, status_code: int = 200) -> Response:  # type: ignore[no-untyped-def]  # fmt: skip
        response = super().file_response(full_path, stat_result, scope, status_code)
        given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [""])[0]
        try:
            current = asset_version(self.get_path(scope))
        except OSError:
            current = None
        response.headers["cache-control"] = YEAR if given and given == current else "no-cache"
        return response
