"""Markdown source to safe HTML, once, at write time.

CommonMark (markdown-it-py) with bare URLs turned into links, then nh3's allow-list
sanitizer: whatever a member types, only the tags below reach a page. Raw HTML in the
source is escaped by the parser and anything that slips through is dropped by nh3.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"linkify": True, "html": False}).enable(
    ["linkify", "strikethrough", "table"]
)

TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}


def cook(source: str) -> str:
    """Render member-written Markdown to sanitized HTML."""
    html = _md.render(source)
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )
