"""The one record intake: what a :class:`logging.LogRecord` contributes to an event.

Shared by the stdlib formatters and by the structlog renderers (which see stdlib records
through ``structlog.stdlib.ProcessorFormatter``): the record's extra attributes, its Name,
its standard fields, and the stdlib's level names.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Collection, Mapping, Sequence
from itertools import filterfalse
from typing import Any, Final, TypeAlias

from . import _text
from ._cache import BoundedCache, Doorkeeper, size_of

__all__ = [
    "RESERVED_ATTRS",
    "Getter",
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


Getter: TypeAlias = Callable[[Mapping[str, Any]], Sequence[object]]
Shape: TypeAlias = tuple[tuple[str, ...], Getter, bool]


def _no_values(attrs: Mapping[str, Any]) -> tuple[()]:
    return ()


class ShapeCache:
    """Which keys of a mapping are fields, by the mapping's key sequence ("shape").

    Records (and event dicts) from one call site have the same keys in the same order, so
    the field keys, a C-level getter for their values and a "has a rare key" flag are
    worked out once per shape and cached (bounded; oldest shapes out first).
    """

    __slots__ = ("_door", "_rare", "_reserved", "cache")

    def __init__(self, reserved: Collection[str], rare: Collection[str] = ()) -> None:
        self._reserved = frozenset(reserved)
        self._rare = frozenset(rare)
        self.cache: BoundedCache[Shape] = BoundedCache(2048, 1 << 20)
        self._door = Doorkeeper(4096)

    def learn(self, shape: tuple[str, ...]) -> Shape:
        """The (field keys, getter, rare) of a shape; cached from its second sighting on (a
        shape seen once — extras built per event — is not worth a cache entry)."""
        keys = tuple(filterfalse(self._reserved.__contains__, shape))
        getter: Getter
        if not keys:
            getter = _no_values
        elif len(keys) == 1:
            getter = _single(keys[0])
        else:
            getter = operator.itemgetter(*keys)
        entry = (keys, getter, not self._rare.isdisjoint(shape))
        if not self._door.admit(shape):  # seen once (extras built per event): not cached
            return entry
        return self.cache.put(shape, entry, size_of(shape))


def _single(key: str) -> Getter:
    def getter(attrs: Mapping[str, Any]) -> tuple[object]:
        return (attrs[key],)

    return getter
