"""Profanity masking for members who ask for it: words from better-profanity's word list.

better-profanity's own ``censor`` expands every word into its look-alike spellings and
takes tens of milliseconds per comment, too slow for a page of fifty. We use its
maintained word list and match whole words against a set instead (with the common
look-alike digits and symbols folded), plus one small pattern for multi-word phrases.
Masking works on cooked HTML: only text between tags changes, never tags, attributes
or character references.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

MASK = "*"
# A tag with its attributes (quoted values may hold ">"), kept as is.
_TAG = re.compile(r"""(<(?:[^>"']|"[^"]*"|'[^']*')*>)""")
# A character reference (kept as is) or a word, possibly with look-alike symbols.
_WORD = re.compile(r"&#?\w+;|[\w@$]+(?:-[\w@$]+)*")
_FOLD = str.maketrans({"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "0": "o",
                       "$": "s", "5": "s", "7": "t"})  # fmt: skip


@cache
def _lists() -> tuple[frozenset[str], re.Pattern[str] | None]:
    text = files("better_profanity").joinpath("profanity_wordlist.txt").read_text("utf-8")
    words = [w.strip().lower() for w in text.splitlines() if w.strip()]
    single = frozenset(w for w in words if " " not in w)
    phrases = sorted((w for w in words if " " in w), key=len, reverse=True)
    pattern = None
    if phrases:
        alternatives = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
        pattern = re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)
    return single, pattern


def _profane(word: str) -> bool:
    single, _ = _lists()
    lower = word.lower()
    if lower in single or lower.translate(_FOLD) in single:
        return True
    # "fuck-up": any profane part masks the whole hyphenated word.
    return "-" in lower and any(part.translate(_FOLD) in single for part in lower.split("-"))


def _mask_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.startswith("&") or not _profane(word):
        return word
    return MASK * len(word)


def mask_text(text: str) -> str:
    """Plain text with each profane word replaced by asterisks of the same length."""
    _, phrases = _lists()
    if phrases is not None:
        text = phrases.sub(lambda m: re.sub(r"\S", MASK, m.group(0)), text)
    return _WORD.sub(_mask_word, text)


def mask_html(html: str) -> str:
    """Cooked HTML with profane words masked in its text, tags and attributes untouched."""
    parts = _TAG.split(html)
    for i in range(0, len(parts), 2):  # even slots are text, odd ones tags
        if parts[i]:
            parts[i] = mask_text(parts[i])
    return "".join(parts)


def masked_for(html: str, viewer: object | None) -> str:
    """The template filter: masked only for a viewer who asked for it."""
    if viewer is not None and getattr(viewer, "mask_profanity", False):
        return mask_html(html)
    return html
