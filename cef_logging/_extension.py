"""Escaping a whole extension at once, in a few C-level passes.

The renderers build an extension with every value raw and a placeholder (NUL) where the one
structural character that values must escape goes: the ``=`` between a CEF key and its
value, the delimiter between LEEF pairs. Keys are ``[A-Za-z0-9_]+`` and never change; so
escaping the whole string equals escaping each value on its own (the rules of
:mod:`._text`), at the cost of a few ``str.replace`` calls instead of one call per value.
A value holding a NUL itself would be confused with a placeholder: the placeholder count
catches that, and such an extension is escaped value by value instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from . import _text

__all__ = ["PLACEHOLDER", "ExtensionEscaper"]

#: Stands for the structural character until the extension is escaped. NUL is a control
#: character, so no escaped value can hold it, and it is never a LEEF delimiter.
PLACEHOLDER: Final = "\x00"


class ExtensionEscaper:
    """Escape a placeholder extension (see the module docstring) for CEF or LEEF.

    Attributes for the renderers: ``pair`` (the text between a key and its value) and
    ``sep`` (between pairs) of the placeholder form; ``unsafe_bytes`` (ASCII characters the
    value rule changes, NUL included) for the one-pass clean check.
    """

    __slots__ = (
        "_plain_sep", "_replacements", "_residual", "_residual_bytes", "_restore", "_value",
        "escape", "pair", "sep", "unsafe_bytes",
    )  # fmt: skip

    def __init__(self, fmt: str, delimiter: str = "\t") -> None:
        if fmt == "cef":
            value = _text.cef_value_escaper()
            self.pair, self.sep, self._restore = PLACEHOLDER, " ", "="
            self._replacements: tuple[tuple[str, str], ...] = (
                ("\\", "\\\\"), ("=", "\\="), ("\r", "\\r"), ("\n", "\\n"),
            )  # fmt: skip
            self._plain_sep = " "
        else:
            value = _text.leef_value_escaper(delimiter)
            self.pair, self.sep, self._restore = "=", PLACEHOLDER, delimiter
            reps = [("\\", "\\\\"), ("\r", "\\r"), ("\n", "\\n")]
            escaped = value.table.get(ord(delimiter))
            if isinstance(escaped, str) and escaped.startswith("\\"):
                reps.append((delimiter, escaped))  # TAB -> \t, "^" -> \^
            self._replacements = tuple(reps)
            self._plain_sep = delimiter
        self._value = value.escape
        self.unsafe_bytes = value.unsafe_bytes
        # What is left after the replacements: control characters, DEL, C1, U+2028/9 and
        # surrogates -> U+FFFD; the placeholder itself is kept.
        residual = {cp: rep for cp, rep in value.table.items() if rep == _text.REPLACEMENT}
        residual.pop(0, None)
        self._residual = residual
        self._residual_bytes = bytes(cp for cp in range(128) if cp in residual or cp == 0)
        self.escape: Callable[[str, int], str | None] = self._fast_escape()

    def _fast_escape(self) -> Callable[[str, int], str | None]:
        """``escape`` for the usual extension — ASCII, no control character but the
        placeholders — in one C-level check and a few ``in`` tests (unrolled; closure
        variables are the cheapest reads); anything else goes to :meth:`_escape`."""
        residual_bytes = self._residual_bytes
        restore = self._restore
        replacements = self._replacements
        s1, s2, s3, s4 = (*[old for old, _ in replacements], "\\", "\\", "\\")[:4]
        slow = self._escape

        def escape(ext: str, placeholders: int) -> str | None:
            if ext.isascii():
                data = ext.encode("ascii")
                if len(data) - len(data.translate(None, residual_bytes)) == placeholders:
                    if s1 in ext or s2 in ext or s3 in ext or s4 in ext:
                        for old, new in replacements:
                            if old in ext:
                                ext = ext.replace(old, new)
                    return ext.replace(PLACEHOLDER, restore)
            return slow(ext, placeholders)

        return escape

    def _escape(self, ext: str, placeholders: int) -> str | None:
        """Escape ``ext`` and restore its placeholders; None if a value held a NUL."""
        if ext.isascii():
            # One C-level pass: no control character but the placeholders? (the usual case)
            data = ext.encode("ascii")
            plain = len(data) - len(data.translate(None, self._residual_bytes)) == placeholders
        else:
            plain = False
        if not plain and ext.count(PLACEHOLDER) != placeholders:
            return None
        for old, new in self._replacements:
            if old in ext:
                ext = ext.replace(old, new)
        if not plain and not ext.replace(PLACEHOLDER, "").replace("\t", "").isprintable():
            ext = ext.translate(self._residual)
        return ext.replace(PLACEHOLDER, self._restore)

    def escape_pairs(self, keys: Sequence[str], texts: Sequence[str]) -> str:
        """The escaped extension of these pairs, value by value (the slow, general way)."""
        value = self._value
        if self._restore == "=":
            return " ".join([f"{k}={value(t)}" for k, t in zip(keys, texts, strict=True)])
        return self._plain_sep.join([f"{k}={value(t)}" for k, t in zip(keys, texts, strict=True)])

    def join(self, keys: Sequence[str], texts: Sequence[str]) -> str:
        """The escaped extension of these pairs (keys ``[A-Za-z0-9_]+``, texts raw)."""
        if not keys:
            return ""
        pair = self.pair
        ext = self.sep.join([k + pair + t for k, t in zip(keys, texts, strict=True)])
        out = self.escape(ext, len(keys) if pair is PLACEHOLDER else len(keys) - 1)
        return self.escape_pairs(keys, texts) if out is None else out
