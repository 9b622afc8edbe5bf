"""Without chromium the browser tests skip, unless CI requires them; these need no browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import NO_CHROMIUM, find_chromium, missing_browser


def test_missing_chromium_skips_with_the_install_hint():
    """Without chromium, and not required, the browser tests skip saying how to install it."""
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        missing_browser(required=False)


def test_missing_chromium_fails_when_browser_tests_are_required():
    """With TOWNSQUARE_BROWSER_TESTS=required a missing chromium is a failure, not a skip."""
    with pytest.raises(pytest.fail.Exception, match="TOWNSQUARE_BROWSER_TESTS=required"):
        missing_browser(required=True)


def test_chromium_is_found_on_the_path_only(monkeypatch, tmp_path):
    """Chromium is looked up on PATH, so an empty PATH means no browser."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium() is None
    assert "chromium" in NO_CHROMIUM
