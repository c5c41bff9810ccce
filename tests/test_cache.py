"""cef_logging._cache: caches bounded in entries and bytes, without a clear-all cliff."""

from __future__ import annotations

import os
import pickle
import time
import warnings

import pytest
from conftest import make_record

from cef_logging import CEFFormatter
from cef_logging._cache import BoundedCache, Doorkeeper


def test_bounded_in_entries_oldest_out_first() -> None:
    cache: BoundedCache[int] = BoundedCache(4, 1 << 20)
    for i in range(4):
        cache.put(i, i, 10)
    assert list(cache) == [0, 1, 2, 3]
    for i in range(4, 4 + 8 * 3):
        cache.put(i, i, 10)
    assert len(cache) == 4
    assert 0 not in cache  # the oldest went first


def test_bounded_in_bytes() -> None:
    cache: BoundedCache[str] = BoundedCache(1000, 1000)
    for i in range(100):
        cache.put(i, "x", 100)
    assert cache.size_bytes <= 1000
    assert len(cache) <= 10
    cache.put("huge", "x" * 400, 400)  # over a quarter of the budget: never kept
    assert "huge" not in cache


def test_full_cache_keeps_most_of_a_larger_working_set() -> None:
    """Cycling 2x the capacity: a clear-all or plain FIFO would hit never; we keep hitting."""
    cache: BoundedCache[int] = BoundedCache(100, 1 << 20)
    hits = 0
    for _ in range(10):
        for key in range(200):
            if key in cache:
                hits += 1
            else:
                cache.put(key, key, 1)
    assert hits > 200 * 10 * 0.3


def test_cache_pickles_empty_with_its_bounds() -> None:
    cache: BoundedCache[int] = BoundedCache(7, 99)
    cache.put("a", 1, 1)
    copy = pickle.loads(pickle.dumps(cache))
    assert (len(copy), copy.max_entries, copy.max_bytes) == (0, 7, 99)


def test_doorkeeper_admits_on_second_sight() -> None:
    door = Doorkeeper(3)
    assert not door.admit(("a",))
    assert door.admit(("a",))
    for key in range(100):
        door.admit((key,))
    assert not door.admit(("a",))  # forgotten: 3 slots, taken over by later keys


def test_distinct_huge_keys_do_not_pin_memory() -> None:
    """Records with distinct 100 KB field names: every cache stays within its byte budget."""
    fmt = CEFFormatter()
    for i in range(300):
        for _ in range(2):  # seen twice: plans and shapes are admitted
            line = fmt.format(make_record("m", extra={f"{i}{'k' * 100_000}": "v"}))
            assert line.endswith("=v")
    renderer = fmt.renderer
    caches = [renderer.layout.keys.cache, renderer.layout.hcache, fmt._shapes.cache]
    fast = renderer._fast
    assert fast is not None
    caches += [fast._plans, fast.prefixes]
    for cache in caches:
        assert cache.size_bytes <= cache.max_bytes
        assert sum(len(k) for k in cache if isinstance(k, str)) <= cache.max_bytes


def test_put_never_waits_for_another_thread() -> None:
    """A store while another thread holds the lock is skipped, not waited for."""
    cache: BoundedCache[int] = BoundedCache(10, 1000)
    cache._lock.acquire()
    try:
        assert cache.put("a", 1, 10) == 1
        assert "a" not in cache
    finally:
        cache._lock.release()
    assert cache.put("a", 1, 10) == 1 and cache["a"] == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_lock_held_at_fork_does_not_stop_the_child_caching() -> None:
    cache: BoundedCache[int] = BoundedCache(10, 1000)
    cache._lock.acquire()  # as if another thread were storing when fork() happened
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        cache.put("k", 7, 10)
        os._exit(0 if cache.get("k") == 7 else 1)
    cache._lock.release()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.01)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("the child hung on the cache lock")
