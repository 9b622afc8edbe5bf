"""Helpers for API tests: bearer-token headers for a member, and problem-body checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Member
from townsquare.domain import accounts

Auth = Callable[[Member], Awaitable[dict[str, str]]]


@pytest.fixture
def auth(db: AsyncSession) -> Auth:
    """auth(member) -> headers carrying a fresh API token for that member."""

    async def headers(member: Member) -> dict[str, str]:
        token = await accounts.open_session(db, member, days=None, kind="api", label="test")
        return {"Authorization": f"Bearer {token}"}

    return headers


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


@pytest.fixture
def problem() -> Callable[[httpx.Response, int], dict[str, Any]]:
    """problem(response, status): assert an RFC 9457 problem with that status; its body."""
    return _problem
