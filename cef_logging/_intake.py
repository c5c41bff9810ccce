"""The one record intake: what a :class:`logging.LogRecord` contributes to an event.

Shared by the stdlib formatters and by the structlog renderers (which see stdlib records
through ``structlog.stdlib.ProcessorFormatter``): the record's extra attributes, its Name,
its standard fields, and the stdlib's level names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from itertools import filterfalse
from typing import Final

from . import _text
from ._cache import BoundedCache, Doorkeeper, size_of
from ._direct import Getter, values_getter

__all__ = [
    "RESERVED_ATTRS",
    "Shape",
    "ShapeCache",
    "level_names",
    "record_name",
    "record_standard",
]


def _reserved_attrs() -> frozenset[str]:
    """LogRecord's own attributes, read off a real record (so new Pythons are covered)."""
    record = logging.LogRecord("name", logging.INFO, "path", 1, "msg", (), None)
    return frozenset(vars(record)) | {"message", "asctime"}


#: Attributes of :class:`logging.LogRecord` never written as extension fields.
RESERVED_ATTRS: Final[frozenset[str]] = _reserved_attrs()

_STANDARD_GETTERS: Final[Mapping[str, Callable[[logging.LogRecord], object]]] = {
    "pid": lambda r: r.process,
    "process_name": lambda r: r.processName,
    "thread": lambda r: r.threadName,
    "thread_id": lambda r: r.thread,
    "logger": lambda r: r.name,
    "level": lambda r: r.levelname,
    "module": lambda r: r.module,
    "func": lambda r: r.funcName,
    "line": lambda r: r.lineno,
    "path": lambda r: r.pathname,
}


def level_names() -> dict[str, int]:
    """The stdlib's level names (custom ones from :func:`logging.addLevelName` included)."""
    mapping = getattr(logging, "getLevelNamesMapping", None)
    if mapping is not None:
        return dict(mapping())
    return dict(logging._nameToLevel)  # Python 3.10


def record_standard(record: logging.LogRecord) -> Callable[[str], object]:
    """Reads a standard field (``standard_fields``) off ``record``."""

    def standard(field: str) -> object:
        return _STANDARD_GETTERS[field](record)

    return standard


def record_name(record: logging.LogRecord, message: object, from_message: bool) -> object:
    """A record's CEF Name: its message template (one Name per call site) or its message."""
    if from_message:
        return message
    template = record.msg
    return template if type(template) is str else _text.safe_str(template)


class Shape:
    """What is known of one shape (a mapping's key sequence): its field ``keys``, a C-level
    ``values_of`` getter for their values, whether it holds a ``rare`` key, and its
    ``direct`` renderer (see :mod:`._direct`; None: not decided yet, False: none)."""

    __slots__ = ("direct", "keys", "rare", "values_of")

    def __init__(self, keys: tuple[str, ...], values_of: Getter, rare: bool) -> None:
        self.keys = keys
        self.values_of = values_of
        self.rare = rare
        self.direct: Callable[..., str | None] | bool | None = None


class ShapeCache:
    """Which keys of a mapping are fields, by the mapping's key sequence ("shape").

    Records (and event dicts) from one call site have the same keys in the same order, so
    what an adapter needs of a shape is worked out once (a :class:`Shape`) and cached
    (bounded; oldest shapes out first) from its second sighting on: a shape seen once —
    extras built per event — is not worth a cache entry.
    """

    __slots__ = ("_rare", "_reserved", "cache", "seen")

    def __init__(self, reserved: Collection[str], rare: Collection[str] = ()) -> None:
        self._reserved = frozenset(reserved)
        self._rare = frozenset(rare)
        self.cache: BoundedCache[Shape] = BoundedCache(2048, 1 << 20)
        #: ``seen(shape)``: False the first time (recently) a shape is seen, then True
        self.seen: Callable[[tuple[str, ...]], bool] = Doorkeeper(4096).admit

    def learn(self, shape: tuple[str, ...], seen: bool | None = None) -> Shape:
        """The :class:`Shape` of a shape not in :attr:`cache`; cached if it was ``seen``
        before (asked of :attr:`seen` unless the caller already did)."""
        keys = tuple(filterfalse(self._reserved.__contains__, shape))
        entry = Shape(keys, values_getter(keys), not self._rare.isdisjoint(shape))
        if not (self.seen(shape) if seen is None else seen):
            return entry
        return self.cache.put(shape, entry, size_of(shape) + 512)
