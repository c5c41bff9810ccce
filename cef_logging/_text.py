"""Text rules: escaping, key sanitising and value stringification.

Every character-level rule of the CEF and LEEF encodings lives here, and only
here. This module imports nothing from :mod:`logging`.

Rules (see the README section "Escaping rules"):

* CEF header fields: ``\\`` -> ``\\\\``, ``|`` -> ``\\|``; CR and LF become a
  space.
* CEF extension values: ``\\`` -> ``\\\\``, ``=`` -> ``\\=``, CR -> ``\\r``,
  LF -> ``\\n``. Pipes are not escaped. TAB is kept.
* LEEF header fields: as CEF header fields.
* LEEF attribute values: ``\\`` -> ``\\\\``, CR -> ``\\r``, LF -> ``\\n`` and
  the delimiter: TAB -> ``\\t``, a printable delimiter ``d`` -> ``\\d``; a
  control-character delimiter other than TAB cannot be escaped visibly and is
  replaced like any other control character.
* Everywhere: every other control character (C0 but TAB, DEL, C1 including
  NEL), U+2028, U+2029 and lone surrogates are replaced by U+FFFD, so that
  no output can ever hold more than one line in any reader's sense of "line"
  (including :meth:`str.splitlines`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Final

__all__ = [
    "FALLBACK_KEY",
    "MAX_INT_BITS",
    "REPLACEMENT",
    "UNPRINTABLE",
    "Escaper",
    "cef_header_escaper",
    "cef_value_escaper",
    "int_text",
    "leef_value_escaper",
    "make_key_sanitizer",
    "make_to_text",
    "safe_str",
    "to_text",
]

REPLACEMENT: Final = "\ufffd"
#: Placeholder for a value whose ``__str__`` and ``__repr__`` both raise.
UNPRINTABLE: Final = "<unprintable {}>"
#: Key used when a key sanitises to nothing.
FALLBACK_KEY: Final = "field"


def _unsafe_chars() -> dict[int, str]:
    """Characters that never reach the output raw (except where a format escapes them)."""
    table: dict[int, str] = {}
    for cp in range(0x00, 0x20):
        table[cp] = REPLACEMENT
    for cp in range(0x7F, 0xA0):
        table[cp] = REPLACEMENT
    for cp in (0x2028, 0x2029):
        table[cp] = REPLACEMENT
    for cp in range(0xD800, 0xE000):  # lone surrogates cannot be encoded as UTF-8
        table[cp] = REPLACEMENT
    del table[0x09]  # TAB is kept unless the format says otherwise
    return table


_BASE: Final = _unsafe_chars()


class Escaper:
    """One escaping rule: ``escape(text)`` and ``clean(text)`` (True when nothing to escape).

    ``clean`` lets a caller test many values at once (joined) with a few C-speed scans
    and skip per-value work in the common case.
    """

    __slots__ = ("ascii_unsafe", "clean", "escape", "table", "unsafe_bytes")

    def __init__(self, table: dict[int, str], specials: str) -> None:
        trans = str.maketrans(table)
        first = specials[0]
        second = specials[-1]
        # ASCII characters this rule changes: for ASCII text (str.isascii() is O(1)), one
        # bytes.translate in C counts them, much faster than str.isprintable's per-character
        # Unicode lookups.
        unsafe_bytes = bytes(cp for cp in range(128) if cp in table)

        def ascii_unsafe(text: str) -> int:
            """How many characters of ASCII ``text`` this rule changes (-1: not ASCII)."""
            if not text.isascii():
                return -1
            data = text.encode("ascii")
            return len(data) - len(data.translate(None, unsafe_bytes))

        def clean(text: str) -> bool:
            if text.isascii():
                data = text.encode("ascii")
                return len(data.translate(None, unsafe_bytes)) == len(data)
            return text.isprintable() and first not in text and second not in text

        def escape(text: str) -> str:
            if text.isprintable() and first not in text and second not in text:
                return text
            return text.translate(trans)

        self.table = trans
        self.unsafe_bytes = unsafe_bytes
        self.ascii_unsafe: Callable[[str], int] = ascii_unsafe
        self.clean: Callable[[str], bool] = clean
        self.escape: Callable[[str], str] = escape


def cef_header_escaper() -> Escaper:
    table = dict(_BASE)
    table.update({ord("\\"): "\\\\", ord("|"): "\\|", ord("\r"): " ", ord("\n"): " "})
    return Escaper(table, "\\|")


def cef_value_escaper() -> Escaper:
    table = dict(_BASE)
    table.update({ord("\\"): "\\\\", ord("="): "\\=", ord("\r"): "\\r", ord("\n"): "\\n"})
    return Escaper(table, "\\=")


def leef_value_escaper(delimiter: str) -> Escaper:
    table = dict(_BASE)
    table.update({ord("\\"): "\\\\", ord("\r"): "\\r", ord("\n"): "\\n"})
    d = ord(delimiter)
    if delimiter == "\t":
        table[d] = "\\t"
    elif d not in _BASE:
        table[d] = "\\" + delimiter
    # else: a control-character delimiter is already replaced by U+FFFD.
    specials = "\\" + (delimiter if delimiter.isprintable() else "")
    return Escaper(table, specials)


_STRIP_RE: Final = re.compile(r"[^A-Za-z0-9_]+")


def make_key_sanitizer(mode: str | Callable[[str], str]) -> Callable[[str], str]:
    """Return the key sanitiser for ``mode``.

    ``"strip"`` (default, as the runbook) removes every character outside
    ``[A-Za-z0-9_]``; ``"underscore"`` replaces each run of them with ``_`` (a key's own
    underscores are kept either way).
    A callable is used as given, and its result is stripped afterwards, so no
    sanitiser can produce a key that forges a pair. A key that sanitises to
    nothing becomes ``field``.
    """
    if callable(mode):
        user = mode

        def custom(key: str) -> str:
            return _STRIP_RE.sub("", safe_str(user(key))) or FALLBACK_KEY

        return custom
    if mode == "strip":
        return lambda key: _STRIP_RE.sub("", key) or FALLBACK_KEY
    if mode == "underscore":
        return lambda key: _STRIP_RE.sub("_", key) or FALLBACK_KEY
    raise ValueError(f"key_sanitizer must be 'strip', 'underscore' or a callable, not {mode!r}")


def _type_name(obj: object) -> str:
    try:
        return type(obj).__qualname__
    except Exception:  # pragma: no cover - a hostile metaclass
        return "object"


def safe_str(obj: object) -> str:
    """``str(obj)``, falling back to ``repr(obj)`` and then to a placeholder; never raises."""
    try:
        text = str(obj)
        if type(text) is str:
            return text
        return str.__str__(text)
    except Exception:
        pass
    try:
        text = repr(obj)
        if type(text) is str:
            return text
    except Exception:
        pass
    return UNPRINTABLE.format(_type_name(obj))


#: Integers longer than this many bits (about 20,000 digits) are written as
#: ``<int of N bits>`` instead of their digits: converting them would cost milliseconds.
MAX_INT_BITS: Final = 66_000
_INT_CHUNK_DIGITS: Final = 500  # under every allowed sys.set_int_max_str_digits() limit


def int_text(value: int) -> str:
    """An int's decimal digits, also beyond :func:`sys.get_int_max_str_digits`."""
    try:
        return int.__repr__(value)
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows at once
        pass
    bits = value.bit_length()
    if bits > MAX_INT_BITS:
        return f"<int of {bits} bits>"
    sign = "-" if value < 0 else ""
    rest = -value if value < 0 else value
    chunk = 10**_INT_CHUNK_DIGITS
    parts: list[int] = []
    while rest:
        rest, part = divmod(rest, chunk)
        parts.append(part)
    width = _INT_CHUNK_DIGITS
    return sign + str(parts[-1]) + "".join(f"{part:0{width}d}" for part in reversed(parts[:-1]))


def _finite(obj: object, active: set[int]) -> object:
    """``obj`` with every non-finite float inside it replaced by None (JSON ``null``)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict | list | tuple):
        if id(obj) in active:
            raise ValueError("circular reference")
        active.add(id(obj))
        try:
            if isinstance(obj, dict):
                return {k: _finite(v, active) for k, v in obj.items()}
            return [_finite(v, active) for v in obj]
        finally:
            active.discard(id(obj))
    return obj


def _json(data: object) -> str:
    """Compact JSON; NaN and infinities (not JSON) become ``null``."""
    try:
        return json.dumps(
            data, separators=(",", ":"), ensure_ascii=False, default=_json_default,
            allow_nan=False,
        )  # fmt: skip
    except ValueError:  # a non-finite float somewhere (or a cycle: raised again below)
        pass
    return json.dumps(
        _finite(data, set()), separators=(",", ":"), ensure_ascii=False,
        default=_json_default, allow_nan=False,
    )  # fmt: skip


def _json_default(obj: object) -> str:
    if isinstance(obj, bytes | bytearray | memoryview):
        return bytes(obj).decode("utf-8", "replace")
    return safe_str(obj)


def to_text(value: object) -> str:
    """Turn any value into text: the one place that decides how a value reads.

    ``str`` as is; ``bool`` as ``true``/``false``; other numbers by ``str`` (ints in
    full, however long, up to :data:`MAX_INT_BITS`); ``bytes`` decoded as UTF-8 with
    replacement; ``dict``, ``list``, ``tuple`` and sets as compact JSON (non-JSON
    members by ``str``, NaN and infinities as ``null``); dates and times in
    ISO 8601; anything else by ``str``, then ``repr``, then the placeholder
    ``<unprintable TypeName>``. Never raises.
    """
    tp = type(value)
    if tp is str:
        return value  # type: ignore[return-value]
    if tp is float:
        return repr(value)
    if tp is int:
        return int_text(value)  # type: ignore[arg-type]
    if tp is bool:
        return "true" if value else "false"
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("utf-8", "replace")
        except Exception:
            return UNPRINTABLE.format(_type_name(value))
    if isinstance(value, dict | list | tuple | set | frozenset):
        try:
            data = sorted(value, key=safe_str) if isinstance(value, set | frozenset) else value
            return _json(data)
        except Exception:
            return safe_str(value)
    if isinstance(value, datetime | date | time):
        try:
            return value.isoformat()
        except Exception:
            return safe_str(value)
    return safe_str(value)  # str subclasses too: their __str__ may be hostile


def make_to_text(encoder: str) -> Callable[[object], str]:
    """:func:`to_text`, with dict, list and tuple values written by ``encoder``.

    ``"json"`` is :func:`to_text` itself. ``"orjson"`` writes them with orjson (compact,
    non-str keys as text, NaN as ``null``), falling back to :func:`to_text` for what orjson
    refuses (ints over 64 bits, lone surrogates, cycles); its float and date notation is its
    own (``1e16``, RFC 3339).
    """
    if encoder == "json":
        return to_text
    if encoder != "orjson":
        raise ValueError(f"json_encoder must be 'json' or 'orjson', not {encoder!r}")
    try:
        import orjson  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise ValueError(
            "json_encoder='orjson' needs orjson: pip install 'cef-logging[orjson]'"
        ) from None
    dumps = orjson.dumps
    option = orjson.OPT_NON_STR_KEYS

    def orjson_text(value: object) -> str:
        tp = type(value)
        if tp is dict or tp is list or tp is tuple:
            try:
                text: str = dumps(value, default=_json_default, option=option).decode("utf-8")
                return text
            except Exception:  # an int over 64 bits, a surrogate, a cycle: the stdlib way
                pass
        return to_text(value)

    return orjson_text
