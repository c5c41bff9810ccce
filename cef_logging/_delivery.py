"""The delivery engine shared by every queued transport.

``put()`` is all the logging thread does: append the encoded record to a bounded queue
(in memory, or the disk spool) and wake the sender when a batch is due. One daemon
sender thread per engine takes batches from the head of the queue, hands them to the
:class:`~cef_logging._transport.Transport`, and removes exactly the records the
collector acknowledged. Everything that can wait -- connecting, sending, reconnecting,
backing off -- happens on that thread.

Drain: ``flush()`` and ``close()`` wake the sender out of any backoff; it retries at once
and then with the minimum delay until the queue is empty or the deadline passes.

Fork: an ``os.register_at_fork`` hook gives every engine in the child a fresh lock, an
empty queue (the parent delivers what it had queued), no spool, no connection (the
transport forgets the parent's socket without any I/O on it) and no sender thread; the
child starts its own sender on its first record.
"""

from __future__ import annotations

import atexit
import os
import random
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from itertools import islice

from ._spool import Spool
from ._transport import Refused, Retry, SendFailure, Transport

__all__ = ["RECORD_OVERHEAD", "DeliveryEngine"]

#: Bytes charged per queued record on top of its length (object and deque overhead), so
#: ``max_queue_bytes`` bounds real memory, not just payload.
RECORD_OVERHEAD = 64

Report = Callable[[str], None]


class _MemoryQueue:
    """Bounded FIFO of encoded records; the newest record is refused when full."""

    __slots__ = ("_items", "max_bytes", "max_records", "nbytes")

    def __init__(self, max_records: int, max_bytes: int) -> None:
        self._items: deque[bytes] = deque()
        self.max_records = max_records
        self.max_bytes = max_bytes
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def put(self, data: bytes) -> bool:
        size = len(data) + RECORD_OVERHEAD
        if len(self._items) >= self.max_records or self.nbytes + size > self.max_bytes:
            return False
        self._items.append(data)
        self.nbytes += size
        return True

    def peek(self, max_records: int, max_bytes: int) -> list[bytes]:
        batch: list[bytes] = []
        total = 0
        for data in islice(self._items, max_records):
            if batch and total + len(data) > max_bytes:
                break
            batch.append(data)
            total += len(data)
        return batch

    def ack(self, count: int) -> None:
        items = self._items
        for _ in range(min(count, len(items))):
            self.nbytes -= len(items.popleft()) + RECORD_OVERHEAD

    def roomy(self) -> bool:
        """Below half of both limits: a drop episode is over."""
        return len(self._items) * 2 < self.max_records and self.nbytes * 2 < self.max_bytes

    def clear(self) -> int:
        lost = len(self._items)
        self._items.clear()
        self.nbytes = 0
        return lost


class DeliveryEngine:
    """Queue, sender thread, backoff, drain, spool and fork handling for one transport.

    Counters (read them on the handler): ``sent`` (acknowledged), ``dropped`` (queue or
    spool full, left at close), ``rejected`` (refused by the collector or given up after
    *max_retries*).
    """

    def __init__(
        self,
        transport: Transport,
        *,
        name: str,
        report: Report,
        batch_size: int,
        max_batch_bytes: int,
        flush_interval: float,
        max_queue: int,
        max_queue_bytes: int,
        timeout: float,
        backoff_base: float,
        backoff_max: float,
        max_retry_after: float,
        max_retries: int | None,
        drain_timeout: float,
        spool: Spool | None = None,
    ) -> None:
        self.transport = transport
        self.name = name
        self._report = report
        self.batch_size = batch_size
        self.max_batch_bytes = max_batch_bytes
        self.flush_interval = flush_interval
        self.timeout = timeout
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.max_retries = max_retries
        self.drain_timeout = drain_timeout
        try:
            self._memory = _MemoryQueue(max_queue, max_queue_bytes)
        except BaseException:
            if spool is not None:
                spool.close()  # the lock file must not outlive a failed constructor
            raise
        self._spool = spool
        self.sent = 0
        self.dropped = 0
        self.rejected = 0
        self._init_state()
        _ENGINES.add(self)
        if spool is not None and len(spool):
            self.start()  # deliver what a previous process left, first

    def _init_state(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._oldest = 0.0  # monotonic time the oldest unsent record was queued
        self._urgent = 0  # flush()/close() callers waiting: send partial batches now
        self._kicks = 0  # bumped by each flush()/close(): ends a backoff early
        self._closing = False
        self._abort = False
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._drop_reported = False
        self._outage_reported = False
        self._settled = 0

    # -- producer side (the logging thread) ---------------------------------------------

    def put(self, data: bytes) -> None:
        """Queue one encoded record; never blocks on the network, never raises for a
        full queue (the drop is counted and reported once per episode)."""
        report: str | None = None
        with self._cond:
            if self._closing:
                self.dropped += 1
                return
            spool = self._spool
            if spool is not None:
                try:
                    lost = spool.put(data)
                except OSError as exc:  # disk full, directory gone: count, report
                    lost = 1
                    self._drop_reported = False
                    spool_error = f" ({type(exc).__name__}: {exc})"
                else:
                    spool_error = ""
                if lost:
                    self.dropped += lost
                    if not self._drop_reported:
                        self._drop_reported = True
                        report = (
                            f"{self.name}: spool full or unwritable{spool_error} "
                            f"(spool_max_bytes={spool.max_bytes}); dropped {lost} records "
                            "(the oldest first); further drops are counted in .dropped and "
                            "reported once per episode"
                        )
                empty = len(spool) == 1
            else:
                memory = self._memory
                if not memory.put(data):
                    self.dropped += 1
                    if not self._drop_reported:
                        self._drop_reported = True
                        report = (
                            f"{self.name}: queue full (max_queue={memory.max_records}, "
                            f"max_queue_bytes={memory.max_bytes}); dropping new records; "
                            "further drops are counted in .dropped and reported once per "
                            "episode"
                        )
                    empty = False
                else:
                    empty = len(memory) == 1
            if empty:
                self._oldest = time.monotonic()
                self._cond.notify()
            elif self._pending_locked() == self.batch_size:
                self._cond.notify()
            if self._thread is None:
                self._start_locked()
        if report is not None:
            self._report(report)

    def _pending_locked(self) -> int:
        return len(self._spool) if self._spool is not None else len(self._memory)

    @property
    def pending(self) -> int:
        """Records queued or in flight (including spooled leftovers)."""
        with self._cond:
            return self._pending_locked()

    def start(self) -> None:
        """Start the sender now (a spool with leftovers starts delivering at once)."""
        with self._cond:
            if self._thread is None and not self._closing:
                if self._pending_locked():
                    self._oldest = time.monotonic() - self.flush_interval
                self._start_locked()

    def _start_locked(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"{self.name} sender", daemon=True)
        self._thread.start()
        _finalize_in_multiprocessing_child()

    # -- drain ------------------------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Send what is queued now, cutting any backoff short; wait until nothing is
        pending or *timeout* (default *drain_timeout*) passed. True when drained."""
        deadline = time.monotonic() + (self.drain_timeout if timeout is None else timeout)
        spool = self._spool
        if spool is not None:
            try:
                spool.sync()  # outside the lock: logging threads keep appending meanwhile
            except OSError:  # pragma: no cover - closed concurrently
                pass
        with self._cond:
            if self._thread is None:
                return self._pending_locked() == 0
            self._urgent += 1
            self._kicks += 1
            self._cond.notify_all()
            try:
                while self._pending_locked() and not self._abort:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                return self._pending_locked() == 0
            finally:
                self._urgent -= 1

    def close(self, timeout: float | None = None) -> None:
        """Drain (at most *timeout*, default *drain_timeout*), stop the sender, close the
        connection. Records still queued are counted in ``dropped`` and reported; with a
        spool they stay on disk for the next owner of the directory instead."""
        with self._cond:
            if self._closing:
                return
            self._closing = True
            self._cond.notify_all()
        self.flush(timeout)
        with self._cond:
            self._abort = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            if thread.is_alive():
                thread.join(0.2)
            if thread.is_alive():
                self.transport.interrupt()
                thread.join(min(2.0, self.timeout))
        if thread is None or not thread.is_alive():
            self.transport.close()
        with self._cond:
            spool, self._spool = self._spool, None
            if spool is not None:
                left = len(spool)
                spool.close()
                message = (
                    f"{self.name}: closed with {left} undelivered records kept in "
                    f"spool_dir {spool.directory!s}; the next handler using it delivers them"
                )
            else:
                left = self._memory.clear()
                self.dropped += left
                message = (
                    f"{self.name}: closed with {left} undelivered records "
                    f"(drain_timeout={self.drain_timeout}s); counted in .dropped"
                )
        _ENGINES.discard(self)
        if left:
            self._report(message)

    # -- sender thread --------------------------------------------------------------------

    def _next_batch(self) -> list[bytes] | None:
        """Wait until a batch is due; ``None`` when the sender should stop."""
        with self._cond:
            while True:
                if self._abort:
                    return None
                pending = self._pending_locked()
                if pending:
                    now = time.monotonic()
                    due = self._oldest + self.flush_interval
                    if pending >= self.batch_size or self._closing or self._urgent or now >= due:
                        if self._spool is not None:
                            return self._spool.peek(self.batch_size, self.max_batch_bytes)
                        return self._memory.peek(self.batch_size, self.max_batch_bytes)
                    self._cond.wait(due - now)
                elif self._closing:
                    return None
                else:
                    self._cond.wait()

    def _ack(self, count: int, delivered: bool) -> None:
        with self._cond:
            if self._spool is not None:
                self._spool.ack(count)
            else:
                self._memory.ack(count)
            self._settled += count
            if delivered:
                self.sent += count
            else:
                self.rejected += count
            if self._drop_reported and (
                (self._spool is None and self._memory.roomy()) or self._pending_locked() == 0
            ):
                self._drop_reported = False
            self._oldest = time.monotonic()
            self._cond.notify_all()

    def _run(self) -> None:
        attempt = 0  # consecutive failed attempts for the batch at the head
        while True:
            try:
                batch = self._next_batch()
            except Exception as exc:  # pragma: no cover - defensive: keep the sender alive
                self._report(f"{self.name}: cannot take the next batch ({exc!r}); retrying")
                self._backoff(1, None)
                continue
            if batch is None:
                return
            if not batch:  # spool: unreadable tail skipped; try again
                continue
            self._settled = 0  # records of this batch acknowledged or rejected so far
            failure = self._send(batch)
            if failure is None:
                attempt = 0
                self._outage_reported = False
                continue
            attempt += 1
            if self.max_retries is not None and attempt > self.max_retries:
                left = len(batch) - self._settled
                self._ack(left, delivered=False)
                self._report(
                    f"{self.name}: gave up on {left} records after {attempt} attempts "
                    f"({failure}); counted in .rejected"
                )
                attempt = 0
                continue
            if not self._outage_reported:
                self._outage_reported = True
                self._report(
                    f"{self.name}: delivery failed ({failure}); retrying with backoff, "
                    "records stay queued (reported once per outage)"
                )
            self._backoff(attempt, failure.retry_after)

    def _send(self, batch: list[bytes]) -> Retry | None:
        """Deliver *batch* (splitting on request); ``None`` when every record is settled,
        else the transient failure (acknowledged records are already removed)."""
        try:
            self.transport.connect(self.timeout)
            self.transport.send(batch, self.timeout)
        except Refused as exc:
            acked = max(0, min(exc.acked, len(batch)))
            if acked:
                self._ack(acked, delivered=True)
            rest = batch[acked:]
            if exc.split and len(rest) > 1:
                half = len(rest) // 2
                for part in (rest[:half], rest[half:]):
                    failure = self._send(part)
                    if failure is not None:
                        return failure
                return None
            refused = len(rest) if exc.refused is None else max(1, min(exc.refused, len(rest)))
            self._ack(refused, delivered=False)
            self._report(
                f"{self.name}: collector refused {refused} records ({exc}); not retried, "
                "counted in .rejected"
            )
            if refused < len(rest):
                return self._send(rest[refused:])
            return None
        except Retry as exc:
            acked = max(0, min(exc.acked, len(batch)))
            if acked:
                self._ack(acked, delivered=True)
            return exc
        except SendFailure as exc:  # pragma: no cover - only Retry and Refused exist
            return Retry(str(exc), acked=exc.acked)
        except Exception as exc:  # a transport bug: keep the records, retry, report
            self.transport.close()
            return Retry(f"{type(exc).__name__}: {exc}")
        self._ack(len(batch), delivered=True)
        return None

    def _backoff(self, attempt: int, retry_after: float | None) -> None:
        """Wait before the next attempt: exponential with jitter, never below
        *backoff_base* (whatever ``Retry-After`` says). A flush()/close() cuts the wait
        short; while one is waiting, retries come every *backoff_base* (or after the
        collector's ``Retry-After``)."""
        cap = min(self.backoff_max, self.backoff_base * (2 ** min(attempt - 1, 30)))
        delay = max(self.backoff_base, random.uniform(cap / 2, cap))
        with self._cond:
            if self._urgent:
                delay = self.backoff_base
            if retry_after is not None:
                delay = max(delay, min(retry_after, self.max_retry_after))
            deadline = time.monotonic() + delay
            kicks = self._kicks
            while not self._abort and self._kicks == kicks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._cond.wait(remaining)

    # -- fork -------------------------------------------------------------------------------

    def _after_fork_in_child(self) -> None:
        self.transport.forget()
        spool, self._spool = self._spool, None
        if spool is not None:
            spool.forget()
        self._memory = _MemoryQueue(self._memory.max_records, self._memory.max_bytes)
        closing = self._closing
        self._init_state()
        self._closing = closing
        self.sent = self.dropped = self.rejected = 0


_ENGINES: weakref.WeakSet[DeliveryEngine] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    global _FINALIZE_PID
    _FINALIZE_PID = 0
    for engine in list(_ENGINES):
        engine._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _close_quietly(engine: DeliveryEngine) -> None:
    try:
        engine.close()
    except Exception:  # pragma: no cover - never break interpreter exit
        pass


def close_all() -> None:
    """Drain and close every live engine (interpreter exit, multiprocessing exit).

    Engines drain side by side, so exit takes one ``drain_timeout``, not one per handler.
    """
    engines = list(_ENGINES)
    if len(engines) == 1:
        _close_quietly(engines[0])
        return
    closers = [threading.Thread(target=_close_quietly, args=(e,), daemon=True) for e in engines]
    for closer in closers:
        closer.start()
    for closer in closers:
        closer.join()


atexit.register(close_all)

_FINALIZE_PID = 0


def _finalize_in_multiprocessing_child() -> None:
    """multiprocessing children end with ``os._exit()``: ``atexit`` does not run there,
    ``multiprocessing.util`` finalizers do. Register one when a sender starts in one."""
    global _FINALIZE_PID
    if _FINALIZE_PID == os.getpid():
        return
    _FINALIZE_PID = os.getpid()
    mp = sys.modules.get("multiprocessing")
    if mp is None or mp.parent_process() is None:
        return
    import multiprocessing.util

    multiprocessing.util.Finalize(None, close_all, exitpriority=100)
