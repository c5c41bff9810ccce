"""Make untrusted text safe to print on one line of a terminal or a log.

A value read from a log line may hold anything: a line break that forges a
second output line, an ANSI escape that clears the screen, a bidi override
that reverses what follows, a lone surrogate that cannot even be encoded.
:func:`display` turns every such character into a readable, reversible
backslash escape, so a printed value is always one line of visible text and
:func:`undisplay` gives back the exact original:

* ``\\`` itself becomes ``\\\\`` (so every other escape is unambiguous);
* TAB, LF, CR become ``\\t``, ``\\n``, ``\\r``;
* every other C0 control, DEL and every C1 control (including NEL) becomes
  ``\\xNN``;
* U+2028, U+2029, the bidi controls (U+061C, U+200E, U+200F, U+202A-U+202E,
  U+2066-U+2069), U+FEFF and lone surrogates become ``\\uNNNN``.

Everything else (printable ASCII and the rest of Unicode) is kept as is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import IO, Final

__all__ = ["UNSAFE", "display", "is_safe", "json_safe", "scrub", "tolerant", "undisplay"]


def _unsafe_code_points() -> list[int]:
    cps = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
    cps += [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    cps += [0x2028, 0x2029, 0xFEFF, *range(0xD800, 0xE000)]
    return cps


#: Code points :func:`display` escapes (besides the backslash).
UNSAFE: Final = frozenset(_unsafe_code_points())

_SHORT: Final = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}


def _escape_of(cp: int) -> str:
    if cp in _SHORT:
        return _SHORT[cp]
    if cp < 0x100:
        return f"\\x{cp:02x}"
    return f"\\u{cp:04x}"


_TABLE: Final = {cp: _escape_of(cp) for cp in UNSAFE} | {0x5C: "\\\\"}
_TRANS: Final = str.maketrans(_TABLE)
# One C-speed scan decides whether any work is needed (the common case: none).
_NEEDS: Final = re.compile(
    "[\\\\\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\u2028\u2029\ufeff\ud800-\udfff]"
)
_UNESCAPE: Final = re.compile(r"\\(?:x([0-9a-f]{2})|u([0-9a-f]{4})|(.))", re.DOTALL)
_SHORT_BACK: Final = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def is_safe(text: str) -> bool:
    """True when :func:`display` would return ``text`` unchanged."""
    return _NEEDS.search(text) is None


def display(text: str) -> str:
    """Return ``text`` with every unsafe character as a visible backslash escape.

    Args:
        text: Any string, including one decoded with ``surrogateescape``.

    Returns:
        A string with no control, line-breaking, bidi or surrogate character,
        readable on one terminal line; :func:`undisplay` reverses it exactly.
    """
    if _NEEDS.search(text) is None:
        return text
    return text.translate(_TRANS)


_JSON_TRANS: Final = str.maketrans({cp: f"\\u{cp:04x}" for cp in UNSAFE})


def json_safe(text: str) -> str:
    """JSON text (from :func:`json.dumps` with ``ensure_ascii=False``) with every unsafe
    character written as a ``\\uXXXX`` escape: the same JSON value, safe on a terminal.

    Only characters a JSON string may hold raw are changed (JSON already escapes C0
    controls, quotes and backslashes), so the result decodes to the same value.
    """
    if _NEEDS.search(text.replace("\\", "")) is None:
        return text
    return text.translate(_JSON_TRANS)


_SCRUB_TRANS: Final = str.maketrans({cp: _escape_of(cp) for cp in UNSAFE})
_UNSAFE_ONLY: Final = re.compile(_NEEDS.pattern.replace("\\\\", "", 1))


def scrub(text: str) -> str:
    """Escape the unsafe characters of a message that is ours (backslashes in it stay
    as they are): a safety net for text that quotes values with ``repr`` already.

    Unlike :func:`display` this is not reversible; use it only on messages.
    """
    if _UNSAFE_ONLY.search(text) is None:
        return text
    return text.translate(_SCRUB_TRANS)


def _back(match: re.Match[str]) -> str:
    hex2, hex4, other = match.groups()
    if hex2 is not None:
        return chr(int(hex2, 16))
    if hex4 is not None:
        return chr(int(hex4, 16))
    try:
        return _SHORT_BACK[other]
    except KeyError:
        raise ValueError(f"unknown escape \\{other}") from None


def undisplay(text: str) -> str:
    """Reverse :func:`display` (``undisplay(display(s)) == s`` for every string ``s``).

    Args:
        text: Output of :func:`display`.

    Raises:
        ValueError: ``text`` holds a backslash escape :func:`display` never writes.
    """
    if "\\" not in text:
        return text
    return _UNESCAPE.sub(_back, text)


def tolerant(stream: IO[str]) -> None:
    """Never die on a character the terminal's encoding lacks: ``stream`` writes it as a
    backslash escape (where it can be reconfigured)."""
    reconfigure: Callable[..., None] | None = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # pragma: no cover - exotic streams
            pass
