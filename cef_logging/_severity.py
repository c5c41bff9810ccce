"""Severity: level numbers and names -> CEF/LEEF severity 0-10, and per-event overrides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = ["DEFAULT_SEVERITY_MAP", "STANDARD_LEVELS", "SeverityTable"]

#: Level -> severity: below DEBUG 0, DEBUG 2, INFO 4, WARNING 6, ERROR 8, CRITICAL 10.
DEFAULT_SEVERITY_MAP: Final[Mapping[int, int]] = {0: 0, 10: 2, 20: 4, 30: 6, 40: 8, 50: 10}

#: Standard level names (stdlib's and structlog's method names) -> numbers.
STANDARD_LEVELS: Final[Mapping[str, int]] = {
    "NOTSET": 0, "TRACE": 5, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30,
    "ERROR": 40, "EXCEPTION": 40, "FATAL": 50, "CRITICAL": 50, "MSG": 20, "LOG": 20,
}  # fmt: skip

#: CEF's named severities; LEEF's ``sev`` is numeric, so LEEF writes these as numbers.
_NAMED: Final[Mapping[str, int | None]] = {
    "unknown": None, "low": 3, "medium": 6, "high": 8, "very-high": 10,
}  # fmt: skip
_CACHE_LIMIT: Final = 1024


def _severity_value(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"severity_map: severity must be an integer 0-10, not {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"severity_map: severity must be an integer 0-10, not {value!r}") from None
    if not 0 <= number <= 10:
        raise ValueError(f"severity_map: severity must be 0-10, not {number}")
    return number


class SeverityTable:
    """``severity(level)``: the severity of the highest mapped level at or below ``level``."""

    __slots__ = ("_cache", "_names", "_table")

    def __init__(
        self, severity_map: Mapping[Any, Any] | None, level_names: Mapping[str, int] | None
    ) -> None:
        names = dict(STANDARD_LEVELS)
        if level_names:
            names.update({str(k).upper(): int(v) for k, v in level_names.items()})
        self._names = names
        source = DEFAULT_SEVERITY_MAP if severity_map is None else severity_map
        table: dict[int, int] = {}
        for key in source:
            table[self._key_level(key)] = _severity_value(source[key])
        if not table:
            raise ValueError("severity_map must not be empty")
        self._table = sorted(table.items())
        #: level number -> severity (read directly by the renderers' hot paths)
        self._cache: dict[int, int] = {}

    def _key_level(self, key: object) -> int:
        if isinstance(key, int) and not isinstance(key, bool):
            return key
        text = str(key).strip()
        if text.lstrip("-").isdigit():
            return int(text)
        try:
            return self._names[text.upper()]
        except KeyError:
            raise ValueError(
                f"severity_map: unknown level name {key!r}; use a number or one of "
                f"{sorted(self._names)}"
            ) from None

    def level_number(self, name: str) -> int | None:
        """A level name's number (case-insensitive), or None."""
        return self._names.get(name.upper())

    def coerce(self, level: object) -> int | None:
        """Any level value as a number: ints as they are, names and digit strings read."""
        if type(level) is int:
            return level
        if isinstance(level, int) and not isinstance(level, bool):
            return int(level)
        if isinstance(level, str):
            number = self._names.get(level.strip().upper())
            if number is not None:
                return number
            text = level.strip()
            if text.lstrip("-").isdigit() and len(text) < 20:
                return int(text)
        return None

    def severity(self, level: object) -> int:
        """Severity 0-10 for any level value (an unreadable level is 0)."""
        if type(level) is int:  # only ints are cached: 25.0 and True are not levels 25 and 1
            try:
                return self._cache[level]
            except KeyError:
                pass
        number = self.coerce(level)
        if number is None:
            return 0
        sev = 0
        for mapped, value in self._table:
            if mapped <= number:
                sev = value
            else:
                break
        if type(level) is int and len(self._cache) < _CACHE_LIMIT:
            self._cache[level] = sev
        return sev

    @staticmethod
    def override(value: object, leef: bool) -> int | str | None:
        """A per-event ``event_severity`` value as written, or None when it is not one."""
        if isinstance(value, bool):
            return None
        if isinstance(value, int) and 0 <= value <= 10:
            return int(value)
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit() and 0 <= int(text) <= 10:
                return int(text)
            lowered = text.lower()
            if lowered in _NAMED:
                if not leef:
                    return {"very-high": "Very-High"}.get(lowered, lowered.capitalize())
                return _NAMED[lowered]
        return None
