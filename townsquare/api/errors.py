"""The API's shape for failures: RFC 9457 problem details, as application/problem+json."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from townsquare.api.schemas import Problem


def problem(
    status: int,
    detail: str,
    *,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """A problem body; ``extra`` adds members of its own, as RFC 9457 allows."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body |= extra
    return JSONResponse(body, status_code=status, media_type="application/problem+json",
                        headers=headers)  # fmt: skip


def problem_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A problem model's JSON schema with nested models written out in place.

    Schemas given to ``responses`` by hand are copied into OpenAPI as they are, where a
    pydantic "#/$defs/…" reference would point at nothing.
    """
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(defs[node["$ref"].rsplit("/", 1)[1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)  # type: ignore[no-any-return]


def problem_response(description: str, model: type[BaseModel] | None = None) -> dict[str, Any]:
    """An OpenAPI ``responses`` entry for a problem body (``model``: the Problem shape)."""
    schema = problem_schema(model or Problem)
    return {"description": description, "content": {"application/problem+json": {"schema": schema}}}


# Rate-limited routes declare this beside the limit (see web.deps.rate_limit).
RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: problem_response("Too many requests; Retry-After says how many seconds to wait."),
}
