"""A dict bounded in entries and in (approximate) bytes, evicting its oldest entries.

Reads are plain ``dict`` lookups (``cache[key]`` / ``cache.get(key)``); only a miss pays for
:meth:`BoundedCache.put`. Eviction removes the oldest entries one at a time until the new
one fits, so a workload slightly larger than the cache costs one eviction per miss — never
a clear-all that makes every following event a miss.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

__all__ = ["BoundedCache", "size_of"]

V = TypeVar("V")


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
        self._sizes: dict[Hashable, int] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def size_bytes(self) -> int:
        """The bytes the cache holds now (as estimated by the callers of :meth:`put`)."""
        return self._bytes

    def put(self, key: Hashable, value: V, size: int) -> V:
        """Store ``value`` (evicting the oldest entries if needed) and return it."""
        if size * 4 > self.max_bytes:
            return value
        with self._lock:
            if key in self._sizes:
                return value
            while self._sizes and (
                len(self._sizes) >= self.max_entries or self._bytes + size > self.max_bytes
            ):
                old = next(iter(self._sizes))
                self._bytes -= self._sizes.pop(old)
                self.pop(old, None)
            self._sizes[key] = size
            self._bytes += size
            self[key] = value
        return value

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.max_entries, self.max_bytes))
