#!/usr/bin/env python3
"""Build the documentation site strictly: ``python3 scripts/docs.py [mkdocs build args]``.

Runs ``mkdocs build --strict`` from the repository root into ``site/`` (git-ignored).
Any warning fails the build: a broken link or anchor, a page missing from the nav, a
``--8<--`` snippet whose file does not exist, an API docstring mkdocstrings cannot
render. When the interpreter running this script lacks MkDocs, it uses ``.venv`` (made
by ``scripts/test.py``), creating it and installing the package with its ``docs`` extra
if needed. Exit status: mkdocs's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
SITE = ROOT / "site"


def has_docs_tools(python: str) -> bool:
    probe = "import mkdocs, mkdocstrings, pymdownx, mkdocstrings_handlers.python"
    return subprocess.call([python, "-c", probe], stderr=subprocess.DEVNULL) == 0


def docs_python() -> str:
    if has_docs_tools(sys.executable):
        return sys.executable
    python = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        print(f"+ creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if not has_docs_tools(str(python)):
        cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
               "-e", ".[docs]"]  # fmt: skip
        print("+", " ".join(cmd), flush=True)
        subprocess.check_call(cmd, cwd=ROOT)
    return str(python)


def main(argv: list[str]) -> int:
    cmd = [docs_python(), "-m", "mkdocs", "build", "--strict", "--clean",
           "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(SITE), *argv]  # fmt: skip
    print("+", " ".join(cmd), flush=True)
    code = subprocess.call(cmd, cwd=ROOT)
    print(f"documentation: {'built into ' + str(SITE) if code == 0 else 'FAILED'}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
