"""cef_logging.handlers.HTTPBatchHandler against a real HTTP server with scripted faults."""

from __future__ import annotations

import logging
import logging.config
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from _support_http import TOKEN, Answer, Collector
from _support_syslog_ng import make_self_signed_cert
from conftest import make_logger

from cef_logging.handlers import HTTPBatchHandler

try:
    from cef_logging import CEFFormatter
except ImportError:  # pragma: no cover
    CEFFormatter = None  # type: ignore[assignment,misc]

ROOT = Path(__file__).resolve().parent.parent

FAST = {"flush_interval": 0.05, "backoff_base": 0.02, "backoff_max": 0.1, "drain_timeout": 5.0}


class RecordingHTTPHandler(HTTPBatchHandler):
    """Keeps the problems it would report through handleError."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.errors: list[str] = []

    def handleError(self, record: logging.LogRecord) -> None:
        self.errors.append(str(sys.exc_info()[1]))


def expected_lines(n: int, prefix: str = "record") -> list[bytes]:
    return [f"{prefix} {i}".encode() for i in range(n)]


def test_batches_are_newline_delimited_text(collector: Collector) -> None:
    handler = RecordingHTTPHandler(
        collector.url, batch_size=100, headers={"Authorization": "Bearer abc"}, **FAST
    )
    logger = make_logger(handler)
    for i in range(250):
        logger.info("record %d", i)
    handler.flush()
    assert collector.wait_accepted(250) == expected_lines(250)
    assert [len(s.body.split(b"\n")) - 1 for s in collector.seen] == [100, 100, 50]
    first = collector.seen[0]
    assert first.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert first.headers["Authorization"] == "Bearer abc"
    assert first.body.endswith(b"\n")
    assert handler.sent == 250 and handler.dropped == 0 and handler.errors == []
    handler.close()


def test_partial_batch_sent_after_flush_interval(collector: Collector) -> None:
    handler = RecordingHTTPHandler(collector.url, batch_size=100, flush_interval=0.2)
    logger = make_logger(handler)
    logger.info("lonely")
    assert collector.wait_accepted(1, timeout=5) == [b"lonely"]
    handler.close()


@pytest.mark.skipif(CEFFormatter is None, reason="CEFFormatter not available yet")
def test_cef_lines_arrive_byte_for_byte(collector: Collector) -> None:
    handler = RecordingHTTPHandler(collector.url, **FAST)
    fmt = CEFFormatter(vendor="Acme", product="App", version="1.0")
    handler.setFormatter(fmt)
    logger = make_logger(handler)
    hostile = ["a|b=c\\d", "line\nbreak\r", "nul\x00", "sep\u2028\u2029", "é 漢字 🚀", "\ttab"]
    expected = []
    for value in hostile:
        record = logger.makeRecord(
            logger.name, logging.ERROR, __file__, 1, value, None, None, extra={"user": value}
        )
        expected.append(fmt.format(record).encode())
        logger.handle(record)
    handler.flush()
    assert collector.wait_accepted(len(expected)) == expected
    handler.close()


def test_stray_newline_is_escaped(collector: Collector) -> None:
    handler = RecordingHTTPHandler(collector.url, **FAST)
    make_logger(handler).info("one\ntwo")
    handler.flush()
    assert collector.wait_accepted(1) == [b"one\\ntwo"]
    handler.close()


def test_gzip(collector: Collector) -> None:
    handler = RecordingHTTPHandler(collector.url, gzip=True, **FAST)
    logger = make_logger(handler)
    for i in range(20):
        logger.info("record %d", i)
    handler.flush()
    assert collector.wait_accepted(20) == expected_lines(20)
    assert collector.seen[0].headers["Content-Encoding"] == "gzip"
    handler.close()


def test_503_is_retried_and_nothing_is_lost(collector: Collector) -> None:
    collector.script.extend([Answer(503), Answer(503), Answer(500)])
    handler = RecordingHTTPHandler(collector.url, batch_size=10, **FAST)
    logger = make_logger(handler)
    for i in range(30):
        logger.info("record %d", i)
    handler.flush()
    assert collector.wait_accepted(30) == expected_lines(30)
    assert [s.status for s in collector.seen][:3] == [503, 503, 500]
    assert handler.sent == 30
    assert len(handler.errors) == 1 and "HTTP 503" in handler.errors[0]  # once per outage
    handler.close()


def test_429_honours_retry_after(collector: Collector) -> None:
    collector.script.append(Answer(429, {"Retry-After": "1"}))
    handler = RecordingHTTPHandler(collector.url, **FAST)
    make_logger(handler).info("throttled")
    handler.flush()
    assert collector.wait_accepted(1) == [b"throttled"]
    first, second = collector.seen[:2]
    assert first.status == 429
    assert second.at - first.at >= 0.9  # waited for Retry-After, not the 0.1 s backoff cap
    handler.close()


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_4xx_is_not_retried(collector: Collector, status: int) -> None:
    collector.script.append(Answer(status))
    handler = RecordingHTTPHandler(collector.url, batch_size=5, **FAST)
    logger = make_logger(handler)
    for i in range(10):
        logger.info("record %d", i)
    handler.flush()
    assert collector.wait_accepted(5) == [f"record {i}".encode() for i in range(5, 10)]
    assert len(collector.seen) == 2
    assert handler.rejected == 5 and handler.sent == 5
    assert len(handler.errors) == 1 and str(status) in handler.errors[0]
    handler.close()


def test_refused_then_restarted_on_same_port_loses_nothing() -> None:
    collector = Collector().start()
    port = collector.port
    handler = RecordingHTTPHandler(collector.url, batch_size=20, **FAST)
    logger = make_logger(handler)
    try:
        for i in range(50):
            logger.info("record %d", i)
        handler.flush()
        assert len(collector.wait_accepted(50)) == 50
        collector.stop()  # connections refused from now on
        slowest = 0.0
        for i in range(50, 150):
            started = time.perf_counter()
            logger.info("record %d", i)
            slowest = max(slowest, time.perf_counter() - started)
        time.sleep(0.3)  # several refused attempts
        assert handler.pending == 100
        # emit() never waits on the network (generous bound; the benchmark measures it).
        assert slowest < 0.25
        collector = Collector(port=port).start()
        handler.flush()
        got = collector.wait_accepted(100)
    finally:
        handler.close()
        collector.stop()
    assert got == [f"record {i}".encode() for i in range(50, 150)]
    assert handler.sent == 150 and handler.dropped == 0
    assert len(handler.errors) == 1 and "failed" in handler.errors[0]


def test_slow_collector_does_not_slow_logging(collector: Collector) -> None:
    collector.default = Answer(200, delay=0.5)
    handler = RecordingHTTPHandler(collector.url, batch_size=10, **FAST)
    logger = make_logger(handler)
    slowest = 0.0
    for i in range(40):
        started = time.perf_counter()
        logger.info("record %d", i)
        slowest = max(slowest, time.perf_counter() - started)
    assert slowest < 0.25  # far below the 0.5 s the collector takes per batch
    handler.flush(timeout=10)
    assert collector.wait_accepted(40) == expected_lines(40)
    handler.close()


def test_timeout_is_retried_at_least_once_delivery(collector: Collector) -> None:
    collector.script.append(Answer(200, delay=1.0))
    handler = RecordingHTTPHandler(collector.url, timeout=0.3, **FAST)
    make_logger(handler).info("slow")
    handler.flush(timeout=10)
    got = collector.wait_accepted(2, timeout=3)
    # The first answer came too late: the batch was sent again. Duplicates are possible,
    # loss is not.
    assert got == [b"slow", b"slow"]
    handler.close()


def test_queue_full_drops_newest_and_reports_once() -> None:
    collector = Collector().start()
    port = collector.port
    collector.stop()
    handler = RecordingHTTPHandler(
        f"http://127.0.0.1:{port}/", max_queue=10, batch_size=100, **FAST
    )
    logger = make_logger(handler)
    for i in range(25):
        logger.info("record %d", i)
    assert handler.dropped == 15
    drops = [e for e in handler.errors if "queue full" in e]
    assert len(drops) == 1
    collector = Collector(port=port).start()
    try:
        handler.flush()
        assert collector.wait_accepted(10) == expected_lines(10)
    finally:
        handler.close()
        collector.stop()
    assert handler.dropped == 15


def test_close_delivers_what_is_queued(collector: Collector) -> None:
    handler = RecordingHTTPHandler(collector.url, batch_size=1000, flush_interval=60)
    logger = make_logger(handler)
    for i in range(30):
        logger.info("record %d", i)
    handler.close()
    assert collector.wait_accepted(30, timeout=1) == expected_lines(30)
    logger.info("after close")  # counted, not raised
    assert handler.dropped == 1


def test_close_gives_up_at_the_deadline() -> None:
    port = Collector().start()
    dead_port = port.port
    port.stop()
    handler = RecordingHTTPHandler(
        f"http://127.0.0.1:{dead_port}/", flush_interval=0.01, backoff_base=0.05,
        backoff_max=0.1, drain_timeout=0.5,
    )  # fmt: skip
    logger = make_logger(handler)
    for i in range(10):
        logger.info("record %d", i)
    started = time.monotonic()
    handler.close()
    assert time.monotonic() - started < 3
    assert handler.dropped == 10
    assert any("10 undelivered" in e for e in handler.errors)


def test_clean_exit_delivers_queued_records(collector: Collector) -> None:
    script = textwrap.dedent(
        f"""
        import logging
        from cef_logging.handlers import HTTPBatchHandler
        handler = HTTPBatchHandler({collector.url!r}, batch_size=1000, flush_interval=60)
        logger = logging.getLogger("exit")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        for i in range(40):
            logger.info("record %d", i)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30, env=env)
    assert collector.wait_accepted(40, timeout=2) == expected_lines(40)


def test_dictconfig_with_ext_and_env_headers(
    collector: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_SIEM_TENANT", "tenant-42")
    name = f"test.http.dict.{uuid.uuid4().hex}"
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {
                "siem": {
                    "class": "cef_logging.handlers.HTTPBatchHandler",
                    "url": collector.url,
                    "batch_size": 100,
                    "flush_interval": 0.05,
                    "headers": {"Authorization": "ext://_support_http.TOKEN"},
                    "headers_from_env": {"X-Tenant": "TEST_SIEM_TENANT"},
                }
            },
            "loggers": {name: {"handlers": ["siem"], "level": "INFO", "propagate": False}},
        }
    )
    logger = logging.getLogger(name)
    (handler,) = logger.handlers
    logger.info("configured")
    handler.flush()
    assert collector.wait_accepted(1) == [b"configured"]
    headers = collector.seen[0].headers
    assert headers["Authorization"] == TOKEN
    assert headers["X-Tenant"] == "tenant-42"
    handler.close()
    logger.removeHandler(handler)


def test_missing_env_header_fails_at_configuration() -> None:
    with pytest.raises(ValueError, match="NOT_SET_ANYWHERE"):
        HTTPBatchHandler("http://127.0.0.1:9/", headers_from_env={"X": "NOT_SET_ANYWHERE"})


def test_https_verifies_by_default(tmp_path: Path) -> None:
    cert = make_self_signed_cert(tmp_path)
    collector = Collector(tls=cert).start()
    try:
        trusting = RecordingHTTPHandler(collector.url, cafile=str(cert[0]), **FAST)
        make_logger(trusting).info("over https")
        trusting.flush()
        assert collector.wait_accepted(1) == [b"over https"]
        trusting.close()

        default = RecordingHTTPHandler(
            collector.url, flush_interval=0.01, backoff_base=0.05, drain_timeout=0.3
        )
        make_logger(default).info("must not arrive")
        default.close()
        assert any("CERTIFICATE_VERIFY_FAILED" in e for e in default.errors)
        assert default.dropped == 1
        assert collector.wait_accepted(2, timeout=0.2) == [b"over https"]
    finally:
        collector.stop()


def test_concurrent_producers(collector: Collector) -> None:
    handler = RecordingHTTPHandler(collector.url, batch_size=50, **FAST)
    logger = make_logger(handler)

    def worker(n: int) -> None:
        for i in range(250):
            logger.info("t%d r%d", n, i)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    handler.flush()
    got = collector.wait_accepted(1000)
    assert sorted(got) == sorted(f"t{n} r{i}".encode() for n in range(4) for i in range(250))
    handler.close()
