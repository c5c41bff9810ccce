"""cef_logging.handlers.SyslogHandler: headers, framing, and delivery into a real syslog-ng."""

from __future__ import annotations

import calendar
import logging
import logging.config
import os
import socket
import ssl
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from _support_syslog_ng import (
    SyslogNG,
    free_port,
    make_self_signed_cert,
    requires_syslog_ng,
    running_syslog_ng,
)
from conftest import make_logger

from cef_logging.handlers import FACILITIES, SyslogHandler, syslog_severity

try:
    from cef_logging import CEFFormatter, LEEFFormatter
except ImportError:  # pragma: no cover - the formatters land in the same release
    CEFFormatter = LEEFFormatter = None  # type: ignore[assignment,misc]

HOSTILE = [
    "plain",
    "pipe | equals = backslash \\ end\\",
    "newline\nand\r\ncarriage",
    "nul\x00byte",
    "line sep\u2028para sep\u2029nel\x85",
    "unicode é 漢字 🚀",
    "tab\there",
    "CEF:0|fake|header|",
    "<13>1 2024-01-01T00:00:00Z fake-host fake-app - - - injected",
    " leading and trailing spaces ",
]


class RecordingSyslogHandler(SyslogHandler):
    """SyslogHandler that keeps the errors it would report instead of printing them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.errors: list[BaseException | None] = []

    def handleError(self, record: logging.LogRecord) -> None:
        self.errors.append(sys.exc_info()[1])


def formatters() -> list[logging.Formatter]:
    if CEFFormatter is None:
        return [logging.Formatter("%(message)s")]
    return [
        CEFFormatter(vendor="Acme", product="App", version="1.0"),
        LEEFFormatter(vendor="Acme", product="App", version="1.0"),
    ]


def log_hostile(logger: logging.Logger, fmt: logging.Formatter) -> list[bytes]:
    """Log every hostile value as message and as an extra; return what the formatter made."""
    expected = []
    for i, value in enumerate(HOSTILE):
        record = logger.makeRecord(
            logger.name, logging.WARNING, __file__, 1, value, None, None,
            extra={"user": value, "seq": i},
        )  # fmt: skip
        expected.append(fmt.format(record).encode("utf-8"))
        logger.handle(record)
    return expected


def fixed_record(**kw: Any) -> logging.LogRecord:
    record = logging.makeLogRecord(
        {"msg": "hello", "levelno": logging.INFO, "levelname": "INFO", "process": 4242, **kw}
    )
    return record


# ------------------------------------------------------------------------------------
# Header and framing construction (no network)
# ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("levelno", "severity"),
    [(50, 2), (60, 2), (40, 3), (45, 3), (30, 4), (35, 4), (20, 6), (25, 6), (10, 7), (5, 7),
     (0, 7)],
)  # fmt: skip
def test_severity_mapping(levelno: int, severity: int) -> None:
    assert syslog_severity(levelno) == severity


def test_rfc5424_header_exact() -> None:
    created = calendar.timegm((2024, 3, 5, 7, 8, 9)) + 0.012345
    handler = SyslogHandler(
        ("127.0.0.1", 514), facility="local0", app_name="IdentityMesh", hostname="host-1",
        msgid="AUDIT",
    )  # fmt: skip
    record = fixed_record(created=created, levelno=logging.ERROR)
    assert handler.build_message(record, "CEF:0|a|b") == (
        b"<131>1 2024-03-05T07:08:09.012345Z host-1 IdentityMesh 4242 AUDIT - CEF:0|a|b"
    )


def test_rfc5424_fields_sanitised_and_bounded() -> None:
    handler = SyslogHandler(
        ("127.0.0.1", 514), app_name="my app\u00e9" + "x" * 30, hostname="", msgid=""
    )
    record = fixed_record(created=0.0, process=None)
    msg = handler.build_message(record, "m").decode()
    _, _, host, app, procid, msgid, sd, body = msg.split(" ", 7)
    assert host == "-" and procid == "-" and msgid == "-" and sd == "-" and body == "m"
    assert app == "my_app_" + "x" * 30


@pytest.mark.parametrize("syslog_format", ["rfc5424", "rfc3164"])
def test_header_fields_keep_printable_ascii_only(syslog_format: str) -> None:
    """Any code point outside 33..126 becomes "_": no forged header, no line break."""
    handler = SyslogHandler(
        ("127.0.0.1", 514), syslog_format=syslog_format,  # type: ignore[arg-type]
        hostname="web\u2028<13>1 FORGED\x85\U0001f680", app_name="a\u0100b\nc", msgid="m\u3000",
    )  # fmt: skip
    message = handler.build_message(fixed_record(created=0.0), "body")
    assert message.isascii()
    assert b"web_<13>1_FORGED__" in message and b"a_b_c" in message
    assert b"\n" not in message and message.endswith(b"body")
    if syslog_format == "rfc5424":
        assert message.split(b" ")[5] == b"m_"


def test_rfc3164_empty_hostname_is_the_local_host_name() -> None:
    handler = SyslogHandler(("127.0.0.1", 514), syslog_format="rfc3164", hostname="")
    created = time.mktime((2024, 3, 15, 7, 8, 9, 0, 0, -1))
    message = handler.build_message(fixed_record(created=created), "m").decode()
    expected = "".join(c if 33 <= ord(c) <= 126 else "_" for c in socket.gethostname())
    assert message.split(" ")[3] == (expected[:255] or "localhost")
    assert " - " not in message


@pytest.mark.parametrize(
    ("option", "value"), [("app_name", "a" * 49), ("msgid", "m" * 33), ("hostname", "h" * 256)]
)
def test_rfc5424_fields_too_long_are_construction_errors(option: str, value: str) -> None:
    with pytest.raises(ValueError, match=option):
        SyslogHandler(("127.0.0.1", 514), **{option: value})


def test_rfc3164_header_exact() -> None:
    local = time.mktime((2024, 3, 5, 7, 8, 9, 0, 0, -1))
    handler = SyslogHandler(
        ("127.0.0.1", 514), syslog_format="rfc3164", facility=4, app_name="my app!",
        hostname="host-1",
    )  # fmt: skip
    record = fixed_record(created=local, levelno=logging.DEBUG)
    assert handler.build_message(record, "x y") == b"<39>Mar  5 07:08:09 host-1 my_app_: x y"


def test_rfc3164_month_names_do_not_follow_locale() -> None:
    handler = SyslogHandler(("127.0.0.1", 514), syslog_format="rfc3164", hostname="h")
    for month, name in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                  "Sep", "Oct", "Nov", "Dec"], start=1):  # fmt: skip
        created = time.mktime((2024, month, 15, 12, 0, 0, 0, 0, -1))
        assert handler.build_message(fixed_record(created=created), "m")[4:11] == (
            f"{name} 15 ".encode()
        )


def test_framing() -> None:
    octet = SyslogHandler(("127.0.0.1", 514), transport="tcp")
    assert octet.frame("é\n\x00".encode()) == b"4 \xc3\xa9\n\x00"
    newline = SyslogHandler(("127.0.0.1", 514), transport="tcp", framing="newline")
    assert newline.frame(b"abc") == b"abc\n"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (("10.0.0.1", 1514), ("10.0.0.1", 1514)),
        (["siem.example", "6514"], ("siem.example", 6514)),
        ("siem.example:1514", ("siem.example", 1514)),
        ("siem.example", ("siem.example", 514)),
        ("[::1]:1514", ("::1", 1514)),
    ],
)
def test_address_forms(address: Any, expected: tuple[str, int]) -> None:
    assert SyslogHandler(address).address == expected


def test_facility_forms() -> None:
    assert SyslogHandler(facility="local0").facility == 16
    assert SyslogHandler(facility="LOG_LOCAL7").facility == 23
    assert SyslogHandler(facility=3).facility == 3
    assert FACILITIES["auth"] == 4
    with pytest.raises(ValueError):
        SyslogHandler(facility="nope")
    with pytest.raises(ValueError):
        SyslogHandler(facility=24)
    with pytest.raises(ValueError):
        SyslogHandler(transport="sctp")  # type: ignore[arg-type]


def test_dictconfig_construction() -> None:
    name = f"test.dictconfig.{uuid.uuid4().hex}"
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {
                "siem": {
                    "class": "cef_logging.handlers.SyslogHandler",
                    "address": ["127.0.0.1", 1514],
                    "transport": "tcp",
                    "framing": "octet-counting",
                    "syslog_format": "rfc5424",
                    "facility": "local0",
                    "app_name": "IdentityMesh",
                    "level": "INFO",
                }
            },
            "loggers": {name: {"handlers": ["siem"], "propagate": False}},
        }
    )
    (handler,) = logging.getLogger(name).handlers
    assert isinstance(handler, SyslogHandler)
    assert handler.address == ("127.0.0.1", 1514)
    assert (handler.facility, handler.transport, handler.level) == (16, "tcp", logging.INFO)
    handler.close()
    logging.getLogger(name).removeHandler(handler)


def test_unreachable_collector_reports_through_handle_error() -> None:
    port = free_port()  # nothing listens here
    handler = RecordingSyslogHandler(
        ("127.0.0.1", port), transport="tcp", backoff_base=0.05, drain_timeout=0.3
    )
    logger = make_logger(handler)
    logger.error("lost")
    handler.close()
    text = [str(e) for e in handler.errors]
    assert len(text) == 2, text
    assert "ConnectionRefusedError" in text[0] and "retrying" in text[0]
    assert "closed with 1 undelivered" in text[1]
    assert handler.dropped == 1


# ------------------------------------------------------------------------------------
# Against a real syslog-ng
# ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_self_signed_cert(tmp_path_factory.mktemp("cert"))


@pytest.fixture(scope="module")
def collector(
    tmp_path_factory: pytest.TempPathFactory, tls_cert: tuple[Path, Path]
) -> Iterator[SyslogNG]:
    workdir = tmp_path_factory.mktemp("syslog-ng")
    sources = ["udp", "udp_5424", "tcp_octet", "tcp_newline", "tls_octet", "tls_newline"]
    with running_syslog_ng(workdir, sources, tls=tls_cert) as server:
        yield server


def _clear(collector: SyslogNG, name: str) -> None:
    # syslog-ng keeps the file open in append mode: truncating is safe.
    path = collector.out(name)
    if path.exists():
        path.write_bytes(b"")


CASES = {
    "udp-5424": ("udp_5424", {"transport": "udp"}),
    "udp-3164": ("udp", {"transport": "udp", "syslog_format": "rfc3164"}),
    "tcp-octet-5424": ("tcp_octet", {"transport": "tcp"}),
    "tcp-newline-3164": (
        "tcp_newline",
        {"transport": "tcp", "framing": "newline", "syslog_format": "rfc3164"},
    ),
    "tls-octet-5424": ("tls_octet", {"transport": "tls"}),
    "tls-newline-5424": ("tls_newline", {"transport": "tls", "framing": "newline"}),
}


@requires_syslog_ng
@pytest.mark.parametrize("case", list(CASES))
def test_lines_arrive_byte_for_byte(
    case: str, collector: SyslogNG, tls_cert: tuple[Path, Path]
) -> None:
    source, options = CASES[case]
    _clear(collector, source)
    if options["transport"] == "tls":
        options = {**options, "cafile": str(tls_cert[0])}
    handler = RecordingSyslogHandler(
        ("127.0.0.1", collector.ports[source]), facility="local3", app_name="IdentityMesh",
        hostname="app-host-01", msgid="CEF", **options,
    )  # fmt: skip
    expected: list[bytes] = []
    before = time.time()
    for fmt in formatters():
        handler.setFormatter(fmt)
        expected += log_hostile(make_logger(handler), fmt)
    handler.close()
    assert handler.errors == []
    got = collector.wait_for(source, len(expected))
    assert [r.msg for r in got] == expected, collector.log_text()
    is_5424 = options.get("syslog_format", "rfc5424") == "rfc5424"
    for r in got:
        assert (r.facility, r.severity) == (19, 4)
        assert r.host == "app-host-01"
        assert r.program == "IdentityMesh"
        if is_5424:
            assert r.msgid == "CEF"
            assert r.pid == str(os.getpid())
            stamp = datetime.fromisoformat(r.isodate)
            assert stamp.utcoffset() is not None
            assert before - 1 <= stamp.timestamp() <= time.time() + 1


@requires_syslog_ng
@pytest.mark.parametrize("case", ["tcp-octet-5424", "tcp-newline-3164"])
def test_hostile_header_fields_arrive_as_one_sanitised_header(
    case: str, collector: SyslogNG
) -> None:
    """A hostname or app name with spaces, U+2028 or a forged header cannot split the
    header: syslog-ng parses exactly the fields sent, with "_" for the rest."""
    source, options = CASES[case]
    _clear(collector, source)
    handler = RecordingSyslogHandler(
        ("127.0.0.1", collector.ports[source]), hostname="web\u2028<13>1 FORGED\U0001f680",
        app_name="aud\u00e9it app", **options,
    )  # fmt: skip
    make_logger(handler).warning("body")
    handler.close()
    (got,) = collector.wait_for(source, 1)
    assert got.host == "web_<13>1_FORGED_"
    assert got.program == "aud_it_app"
    assert got.msg == b"body"
    assert handler.errors == []


@requires_syslog_ng
def test_raw_control_characters_survive_octet_counting(collector: SyslogNG) -> None:
    """With a formatter that does not escape, octet counting still delivers every byte."""
    _clear(collector, "tcp_octet")
    handler = RecordingSyslogHandler(("127.0.0.1", collector.ports["tcp_octet"]), transport="tcp")
    logger = make_logger(handler)
    raw = "multi\nline\x00with nul\r\nand\u2028more\\"
    logger.info(raw)
    handler.close()
    (got,) = collector.wait_for("tcp_octet", 1)
    assert got.msg == raw.encode()


@requires_syslog_ng
def test_newline_framing_guards_lf_and_nul(collector: SyslogNG) -> None:
    _clear(collector, "tcp_newline")
    handler = RecordingSyslogHandler(
        ("127.0.0.1", collector.ports["tcp_newline"]), transport="tcp", framing="newline",
        syslog_format="rfc3164", app_name="app",
    )  # fmt: skip
    logger = make_logger(handler)
    logger.info("one\ntwo\x00three")
    logger.info("next")
    handler.close()
    got = collector.wait_for("tcp_newline", 2)
    assert [r.msg for r in got] == [b"one\\ntwo\\0three", b"next"]


@requires_syslog_ng
def test_large_message_over_tcp(collector: SyslogNG) -> None:
    _clear(collector, "tcp_octet")
    handler = RecordingSyslogHandler(("127.0.0.1", collector.ports["tcp_octet"]), transport="tcp")
    body = ("é" * 50_000) + "|end"
    make_logger(handler).info(body)
    handler.close()
    (got,) = collector.wait_for("tcp_octet", 1)
    assert got.msg == body.encode()


@requires_syslog_ng
def test_concurrent_threads_do_not_interleave(collector: SyslogNG) -> None:
    _clear(collector, "tcp_octet")
    handler = RecordingSyslogHandler(("127.0.0.1", collector.ports["tcp_octet"]), transport="tcp")
    logger = make_logger(handler)

    def worker(n: int) -> None:
        for i in range(200):
            logger.info("thread %d record %d %s", n, i, "x" * (i % 50))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    handler.close()
    got = collector.wait_for("tcp_octet", 800)
    assert handler.errors == []
    assert sorted(r.msg for r in got) == sorted(
        f"thread {n} record {i} {'x' * (i % 50)}".encode() for n in range(4) for i in range(200)
    )


@requires_syslog_ng
def test_udp_oversize_truncates_at_character_boundary(collector: SyslogNG) -> None:
    _clear(collector, "udp")
    handler = RecordingSyslogHandler(
        ("127.0.0.1", collector.ports["udp"]), syslog_format="rfc3164", hostname="h",
        app_name="app", max_datagram_size=120,
    )  # fmt: skip
    make_logger(handler).info("é" * 200)
    handler.close()
    (got,) = collector.wait_for("udp", 1)
    assert handler.truncated == 1 and handler.errors == []
    header_len = len(b"<14>Jan  1 00:00:00 h app: ")
    # 120 - 27 = 93 bytes of message available; "é" is 2 bytes: 46 characters fit.
    assert got.msg == ("é" * ((120 - header_len) // 2)).encode()


@requires_syslog_ng
def test_udp_oversize_drop_policy(collector: SyslogNG) -> None:
    _clear(collector, "udp_5424")
    handler = RecordingSyslogHandler(
        ("127.0.0.1", collector.ports["udp_5424"]), max_datagram_size=100, oversize="drop"
    )
    logger = make_logger(handler)
    logger.info("x" * 200)
    logger.info("small")
    handler.close()
    got = collector.wait_for("udp_5424", 1)
    assert [r.msg for r in got] == [b"small"]
    assert len(handler.errors) == 1 and isinstance(handler.errors[0], ValueError)


@requires_syslog_ng
def test_tls_verifies_certificates_by_default(collector: SyslogNG) -> None:
    _clear(collector, "tls_octet")
    handler = RecordingSyslogHandler(("127.0.0.1", collector.ports["tls_octet"]), transport="tls")
    handler.drain_timeout = 0.3
    make_logger(handler).info("must not arrive")
    handler.close()
    # Retried (a certificate can be fixed on the collector), reported once, then counted
    # as undelivered at close.
    assert len(handler.errors) == 2
    assert "CERTIFICATE_VERIFY_FAILED" in str(handler.errors[0])
    assert handler.dropped == 1
    time.sleep(0.2)
    assert collector.read("tls_octet") == []


@requires_syslog_ng
def test_tls_with_explicit_context(collector: SyslogNG, tls_cert: tuple[Path, Path]) -> None:
    _clear(collector, "tls_octet")
    context = ssl.create_default_context(cafile=str(tls_cert[0]))
    handler = RecordingSyslogHandler(
        "127.0.0.1:%d" % collector.ports["tls_octet"], transport="tls", ssl_context=context
    )
    make_logger(handler).info("over tls")
    handler.close()
    assert [r.msg for r in collector.wait_for("tls_octet", 1)] == [b"over tls"]


@requires_syslog_ng
@pytest.mark.parametrize("transport", ["tcp", "tls"])
def test_reconnects_after_collector_restart(
    transport: str, tmp_path: Path, tls_cert: tuple[Path, Path]
) -> None:
    """Stop syslog-ng, restart it on the same port: no record sent after the restart is lost."""
    source = f"{transport}_octet"
    port = free_port()
    extra: dict[str, Any] = {"cafile": str(tls_cert[0])} if transport == "tls" else {}
    handler = RecordingSyslogHandler(
        ("127.0.0.1", port), transport=transport, backoff_base=0.05, backoff_max=0.2, **extra
    )
    logger = make_logger(handler)
    server = SyslogNG(tmp_path / "sng", [source], ports={source: port}, tls=tls_cert)
    server.start()
    try:
        for i in range(5):
            logger.info("before %d", i)
        assert len(server.wait_for(source, 5)) == 5
        server.stop()
        # Collector down: the record stays queued; the outage is reported once.
        logger.info("while down")
        deadline = time.monotonic() + 10
        while not handler.errors and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(handler.errors) == 1
        server.start()
        for i in range(5):
            logger.info("after %d", i)
        handler.flush()
        got = server.wait_for(source, 11)
    finally:
        handler.close()
        server.stop()
    assert [r.msg for r in got] == [f"before {i}".encode() for i in range(5)] + [
        b"while down",
        *[f"after {i}".encode() for i in range(5)],
    ]
    assert len(handler.errors) == 1 and handler.dropped == 0


def test_closed_socket_is_detected_before_sending() -> None:
    """A collector that closed the connection is noticed before the next write."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    received: list[bytes] = []

    def serve_one(close_after_first: bool) -> None:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            received.append(data)

    handler = RecordingSyslogHandler(
        ("127.0.0.1", port), transport="tcp", framing="newline", hostname="h", app_name="a"
    )
    logger = make_logger(handler)
    t = threading.Thread(target=serve_one, args=(True,))
    t.start()
    logger.info("first")
    t.join(5)
    time.sleep(0.05)  # let the FIN reach the client
    t = threading.Thread(target=serve_one, args=(False,))
    t.start()
    logger.info("second")
    t.join(5)
    handler.close()
    listener.close()
    assert handler.errors == []
    assert [line.rsplit(b" - ", 1)[-1] for line in received] == [b"first\n", b"second\n"]
