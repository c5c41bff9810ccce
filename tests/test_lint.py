"""cef_logging.lint: the public lint API, its rules, its output safety and its speed."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cef_logging import cli, lint
from cef_logging._display import UNSAFE
from cef_logging.lint import RULES, RULES_BY_CODE, Finding, Linter, lint_line, lint_lines

ROOT = Path(__file__).resolve().parent.parent
H = "CEF:0|V|P|1|S|N|5|"
L = "LEEF:2.0|V|P|1|E|^|"

# One line per rule that makes exactly that rule fire (among others, perhaps).
EXAMPLES: dict[str, str | bytes] = {
    "LINT001": "just some syslog text",
    "LINT002": b"CEF:0|V|P|1|S|N|5|msg=caf\xe9",
    "LINT003": "\ufeffCEF:0|V|P|1|S|N|5|act=x",
    "CEF101": H + "msg=a=b",
    "CEF201": H + "rt=2026-04-25T11:32:18.421Z",
    "CEF202": H + "act=" + "d" * 64,
    "CEF203": H + "art=1777116738421",
    "CEF204": H + "msg='list for score=150' cnt=2",
    "CEF205": H + "cs1=" + "v" * 9000,
    "CEF206": "CEF:0|V|P|1|S|N|7| act=blocked",
    "CEF207": H + "ad.arcSightEventPath=3Yf",
    "CEF301": H + "exceptionType=KeyError",
    "CEF302": H + "rt=1777116738421 act=blocked",
    "LEEF101": "LEEF:3.0|V|P|1|E|a=1",
    "LEEF201": L + "devTime=2026-04-25T11:32:18Z",
    "LEEF202": L + "devTime=x^devTimeFormat=yyyy-MM-ddTHH:mm:ss.fffffffZ",
    "LEEF203": L + "devTimeFormat=yyyy",
    "LEEF204": L + "sev=11",
}


def codes_of(line: str | bytes) -> list[str]:
    return [f.code for _, f in lint_lines([line])]


# --------------------------------------------------------------------------- rules as data


def test_every_rule_has_an_example_and_fires() -> None:
    assert set(EXAMPLES) == set(RULES_BY_CODE)
    for code, line in EXAMPLES.items():
        assert code in codes_of(line), (code, line)


def test_rules_are_unique_with_summary_severity_and_docs_entry() -> None:
    docs = (ROOT / "docs" / "lint.md").read_text(encoding="utf-8")
    assert len(RULES) == len(RULES_BY_CODE)
    for rule in RULES:
        assert re.fullmatch(r"(LINT|CEF|LEEF)\d{3}", rule.code)
        assert rule.severity in lint.SEVERITIES
        assert rule.summary and "\n" not in rule.summary
        assert rule.docs == f"lint.md#{rule.code.lower()}"
        # Each code has its own heading (MkDocs makes the anchor from it).
        assert re.search(rf"^### {rule.code}\b", docs, re.M), rule.code
        assert rule.summary in docs, rule.code


def test_every_code_in_the_source_is_a_rule() -> None:
    source = (ROOT / "cef_logging" / "lint.py").read_text(encoding="utf-8")
    used = set(re.findall(r'"((?:LINT|CEF|LEEF)\d{3})"', source))
    assert used == set(RULES_BY_CODE)


# --------------------------------------------------------------------------- API


def test_lint_line_clean_and_finding_fields() -> None:
    assert lint_line(H + "act=blocked src=10.0.0.1 rt=1777116738421") == []
    (finding,) = lint_line(H + "src=10.0.0.1 rt=2026-04-25T11:32:18Z")
    assert finding == Finding("CEF201", "warning", 32, finding.message, "rt")
    assert finding.message.startswith("rt=2026-04-25T11:32:18Z is ISO 8601")
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.code = "X"  # type: ignore[misc]
    (error,) = lint_line(H + "msg=a=b")
    assert (error.code, error.severity, error.column, error.key) == ("CEF101", "error", 24, None)
    assert "unescaped '='" in error.message


def test_lint_line_format_and_terminator() -> None:
    assert lint_line(H + "act=x\r\n") == []
    assert [f.code for f in lint_line(H + "act=x", format="leef")] == ["LINT001"]
    assert "'LEEF:'" in lint_line(H + "act=x", format="leef")[0].message
    assert lint_line(L + "sev=3", format="LEEF") == []
    with pytest.raises(ValueError, match="format"):
        lint_line("x", format="json")


def test_lint_lines_numbers_bytes_blank_lines_and_bom() -> None:
    lines = [b"\xef\xbb\xbf" + H.encode() + b"act=y rt=x\n", b"\n", "  \n", b"\xff\r\n", "nope", H]
    found = [(n, f.code) for n, f in lint_lines(lines)]
    assert found == [(1, "LINT003"), (1, "CEF201"), (4, "LINT002"), (5, "LINT001")]
    linter = Linter()
    assert list(linter.lines(iter(lines[1:3]))) == [] and linter.checked == 0


def test_select_and_ignore_by_code_and_prefix() -> None:
    line = H + "act=y rt=2026-04-25T11:32:18Z ad.x=1 exceptionType=E"
    assert sorted(f.code for f in lint_line(line)) == [
        "CEF201", "CEF207", "CEF301", "CEF301",
    ]  # fmt: skip
    only = Linter(select=["CEF2"])
    assert sorted(f.code for f in only.line(line)) == ["CEF201", "CEF207"]
    assert [f.code for f in Linter(ignore=["cef2", "CEF301"]).line(line)] == []
    assert [f.code for f in Linter(select=["CEF"], ignore=["CEF20"]).line(line)] == [
        "CEF301", "CEF301",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="'CEF9' matches no rule code"):
        Linter(select=["CEF9"])


def test_per_key_findings_are_capped_per_line() -> None:
    line = H + " ".join(f"custom{i}=v" for i in range(50))
    found = lint_line(line)
    assert len(found) == lint.MAX_PER_KEY_FINDINGS + 1
    assert found[-1].message.startswith("and 40 more custom keys on this line")
    assert found[3].column == line.index("custom3=") + 1


def test_custom_keys_are_info_with_the_cs_recipe() -> None:
    (finding,) = lint_line(H + "stackTrace=x")
    assert finding.severity == "info" and finding.key == "stackTrace"
    assert "cs1-cs6" in finding.message and "csNLabel=stackTrace" in finding.message


@pytest.mark.parametrize(
    "value",
    ["1777116738421", "Apr 25 2026 11:32:18.421 UTC", "Apr 25 11:32:18", "Apr  5 11:32:18",
     "Apr 25 2026 11:32:18 +02:00", "Apr 25 2026 11:32:18.421 GMT+01:00"],
)  # fmt: skip
def test_timestamps_arcsight_and_decode_cef_read_are_clean(value: str) -> None:
    assert lint_line(H + f"act=x rt={value}") == []


@pytest.mark.parametrize("value", ["2026-04-25T11:32:18Z", "2026-04-25 11:32", "yesterday",
                                   "1777116738.421", "Apr 25 2026 11:32:18.4"])  # fmt: skip
def test_timestamps_they_do_not_read_warn(value: str) -> None:
    assert [f.code for f in lint_line(H + f"act=x end={value}")] == ["CEF201"]


def test_epoch_seconds_where_milliseconds_are_read_warn() -> None:
    (finding,) = lint_line(H + "act=x rt=1777116738")
    assert finding.code == "CEF201"
    assert finding.message.startswith("rt=1777116738 is read as milliseconds since the epoch")
    assert "a time in 1970" in finding.message
    assert lint_line(H + "act=x rt=100000000000") == []  # 12 digits: March 1973, plausible


def test_arcsight_leading_space_and_dotted_keys_are_warnings_not_errors() -> None:
    line = "CEF:0|Microfocus|ArcSight|8|agent:050|Connector Raw Event Statistics|Low| ad.arcSight=1"
    found = lint_line(line)
    assert [f.code for f in found] == ["CEF206", "CEF207", "CEF301"]
    assert found[0].column == line.index("| ad.") + 2
    assert "ArcSight connectors skip it" in found[0].message
    assert "'.' or '-'" in found[1].message and found[1].column == line.index("ad.") + 1


# --------------------------------------------------------------------------- nothing raw


DANGEROUS = ["\x00", "\x1b[2J", "\n", "\r", "\t", "\x7f", "\x85", "\x9b", "\u2028", "\u2029",
             "\u202e", "\u2066", "\u061c", "\ufeff", "\ud800", "\udcff"]  # fmt: skip

# Lines whose findings quote a value (or a key, or a header field) from the line.
QUOTING = [
    H + "rt=2024{d}z",
    H + "end=x{d}y",
    H + "msg=a\\{d}z",
    "CEF:0|V|P|1|S|N|{d}|a=1",
    "CEF:{d}|V|P|1|S|N|5|a=1",
    "CEF:0|V{d}\\x|P|1|S|N|5|a=1",
    "LEEF:{d}|V|P|1|E|a=1",
    "LEEF:2.0|V|P|1|E|{d}x|a=1",
    L + "k{d}=1",
    L + "devTime=x{d}z",
    L + "devTime=1^devTimeFormat=yyyy{d}Q",
    L + "sev=1{d}z",
    "x{d}z",
]


def _assert_safe(text: str) -> None:
    bad = sorted({f"U+{ord(c):04X}" for c in text if ord(c) in UNSAFE})
    assert not bad, (bad, text)


@pytest.mark.parametrize("template", QUOTING)
@pytest.mark.parametrize("danger", DANGEROUS)
def test_no_message_holds_a_raw_dangerous_character(template: str, danger: str) -> None:
    line = template.format(d=danger)
    found = lint_line(line)
    assert found, line
    for finding in found:
        _assert_safe(finding.message)


@pytest.mark.parametrize("output", ["text", "json", "github"])
def test_cli_output_of_hostile_lines_is_one_safe_line_per_finding(
    tmp_path: Path, output: str
) -> None:
    # Not NUL (the CLI refuses NUL bytes as binary input), not line breaks (they end lines).
    lines = [t.format(d=d) for t in QUOTING for d in DANGEROUS if d not in ("\0", "\n", "\r")]
    data = b"".join(line.encode("utf-8", "surrogatepass") + b"\n" for line in lines)
    data += b"CEF:0|V|P|1|S|N|5|rt=2024-01-01T00:00\\nall.log:7: error: forged finding\x1b[2J\n"
    path = tmp_path / "hostile\x1b[31m.log"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    args = cli.build_parser().parse_args(["lint", "--format", output, str(path)])
    assert cli.cmd_lint(args, out, err) == 1
    printed = out.getvalue().splitlines()
    assert len(printed) >= len(lines)
    for text in printed + err.getvalue().splitlines():
        _assert_safe(text)
    if output == "text":
        assert not any(t.startswith("all.log:7") for t in printed)
        assert sum("forged finding" in t for t in printed) == 1
        assert all(t.startswith(str(path).replace("\x1b", "\\x1b") + ":") for t in printed)
    elif output == "json":
        assert all(json.loads(t)["file"] == str(path).replace("\x1b", "\\x1b") for t in printed)


@pytest.mark.parametrize("as_json", [False, True])
def test_parse_output_of_hostile_values_is_safe(tmp_path: Path, as_json: bool) -> None:
    values = "".join(DANGEROUS[4:]).replace("\ud800", "").replace("\udcff", "")
    line = f"<13>\x9bhost CEF:0|V\x85|P|1|S|N\u202e|5|msg=a\\nb c={values}"
    path = tmp_path / "p.log"
    path.write_text(line + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    args = cli.build_parser().parse_args(["parse", *(["--json"] if as_json else []), str(path)])
    assert cli.cmd_parse(args, out, err) == 0
    for text in out.getvalue().splitlines():
        _assert_safe(text)
    if as_json:
        assert json.loads(out.getvalue())["extensions"]["c"] == values
    else:
        assert "msg = a\\nb" in out.getvalue() and "vendor=V\\x85" in out.getvalue()


# --------------------------------------------------------------------------- linear time


def _hostile_cef_quotes(n: int) -> str:
    return H + " ".join(f"k{i}='v" if i % 3 else f"b{i}=y'" for i in range(n // 8))


def _hostile_cef_unclosed(n: int) -> str:
    return H + " ".join(f"k{i}='v" for i in range(n // 8))


def _hostile_leef_delimiters(n: int) -> str:
    return L + "a=1^" + "x^" * (n // 2)


def _hostile_leef_escapes(n: int) -> str:
    return L + "a=1\\^^" + "x^\\^" * (n // 4)


def _hostile_cef_escapes(n: int) -> str:
    return H + "msg=" + "\\\\ \\= x=" * (n // 8)


def _python_steps(fn: Callable[[], object]) -> int:
    """The number of Python lines ``fn`` executes (``sys.settrace`` line events): a
    deterministic measure of work, unlike wall-clock time, so no test depends on the
    machine's load. It sees Python-level loops; work done inside C (``str`` methods,
    regular expressions) counts as one step, and its growth is measured in wall-clock
    time by ``benchmarks/bench_lint.py --check-growth`` instead."""
    steps = 0

    def tracer(frame: object, event: str, arg: object) -> object:
        nonlocal steps
        if event == "line":
            steps += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)  # type: ignore[arg-type]
    try:
        fn()
    finally:
        sys.settrace(previous)
    return steps


def _growth(small: Callable[[], object], big: Callable[[], object]) -> float:
    """How many times more Python steps ``big`` (4x the input) takes than ``small``:
    ~4 when linear, ~16 when quadratic (both run once first, so caches are warm)."""
    small()
    big()
    return _python_steps(big) / max(1, _python_steps(small))


def _swallow(fn: Callable[[str], object], line: str) -> Callable[[], object]:
    def run() -> object:
        try:
            return fn(line)
        except ValueError:
            return None

    return run


@pytest.mark.parametrize(
    "make",
    [_hostile_cef_quotes, _hostile_cef_unclosed, _hostile_leef_delimiters,
     _hostile_leef_escapes, _hostile_cef_escapes],
)  # fmt: skip
@pytest.mark.parametrize("what", ["lint", "lenient"])
def test_doubling_the_input_at_most_about_doubles_the_work(
    make: Callable[[int], str], what: str
) -> None:
    """4x the input (doubled twice) must cost well under 16x the Python steps (quadratic);
    a linear check gives about 4x, and one whose loops run in C about 1x."""
    from cef_logging.parse import parse_cef, parse_leef

    def job(line: str) -> Callable[[], object]:
        if what == "lint":
            return _swallow(lint_line, line)
        return _swallow(parse_leef if line.startswith("LEEF") else parse_cef, line)

    # 40 000 characters: more keys than the parser's key caches hold, so both sizes
    # take the same path.
    assert _growth(job(make(40_000)), job(make(160_000))) < 6


def test_the_growth_measure_tells_quadratic_from_linear() -> None:
    def pairs(line: str) -> int:  # quadratic: every piece meets every earlier piece
        pieces = line.split("^")
        n = 0
        for i in range(len(pieces)):
            for _ in range(i):
                n += 1
        return n

    def each(line: str) -> int:  # linear
        n = 0
        for _ in line.split("^"):
            n += 1
        return n

    small, big = _hostile_leef_delimiters(400), _hostile_leef_delimiters(1_600)
    assert _growth(lambda: pairs(small), lambda: pairs(big)) > 12
    assert _growth(lambda: each(small), lambda: each(big)) < 6


# ----------------------------------------------------------------- the library's own lines


def test_demo_piped_into_lint_exits_0_without_warnings() -> None:
    demo = subprocess.run(
        [sys.executable, "-m", "cef_logging", "demo"], capture_output=True, check=True, timeout=60
    )
    proc = subprocess.run(
        [sys.executable, "-m", "cef_logging", "lint", "-"],
        input=demo.stdout, capture_output=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout
    assert b": warning: " not in proc.stdout and b": error: " not in proc.stdout
    assert b"0 errors, 0 warnings" in proc.stderr


def test_demo_lines_have_no_errors_and_custom_keys_are_only_info() -> None:
    for line in cli.demo_lines():
        for finding in lint_line(line):
            assert finding.severity != "error", (line, finding)
            assert finding.severity == "info", (line, finding)


def test_finding_factory_equals_the_dataclass() -> None:
    made = lint._finding("CEF201", "warning", 3, "m", "rt")
    assert made == Finding("CEF201", "warning", 3, "m", "rt")
    assert repr(made) == repr(Finding("CEF201", "warning", 3, "m", "rt"))
    assert lint._finding("LINT001", "error", 1, "x") == Finding("LINT001", "error", 1, "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.column = 4  # type: ignore[misc]


def test_the_inlined_hot_loop_agrees_with_linting_line_by_line() -> None:
    """Linter.lines decides clean lines in its hot loop (Linter._detect); Linter.line goes
    the general way."""
    import random

    rng = random.Random(17)
    base = [
        H + "rt=1777116738421 suser=alice src=10.0.0.1",
        H + "rt=1777116738421 msg=a\\=b\\nc request=/x?q\\=1 cs1=C:\\\\dir cs1Label=path",
        "<134>Apr 25 11:32:18 gw CEF:0|Acme|Gw|1|x|y|High|act=" + "d" * 70 + " art=1",
        H + "rt=Apr 25 2026 11:32:18 end=2026-04-25T11:32:18Z tenant=t",
        H + " ad.x=1 msg='a b=c' x-y=2",
        L + "devTime=1777116738421^sev=4^usrName=carol",
        "CEF:0|V|P|1|S|N|5|cs2=" + "v" * 3000,
    ]
    bits = ["\\", "=", "|", " ", "'", '"', "rt=", " x=", " msg=", "\\=", "é", "CEF:", "LEEF:"]
    lines = list(base)
    for _ in range(3000):
        line = rng.choice(base)
        for _ in range(rng.choice([0, 1, 2, 3])):
            p = rng.randrange(len(line) + 1)
            line = line[:p] + rng.choice(bits) + line[p:]
        lines.append(line)
    expected = [(n, f) for n, line in enumerate(lines, 1) for f in Linter().line(line)]
    assert list(lint_lines(lines)) == expected
    assert sum(1 for _, f in expected if f.severity != "info") > 1000


def test_timestamps_need_ascii_digits() -> None:
    assert [f.code for f in lint_line(H + "act=x rt=١٧٧٧١١٦٧٣٨٤٢١")] == ["CEF201"]


def test_rt_first_is_info_for_splunk_and_reported_once_per_input() -> None:
    (finding,) = lint_line(H + "rt=1777116738421 act=blocked")
    assert (finding.code, finding.severity, finding.column, finding.key) == (
        "CEF302", "info", 19, "rt",
    )  # fmt: skip
    assert "Splunk" in finding.message
    assert lint_line(H + "end=1777116738421 rt=1777116738421") == []  # " rt=" is found
    lines = [H + f"rt=1777116738421 act=a{i} tenant=t" for i in range(5)]
    every = [(n, f.code) for n, f in Linter().lines(lines)]
    assert every == [(n, c) for n in range(1, 6) for c in ("CEF302", "CEF301")]
    once = [(n, f.code) for n, f in Linter(info_once=True).lines(lines)]
    assert once == [(1, "CEF302"), (1, "CEF301")]
