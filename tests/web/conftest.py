"""Fixtures of the kept-page tests (test_kept_pages.py, test_kept_members.py)."""

from __future__ import annotations

import re

import pytest


def pressed(page: str, comment_id: int) -> bool:
    form = re.search(rf'action="/c/{comment_id}/like".*?</form>', page, re.S)[0]
    return 'aria-pressed="true"' in form


@pytest.fixture
async def world(make):
    host = await make.member("host")
    group = await make.group(host, slug="rivers")
    d = await make.discussion(group, host, title="Where the Danube begins")
    c = await make.comment(d, host, body="Two small streams meet at Donaueschingen.")
    return host, group, d, c


@pytest.fixture
async def ann_and_bob(client_factory, db, make, world):
    """Two members of the group, each logged in in a browser of their own: (member, client)."""
    return [await member_client(client_factory, db, make, world[1], n) for n in ("ann", "bob")]


async def member_client(client_factory, db, make, group, name):
    m = await make.member(name, display_name=name.title() + " Person")
    await make.join(m, group)
    client = client_factory()
    await client.log_in_as(db, m)
    return m, client
