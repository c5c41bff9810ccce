"""Transport benchmark: throughput and logging-call latency. Not part of pytest.

    python benchmarks/bench_transports.py [--records N]

Measures, on loopback:

1. lines/s through ``SyslogHandler`` (TCP, RFC 5424, octet counting) into a real
   syslog-ng (skipped when syslog-ng is not installed), counted when syslog-ng has
   written them;
2. lines/s through ``HTTPBatchHandler`` (batches of 100) into a local HTTP server,
   counted when the server has accepted them;
3. ``logger.info()`` latency p50/p99/max with ``HTTPBatchHandler`` while the collector is
   down (connections refused), and with ``SyslogHandler`` behind a
   ``QueueHandler``/``QueueListener`` while syslog-ng is down.

The formatter is ``cef_logging.CEFFormatter`` when available.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import queue
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from _support_http import Collector  # noqa: E402
from _support_syslog_ng import SyslogNG, free_port  # noqa: E402

from cef_logging.handlers import HTTPBatchHandler, SyslogHandler  # noqa: E402


def make_formatter() -> logging.Formatter:
    try:
        from cef_logging import CEFFormatter
    except ImportError:
        return logging.Formatter("%(message)s")
    return CEFFormatter(vendor="Acme", product="Bench", version="1.0")


def make_logger(name: str, handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(f"bench.{name}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.handlers[:] = [handler]
    return logger


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return (
        f"p50 {q[49] * 1e3:.3f} ms  p99 {q[98] * 1e3:.3f} ms  max {samples[-1] * 1e3:.3f} ms"
        f"  (n={len(samples)})"
    )


def bench_syslog_tcp(records: int, workdir: Path) -> None:
    if shutil.which("syslog-ng") is None:
        print("syslog TCP      : skipped (syslog-ng not installed)")
        return
    server = SyslogNG(workdir / "sng", ["tcp_octet"])
    server.start()
    try:
        handler = SyslogHandler(
            ("127.0.0.1", server.ports["tcp_octet"]), transport="tcp", app_name="bench"
        )
        handler.setFormatter(make_formatter())
        logger = make_logger("syslog", handler)
        started = time.perf_counter()
        for i in range(records):
            logger.info("user login %d", i, extra={"user": "alice", "src": "10.0.0.1"})
        sent = time.perf_counter() - started
        got = server.wait_for("tcp_octet", records, timeout=120)
        done = time.perf_counter() - started
        handler.close()
        print(
            f"syslog TCP      : {records / sent:,.0f} lines/s sent, "
            f"{len(got) / done:,.0f} lines/s written by syslog-ng ({len(got)}/{records})"
        )
    finally:
        server.stop()


def bench_http(records: int) -> None:
    collector = Collector().start()
    try:
        handler = HTTPBatchHandler(
            collector.url, batch_size=100, flush_interval=0.05, max_queue=records
        )
        handler.setFormatter(make_formatter())
        logger = make_logger("http", handler)
        started = time.perf_counter()
        for i in range(records):
            logger.info("user login %d", i, extra={"user": "alice", "src": "10.0.0.1"})
        enqueued = time.perf_counter() - started
        handler.flush(timeout=120)
        got = collector.wait_accepted(records, timeout=120)
        done = time.perf_counter() - started
        handler.close()
        print(
            f"HTTP batches    : {records / enqueued:,.0f} lines/s enqueued, "
            f"{len(got) / done:,.0f} lines/s delivered ({len(got)}/{records})"
        )
    finally:
        collector.stop()


def latency(logger: logging.Logger, n: int) -> list[float]:
    samples = []
    perf = time.perf_counter
    for i in range(n):
        t0 = perf()
        logger.info("user login %d", i, extra={"user": "alice", "src": "10.0.0.1"})
        samples.append(perf() - t0)
    return samples


def bench_latency_down(n: int) -> None:
    port = free_port()  # nothing listens: connections are refused
    handler = HTTPBatchHandler(
        f"http://127.0.0.1:{port}/", batch_size=100, flush_interval=0.05,
        max_queue=max(n, 10000), drain_timeout=0.5,
    )  # fmt: skip
    handler.setFormatter(make_formatter())
    handler.handleError = lambda record: None  # type: ignore[method-assign]
    logger = make_logger("down.http", handler)
    latency(logger, 1000)  # warm-up
    print(f"HTTP, down      : {percentiles(latency(logger, n))}")
    handler.close()

    target = SyslogHandler(("127.0.0.1", free_port()), transport="tcp", retries=0)
    target.setFormatter(make_formatter())
    target.handleError = lambda record: None  # type: ignore[method-assign]
    q: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    listener = logging.handlers.QueueListener(q, target)
    listener.start()
    logger = make_logger("down.syslog", logging.handlers.QueueHandler(q))
    latency(logger, 1000)
    print(f"Syslog+Queue, down: {percentiles(latency(logger, n))}")
    listener.stop()
    target.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--latency-samples", type=int, default=20_000)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, formatter {type(make_formatter()).__name__}")
    with tempfile.TemporaryDirectory() as tmp:
        bench_syslog_tcp(args.records, Path(tmp))
    bench_http(args.records)
    bench_latency_down(args.latency_samples)


if __name__ == "__main__":
    main()
