"""fork and multiprocessing: no hang, no duplicate, no lost child record, no shared TLS."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _support_http import Collector
from _support_syslog_ng import make_self_signed_cert, requires_syslog_ng, running_syslog_ng
from conftest import make_logger

from cef_logging.handlers import HTTPBatchHandler, SyslogHandler

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture(autouse=True)
def _quiet_fork_warning() -> Iterator[None]:
    # Python 3.12+ warns that fork() in a multi-threaded process may deadlock: these
    # tests fork exactly that way on purpose, to prove the handlers do not.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def reap(pid: int, timeout: float) -> int | None:
    """Exit status of *pid*, or ``None`` (after killing it) if it hung."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.005)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return None


def test_hundreds_of_forks_while_another_thread_emits(collector: Collector) -> None:
    handler = HTTPBatchHandler(collector.url, batch_size=50, flush_interval=0.01)
    logger = make_logger(handler)
    stop = threading.Event()

    def chatter() -> None:
        i = 0
        while not stop.is_set():
            logger.info("parent %d", i)
            i += 1

    thread = threading.Thread(target=chatter)
    thread.start()
    hung = failed = 0
    forks = 300
    try:
        for n in range(forks):
            pid = os.fork()
            if pid == 0:  # child: log, deliver, leave without running the parent's atexit
                code = 1
                try:
                    logger.info("child %d", n)
                    handler.flush(10)
                    code = 0 if handler.sent == 1 and handler.pending == 0 else 2
                finally:
                    os._exit(code)
            status = reap(pid, 20)
            if status is None:
                hung += 1
            elif status != 0:
                failed += 1
    finally:
        stop.set()
        thread.join()
        handler.close()
    assert (hung, failed) == (0, 0)
    got = collector.accepted
    children = [line for line in got if line.startswith(b"child ")]
    assert sorted(children) == sorted(b"child %d" % n for n in range(forks))
    parents = [line for line in got if line.startswith(b"parent ")]
    assert len(parents) == len(set(parents)) == handler.sent  # each parent record once


def _mp_child(url: str, n: int) -> None:
    # Inherited through fork: the parent's handler, reset for this process.
    logger = logging.getLogger("test.fork.mp")
    for i in range(10):
        logger.info("child %d record %d", n, i)
    # No flush, no close: a normal end of a multiprocessing child must deliver.


def test_multiprocessing_children_deliver_and_parent_records_are_not_duplicated(
    collector: Collector,
) -> None:
    handler = HTTPBatchHandler(collector.url, batch_size=10_000, flush_interval=60)
    logger = logging.getLogger("test.fork.mp")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        for i in range(100):
            logger.info("parent record %d", i)  # queued: flush_interval holds them back
        context = multiprocessing.get_context("fork")
        procs = [context.Process(target=_mp_child, args=(collector.url, n)) for n in range(4)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(30)
        assert [proc.exitcode for proc in procs] == [0, 0, 0, 0]
        handler.flush()
    finally:
        logger.removeHandler(handler)
        handler.close()
    got = collector.wait_accepted(140)
    expected = [f"parent record {i}".encode() for i in range(100)] + [
        f"child {n} record {i}".encode() for n in range(4) for i in range(10)
    ]
    assert sorted(got) == sorted(expected)  # every record once: no loss, no duplicate


def _pool_task(n: int) -> int:
    logging.getLogger("test.fork.pool").info("task %d", n)
    return n


def test_multiprocessing_pool_workers_deliver(collector: Collector) -> None:
    handler = HTTPBatchHandler(collector.url, batch_size=1000, flush_interval=60)
    logger = logging.getLogger("test.fork.pool")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        with multiprocessing.get_context("fork").Pool(3) as pool:
            assert sorted(pool.map(_pool_task, range(30))) == list(range(30))
            pool.close()
            pool.join()
    finally:
        logger.removeHandler(handler)
        handler.close()
    got = collector.wait_accepted(30)
    assert sorted(got) == sorted(f"task {n}".encode() for n in range(30))


class Recording(SyslogHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.errors: list[str] = []
        super().__init__(*args, **kwargs)

    def handleError(self, record: logging.LogRecord) -> None:
        self.errors.append(str(sys.exc_info()[1]))


@requires_syslog_ng
def test_tls_session_is_never_shared_across_fork(tmp_path: Path) -> None:
    cert = make_self_signed_cert(tmp_path)
    with running_syslog_ng(tmp_path / "sng", ["tls_octet"], tls=cert, internal_log=True) as server:
        handler = Recording(
            ("127.0.0.1", server.ports["tls_octet"]), transport="tls", cafile=str(cert[0]),
            flush_interval=0.0,
        )  # fmt: skip
        logger = make_logger(handler)
        logger.info("parent before")
        handler.flush()
        assert handler.sent == 1  # the parent's TLS connection is open now
        children = []
        for n in range(5):
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    logger.info("child %d", n)
                    handler.flush(10)
                    handler.close()
                    code = 0 if handler.sent == 1 and not handler.errors else 2
                finally:
                    os._exit(code)
            children.append(pid)
        assert [reap(pid, 20) for pid in children] == [0] * 5
        logger.info("parent after")
        handler.close()
        got = server.wait_for("tls_octet", 7)
        log = server.log_text()
    assert sorted(r.msg for r in got) == sorted(
        [b"parent before", b"parent after", *(b"child %d" % n for n in range(5))]
    )
    assert handler.errors == []
    # The first connection is the start-up probe of the test support (no TLS at all);
    # after it, no TLS error: every session ended with close_notify, none was shared.
    ours = log.split("Syslog connection closed", 1)[1]
    assert "bad record mac" not in ours.lower() and "SSL error" not in ours


def test_https_session_is_never_shared_across_fork(tmp_path: Path) -> None:
    """The parent's keep-alive TLS connection survives children that log: they open
    their own, and neither use nor shut down the parent's session."""
    cert = make_self_signed_cert(tmp_path)
    collector = Collector(tls=cert).start()
    try:
        handler = HTTPBatchHandler(collector.url, cafile=str(cert[0]), flush_interval=0.01)
        logger = make_logger(handler)
        logger.info("parent before")
        handler.flush()
        assert handler.sent == 1 and collector.connection_count == 1
        children = []
        for n in range(5):
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    logger.info("child %d", n)
                    handler.flush(10)
                    handler.close()
                    code = 0 if handler.sent == 1 else 2
                finally:
                    os._exit(code)
            children.append(pid)
        assert [reap(pid, 20) for pid in children] == [0] * 5
        logger.info("parent after")
        handler.flush()
        assert handler.sent == 2
        # One connection per child, and the parent still on its first one.
        assert collector.connection_count == 6
        handler.close()
        got = collector.wait_accepted(7)
    finally:
        collector.stop()
    assert sorted(got) == sorted(
        [b"parent before", b"parent after", *(b"child %d" % n for n in range(5))]
    )
