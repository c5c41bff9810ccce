"""The documented pairings of the formatters with standard-library handlers."""

from __future__ import annotations

import logging
import logging.handlers
import queue
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from _support_syslog_ng import SyslogNG, requires_syslog_ng, running_syslog_ng

try:
    from cef_logging import CEFFormatter
except ImportError:  # pragma: no cover
    CEFFormatter = None  # type: ignore[assignment,misc]

HOSTILE = ["plain", "a|b=c\\d", "line\nbreak\r\n", "nul\x00", "sep\u2028\u2029", "é 漢字 🚀"]


def formatter() -> logging.Formatter:
    if CEFFormatter is None:  # pragma: no cover
        return logging.Formatter("%(message)s")
    return CEFFormatter(vendor="Acme", product="App", version="1.0")


def make_logger(*handlers: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(f"test.stock.{uuid.uuid4().hex}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    for handler in handlers:
        logger.addHandler(handler)
    return logger


def log_all(logger: logging.Logger, fmt: logging.Formatter, values: list[str]) -> list[str]:
    """Log each value (message and extra); return the lines the formatter produced."""
    lines = []
    for value in values:
        record = logger.makeRecord(
            logger.name, logging.WARNING, __file__, 1, value, None, None, extra={"user": value}
        )
        lines.append(fmt.format(record))
        logger.handle(record)
    return lines


def read_lines(path: Path) -> list[str]:
    # newline="" keeps any CR/U+2028 exactly; the formatter guarantees one line per record.
    with open(path, encoding="utf-8", newline="") as fh:
        text = fh.read()
    assert text.endswith("\n")
    return text[:-1].split("\n")


# ------------------------------------------------------------------------------------
# Files
# ------------------------------------------------------------------------------------


def test_file_handler(tmp_path: Path) -> None:
    path = tmp_path / "cef.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    fmt = formatter()
    handler.setFormatter(fmt)
    expected = log_all(make_logger(handler), fmt, HOSTILE)
    handler.close()
    assert read_lines(path) == expected


def test_rotating_file_handler(tmp_path: Path) -> None:
    path = tmp_path / "cef.log"
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2000, backupCount=50, encoding="utf-8"
    )
    fmt = formatter()
    handler.setFormatter(fmt)
    expected = log_all(make_logger(handler), fmt, HOSTILE * 10)
    handler.close()
    backups = sorted(tmp_path.glob("cef.log.*"), key=lambda p: -int(p.suffix[1:]))
    assert backups, "expected at least one rollover"
    got = [line for p in [*backups, path] for line in read_lines(p)]
    assert got == expected


def test_timed_rotating_file_handler(tmp_path: Path) -> None:
    """Daily rollover (the runbook's file sink); a forced rollover keeps every line."""
    path = tmp_path / "cef.log"
    handler = logging.handlers.TimedRotatingFileHandler(
        path, when="midnight", backupCount=30, encoding="utf-8", utc=True
    )
    fmt = formatter()
    handler.setFormatter(fmt)
    logger = make_logger(handler)
    first = log_all(logger, fmt, HOSTILE)
    handler.doRollover()
    second = log_all(logger, fmt, HOSTILE)
    handler.close()
    (backup,) = [p for p in tmp_path.iterdir() if p.name != "cef.log"]
    assert read_lines(backup) == first
    assert read_lines(path) == second


# ------------------------------------------------------------------------------------
# QueueHandler / QueueListener
# ------------------------------------------------------------------------------------


def test_queue_handler_with_formatter_on_the_target(tmp_path: Path) -> None:
    path = tmp_path / "cef.log"
    target = logging.FileHandler(path, encoding="utf-8")
    fmt = formatter()
    target.setFormatter(fmt)  # the CEF formatter belongs on the listener's target handler
    q: queue.Queue[logging.LogRecord] = queue.Queue()
    listener = logging.handlers.QueueListener(q, target, respect_handler_level=True)
    listener.start()
    logger = make_logger(logging.handlers.QueueHandler(q))
    expected = []
    for value in HOSTILE:
        record = logger.makeRecord(
            logger.name, logging.WARNING, __file__, 1, value, None, None, extra={"user": value}
        )
        expected.append(fmt.format(record))
        logger.handle(record)
    listener.stop()
    target.close()
    # QueueHandler.prepare() merges args into msg and drops exc_info; the record
    # attributes the formatter reads survive the trip, so the lines are identical.
    assert read_lines(path) == expected


# ------------------------------------------------------------------------------------
# Stock SysLogHandler over UDP into syslog-ng
# ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyslogNG]:
    with running_syslog_ng(tmp_path_factory.mktemp("sng"), ["udp", "udp_raw"]) as server:
        yield server


@requires_syslog_ng
def test_stock_syslog_handler_udp_with_ident(collector: SyslogNG) -> None:
    """The stock handler sends ``<PRI>ident MSG NUL``; with ``ident = "app: "`` syslog-ng
    parses the tag and the CEF line arrives byte for byte (the trailing NUL is dropped)."""
    handler = logging.handlers.SysLogHandler(
        ("127.0.0.1", collector.ports["udp"]),
        facility=logging.handlers.SysLogHandler.LOG_LOCAL0,
        socktype=socket.SOCK_DGRAM,
    )
    handler.ident = "IdentityMesh: "
    fmt = formatter()
    handler.setFormatter(fmt)
    expected = log_all(make_logger(handler), fmt, HOSTILE)
    handler.close()
    got = collector.wait_for("udp", len(expected))
    assert [r.msg for r in got] == [line.encode() for line in expected]
    assert {(r.facility, r.severity, r.program) for r in got} == {(16, 4, "IdentityMesh")}


@requires_syslog_ng
def test_stock_syslog_handler_udp_raw(collector: SyslogNG) -> None:
    """Without an ident the datagram is ``<PRI>CEF:0|...``: raw capture shows it intact."""
    handler = logging.handlers.SysLogHandler(("127.0.0.1", collector.ports["udp_raw"]))
    fmt = formatter()
    handler.setFormatter(fmt)
    expected = log_all(make_logger(handler), fmt, HOSTILE)
    handler.close()
    got = collector.wait_for("udp_raw", len(expected))
    assert [r.msg for r in got] == [b"<12>" + line.encode() for line in expected]
