"""The wheel and the sdist build, carry what they should, and pass ``twine check``.

The sdist must let a user run the test suite from the unpacked archive: the unit tests
are run from it here, importing the package from the archive, not from this checkout.
"""

from __future__ import annotations

import email
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if proc.returncode != 0 and "Could not find a version that satisfies" in proc.stdout:
        pytest.skip("the build requirements cannot be downloaded here:\n" + proc.stdout[-800:])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def one(directory: Path, pattern: str) -> Path:
    found = sorted(directory.glob(pattern))
    assert len(found) == 1, found
    return found[0]


def metadata(dist: Path) -> Message:
    with zipfile.ZipFile(one(dist, "*.whl")) as wheel:
        name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(wheel.read(name))


def test_twine_check_passes(dist: Path) -> None:
    files = [str(one(dist, "*.whl")), str(one(dist, "*.tar.gz"))]
    proc = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *files],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_metadata_licence_versions_and_extras(dist: Path) -> None:
    meta = metadata(dist)
    assert meta["Name"] == "cef-logging"
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["Requires-Python"] == ">=3.10"
    classifiers = meta.get_all("Classifier") or []
    for version in SUPPORTED:
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert not any(c.startswith("License ::") for c in classifiers)  # the SPDX field says it
    extras = set(meta.get_all("Provides-Extra") or [])
    assert {"structlog", "json", "yaml", "docs", "test"} <= extras
    # No runtime dependency for stdlib use: every requirement belongs to an extra.
    assert all("extra ==" in req for req in meta.get_all("Requires-Dist") or [])
    assert meta.get_content_type() == "text/markdown" or meta["Description-Content-Type"] == (
        "text/markdown"
    )


def test_wheel_holds_the_package_typed_and_licensed(dist: Path) -> None:
    with zipfile.ZipFile(one(dist, "*.whl")) as wheel:
        names = set(wheel.namelist())
    modules = {f"cef_logging/{p.name}" for p in (ROOT / "cef_logging").glob("*.py")}
    assert modules <= names
    assert "cef_logging/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not [n for n in names if n.startswith(("tests/", "examples/", "docs/"))]


def sdist_names(dist: Path) -> set[str]:
    with tarfile.open(one(dist, "*.tar.gz")) as sdist:
        return {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}


def checkout_files(folder: str) -> set[str]:
    skip = {"__pycache__", ".pytest_cache", ".hypothesis"}
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and not skip & set(path.parts) and path.suffix != ".pyc"
    }


def test_sdist_holds_tests_with_helpers_examples_docs(dist: Path) -> None:
    names = sdist_names(dist)
    for required in ("LICENSE", "README.md", "CHANGELOG.md", "mkdocs.yml", "pyproject.toml",
                     "tests/conftest.py", "tests/_spec_parser.py", "scripts/test.py",
                     "scripts/docs.py", "docs/index.md", ".ci/run"):  # fmt: skip
        assert required in names, required
    for folder in ("tests", "examples", "docs", "cef_logging"):
        missing = checkout_files(folder) - names
        assert not missing, f"not in the sdist: {sorted(missing)}"
    assert any(n.startswith("tests/_support_") for n in names)
    assert any(n.startswith("tests/data/") for n in names)
    assert not [n for n in names if n.startswith((".venv", ".cache/", "site/"))]


def test_unit_tests_pass_from_the_unpacked_sdist(dist: Path, tmp_path: Path) -> None:
    with tarfile.open(one(dist, "*.tar.gz")) as sdist:
        if sys.version_info >= (3, 12):
            sdist.extractall(tmp_path, filter="data")
        else:
            sdist.extractall(tmp_path)  # our own archive, just built
    unpacked = one(tmp_path, "cef_logging-*")
    probe = subprocess.run(
        [sys.executable, "-c", "import cef_logging; print(cef_logging.__file__)"],
        cwd=unpacked, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert Path(probe.stdout.strip()).is_relative_to(unpacked)  # the archive's copy
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-m", "not integration",
         "-p", "no:cacheprovider"],
        cwd=unpacked, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout.splitlines()[-1]
