"""RELP: the transport (cef_logging._relp) and SyslogHandler(transport="relp"), against
a real rsyslog with imrelp (started by the tests), real syslog-ng, an HTTP server and a
scripted RELP peer for the faults rsyslog does not produce."""

from __future__ import annotations

import logging
import os
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _support_relp import ScriptedRelpServer, Session
from _support_rsyslog import (
    ROOT,
    Rsyslog,
    config_from_file,
    free_port,
    imrelp_config,
    running_rsyslog,
)
from _support_syslog_ng import make_self_signed_cert, running_syslog_ng

from cef_logging import CEFFormatter, LEEFFormatter
from cef_logging._relp import RelpTransport
from cef_logging._transport import Endpoint, Refused, Retry
from cef_logging.handlers import SyslogHandler
from cef_logging.parse import parse_cef, parse_leef


def endpoint(port: int, timeout: float = 5.0) -> Endpoint:
    return Endpoint("127.0.0.1", port, timeout, None, None, "octet-counting")


def records(n: int, start: int = 0) -> list[bytes]:
    return [b"<14>1 2026-12-02T10:00:00Z host app 7 - - record %d" % i for i in range(start, n)]


@pytest.fixture
def peer() -> Iterator[ScriptedRelpServer]:
    server = ScriptedRelpServer()
    yield server
    server.close()


@pytest.fixture
def rsyslog(tmp_path: Path) -> Iterator[tuple[Rsyslog, int, Path]]:
    port, out = free_port(), tmp_path / "relp.out"
    with running_rsyslog(tmp_path / "rsyslog", imrelp_config(port, out), ports=[port]) as rs:
        yield rs, port, out


# -- the session against rsyslog --------------------------------------------------------------


def test_session_delivers_in_order_and_closes_cleanly(rsyslog: tuple[Rsyslog, int, Path]) -> None:
    rs, port, out = rsyslog
    transport = RelpTransport(endpoint(port), window=16)
    transport.connect(5.0)
    sent = records(1000)
    for i in range(0, len(sent), 300):
        transport.send(sent[i : i + 300], 5.0)
    # send() returned: rsyslog acknowledged each record, and with a Direct ruleset queue
    # it wrote them before acknowledging.
    assert rs.read_lines(out) == sent
    transport.close()
    assert "error" not in rs.log_text().lower()


def test_large_records_in_a_full_window(rsyslog: tuple[Rsyslog, int, Path]) -> None:
    rs, port, out = rsyslog
    transport = RelpTransport(endpoint(port), window=32)
    transport.connect(5.0)
    sent = [b"<14>1 - host app - - - %d " % i + bytes([65 + i % 26]) * 100_000 for i in range(64)]
    transport.send(sent, 5.0)
    transport.close()
    assert rs.read_lines(out) == sent


def test_serverclose_then_reconnect(rsyslog: tuple[Rsyslog, int, Path]) -> None:
    rs, port, out = rsyslog
    transport = RelpTransport(endpoint(port))
    transport.connect(5.0)
    transport.send(records(1), 5.0)
    rs.restart()  # SIGTERM: imrelp sends "0 serverclose 0" and closes
    transport.connect(5.0)  # notices the ended session and opens a new one
    transport.send(records(2, 1), 5.0)
    assert rs.read_lines(out) == records(2)
    transport.close()


def test_killed_collector_is_a_retry_with_the_acked_prefix(
    rsyslog: tuple[Rsyslog, int, Path],
) -> None:
    rs, port, _ = rsyslog
    transport = RelpTransport(endpoint(port, timeout=2.0))
    transport.connect(2.0)
    transport.send(records(5), 2.0)
    rs.kill()
    with pytest.raises(Retry) as failure:
        transport.connect(2.0)
        transport.send(records(10, 5), 2.0)
    assert failure.value.acked == 0
    assert f"127.0.0.1:{port}" in str(failure.value)


# -- peers that are not RELP --------------------------------------------------------------------


@pytest.mark.parametrize("source", ["tcp_octet", "tcp_newline"])
def test_plain_syslog_port_fails_the_open(tmp_path: Path, source: str) -> None:
    # A real syslog-ng TCP source: with octet counting it rejects the RELP open and closes
    # the connection; with LF framing it takes the open as a message and never answers.
    with running_syslog_ng(tmp_path / "sng", [source]) as sng:
        port = sng.ports[source]
        transport = RelpTransport(endpoint(port, timeout=1.0))
        with pytest.raises(Retry) as failure:
            transport.connect(1.0)
    message = str(failure.value)
    assert f"relp://127.0.0.1:{port}" in message
    if source == "tcp_octet":
        assert "closed the connection without answering the RELP open" in message
    else:
        assert "did not answer the RELP open within 1 s" in message
    assert "(is it a RELP listener such as rsyslog imrelp? For RELP over TLS" in message


def test_silent_peer_fails_the_open_in_time() -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        with pytest.raises(Retry) as failure:
            RelpTransport(endpoint(port, timeout=0.5)).connect(0.5)
    assert str(failure.value) == (
        f"relp://127.0.0.1:{port} did not answer the RELP open within 0.5 s "
        "(is it a RELP listener such as rsyslog imrelp? For RELP over TLS, give cafile= or "
        "ssl_context=)"
    )


def test_http_server_is_not_a_relp_server() -> None:
    from _support_http import Collector

    collector = Collector().start()
    try:
        transport = RelpTransport(endpoint(collector.port))
        with pytest.raises(
            Retry,
            match=r"relp://127\.0\.0\.1:\d+ is not a RELP server: it answered the RELP "
            r"open with <!DOCTYPE",
        ):
            transport.connect(5.0)
    finally:
        collector.stop()


def test_closed_port_names_the_address() -> None:
    port = free_port()
    with pytest.raises(Retry, match=rf"cannot connect to relp://127\.0\.0\.1:{port}"):
        RelpTransport(endpoint(port)).connect(2.0)


@pytest.mark.parametrize(
    ("open_reply", "message"),
    [
        (b"500 error 3 on connect", "refused the RELP session: 500 error 3 on connect"),
        (b"200 OK\nrelp_version=0\ncommands=", "does not offer the RELP syslog command"),
        (b"200 OK\ncommands=syslog", "no valid relp_version"),
        (b"200 OK\nrelp_version=7\ncommands=syslog", "speaks RELP version 7"),
        ("200 OK\nrelp_version=²\ncommands=syslog".encode(), "no valid relp_version"),
        (b"OK", "is not a RELP server"),
    ],
)
def test_open_answers_that_end_the_handshake(
    peer: ScriptedRelpServer, open_reply: bytes, message: str
) -> None:
    peer.default = Session(open_reply=open_reply)
    with pytest.raises(Retry, match=message):
        RelpTransport(endpoint(peer.port)).connect(5.0)


# -- window, refusals, violations ---------------------------------------------------------------


def test_window_bounds_unacknowledged_records(peer: ScriptedRelpServer) -> None:
    peer.default = Session(silent_after=0)
    transport = RelpTransport(endpoint(peer.port, timeout=0.5), window=4)
    transport.connect(0.5)
    with pytest.raises(Retry, match="no RELP answer") as failure:
        transport.send(records(20), 0.5)
    assert failure.value.acked == 0
    assert len(peer.seen) == 4


def test_non_200_is_refused_with_the_collector_text(peer: ScriptedRelpServer) -> None:
    def reply(record: bytes) -> bytes:
        return b"500 quota exceeded\x1b[2J" if record.endswith(b"record 3") else b"200 OK"

    peer.default = Session(reply=reply)
    transport = RelpTransport(endpoint(peer.port), window=8)
    transport.connect(5.0)
    batch = records(10)
    with pytest.raises(Refused) as failure:
        transport.send(batch, 5.0)
    refused = failure.value
    assert (refused.acked, refused.refused) == (3, 1)
    # The collector's text, with its terminal escape made harmless.
    assert "500 quota exceeded\\x1b[2J" in str(refused)
    # The engine sends the rest again: the records acknowledged after the refused one
    # within the same window are not sent twice.
    transport.send(batch[4:], 5.0)
    assert peer.accepted == batch[:3] + batch[4:]
    assert peer.seen == batch
    transport.close()


def test_violation_closes_and_reconnects(peer: ScriptedRelpServer) -> None:
    peer.script.append(Session(violate_after=3))
    transport = RelpTransport(endpoint(peer.port), window=2)
    transport.connect(5.0)
    batch = records(10)
    with pytest.raises(Retry, match=r"RELP protocol violation by relp://127\.0\.0\.1") as failure:
        transport.send(batch, 5.0)
    acked = failure.value.acked
    assert acked == 3
    transport.connect(5.0)
    transport.send(batch[acked:], 5.0)
    transport.close()
    assert peer.accepted == batch
    assert peer.sessions == 2


@pytest.mark.parametrize(
    "violation",
    [
        b"99 rsp 6 200 OK\n",  # answer for a transaction not in flight
        b"5 syslog 5 hello\n",  # a command the server may not send
        b"3 rsp 2 OK\n",  # malformed response
        b"3 rsp 999999999 ",  # absurd length
    ],
)
def test_each_violation_is_a_retry_never_a_hang(peer: ScriptedRelpServer, violation: bytes) -> None:
    peer.default = Session(violate_after=1, violation=violation)
    transport = RelpTransport(endpoint(peer.port, timeout=30.0))
    transport.connect(5.0)
    with pytest.raises(Retry, match="protocol violation") as failure:
        transport.send(records(3), 30.0)
    assert failure.value.acked == 1


def test_dropped_connection_mid_window(peer: ScriptedRelpServer) -> None:
    peer.script.append(Session(drop_after=5))
    transport = RelpTransport(endpoint(peer.port), window=3)
    transport.connect(5.0)
    batch = records(12)
    with pytest.raises(Retry, match=r"relp://127\.0\.0\.1:\d+ (closed|failed)") as failure:
        transport.send(batch, 5.0)
    acked = failure.value.acked
    assert acked == 5
    transport.connect(5.0)
    transport.send(batch[acked:], 5.0)
    transport.close()
    assert peer.accepted == batch


def test_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="relp_window"):
        RelpTransport(endpoint(1), window=0)


# -- RELP over TLS --------------------------------------------------------------------------------


@pytest.fixture
def rsyslog_tls(tmp_path: Path) -> Iterator[tuple[Rsyslog, int, Path, Path, Path]]:
    (tmp_path / "cert").mkdir()
    cert, key = make_self_signed_cert(tmp_path / "cert")
    port, out = free_port(), tmp_path / "relp.out"
    conf = imrelp_config(port, out, tls=(cert, key))
    with running_rsyslog(tmp_path / "rsyslog", conf, ports=[port]) as rs:
        yield rs, port, out, cert, key


def tls_endpoint(port: int, context: ssl.SSLContext) -> Endpoint:
    return Endpoint("127.0.0.1", port, 5.0, context, "localhost", "octet-counting")


def test_tls_session_verified_both_ways(
    rsyslog_tls: tuple[Rsyslog, int, Path, Path, Path],
) -> None:
    rs, port, out, cert, key = rsyslog_tls
    context = ssl.create_default_context(cafile=str(cert))
    context.load_cert_chain(str(cert), str(key))  # imrelp with TLS wants a client certificate
    transport = RelpTransport(tls_endpoint(port, context))
    assert transport.description == f"relp+tls://127.0.0.1:{port}"
    transport.connect(5.0)
    transport.send(records(50), 5.0)
    transport.close()  # close, its rsp, then TLS close_notify
    assert rs.read_lines(out) == records(50)
    assert "error" not in rs.log_text().lower()


def test_tls_and_plain_mixed_up_say_so(
    rsyslog_tls: tuple[Rsyslog, int, Path, Path, Path],
) -> None:
    rs, tls_port, _, cert, _ = rsyslog_tls
    with pytest.raises(Retry, match=r"without answering the RELP open .* give cafile= or ssl_co"):
        RelpTransport(endpoint(tls_port)).connect(5.0)
    plain_port = free_port()
    plain = imrelp_config(plain_port, rs.workdir / "plain.out")
    with running_rsyslog(rs.workdir / "plain", plain, ports=[plain_port]):
        context = ssl.create_default_context(cafile=str(cert))
        with pytest.raises(Retry, match=r"failed: .*WRONG_VERSION_NUMBER.*without TLS\?\)"):
            RelpTransport(tls_endpoint(plain_port, context)).connect(5.0)


def test_tls_untrusted_collector_is_refused_by_default(
    rsyslog_tls: tuple[Rsyslog, int, Path, Path, Path],
) -> None:
    rs, port, out, _, _ = rsyslog_tls
    transport = RelpTransport(tls_endpoint(port, ssl.create_default_context()))
    with pytest.raises(Retry, match=r"TLS handshake with relp\+tls://.* certificate verify failed"):
        transport.connect(5.0)
    assert rs.read_lines(out) == []


# -- SyslogHandler(transport="relp") ----------------------------------------------------------

# Values that break naive emitters: separators of CEF and syslog, line and terminal
# control characters, non-ASCII, a lone surrogate, text that looks like a header.
HOSTILE = [
    "a=b",
    "pipe|bar",
    "back\\slash\\",
    "line\nfeed",
    "cr\rlf\r\n",
    "tab\there",
    "nul\x00byte",
    "\x1b[31mred\x1b[0m",
    "sep\u2028arator\u0085",
    "ünïcödé 日本語 😀",
    "lone \ud800 surrogate",
    "CEF:0|Forged|Vendor|1|1|x|10|src=6.6.6.6",
    "<13>1 2026-01-01T00:00:00Z forged host - - - x",
    " leading and trailing ",
    "k=v k2=v2\\",
    "",
]


def hostile_event(i: int) -> tuple[str, tuple[object, ...], dict[str, object]]:
    value = HOSTILE[i % len(HOSTILE)]
    other = HOSTILE[(i * 7 + 3) % len(HOSTILE)]
    extra: dict[str, object] = {
        "src": "10.0.0.1",
        "request": f"https://app.example/login?next=/a=b&x={value}",
        "suser": other,
        "filePath": "C:\\Users\\alice\\" + value,
    }
    if i % 5 == 0:
        extra["cs1"] = value * 20  # longer values too
    return "event %d: %s", (i, value), extra


class ExpectedMessages(logging.Handler):
    """Beside the RELP handler: the exact bytes it sends for each record."""

    def __init__(self, sender: SyslogHandler) -> None:
        super().__init__()
        self.sender = sender
        self.messages: list[bytes] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(self.sender.build_message(record, self.sender.format(record)))


class Reporting(SyslogHandler):
    """A SyslogHandler that keeps what it reports through handleError."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.reports: list[str] = []
        super().__init__(*args, **kwargs)

    def handleError(self, record: logging.LogRecord) -> None:
        self.reports.append(str(sys.exc_info()[1]))

    def wait_for_report(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for report in list(self.reports):
                if text in report:
                    return report
            time.sleep(0.02)
        raise AssertionError(f"no report containing {text!r}; reports: {self.reports}")


def relp_logger(
    handler: SyslogHandler, name: str, formatter: logging.Formatter | None = None
) -> tuple[logging.Logger, ExpectedMessages]:
    handler.setFormatter(formatter or CEFFormatter(vendor="Acme", product="Gate", version="1.0"))
    expected = ExpectedMessages(handler)
    logger = logging.getLogger(f"test_relp.{name}")
    logger.handlers[:] = [handler, expected]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger, expected


def check_arrived(lines: list[bytes], expected: list[bytes]) -> int:
    """Every expected message arrived byte for byte, first arrivals in order, nothing
    else arrived; return the number of duplicates."""
    index = {message: i for i, message in enumerate(expected)}
    assert len(index) == len(expected), "test messages must be distinct"
    seen: set[bytes] = set()
    order: list[int] = []
    duplicates = 0
    for line in lines:
        assert line in index, f"a line that was not sent (corrupted?): {line[:300]!r}"
        if line in seen:
            duplicates += 1
            continue
        seen.add(line)
        order.append(index[line])
    missing = [i for i, m in enumerate(expected) if m not in seen]
    assert not missing, f"{len(missing)} records lost, first: {missing[:10]}"
    assert order == sorted(order), "records arrived out of order"
    return duplicates


@pytest.mark.parametrize("kind", ["cef", "leef"])
@pytest.mark.parametrize("syslog_format", ["rfc5424", "rfc3164"])
def test_3000_hostile_records_arrive_byte_for_byte(
    rsyslog: tuple[Rsyslog, int, Path], syslog_format: str, kind: str
) -> None:
    rs, port, out = rsyslog
    handler = Reporting(
        ("127.0.0.1", port), transport="relp", syslog_format=syslog_format, app_name="relp-test"
    )
    formatter = (CEFFormatter if kind == "cef" else LEEFFormatter)(
        vendor="Acme", product="Gate", version="1.0"
    )
    logger, expected = relp_logger(handler, f"hostile.{kind}.{syslog_format}", formatter)
    levels = [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL]
    for i in range(3000):
        msg, args, extra = hostile_event(i)
        logger.log(levels[i % 5], msg, *args, extra=extra)
    handler.flush(60.0)
    lines = rs.wait_for_lines(out, 3000)
    assert check_arrived(lines, expected.messages) == 0  # no fault, no duplicate
    parse = parse_cef if kind == "cef" else parse_leef
    for line in lines:
        event = parse(line.decode("utf-8"), strict=True)
        assert event.prefix.startswith("<") and event.vendor == "Acme"
        assert "\n" not in line.decode() and "\r" not in line.decode()
    assert handler.sent == 3000
    handler.close()
    assert (handler.dropped, handler.rejected, handler.reports) == (0, 0, [])


def test_duplicates_only_for_processed_but_unacknowledged(peer: ScriptedRelpServer) -> None:
    # The collector processes a window of records and drops the connection before it
    # acknowledges them: exactly those are sent again, and nothing else.
    peer.script.append(Session(drop_after=40, process_unanswered=True))
    handler = Reporting(("127.0.0.1", peer.port), transport="relp", relp_window=16)
    logger, expected = relp_logger(handler, "duplicates")
    for i in range(300):
        logger.info("record %d", i)
    handler.flush(30.0)
    duplicates = check_arrived(peer.accepted, expected.messages)
    processed_unanswered = len(peer.accepted) - 300
    assert 1 <= duplicates == processed_unanswered <= 16  # at most one window
    assert (
        peer.accepted[40 : 40 + duplicates] == peer.accepted[40 + duplicates : 40 + 2 * duplicates]
    )
    handler.close()


def test_kill_9_and_restart_loses_nothing(
    rsyslog: tuple[Rsyslog, int, Path], record_property: Any
) -> None:
    rs, port, out = rsyslog
    handler = Reporting(("127.0.0.1", port), transport="relp", app_name="relp-kill")
    logger, expected = relp_logger(handler, "kill")
    for i in range(1000):
        logger.info("before the crash %d", i, extra={"cnt": i})
    rs.wait_for_lines(out, 1)
    rs.kill()  # kill -9 while records are in flight
    arrived_before = len(rs.read_lines(out))
    restart = threading.Timer(1.0, rs.start)
    restart.start()
    try:
        for i in range(1000, 3000):  # logging never waits for the collector
            logger.info("around the crash %d", i, extra={"cnt": i})
    finally:
        restart.join()  # never leave an rsyslogd started after the fixture stopped it
    handler.flush(60.0)
    lines = rs.wait_for_lines(out, 3000)
    duplicates = check_arrived(lines, expected.messages)
    record_property("relp_duplicates_after_kill_9", duplicates)
    print(
        f"\nkill -9 after 1000 records ({arrived_before} written by then), restart 1 s later: "
        f"3000/3000 arrived, {duplicates} duplicates"
    )
    # Only records the collector wrote but could not acknowledge are sent twice: at most
    # one window.
    assert duplicates <= 128
    # The outage was reported once, naming the collector.
    assert handler.wait_for_report("delivery failed (") and all(
        f"relp://127.0.0.1:{port}" in report for report in handler.reports
    )
    handler.close()
    assert (handler.dropped, handler.rejected) == (0, 0)


SPOOL_CHILD = r"""
import logging, sys, time
from cef_logging import CEFFormatter
from cef_logging.handlers import SyslogHandler

port, spool, first, last, mode = sys.argv[1:6]
handler = SyslogHandler(("127.0.0.1", int(port)), transport="relp", app_name="relp-spool",
                        spool_dir=spool, spool_sync_interval=0.1, drain_timeout=30.0)
handler.setFormatter(CEFFormatter(vendor="Acme", product="Gate", version="1.0"))
logger = logging.getLogger("spool")
logger.addHandler(handler)
logger.setLevel(logging.INFO)
split = (int(first) + int(last)) // 2 if mode == "crash" else int(last)
for i in range(int(first), split):
    logger.info("spooled record %d", i)
if mode == "crash":
    handler.flush(30.0)
    print("half", flush=True)
    sys.stdin.readline()  # the collector is killed now
    for i in range(split, int(last)):
        logger.info("spooled record %d", i)
    time.sleep(0.5)  # longer than spool_sync_interval: on disk now
    print("spooled", flush=True)
    time.sleep(600)  # killed here
if mode == "stream":
    print("logged", flush=True)  # every record is in the spool; delivery goes on
    time.sleep(600)  # killed here, in the middle of delivering
handler.close()
print("done", handler.sent, handler.dropped, flush=True)
"""


def spool_child(
    port: int, spool: Path, first: int, last: int, mode: str, err: Path
) -> subprocess.Popen[str]:
    with open(err, "w") as stderr:  # the child's outage reports
        return subprocess.Popen(
            [sys.executable, "-c", SPOOL_CHILD, str(port), str(spool), str(first), str(last),
             mode],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )  # fmt: skip


def spooled_numbers(lines: list[bytes]) -> list[int]:
    texts = [parse_cef(line.decode(), strict=True).extensions["msg"] for line in lines]
    return [int(text.rsplit(" ", 1)[1]) for text in texts]


def test_app_killed_with_spool_and_collector_restarted(
    rsyslog: tuple[Rsyslog, int, Path], tmp_path: Path, record_property: Any
) -> None:
    rs, port, out = rsyslog
    spool = tmp_path / "spool"

    def child(first: int, last: int, mode: str) -> subprocess.Popen[str]:
        return spool_child(port, spool, first, last, mode, tmp_path / f"child-{first}.err")

    app = child(0, 400, "crash")
    assert app.stdout is not None and app.stdin is not None
    assert app.stdout.readline().strip() == "half"  # 200 records delivered
    rs.kill()
    app.stdin.write("go\n")
    app.stdin.flush()
    assert app.stdout.readline().strip() == "spooled"  # 200 more, only in the spool
    app.kill()  # SIGKILL: the app dies with the collector down
    app.wait(10)
    app.stdin.close()
    app.stdout.close()
    rs.start()
    second = child(400, 500, "finish")
    out_text, _ = second.communicate(timeout=120)
    assert out_text.startswith("done"), (tmp_path / "child-400.err").read_text()
    numbers = spooled_numbers(rs.wait_for_lines(out, 500))
    assert sorted(set(numbers)) == list(range(500)), "records lost"
    first_seen = list(dict.fromkeys(numbers))
    assert first_seen == sorted(first_seen), "the spool was not delivered first, in order"
    duplicates = len(numbers) - len(set(numbers))
    record_property("relp_duplicates_after_app_kill", duplicates)
    print(f"\napp killed with 200 records spooled: 500/500 arrived, {duplicates} duplicates")


def test_app_killed_while_delivering_from_its_spool(
    rsyslog: tuple[Rsyslog, int, Path], tmp_path: Path, record_property: Any
) -> None:
    # The collector is up; the application is killed in the middle of a batch. The next
    # process on the same spool sends again what the collector had not acknowledged and
    # the rest of the batch in flight: duplicates are at most one batch (batch_size 1000).
    rs, port, out = rsyslog
    spool = tmp_path / "spool"
    rs.stop()  # the records pile up in the spool first, so the kill lands mid-delivery
    app = spool_child(port, spool, 0, 20_000, "stream", tmp_path / "app.err")
    assert app.stdout is not None
    assert app.stdout.readline().strip() == "logged"
    rs.start()
    at_kill = len(rs.wait_for_lines(out, 2_000))
    app.kill()
    app.wait(10)
    for pipe in (app.stdin, app.stdout):
        assert pipe is not None
        pipe.close()
    assert at_kill < 20_000, "delivery finished before the kill; nothing was in flight"
    second = spool_child(port, spool, 20_000, 20_000, "finish", tmp_path / "second.err")
    out_text, _ = second.communicate(timeout=120)
    assert out_text.startswith("done"), (tmp_path / "second.err").read_text()
    numbers = spooled_numbers(rs.wait_for_lines(out, 20_000, timeout=120))
    assert sorted(set(numbers)) == list(range(20_000)), "records lost"
    first_seen = list(dict.fromkeys(numbers))
    assert first_seen == sorted(first_seen)
    duplicates = len(numbers) - len(set(numbers))
    record_property("relp_duplicates_after_app_kill_mid_batch", duplicates)
    print(
        f"\napp killed mid-delivery ({at_kill} of 20000 written by then): 20000/20000 "
        f"arrived, {duplicates} duplicates"
    )
    assert duplicates <= 1000


def test_plain_syslog_port_is_reported_with_its_address(tmp_path: Path) -> None:
    with running_syslog_ng(tmp_path / "sng", ["tcp_octet"]) as sng:
        port = sng.ports["tcp_octet"]
        handler = Reporting(("127.0.0.1", port), transport="relp", drain_timeout=0.5)
        logger, _ = relp_logger(handler, "plain")
        logger.info("to a port that is not RELP")
        report = handler.wait_for_report("RELP open")
        handler.close()
    assert f"relp://127.0.0.1:{port}" in report
    assert handler.sent == 0


def test_non_200_answer_is_reported_with_the_collector_text(peer: ScriptedRelpServer) -> None:
    def reply(record: bytes) -> bytes:
        return b"500 message rejected by policy" if b"refuse me" in record else b"200 OK"

    peer.default = Session(reply=reply)
    handler = Reporting(("127.0.0.1", peer.port), transport="relp")
    logger, expected = relp_logger(handler, "refused")
    for i in range(20):
        logger.info("refuse me %d" if i == 7 else "keep me %d", i)
    handler.flush(30.0)
    report = handler.wait_for_report("500 message rejected by policy")
    assert f"relp://127.0.0.1:{peer.port}" in report
    assert peer.accepted == expected.messages[:7] + expected.messages[8:]
    assert peer.refused == [expected.messages[7]]
    assert (handler.sent, handler.rejected) == (19, 1)
    handler.close()


def test_protocol_violation_reconnects_and_delivers(peer: ScriptedRelpServer) -> None:
    peer.script.append(Session(violate_after=50, violation=b"1 rsp 6 200 OK\n"))
    handler = Reporting(("127.0.0.1", peer.port), transport="relp", backoff_base=0.05)
    logger, expected = relp_logger(handler, "violation")
    for i in range(500):
        logger.info("record %d", i)
    handler.flush(30.0)
    assert handler.wait_for_report("RELP protocol violation by relp://127.0.0.1")
    assert check_arrived(peer.accepted, expected.messages) == 0
    assert peer.sessions == 2
    handler.close()


def test_collector_that_stops_answering_is_left_and_records_resent(
    peer: ScriptedRelpServer,
) -> None:
    # The first session answers 10 records, then reads on without answering: after
    # `timeout` the handler gives up on it, reconnects and sends the rest again.
    peer.script.append(Session(silent_after=10))
    handler = Reporting(("127.0.0.1", peer.port), transport="relp", timeout=0.5, backoff_base=0.05)
    logger, expected = relp_logger(handler, "silent")
    for i in range(100):
        logger.info("record %d", i)
    handler.flush(30.0)
    assert handler.wait_for_report("no RELP answer from relp://127.0.0.1")
    assert check_arrived(peer.accepted, expected.messages) == 0
    assert peer.sessions == 2 and handler.sent == 100
    handler.close()


def test_relp_over_tls_with_handler_options(
    rsyslog_tls: tuple[Rsyslog, int, Path, Path, Path],
) -> None:
    rs, port, out, cert, key = rsyslog_tls
    handler = SyslogHandler(
        ("127.0.0.1", port), transport="relp", cafile=str(cert), certfile=str(cert),
        keyfile=str(key), server_hostname="localhost",
    )  # fmt: skip
    logger, expected = relp_logger(handler, "tls")
    for i in range(200):
        logger.warning("over TLS %d", i)
    handler.flush(30.0)
    assert check_arrived(rs.wait_for_lines(out, 200), expected.messages) == 0
    handler.close()
    assert "error" not in rs.log_text().lower()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"relp_window": 0}, "relp_window: must be an int >= 1"),
        ({"relp_window": "128"}, "relp_window: must be an int >= 1"),
        ({"relp_window": 16, "transport": "tcp"}, "relp_window: only used with transport='relp'"),
        ({"framing": "newline"}, "framing: RELP frames each message itself"),
    ],
)
def test_bad_options_fail_at_construction(options: dict[str, Any], message: str) -> None:
    kwargs: dict[str, Any] = {"transport": "relp", **options}
    with pytest.raises(ValueError, match=message):
        SyslogHandler(("127.0.0.1", 2514), **kwargs)


def test_the_documented_rsyslog_configuration(tmp_path: Path) -> None:
    """docs/relp.md shows tests/data/collectors/rsyslog-imrelp.conf; run that very file."""
    cert_dir = tmp_path / "cert"
    cert_dir.mkdir()
    cert, key = make_self_signed_cert(cert_dir)
    port, tls_port, out = free_port(), free_port(), tmp_path / "relp.log"
    conf = config_from_file(
        ROOT / "tests" / "data" / "collectors" / "rsyslog-imrelp.conf",
        {
            'port="2514"': f'port="{port}"',
            'port="2515"': f'port="{tls_port}"',
            "/var/log/cef/relp.log": str(out),
            "/etc/rsyslog.d/cef-ca.pem": str(cert),
            "/etc/rsyslog.d/collector.pem": str(cert),
            "/etc/rsyslog.d/collector.key": str(key),
        },
    )
    with running_rsyslog(tmp_path / "rsyslog", conf, ports=[port, tls_port]) as rs:
        rs.check_config()
        plain = SyslogHandler(("127.0.0.1", port), transport="relp")
        tls = SyslogHandler(
            ("127.0.0.1", tls_port), transport="relp", cafile=str(cert), certfile=str(cert),
            keyfile=str(key), server_hostname="localhost",
        )  # fmt: skip
        leef = SyslogHandler(("127.0.0.1", port), transport="relp")
        # LEEF with its TAB delimiter: the configuration keeps TAB (rsyslog would write #011).
        leef_format = LEEFFormatter(vendor="Acme", product="Gate", version="1.0")
        for name, handler, formatter in (
            ("plain", plain, None), ("tls", tls, None), ("leef", leef, leef_format)
        ):  # fmt: skip
            logger, _ = relp_logger(handler, f"doc.{name}", formatter)
            for i in range(100):
                logger.info("%s record %d", name, i, extra={"src": "10.1.2.3", "suser": "a\tb"})
            handler.close()
        lines = rs.wait_for_lines(out, 300)
    events = [
        (parse_leef if b"LEEF:" in line else parse_cef)(line.decode(), strict=True)
        for line in lines
    ]
    got = [e.extensions["msg"] if hasattr(e, "extensions") else e.attributes["msg"] for e in events]
    assert sorted(got) == sorted(
        f"{name} record {i}" for name in ("plain", "tls", "leef") for i in range(100)
    )
    assert all(b"#011" not in line for line in lines)


def test_record_the_collector_aborts_on_is_refused_not_retried_forever(tmp_path: Path) -> None:
    # imrelp with oversizeMode="abort" ends the session on a message above maxDataSize.
    port, out = free_port(), tmp_path / "relp.out"
    conf = (
        imrelp_config(port, out)
        .replace('maxMessageSize="256k"', 'maxMessageSize="8k"')
        .replace('maxDataSize="256k"', 'maxDataSize="10k" oversizeMode="abort"')
    )
    with running_rsyslog(tmp_path / "rsyslog", conf, ports=[port]) as rs:
        handler = Reporting(("127.0.0.1", port), transport="relp", backoff_base=0.05)
        logger, expected = relp_logger(handler, "abort")
        logger.info("small before")
        logger.info("huge %s", "x" * 20_000)
        logger.info("small after")
        handler.flush(30.0)
        lines = rs.wait_for_lines(out, 2)
        report = handler.wait_for_report("larger than the collector's maxDataSize?")
        handler.close()
    assert lines == [expected.messages[0], expected.messages[2]]
    assert "closed the RELP session 3 times in a row" in report
    assert (handler.sent, handler.rejected) == (2, 1)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_forked_children_open_their_own_sessions(rsyslog: tuple[Rsyslog, int, Path]) -> None:
    # A child that used the parent's session would send transaction numbers rsyslog does
    # not expect (and steal the parent's acknowledgements): each child must start its own.
    rs, port, out = rsyslog
    handler = Reporting(("127.0.0.1", port), transport="relp")
    logger, _ = relp_logger(handler, "fork")
    logger.info("parent before")
    handler.flush(10.0)
    assert handler.sent == 1  # the parent's session is open now
    children = []
    for n in range(5):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                for i in range(20):
                    logger.info("child %d record %d", n, i)
                handler.flush(10.0)
                handler.close()
                code = 0 if handler.sent == 20 and not handler.reports else 2
            finally:
                os._exit(code)
        children.append(pid)
    for pid in children:
        assert os.waitpid(pid, 0)[1] == 0
    logger.info("parent after")
    handler.close()
    assert (handler.sent, handler.reports) == (2, [])
    lines = rs.wait_for_lines(out, 102)
    got = sorted(parse_cef(line.decode(), strict=True).extensions["msg"] for line in lines)
    assert got == sorted(
        ["parent before", "parent after"]
        + [f"child {n} record {i}" for n in range(5) for i in range(20)]
    )
    assert "error" not in rs.log_text().lower()
