"""The documented pairings of the formatters with standard-library handlers."""

from __future__ import annotations

import logging
import logging.handlers
import queue
import select
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _support_syslog_ng import SyslogNG, requires_syslog_ng, running_syslog_ng
from conftest import make_logger

from cef_logging.handlers import SyslogHandler

try:
    from cef_logging import CEFFormatter
except ImportError:  # pragma: no cover
    CEFFormatter = None  # type: ignore[assignment,misc]

HOSTILE = ["plain", "a|b=c\\d", "line\nbreak\r\n", "nul\x00", "sep\u2028\u2029", "é 漢字 🚀"]


def formatter() -> logging.Formatter:
    if CEFFormatter is None:  # pragma: no cover
        return logging.Formatter("%(message)s")
    return CEFFormatter(vendor="Acme", product="App", version="1.0")


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


# ------------------------------------------------------------------------------------
# Stock SysLogHandler over TCP into syslog-ng
#
# The stock handler sends ``<PRI>ident MSG`` plus a NUL (``append_nul``, default True)
# and nothing else: no RFC 6587 octet count, no LF.
# ------------------------------------------------------------------------------------


class RecordingSysLogHandler(logging.handlers.SysLogHandler):
    """The stock handler; failed emits are kept as (message, exception), not printed."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.failed: list[tuple[str, BaseException | None]] = []

    def handleError(self, record: logging.LogRecord) -> None:
        self.failed.append((record.getMessage(), sys.exc_info()[1]))


@pytest.fixture(scope="module")
def tcp_collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyslogNG]:
    sources = ["tcp_octet", "tcp_newline", "tcp_newline_raw"]
    workdir = tmp_path_factory.mktemp("sng-tcp")
    with running_syslog_ng(workdir, sources, internal_log=True) as server:
        yield server


def clear(server: SyslogNG, name: str) -> None:
    # syslog-ng keeps the file open in append mode: truncating is safe.
    path = server.out(name)
    if path.exists():
        path.write_bytes(b"")


def stock_tcp_handler(
    server: SyslogNG, source: str, *, append_nul: bool, ident: str = ""
) -> RecordingSysLogHandler:
    handler = RecordingSysLogHandler(
        ("127.0.0.1", server.ports[source]),
        facility=logging.handlers.SysLogHandler.LOG_LOCAL0,
        socktype=socket.SOCK_STREAM,
    )
    handler.append_nul = append_nul
    handler.ident = ident
    handler.setFormatter(formatter())
    return handler


def wait_peer_closed(sock: socket.socket, timeout: float = 5.0) -> bool:
    readable, _, _ = select.select([sock], [], [], timeout)
    return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""


def wait_log(server: SyslogNG, since: int, text: str, timeout: float = 5.0) -> str:
    """syslog-ng's own log written after offset *since*, once it contains *text*."""
    deadline = time.monotonic() + timeout
    while True:
        log = server.log_text()[since:]
        if text in log or time.monotonic() >= deadline:
            return log
        time.sleep(0.02)


@requires_syslog_ng
@pytest.mark.parametrize("append_nul", [True, False], ids=["append_nul", "no_nul"])
def test_stock_syslog_handler_tcp_into_syslog_source_is_rejected(
    tcp_collector: SyslogNG, append_nul: bool
) -> None:
    """syslog(transport("tcp")) expects an octet count; ``<132>CEF:...`` has none, so
    syslog-ng logs "Invalid frame header", stores nothing and closes the connection.
    The stock handler never reconnects: the first record(s) vanish without any error,
    and every later record fails with a broken pipe. ``append_nul`` makes no difference."""
    server = tcp_collector
    clear(server, "tcp_octet")
    since = len(server.log_text())
    handler = stock_tcp_handler(server, "tcp_octet", append_nul=append_nul)
    logger = make_logger(handler)
    logger.warning("first")
    assert wait_peer_closed(handler.socket), "syslog-ng should drop the connection"
    assert "Invalid frame header" in wait_log(server, since, "Invalid frame header")
    assert handler.failed == []  # "first" was lost, silently
    logger.warning("second")  # still accepted by the kernel; the peer answers with a reset
    time.sleep(0.2)
    for value in ["third", "fourth", "fifth"]:
        logger.warning(value)
    handler.close()
    failed = {message for message, _ in handler.failed}
    assert {"third", "fourth", "fifth"} <= failed <= {"second", "third", "fourth", "fifth"}
    assert all(isinstance(exc, ConnectionError) for _, exc in handler.failed)
    assert server.read("tcp_octet") == []


@requires_syslog_ng
def test_stock_syslog_handler_tcp_into_network_source_nul_terminates(
    tcp_collector: SyslogNG,
) -> None:
    """network(transport("tcp")) ends a message at NUL as well as at LF, so with the
    default ``append_nul`` each record arrives on its own, while the connection is still
    open, and (with an ident, as over UDP) the CEF line arrives byte for byte. The CEF
    formatter never emits a NUL inside a line, so no record is split."""
    server = tcp_collector
    clear(server, "tcp_newline")
    handler = stock_tcp_handler(server, "tcp_newline", append_nul=True, ident="IdentityMesh: ")
    fmt = handler.formatter
    assert fmt is not None
    expected = log_all(make_logger(handler), fmt, HOSTILE)
    assert not any("\x00" in line or "\n" in line for line in expected)
    got = server.wait_for("tcp_newline", len(expected), timeout=5)
    handler.close()
    assert handler.failed == []
    assert [r.msg for r in got] == [line.encode() for line in expected]
    assert {(r.facility, r.severity, r.program) for r in got} == {(16, 4, "IdentityMesh")}


@requires_syslog_ng
def test_stock_syslog_handler_tcp_into_network_source_raw(tcp_collector: SyslogNG) -> None:
    """What the stock handler puts on the wire, captured unparsed: ``<PRI>`` + line, one
    message per record, each ended by its NUL."""
    server = tcp_collector
    clear(server, "tcp_newline_raw")
    handler = stock_tcp_handler(server, "tcp_newline_raw", append_nul=True)
    fmt = handler.formatter
    assert fmt is not None
    expected = log_all(make_logger(handler), fmt, HOSTILE)
    got = server.wait_for("tcp_newline_raw", len(expected), timeout=5)
    handler.close()
    assert handler.failed == []
    assert [r.msg for r in got] == [b"<132>" + line.encode() for line in expected]


@requires_syslog_ng
def test_stock_syslog_handler_tcp_without_nul_runs_together(tcp_collector: SyslogNG) -> None:
    """With ``append_nul = False`` nothing ends a message: syslog-ng holds the bytes
    until the connection closes, then stores every record run together as one message."""
    server = tcp_collector
    clear(server, "tcp_newline_raw")
    handler = stock_tcp_handler(server, "tcp_newline_raw", append_nul=False)
    fmt = handler.formatter
    assert fmt is not None
    expected = log_all(make_logger(handler), fmt, HOSTILE)
    time.sleep(0.5)
    assert server.read("tcp_newline_raw") == []  # nothing while the connection is open
    handler.close()
    got = server.wait_for("tcp_newline_raw", 1, timeout=5)
    time.sleep(0.2)
    assert handler.failed == []
    assert [r.msg for r in server.read("tcp_newline_raw")] == [
        b"".join(b"<132>" + line.encode() for line in expected)
    ]
    assert len(got) == 1


SYSLOG_HANDLER_TCP = {
    "octet-counting-into-syslog": ("tcp_octet", {"framing": "octet-counting"}),
    "newline-into-network": ("tcp_newline", {"framing": "newline", "syslog_format": "rfc3164"}),
}


@requires_syslog_ng
@pytest.mark.parametrize("case", list(SYSLOG_HANDLER_TCP))
def test_cef_syslog_handler_tcp_one_message_per_record(tcp_collector: SyslogNG, case: str) -> None:
    """The same records through cef_logging's SyslogHandler: one message per record,
    delivered while the connection is open, the CEF line byte for byte."""
    server = tcp_collector
    source, options = SYSLOG_HANDLER_TCP[case]
    clear(server, source)
    since = len(server.log_text())
    errors: list[BaseException | None] = []
    handler = SyslogHandler(
        ("127.0.0.1", server.ports[source]), transport="tcp", facility="local0",
        app_name="IdentityMesh", **options,  # type: ignore[arg-type]
    )  # fmt: skip
    handler.handleError = lambda record: errors.append(sys.exc_info()[1])  # type: ignore[method-assign]
    fmt = formatter()
    handler.setFormatter(fmt)
    expected = log_all(make_logger(handler), fmt, HOSTILE)
    got = server.wait_for(source, len(expected), timeout=5)
    handler.close()
    assert errors == []
    assert [r.msg for r in got] == [line.encode() for line in expected], server.log_text()
    assert {(r.facility, r.severity, r.program) for r in got} == {(16, 4, "IdentityMesh")}
    assert "Invalid frame header" not in server.log_text()[since:]


@requires_syslog_ng
def test_stock_syslog_handler_tcp_does_not_reconnect(tmp_path: Path) -> None:
    """Restart syslog-ng on the same port: the stock handler keeps writing to the dead
    connection, so every record after the restart is lost (the first silently, the rest
    with a broken pipe). cef_logging's SyslogHandler reconnects and delivers them."""
    server = SyslogNG(tmp_path / "sng", ["tcp_newline"])
    server.start()
    try:
        stock = stock_tcp_handler(server, "tcp_newline", append_nul=True, ident="stock: ")
        ours = SyslogHandler(
            ("127.0.0.1", server.ports["tcp_newline"]), transport="tcp", framing="newline",
            syslog_format="rfc3164", app_name="ours",
        )  # fmt: skip
        ours.setFormatter(formatter())
        logger = make_logger(stock, ours)
        logger.warning("before")
        assert len(server.wait_for("tcp_newline", 2, timeout=5)) == 2
        server.stop()
        clear(server, "tcp_newline")
        server.start()
        logger.warning("after 0")
        time.sleep(0.2)
        for i in range(1, 4):
            logger.warning("after %d", i)
        got = server.wait_for("tcp_newline", 4, timeout=5)
        time.sleep(0.2)
        got = server.read("tcp_newline")
    finally:
        server.stop()
    stock.close()
    ours.close()
    assert {r.program for r in got} == {"ours"}
    assert len(got) == 4
    assert all(b" msg=after %d" % i in r.msg for i, r in enumerate(got))
    after = {f"after {i}" for i in range(4)}
    failed = {message for message, _ in stock.failed}
    assert after - {"after 0"} <= failed <= after
    assert all(isinstance(exc, ConnectionError) for _, exc in stock.failed)
