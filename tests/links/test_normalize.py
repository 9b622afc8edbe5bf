"""Normalizing shared URLs so the same article is recognised however it was copied."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from townsquare.links.normalize import host_of, is_tracking_param, normalize_url

SAME_ARTICLE = [
    ("HTTP://Example.COM/Story", "http://example.com/Story"),
    ("http://example.com", "http://example.com/"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("http://example.com:443/a", "http://example.com:443/a"),
    ("https://example.com/news/story/", "https://example.com/news/story"),
    ("https://example.com/", "https://example.com/"),
    ("https://example.com/a#comments", "https://example.com/a"),
    ("https://example.com/a?utm_source=x&utm_medium=y&utm_campaign=z", "https://example.com/a"),
    ("https://example.com/a?UTM_Content=x&utm_whatever=1", "https://example.com/a"),
    ("https://example.com/a?fbclid=abc&gclid=def&id=7", "https://example.com/a?id=7"),
    ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
    ("https://example.com/a?tag=z&page=2&tag=a", "https://example.com/a?page=2&tag=z&tag=a"),
    ("https://example.com/a?mc_cid=1&mc_eid=2&igshid=3&yclid=4&_ga=5", "https://example.com/a"),
    ("https://example.com/a?msclkid=1&dclid=2&ref_src=twsrc", "https://example.com/a"),
    ("https://example.com/a?ref=home", "https://example.com/a?ref=home"),
    ("https://example.com/a?&&q=1&", "https://example.com/a?q=1"),
    ("https://example.com/a?flag", "https://example.com/a?flag"),
    ("https://www.example.com/a", "https://www.example.com/a"),
    ("https://münchen.example/straße", "https://xn--mnchen-3ya.example/stra%C3%9Fe"),
    ("https://example.com/a b", "https://example.com/a%20b"),
    ("https://example.com/a%2f", "https://example.com/a%2F"),
    ("https://example.com./a", "https://example.com/a"),
    ("https://user:secret@example.com/a", "https://example.com/a"),
    ("  https://example.com/a  ", "https://example.com/a"),
    ("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"),
]


@pytest.mark.parametrize(("shared", "expected"), SAME_ARTICLE)
def test_normalize_url(shared, expected):
    """Each spelling normalizes to the one expected form."""
    assert normalize_url(shared) == expected


@pytest.mark.parametrize(
    "shared",
    ["ftp://example.com/file", "javascript:alert(1)", "mailto:a@example.com", "example.com/a", ""],
)
def test_non_web_addresses_are_rejected_with_a_message(shared):
    """Anything but http(s) is a ValueError a member can read."""
    with pytest.raises(ValueError, match="not a web page"):
        normalize_url(shared)


@pytest.mark.parametrize("shared", ["http://", "https:///path", "http://:80/"])
def test_addresses_without_a_host_are_rejected(shared):
    """An http address with no site name is a ValueError."""
    with pytest.raises(ValueError, match="no site name"):
        normalize_url(shared)


def test_bad_port_is_rejected():
    """A port that is not a number is a ValueError, not a crash."""
    with pytest.raises(ValueError, match="port"):
        normalize_url("http://example.com:http/")


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.example.com/a", "example.com"),
        ("https://News.Example.org/", "news.example.org"),
        ("https://münchen.example/", "xn--mnchen-3ya.example"),
        ("http://127.0.0.1:8000/", "127.0.0.1"),
    ],
)
def test_host_of_is_the_display_host(url, host):
    """host_of drops "www." and shows look-alike domains in ASCII."""
    assert host_of(url) == host


def test_tracking_parameters_are_a_named_set():
    """utm_* of any kind and the click identifiers count as tracking; ordinary names do not."""
    assert is_tracking_param("utm_anything")
    assert is_tracking_param("FBCLID")
    assert not is_tracking_param("id")
    assert not is_tracking_param("page")


_segment = st.text(alphabet="abcXYZ019-._~%/ é+", max_size=8)
_param = st.tuples(
    st.sampled_from(["a", "B", "utm_source", "fbclid", "q", "tag", "x y", "%41"]),
    st.text(alphabet="abc12=%+ ", max_size=5),
)
_urls = st.builds(
    lambda scheme, host, port, path, params, fragment: (
        f"{scheme}://{host}{port}/{path}"
        + ("?" + "&".join(f"{k}={v}" for k, v in params) if params else "")
        + (f"#{fragment}" if fragment else "")
    ),
    st.sampled_from(["http", "HTTPS", "https"]),
    st.sampled_from(["Example.com", "www.example.org.", "münchen.example", "[::1]", "10.0.0.1"]),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.lists(_segment, max_size=3).map("/".join),
    st.lists(_param, max_size=4),
    st.text(alphabet="ab#", max_size=3),
)


@given(_urls)
def test_normalizing_twice_is_normalizing_once(url):
    """normalize_url is idempotent."""
    once = normalize_url(url)
    assert normalize_url(once) == once


@given(st.text(max_size=40))
def test_arbitrary_text_normalizes_or_gives_a_value_error(text):
    """Any input either normalizes (idempotently) or raises ValueError, nothing else."""
    try:
        once = normalize_url(text)
    except ValueError:
        return
    assert normalize_url(once) == once
