"""The delivery engine under faults, through both handlers, against real collectors.

The logging call never waits on the network, memory is bounded in bytes, flush() and
close() drain for real, the retry policy has no hot loop and no silent discard, and
every drop is counted and reported once.
"""

from __future__ import annotations

import itertools
import logging
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from _support_http import Answer, Collector
from _support_syslog_ng import free_port, requires_syslog_ng, running_syslog_ng
from conftest import make_logger

from cef_logging._http_wire import retry_after_seconds
from cef_logging.handlers import HTTPBatchHandler, SyslogHandler

FAST = {"flush_interval": 0.02, "backoff_base": 0.02, "backoff_max": 0.1, "drain_timeout": 5.0}


class Recording:
    """Mixin: keep what would be reported through handleError."""

    errors: list[str]

    def handleError(self, record: logging.LogRecord) -> None:
        self.errors.append(str(sys.exc_info()[1]))


class HTTP(Recording, HTTPBatchHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.errors = []
        super().__init__(*args, **kwargs)


class Syslog(Recording, SyslogHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.errors = []
        super().__init__(*args, **kwargs)


def lines(n: int, start: int = 0, prefix: str = "record") -> list[bytes]:
    return [f"{prefix} {i}".encode() for i in range(start, start + n)]


def wait_until(predicate: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)
    return True


# ------------------------------------------------------------------------------------
# 1. The caller never waits on the network
# ------------------------------------------------------------------------------------


class SilentServer:
    """Accepts TCP connections and never reads from them (or, with backlog only, never
    accepts): the collector that makes a blocking sender block forever."""

    def __init__(self, accept: bool) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self._stop = False
        if accept:
            threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self) -> None:
        self._stop = True
        for conn in self.conns:
            conn.close()
        self.sock.close()


@pytest.mark.parametrize("accept", [True, False], ids=["accepts-never-reads", "never-accepts"])
@pytest.mark.parametrize("transport", ["tcp", "http"])
def test_logging_completes_while_the_collector_never_reads(accept: bool, transport: str) -> None:
    """With a sender stuck on a collector that takes nothing, 2,000 records of 4 KB are
    still logged: a caller that waited on the network would hang here for good."""
    server = SilentServer(accept)
    if transport == "tcp":
        handler: HTTP | Syslog = Syslog(
            ("127.0.0.1", server.port), transport="tcp", timeout=30, drain_timeout=0.3,
            max_queue_bytes=2 << 20,
        )  # fmt: skip
    else:
        handler = HTTP(
            f"http://127.0.0.1:{server.port}/", timeout=30, drain_timeout=0.3,
            max_queue_bytes=2 << 20, batch_size=50, flush_interval=0.01,
        )  # fmt: skip
    logger = make_logger(handler)
    try:
        for i in range(2000):
            logger.info("%d %s", i, "x" * 4000)
        assert handler.dropped > 0 and handler.pending > 0  # bounded: 2 MiB, not 8
        # Reported once per episode (an episode ends when the queue drains below half,
        # which the kernel's socket buffers can allow once), never once per record.
        assert 1 <= sum("queue full" in e for e in handler.errors) <= 2 < handler.dropped
    finally:
        dropped_before_close = handler.dropped
        started = time.monotonic()
        handler.close()
        closing = time.monotonic() - started
        server.close()
    # close() gave up at drain_timeout (plus the interrupt of the blocked write) ...
    assert closing < 10
    # ... and counted what it could not deliver ("sent" here is what the kernel took
    # into its socket buffers: plain TCP has no acknowledgement).
    assert handler.pending == 0 and handler.sent + handler.dropped == 2000
    if handler.dropped > dropped_before_close:
        assert any("undelivered" in e for e in handler.errors)


def test_refused_collector_records_wait_in_the_queue() -> None:
    port = free_port()
    handler = Syslog(("127.0.0.1", port), transport="tcp", **FAST)
    logger = make_logger(handler)
    for i in range(100):
        logger.info("record %d", i)
    assert wait_until(lambda: handler.errors)
    assert handler.pending == 100 and handler.dropped == 0
    assert "ConnectionRefusedError" in handler.errors[0]
    handler.drain_timeout = 0.2
    handler._engine.drain_timeout = 0.2  # type: ignore[union-attr]
    handler.close()
    assert handler.dropped == 100


# ------------------------------------------------------------------------------------
# 2. Bounded memory, in bytes
# ------------------------------------------------------------------------------------


def test_queue_is_bounded_in_bytes_and_reports_once_per_episode(collector: Collector) -> None:
    port = collector.port
    collector.stop()
    handler = HTTP(f"http://127.0.0.1:{port}/", max_queue=10_000, max_queue_bytes=1 << 20, **FAST)
    logger = make_logger(handler)
    big = "x" * 65536
    for i in range(100):
        logger.info("%d %s", i, big)
    # 1 MiB holds 15 records of 64 KiB (plus per-record overhead), never 100.
    assert handler.pending == 15 and handler.dropped == 85
    assert sum("queue full" in e and "max_queue_bytes=1048576" in e for e in handler.errors) == 1
    restarted = Collector(port=port).start()
    try:
        handler.flush()
        assert len(restarted.wait_accepted(15)) == 15
        # The episode ended when the queue drained: the next overflow is reported again.
        restarted.stop()
        for i in range(100):
            logger.info("%d %s", i, big)
        assert sum("queue full" in e for e in handler.errors) == 2
    finally:
        handler._engine.drain_timeout = 0.2  # type: ignore[union-attr]
        handler.close()
        restarted.stop()


# ------------------------------------------------------------------------------------
# 3. flush() and close() drain for real
# ------------------------------------------------------------------------------------


def test_close_after_an_outage_that_ended_delivers_everything() -> None:
    """The sender sits in a long backoff when the collector comes back; close() wakes it
    and delivers the queue within drain_timeout instead of throwing it away."""
    collector = Collector().start()
    port = collector.port
    collector.stop()
    handler = HTTP(
        f"http://127.0.0.1:{port}/", batch_size=1000, flush_interval=0.01,
        backoff_base=0.5, backoff_max=30.0, drain_timeout=5.0,
    )  # fmt: skip
    logger = make_logger(handler)
    for i in range(50):
        logger.info("record %d", i)
    assert wait_until(lambda: handler.errors)  # first attempt failed
    time.sleep(2.0)  # several failures: the backoff is now seconds long
    collector = Collector(port=port).start()
    try:
        handler.close()
        got = collector.wait_accepted(50, timeout=1)
    finally:
        collector.stop()
    assert got == lines(50)
    assert handler.sent == 50 and handler.dropped == 0


def test_2500_records_through_503s_and_an_outage(collector: Collector) -> None:
    for _ in range(5):
        collector.script.append(Answer(503))
    port = collector.port
    handler = HTTP(
        collector.url, batch_size=100, flush_interval=0.01, backoff_base=0.05,
        backoff_max=30.0, max_queue=10_000, drain_timeout=10.0,
    )  # fmt: skip
    logger = make_logger(handler)
    for i in range(1000):
        logger.info("record %d", i)
    assert wait_until(lambda: len(collector.accepted) >= 100)
    collector.stop()
    for i in range(1000, 2500):
        logger.info("record %d", i)
    time.sleep(1.5)
    restarted = Collector(port=port).start()
    try:
        handler.close()
        got = list(collector.accepted) + restarted.wait_accepted(2500 - len(collector.accepted))
    finally:
        restarted.stop()
    assert sorted(set(got)) == sorted(lines(2500))
    assert handler.dropped == 0 and handler.sent == 2500


def test_flush_waits_for_delivery_and_cuts_backoff_short() -> None:
    collector = Collector().start()
    port = collector.port
    collector.stop()
    handler = HTTP(
        f"http://127.0.0.1:{port}/", flush_interval=0.01, backoff_base=1.0, backoff_max=30.0
    )
    logger = make_logger(handler)
    logger.info("queued")
    assert wait_until(lambda: handler.errors)
    collector = Collector(port=port).start()
    try:
        handler.flush(timeout=5.0)
        assert handler.pending == 0 and collector.wait_accepted(1, timeout=0) == [b"queued"]
    finally:
        handler.close()
        collector.stop()


# ------------------------------------------------------------------------------------
# 6. Retry policy without traps
# ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0.0), ("12", 12.0), (" 3 ", 3.0), ("²", None), ("١٢", None), ("-1", None),
        ("1.5", None), ("soon", None), ("", None), (None, None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)  # fmt: skip
def test_retry_after_accepts_ascii_digits_and_http_dates(
    value: str | None, seconds: float | None
) -> None:
    assert retry_after_seconds(value) == seconds


def test_retry_after_future_date() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == 30.0


@pytest.mark.parametrize(
    "retry_after", ["0", "Wed, 21 Oct 2015 07:28:00 GMT", "²", "garbage"],
    ids=["zero", "past-date", "superscript-two", "garbage"],
)  # fmt: skip
def test_no_hot_loop_whatever_retry_after_says(collector: Collector, retry_after: str) -> None:
    for _ in range(3):
        collector.script.append(Answer(503, {"Retry-After": retry_after}))
    handler = HTTP(collector.url, flush_interval=0.01, backoff_base=0.2, backoff_max=0.2)
    make_logger(handler).info("throttled")
    assert collector.wait_accepted(1, timeout=10) == [b"throttled"]  # retried, not discarded
    handler.close()
    times = [seen.at for seen in collector.seen]
    assert len(times) == 4
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(times))  # at least backoff_base
    assert handler.rejected == 0 and len(handler.errors) == 1


def test_413_splits_the_batch_and_rejects_only_the_record_refused_alone(
    collector: Collector,
) -> None:
    collector.decide = lambda body: Answer(413) if b"huge" in body or len(body) > 60 else None
    handler = HTTP(collector.url, batch_size=8, flush_interval=10, drain_timeout=5)
    logger = make_logger(handler)
    for i in range(8):
        logger.info("huge %d" if i == 5 else "record %d", i)
    handler.flush()
    assert sorted(collector.accepted) == sorted(lines(5) + lines(2, start=6))
    assert handler.sent == 7 and handler.rejected == 1
    assert len(handler.errors) == 1 and "413" in handler.errors[0]
    handler.close()


def test_network_errors_never_discard(collector: Collector) -> None:
    """Only the collector's answer can refuse records; a reset is retried."""
    collector.script.append(Answer(200, delay=1.0))
    handler = HTTP(collector.url, timeout=0.2, **FAST)
    make_logger(handler).info("kept")
    handler.flush()
    assert b"kept" in collector.wait_accepted(2, timeout=5)
    assert handler.rejected == 0
    handler.close()


# ------------------------------------------------------------------------------------
# 7. Configuration errors at construction
# ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "match"),
    [
        ({"X-Key": "secret\n"}, "X-Key.*line break"),
        ({"X-Key": "a\r\nInjected: 1"}, "X-Key.*line break"),
        ({"X-Key": "caf\u00e9 \u6f22"}, "X-Key.*Latin-1"),
        ({"X-Key": "nul\x00"}, "X-Key.*control"),
        ({"Bad Name": "v"}, "Bad Name"),
        ({"X:Colon": "v"}, "X:Colon"),
    ],
)
def test_bad_header_values_fail_at_construction(headers: dict[str, str], match: str) -> None:
    with pytest.raises(ValueError, match=rf"headers.*{match}"):
        HTTPBatchHandler("http://127.0.0.1:9/", headers=headers)


def test_headers_from_env_strips_one_trailing_newline(
    collector: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_SECRET_FILE_VALUE", "token-123\n")
    monkeypatch.setenv("TEST_SECRET_TWO_NEWLINES", "token\n\n")
    handler = HTTP(collector.url, headers_from_env={"X-Token": "TEST_SECRET_FILE_VALUE"}, **FAST)
    make_logger(handler).info("with secret")
    handler.flush()
    assert collector.wait_accepted(1) == [b"with secret"]
    assert collector.seen[0].headers["X-Token"] == "token-123"
    handler.close()
    with pytest.raises(ValueError, match=r"X-Token.*line break"):
        HTTPBatchHandler(
            "http://127.0.0.1:9/", headers_from_env={"X-Token": "TEST_SECRET_TWO_NEWLINES"}
        )


def test_url_credentials_become_basic_auth_and_are_redacted() -> None:
    collector = Collector().start()
    port = collector.port
    url = f"http://svc:p%40ss@127.0.0.1:{port}/ingest"
    handler = HTTP(url, **FAST)
    assert "p%40ss" not in repr(handler) and "***@127.0.0.1" in repr(handler)
    assert "p%40ss" not in handler.url
    make_logger(handler).info("authenticated")
    handler.flush()
    assert collector.wait_accepted(1) == [b"authenticated"]
    assert collector.seen[0].headers["Authorization"] == "Basic c3ZjOnBAc3M="  # svc:p@ss
    collector.stop()  # an outage report must not show the password either
    make_logger(handler).info("during outage")
    assert wait_until(lambda: handler.errors)
    handler._engine.drain_timeout = 0.2  # type: ignore[union-attr]
    handler.close()
    assert handler.errors and all("p%40ss" not in e and "p@ss" not in e for e in handler.errors)
    assert any("***@127.0.0.1" in e for e in handler.errors)


def test_url_credentials_and_authorization_header_conflict() -> None:
    with pytest.raises(ValueError, match="Authorization"):
        HTTPBatchHandler("http://a:b@127.0.0.1:9/", headers={"Authorization": "Bearer x"})


def test_tls_options_without_tls_fail_at_construction(tmp_path: Path) -> None:
    context = __import__("ssl").create_default_context()
    with pytest.raises(ValueError, match=r"ssl_context.*https"):
        HTTPBatchHandler("http://127.0.0.1:9/", ssl_context=context)
    with pytest.raises(ValueError, match=r"cafile.*https"):
        HTTPBatchHandler("http://127.0.0.1:9/", cafile="ca.pem")
    for transport in ("udp", "tcp"):
        with pytest.raises(ValueError, match=r"ssl_context.*plaintext"):
            SyslogHandler(("127.0.0.1", 514), transport=transport, ssl_context=context)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="certfile"):
            SyslogHandler(("127.0.0.1", 514), transport=transport, certfile="c.pem")  # type: ignore[arg-type]


def test_unloadable_tls_files_name_the_option(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.pem")
    with pytest.raises(ValueError, match=r"^cafile: cannot load"):
        SyslogHandler(("127.0.0.1", 6514), transport="tls", cafile=missing)
    with pytest.raises(ValueError, match=r"^certfile/keyfile: cannot load"):
        SyslogHandler(("127.0.0.1", 6514), transport="tls", certfile=missing)
    with pytest.raises(ValueError, match=r"^cafile: cannot load"):
        HTTPBatchHandler("https://127.0.0.1:9/", cafile=missing)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"transport": "sctp"}, "transport"),
        ({"framing": "lf?"}, "framing"),
        ({"facility": "nope"}, "facility"),
        ({"app_name": "x" * 49}, "app_name"),
        ({"msgid": "x" * 33}, "msgid"),
        ({"timeout": 0}, "timeout"),
        ({"max_queue_bytes": 0}, "max_queue_bytes"),
        ({"address": "host:notaport"}, "address"),
    ],
)
def test_syslog_construction_errors_name_the_option(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SyslogHandler(**kwargs)


def test_no_atexit_noise_after_a_failed_constructor(tmp_path: Path) -> None:
    import subprocess

    script = (
        "import logging\n"
        "from cef_logging.handlers import HTTPBatchHandler, SyslogHandler\n"
        "for make in (lambda: HTTPBatchHandler('http://h/', headers_from_env={'X': 'UNSET_X'}),\n"
        "             lambda: SyslogHandler(transport='tcp', msgid='m' * 40)):\n"
        "    try:\n"
        "        make()\n"
        "    except ValueError as exc:\n"
        "        print('error:', exc)\n"
        "logging.shutdown()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": str(Path(__file__).resolve().parent.parent), "PATH": ""},
    )  # fmt: skip
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.count("error:") == 2 and "UNSET_X" in result.stdout


# ------------------------------------------------------------------------------------
# 8. TLS close_notify
# ------------------------------------------------------------------------------------


def test_tls_connection_ends_with_close_notify(tmp_path: Path) -> None:
    import ssl

    from _support_syslog_ng import make_self_signed_cert

    cert, key = make_self_signed_cert(tmp_path)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(str(cert), str(key))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    outcome: dict[str, Any] = {}

    def serve() -> None:
        raw, _ = listener.accept()
        conn = server_ctx.wrap_socket(raw, server_side=True)
        conn.settimeout(10)
        data = b""
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:  # clean TLS EOF: the peer sent close_notify
                    outcome["clean"] = True
                    conn.unwrap()
                    break
                data += chunk
        except (ssl.SSLError, OSError) as exc:
            outcome["clean"] = False
            outcome["error"] = repr(exc)
        outcome["data"] = data
        conn.close()

    thread = threading.Thread(target=serve)
    thread.start()
    handler = Syslog(
        ("127.0.0.1", port), transport="tls", cafile=str(cert), framing="newline",
        hostname="h", app_name="a",
    )  # fmt: skip
    make_logger(handler).info("over tls")
    handler.close()
    thread.join(10)
    listener.close()
    assert outcome.get("clean") is True, outcome
    assert outcome["data"].endswith(b" - over tls\n")
    assert handler.errors == []


# ------------------------------------------------------------------------------------
# Real syslog-ng: queued TCP delivery keeps order across many threads and reconnects
# ------------------------------------------------------------------------------------


@requires_syslog_ng
def test_queued_tcp_keeps_order_and_loses_nothing(tmp_path: Path) -> None:
    with running_syslog_ng(tmp_path / "sng", ["tcp_octet"]) as server:
        handler = Syslog(("127.0.0.1", server.ports["tcp_octet"]), transport="tcp", **FAST)
        logger = make_logger(handler)
        for i in range(5000):
            logger.info("record %d", i)
        handler.close()
        got = server.wait_for("tcp_octet", 5000, timeout=30)
    assert [r.msg for r in got] == lines(5000)
    assert handler.sent == 5000 and handler.dropped == 0 and handler.errors == []


@requires_syslog_ng
def test_udp_to_a_host_name_is_queued(tmp_path: Path) -> None:
    with running_syslog_ng(tmp_path / "sng", ["udp_5424"]) as server:
        handler = Syslog(("localhost", server.ports["udp_5424"]), transport="udp", **FAST)
        if handler.pending == 0 and handler._engine is None:  # pragma: no cover
            pytest.skip("localhost resolved inline")
        logger = make_logger(handler)
        for i in range(20):
            logger.info("record %d", i)
        handler.close()
        got = server.wait_for("udp_5424", 20)
    assert [r.msg for r in got] == lines(20)


def test_max_retries_gives_up_counted_and_reported(collector: Collector) -> None:
    collector.default = Answer(503)
    handler = HTTP(collector.url, batch_size=10, max_retries=2, **FAST)
    logger = make_logger(handler)
    for i in range(5):
        logger.info("record %d", i)
    handler.flush()
    assert len(collector.seen) == 3  # the first attempt and two retries
    assert handler.rejected == 5 and handler.pending == 0 and handler.sent == 0
    assert any("gave up on 5 records after 3 attempts" in e for e in handler.errors)
    handler.close()


def test_clean_exit_drains_every_handler(collector: Collector, tmp_path: Path) -> None:
    import subprocess
    import textwrap

    script = textwrap.dedent(
        f"""
        import logging
        from cef_logging.handlers import HTTPBatchHandler, SyslogHandler
        for name in ("a", "b"):
            handler = HTTPBatchHandler({collector.url!r}, batch_size=1000, flush_interval=60)
            logger = logging.getLogger(name)
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            for i in range(20):
                logger.info("%s %d", name, i)
        """
    )
    env = {"PYTHONPATH": str(Path(__file__).resolve().parent.parent), "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0 and result.stderr == ""
    got = collector.wait_accepted(40, timeout=2)
    assert sorted(got) == sorted(lines(20, prefix="a") + lines(20, prefix="b"))
