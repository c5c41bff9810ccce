"""``scripts/test.py`` never harms the host and finds the Pythons it promises.

The system-package step runs against a stand-in ``apt-get`` placed first on ``PATH`` (the
real one would change this machine): it records its arguments and, like the real apt with
``--no-remove``, refuses a package whose installation would remove another.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "scripts" / "test.py"

FAKE_APT = """#!/bin/sh
echo "$@" >> "$APT_LOG"
case "$*" in
  *syslog-ng-core*)
    echo "The following packages will be REMOVED:"
    echo "  rsyslog"
    echo "E: Packages need to be removed but remove is disabled." >&2
    exit 100 ;;
esac
exit 0
"""


def call_runner(function: str, path: str, **env: str) -> str:
    code = (
        "import runpy; "
        f"runpy.run_path({str(RUNNER)!r}, run_name='test_py')[{function!r}]()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True,
        env=dict(os.environ, PATH=path, **env),
    )  # fmt: skip
    return proc.stdout


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="runs as root only")
def test_system_packages_only_with_no_remove_and_refusals_skipped(tmp_path: Path) -> None:
    fakebin = tmp_path / "bin"
    fakebin.mkdir()
    apt = fakebin / "apt-get"
    apt.write_text(FAKE_APT, encoding="utf-8")
    apt.chmod(0o755)
    log = tmp_path / "apt.log"
    # PATH holds only the stand-in: syslog-ng, lognormalizer and openssl all look missing.
    out = call_runner("install_system_packages", str(fakebin), APT_LOG=str(log))
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls[0].split() == ["update", "-qq"]
    installs = [call.split() for call in calls[1:]]
    assert [call[-1] for call in installs] == ["syslog-ng-core", "liblognorm-utils", "openssl"]
    for call in installs:
        assert call[0] == "install" and "--no-remove" in call and "--no-upgrade" in call
    assert not [c for c in calls if c.split()[0] in ("remove", "purge", "autoremove")]
    assert "skipped syslog-ng-core: apt-get refused" in out
    assert "it would have removed: rsyslog" in out
    assert "installed liblognorm-utils" in out and "installed openssl" in out


def test_without_root_or_apt_nothing_is_installed(tmp_path: Path) -> None:
    out = call_runner("install_system_packages", str(tmp_path))  # no apt-get on PATH
    assert "not installed (needs root and apt-get)" in out


def test_announces_what_it_installs() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", f"import runpy; print(runpy.run_path({str(RUNNER)!r}, "
         "run_name='test_py')['WHAT_IS_INSTALLED'])"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    for item in ("syslog-ng-core", "liblognorm-utils", "openssl", "de_DE.UTF-8", "--no-remove"):
        assert item in proc.stdout


def test_finds_each_supported_cpython_once() -> None:
    code = f"import runpy; print(runpy.run_path({str(RUNNER)!r}, run_name='t')['find_pythons']())"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    found = ast.literal_eval(proc.stdout)  # a dict literal {(3, 11): '/path/python3.11', ...}
    assert (sys.version_info.major, sys.version_info.minor) in found
    for (major, minor), python in found.items():
        assert (major, minor) in ((3, 10), (3, 11), (3, 12), (3, 13))
        version = subprocess.run(
            [python, "-c", "import sys; print(sys.implementation.name, *sys.version_info[:2])"],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout.split()  # fmt: skip
        assert version == ["cpython", str(major), str(minor)]
