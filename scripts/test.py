#!/usr/bin/env python3
"""Install what the test suite needs and run it: ``python3 scripts/test.py [pytest args]``.

Works on a fresh machine that has only python3:

1. System packages (Debian/Ubuntu, as root only). When missing, installs
   ``syslog-ng-core``, ``liblognorm-utils`` and ``openssl`` with
   ``apt-get install --no-remove --no-upgrade``: apt may add them and their
   dependencies but never removes or upgrades a package that is already there. Where apt
   refuses (for instance ``syslog-ng-core`` conflicts with an installed ``rsyslog``),
   the package is left out, the reason is printed, and the tests that need it skip.
   It also generates the ``de_DE.UTF-8`` locale (for the test that ArcSight month names
   stay English whatever the locale). Not root, or no apt-get: nothing is installed and
   those tests skip, saying why. Set ``CEF_LOGGING_SKIP_SYSTEM=1`` to skip this step.
2. Finds every CPython 3.10-3.13 on the machine (``python3.X`` on PATH and
   ``~/.pyenv/versions/3.X.*``) and makes one virtual environment per version
   (``.venv`` for the one running this script, ``.venv-3.X`` for the others), with the
   package installed editable and its ``test`` and ``structlog`` extras.
3. On the main version (the one running this script when it is 3.10-3.13, else the
   newest found): ``mypy --strict cef_logging``, ``ruff check .``, the documentation
   build (``scripts/docs.py``, strict) and the whole pytest suite. On every other
   version: the unit tests (``-m "not integration"``: no collector processes).
   Fails if fewer than two Python versions ran the tests where two or more were found; a
   machine with a single supported Python runs the suite on it and says so.

Extra arguments go to every pytest run. ``CEF_LOGGING_SKIP_LINT=1`` skips mypy, ruff and
the documentation build; ``CEF_LOGGING_ONE_PYTHON=1`` runs the main version only, for a
quick local check (the two-version rule is then not applied; CI never sets it).
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: command whose presence shows the package is installed -> Debian package
SYSTEM_PACKAGES = {"syslog-ng": "syslog-ng-core", "lognormalizer": "liblognorm-utils",
                   "openssl": "openssl"}  # fmt: skip
LOCALE = "de_DE.UTF-8"
SUPPORTED = ((3, 10), (3, 11), (3, 12), (3, 13))
WHAT_IS_INSTALLED = (
    "system packages: when run as root on Debian/Ubuntu and missing, syslog-ng-core, "
    "liblognorm-utils and openssl are installed with apt-get install --no-remove "
    "--no-upgrade (never removing or upgrading an installed package), and the "
    f"{LOCALE} locale is generated"
)


def say(text: str) -> None:
    print(f"[test.py] {text}", flush=True)


def run(cmd: list[str], env: dict[str, str] | None = None) -> int:
    print("+", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT, env=env)


COUNTS = re.compile(r"(\d+) (passed|failed|skipped|errors?)\b")


def run_pytest(cmd: list[str], totals: dict[str, int]) -> int:
    """Run pytest, echoing its output; add its closing line's counts to ``totals``."""
    print("+", " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, errors="replace")
    assert proc.stdout is not None
    last = ""
    for line in proc.stdout:
        sys.stdout.write(line)
        if line.strip():
            last = line
    sys.stdout.flush()
    code = proc.wait()
    for number, word in COUNTS.findall(last):
        key = "failed" if word.startswith("error") else word
        totals[key] = totals.get(key, 0) + int(number)
    if code not in (0, 5) and not COUNTS.search(last):
        totals["failed"] = totals.get("failed", 0) + 1  # pytest itself failed (usage, crash)
    return code


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def install_system_packages() -> None:
    missing = [pkg for tool, pkg in SYSTEM_PACKAGES.items() if shutil.which(tool) is None]
    if not missing:
        say("system packages: syslog-ng-core, liblognorm-utils, openssl already present")
        return
    if not is_root() or shutil.which("apt-get") is None:
        say(f"system packages: {', '.join(missing)} missing and not installed (needs root and "
            "apt-get); the integration tests that need them will skip")
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if run(["apt-get", "update", "-qq"], env=env) != 0:
        say("system packages: apt-get update failed; nothing installed, dependent tests skip")
        return
    for package in missing:
        say(f"system packages: installing {package} (apt-get install --no-remove --no-upgrade)")
        proc = subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-remove", "--no-upgrade",
             "--no-install-recommends", package],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode == 0:
            say(f"system packages: installed {package}")
            continue
        reason = " ".join((proc.stderr or proc.stdout).split())[-400:]
        removed = re.search(r"will be REMOVED:\n((?:\s+\S.*\n)+)", proc.stdout)
        if removed:
            reason += f"; it would have removed: {' '.join(removed[1].split())}"
        say(f"system packages: skipped {package}: apt-get refused ({reason}); "
            "the tests that need it will skip")


def install_test_locale() -> None:
    """A non-English locale, so the test that ArcSight month names stay English runs."""
    if not is_root() or shutil.which("localedef") is None or shutil.which("locale") is None:
        say(f"locale: {LOCALE} not generated (needs root and localedef); that test will skip")
        return
    listing = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False)
    if re.search(r"^de_DE\.utf-?8$", listing.stdout, re.I | re.M):
        say(f"locale: {LOCALE} already present")
        return
    say(f"locale: generating {LOCALE} (localedef)")
    if run(["localedef", "-i", "de_DE", "-c", "-f", "UTF-8", LOCALE]) != 0:
        say(f"locale: localedef failed; the test that needs {LOCALE} will skip")


def version_of(python: str) -> tuple[int, int] | None:
    """``(major, minor)`` of a CPython interpreter, or None (not runnable / not CPython)."""
    try:
        proc = subprocess.run(
            [python, "-c", "import sys; print(sys.implementation.name, *sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    parts = proc.stdout.split()
    if proc.returncode != 0 or len(parts) != 3 or parts[0] != "cpython":
        return None
    return int(parts[1]), int(parts[2])


def find_pythons() -> dict[tuple[int, int], str]:
    """One interpreter per supported minor version: this one first, then PATH, then pyenv."""
    found: dict[tuple[int, int], str] = {}
    candidates = [sys.executable]
    for major, minor in SUPPORTED:
        which = shutil.which(f"python{major}.{minor}")
        if which:
            candidates.append(which)
        pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
        pattern = str(pyenv / f"{major}.{minor}.*" / "bin" / f"python{major}.{minor}")
        candidates += sorted(glob.glob(pattern), reverse=True)
    for candidate in candidates:
        version = version_of(candidate)
        if version in SUPPORTED and version not in found:
            found[version] = candidate
    return found


def venv_python(directory: Path) -> Path:
    return directory / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def prepare_venv(python: str, directory: Path, extras: str) -> Path | None:
    """A venv for ``python`` in ``directory`` with the package and ``extras``."""
    target = venv_python(directory)
    if target.exists() and version_of(str(target)) != version_of(python):
        shutil.rmtree(directory)  # made by another interpreter version: remake it
    if not target.exists():
        say(f"creating {directory.name} with {python}")
        if python == sys.executable:
            venv.EnvBuilder(with_pip=True, clear=True).create(directory)
        elif run([python, "-m", "venv", "--clear", str(directory)]) != 0:
            return None
    pip = [str(target), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if run([*pip, "-e", f".[{extras}]"]) != 0:
        return None
    return target


def main(argv: list[str]) -> int:
    say(f"this command installs {WHAT_IS_INSTALLED} (skip with CEF_LOGGING_SKIP_SYSTEM=1); "
        "Python packages go into .venv / .venv-3.X inside this checkout only")
    if os.environ.get("CEF_LOGGING_SKIP_SYSTEM"):
        say("system packages and locale: skipped (CEF_LOGGING_SKIP_SYSTEM is set)")
    else:
        install_system_packages()
        install_test_locale()

    pythons = find_pythons()
    if not pythons:
        say("no CPython 3.10-3.13 found")
        return 1
    here = version_of(sys.executable)
    main_version = here if here in pythons else max(pythons)
    say("Pythons found: " + ", ".join(f"{v[0]}.{v[1]} ({p})" for v, p in sorted(pythons.items()))
        + f"; full suite on {main_version[0]}.{main_version[1]}, unit tests on the others")
    one_python = bool(os.environ.get("CEF_LOGGING_ONE_PYTHON"))
    if one_python:
        pythons = {main_version: pythons[main_version]}

    status = 0
    ran: list[str] = []
    totals: dict[str, int] = {}
    order = [main_version, *sorted(v for v in pythons if v != main_version)]
    for version in order:
        label = f"{version[0]}.{version[1]}"
        directory = ROOT / (".venv" if version == main_version else f".venv-{label}")
        extras = "test,structlog,docs" if version == main_version else "test,structlog"
        python = prepare_venv(pythons[version], directory, extras)
        if python is None:
            say(f"Python {label}: could not prepare {directory.name}; FAILED")
            status = 1
            continue
        if version == main_version:
            if not os.environ.get("CEF_LOGGING_SKIP_LINT"):
                status |= run([str(python), "-m", "mypy", "--strict", "cef_logging"])
                status |= run([str(python), "-m", "ruff", "check", "."])
                status |= run([str(python), "scripts/docs.py"])
            code = run_pytest([str(python), "-m", "pytest", *argv], totals)
        else:
            code = run_pytest(
                [str(python), "-m", "pytest", "-m", "not integration", *argv], totals
            )
        say(f"Python {label}: {'full suite' if version == main_version else 'unit tests'} "
            f"{'passed' if code == 0 else 'FAILED'}")
        status |= code
        ran.append(label)
    if len(ran) < 2 and not one_python and len(order) >= 2:
        say(f"only {len(ran)} of the {len(order)} Python versions found ran the tests "
            f"({', '.join(ran) or 'none'}); at least two of 3.10-3.13 are required")
        status = 1
    elif len(order) < 2 and not one_python:
        say(f"NOTE: this machine has one supported Python ({', '.join(ran) or 'none'}), so the "
            "suite ran on that one only; install a second CPython 3.10-3.13 (pyenv can) to "
            "test more (CI has all four and requires at least two)")
    else:
        say(f"tests ran on Python {', '.join(ran)}: {'FAILED' if status else 'all passed'}")
    # The closing line: test counts summed over every Python's pytest run.
    print(f"pytest: {totals.get('passed', 0)} passed, {totals.get('failed', 0)} failed, "
          f"{totals.get('skipped', 0)} skipped", flush=True)
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
