"""The file-sink examples run and write what they promise."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _restore_logging():  # type: ignore[no-untyped-def]
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_cef_daily_file_writes_cef_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pythonjsonlogger")
    load("cef_daily_file").main([str(tmp_path)])
    cef = (tmp_path / "identitymesh-cef.log").read_text(encoding="utf-8").splitlines()
    js = (tmp_path / "identitymesh.json.log").read_text(encoding="utf-8").splitlines()
    assert len(cef) == 2 and len(js) == 2
    assert cef[0].startswith(
        "CEF:0|IdentityMesh|Engine|1.0.0|IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore|"
        "Admin audit row recorded: %s -> %s|4|rt="
    )
    assert "msg=Admin audit row recorded: POST /api/connectors -> 201 " in cef[0]
    assert cef[1].split("|")[6] == "6"
    import json

    assert json.loads(js[0])["ActorUpn"] == "alice@corp"


def test_leef_file_from_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("yaml")
    sys.modules.pop("yaml", None)
    load("leef_file").main([str(tmp_path)])
    lines = (tmp_path / "identitymesh-leef.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith(
        "LEEF:2.0|IdentityMesh|Engine|1.0.0|IdentityMesh.Service.IdentityMeshEngine|x09|devTime="
    )
    attrs = dict(pair.split("=", 1) for pair in line.split("|", 6)[6].split("\t"))
    assert "devTimeFormat" not in attrs  # epoch_ms: QRadar's default devTime format
    assert attrs["devTime"].isdigit()
    assert attrs["sev"] == "8"
    assert attrs["cat"] == "IdentityMesh"
    assert attrs["exceptionType"] == "ConnectionError"
    assert attrs["exceptionMessage"] == "Server unavailable"
    assert "\\n" in attrs["stackTrace"]
