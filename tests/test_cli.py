"""The ``cef-logging`` command line: lint, parse, demo."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cef_logging import cli, lint
from cef_logging.__main__ import main
from cef_logging.lint import lint_line
from cef_logging.parse import parse_cef, parse_leef

ROOT = Path(__file__).resolve().parent.parent
KEMP_DOC = ROOT / "tests" / "data" / "vendors" / "kemp_loadmaster_cef.txt"

GOOD_CEF = "CEF:0|Acme|Gw|1.0|100|Login|5|suser=alice src=10.0.0.1 msg=ok"
GOOD_LEEF = (
    "LEEF:2.0|Acme|Gw|1.0|login|x09|devTime=1777116738421\tsev=4\tusrName=alice\tsrc=10.0.0.1"
)


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "cef_logging", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )  # fmt: skip


def call(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def write(tmp_path: Path, name: str, lines: list[str]) -> str:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


FINDING_LINE = re.compile(r"^.*?:(\d+):(\d+): (error|warning|info): (.*) \[([A-Z]+\d+)\]$")


def findings(out: str, kind: str) -> list[tuple[int, str]]:
    """(line number, "column C: message") of every ``FILE:LINE:COL: kind: message [CODE]``."""
    found = []
    for text in out.splitlines():
        m = FINDING_LINE.match(text)
        assert m is not None, f"unexpected output line {text!r}"
        if m.group(3) == kind:
            found.append((int(m.group(1)), f"column {m.group(2)}: {m.group(4)}"))
    return found


def codes(out: str) -> list[str]:
    """The rule code of every output line."""
    found = []
    for text in out.splitlines():
        m = FINDING_LINE.match(text)
        assert m is not None, f"unexpected output line {text!r}"
        found.append(m.group(5))
    return found


# --------------------------------------------------------------------------- lint: Kemp


def kemp_lines_with_prefixes() -> list[str]:
    """Every example line of the Kemp catalogue, syslog prefixes (events 17-18) included."""
    text = KEMP_DOC.read_text(encoding="utf-8")
    pattern = r"^((?:.*? )?CEF:0\|.*?)(?:The CEF Extension comprises of:|\|)?$"
    return [m.group(1) for m in re.finditer(pattern, text, re.M)]


def test_lint_kemp_document_reports_only_event_16(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = kemp_lines_with_prefixes()
    assert len(lines) == 23
    assert sum(" l7log: CEF:0|" in line for line in lines) == 2  # the syslog-prefixed ones
    event16 = next(i for i, line in enumerate(lines, 1) if "LM||1.0|16|" in line)
    path = write(tmp_path, "kemp.log", lines)
    status, out, err = call(["lint", path], capsys)
    assert status == 1
    errors = findings(out, "error")
    assert len(errors) == 1
    number, message = errors[0]
    assert number == event16
    assert "invalid severity 'Attempted XSS attack'" in message
    assert "8 fields" in message
    assert message.startswith("column 23:")
    error_line = next(text for text in out.splitlines() if ": error: " in text)
    assert error_line.startswith(f"{path}:{event16}:23: error: invalid severity")
    assert error_line.endswith("[CEF101]")
    assert "23 lines in 1 file: 1 error" in err


def test_lint_kemp_subprocess_and_stdin(tmp_path: Path) -> None:
    lines = kemp_lines_with_prefixes()
    proc = run("lint", "--no-warnings", "-", stdin="\n".join(lines) + "\n")
    assert proc.returncode == 1
    assert proc.stdout.count(": error: ") == 1
    assert proc.stdout.startswith("<stdin>:")
    assert "warning" not in proc.stdout
    corrected = [line.replace("LM||1.0", "LM|1.0") for line in lines]
    proc = run("lint", "-q", "-", stdin="\n".join(corrected) + "\n")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


# --------------------------------------------------------------------------- lint: errors


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("CEF:0|Acme|Gw|1.0|1|Login|5|msg=a=b", "unescaped '='"),
        ("CEF:0|Acme|Gw|1.0|1|Login|99|msg=x", "invalid severity"),
        ("CEF:0|Acme|Gw|1.0|1|Login", "header has"),
        ("CEF:0|Acme|Gw|1.0|1|Login|5|bad[0]=1", "invalid extension key"),
        ("CEF:0|Acme|Gw|1.0|1|Login|5|a=1 a=2", "duplicate"),
        ("CEF:0|Acme|Gw|1.0|1|Login|5|msg=a\\tb", "undefined escape"),
        ("LEEF:2.0|Acme|Gw|1.0|ev|x09|a=1\t\tb=2", "empty attribute"),
        ("LEEF:3.0|Acme|Gw|1.0|ev|a=1", "unknown LEEF version"),
        ("just some syslog text", "not a CEF or LEEF line"),
    ],
)
def test_lint_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, expected: str
) -> None:
    path = write(tmp_path, "x.log", [GOOD_CEF, line, GOOD_LEEF])
    status, out, _ = call(["lint", "-W", path], capsys)
    assert status == 1
    errors = findings(out, "error")
    assert [n for n, _ in errors] == [2]
    assert expected in errors[0][1]


def test_lint_invalid_utf8_and_raw_cr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bytes.log"
    path.write_bytes(
        GOOD_CEF.encode() + b"\n"
        + b"CEF:0|Acme|Gw|1.0|1|Login|5|msg=caf\xe9\n"
        + b"CEF:0|Acme|Gw|1.0|1|Login|5|msg=a\rb\r\n"
        + b"\n   \n"
        + GOOD_LEEF.encode() + b"\r\n"
    )  # fmt: skip
    status, out, err = call(["lint", "-W", str(path)], capsys)
    assert status == 1
    errors = findings(out, "error")
    assert [n for n, _ in errors] == [2, 3]
    assert "invalid UTF-8" in errors[0][1] and errors[0][1].startswith("column 36:")
    assert "raw line break" in errors[1][1]
    assert "4 lines in 1 file: 2 errors" in err  # blank lines are not counted


def test_lint_clean_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "ok.log", [GOOD_CEF, "<134>Apr 25 11:32:18 host app: " + GOOD_LEEF])
    status, out, err = call(["lint", path], capsys)
    assert (status, out) == (0, "")
    assert err == "cef-logging lint: 2 lines in 1 file: 0 errors, 0 warnings\n"


def test_lint_usage_and_unreadable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["lint", "--fail-on", "sometimes"])
    assert exc.value.code == 2
    capsys.readouterr()
    status, _, err = call(["lint", "--select", "NOPE1"], capsys)
    assert status == 2 and "'NOPE1' matches no rule code" in err
    good = write(tmp_path, "ok.log", [GOOD_CEF])
    status, _, err = call(["lint", str(tmp_path / "missing.log"), good], capsys)
    assert status == 2
    assert "cannot read" in err and "missing.log" in err
    assert "1 line in 1 file" in err  # the readable file was still checked


# --------------------------------------------------------------------------- lint: warnings


def warnings_for(line: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    path = write(tmp_path, "w.log", [line])
    status, out, _ = call(["lint", path], capsys)
    assert status == 0
    assert not findings(out, "error")
    return [message for _, message in findings(out, "warning")]


def test_warning_unknown_keys_one_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "w.log", ["CEF:0|A|B|1|x|y|3|vs=1 src=10.0.0.1 event=Accept"])
    status, out, err = call(["lint", path], capsys)
    assert status == 0 and not findings(out, "warning") and not findings(out, "error")
    info = findings(out, "info")
    assert [m.split(": ", 1)[0] for _, m in info] == ["column 19", "column 37"]
    assert "custom key 'vs' is legal CEF" in info[0][1] and "cs1-cs6" in info[0][1]
    assert "'event'" in info[1][1]
    assert err.endswith("0 errors, 0 warnings, 2 info\n")


def test_warning_value_too_long(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = warnings_for("CEF:0|A|B|1|x|y|3|act=" + "d" * 64, tmp_path, capsys)
    assert found == ["column 19: the value of act is 64 characters; the CEF dictionary allows 63"]
    assert warnings_for("CEF:0|A|B|1|x|y|3|act=" + "d" * 63, tmp_path, capsys) == []


def test_warning_iso_rt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = warnings_for("CEF:0|A|B|1|x|y|3|rt=2026-04-25T11:32:18.421Z", tmp_path, capsys)
    assert len(found) == 1 and "ISO 8601" in found[0] and found[0].startswith("column 19: rt=")
    for ok in ("1777116738421", "Apr 25 2026 11:32:18.421 UTC", "Apr 25 11:32:18"):
        assert warnings_for(f"CEF:0|A|B|1|x|y|3|rt={ok}", tmp_path, capsys) == []
    found = warnings_for("CEF:0|A|B|1|x|y|3|end=yesterday", tmp_path, capsys)
    assert len(found) == 1 and "is not a CEF timestamp" in found[0]


def test_warning_consumer_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = warnings_for("CEF:0|A|B|1|x|y|3|art=1777116738421", tmp_path, capsys)
    assert len(found) == 1 and found[0].startswith("column 19: art is a consumer key")


def test_warning_quote_swallows_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = "CEF:0|A|B|1|x|y|3|msg='list for score=150, agid=OFA and plugin=fortinet' cnt=2"
    found = [w for w in warnings_for(line, tmp_path, capsys) if "quote" in w]
    assert len(found) == 1
    assert "'score', 'agid', 'plugin'" in found[0] and "closes in the value of 'plugin'" in found[0]
    fine = "CEF:0|A|B|1|x|y|3|msg='quoted score\\=150' cs1=\"a b\""
    assert warnings_for(fine, tmp_path, capsys) == []


def test_warning_leef_devtime(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = "LEEF:2.0|A|B|1|ev|x09|"
    found = warnings_for(base + "devTime=2026-04-25T11:32:18.421Z\tsev=4", tmp_path, capsys)
    assert len(found) == 1 and "without devTimeFormat" in found[0]
    assert warnings_for(base + "devTime=1777116738421\tsev=4", tmp_path, capsys) == []
    good = "devTime=2026-04-25T11:32:18.421Z\tdevTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX"
    assert warnings_for(base + good, tmp_path, capsys) == []
    dotnet = "devTime=2026-04-25T11:32:18.4210000Z\tdevTimeFormat=yyyy-MM-ddTHH:mm:ss.fffffffZ"
    found = warnings_for(base + dotnet, tmp_path, capsys)
    assert len(found) == 1 and "not a Java SimpleDateFormat pattern" in found[0]
    found = warnings_for(base + "sev=0", tmp_path, capsys)
    assert len(found) == 1 and "1-10" in found[0]


def test_warning_long_cef_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = warnings_for("CEF:0|A|B|1|x|y|3|cs1=" + "v" * 9000, tmp_path, capsys)
    assert any("truncate at ~8 KB" in w for w in found)


def test_no_warnings_and_quiet_and_fail_on_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "w.log", ["CEF:0|A|B|1|x|y|3|rt=2026-01-01T00:00:00Z vs=1"])
    status, out, err = call(["lint", "--no-warnings", path], capsys)
    assert (status, out) == (0, "")
    assert err == "cef-logging lint: 1 line in 1 file: 0 errors\n"
    status, out, err = call(["lint", "-q", path], capsys)
    assert (status, out, err) == (0, "", "")
    status, out, _ = call(["lint", "--fail-on-warning", path], capsys)
    assert status == 1 and ": warning: " in out
    assert call(["lint", "--fail-on", "warning", path], capsys)[0] == 1
    assert call(["lint", path], capsys)[0] == 0
    assert call(["lint", "--fail-on", "info", "--ignore", "CEF201", path], capsys)[0] == 1
    assert call(["lint", "--fail-on", "never", "--select", "CEF201", path], capsys)[0] == 0


def test_lint_streams_in_constant_memory(tmp_path: Path) -> None:
    """A big file is read line by line: peak memory does not follow the file size.

    Lints a ~0.2 MB and a ~45 MB file in fresh interpreters and compares their peak RSS:
    the difference must be a small fraction of the 45 MB difference in size.
    """
    line = (GOOD_CEF + " cs1=" + "x" * 200 + "\n").encode()

    def peak_kb(copies: int) -> int:
        path = tmp_path / f"big-{copies}.log"
        with open(path, "wb") as f:
            for _ in range(copies):
                f.write(line * 5000)
        code = (
            "import resource, sys; from cef_logging.__main__ import main; "
            "status = main(['lint', '-q', sys.argv[1]]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(status)"
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run(
            [sys.executable, "-c", code, str(path)],
            capture_output=True, text=True, env=env, timeout=300, check=True,
        )  # fmt: skip
        return int(proc.stdout.split()[-1])

    small, big = peak_kb(1), peak_kb(40)
    size_kb = 39 * 5000 * len(line) // 1024
    assert big - small < size_kb // 5, (small, big, size_kb)


def test_progress_only_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeTTY(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(cli, "PROGRESS_MIN_BYTES", 1)
    monkeypatch.setattr(cli, "_PROGRESS_INTERVAL_S", 0.0)
    path = write(tmp_path, "p.log", [GOOD_CEF] * 5)
    args = cli.build_parser().parse_args(["lint", path])
    tty = FakeTTY()
    assert cli.cmd_lint(args, io.StringIO(), tty) == 0
    assert "\rp.log" not in tty.getvalue()  # the name is the path as given
    assert f"\r{path}: " in tty.getvalue() and "lines)" in tty.getvalue()
    plain = io.StringIO()
    assert cli.cmd_lint(args, io.StringIO(), plain) == 0
    assert "\r" not in plain.getvalue()


# --------------------------------------------------------------------------- parse


def test_parse_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prefixed = "<134>Apr 25 11:32:18 host app: " + GOOD_CEF
    path = write(tmp_path, "p.log", [prefixed, "", GOOD_LEEF])
    status, out, err = call(["parse", "--json", path], capsys)
    assert (status, err) == (0, "")
    objs = [json.loads(text) for text in out.splitlines()]
    assert len(objs) == 2
    cef, leef = objs
    assert cef["format"] == "CEF" and cef["line"] == 1 and cef["file"] == path
    assert cef["prefix"] == "<134>Apr 25 11:32:18 host app: "
    assert cef["severity"] == "5" and cef["signature_id"] == "100"
    assert cef["extensions"] == {"suser": "alice", "src": "10.0.0.1", "msg": "ok"}
    assert leef["format"] == "LEEF" and leef["line"] == 3 and leef["delimiter"] == "\t"
    assert leef["attributes"]["usrName"] == "alice"


def test_parse_lenient_by_default_strict_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "p.log", ["CEF:0|Kemp|LM||1.0|16|Attempted XSS attack|9|dtcode=7"])
    status, out, _ = call(["parse", "--json", path], capsys)
    assert status == 0
    obj = json.loads(out)
    assert (obj["version"], obj["signature_id"], obj["severity"]) == ("1.0", "16", "9")
    status, out, err = call(["parse", "--json", "--strict", path], capsys)
    assert (status, out) == (1, "")
    assert re.search(r":1:\d+: error: ", err)


def test_parse_readable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "p.log", ["CEF:0|A|B|1|x|y|3|msg=two\\nlines req=a\\=b"])
    status, out, _ = call(["parse", path], capsys)
    assert status == 0
    assert f"{path}:1: CEF:0 vendor=A product=B version=1" in out
    assert "msg = two\\nlines" in out and "req = a=b" in out
    assert len(out.splitlines()) == 6


def test_parse_subprocess_stdin() -> None:
    proc = run("parse", "--json", "-", stdin=GOOD_CEF + "\n")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["file"] == "<stdin>"


# --------------------------------------------------------------------------- demo


def test_demo_subprocess_lines_parse_strictly() -> None:
    proc = run("demo")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 8
    cef = [parse_cef(line, strict=True) for line in lines if line.startswith("CEF:")]
    leef = [parse_leef(line, strict=True) for line in lines if line.startswith("LEEF:")]
    assert len(cef) == len(leef) == 4
    hostile = cef[-1]
    assert hostile.name == "input | rejected"
    assert hostile.extensions["request"] == "/search?q=x\nCEF:0|Forged|Evil|1|x|y|10|act=pwned"
    assert "act" not in hostile.extensions
    assert cef[2].extensions["exceptionType"] == "KeyError"
    assert cef[1].extensions["src"] == "203.0.113.7"


def test_demo_format_option_and_lint_roundtrip(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = call(["demo", "--format", "leef"], capsys)
    assert status == 0
    assert all(line.startswith("LEEF:2.0|") for line in out.splitlines())
    for line in cli.demo_lines():
        assert not [f for f in lint_line(line) if f.severity == "error"]


def test_demo_needs_only_the_stdlib() -> None:
    code = (
        "import sys; from cef_logging.__main__ import main; main(['demo']); "
        "mods = [m for m in sys.modules if m.split('.')[0] in "
        "('structlog', 'hypothesis', 'pytest', 'yaml', 'pythonjsonlogger')]; "
        "sys.stderr.write(repr(mods))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); {code}"],
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )  # fmt: skip
    assert proc.stderr == "[]"


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("cef-logging ")
    proc = run("--help")
    assert proc.returncode == 0 and "lint" in proc.stdout and "demo" in proc.stdout


def test_broken_pipe_is_quiet(tmp_path: Path) -> None:
    path = write(tmp_path, "many.log", ["CEF:0|A|B|1|x|y|3|vs=1"] * 20000)
    code = (
        f"{sys.executable} -m cef_logging lint -W {path} >/dev/null; "
        f"{sys.executable} -m cef_logging lint {path} | head -1"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        ["sh", "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )
    assert proc.stdout.count("\n") == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


# --------------------------------------------------------------------------- lint fast paths


def _reference_cef_codes(ext: dict[str, str], line: str) -> list[tuple[str, str | None]]:
    """The keyed warning checks as first written: every key looked at, in line order."""
    out: list[tuple[str, str | None]] = []
    for key, value in ext.items():
        if key not in lint._KEY_INFO:
            continue
        limit, is_ts, consumer = lint._KEY_INFO[key]
        if consumer:
            out.append(("CEF203", key))
        if limit is not None and len(value) > limit:
            out.append(("CEF202", key))
        if is_ts and lint._timestamp_message(key, value) is not None:
            out.append(("CEF201", key))
    quotes = lint._quote_findings(line, 18, list(ext), list(ext.values()))
    out.extend((f.code, f.key) for f in quotes)
    if len(line.encode("utf-8")) > lint.CEF_LINE_ADVICE_BYTES:
        out.append(("CEF205", None))
    return out


def test_cef_warnings_agree_with_the_reference() -> None:
    import random

    rng = random.Random(3)
    keys = sorted(lint._KEY_INFO)
    values = ["1795318884502", "2026-11-22T03:41:24.504Z", "Apr 25 2024 10:00:00.123 UTC",
              "12345678901234567890", "٣٤٥", "x", "", "'open", "close'", '"q"', "'a", "b'",
              "é" * 3000, "y" * 70, "z" * 300, "w" * 1100, "v" * 5000]  # fmt: skip
    found = 0
    keyed = {"CEF201", "CEF202", "CEF203", "CEF204", "CEF205"}
    for _ in range(3000):
        chosen = rng.sample(keys, rng.randrange(0, 9)) + rng.sample(["tenant", "foo", "x1"], 1)
        rng.shuffle(chosen)
        ext = {k: rng.choice(values) for k in chosen}
        line = "CEF:0|A|B|1|x|y|3|" + " ".join(f"{k}={v}" for k, v in ext.items())
        expected = _reference_cef_codes(ext, line)
        got = [(f.code, f.key) for f in lint_line(line) if f.code in keyed]
        assert sorted(got, key=str) == sorted(expected, key=str), line
        found += len(expected)
    assert found > 3000


@pytest.mark.parametrize("block", [1, 2, 7, 64, 1 << 20])
def test_lint_block_reading_keeps_line_numbers_and_terminators(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    monkeypatch.setattr(cli, "_BLOCK_BYTES", block)
    data = (
        GOOD_CEF.encode() + b"\r\r\n"  # one CR is the terminator's, the other is content
        + b"CEF:0|A|B|1|x|y|3|msg=\xff\r\n"  # invalid UTF-8: column of the bad byte
        + b" \t\r\n\n"  # blank lines: skipped, not counted
        + b"\x1c\n\xc2\xa0\n"  # not blank for bytes.isspace: errors
        + GOOD_LEEF.encode() + b"\r\n"
        + b"CEF:0|A|B|1|x|y|3|msg=\xc3\r"  # last line, no LF: its CR stays
    )  # fmt: skip
    path = tmp_path / "edge.log"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    args = cli.build_parser().parse_args(["lint", str(path)])
    assert cli.cmd_lint(args, out, err) == 1
    not_cef = "error: not a CEF or LEEF line (no 'CEF:' or 'LEEF:' found) [LINT001]"
    assert out.getvalue() == (
        f"{path}:2:23: error: invalid UTF-8 (byte 0xff at byte offset 22) [LINT002]\n"
        f"{path}:5:1: {not_cef}\n"
        f"{path}:6:1: {not_cef}\n"
        f"{path}:8:23: error: invalid UTF-8 (byte 0xc3 at byte offset 22) [LINT002]\n"
    )
    assert err.getvalue() == "cef-logging lint: 6 lines in 1 file: 4 errors, 0 warnings\n"


# --------------------------------------------------------------------------- input handling


def test_lint_reads_stdin_when_no_file_and_stdin_is_a_pipe() -> None:
    proc = run("lint", stdin=GOOD_CEF + "\nnot cef\n")
    assert proc.returncode == 1
    assert proc.stdout.startswith("<stdin>:2:1: error: not a CEF or LEEF line")
    proc = run("parse", "--json", stdin=GOOD_CEF + "\n")
    assert proc.returncode == 0 and json.loads(proc.stdout)["file"] == "<stdin>"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("command", ["lint", "parse"])
def test_no_file_and_stdin_a_terminal_is_a_usage_error(command: str) -> None:
    main_fd, tty_fd = os.openpty()
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run(
            [sys.executable, "-m", "cef_logging", command],
            stdin=tty_fd, capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
    finally:
        os.close(tty_fd)
        os.close(main_fd)
    assert proc.returncode == 2
    assert "no FILE given and stdin is a terminal" in proc.stderr


@pytest.mark.parametrize("suffix", ["gz", "bz2", "xz"])
def test_compressed_files_are_read_by_magic_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    import bz2
    import gzip
    import lzma

    data = (GOOD_CEF + "\nCEF:0|A|B|1|x|y|3|msg=a=b\n" + GOOD_LEEF + "\n").encode()
    packed = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[suffix](data)
    path = tmp_path / "rotated.log.1"  # the name says nothing: the content decides
    path.write_bytes(packed)
    status, out, err = call(["lint", str(path)], capsys)
    assert status == 1
    assert [n for n, _ in findings(out, "error")] == [2]
    assert "3 lines in 1 file: 1 error" in err
    status, out, _ = call(["parse", "--json", str(path)], capsys)
    assert status == 0 and len(out.splitlines()) == 3  # lenient: keeps the raw "="


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x7fELF\x02\x01\x01" + bytes(200), "an ELF executable"),
        (b"PK\x03\x04" + bytes(50), "a zip archive"),
        (GOOD_CEF.encode() + b"\n\x00\x01\x02binary\n", "NUL bytes"),
        (b"\x1f\x8b\x08\x00garbage-not-gzip", "corrupt gzip"),
    ],
)
def test_binary_input_is_one_error_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, what: str
) -> None:
    bad = tmp_path / "app.bin"
    bad.write_bytes(data)
    good = write(tmp_path, "ok.log", [GOOD_CEF])
    for command in ("lint", "parse"):
        status, out, err = call([command, str(bad), good], capsys)
        assert status == 2, (command, err)
        assert err.count(str(bad)) == 1 and what in err
        assert "invalid UTF-8" not in out + err
    status, _, err = call(["lint", str(bad), good], capsys)
    assert "1 line in 1 file: 0 errors, 0 warnings, 1 unreadable" in err


def test_bom_is_stripped_and_reported_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bom.log"
    path.write_bytes(b"\xef\xbb\xbf" + (GOOD_CEF + "\n").encode() * 3)
    status, out, _ = call(["lint", str(path)], capsys)
    assert status == 0
    assert out == f"{path}:1:1: info: UTF-8 byte order mark at the start (stripped) [LINT003]\n"
    status, out, err = call(["parse", "--json", str(path)], capsys)
    assert status == 0 and err.count("byte order mark") == 1
    assert all(json.loads(text)["prefix"] == "" for text in out.splitlines())


def test_empty_input_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.log"
    path.write_bytes(b"")
    status, out, err = call(["lint", str(path)], capsys)
    assert (status, out) == (0, "")
    assert f"{path}: no lines to check (empty input)" in err
    status, out, err = call(["parse", str(path)], capsys)
    assert (status, out) == (0, "")
    assert f"{path}: no lines to parse (empty input)" in err


def test_parse_and_lint_agree_on_invalid_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin1.log"
    path.write_bytes(b"CEF:0|Acme|Gw|1.0|1|Login|5|msg=caf\xe9\n")
    status, out, _ = call(["lint", str(path)], capsys)
    assert status == 1 and "invalid UTF-8 (byte 0xe9" in out
    status, out, err = call(["parse", "--json", str(path)], capsys)
    assert status == 0 and f"{path}:1:36: warning: invalid UTF-8 (byte 0xe9" in err
    assert json.loads(out)["extensions"]["msg"] == "caf\ufffd"
    status, out, err = call(["parse", "--json", "--strict", str(path)], capsys)
    assert (status, out) == (1, "") and f"{path}:1:36: error: invalid UTF-8" in err


def test_json_and_github_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "f,a:b.log", [GOOD_CEF, "CEF:0|A|B|1|x|y|3|rt=2026-01-01T00:00 x=1"])
    status, out, _ = call(["lint", "--format", "json", path], capsys)
    assert status == 0
    rows = [json.loads(text) for text in out.splitlines()]
    assert [(r["line"], r["code"], r["severity"], r["key"]) for r in rows] == [
        (2, "CEF302", "info", "rt"), (2, "CEF201", "warning", "rt"), (2, "CEF301", "info", "x"),
    ]  # fmt: skip
    assert rows[1]["file"] == path and rows[1]["column"] == 19
    status, out, _ = call(["lint", "--format", "github", "--fail-on", "info", path], capsys)
    assert status == 1
    name = path.replace(":", "%3A").replace(",", "%2C")
    assert out.splitlines()[1].startswith(f"::warning file={name},line=2,col=19,title=CEF201::rt=")
    assert out.splitlines()[2].startswith(f"::notice file={name},line=2,col=39,title=CEF301::")


def test_select_ignore_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "s.log", ["CEF:0|A|B|1|x|y|3|act=y rt=2026-01-01T00:00 x=1", "nope"])
    assert codes(call(["lint", path], capsys)[1]) == ["CEF201", "CEF301", "LINT001"]
    assert codes(call(["lint", "--select", "CEF", path], capsys)[1]) == ["CEF201", "CEF301"]
    out = call(["lint", "--select", "CEF2,LINT", "--ignore", "lint001", path], capsys)[1]
    assert codes(out) == ["CEF201"]
    out = call(["lint", "--ignore", "CEF201", "--ignore", "CEF301", path], capsys)[1]
    assert codes(out) == ["LINT001"]
    assert codes(call(["lint", "--input-format", "leef", path], capsys)[1]) == [
        "LINT001", "LINT001",
    ]  # fmt: skip


def test_help_documents_exit_codes_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["lint", "--help"])
    text = capsys.readouterr().out
    assert "exit status:" in text and "0  no finding" in text and "2  usage error" in text
    assert "examples:" in text and "--format github" in text and "app.log.1.gz" in text


def test_deprecated_cli_lint_line_keeps_its_shape() -> None:
    assert cli.lint_line(GOOD_CEF) == (None, [])
    error, warnings = cli.lint_line("CEF:0|A|B|1|x|y|3|msg=a=b")
    assert error == "column 24: unescaped '=' in extension value (write \\=)" and warnings == []
    error, warnings = cli.lint_line("CEF:0|A|B|1|x|y|3|rt=2026-01-01T00:00 x=1")
    assert error is None and len(warnings) == 1 and "ISO 8601" in warnings[0]
