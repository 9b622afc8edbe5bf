"""No form inside a paragraph: an HTML parser ends a <p> where a <form> starts, so the
button drops out of its line, onto one of its own and in the page's type size (the
article card's "Fetch again" did). Buttons that post (``post_button``) are forms."""

from __future__ import annotations

import re
from pathlib import Path

import townsquare

TEMPLATES = Path(townsquare.__file__).parent / "web" / "templates"
PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL)


def test_no_template_puts_a_form_inside_a_paragraph():
    found = [
        f"{path.relative_to(TEMPLATES)}: {m.group(0)[:80]!r}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for m in PARAGRAPH.finditer(path.read_text())
        if "<form" in m.group(1) or "post_button(" in m.group(1) or re.search(r"<p\b", m.group(1))
    ]
    assert found == []
