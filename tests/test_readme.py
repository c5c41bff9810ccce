"""The README's examples run and print what the README shows."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import logging.config
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
TIME = re.compile(r"(rt|devTime)=[0-9T:.\-Z]+")


def blocks(lang: str) -> list[str]:
    """The README's fenced code blocks written with ``lang`` ("" for plain fences)."""
    found: list[str] = []
    current: list[str] | None = None
    current_lang = ""
    for line in README.splitlines():
        if line.startswith("```"):
            if current is None:
                current, current_lang = [], line[3:].strip()
            else:
                if current_lang == lang:
                    found.append("\n".join(current) + "\n")
                current = None
        elif current is not None:
            current.append(line)
    return found


@pytest.fixture(autouse=True)
def _isolated_logging() -> Any:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    for handler in root.handlers[:]:
        if handler not in saved[0]:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(saved[1])


def test_stdlib_example_prints_the_documented_lines() -> None:
    code = next(b for b in blocks("python") if "CEFFormatter(vendor=\"Acme\"" in b)
    shown = next(b for b in blocks("") if b.startswith("CEF:0|Acme|Portal"))
    out = io.StringIO()
    logger = logging.getLogger("acme.auth")
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README", "exec"), {"__name__": "readme"})
    finally:
        for handler in logger.handlers[:]:
            logger.removeHandler(handler)
    expected = shown.replace("<TAB>", "\t").splitlines()
    got = out.getvalue().splitlines()
    assert [TIME.sub(r"\1=T", x) for x in got] == [TIME.sub(r"\1=T", x) for x in expected]


def test_yaml_dictconfig_example_loads_and_logs(tmp_path: Path, monkeypatch: Any) -> None:
    yaml = pytest.importorskip("yaml")
    text = next(b for b in blocks("yaml") if "cef_logging.CEFFormatter" in b)
    config = yaml.safe_load(text)
    config["handlers"]["siem_file"]["filename"] = str(tmp_path / "acme-cef.log")
    settings = types.ModuleType("myapp.settings")
    settings.DATACENTER = "eu-west-1"  # type: ignore[attr-defined]
    package = types.ModuleType("myapp")
    package.settings = settings  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "myapp", package)
    monkeypatch.setitem(sys.modules, "myapp.settings", settings)
    logging.config.dictConfig(config)
    logging.getLogger("acme").error("refund %s", 42, extra={"user_id": "u1"})
    logging.getLogger().handlers[0].flush()
    line = (tmp_path / "acme-cef.log").read_text(encoding="utf-8").strip()
    assert line.startswith("CEF:0|Acme|Portal|2.4.1|acme|refund %s|8|rt=")
    assert " UTC msg=refund 42 cs1Label=Datacenter cs1=eu-west-1 dvchost=" in line
    assert line.endswith(" suid=u1")


def test_json_dictconfig_example_loads_and_logs(tmp_path: Path) -> None:
    config = json.loads(next(b for b in blocks("json")))
    config["handlers"]["qradar_file"]["filename"] = str(tmp_path / "acme-leef.log")
    logging.config.dictConfig(config)
    logging.getLogger("acme").warning("hi", extra={"user_id": "u1"})
    logging.getLogger().handlers[0].flush()
    line = (tmp_path / "acme-leef.log").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"LEEF:2\.0\|Acme\|Portal\|2\.4\.1\|acme\|\^\|devTime=\d+\^sev=6\^msg=hi"
                        r"\^usrName=u1", line), line
