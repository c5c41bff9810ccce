"""A dict bounded in entries and in (approximate) bytes, evicting its oldest entries.

Reads are plain ``dict`` lookups (``cache[key]`` / ``cache.get(key)``); only a miss pays for
:meth:`BoundedCache.put`, which never waits: while another thread is storing, the value is
simply not cached, and a child process after ``fork()`` gets a fresh lock. Once the cache is
full, only one miss in eight is admitted (the oldest entries make room for it), so a working
set larger than the cache keeps most of its entries hitting instead of thrashing, and a
drifting one still gets in — never a clear-all that makes every following event a miss.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

__all__ = ["BoundedCache", "Doorkeeper", "size_of"]

V = TypeVar("V")
_ADMIT_WHEN_FULL = 8  # once full, admit one miss in this many


def size_of(names: tuple[object, ...]) -> int:
    """A cache-size estimate for a tuple of names: their characters plus overheads."""
    return 64 + sum([len(n) + 32 if type(n) is str else 64 for n in names])


class BoundedCache(dict[Hashable, V], Generic[V]):
    """``max_entries`` entries and ``max_bytes`` of text at most; oldest out first.

    ``put(key, value, size)`` counts ``size`` bytes for the entry (the caller's estimate of
    the text it holds); an entry larger than a quarter of ``max_bytes`` is not kept at all.
    Pickles as an empty cache of the same bounds.
    """

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        super().__init__()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._sizes: OrderedDict[Hashable, int] = OrderedDict()  # O(1) oldest-first pops
        self._bytes = 0
        self._full_misses = 0
        self._lock = threading.Lock()
        self._pid = os.getpid()

    @property
    def size_bytes(self) -> int:
        """The bytes the cache holds now (as estimated by the callers of :meth:`put`)."""
        return self._bytes

    def put(self, key: Hashable, value: V, size: int) -> V:
        """Store ``value`` (evicting the oldest entries if needed) and return it."""
        if self._pid != os.getpid():  # a child after fork(): the lock may be held forever
            self._lock, self._pid = threading.Lock(), os.getpid()
        if size * 4 > self.max_bytes or not self._lock.acquire(blocking=False):
            return value  # too large, or another thread is storing: never wait to cache
        try:
            if key in self._sizes:
                return value
            if len(self._sizes) >= self.max_entries or self._bytes + size > self.max_bytes:
                self._full_misses += 1
                if self._full_misses % _ADMIT_WHEN_FULL:
                    return value
            while self._sizes and (
                len(self._sizes) >= self.max_entries or self._bytes + size > self.max_bytes
            ):
                old, old_size = self._sizes.popitem(last=False)
                self._bytes -= old_size
                self.pop(old, None)
            self._sizes[key] = size
            self._bytes += size
            self[key] = value
        finally:
            self._lock.release()
        return value

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.max_entries, self.max_bytes))


class Doorkeeper:
    """``admit(key)`` is True the second time a key is seen (recently), so that caches keep
    only what recurs. A fixed table of ``slots`` hashes, indexed by the hash: a key seen
    again finds its hash in its slot; a different key landing there replaces it (so memory
    is fixed and nothing needs evicting); a hash collision merely admits a key early."""

    __slots__ = ("_slots", "_table")

    def __init__(self, slots: int) -> None:
        self._slots = slots
        self._table: list[int] = [0] * slots

    def admit(self, key: Hashable) -> bool:
        h = hash(key)
        i = h % self._slots
        if self._table[i] == h:
            return True
        self._table[i] = h
        return False

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._slots,))
