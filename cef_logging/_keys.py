"""Key resolution: field name -> extension key.

rename (``rename_fields``, then ``field_map``) -> CEF full-name alias -> sanitise, then the
one collision rule (:func:`unique`). Resolved keys are cached, bounded in entries and bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Final

from . import _text
from ._cache import BoundedCache

__all__ = ["KeyResolver", "unique"]

_CACHE_ENTRIES: Final = 4096
_CACHE_BYTES: Final = 1 << 20


def unique(key: str, taken: Collection[str]) -> str:
    """The one collision rule: the first holder keeps ``key``; later ones get ``key_2``, ..."""
    if key not in taken:
        return key
    n = 2
    while f"{key}_{n}" in taken:
        n += 1
    return f"{key}_{n}"


class KeyResolver:
    """``resolve(name)``: a field name's extension key (no collision handling).

    ``cache`` maps a name to ``(key, plain)``: ``plain`` when the key is the name itself, not
    a built-in key and not excluded — distinct plain names can never collide.
    """

    __slots__ = ("_aliases", "_rename", "_sanitize", "cache", "excluded", "reserved")

    def __init__(
        self,
        rename: Mapping[str, str],
        aliases: Mapping[str, str],
        sanitize: Callable[[str], str],
    ) -> None:
        self._rename = rename
        self._aliases = aliases
        self._sanitize = sanitize
        #: built-in keys and static/standard field keys (set by the layout once known)
        self.reserved: frozenset[str] = frozenset()
        self.excluded: frozenset[str] = frozenset()
        self.cache: BoundedCache[tuple[str, bool]] = BoundedCache(_CACHE_ENTRIES, _CACHE_BYTES)

    def resolve(self, name: object) -> str:
        """rename -> alias -> sanitise."""
        raw = name if type(name) is str else _text.safe_str(name)
        raw = self._rename.get(raw, raw)
        return self._sanitize(self._aliases.get(raw, raw))

    def lookup(self, name: str) -> tuple[str, bool]:
        """``(key, plain)`` for ``name``, cached (see the class docstring)."""
        try:
            return self.cache[name]
        except KeyError:
            key = self.resolve(name)
            plain = key == name and key not in self.reserved and key not in self.excluded
            size = (len(name) if type(name) is str else 64) + len(key) + 64
            return self.cache.put(name, (key, plain), size)
        except TypeError:  # an unhashable name from a hostile mapping
            return self.resolve(name), False
