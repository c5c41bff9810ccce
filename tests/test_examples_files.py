"""Every example in ``examples/`` runs as its docstring shows, and leaves nothing behind.

Each runs as a user would run it (``python3 examples/NAME.py ...``) in an empty working
directory with an empty ``TMPDIR``: its lines go to stdout, its prose to stderr, a missing
extra or a wrong argument gives a clear message and exit status 2, and afterwards the
working directory and ``TMPDIR`` are as empty as before (unless told where to write).
The vendor examples' lines are checked byte for byte in ``test_vendor_examples.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cef_logging.parse import parse_cef, parse_leef

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


class Run:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.lines = proc.stdout.splitlines()


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run an example in an empty cwd and TMPDIR; assert it left no litter in either."""
    cwd = tmp_path / "cwd"
    tmp = tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()

    def _run(name: str, *args: str, block: str | None = None, **env: str) -> Run:
        environ = dict(os.environ, TMPDIR=str(tmp), **env)
        script = str(EXAMPLES / f"{name}.py")
        if block is None:
            cmd = [sys.executable, script, *args]
        else:  # the example run as if the extra were not installed
            cmd = [sys.executable, "-c",
                   f"import runpy, sys; sys.modules[{block!r}] = None; "
                   f"sys.argv = [{script!r}, *{list(args)!r}]; "
                   f"runpy.run_path({script!r}, run_name='__main__')"]  # fmt: skip
        proc = subprocess.run(
            cmd, cwd=cwd, env=environ, capture_output=True, text=True, timeout=120, check=False
        )
        assert not list(tmp.iterdir()), f"{name} left {list(tmp.iterdir())} in TMPDIR"
        assert not list(cwd.iterdir()), f"{name} left {list(cwd.iterdir())} in the cwd"
        return Run(proc)

    return _run


# ----------------------------------------------------------------- file sinks


def test_cef_daily_file_prints_both_files_and_cleans_up(run) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pythonjsonlogger.json")
    result = run("cef_daily_file")
    assert result.code == 0, result.err
    cef = [line for line in result.lines if line.startswith("CEF:")]
    js = [json.loads(line) for line in result.lines if line.startswith("{")]
    assert len(cef) == 2 and len(js) == 2 and len(result.lines) == 4
    assert cef[0].startswith(
        "CEF:0|IdentityMesh|Engine|1.0.0|IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore|"
        "Admin audit row recorded: %s -> %s|4|rt="
    )
    assert "msg=Admin audit row recorded: POST /api/connectors -> 201 " in cef[0]
    assert parse_cef(cef[1], strict=True).severity == "6"
    assert js[0]["ActorUpn"] == "alice@corp"
    assert "identitymesh-cef.log" in result.err and "identitymesh.json.log" in result.err


def test_cef_daily_file_writes_where_told(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pythonjsonlogger.json")
    target = tmp_path / "logs" / "siem"
    result = run("cef_daily_file", str(target))
    assert result.code == 0, result.err
    assert sorted(p.name for p in target.iterdir()) == ["identitymesh-cef.log",
                                                        "identitymesh.json.log"]  # fmt: skip
    on_disk = (target / "identitymesh-cef.log").read_text(encoding="utf-8").splitlines()
    assert on_disk == [line for line in result.lines if line.startswith("CEF:")]


def test_cef_daily_file_without_python_json_logger_says_which_extra(run) -> None:  # type: ignore[no-untyped-def]
    result = run("cef_daily_file", block="pythonjsonlogger")
    assert result.code == 2 and result.out == ""
    assert 'pip install "cef-logging[json]"' in result.err


def test_leef_file_from_yaml(run) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("yaml")
    result = run("leef_file")
    assert result.code == 0, result.err
    assert len(result.lines) == 1
    event = parse_leef(result.lines[0], strict=True)
    assert result.lines[0].startswith(
        "LEEF:2.0|IdentityMesh|Engine|1.0.0|IdentityMesh.Service.IdentityMeshEngine|x09|devTime="
    )
    attrs = dict(event.attributes)
    assert "devTimeFormat" not in attrs  # epoch_ms: QRadar's default devTime format
    assert attrs["devTime"].isdigit()
    assert attrs["sev"] == "8"
    assert attrs["cat"] == "IdentityMesh"
    assert attrs["exceptionType"] == "ConnectionError"
    assert attrs["exceptionMessage"] == "Server unavailable"
    assert "\n" in attrs["stackTrace"]  # the escaped line breaks, parsed back
    assert "identitymesh-leef.log" in result.err


def test_leef_file_without_pyyaml_says_which_extra(run) -> None:  # type: ignore[no-untyped-def]
    result = run("leef_file", block="yaml")
    assert result.code == 2 and result.out == ""
    assert 'pip install "cef-logging[yaml]"' in result.err


@pytest.mark.parametrize("name", ["cef_daily_file", "leef_file", "sinks_dictconfig"])
def test_bad_arguments_give_usage(run, name: str) -> None:  # type: ignore[no-untyped-def]
    args = ("file", "a", "b") if name == "sinks_dictconfig" else ("a", "b")
    result = run(name, *args)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("usage: python3 examples/")


# ----------------------------------------------------------------- sinks_dictconfig


def test_sinks_file_sink(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("sinks_dictconfig", "file")
    assert result.code == 0, result.err
    assert len(result.lines) == 1
    assert parse_cef(result.lines[0], strict=True).signature_id == (
        "IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore"
    )
    target = tmp_path / "out"
    assert run("sinks_dictconfig", "file", str(target)).code == 0
    assert [p.name for p in target.iterdir()] == ["identitymesh-cef.log"]


@pytest.mark.parametrize(("args", "message"), [
    ((), "usage: python3 examples/sinks_dictconfig.py"),
    (("files",), "unknown sink 'files'; usage:"),
    (("syslog",), "the syslog sink needs QRADAR_HOST"),
    (("http",), "the http sink needs SIEM_URL and SIEM_TOKEN"),
])  # fmt: skip
def test_sinks_unknown_or_unconfigured_sink_is_a_clear_error(  # type: ignore[no-untyped-def]
    run, args: tuple[str, ...], message: str
) -> None:
    result = run("sinks_dictconfig", *args)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith(message)


@pytest.mark.integration
def test_sinks_http_sink_delivers_to_a_real_collector(run) -> None:  # type: ignore[no-untyped-def]
    from _support_http import Collector

    collector = Collector().start()
    try:
        result = run("sinks_dictconfig", "http", SIEM_URL=collector.url,
                     SIEM_TOKEN="Bearer example-token")  # fmt: skip
        assert result.code == 0, result.err
        accepted = collector.wait_accepted(1)
        assert len(accepted) == 1
        event = parse_cef(accepted[0].decode("utf-8"), strict=True)
        assert event.name == "Admin audit row recorded: %s -> %s"
        assert any(
            seen.headers.get("Authorization") == "Bearer example-token" for seen in collector.seen
        )
    finally:
        collector.stop()


@pytest.mark.integration
def test_sinks_syslog_sink_delivers_to_real_syslog_ng(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from _support_syslog_ng import running_syslog_ng

    with running_syslog_ng(tmp_path / "sng", ["tcp_octet"]) as server:
        result = run("sinks_dictconfig", "syslog", QRADAR_HOST="127.0.0.1",
                     QRADAR_PORT=str(server.ports["tcp_octet"]))  # fmt: skip
        assert result.code == 0, result.err
        received = server.wait_for("tcp_octet", 1)
    assert len(received) == 1
    record = received[0]
    assert (record.facility, record.severity, record.program) == (16, 6, "IdentityMesh")  # local0
    event = parse_leef(record.msg.decode("utf-8"), strict=True)
    assert event.event_id == "IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore"
    assert dict(event.attributes)["ActorUpn"] == "alice@corp"


# ----------------------------------------------------------------- structlog


def test_structlog_example(run) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("structlog")
    result = run("structlog_example")
    assert result.code == 0, result.err
    events = [parse_cef(line, strict=True) for line in result.lines]
    assert [e.name for e in events] == ["user login", "login throttled", "login failed"]
    assert dict(events[2].extensions)["exceptionType"] == "PermissionError"


def test_structlog_stdlib_bridge(run) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("structlog")
    result = run("structlog_stdlib_bridge")
    assert result.code == 0, result.err
    events = [parse_cef(line, strict=True) for line in result.lines]
    assert [(e.signature_id, e.name) for e in events] == [
        ("gateway.db", "slow query on %s"), ("gateway.auth", "user login")]


@pytest.mark.parametrize("name", ["structlog_example", "structlog_stdlib_bridge"])
def test_structlog_examples_without_structlog_say_which_extra(run, name: str) -> None:  # type: ignore[no-untyped-def]
    result = run(name, block="structlog")
    assert result.code == 1 and result.out == ""  # sys.exit(message) exits 1
    assert 'pip install "cef-logging[structlog]"' in result.err


# ----------------------------------------------------------------- vendor examples


@pytest.mark.parametrize("name", ["kemp_loadmaster", "onefirewall", "identitymesh"])
def test_vendor_examples_print_only_lines_to_stdout(run, name: str) -> None:  # type: ignore[no-untyped-def]
    result = run(name)
    assert result.code == 0, result.err
    assert result.lines and all(line.startswith(("CEF:", "LEEF:")) for line in result.lines)
    proc = subprocess.run(  # stdout pipes straight into lint
        [sys.executable, "-m", "cef_logging", "lint", "--no-warnings", "-"],
        input=result.out, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
