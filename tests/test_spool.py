"""The durable spool (``spool_dir=``): on-disk order, acknowledgement, crash recovery."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
from _support_http import Answer, Collector
from _support_syslog_ng import free_port, requires_syslog_ng, running_syslog_ng
from conftest import make_logger

from cef_logging._spool import Spool, SpoolLockedError
from cef_logging.handlers import HTTPBatchHandler, SyslogHandler

ROOT = Path(__file__).resolve().parent.parent


def records(n: int, start: int = 0, size: int = 0) -> list[bytes]:
    pad = b" " + b"x" * size if size else b""
    return [b"record %d%b" % (i, pad) for i in range(start, start + n)]


# ------------------------------------------------------------------------------------
# The spool itself
# ------------------------------------------------------------------------------------


def test_records_come_back_in_order_and_segments_go_after_ack(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 20, sync_interval=1.0)
    data = records(3000, size=100)  # ~330 KB: several 128 KiB segments
    for item in data:
        assert spool.put(item) == 0
    assert len(spool) == 3000
    assert len(list(tmp_path.glob("*.seg"))) >= 3
    got: list[bytes] = []
    while len(spool):
        batch = spool.peek(250, 1 << 20)
        spool.ack(len(batch))
        got.extend(batch)
    assert got == data
    assert len(list(tmp_path.glob("*.seg"))) == 1  # only the segment being written
    spool.close()
    assert list(tmp_path.glob("*.seg")) == []


def test_a_new_owner_resumes_after_the_last_ack(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 20, sync_interval=1.0)
    for item in records(100):
        spool.put(item)
    spool.ack(len(spool.peek(30, 1 << 20)))
    spool.peek(20, 1 << 20)  # in flight, never acknowledged
    spool.close()
    again = Spool(tmp_path, max_bytes=1 << 20, sync_interval=1.0)
    assert again.recovered == 70
    again.put(b"new")
    assert again.peek(1000, 1 << 20) == [*records(70, start=30), b"new"]
    again.close()


def test_only_one_owner(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 20, sync_interval=1.0)
    with pytest.raises(SpoolLockedError, match=rf"spool_dir .* in use .*pid {os.getpid()}"):
        Spool(tmp_path, max_bytes=1 << 20, sync_interval=1.0)
    with pytest.raises(ValueError, match="in use by another process"):
        HTTPBatchHandler("http://127.0.0.1:9/", spool_dir=tmp_path)
    spool.close()
    Spool(tmp_path, max_bytes=1 << 20, sync_interval=1.0).close()  # free again


def test_full_spool_drops_the_oldest_segment_counted(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=64 * 1024, sync_interval=1.0)  # 8 KiB segments
    lost = 0
    data = records(1000, size=100)
    for item in data:
        lost += spool.put(item)
    assert lost > 0 and len(spool) + lost == 1000
    assert sum(p.stat().st_size for p in tmp_path.glob("*.seg")) <= 64 * 1024
    remaining: list[bytes] = []
    while len(spool):
        batch = spool.peek(100, 1 << 20)
        spool.ack(len(batch))
        remaining.extend(batch)
    assert remaining == data[lost:]  # the newest records survive, in order
    spool.close()


def test_a_torn_tail_is_skipped(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 20, sync_interval=1.0)
    for item in records(10):
        spool.put(item)
    spool.close()
    (segment,) = tmp_path.glob("*.seg")
    with open(segment, "ab") as f:
        f.write(b"\x00\x00\x01\x00partial")  # a record cut short by a crash
    again = Spool(tmp_path, max_bytes=1 << 20, sync_interval=1.0)
    assert again.recovered == 10
    assert again.peek(100, 1 << 20) == records(10)
    again.close()


# ------------------------------------------------------------------------------------
# Through HTTPBatchHandler
# ------------------------------------------------------------------------------------


class RecordingHTTPHandler(HTTPBatchHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.errors: list[str] = []
        super().__init__(*args, **kwargs)

    def handleError(self, record: logging.LogRecord) -> None:
        self.errors.append(str(sys.exc_info()[1]))


FAST = {"flush_interval": 0.02, "backoff_base": 0.02, "backoff_max": 0.1}


def test_leftovers_are_delivered_first_by_the_next_handler(tmp_path: Path) -> None:
    collector = Collector().start()
    port = collector.port
    collector.stop()
    spool_dir = tmp_path / "spool"
    first = RecordingHTTPHandler(
        f"http://127.0.0.1:{port}/", spool_dir=spool_dir, drain_timeout=0.2, **FAST
    )
    logger = make_logger(first)
    for i in range(100):
        logger.info("record %d", i)
    first.close()
    assert first.dropped == 0
    assert any("100 undelivered records kept in spool_dir" in e for e in first.errors)

    collector = Collector(port=port).start()
    try:
        second = RecordingHTTPHandler(collector.url, spool_dir=spool_dir, batch_size=30, **FAST)
        assert second.pending == 100
        make_logger(second).info("new")
        second.close()
        got = collector.wait_accepted(101)
    finally:
        collector.stop()
    assert got == [*records(100), b"new"]
    assert second.sent == 101 and second.errors == []
    assert list(spool_dir.glob("*.seg")) == []


def test_refused_records_leave_the_spool(tmp_path: Path) -> None:
    collector = Collector().start()
    collector.decide = lambda body: Answer(400) if b"poison" in body else None
    try:
        handler = RecordingHTTPHandler(collector.url, spool_dir=tmp_path, batch_size=1, **FAST)
        logger = make_logger(handler)
        logger.info("poison")
        logger.info("fine")
        handler.close()
        assert collector.wait_accepted(1) == [b"fine"]
    finally:
        collector.stop()
    assert handler.rejected == 1 and handler.sent == 1
    assert list(tmp_path.glob("*.seg")) == []


CHILD = textwrap.dedent(
    """
    import logging, sys, time
    from cef_logging.handlers import HTTPBatchHandler, SyslogHandler
    url, spool_dir = sys.argv[1], sys.argv[2]
    handler = HTTPBatchHandler(url, spool_dir=spool_dir, spool_sync_interval=0.2,
                               batch_size=25, flush_interval=0.01, backoff_base=0.05,
                               backoff_max=0.2)
    handler.handleError = lambda record: None
    logger = logging.getLogger("child")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    for i in range(200):
        logger.info("record %d", i)
    handler.flush(10)
    print("delivered", flush=True)
    sys.stdin.readline()  # the parent stops the collector
    for i in range(200, 1000):
        logger.info("record %d", i)
    time.sleep(0.5)  # more than spool_sync_interval
    print("logged", flush=True)
    time.sleep(60)
    """
)

SECOND = textwrap.dedent(
    """
    import logging, sys
    from cef_logging.handlers import HTTPBatchHandler, SyslogHandler
    handler = HTTPBatchHandler(sys.argv[1], spool_dir=sys.argv[2], batch_size=25,
                               flush_interval=0.01, drain_timeout=20)
    print("recovered", handler.pending, flush=True)
    logging.getLogger("second").addHandler(handler)
    logging.getLogger("second").warning("after restart")
    handler.close()
    print("sent", handler.sent, "dropped", handler.dropped, flush=True)
    """
)


def test_kill_9_mid_outage_loses_nothing(tmp_path: Path) -> None:
    """SIGKILL a process while the collector is down; a second process with the same
    spool_dir delivers every record, in order, with at most one batch sent twice."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    spool_dir = tmp_path / "spool"
    collector = Collector().start()
    port = collector.port
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, collector.url, str(spool_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "delivered"
        collector.stop()
        before = list(collector.accepted)
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "logged"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert before == records(200)

    collector = Collector(port=port).start()
    try:
        result = subprocess.run(
            [sys.executable, "-c", SECOND, collector.url, str(spool_dir)],
            capture_output=True, text=True, env=env, timeout=60, check=True,
        )  # fmt: skip
        after = collector.wait_accepted(800)
    finally:
        collector.stop()
    assert result.stdout.splitlines()[0] == "recovered 800"
    assert after[-1] == b"after restart"
    delivered = after[:-1]
    assert delivered == records(800, start=200)  # every record, in order, no duplicate
    assert "dropped 0" in result.stdout
    assert list(spool_dir.glob("*.seg")) == []


def test_kill_9_while_delivering_duplicates_at_most_one_batch(tmp_path: Path) -> None:
    """Killed while a batch is in flight (the collector is slow to answer): the next
    owner re-sends that batch, nothing else twice, nothing lost."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    spool_dir = tmp_path / "spool"
    collector = Collector().start()
    collector.default = Answer(200, delay=0.3)
    script = textwrap.dedent(
        """
        import logging, sys, time
        from cef_logging.handlers import HTTPBatchHandler, SyslogHandler
        handler = HTTPBatchHandler(sys.argv[1], spool_dir=sys.argv[2], batch_size=25,
                                   flush_interval=0.01, spool_sync_interval=0.1)
        logger = logging.getLogger("child")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        for i in range(500):
            logger.info("record %d", i)
        time.sleep(0.3)
        print("logged", flush=True)
        time.sleep(60)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, collector.url, str(spool_dir)],
        stdout=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "logged"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    collector.default = Answer(200)
    try:
        subprocess.run(
            [sys.executable, "-c", SECOND, collector.url, str(spool_dir)],
            capture_output=True, text=True, env=env, timeout=60, check=True,
        )  # fmt: skip
        collector.wait_accepted(501)
        time.sleep(0.5)  # the killed process's last request may still be answered
        got = list(collector.accepted)
    finally:
        collector.stop()
    got.remove(b"after restart")
    assert sorted(set(got)) == sorted(records(500))
    duplicates = len(got) - len(set(got))
    assert duplicates <= 25  # at most the one batch in flight at the kill


@requires_syslog_ng
def test_syslog_tcp_spool_survives_an_outage_and_a_restart(tmp_path: Path) -> None:
    port = free_port()
    spool_dir = tmp_path / "spool"
    first = SyslogHandler(
        ("127.0.0.1", port), transport="tcp", spool_dir=spool_dir, drain_timeout=0.2, **FAST
    )
    first.handleError = lambda record: None  # type: ignore[method-assign]
    logger = make_logger(first)
    for i in range(50):
        logger.info("record %d", i)
    first.close()  # collector down: kept on disk
    with running_syslog_ng(tmp_path / "sng", ["tcp_octet"], ports={"tcp_octet": port}) as server:
        second = SyslogHandler(("127.0.0.1", port), transport="tcp", spool_dir=spool_dir, **FAST)
        make_logger(second).info("new")
        second.close()
        got = server.wait_for("tcp_octet", 51)
    assert [r.msg for r in got] == [*records(50), b"new"]
    assert second.sent == 51


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_never_touches_the_parents_spool(tmp_path: Path) -> None:
    collector = Collector().start()
    try:
        handler = HTTPBatchHandler(collector.url, spool_dir=tmp_path, flush_interval=60)
        logger = make_logger(handler)
        for i in range(10):
            logger.info("record %d", i)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            code = 1
            try:
                logger.info("child")
                handler.flush(10)
                code = 0 if handler.sent == 1 else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert handler.pending == 10  # the parent's spool is intact
        handler.close()
        got = collector.wait_accepted(11)
    finally:
        collector.stop()
    assert sorted(got) == sorted([*records(10), b"child"])


def test_full_spool_through_the_handler_is_counted_and_reported_once(tmp_path: Path) -> None:
    port = free_port()
    handler = RecordingHTTPHandler(
        f"http://127.0.0.1:{port}/", spool_dir=tmp_path, spool_max_bytes=65536,
        drain_timeout=0.1, **FAST,
    )  # fmt: skip
    logger = make_logger(handler)
    for i in range(2000):
        logger.info("record %d %s", i, "x" * 100)
    assert handler.dropped > 0 and handler.pending + handler.dropped == 2000
    assert sum("spool full" in e for e in handler.errors) == 1
    assert sum(p.stat().st_size for p in tmp_path.glob("*.seg")) <= 65536
    handler.close()


def test_spool_options_are_checked_at_construction(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="spool_max_bytes"):
        HTTPBatchHandler("http://127.0.0.1:9/", spool_dir=tmp_path, spool_max_bytes=10)
    with pytest.raises(ValueError, match="spool_sync_interval"):
        HTTPBatchHandler("http://127.0.0.1:9/", spool_dir=tmp_path, spool_sync_interval=0)
    with pytest.raises(ValueError, match="spool_dir: UDP"):
        SyslogHandler(("127.0.0.1", 514), transport="udp", spool_dir=tmp_path)


def test_a_segment_removed_behind_the_spools_back_is_skipped(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=64 * 1024, sync_interval=1.0)  # 8 KiB segments
    data = records(200, size=100)
    for item in data:
        spool.put(item)
    segments = sorted(tmp_path.glob("*.seg"))
    assert len(segments) >= 3
    segments[1].unlink()  # an operator "cleaning up"
    got: list[bytes] = []
    while len(spool):
        batch = spool.peek(50, 1 << 20)
        spool.ack(len(batch))
        got.extend(batch)
    assert got and set(got) < set(data)
    assert got == sorted(got, key=data.index)  # what is left keeps its order
    spool.close()


def test_a_full_spool_copes_with_a_segment_removed_behind_its_back(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=64 * 1024, sync_interval=1.0)
    for item in records(100, size=100):
        spool.put(item)
    min(tmp_path.glob("*.seg")).unlink()
    lost = sum(spool.put(item) for item in records(1000, start=100, size=100))
    assert lost > 0  # dropping the oldest segments still works
    assert sum(p.stat().st_size for p in tmp_path.glob("*.seg")) <= 64 * 1024
    spool.close()
