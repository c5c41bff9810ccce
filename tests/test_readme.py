"""The README is the landing page: short, its commands are CI's, its links resolve.

Its code examples are run, and their output compared, by ``test_docs_snippets.py``
(the README is one of its pages).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = "python3 scripts/test.py"


def test_readme_is_a_landing_page() -> None:
    assert len(README.splitlines()) <= 250
    assert "pip install cef-logging" in README
    for version in ("3.10", "3.11", "3.12", "3.13"):
        assert version in README
    assert "Apache" in README and (ROOT / "LICENSE").is_file()


def test_the_two_commands_are_shown_and_ci_runs_the_test_command() -> None:
    assert "python3 -m cef_logging demo" in README
    assert TEST_COMMAND in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    skip = ("#", "set ", "cd ")
    commands = [line for line in ci.splitlines() if line and not line.startswith(skip)]
    assert commands == [TEST_COMMAND]


def test_readme_says_what_the_test_command_installs() -> None:
    text = " ".join(README.split())
    for item in ("syslog-ng-core", "liblognorm-utils", "openssl", "de_DE.UTF-8",
                 "apt-get install --no-remove"):  # fmt: skip
        assert item in text, item
    runner = (ROOT / "scripts" / "test.py").read_text(encoding="utf-8")
    assert '"--no-remove"' in runner
    assert not re.search(r'"(remove|purge|autoremove)"', runner)


def test_relative_links_resolve() -> None:
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    local = [link for link in links if not re.match(r"[a-z]+://", link)]
    assert local, "the README links into the documentation"
    missing = [link for link in local if not (ROOT / link).exists()]
    assert not missing
