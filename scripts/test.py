#!/usr/bin/env python3
"""Install what the test suite needs and run it: ``python3 scripts/test.py [pytest args]``.

Works on a fresh machine that has only python3:

1. as root, installs the system packages the integration tests use when they are
   missing (Debian: ``syslog-ng-core`` and ``liblognorm-utils``; ``openssl``) and
   generates a German locale for the locale-independence test; not root or no
   apt-get: those tests skip, saying why;
2. creates ``.venv`` next to this repository (once) and installs the package with
   its ``test`` and ``structlog`` extras into it;
3. runs ``mypy --strict cef_logging``, ``ruff check`` and then pytest, and exits
   non-zero if any of them fails.

Set ``CEF_LOGGING_SKIP_SYSTEM=1`` to skip step 1 and ``CEF_LOGGING_SKIP_LINT=1`` to skip
mypy and ruff.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
SYSTEM_PACKAGES = {"syslog-ng": "syslog-ng-core", "lognormalizer": "liblognorm-utils",
                   "openssl": "openssl"}  # fmt: skip


def run(cmd: list[str], **kwargs: object) -> int:
    print("+", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT, **kwargs)  # type: ignore[call-overload, no-any-return]


def install_system_packages() -> None:
    missing = [pkg for tool, pkg in SYSTEM_PACKAGES.items() if shutil.which(tool) is None]
    if not missing or os.environ.get("CEF_LOGGING_SKIP_SYSTEM"):
        return
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(f"note: {', '.join(missing)} missing and cannot be installed here (needs root "
              "and apt-get); the integration tests that need them will skip", flush=True)
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if run(["apt-get", "update", "-qq"], env=env) != 0 or run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env
    ) != 0:
        print("warning: apt-get failed; dependent integration tests will skip", flush=True)


def install_test_locale() -> None:
    """A non-English locale, so the test that ArcSight month names stay English runs."""
    if os.environ.get("CEF_LOGGING_SKIP_SYSTEM") or shutil.which("localedef") is None:
        return
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    listing = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False)
    if "de_DE" in listing.stdout:
        return
    run(["localedef", "-i", "de_DE", "-c", "-f", "UTF-8", "de_DE.UTF-8"])


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def main(argv: list[str]) -> int:
    install_system_packages()
    install_test_locale()
    python = venv_python()
    if not python.exists():
        print(f"+ creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if run([*pip, "-e", ".[test,structlog]"]) != 0:
        return 1
    status = 0
    if not os.environ.get("CEF_LOGGING_SKIP_LINT"):
        status |= run([str(python), "-m", "mypy", "--strict", "cef_logging"])
        status |= run([str(python), "-m", "ruff", "check", "."])
    status |= run([str(python), "-m", "pytest", *argv])
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
