"""Shared links: one row per normalized address, fetched in the background, shown as a card.

Sharing a link never fetches it in the request: ``link_for`` stores (or finds) the row and
defers a ``fetch_link`` job; ``refresh_link`` is that job's body. "Also discussed in" matches
discussions whose links share a canonical address, so two spellings of one article meet.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from townsquare.config import Settings
from townsquare.db.models import Discussion, Group, Link, Member, utcnow
from townsquare.domain import permissions
from townsquare.domain.discussions import locate
from townsquare.domain.errors import Invalid
from townsquare.domain.events import defer
from townsquare.domain.groups import member_group_ids
from townsquare.links.errors import LinkError
from townsquare.links.fetch import FetchLimits
from townsquare.links.normalize import normalize_url

if TYPE_CHECKING:
    from townsquare.links.extract import Card

# Failures that may pass if we try again later; the rest are answers about the page itself.
TRANSIENT = {"timeout", "unreachable"}


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def normalized(raw: str) -> str:
    try:
        return normalize_url(raw)
    except ValueError as exc:
        raise Invalid({"link_url": str(exc)}) from None


async def link_for(db: AsyncSession, raw_url: str) -> Link:
    """The stored link for an address, created (with a fetch queued) if it is new.

    Commits on its own: the row is a cache of a public page, shared by every discussion
    that links it, so it may outlive a discussion that failed to post.
    """
    url = normalized(raw_url)
    key = url_hash(url)
    link = await db.scalar(select(Link).where(Link.url_hash == key))
    if link is not None:
        if link.status == "failed" and link.error_code in TRANSIENT:
            defer(db, "fetch_link", link.id)  # someone shared it again: worth another try
            await db.commit()
        return link
    link = Link(url=url, url_hash=key, canonical_hash=key, status="pending")
    db.add(link)
    try:
        await db.flush()
        defer(db, "fetch_link", link.id)
        await db.commit()
    except IntegrityError:  # shared at the same moment by someone else
        await db.rollback()
        link = await db.scalar(select(Link).where(Link.url_hash == key))
        assert link is not None
    return link


async def discussed_in_group(db: AsyncSession, group_id: int, link: Link) -> Discussion | None:
    """A live discussion of the same article in this group, if there is one."""
    return await db.scalar(
        select(Discussion)
        .join(Link, Link.id == Discussion.link_id)
        .where(
            Discussion.group_id == group_id,
            Discussion.state == "live",
            Link.canonical_hash == link.canonical_hash,
        )
        .limit(1)
    )


async def also_discussed(
    db: AsyncSession, viewer: Member | None, discussion: Discussion, limit: int = 10
) -> list[Discussion]:
    """Other live discussions of the same article in groups the viewer can read."""
    if discussion.link is None:
        return []
    readable = Group.visibility == "public"
    if viewer is not None and not permissions.is_admin(viewer):
        readable = readable | Group.id.in_(await member_group_ids(db, viewer))
    elif permissions.is_admin(viewer):
        readable = Group.id.is_not(None)
    rows = await db.scalars(
        select(Discussion)
        .join(Link, Link.id == Discussion.link_id)
        .join(Discussion.group)
        .join(Discussion.author)
        .options(contains_eager(Discussion.group), contains_eager(Discussion.author))
        .where(
            Link.canonical_hash == discussion.link.canonical_hash,
            Discussion.id != discussion.id,
            Discussion.state == "live",
            readable,
        )
        .order_by(Discussion.created_at.desc())
        .limit(limit)
    )
    return list(rows)


def reader_blocks(link: Link) -> list[tuple[str, str]]:
    return [tuple(b) for b in json.loads(link.blocks or "[]")]  # type: ignore[misc]


@dataclass
class Article:
    discussion: Discussion
    link: Link
    blocks: list[tuple[str, str]]


async def reader_view(db: AsyncSession, viewer: Member | None, discussion_id: int) -> Article:
    from townsquare.domain.errors import NotFound

    found = await locate(db, viewer, discussion_id)
    link = found.discussion.link
    if link is None or link.status != "ok" or not link.blocks:
        raise NotFound("There is no article text to show for this discussion.")
    return Article(found.discussion, link, reader_blocks(link))


async def refetch(db: AsyncSession, actor: Member | None, discussion_id: int) -> Link:
    """An admin asks for a link to be fetched again (the site was down, or has changed)."""
    found = await locate(db, actor, discussion_id)
    permissions.require(actor, "link.refetch", found.discussion)
    link = found.discussion.link
    if link is None:
        raise Invalid({"link_url": "This discussion has no link."})
    link.status = "pending"
    defer(db, "fetch_link", link.id)
    await db.commit()
    return link


def _store(link: Link, card: Card) -> None:
    link.final_url = card.final_url
    link.title = card.title
    link.site_name = card.site_name
    link.author = card.author
    link.published = card.published
    link.lead = card.lead or None
    link.image = card.image
    link.caption = card.caption
    link.text = card.text or None
    link.blocks = json.dumps(card.blocks) if card.blocks else None
    link.kind = card.kind
    link.file_type = card.file_type
    canonical = None
    if card.canonical_url:
        try:
            canonical = normalize_url(card.canonical_url)
        except ValueError:
            canonical = None
    link.canonical_url = canonical
    link.canonical_hash = url_hash(canonical) if canonical else link.url_hash
    link.status, link.error_code, link.error_reason = "ok", None, None


async def refresh_link(settings: Settings, link_id: int) -> bool:
    """Fetch and extract one link and store its card; True when a later try may succeed."""
    from townsquare.db.engine import make_engine, make_sessionmaker

    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine, settings=settings)() as db:
            link = await db.get(Link, link_id)
            if link is None:
                return False
            transient = False
            try:
                # Imported here: the extractor (trafilatura, lxml) weighs tens of MB, and
                # only the process running this job needs it, not every web worker.
                from townsquare.links.preview import card_for_url

                card = await card_for_url(link.url, FetchLimits.from_settings(settings))
                _store(link, card)
            except LinkError as exc:
                link.status, link.error_code, link.error_reason = "failed", exc.code, exc.reason
                transient = exc.code in TRANSIENT or "HTTP 5" in exc.reason
            link.attempts += 1
            link.fetched_at = utcnow()
            # Discussions shared with an empty title take the article's (or the address).
            await db.execute(
                update(Discussion)
                .where(Discussion.link_id == link.id, Discussion.title == "")
                .values(title=(link.title or link.url)[:300])
            )
            await db.commit()
            return transient
    finally:
        await engine.dispose()
