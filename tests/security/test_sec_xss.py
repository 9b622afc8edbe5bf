"""Known XSS payloads and generated Markdown, through the Markdown cooker and through every
page that shows member-written or fetched text: nothing executable comes out the other end."""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from townsquare.db.models import Link, Member, Membership
from townsquare.domain import comments, discussions, governance
from townsquare.text.markdown import ATTRIBUTES, TAGS, cook
from townsquare.text.profanity import mask_html

B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    "<img src=x onerror=alert(1)>",
    '<IMG SRC="javascript:alert(1)">',
    '<img src="jav&#x09;ascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    f'<object data="data:text/html;base64,{B64_SCRIPT}"></object>',
    '<embed src="javascript:alert(1)">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="width: expression(alert(1))">x</div>',
    "<x style=\"background:url('javascript:alert(1)')\">x</x>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6a;&#x61;vascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](VBScript:msgbox(1))",
    f"[click](data:text/html;base64,{B64_SCRIPT})",
    "[click](DATA:text/html,<script>alert(1)</script>)",
    "[ref][r]\n\n[r]: javascript:alert(1)",
    "![pic](javascript:alert(1))",
    "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x" onerror="alert(1)](https://example.org/a.png)',
    '[x](https://example.org/" onmouseover="alert(1))',
    '[x](https://example.org "t\\" onmouseover=alert(1) x=\\"")',
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "    <iframe src=//evil.example></iframe>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<<script>script>alert(1)<</script>/script>",
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<details open ontoggle=alert(1)>",
    '<base href="javascript:/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "*<img src=x onerror=alert(1)>*",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "> <iframe src=//evil.example>",
    '<video><source onerror="alert(1)"></video>',
    "\u202e<script>alert(1)</script>",
    "www.example.org/<script>alert(1)</script>",
    "https://example.org/?q=<svg/onload=alert(1)>",
    "{{ 7+7 }} {% raw %} ${7+7}",
]
SHORT = [p for p in PAYLOADS if len(p) <= 60]  # fits a display name or a group name

FORBIDDEN = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "style",
             "base", "svg", "math", "video", "audio", "source", "noscript", "isindex"}  # fmt: skip
URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset")
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.I)
CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def assert_safe(html: str, where: str, *, page: bool = True) -> None:
    """Nothing in this HTML would run script: no dangerous elements, handlers or addresses."""
    tree = lxml.html.document_fromstring(html) if page else lxml.html.fragment_fromstring(
        html or "<p></p>", create_parent="div"
    )  # fmt: skip
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag == "script":  # the site's own scripts: files from /static/, nothing inline
            assert page and (el.get("src") or "").startswith("/static/"), f"{where}: <script>"
            assert not (el.text or "").strip(), f"{where}: inline script"
        elif tag in ("meta", "link"):
            assert page and el.getparent().tag == "head", f"{where}: <{tag}> in the body"
            assert not el.get("http-equiv"), f"{where}: <meta http-equiv>"
        else:
            assert tag not in FORBIDDEN, f"{where}: a <{tag}> element"
        for attr, value in el.attrib.items():
            name = attr.lower()
            assert not name.startswith("on"), f"{where}: {name}= on <{tag}>"
            if name in URL_ATTRS:
                assert not BAD_SCHEME.match(CONTROL.sub("", value)), f"{where}: {name}={value!r}"
            if name == "style":
                squeezed = CONTROL.sub("", value).lower()
                assert "expression(" not in squeezed and "javascript:" not in squeezed, where
        if tag == "form":
            assert (el.get("action") or "/").startswith("/"), f"{where}: form to elsewhere"


def assert_cooked_safe(source: str) -> None:
    """The cooker's output: only allow-listed tags and attributes, and safe on every count."""
    html = cook(source)
    assert_safe(html, repr(source), page=False)
    tree = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    for el in tree.iter():
        if el is tree or not isinstance(el.tag, str):
            continue
        assert el.tag in TAGS, (source, el.tag)
        allowed = ATTRIBUTES.get(el.tag, set()) | ({"rel"} if el.tag == "a" else set())
        assert set(el.attrib) <= allowed, (source, el.tag, dict(el.attrib))
        for attr in ("href", "src"):
            if el.get(attr) is not None:
                assert el.get(attr).split(":", 1)[0].lower() in ("http", "https", "mailto") or (
                    ":" not in el.get(attr).split("/", 1)[0]
                ), (source, el.get(attr))
    assert_safe(mask_html(html), f"masked {source!r}", page=False)


def test_known_payloads_cook_to_safe_html():
    """Each payload alone, inside emphasis, in a list item and in a quote."""
    for payload in PAYLOADS:
        for source in (payload, f"*{payload}*", f"- {payload}", f"> {payload}", f"x {payload} y"):
            assert_cooked_safe(source)


def test_template_syntax_in_a_body_stays_text():
    """Jinja or shell syntax a member types is shown, never evaluated."""
    html = cook("{{ 7+7 }} ${7+7}")
    assert "{{ 7+7 }}" in html and "14" not in html


FRAGMENTS = [
    "<", ">", "<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:", "JaVaScRiPt:",
    "vbscript:", "data:text/html,", "&#106;", "&#x6a;", "&colon;", "&#58;", "[", "]", "(", ")",
    "![", "](", "<a href=", '"', "'", "`", "```", "\n", "\n\n", "    ", "> ", "- ", "1. ", "*",
    "_", "~~", "|", "---", "\\", "onerror=", " onload=", "style=", "expression(", "url(", "<svg",
    "<iframe", "https://example.org/", "www.example.org", "mailto:", "\t", "\x00", "\u202e",
]  # fmt: skip
markdown = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet="abcjsvrpt:/=<>\"' ", max_size=8)),
    max_size=25,
).map("".join)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(markdown)
def test_generated_markdown_cooks_to_safe_html(source):
    """Random mixes of Markdown syntax and attack fragments: the same guarantees."""
    assert_cooked_safe(source)


async def _hostile_world(db: Any, make: Any) -> dict[str, Any]:
    """A public group whose name, texts, discussions, comments, members and article card are
    all payloads; Alice's discussion draws notifications from members with hostile names."""
    alice = await make.member("alice")
    group = await make.group(alice, slug="hostile")
    await governance.update_settings(
        db, alice, "hostile", name="Hostile <script>alert(1)</script>",
        description="\n".join(PAYLOADS)[:1000], rules="\n\n".join(PAYLOADS)[:10_000],
    )  # fmt: skip
    target = await discussions.start_discussion(
        db, alice, group_slug="hostile", title="<img src=x onerror=alert(1)> zebra",
        body="\n\n".join(f"zebra{i}\n\n{p}" for i, p in enumerate(PAYLOADS)),
    )  # fmt: skip
    # Members with hostile display names, added in one go; a few of them comment (which
    # notifies Alice), with the payloads in a handful of comments.
    hostile = [Member(name=f"m{i}", display_name=p, email=f"m{i}@example.org",
                      password_hash="x") for i, p in enumerate(SHORT)]  # fmt: skip
    db.add_all(hostile)
    await db.flush()
    db.add_all(Membership(group_id=group.id, member_id=m.id) for m in hostile)
    await db.commit()
    chunk = -(-len(PAYLOADS) // 6)
    for n in range(6):
        body = "\n\n".join(
            f"zebra{i} said\n\n{PAYLOADS[i]}"
            for i in range(n * chunk, min(len(PAYLOADS), (n + 1) * chunk))
        )
        last = await comments.add_comment(db, hostile[n * 7], target.id, body=body)
    for payload in PAYLOADS[::12]:  # titles too, each a discussion of its own
        await discussions.start_discussion(db, hostile[0], group_slug="hostile",
                                           title=payload[:200], body=payload)  # fmt: skip
    link = Link(url="https://example.org/a", url_hash="x" * 64, canonical_hash="x" * 64,
                status="ok", kind="article", title=PAYLOADS[0], site_name=PAYLOADS[3],
                author=PAYLOADS[6], lead="\n\n".join(PAYLOADS), caption=PAYLOADS[8],
                image='https://example.org/i.png" onerror="alert(1)',
                blocks='[["p", "<script>alert(1)</script>"], ["h2", "<svg onload=alert(1)>"], '
                       '["img", "javascript:alert(1)"], ["img", "https://x\\" onerror=\\"alert(1)"]]',
                final_url="https://example.org/a?<script>")  # fmt: skip
    db.add(link)
    await db.flush()
    shared = await discussions.start_discussion(db, alice, group_slug="hostile",
                                                title="Shared", body="")  # fmt: skip
    shared.link_id = link.id
    await db.commit()
    return {"alice": alice, "target": target, "shared": shared, "comment": last}


async def test_hostile_text_is_inert_on_every_page(client, db, make):
    """Group, discussion, card, reader view, profile, search, notifications, review: all safe,
    and the payloads really are on those pages (as text)."""
    w = await _hostile_world(db, make)
    d, shared = w["target"], w["shared"]
    await client.log_in_as(db, w["alice"])
    pages = ["/", "/groups", "/g/hostile", f"/d/{d.id}", f"/d/{shared.id}",
             f"/d/{shared.id}/card", f"/d/{shared.id}/article", "/u/alice",
             "/u/alice?tab=comments", "/u/m3", "/search?q=zebra", "/notifications",
             "/g/hostile/members", "/g/hostile/settings", f"/d/{d.id}/edit",
             f"/c/{w['comment'].id}/live", f"/c/{w['comment'].id}/reply",
             "/search?q=%3Cscript%3Ealert(1)%3C/script%3E"]  # fmt: skip
    seen = ""
    for url in pages:
        r = await client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        assert_safe(r.text, url)
        seen += r.text
    for i in range(len(PAYLOADS)):
        assert f"zebra{i}" in seen, f"payload {i} never reached a page"
    assert "alert(1)" in seen and "{{ 7+7 }}" in seen  # shown, as text
    members = lxml.html.document_fromstring((await client.get("/g/hostile/members")).text)
    shown = members.text_content()
    assert all(name in shown for name in SHORT), "a hostile display name is not shown as text"

    # The same with profanity masking on, which rewrites cooked HTML as it is shown.
    await db.execute(update(Member).where(Member.id == w["alice"].id).values(mask_profanity=True))
    await db.commit()
    for url in (f"/d/{d.id}", "/g/hostile"):
        assert_safe((await client.get(url)).text, f"{url} masked")


async def test_hostile_text_waiting_for_review_is_inert(client, db, make, settings):
    """The review queue shows pending posts' cooked bodies to moderators."""
    settings.review_below_level = 2
    admin = await make.member("boss", role="admin")
    newcomer = await make.member("newbie")
    await make.group(admin, slug="queue", members=(newcomer,))
    for payload in PAYLOADS[:20]:
        await discussions.start_discussion(db, newcomer, group_slug="queue",
                                           title=payload[:200], body=payload)  # fmt: skip
    await client.log_in_as(db, admin)
    r = await client.get("/review")
    assert r.status_code == 200 and "alert(1)" in r.text
    assert_safe(r.text, "/review")


async def test_the_api_answers_json_not_html(client, db, make):
    """Hostile text in the API is data in a JSON document the browser will not render."""
    member = await make.member("m", display_name=PAYLOADS[0])
    group = await make.group(member)
    d = await make.discussion(group, member, title=PAYLOADS[3], body=PAYLOADS[0])
    for url in (f"/api/v1/discussions/{d.id}", "/api/v1/members/m", "/api/v1/search?q=alert"):
        r = await client.get(url)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json", url
        assert r.headers["x-content-type-options"] == "nosniff"


REFLECTED = '"><script>alert(1)</script><img src=x onerror=alert(1)>'


async def test_what_the_address_carries_is_never_reflected_as_markup(client, db, make):
    """Query parameters the pages echo (next=, q=, tabs, cursors) come back escaped."""
    alice = await make.member("alice")
    await make.group(alice, slug="alpha")
    await client.log_in_as(db, alice)
    for path, param in (("/", "tab"), ("/", "period"), ("/g/alpha", "period"),
                        ("/g/alpha", "before"), ("/search", "q"), ("/notifications", "before"),
                        ("/u/alice", "tab"), ("/u/alice", "before")):  # fmt: skip
        r = await client.get(path, params={param: REFLECTED, "tab": "top"} if param == "period"
                             else {param: REFLECTED})  # fmt: skip
        assert r.status_code in (200, 400, 404, 422), (path, param, r.status_code)
        assert_safe(r.text, f"{path}?{param}=")
    client.cookies.clear()
    for path in ("/login", "/signup"):
        r = await client.get(path, params={"next": REFLECTED})
        assert r.status_code == 200
        assert_safe(r.text, f"{path}?next=")
