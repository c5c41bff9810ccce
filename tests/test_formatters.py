"""cef_logging.formatters: LogRecord -> CEF / LEEF line, through the stdlib API."""

from __future__ import annotations

import copy
import io
import logging
import os
import socket
import sys
import traceback
from typing import Any

import pytest
from conftest import make_record

from cef_logging import RESERVED_ATTRS, CEFFormatter, LEEFFormatter

TS = "2026-04-25T11:32:18.421Z"
MS = "1777116738421"  # the default CEF rt: epoch milliseconds
FMT = "yyyy-MM-dd'T'HH:mm:ss.SSSX"
OPTS = {"vendor": "Acme", "product": "Portal", "version": "2.1"}


def cef_ext(line: str) -> str:
    return line.split("|", 7)[7]


def leef_pairs(line: str) -> list[str]:
    return line.split("|", 6)[6].split("\t")


# ------------------------------------------------------------------------------- golden

GOLDEN = [
    (
        "User %s logged in from %s",
        ("bob", "10.0.0.1"),
        {"src": "10.0.0.1", "suser": "bob", "attempts": 2},
        "CEF:0|Acme|Portal|2.1|app.audit|User %s logged in from %s|4|"
        f"rt={MS} msg=User bob logged in from 10.0.0.1 src=10.0.0.1 suser=bob attempts=2",
        [f"devTime={TS}", f"devTimeFormat={FMT}", "sev=4",
         "msg=User bob logged in from 10.0.0.1", "src=10.0.0.1", "suser=bob", "attempts=2"],
    ),
    (
        "path=%s | ok",
        ("C:\\tmp\\a b",),
        {"note": "line1\nline2\r", "eq": "a=b", "pipe": "x|y", "tab": "t\tt"},
        "CEF:0|Acme|Portal|2.1|app.audit|path=%s \\| ok|4|"
        f"rt={MS} msg=path\\=C:\\\\tmp\\\\a b | ok note=line1\\nline2\\r eq=a\\=b pipe=x|y "
        "tab=t\tt",
        [f"devTime={TS}", f"devTimeFormat={FMT}", "sev=4",
         "msg=path=C:\\\\tmp\\\\a b | ok", "note=line1\\nline2\\r", "eq=a=b", "pipe=x|y",
         "tab=t\\tt"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("msg", "args", "extra", "cef", "leef"), GOLDEN)
def test_golden(msg: str, args: Any, extra: dict[str, Any], cef: str, leef: list[str]) -> None:
    record = make_record(msg, args, extra=extra)
    assert CEFFormatter(**OPTS).format(record) == cef
    line = LEEFFormatter(**OPTS).format(record)
    assert line.startswith("LEEF:2.0|Acme|Portal|2.1|app.audit|x09|")
    assert leef_pairs(line) == leef


def test_name_from_message() -> None:
    record = make_record("User %s", ("bob",))
    assert CEFFormatter(name_from="message", timestamp=None).format(record) == (
        "CEF:0|cef-logging|python|1.0|app.audit|User bob|4|msg=User bob"
    )
    with pytest.raises(ValueError):
        CEFFormatter(name_from="rendered")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "extra", "expected"),
    [
        ("app.audit", {}, "app.audit"),
        ("app.audit", {"event_id": "AUTH-1"}, "AUTH-1"),
        ("app.audit", {"event_id": 4625}, "4625"),
        ("", {}, "IdentityMesh.Generic"),
        ("", {"event_id": ""}, "IdentityMesh.Generic"),
        ("a|b\\c", {}, "a\\|b\\\\c"),
    ],
)
def test_signature_id(name: str, extra: dict[str, Any], expected: str) -> None:
    fmt = CEFFormatter(default_event_id="IdentityMesh.Generic", timestamp=None)
    line = fmt.format(make_record("m", name=name, extra=extra))
    assert line.split("|")[4:6][0] == expected.split("|")[0]
    assert line.startswith(f"CEF:0|cef-logging|python|1.0|{expected}|m|4|")
    assert "event_id" not in cef_ext(line)


def test_event_name_and_severity_extras() -> None:
    line = CEFFormatter(timestamp=None).format(
        make_record("m", extra={"event_name": "Login failed", "event_severity": 9})
    )
    assert line == "CEF:0|cef-logging|python|1.0|app.audit|Login failed|9|msg=m"


def test_severity_levels_and_custom_levels() -> None:
    logging.addLevelName(25, "NOTICE")
    fmt = CEFFormatter(timestamp=None)
    assert fmt.format(make_record("m", level=25)).split("|")[6] == "4"  # nearest lower: INFO
    assert fmt.format(make_record("m", level=5)).split("|")[6] == "0"
    custom = CEFFormatter(timestamp=None, severity_map={"NOTICE": 5, "ERROR": 9, "CRITICAL": 10})
    assert custom.format(make_record("m", level=25)).split("|")[6] == "5"
    assert custom.format(make_record("m", level=20)).split("|")[6] == "0"  # below lowest
    assert custom.format(make_record("m", level=45)).split("|")[6] == "9"
    leef = LEEFFormatter(timestamp=None)
    assert leef_pairs(leef.format(make_record("m", level=1)))[0] == "sev=1"


def test_standard_fields() -> None:
    fmt = CEFFormatter(
        timestamp=None,
        standard_fields=["host", "pid", "process_name", "thread", "thread_id", "logger", "level",
                         "module", "func", "line", "path"],
    )  # fmt: skip
    record = make_record("m")
    pairs = cef_ext(fmt.format(record))
    assert pairs == (
        f"msg=m dvchost={socket.gethostname()} dvcpid={os.getpid()} "
        f"dproc={record.processName} thread={record.threadName} threadId={record.thread} "
        "logger=app.audit level=INFO module=audit func=handler line=42 path=/srv/app/audit.py"
    )


def test_reserved_attrs_come_from_a_real_record() -> None:
    real = set(vars(logging.LogRecord("n", 20, "p", 1, "m", (), None)))
    assert real <= RESERVED_ATTRS
    assert {"message", "asctime"} <= RESERVED_ATTRS
    if sys.version_info >= (3, 12):
        assert "taskName" in RESERVED_ATTRS
    # none of them is ever written as a field
    line = CEFFormatter(timestamp=None).format(make_record("m"))
    assert cef_ext(line) == "msg=m"


def test_extras_in_insertion_order_with_types() -> None:
    extra = {"z": 1, "a": True, "m": None, "b": b"\xc3\xa9", "d": {"k": [1, 2]}, "l": ["x y"]}
    line = CEFFormatter(timestamp=None).format(make_record("m", extra=extra))
    assert cef_ext(line) == 'msg=m z=1 a=true b=é d={"k":[1,2]} l=["x y"]'


def test_fmt_shapes_msg() -> None:
    fmt = CEFFormatter("%(levelname)s %(name)s: %(message)s", timestamp=None)
    assert cef_ext(fmt.format(make_record("hi %s", ("x",)))) == "msg=INFO app.audit: hi x"
    brace = CEFFormatter("{levelname}:{message}", style="{", timestamp=None)
    assert cef_ext(brace.format(make_record("hi"))) == "msg=INFO:hi"


# ------------------------------------------------------------------------------- exceptions


def _boom() -> None:
    raise ValueError("bad value\nsecond line")


def _exc_info() -> Any:
    try:
        _boom()
    except ValueError:
        return sys.exc_info()


def _fields(line: str) -> dict[str, str]:
    out = {}
    rest = cef_ext(line)
    for name in ("stackInfo", "stackTrace", "exceptionMessage", "exceptionType"):
        if f" {name}=" in rest:
            rest, _, value = rest.rpartition(f" {name}=")
            out[name] = value
    return out


@pytest.mark.parametrize("form", ["tuple", "instance", "true"])
def test_exception_fields(form: str) -> None:
    info = _exc_info()
    if form == "tuple":
        record = make_record("failed", level=logging.ERROR, exc_info=info)
    elif form == "instance":
        record = make_record("failed", level=logging.ERROR)
        record.exc_info = info[1]  # type: ignore[assignment]
    else:
        try:
            _boom()
        except ValueError:
            record = make_record("failed", level=logging.ERROR, exc_info=True)
            info = sys.exc_info()
    line = CEFFormatter(timestamp=None).format(record)
    assert len(line.splitlines()) == 1
    fields = _fields(line)
    assert fields["exceptionType"] == "ValueError"
    assert fields["exceptionMessage"] == "bad value\\nsecond line"
    trace = "".join(traceback.format_exception(*info)).rstrip("\n")
    assert fields["stackTrace"] == trace.replace("\\", "\\\\").replace("=", "\\=").replace(
        "\n", "\\n"
    )
    assert line.split("|")[6] == "8"


def test_exception_type_includes_module() -> None:
    try:
        socket.getaddrinfo("", None, family=-12345)
    except Exception:
        record = make_record("x", exc_info=True)
    else:  # pragma: no cover
        pytest.skip("no error raised")
    assert _fields(CEFFormatter(timestamp=None).format(record))["exceptionType"].startswith(
        "socket."
    )


def test_stack_info() -> None:
    record = make_record("m", stack_info="Stack (most recent call last):\n  File x, line 1\n")
    line = CEFFormatter(timestamp=None).format(record)
    assert cef_ext(line) == "msg=m stackInfo=Stack (most recent call last):\\n  File x, line 1"


def test_exc_text_only_record() -> None:
    """A record that crossed a queue / socket: exc_info gone, exc_text kept."""
    record = make_record("failed")
    record.exc_text = 'Traceback (most recent call last):\n  File "a.py"\nKeyError: \'user\''
    line = LEEFFormatter(timestamp=None).format(record)
    assert leef_pairs(line)[2:] == [
        "exceptionType=KeyError",
        "exceptionMessage='user'",
        "stackTrace=Traceback (most recent call last):\\n  File \"a.py\"\\nKeyError: 'user'",
    ]


# ------------------------------------------------------------------------------- robustness


class HostileStr:
    def __str__(self) -> str:
        raise TypeError("no str for you")

    def __repr__(self) -> str:
        raise TypeError("no repr either")


@pytest.mark.parametrize(
    ("msg", "args", "expected_msg", "log_error"),
    [
        ("a %s %s", ("one",), "a %s %s", "TypeError: not enough arguments for format string"),
        ("a %d", ("x",), "a %d", "TypeError: %d format: a real number is required, not str"),
        (HostileStr(), (), "<unprintable HostileStr>", "TypeError: no str for you"),
        ("x %s", (HostileStr(),), "x %s", "TypeError: no str for you"),
    ],
)
def test_bad_messages_never_raise(msg: Any, args: Any, expected_msg: str, log_error: str) -> None:
    for fmt in (CEFFormatter(timestamp=None), LEEFFormatter(timestamp=None)):
        line = fmt.format(make_record(msg, args))
        assert len(line.splitlines()) == 1
        esc = fmt.renderer.layout.value_escape
        assert f"msg={esc(expected_msg)}" in line
        assert f"logError={esc(log_error)}" in line


def test_hostile_extra_value() -> None:
    line = CEFFormatter(timestamp=None).format(make_record("m", extra={"h": HostileStr()}))
    assert cef_ext(line) == "msg=m h=<unprintable HostileStr>"


@pytest.mark.parametrize("timestamp", [None, "iso"])
def test_huge_int_is_written_in_full(timestamp: str | None) -> None:
    """int -> str raises ValueError over 4300 digits; the value is still written as digits."""
    fmt = CEFFormatter(timestamp=timestamp)
    digits = "1" + "0" * 5000
    for _ in range(3):  # first call and cached paths
        line = fmt.format(make_record("m", extra={"big": 10**5000, "u": "x", "i": 5}))
        assert line.endswith(f"msg=m big={digits} u=x i=5")


@pytest.mark.parametrize("cls", [CEFFormatter, LEEFFormatter])
@pytest.mark.parametrize(("levelno", "severity"), [("30", "6"), ("ERROR", "8"), (None, "0"),
                                                   (object(), "0"), (25.0, "0")])  # fmt: skip
def test_non_int_levelno_keeps_the_extras(
    cls: type[CEFFormatter], levelno: object, severity: str
) -> None:
    record = make_record("m", extra={"user": "al", "n": 1})
    record.levelno = levelno  # type: ignore[assignment]
    line = cls(timestamp=None).format(record)
    assert "render error" not in line
    assert "user=al" in line and "n=1" in line
    if cls is CEFFormatter:
        assert line.split("|")[6] == severity
    else:
        assert f"sev={max(int(severity), 1)}" in line


def _snapshot(record: logging.LogRecord) -> dict[str, Any]:
    return {k: copy.copy(v) for k, v in vars(record).items()}


@pytest.mark.parametrize(
    "options", [{}, {"fmt": "%(asctime)s %(message)s"}, {"max_length": 100},
                {"standard_fields": ["host", "pid", "level"]}]
)  # fmt: skip
def test_record_never_mutated(options: dict[str, Any]) -> None:
    records = [
        make_record("a %s", ("b",), extra={"k": "v", "event_id": "E", "event_severity": 3}),
        make_record("fail", level=logging.ERROR, exc_info=_exc_info()),
        make_record("bad %s %s", ("one",)),
        make_record("stack", stack_info="Stack:\n  here"),
    ]
    for cls in (CEFFormatter, LEEFFormatter):
        fmt = cls(options.pop("fmt", None), **options)
        for record in records:
            before = _snapshot(record)
            keys = list(vars(record))
            fmt.format(record)
            assert list(vars(record)) == keys
            assert _snapshot(record) == before
            assert not hasattr(record, "message")
            assert record.exc_text is None


def test_end_to_end_through_a_logger() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(CEFFormatter(**OPTS, timestamp=None))
    logger = logging.getLogger("cef_logging.tests.e2e")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.warning("Disk %s at %d%%", "/var", 91, extra={"fname": "/var", "n": "a\nb"})
        try:
            {}["x"]
        except KeyError:
            logger.exception("lookup failed")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0] == (
        "CEF:0|Acme|Portal|2.1|cef_logging.tests.e2e|Disk %s at %d%%|6|"
        "msg=Disk /var at 91% fname=/var n=a\\nb"
    )
    assert lines[1].startswith("CEF:0|Acme|Portal|2.1|cef_logging.tests.e2e|lookup failed|8|")
    assert " exceptionType=KeyError exceptionMessage='x' stackTrace=Traceback" in lines[1]
    assert len(lines) == 2


def test_max_length_through_formatter() -> None:
    fmt = CEFFormatter(timestamp=None, max_length=80)
    record = make_record("%s", ("é" * 100,))
    line = fmt.format(record)
    assert len(line.encode()) <= 80
    full = CEFFormatter(timestamp=None).format(record)
    assert line.endswith(f" truncated={len(full.encode())}")
    assert full.startswith(line.rsplit(" ", 1)[0])
    # the header is never cut, even when it alone is longer than max_length
    long_name = fmt.format(make_record("é" * 100))
    assert long_name == f"CEF:0|cef-logging|python|1.0|app.audit|{'é' * 100}|4|truncated=446"
