"""The Jinja2 environment: filters for dates and counts, and helpers templates may call."""

from __future__ import annotations

import functools
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.templating import Jinja2Templates
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from townsquare.config import Settings
from townsquare.domain import permissions
from townsquare.text.profanity import masked_for
from townsquare.web import keptpages
from townsquare.web.security import csrf_token

TEMPLATES = Path(__file__).parent / "templates"


def short_date(when: datetime, now: datetime | None = None) -> str:
    """'Oct 16' this year, 'Oct 16, 2024' otherwise (dates are shown in UTC)."""
    now = now or datetime.now(UTC)
    label = f"{when:%b} {when.day}"
    return label if when.year == now.year else f"{label}, {when.year}"


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 reply', '3 replies'."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def page_links(page: int, pages: int) -> list[int | None]:
    """Page numbers to link, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
    keep = {1, pages, *range(page - 2, page + 3)}
    links: list[int | None] = []
    for n in range(1, pages + 1):
        if n in keep:
            links.append(n)
        elif links and links[-1] is not None:
            links.append(None)
    return links


def domain(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


class LivePolicy:
    """The level gates as templates see them, read from the settings at each use."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def review_below_level(self) -> int:
        return self._settings.review_below_level

    @property
    def group_create_level(self) -> int:
        return self._settings.group_create_level


STATIC = Path(__file__).parent / "static"


@functools.cache
def asset_version(name: str) -> str:
    """A short hash of a static file's bytes: its URL changes exactly when the file does."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """``/static/<name>?v=<hash>``: browsers may keep it for a year (see ``web/assets.py``)."""
    return f"/static/{name}?v={asset_version(name)}"


class SharedBytecodeCache(FileSystemBytecodeCache):
    """The file cache, with what it read or wrote also kept in memory for the process."""

    _memory: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._memory.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)
            return
        super().load_bytecode(bucket)
        if bucket.code is not None:
            self._memory[bucket.key] = bucket.bytecode_to_string()

    def dump_bytecode(self, bucket: Bucket) -> None:
        super().dump_bytecode(bucket)
        self._memory[bucket.key] = bucket.bytecode_to_string()


def _bytecode_dir(settings: Settings) -> Path:
    where = settings.data_dir / "cache" / "templates"
    where.mkdir(parents=True, exist_ok=True)
    return where


def make_templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES)
    env = templates.env
    env.auto_reload = False  # templates ship with the package; no stat() per include
    # Compiled templates are kept on disk, so a new worker starts without compiling them,
    # and in this process, so a second app (a test's) does not compile them again.
    env.bytecode_cache = SharedBytecodeCache(str(_bytecode_dir(settings)))
    env.filters["short_date"] = short_date
    env.filters["iso"] = lambda when: when.isoformat(timespec="seconds")
    env.filters["long_date"] = lambda day: f"{day:%b} {day.day}, {day.year}"
    env.filters["full_date"] = lambda when: f"{when:%A %d %B %Y, %H:%M} UTC"
    env.globals["plural"] = plural
    env.globals["can"] = permissions.can
    env.globals["why_not"] = permissions.why_not
    env.globals["policy"] = LivePolicy(settings)
    env.globals["page_links"] = page_links
    env.globals["static_url"] = static_url
    env.filters["domain"] = domain
    env.filters["masked"] = masked_for  # profanity masking, for viewers who turned it on
    env.globals["site_name"] = settings.site_name
    env.globals["csrf_token"] = lambda request: csrf_token(request)
    env.globals["viewer_of"] = lambda request: getattr(request.state, "viewer", None)
    env.globals["kept"] = keptpages.is_kept  # rendering a page to keep for other members
    env.globals["slot"] = keptpages.slot
    env.globals["unread_of"] = lambda request: getattr(request.state, "unread_count", 0)
    return templates
