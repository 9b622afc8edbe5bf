"""Turning a fetched page into an article card and a reader view, as plain text.

Contract:

- ``Card``: ``url`` (as shared), ``final_url`` (after redirects),
  ``canonical_url`` (the page's <link rel=canonical>, absolute, not
  normalized: pass it through ``normalize_url`` to match shares; None if
  absent), ``title``, ``site_name``, ``author`` (several joined with ", "),
  ``published`` (``datetime.date``), ``lead`` (first paragraph or two, at most
  600 characters, paragraphs separated by a blank line, cut at a sentence end
  or else at a word with "…"), ``image`` (absolute http(s) URL), ``caption``,
  ``text`` (the whole article as plain text, a blank line between blocks),
  ``blocks`` (``[(kind, value)]`` with kind in ``BLOCK_KINDS``: text for "p",
  "h2", "h3", "quote", "li"; an absolute http(s) URL for "img"), ``kind``
  ("article" or "file") and ``file_type`` ("PDF", "PNG image"… for files).
  Every string is plain text, never markup from the site: escape it when
  rendering. Unknown fields are None ("" for ``lead`` and ``text``).
- ``extract(html, url, final_url=None, *, charset=None) -> Card``: for an
  HTML page (str, or bytes decoded with ``charset``, the page's own <meta
  charset>, or UTF-8). Never raises for bad markup: a page we cannot read
  gives a card with what could be found.
- ``file_card(url, final_url, content_type) -> Card``: a plain card for a
  PDF, an image or any other non-HTML answer.
- ``is_html(content_type, body) -> bool``: whether ``extract`` applies.

trafilatura finds the main text (dropping navigation, comments, related
boxes) and its metadata; OpenGraph, Twitter card and JSON-LD fill the gaps and
choose the image; our own pass over the page finds the caption and the
canonical link, which trafilatura does not report.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from posixpath import splitext
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
import trafilatura
from lxml import etree

__all__ = ["BLOCK_KINDS", "Card", "cut_text", "extract", "file_card", "is_html", "make_lead"]

log = logging.getLogger(__name__)

BLOCK_KINDS = frozenset({"p", "h2", "h3", "quote", "li", "img"})
LEAD_LIMIT = 600


@dataclass
class Card:
    """What a shared link shows: the card fields, the reader-view blocks and the full text."""

    url: str
    final_url: str
    canonical_url: str | None = None
    title: str | None = None
    site_name: str | None = None
    author: str | None = None
    published: date | None = None
    lead: str = ""
    image: str | None = None
    caption: str | None = None
    text: str = ""
    blocks: list[tuple[str, str]] = field(default_factory=list)
    kind: str = "article"
    file_type: str | None = None


# --- entry points -----------------------------------------------------------


def is_html(content_type: str, body: bytes = b"") -> bool:
    """True when the answer is a web page: by its type, or by its first bytes if it has none."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        return True
    if media:
        return False
    start = body[:512].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def file_card(url: str, final_url: str, content_type: str) -> Card:
    """A card for a link that is not a web page: its file name and kind, no text."""
    media = content_type.split(";", 1)[0].strip().lower()
    name = unquote(urlsplit(final_url).path.rstrip("/").rsplit("/", 1)[-1])
    shows_itself = media in _DISPLAYABLE_IMAGES
    return Card(
        url=url,
        final_url=final_url,
        title=name or urlsplit(final_url).hostname,
        image=final_url if shows_itself and _is_web_url(final_url) else None,
        kind="file",
        file_type=_file_type(media),
    )


def extract(
    html: str | bytes, url: str, final_url: str | None = None, *, charset: str | None = None
) -> Card:
    """The article card for an HTML page fetched from final_url (shared as url)."""
    base = final_url or url
    source = _decode(html, charset)
    page = _parse(source)
    meta = _meta_tags(page)
    ld = _json_ld(page)
    doc = _trafilatura(source, base)

    blocks = _blocks(doc, base)
    site_name = _site_name(meta, ld, doc, page, base)
    title = _title(meta, ld, doc, page, site_name)
    blocks = [b for b in blocks if not (b[0] == "h2" and title and b[1] == title)]
    # The byline is looked for before it is dropped from the reader view.
    author = _author(meta, ld, doc, [value for kind, value in blocks if kind == "p"])
    blocks = _drop_preamble(blocks)
    paragraphs = [value for kind, value in blocks if kind == "p"]
    image = _image(meta, ld, doc, blocks, base)
    return Card(
        url=url,
        final_url=base,
        canonical_url=_canonical(page, base),
        title=title,
        site_name=site_name,
        author=author,
        published=_published(meta, ld, doc, page),
        lead=make_lead(paragraphs, title=title) or cut_text(_description(meta, ld, doc) or ""),
        image=image,
        caption=_caption(page, image, meta, base, title),
        text="\n\n".join(value for kind, value in blocks if kind != "img"),
        blocks=blocks,
    )


# --- the lead ---------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s|$)")
_BYLINE = re.compile(
    r"^(?:by|words by|text by|written by|story by|reporting by|photos? by)\s+"
    r"(?P<names>[^,|•·–—\n]{3,80}?)\s*(?:[,|•·–—].*)?$",
    re.IGNORECASE,
)
_DATELINE = re.compile(
    r"^(?:published|updated|posted|last updated|last modified|first published)\b", re.I
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_BOILERPLATE = re.compile(
    r"^(?:advertisement|advert|sponsored( content)?|skip (?:advert|ad)|"
    r"share(?: this)?(?: article| story| post| page)?|share on \w+|read more|"
    r"continue reading|related(?: articles| stories| posts)?|comments?)\W*$",
    re.IGNORECASE,
)
_COOKIES = re.compile(r"\bcookies?\b|\bconsent\b", re.IGNORECASE)
_SIGNUP = re.compile(r"\b(?:sign up|subscribe|newsletter|log in to)\b", re.IGNORECASE)


def make_lead(paragraphs: list[str], *, title: str | None = None, limit: int = LEAD_LIMIT) -> str:
    """The first paragraph or two that read like article prose, at most limit characters."""
    prose = [p for p in paragraphs if _is_prose(p) and p != title]
    if not prose:
        return ""
    first = prose[0]
    if len(first) > limit:
        return cut_text(first, limit)
    # A short opening paragraph reads better with the next one, if both fit.
    if len(first) < limit // 2 and len(prose) > 1 and len(first) + 2 + len(prose[1]) <= limit:
        return f"{first}\n\n{prose[1]}"
    return first


def cut_text(text: str, limit: int = LEAD_LIMIT) -> str:
    """text if it fits, else cut at the last sentence end before limit, else at a word with "…"."""
    text = text.strip()
    if len(text) <= limit:
        return text
    window = text[: limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() <= limit]
    # A sentence end too near the start would throw most of the text away.
    if ends and ends[-1] >= limit * 0.4:
        return text[: ends[-1]]
    words = window[:limit].rsplit(None, 1)[0] if " " in window[:limit] else window[: limit - 1]
    return words.rstrip(",;:–—-( ") + "…"


def _is_prose(text: str) -> bool:
    if len(text) < 40 or len(text.split()) < 7:
        return False  # fragments: labels, captions of buttons, "Photo: …"
    if _is_preamble(text):
        return False
    if len(text) < 400 and _COOKIES.search(text):
        return False
    return not (len(text) < 200 and _SIGNUP.search(text))


def _is_preamble(text: str) -> bool:
    """Bylines, datelines and share/advert labels that sit above or inside an article."""
    if _BOILERPLATE.match(text):
        return True
    if len(text) < 120 and _BYLINE.match(text):
        return True
    if len(text) < 100 and _DATELINE.match(text):
        return True
    # "Tuesday 12 March 2024, 07:30": a date and little else.
    return len(text) < 60 and bool(_YEAR.search(text)) and len(text.split()) <= 6


def _drop_preamble(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Remove bylines and datelines before the first real paragraph, and labels anywhere."""
    kept = []
    started = False
    for kind, value in blocks:
        if kind == "p" and _BOILERPLATE.match(value):
            continue
        if kind == "p" and not started and _is_preamble(value):
            continue
        if kind == "p" and _is_prose(value):
            started = True
        kept.append((kind, value))
    return kept


# --- reading the page -------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _decode(html: str | bytes, charset: str | None) -> str:
    if isinstance(html, str):
        text = html
    else:
        text = ""
        sniffed = _META_CHARSET.search(html[:4096])
        candidates = [
            "utf-8-sig" if html.startswith(codecs.BOM_UTF8) else None,
            charset,
            sniffed.group(1).decode("ascii") if sniffed else None,
            "utf-8",
        ]
        for encoding in candidates:
            if not encoding:
                continue
            try:
                text = html.decode(encoding)
                break
            except (LookupError, UnicodeDecodeError):
                continue
        else:
            text = html.decode("utf-8", errors="replace")
    # lxml refuses a str that still declares its byte encoding.
    return _XML_DECLARATION.sub("", text, count=1)


def _parse(source: str) -> Any:
    try:
        return lxml.html.document_fromstring(source)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


def _trafilatura(source: str, base: str) -> Any:
    try:
        doc = trafilatura.bare_extraction(
            source,
            url=base,
            include_comments=False,
            include_images=True,
            include_tables=True,
            include_formatting=False,
            include_links=False,
            with_metadata=True,
            deduplicate=False,
        )
        if doc is None:
            # Too little text to call it an article; the metadata may still be there.
            doc = trafilatura.extract_metadata(source, default_url=base)
        return doc
    except Exception:
        # A third-party parser on hostile input: a card with less beats a failed job.
        log.warning("trafilatura failed on %s", base, exc_info=True)
        return None


def _meta_tags(page: Any) -> dict[str, str]:
    """First content of each <meta property|name|itemprop>, keys lower-cased."""
    found: dict[str, str] = {}
    for el in page.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop")
        value = _clean(el.get("content") or "")
        if key and value and key.lower() not in found:
            found[key.lower()] = value
    return found


_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "liveblogposting",
    "techarticle",
    "scholarlyarticle",
    "report",
    "socialmediaposting",
}


def _json_ld(page: Any) -> dict[str, Any]:
    """What the JSON-LD blocks say about the article (and the site), flattened."""
    article: dict[str, Any] = {}
    site: dict[str, Any] = {}
    for script in page.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text_content() or "")
        except ValueError:
            continue  # hand-written JSON-LD is often broken; the other sources remain
        for node in _ld_nodes(data):
            types = {t.lower() for t in _as_list(node.get("@type")) if isinstance(t, str)}
            if types & _ARTICLE_TYPES and not article:
                article = node
            elif "website" in types and not site:
                site = node
    publisher = article.get("publisher") if article else None
    return {
        "headline": _ld_text(article.get("headline") or article.get("name")),
        "authors": [n for n in (_ld_name(a) for a in _as_list(article.get("author"))) if n],
        "published": _ld_text(article.get("datePublished") or article.get("dateCreated")),
        "image": _ld_image(article.get("image") or article.get("thumbnailUrl")),
        "publisher": _ld_name(publisher) if publisher else None,
        "site": _ld_text(site.get("name")),
        "description": _ld_text(article.get("description")),
    }


def _ld_nodes(data: Any) -> Iterator[dict[str, Any]]:
    for item in _as_list(data):
        if isinstance(item, dict):
            yield item
            yield from _ld_nodes(item.get("@graph"))


def _ld_text(value: Any) -> str | None:
    return _clean(value) or None if isinstance(value, str) else None


def _ld_name(value: Any) -> str | None:
    if isinstance(value, str):
        name = _clean(value)
    elif isinstance(value, dict):
        name = _clean(str(value.get("name") or ""))
    else:
        return None
    return None if not name or _looks_like_url(name) else name


def _ld_image(value: Any) -> str | None:
    for item in _as_list(value):
        if isinstance(item, str) and item.strip():
            return item.strip()
        if isinstance(item, dict):
            url = item.get("url") or item.get("contentUrl")
            if isinstance(url, str) and url.strip():
                return url.strip()
    return None


# --- choosing each field ----------------------------------------------------

_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ")


def _title(meta: dict, ld: dict, doc: Any, page: Any, site_name: str | None) -> str | None:
    head_title = page.find(".//title")
    candidates = [
        meta.get("og:title"),
        ld["headline"],
        getattr(doc, "title", None),
        meta.get("twitter:title"),
        _clean(head_title.text_content()) if head_title is not None else None,
    ]
    for candidate in candidates:
        if candidate:
            return _strip_site(_clean(candidate), site_name)
    return None


def _strip_site(title: str, site_name: str | None) -> str:
    """ "Story | The Ledger" becomes "Story" when the site is The Ledger."""
    if not site_name:
        return title
    for sep in _TITLE_SEPARATORS:
        suffix = f"{sep}{site_name}"
        if title.lower().endswith(suffix.lower()) and len(title) > len(suffix):
            return title[: -len(suffix)].strip()
    return title


def _site_name(meta: dict, ld: dict, doc: Any, page: Any, base: str) -> str | None:
    host = (urlsplit(base).hostname or "").lower()
    trafilatura_site = getattr(doc, "sitename", None)
    # trafilatura falls back to the host name; the card shows the domain anyway.
    if trafilatura_site and trafilatura_site.lower().removeprefix("www.") in (
        host,
        host.removeprefix("www."),
    ):
        trafilatura_site = None
    for candidate in (
        meta.get("og:site_name"),
        ld["publisher"],
        ld["site"],
        meta.get("application-name"),
        trafilatura_site,
        _site_from_title(page),
    ):
        if candidate and not _looks_like_url(candidate):
            return _clean(candidate)
    return None


def _site_from_title(page: Any) -> str | None:
    """The "Site" in "Story – Site" when the page's <h1> is the "Story" part."""
    head_title = page.find(".//title")
    heading = page.find(".//h1")
    if head_title is None or heading is None:
        return None
    title, story = _clean(head_title.text_content()), _clean(heading.text_content())
    for sep in _TITLE_SEPARATORS:
        if title.startswith(story + sep):
            return title[len(story) + len(sep) :].strip() or None
    return None


def _author(meta: dict, ld: dict, doc: Any, paragraphs: list[str]) -> str | None:
    if ld["authors"]:
        return ", ".join(dict.fromkeys(ld["authors"]))
    for key in (
        "author",
        "article:author",
        "byl",
        "parsely-author",
        "sailthru.author",
        "dc.creator",
    ):
        value = meta.get(key)
        if value and not _looks_like_url(value):
            return _byline_names(value) or value
    found = getattr(doc, "author", None)
    if found:
        return ", ".join(name.strip() for name in found.split(";") if name.strip())
    # Last resort: a "By …" line at the top of the text.
    for text in paragraphs[:4]:
        names = _byline_names(text) if len(text) < 120 else None
        if names:
            return names
    return None


def _byline_names(text: str) -> str | None:
    match = _BYLINE.match(_clean(text))
    if not match:
        return None
    names = [n.strip() for n in re.split(r"\s+(?:and|&)\s+", match.group("names")) if n.strip()]
    # Names are a few capitalised words; "By the river, …" is not a byline.
    if all(1 <= len(n.split()) <= 4 and all(w[:1].isupper() for w in n.split()) for n in names):
        return ", ".join(names)
    return None


_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "citation_publication_date",
    "parsely-pub-date",
    "sailthru.date",
)
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


def _published(meta: dict, ld: dict, doc: Any, page: Any) -> date | None:
    candidates = [meta.get(key) for key in _PUBLISHED_META]
    candidates.insert(1, ld["published"])
    candidates += _time_elements(page)
    candidates.append(getattr(doc, "date", None))
    for candidate in candidates:
        parsed = _parse_date(candidate)
        if parsed:
            return parsed
    return None


def _time_elements(page: Any) -> list[str]:
    """<time datetime> marked as the publication date, else the first in the article header."""
    marked = page.xpath("//time[@datetime][@itemprop='datePublished' or @pubdate]/@datetime")
    headed = page.xpath(
        "(//article//header//time[@datetime] | //article/*[1]//time[@datetime])/@datetime"
    )
    return [str(v) for v in marked + headed]


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    match = _ISO_DATE.match(value.strip())
    if not match:
        return None
    try:
        found = date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return found if found.year >= 1900 else None


def _description(meta: dict, ld: dict, doc: Any) -> str | None:
    for candidate in (
        meta.get("og:description"),
        meta.get("description"),
        meta.get("twitter:description"),
        ld["description"],
        getattr(doc, "description", None),
    ):
        if candidate:
            return _clean(candidate)
    return None


def _canonical(page: Any, base: str) -> str | None:
    for link in page.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels and link.get("href"):
            return _absolute(link.get("href"), base)
    return None


def _image(meta: dict, ld: dict, doc: Any, blocks: list[tuple[str, str]], base: str) -> str | None:
    body_images = [value for kind, value in blocks if kind == "img"]
    for candidate in (
        meta.get("og:image:secure_url"),
        meta.get("og:image"),
        meta.get("og:image:url"),
        meta.get("twitter:image"),
        meta.get("twitter:image:src"),
        ld["image"],
        getattr(doc, "image", None),
        *body_images[:1],
    ):
        url = _absolute(candidate, base) if candidate else None
        if url:
            return url
    return None


# --- the caption ------------------------------------------------------------

# Size markers sites add to one picture's many renditions: "-1024x768", "_800",
# "@2x", "-800w". Removed before comparing, with the query and the extension.
_SIZE_SUFFIX = re.compile(r"(?:[-_@.](?:\d{2,5}x\d{2,5}|\d{2,5}w|w\d{2,5}|\d{2,5}|\d(?:\.\d)?x))+$")
_GENERIC_ALT = re.compile(
    r"^(?:image|photo|picture|img|logo|thumbnail|featured image|hero)\b", re.I
)


def _caption(page: Any, image: str | None, meta: dict, base: str, title: str | None) -> str | None:
    if not image:
        return None
    wanted = _image_key(image)
    alts = []
    for figure in page.iter("figure"):
        sources = list(_figure_sources(figure))
        if not any(_image_key(_absolute(src, base) or src) == wanted for src in sources):
            continue
        captions = figure.findall(".//figcaption")
        if captions:
            text = _clean(captions[0].text_content())
            if text:
                return text
        alts += [img.get("alt") or "" for img in figure.iter("img")]
    for alt in [meta.get("og:image:alt"), meta.get("twitter:image:alt"), *alts]:
        if alt and _reads_like_caption(_clean(alt), title):
            return _clean(alt)
    return None


def _figure_sources(figure: Any) -> Iterator[str]:
    for el in figure.iter("img", "source"):
        for attr in ("src", "data-src", "data-original", "data-lazy-src"):
            if el.get(attr):
                yield el.get(attr).strip()
        for attr in ("srcset", "data-srcset"):
            for entry in (el.get(attr) or "").split(","):
                if entry.strip():
                    yield entry.split()[0]


def _image_key(url: str) -> str:
    """One key for every rendition of a picture: its path without size, query or extension."""
    path = unquote(urlsplit(url).path).lower()
    stem, _ext = splitext(path)
    return _SIZE_SUFFIX.sub("", stem) or stem


def _reads_like_caption(text: str, title: str | None) -> bool:
    """Alt text worth showing: a described scene, not "photo" or a file name."""
    if len(text) < 25 or len(text.split()) < 4 or _GENERIC_ALT.match(text):
        return False
    if re.search(r"\.(?:jpe?g|png|gif|webp|avif)$", text, re.I):
        return False
    return not (title and text.lower() == title.lower())


# --- the reader view --------------------------------------------------------


def _blocks(doc: Any, base: str) -> list[tuple[str, str]]:
    body = getattr(doc, "body", None)
    if body is None:
        return []
    blocks: list[tuple[str, str]] = []
    _walk(body, base, blocks)
    return blocks


def _walk(element: Any, base: str, out: list[tuple[str, str]]) -> None:
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "head":
            rend = (child.get("rend") or "h2").lower()
            _add(out, "h2" if rend in ("h1", "h2") else "h3", _text_of(child))
        elif tag == "quote":
            _add(out, "quote", _text_of(child, sep="\n"))
        elif tag == "list":
            for item in child.iter("item"):
                _add(out, "li", _text_of(item, skip=("list",)))
        elif tag == "graphic":
            _add_image(out, child, base)
        elif tag == "table":
            for row in child.iter("row"):
                cells = [_text_of(cell) for cell in row.iter("cell")]
                _add(out, "p", " | ".join(c for c in cells if c))
        elif tag in ("div", "section", "article", "main"):
            _walk(child, base, out)
        elif tag:
            _add(out, "p", _text_of(child, skip=("graphic",)))
            for graphic in child.iter("graphic"):
                _add_image(out, graphic, base)


def _add(out: list[tuple[str, str]], kind: str, value: str) -> None:
    if value:
        out.append((kind, value))


def _add_image(out: list[tuple[str, str]], graphic: Any, base: str) -> None:
    url = _absolute(graphic.get("src"), base)
    if url:
        out.append(("img", url))


def _text_of(element: Any, sep: str = " ", skip: tuple[str, ...] = ()) -> str:
    """The element's text with whitespace collapsed; nested paragraphs joined by sep."""
    parts: list[str] = []

    def visit(el: Any) -> None:
        if el.text:
            parts.append(el.text)
        for child in el:
            if isinstance(child.tag, str) and child.tag in skip:
                pass
            elif isinstance(child.tag, str) and child.tag == "p" and sep != " ":
                parts.append(sep)
                visit(child)
                parts.append(sep)
            elif isinstance(child.tag, str) and child.tag == "lb":
                parts.append(" ")
            else:
                visit(child)
            if child.tail:
                parts.append(child.tail)

    visit(element)
    text = "".join(parts)
    if sep == " ":
        return _clean(text)
    return "\n".join(line for line in (_clean(x) for x in text.split(sep)) if line)


# --- small helpers ----------------------------------------------------------

_FILE_TYPES = {
    "application/pdf": "PDF",
    "application/epub+zip": "EPUB book",
    "application/zip": "ZIP archive",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.ms-excel": "spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheet",
    "application/json": "JSON",
    "text/plain": "text file",
    "text/csv": "CSV file",
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "image/gif": "GIF image",
    "image/webp": "WebP image",
    "image/avif": "AVIF image",
    "image/svg+xml": "SVG image",
}
# Images a browser shows safely as the card's own picture (not SVG, which can script).
_DISPLAYABLE_IMAGES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"}


def _file_type(media: str) -> str:
    if media in _FILE_TYPES:
        return _FILE_TYPES[media]
    major, _, minor = media.partition("/")
    if major in ("image", "video", "audio"):
        return f"{minor.split('+')[0].upper()} {major}" if minor else major
    if minor:
        return minor.split("+")[0].rsplit(".", 1)[-1].removeprefix("x-").upper()
    return "file"


def _absolute(value: str | None, base: str) -> str | None:
    """value made absolute against base, if it is then an http(s) URL."""
    if not value:
        return None
    value = value.strip()
    try:
        url = urljoin(base, value)
    except ValueError:
        return None
    return url if _is_web_url(url) else None


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _looks_like_url(text: str) -> bool:
    return bool(re.match(r"^(?:https?:)?//|^www\.", text.strip(), re.I))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
