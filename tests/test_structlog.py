"""CEFRenderer / LEEFRenderer with real structlog: configure(), ProcessorFormatter, mapping.

Golden lines use fixed timestamps: 2026-04-25T11:32:18.421Z is epoch 1777116738.421.
"""

from __future__ import annotations

import copy
import io
import logging
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

structlog = pytest.importorskip("structlog")

from cef_logging import CEFFormatter, CEFRenderer, LEEFFormatter, LEEFRenderer  # noqa: E402
from cef_logging.structlog import CONSUMED_KEYS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CREATED = 1777116738.421
ISO = "2026-04-25T11:32:18.421Z"
MS = "1777116738421"  # the default CEF rt: epoch milliseconds
HEAD = "CEF:0|cef-logging|python|1.0|"


def fixed_time(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """A TimeStamper stand-in with a fixed instant (ISO, as TimeStamper(fmt='iso'))."""
    event_dict["timestamp"] = "2026-04-25T11:32:18.421312Z"
    return event_dict


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


def render(ed: dict[str, Any], method: str = "info", **options: Any) -> str:
    line = CEFRenderer(**options)(None, method, ed)
    assert isinstance(line, str)
    return line


# --------------------------------------------------------------------------- configure()


def test_configure_print_logger_golden() -> None:
    out = io.StringIO()
    structlog.configure(
        processors=[structlog.processors.add_log_level, fixed_time, CEFRenderer()],
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    log = structlog.get_logger().bind(logger="app.audit")
    log.info("user login", user="alice", src="10.0.0.1", attempts=3)
    log.warning("disk | almost = full", path="C:\\tmp", ratio=0.93)
    assert out.getvalue().splitlines() == [
        f"{HEAD}app.audit|user login|4|rt={MS} msg=user login user=alice src=10.0.0.1 attempts=3",
        f"{HEAD}app.audit|disk \\| almost = full|6|rt={MS} msg=disk | almost \\= full "
        "path=C:\\\\tmp ratio=0.93",
    ]


def test_configure_return_logger_leef_golden() -> None:
    structlog.configure(
        processors=[structlog.processors.add_log_level, fixed_time, LEEFRenderer()],
        logger_factory=structlog.ReturnLoggerFactory(),
        cache_logger_on_first_use=False,
    )
    line = structlog.get_logger().error("denied", event_id="AUTH-7", user="bob\tx")
    assert line == (
        "LEEF:2.0|cef-logging|python|1.0|AUTH-7|x09|"
        f"devTime={ISO}\tdevTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX\tsev=8\tmsg=denied\tuser=bob\\tx"
    )


def test_configure_with_stdlib_logger_factory_uses_logger_name() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    std = logging.getLogger("test_structlog.factory")
    std.handlers[:] = [handler]
    std.propagate = False
    std.setLevel(logging.DEBUG)
    structlog.configure(
        processors=[
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            fixed_time,
            CEFRenderer(),
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    structlog.get_logger("test_structlog.factory").critical("halt", code=7)
    assert stream.getvalue() == (f"{HEAD}test_structlog.factory|halt|10|rt={MS} msg=halt code=7\n")


def test_configure_exception_via_format_exc_info() -> None:
    """structlog's format_exc_info turns exc_info into an ``exception`` string: parsed back."""
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            fixed_time,
            structlog.processors.format_exc_info,
            CEFRenderer(),
        ],
        logger_factory=structlog.ReturnLoggerFactory(),
        cache_logger_on_first_use=False,
    )
    log = structlog.get_logger()
    try:
        raise KeyError("nope")
    except KeyError:
        line = log.exception("failed")
    assert line.startswith(f"{HEAD}Generic|failed|8|rt={MS} msg=failed exceptionType=KeyError ")
    assert "exceptionMessage='nope' stackTrace=Traceback (most recent call last):\\n" in line
    assert "exception=" not in line


def test_exc_info_forms() -> None:
    try:
        raise ValueError("bad = value")
    except ValueError as exc:
        err = exc
        by_true = render({"event": "x", "exc_info": True}, "error")
        by_tuple = render({"event": "x", "exc_info": sys.exc_info()}, "error")
    by_exc = render({"event": "x", "exc_info": err}, "error")
    for line in (by_true, by_tuple, by_exc):
        assert (
            "exceptionType=ValueError exceptionMessage=bad \\= value stackTrace=Traceback" in line
        )
        assert " exc_info=" not in line
    assert "exceptionType" not in render({"event": "x", "exc_info": False})
    assert "exceptionType" not in render({"event": "x", "exc_info": True})  # nothing raised


def test_dict_tracebacks_list_is_kept_as_a_field() -> None:
    ed = structlog.processors.dict_tracebacks(None, "error", {"event": "x", "exc_info": None})
    ed["exception"] = [{"exc_type": "ValueError", "exc_value": "v", "frames": []}]
    line = render(ed, "error")
    assert 'exception=[{"exc_type":"ValueError","exc_value":"v","frames":[]}]' in line
    assert "exceptionType" not in line


def test_stack_info_and_stack_keys() -> None:
    assert render({"event": "x", "stack_info": "Stack (most recent call last):\n  f"}).endswith(
        "stackInfo=Stack (most recent call last):\\n  f"
    )
    ed = structlog.processors.StackInfoRenderer()(None, "info", {"event": "x", "stack_info": True})
    line = render(ed)
    assert "stackInfo=Stack (most recent call last):\\n" in line
    assert " stack=" not in line


# --------------------------------------------------------------------------- mapping


def test_event_id_precedence() -> None:
    assert render({"event": "e", "event_id": "ID1", "logger": "lg"}).startswith(f"{HEAD}ID1|e|")
    assert render({"event": "e", "logger": "lg"}).startswith(f"{HEAD}lg|e|")
    assert render({"event": "e"}).startswith(f"{HEAD}Generic|e|")
    assert render({"event": "e"}, default_event_id="APP").startswith(f"{HEAD}APP|e|")
    line = render({"event": "e", "logger": "lg"}, standard_fields=["logger"])
    assert line.startswith(f"{HEAD}lg|e|") and " logger=lg" in line


@pytest.mark.parametrize(
    ("level", "method", "severity"),
    [
        (None, "debug", 2),
        (None, "info", 4),
        (None, "warn", 6),
        (None, "warning", 6),
        (None, "error", 8),
        (None, "exception", 8),
        (None, "critical", 10),
        (None, "fatal", 10),
        (None, "msg", 4),
        (None, "log", 4),
        (None, "nonsense", 0),
        ("warning", "info", 6),
        ("WARNING", "info", 6),
        ("Error", "info", 8),
        ("critical", "debug", 10),
        (40, "info", 8),
        (35, "info", 6),
        ("25", "info", 4),
        ("not-a-level", "error", 8),
        (True, "error", 8),
        (["x"], "warning", 6),
    ],
)
def test_severity_from_level_key_else_method(level: object, method: str, severity: int) -> None:
    ed: dict[str, Any] = {"event": "e"}
    if level is not None:
        ed["level"] = level
    assert render(ed, method).split("|")[6] == str(severity)
    assert " level=" not in render(ed, method)


def test_severity_map_and_event_severity_override() -> None:
    line = render({"event": "e", "level": "info"}, severity_map={"INFO": 3, "ERROR": 9})
    assert line.split("|")[6] == "3"
    assert render({"event": "e", "event_severity": "High"}).split("|")[6] == "High"
    assert render({"event": "e", "event_name": "Renamed"}).split("|")[5] == "Renamed"


def _rt(line: str) -> str:
    return line.split(" rt=", 1)[1].split(" ", 1)[0] if " rt=" in line else line.split("rt=")[1]


@pytest.mark.parametrize(
    "value",
    [
        "2026-04-25T11:32:18.421312Z",
        "2026-04-25T11:32:18.421z",
        "2026-04-25T11:32:18.421+00:00",
        "2026-04-25T13:32:18.421+02:00",
        "2026-04-25 11:32:18.421+00:00",
        CREATED,
        1777116738.4219,
        datetime(2026, 4, 25, 11, 32, 18, 421000, tzinfo=timezone.utc),
        datetime(2026, 4, 25, 6, 32, 18, 421000, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_timestamp_key_forms(value: object) -> None:
    line = render({"event": "e", "timestamp": value})
    assert f"|rt={MS} msg=e" in line
    assert "timestamp" not in line


def test_timestamp_int_epoch_and_naive_local() -> None:
    assert "|rt=1777116738000 " in render({"event": "e", "timestamp": 1777116738})
    naive = datetime.fromtimestamp(CREATED)  # local wall time, as TimeStamper(utc=False)
    assert f"|rt={MS} " in render({"event": "e", "timestamp": naive})
    assert f"|rt={MS} " in render({"event": "e", "timestamp": naive.isoformat()})


def test_timestamp_formats() -> None:
    ed = {"event": "e", "timestamp": CREATED}
    assert "|rt=1777116738421 " in render(ed, timestamp="epoch_ms")
    assert "|rt=Apr 25 2026 11:32:18.421 UTC " in render(ed, timestamp="arcsight")
    assert render(ed, timestamp=None) == f"{HEAD}Generic|e|4|msg=e"


@pytest.mark.parametrize(
    "value", ["yesterday", "", "2026-13-45T00:00:00Z", float("nan"), 1e300, [1, 2], "\u2028"]
)
def test_unparseable_timestamp_is_now_and_kept(value: object) -> None:
    before = time.time()
    line = render({"event": "e", "timestamp": value, "k": "v"}, timestamp="epoch_ms")
    after = time.time()
    rt = int(line.split("|rt=")[1].split(" ")[0])
    assert int(before * 1000) - 1 <= rt <= int(after * 1000) + 1
    assert " timestamp=" in line
    assert len(line.splitlines()) == 1


def test_missing_timestamp_is_now() -> None:
    before = time.time()
    line = render({"event": "e"}, timestamp="epoch_ms")
    rt = int(line.split("|rt=")[1].split(" ")[0])
    assert int(before * 1000) - 1 <= rt <= int(time.time() * 1000) + 1
    assert "timestamp" not in line


def test_event_not_a_string_and_missing() -> None:
    line = render({"event": {"a": 1}, "timestamp": CREATED})
    assert line == f'{HEAD}Generic|{{"a":1}}|4|rt={MS} msg={{"a":1}}'
    assert render({"event": 12, "timestamp": CREATED}) == f"{HEAD}Generic|12|4|rt={MS} msg=12"
    assert render({"k": "v", "timestamp": CREATED}) == f"{HEAD}Generic||4|rt={MS} k=v"
    assert render({"event": None, "timestamp": CREATED}) == f"{HEAD}Generic||4|rt={MS}"


def test_options_match_stdlib_formatter() -> None:
    options: dict[str, Any] = dict(
        vendor="Acme",
        product="Gate|way",
        version="2",
        rename_fields={"user": "suser", "msg": "message"},
        static_fields={"env": "prod"},
        defaults={"tenant": "none"},
        exclude_fields=["secret"],
        fields=["rt", "suser", "..."],
        none_value="-",
        full_name_aliases=True,
        key_sanitizer="underscore",
    )
    ed = {"event": "hi", "logger": "svc", "timestamp": CREATED, "user": "al", "secret": "s",
          "sourceAddress": "1.2.3.4", "weird key": 1, "empty": None}  # fmt: skip
    line = render(ed, **options)
    assert line == (
        "CEF:0|Acme|Gate\\|way|2|svc|hi|4|rt=1777116738421 suser=al message=hi "
        "env=prod src=1.2.3.4 weird_key=1 empty=- tenant=none"
    )
    record = logging.LogRecord("svc", logging.INFO, "p", 1, "hi", (), None)
    record.created = CREATED
    for k, v in ed.items():
        if k not in ("event", "logger", "timestamp"):
            record.__dict__[k] = v
    assert CEFFormatter(**options).format(record) == line


def test_leef_options() -> None:
    line = LEEFRenderer(leef_version="2.0", delimiter="^")(
        None, "warning", {"event": "a^b", "timestamp": CREATED, "k": "x"}
    )
    assert line == (
        "LEEF:2.0|cef-logging|python|1.0|Generic|^|devTime=2026-04-25T11:32:18.421Z^"
        "devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX^sev=6^msg=a\\^b^k=x"
    )
    v1 = LEEFRenderer(leef_version="1.0")(None, "info", {"event": "e", "timestamp": CREATED})
    assert v1.startswith("LEEF:1.0|cef-logging|python|1.0|Generic|devTime=")
    with pytest.raises(ValueError):
        LEEFRenderer(leef_version="3.0")


def test_invalid_options_raise_at_construction() -> None:
    with pytest.raises(ValueError):
        CEFRenderer(timestamp="bogus")
    with pytest.raises(ValueError):
        CEFRenderer(severity_map={"INFO": 11})
    with pytest.raises(ValueError):
        CEFRenderer(name_from="other")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        CEFRenderer("positional")  # type: ignore[misc]


def test_reserved_keys() -> None:
    ed = {"event": "e", "logger": "lg", "level": "info", "timestamp": CREATED, "k": 1}
    assert render(ed) == f"{HEAD}lg|e|4|rt={MS} msg=e k=1"
    line = render(ed, reserved_keys=["k"])
    assert line == (
        f"{HEAD}lg|e|4|rt={MS} msg=e event=e logger=lg level=info timestamp={CREATED!r}"
    )
    # ProcessorFormatter's meta keys are never written, whatever reserved_keys says
    line = render({**ed, "_record": "x", "_from_structlog": True}, reserved_keys=())
    assert "_record" not in line and "_from_structlog" not in line and "fromstructlog" not in line
    assert {"event", "timestamp", "level", "logger", "exc_info", "exception"} <= CONSUMED_KEYS


def test_standard_fields_from_callsite_parameters() -> None:
    adder = structlog.processors.CallsiteParameterAdder(
        [
            structlog.processors.CallsiteParameter.FUNC_NAME,
            structlog.processors.CallsiteParameter.LINENO,
        ]
    )
    structlog.configure(
        processors=[
            adder,
            fixed_time,
            CEFRenderer(
                standard_fields=["func", "line", "pid"],
                reserved_keys={*CONSUMED_KEYS, "func_name", "lineno"},
            ),
        ],
        logger_factory=structlog.ReturnLoggerFactory(),
        cache_logger_on_first_use=False,
    )
    line = structlog.get_logger().info("here")
    import os

    assert " func=test_standard_fields_from_callsite_parameters line=" in line
    assert f" dvcpid={os.getpid()}" in line
    assert "func_name" not in line and "lineno" not in line


def test_max_length() -> None:
    line = render({"event": "e", "timestamp": CREATED, "big": "x" * 5000}, max_length=200)
    assert len(line.encode()) <= 200
    assert line.endswith(
        " truncated="
        + str(len(render({"event": "e", "timestamp": CREATED, "big": "x" * 5000}).encode()))
    )


def test_event_dict_not_mutated() -> None:
    try:
        raise RuntimeError("x")
    except RuntimeError:
        info = sys.exc_info()
    ed: dict[str, Any] = {
        "event": "e", "logger": "lg", "level": "error", "timestamp": "garbage",
        "exc_info": info, "exception": ["dict", "tb"], "stack": "s", "nested": {"a": [1]},
        "event_id": "X", "event_name": "N", "event_severity": "3", "_from_structlog": True,
    }  # fmt: skip
    snapshot = copy.deepcopy({k: v for k, v in ed.items() if k != "exc_info"})
    keys = list(ed)
    for renderer in (CEFRenderer(), LEEFRenderer(), CEFRenderer(reserved_keys=())):
        renderer(None, "error", ed)
    assert list(ed) == keys
    assert {k: v for k, v in ed.items() if k != "exc_info"} == snapshot
    assert ed["exc_info"] is info


def test_never_raises_on_a_non_mapping() -> None:
    line = CEFRenderer()(None, "info", "not a dict")  # type: ignore[arg-type]
    assert line.startswith(f"{HEAD}Generic|cef-logging render error|")
    assert len(line.splitlines()) == 1


def test_never_raises_on_hostile_mapping() -> None:
    class Hostile(dict[str, Any]):
        def __iter__(self) -> Any:
            raise RuntimeError("no keys")

    line = CEFRenderer()(None, "warning", Hostile(event="e"))
    assert line == f"{HEAD}Generic|cef-logging render error|0|msg= logError=RuntimeError: no keys"

    class HostileGet(dict[str, Any]):
        def get(self, key: str, default: Any = None) -> Any:
            if key == "timestamp":
                raise RuntimeError("no get")
            return super().get(key, default)

    line = CEFRenderer()(None, "warning", HostileGet(event="e"))
    assert line.startswith(f"{HEAD}Generic|cef-logging render error|6|msg=e logError=")


# --------------------------------------------------------------------------- ProcessorFormatter


def _stdlib_pair(
    name: str, *formatters: logging.Formatter
) -> tuple[logging.Logger, list[io.StringIO]]:
    logger = logging.getLogger(name)
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    streams = []
    for formatter in formatters:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter)
        logger.addHandler(handler)
        streams.append(stream)
    return logger, streams


def _log_plain(logger: logging.Logger) -> None:
    logger.info("user %s logged in", "alice", extra={"src": "10.0.0.1", "n": 2})
    logger.warning("pipes | and = signs\nnext line", extra={"k": "a=b"})
    logger.log(25, "custom level")
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        logger.exception("division failed", extra={"op": "div"})
    logger.error("with stack", stack_info=True)


@pytest.mark.parametrize(
    ("kind", "formatter_cls"), [(CEFRenderer, CEFFormatter), (LEEFRenderer, LEEFFormatter)]
)
def test_processor_formatter_processors_form_matches_stdlib_exactly(
    kind: type[CEFRenderer], formatter_cls: type[CEFFormatter]
) -> None:
    """``processors=[CEFRenderer()]`` keeps ``_record``: stdlib records render exactly as
    CEFFormatter renders them (same instant, Name = template, extras, exception)."""
    options = dict(vendor="V", product="P", standard_fields=["logger", "level", "line"])
    bridge = structlog.stdlib.ProcessorFormatter(processors=[kind(**options)])
    logger, (via_structlog, via_stdlib) = _stdlib_pair(
        "test_structlog.bridge." + kind.__name__, bridge, formatter_cls(**options)
    )
    _log_plain(logger)
    assert via_structlog.getvalue() == via_stdlib.getvalue()
    assert len(via_stdlib.getvalue().splitlines()) == 5


def _record_time(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """foreign_pre_chain step: the record's own instant (TimeStamper would use 'now')."""
    event_dict["timestamp"] = event_dict["_record"].created
    return event_dict


def test_processor_formatter_processor_form_with_pre_chain() -> None:
    """``processor=CEFRenderer()`` (structlog strips ``_record`` first): with the usual
    pre-chain the lines match CEFFormatter(name_from="message")."""
    bridge = structlog.stdlib.ProcessorFormatter(
        processor=CEFRenderer(),
        foreign_pre_chain=[
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            structlog.stdlib.ExtraAdder(),
            _record_time,
        ],
    )
    logger, (via_structlog, via_stdlib) = _stdlib_pair(
        "test_structlog.bridge.processor", bridge, CEFFormatter(name_from="message")
    )
    logger.info("user %s logged in", "alice", extra={"src": "10.0.0.1", "n": 2})
    logger.warning("pipes | and = signs", extra={"k": "a=b"})
    try:
        raise OSError("disk")
    except OSError:
        logger.exception("io failed")
    assert via_structlog.getvalue() == via_stdlib.getvalue()
    assert "_record" not in via_structlog.getvalue()


def test_processor_formatter_structlog_events_match_direct_rendering() -> None:
    """Events from structlog loggers through the bridge come out as configure() renders them."""
    renderer = CEFRenderer()
    bridge = structlog.stdlib.ProcessorFormatter(processors=[renderer])
    _, (stream,) = _stdlib_pair("test_structlog.bridge.events", bridge)
    chain = [structlog.stdlib.add_logger_name, structlog.stdlib.add_log_level, fixed_time]
    structlog.configure(
        processors=[*chain, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    structlog.get_logger("test_structlog.bridge.events").warning("bridged", user="al", n=1)
    expected: dict[str, Any] = {"event": "bridged", "user": "al", "n": 1}
    for step in chain:
        expected = step(logging.getLogger("test_structlog.bridge.events"), "warning", expected)
    direct = renderer(None, "warning", expected)
    assert stream.getvalue() == direct + "\n"
    assert stream.getvalue() == (
        f"{HEAD}test_structlog.bridge.events|bridged|6|rt={MS} msg=bridged user=al n=1\n"
    )
    assert "_record" not in stream.getvalue() and "_logger" not in stream.getvalue()


def test_processor_formatter_processor_form_structlog_events() -> None:
    bridge = structlog.stdlib.ProcessorFormatter(processor=LEEFRenderer())
    _, (stream,) = _stdlib_pair("test_structlog.bridge.leef", bridge)
    structlog.configure(
        processors=[
            structlog.stdlib.add_log_level,
            fixed_time,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    structlog.get_logger("test_structlog.bridge.leef").info("x", a=1)
    assert stream.getvalue() == (
        "LEEF:2.0|cef-logging|python|1.0|Generic|x09|devTime=2026-04-25T11:32:18.421Z\t"
        "devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX\tsev=4\tmsg=x\ta=1\n"
    )


# --------------------------------------------------------------------------- no structlog


def test_import_and_use_without_structlog() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["structlog"] = None  # any "import structlog" now raises ImportError
        import cef_logging
        from cef_logging import CEFRenderer, LEEFRenderer
        import cef_logging.structlog as adapter
        line = CEFRenderer()(None, "warning", {"event": "hi", "timestamp": 0, "k": "v"})
        head = "CEF:0|cef-logging|python|1.0|Generic|hi|6|"
        assert line == head + "rt=0 msg=hi k=v", line
        assert LEEFRenderer()(None, "info", {"event": "x"}).startswith("LEEF:2.0|")
        assert sys.modules["structlog"] is None
        assert adapter.__name__ == "cef_logging.structlog"
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_importing_cef_logging_does_not_import_structlog() -> None:
    code = (
        "import sys, cef_logging; from cef_logging import CEFRenderer; "
        "print('structlog' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
