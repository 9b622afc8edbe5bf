"""The docs a newcomer reads stay true to the code."""

from pathlib import Path

from townsquare.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented_in_the_readme():
    """Each Settings field appears in the README's configuration table as its variable."""
    readme = (ROOT / "README.md").read_text()
    missing = [n for n in Settings.model_fields if f"`TOWNSQUARE_{n.upper()}`" not in readme]
    assert not missing, f"document these settings in README.md: {missing}"


def test_ci_runs_the_readmes_test_command():
    """.ci/run calls the same install-and-test command the README gives newcomers."""
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && pytest"
    assert command in readme and command in ci
    assert "TOWNSQUARE_BROWSER_TESTS=required" in ci
    assert "TOWNSQUARE_TEST_DATABASE_URL" in ci
