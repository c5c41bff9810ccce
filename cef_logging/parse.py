"""Parsers for CEF and LEEF lines: the exact inverse of the formatters.

:func:`parse_cef` and :func:`parse_leef` take one line (an optional syslog or
other prefix, then ``CEF:`` / ``LEEF:``) and return a frozen event whose values
are unescaped. ``strict=True`` raises :class:`ParseError` for anything the specs
do not allow; the default lenient mode recovers what real producers emit. See
the README section "Parsing CEF and LEEF lines" for the full rules.

Both parsers avoid per-character Python loops: the common path is a few
``str.split``/``str.find`` calls and one compiled-regex scan of the extension;
values without a backslash are taken as they are.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, fields
from operator import methodcaller
from typing import Final, NoReturn

__all__ = [
    "CEFEvent",
    "LEEFEvent",
    "ParseError",
    "event_to_dict",
    "parse_cef",
    "parse_event",
    "parse_leef",
]


class ParseError(ValueError):
    """A line that is not valid CEF/LEEF (or, in lenient mode, not recoverable).

    ``position`` is the 0-based character offset into the line given to the
    parser; ``reason`` is the message without the position.
    """

    position: int
    reason: str

    def __init__(self, reason: str, position: int) -> None:
        super().__init__(f"{reason} (at position {position})")
        self.reason = reason
        self.position = position

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, int]]:
        return (type(self), (self.reason, self.position))


@dataclass(frozen=True, slots=True)
class CEFEvent:
    """One parsed CEF line."""

    cef_version: int
    vendor: str
    product: str
    version: str
    signature_id: str
    name: str
    severity: str
    """As written, e.g. ``"5"`` or ``"High"``."""
    extensions: dict[str, str]
    """Unescaped values, in the order of the line."""
    prefix: str = ""
    """Whatever came before ``CEF:`` (e.g. a syslog header), verbatim."""


@dataclass(frozen=True, slots=True)
class LEEFEvent:
    """One parsed LEEF line."""

    leef_version: str
    """As written: ``"1.0"`` or ``"2.0"``."""
    vendor: str
    product: str
    version: str
    event_id: str
    delimiter: str
    """The actual attribute delimiter character (TAB for LEEF 1.0)."""
    attributes: dict[str, str]
    """Unescaped values, in the order of the line."""
    prefix: str = ""
    """Whatever came before ``LEEF:`` (e.g. a syslog header), verbatim."""


def _slot_setters(cls: type) -> tuple[Callable[[object, object], None], ...]:
    """The slot descriptors' ``__set__`` of a frozen slots dataclass, in field order."""
    names = tuple(f.name for f in fields(cls))
    if names != cls.__dict__["__slots__"]:  # pragma: no cover - a guard for edits
        raise TypeError(f"{cls.__name__}: slots {cls.__dict__['__slots__']} != fields {names}")
    return tuple(getattr(cls, name).__set__ for name in names)


# Positional factories for the events, equal to calling the dataclass: the frozen
# ``__init__`` goes through ``object.__setattr__`` by attribute name for each field
# (about 40% of the construction time); these call the slot descriptors directly.
_C0, _C1, _C2, _C3, _C4, _C5, _C6, _C7, _C8 = _slot_setters(CEFEvent)
_L0, _L1, _L2, _L3, _L4, _L5, _L6, _L7 = _slot_setters(LEEFEvent)
_new_object: Final = object.__new__


def _new_cef_event(
    cef_version: int,
    vendor: str,
    product: str,
    version: str,
    signature_id: str,
    name: str,
    severity: str,
    extensions: dict[str, str],
    prefix: str,
) -> CEFEvent:
    event: CEFEvent = _new_object(CEFEvent)
    _C0(event, cef_version)
    _C1(event, vendor)
    _C2(event, product)
    _C3(event, version)
    _C4(event, signature_id)
    _C5(event, name)
    _C6(event, severity)
    _C7(event, extensions)
    _C8(event, prefix)
    return event


def _new_leef_event(
    leef_version: str,
    vendor: str,
    product: str,
    version: str,
    event_id: str,
    delimiter: str,
    attributes: dict[str, str],
    prefix: str,
) -> LEEFEvent:
    event: LEEFEvent = _new_object(LEEFEvent)
    _L0(event, leef_version)
    _L1(event, vendor)
    _L2(event, product)
    _L3(event, version)
    _L4(event, event_id)
    _L5(event, delimiter)
    _L6(event, attributes)
    _L7(event, prefix)
    return event


# --------------------------------------------------------------------------- shared

_STRICT_KEY: Final = re.compile(r"[A-Za-z0-9_]+\Z")
# Strict CEF keys also allow '.' and '-': ArcSight's own connectors emit keys such as
# ad.arcSightEventPath, and the spec is silent on the key alphabet (lint warns).
_STRICT_CEF_KEY: Final = re.compile(r"[A-Za-z0-9_.\-]+\Z")
_LENIENT_KEY_CHARS: Final = r"[A-Za-z0-9_.\-\[\]]+"

_SEVERITY_WORDS: Final = frozenset({"unknown", "low", "medium", "high", "very-high"})
_SEVERITY_INTS: Final = frozenset(str(i) for i in range(11))


def _valid_severity(sev: str) -> bool:
    return sev in _SEVERITY_INTS or sev.lower() in _SEVERITY_WORDS


def _check_raw_line_breaks(line: str, start: int) -> None:
    cr = line.find("\r", start)
    lf = line.find("\n", start)
    if cr == -1 and lf == -1:
        return
    pos = min(p for p in (cr, lf) if p != -1)
    raise ParseError("raw line break (escape it as \\r or \\n)", pos)


def _strip_terminator(line: str) -> str:
    """Drop one trailing line terminator (``\\n``, ``\\r\\n`` or ``\\r``)."""
    if line.endswith("\n"):
        return line[:-2] if line.endswith("\r\n") else line[:-1]
    if line.endswith("\r"):
        return line[:-1]
    return line


# Header fields: a run of non-pipe, non-backslash characters or backslash escapes.
_HEADER_FIELD: Final = re.compile(r"[^|\\]*(?:\\.[^|\\]*)*", re.S)  # unrolled: linear, fast
_BACKSLASH_ANY: Final = re.compile(r"\\(.?)", re.S)
_HEADER_ESCAPES: Final = {"\\": "\\", "|": "|"}


def _unescape_header(text: str, base: int, strict: bool) -> str:
    """Undo ``\\\\`` and ``\\|``; other escapes are errors (strict) or kept literally."""
    if "\\" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        ch = m.group(1)
        out = _HEADER_ESCAPES.get(ch)
        if out is not None:
            return out
        if strict:
            shown = repr("\\" + ch) if ch else "a lone backslash"
            raise ParseError(
                f"undefined escape {shown} in header (only \\\\ and \\| are allowed)",
                base + m.start(),
            )
        return m.group(0)

    return _BACKSLASH_ANY.sub(repl, text)


def _split_header(
    line: str, start: int, count: int, strict: bool, what: str
) -> tuple[list[tuple[str, int]], int]:
    """Split ``count`` pipe-terminated header fields starting at ``start``.

    Returns the raw (still escaped) fields with their offsets, and the offset
    where the rest of the line begins. Missing the final pipe is an error in
    strict mode; in lenient mode the rest is then empty.
    """
    parts = line[start:].split("|", count)
    if len(parts) > count and line.find("\\", start, len(line) - len(parts[count])) == -1:
        fields: list[tuple[str, int]] = []
        pos = start
        for part in parts[:count]:
            fields.append((part, pos))
            pos += len(part) + 1
        return fields, pos
    # Slow path: escapes in the header, or too few fields.
    fields = []
    pos = start
    end = len(line)
    for i in range(count):
        m = _HEADER_FIELD.match(line, pos)
        assert m is not None  # the pattern matches the empty string
        fields.append((m.group(), pos))
        pos = m.end()
        if pos < end and line[pos] == "|":
            pos += 1
            continue
        # Reached the end of the line (a dangling backslash stops the match too).
        if pos < end:  # a lone backslash at the very end
            if strict:
                raise ParseError("lone backslash at end of header", pos)
            fields[-1] = (fields[-1][0] + line[pos:], fields[-1][1])
            pos = end
        if strict or i < count - 1:
            raise ParseError(
                f"{what} header has {i + 1} field(s), expected {count} followed by '|'",
                pos,
            )
        return fields, end
    return fields, pos


# --------------------------------------------------------------------------- CEF

# A key is a run of key characters right after a space and right before "=". The run is
# taken possessively where the engine knows "++" (3.11 on): a word of a value that is not
# followed by "=" then fails at once instead of being given back one character at a
# time; as "=" is not a key character, giving back can never lead to a match, so both
# forms split identically (a test holds them to each other).
_KEY_RUN: Final = _LENIENT_KEY_CHARS + ("+" if sys.version_info >= (3, 11) else "")
_CEF_NEXT_KEY: Final = re.compile(r" (" + _KEY_RUN + r")=")
_CEF_VALUE_TOKEN: Final = re.compile(r"\\(.?)|=", re.S)
_CEF_VALUE_ESCAPES: Final = {"\\": "\\", "=": "=", "r": "\r", "n": "\n"}
_CEF_VALUE_ESCAPES_LENIENT: Final = {**_CEF_VALUE_ESCAPES, "|": "|"}


def _fast_unescape(text: str, pairs: tuple[tuple[str, str], ...]) -> str | None:
    """Undo backslash escapes with C-level string operations.

    ``text`` is split at every escaped backslash (``\\\\``; left-to-right
    pairing is exactly how escapes pair up), each chunk then holds single
    escapes only, which ``str.replace`` undoes. Returns ``None`` when a chunk
    holds an escape not in ``pairs`` (or a lone trailing backslash), so the
    caller can take the slow path that reports or keeps it.
    """
    chunks = text.split("\\\\")
    for i, chunk in enumerate(chunks):
        if "\\" in chunk:
            total = chunk.count("\\")
            done = 0
            for escaped, plain in pairs:
                k = chunk.count(escaped)
                if k:
                    done += k
                    chunk = chunk.replace(escaped, plain)
            if done != total:
                return None
            chunks[i] = chunk
    return "\\".join(chunks)


_CEF_PAIRS: Final = (("\\=", "="), ("\\r", "\r"), ("\\n", "\n"))
_CEF_PAIRS_LENIENT: Final = (*_CEF_PAIRS, ("\\|", "|"))


def _unescape_cef_value(text: str, strict: bool) -> str:
    """Unescape one extension value; a ParseError's position is relative to ``text``."""
    if strict:
        # An unescaped '=' is an error: within chunks free of "\\\\", every
        # '=' must be preceded by a backslash.
        if all(c.count("=") == c.count("\\=") for c in text.split("\\\\")):
            out = _fast_unescape(text, _CEF_PAIRS)
            if out is not None:
                return out
    elif "\\" not in text:
        return text  # only unescaped '=': kept
    else:
        out = _fast_unescape(text, _CEF_PAIRS_LENIENT)
        if out is not None:
            return out
    table = _CEF_VALUE_ESCAPES if strict else _CEF_VALUE_ESCAPES_LENIENT

    def repl(m: re.Match[str]) -> str:
        whole = m.group(0)
        if whole == "=":
            if strict:
                raise ParseError("unescaped '=' in extension value (write \\=)", m.start())
            return "="
        out = table.get(m.group(1))
        if out is not None:
            return out
        if strict:
            ch = m.group(1)
            shown = repr(whole) if ch else "a lone backslash"
            raise ParseError(
                f"undefined escape {shown} in extension value "
                "(only \\\\, \\=, \\r and \\n are allowed)",
                m.start(),
            )
        return whole

    return _CEF_VALUE_TOKEN.sub(repl, text)


_STRICT_KEY_LIST: Final = re.compile(r"[A-Za-z0-9_.\-]+(?: [A-Za-z0-9_.\-]+)*\Z")

#: Keys already found valid in strict mode, per format (CEF keys may hold '.' and '-',
#: LEEF keys may not): one set lookup per key instead of a regex over the joined keys.
#: Bounded; only ever holds valid keys.
_valid_cef_keys: set[str] = set()
_valid_leef_keys: set[str] = set()
_VALID_KEYS_MAX: Final = 4096


def _strict_keys_ok(
    keys: Collection[str], joined: re.Pattern[str], sep: str, cache: set[str]
) -> bool:
    """All ``keys`` are valid strict keys (``joined`` checks them joined with ``sep``)."""
    if cache.issuperset(keys):
        return True
    if joined.match(sep.join(keys)) is None:
        return False
    if len(cache) + len(keys) <= _VALID_KEYS_MAX:
        cache.update(keys)
    return True


def _unescape_strict_values(values: list[str]) -> list[str] | None:
    """Strict mode: all values unescaped at once with C-level string calls, or None
    when a value holds an unescaped ``=`` or an undefined escape (the caller then
    finds which, and where).

    The values are joined with NUL; a NUL inside a value gives an extra piece when
    splitting back, which the caller sees in the length. Strict lines hold no raw
    CR or LF, so LF can mark borders.
    """
    text = "\0".join(values)
    if "\\\\" not in text:
        # Every backslash stands alone: each '=' must follow one, and after undoing
        # \=, \n and \r no backslash may be left.
        if text.count("=") != text.count("\\="):
            return None
        text = text.replace("\\=", "=").replace("\\n", "\n").replace("\\r", "\r")
        return None if "\\" in text else text.split("\0")
    # Split at every escaped backslash (left-to-right pairing is exactly how escapes
    # pair up): in the chunks every backslash stands alone. Joined with LF, a lone
    # backslash at a chunk's end cannot pair with the next chunk.
    chunks = text.split("\\\\")
    rest = "\n".join(chunks)
    escaped_eq = rest.count("\\=")
    if rest.count("=") != escaped_eq or rest.count("\\") != (
        escaped_eq + rest.count("\\n") + rest.count("\\r")
    ):
        return None
    text = "\\".join(
        [chunk.replace("\\=", "=").replace("\\n", "\n").replace("\\r", "\r") for chunk in chunks]
    )
    return text.split("\0")


def _parse_cef_extension(ext: str, base: int, strict: bool) -> dict[str, str]:
    """Split the extension ``ext`` (found at offset ``base`` of the line) into pairs.

    A pair boundary is a space, a key and ``=``. A key can never end in a
    backslash, so that ``=`` is never an escaped one: one ``re.split`` finds
    every boundary at once. Strict mode expects no raw CR or LF (the callers
    refuse those first).
    """
    if ext[:1] == " ":
        # A space after the header's last pipe: ArcSight connectors emit it and the
        # spec is silent, so both modes skip it (lint warns).
        stripped = ext.lstrip(" ")
        base += len(ext) - len(stripped)
        ext = stripped
    if not ext:
        return {}
    parts = _CEF_NEXT_KEY.split(" " + ext)
    if parts[0]:
        raise ParseError("extension does not start with key=value", base)
    keys = parts[1::2]
    values = parts[2::2]
    count = len(keys)
    if strict:
        # Common case first: every value good (one '=' per key when nothing is
        # escaped), keys unique and valid.
        if "\\" not in ext:
            plain = values if ext.count("=") == count else None
        else:
            plain = _unescape_strict_values(values)
        if plain is not None and len(plain) == count:
            out = dict(zip(keys, plain, strict=False))  # same lengths: checked
            if len(out) == count and (
                _valid_cef_keys.issuperset(keys)
                or _strict_keys_ok(keys, _STRICT_KEY_LIST, " ", _valid_cef_keys)
            ):
                return out
        if len(set(keys)) != count or not _strict_keys_ok(
            keys, _STRICT_KEY_LIST, " ", _valid_cef_keys
        ):
            _raise_first_cef_error(keys, values, base)
    out = dict(zip(keys, values, strict=True))
    if not strict and "\\" not in ext and ext.count("=") == count:
        return out
    # Lenient values to unescape, or a strict error to report (or a NUL in a strict
    # value); positions are only worked out for an error.
    for i, raw in enumerate(values):
        if "\\" in raw or "=" in raw:
            try:
                out[keys[i]] = _unescape_cef_value(raw, strict)
            except ParseError as err:
                # Each earlier pair is "key=value " (the first has no leading space).
                start = base + sum(map(len, keys[:i])) + sum(map(len, values[:i])) + 2 * i
                vstart = start + len(keys[i]) + 1
                raise ParseError(err.reason, vstart + err.position) from None
    return out


def _raise_first_cef_error(keys: list[str], values: list[str], base: int) -> None:
    """Strict mode found a bad or repeated key: report the first error in line order."""
    seen: set[str] = set()
    pos = base
    for key, raw in zip(keys, values, strict=True):
        if _STRICT_CEF_KEY.match(key) is None:
            raise ParseError(f"invalid extension key {key!r} (allowed: A-Z a-z 0-9 _ . -)", pos)
        if key in seen:
            raise ParseError(f"duplicate extension key {key!r}", pos)
        seen.add(key)
        vstart = pos + len(key) + 1
        if "\\" in raw or "=" in raw:
            try:
                _unescape_cef_value(raw, True)
            except ParseError as err:
                raise ParseError(err.reason, vstart + err.position) from None
        pos = vstart + len(raw) + 1
    raise AssertionError("unreachable")  # pragma: no cover


def _recover_extra_pipe(
    fields: list[tuple[str, int]], line: str, ext_start: int
) -> tuple[list[tuple[str, int]], int] | None:
    """Kemp-style ``LM||1.0``: one empty header field too many pushes the severity
    into the extension. Recover when the severity slot is invalid, the text before
    the next pipe is a valid severity, and exactly one of vendor..name is empty."""
    bar = line.find("|", ext_start)
    if bar == -1:
        return None
    sev = line[ext_start:bar]
    if not _valid_severity(sev):
        return None
    empty = [i for i in range(1, 6) if fields[i][0] == ""]
    if len(empty) != 1:
        return None
    i = empty[0]
    new = fields[:i] + fields[i + 1 : 7] + [(sev, ext_start)]
    return new, bar + 1


def _locate(line: str, marker: str, strict: bool) -> tuple[str, int]:
    """Drop one trailing line terminator and find ``marker``; strict mode refuses raw breaks."""
    if line[-1:] in ("\n", "\r"):
        line = _strip_terminator(line)
    at = line.find(marker)
    if at == -1:
        raise ParseError(f"no {marker!r} found", 0)
    if strict and ("\n" in line or "\r" in line):
        _check_raw_line_breaks(line, 0)
    return line, at


def parse_cef(line: str, *, strict: bool = False) -> CEFEvent:
    """Parse one CEF line into a :class:`CEFEvent`.

    Text before ``CEF:`` is kept in ``prefix``. One trailing line terminator is
    ignored. Raises :class:`ParseError` (a :class:`ValueError`) naming the
    position of the problem.
    """
    line, at = _locate(line, "CEF:", strict)
    # Fast path: version 0, no backslash in the header, a valid severity. The whole
    # line is split (no copy of it): parts[0] must end exactly at "CEF:0".
    parts = line.split("|", 7)
    if len(parts) == 8 and len(parts[0]) == at + 5 and parts[0][-1] == "0":
        ext = parts[7]
        ext_start = len(line) - len(ext)
        sev = parts[6]
        if line.find("\\", at, ext_start) == -1 and (
            sev in _SEVERITY_INTS or sev.lower() in _SEVERITY_WORDS
        ):
            return _new_cef_event(
                0,
                parts[1],
                parts[2],
                parts[3],
                parts[4],
                parts[5],
                sev,
                _parse_cef_extension(ext, ext_start, strict),
                line[:at],
            )
    return _parse_cef_general(line, at, strict)


def _parse_cef_general(line: str, at: int, strict: bool) -> CEFEvent:
    """:func:`parse_cef` off its fast path: escapes in the header, another version, an
    invalid severity (or, lenient, an unescaped pipe in a header value)."""
    fields, ext_start = _split_header(line, at + 4, 7, strict, "CEF")

    raw_version, vpos = fields[0]
    version_text = raw_version if strict else raw_version.strip()
    if not version_text.isdigit() or not version_text.isascii():
        raise ParseError(f"CEF version must be an integer, not {raw_version!r}", vpos)
    cef_version = int(version_text)
    if strict and cef_version not in (0, 1):
        raise ParseError(f"unknown CEF version {cef_version} (expected 0 or 1)", vpos)

    sev_raw, sev_pos = fields[6]
    if not _valid_severity(sev_raw):
        if strict:
            _raise_invalid_severity(line, ext_start, sev_raw, sev_pos)
        recovered = _recover_extra_pipe(fields, line, ext_start)
        if recovered is not None:
            fields, ext_start = recovered
            sev_raw, sev_pos = fields[6]

    vendor, product, version, signature_id, name = (
        _unescape_header(text, pos, strict) for text, pos in fields[1:6]
    )
    severity = _unescape_header(sev_raw, sev_pos, strict)
    extensions = _parse_cef_extension(line[ext_start:], ext_start, strict)
    return _new_cef_event(
        cef_version, vendor, product, version, signature_id, name, severity, extensions, line[:at]
    )


def _raise_invalid_severity(line: str, ext_start: int, sev_raw: str, sev_pos: int) -> NoReturn:
    """Strict mode's error for an invalid severity, with a hint when the header seems
    to have one field too many."""
    bar = line.find("|", ext_start)
    hint = ""
    if bar != -1 and _valid_severity(line[ext_start:bar]):
        hint = "; the header seems to have 8 fields, expected 7 (unescaped '|' in a header value?)"
    raise ParseError(
        f"invalid severity {sev_raw!r} (expected 0-10 or "
        f"Unknown, Low, Medium, High, Very-High){hint}",
        sev_pos,
    )


def _strict_cef_extensions(line: str, at: int) -> tuple[dict[str, str], int]:
    """``parse_cef(line, strict=True).extensions`` without building the event, and
    the offset where the extension starts (after the header's last pipe).

    For :mod:`cef_logging.lint`, which needs only the extensions: ``at`` is
    ``line.find("CEF:")`` (not -1). Raises exactly what :func:`parse_cef` raises.
    """
    if "\n" not in line and "\r" not in line:
        parts = line.split("|", 7)
        if len(parts) == 8 and len(parts[0]) == at + 5 and parts[0][-1] == "0":
            ext = parts[7]
            ext_start = len(line) - len(ext)
            sev = parts[6]
            if line.find("\\", at, ext_start) == -1 and (
                sev in _SEVERITY_INTS or sev.lower() in _SEVERITY_WORDS
            ):
                return _parse_cef_extension(ext, ext_start, True), ext_start
    extensions = parse_cef(line, strict=True).extensions
    # Rare path (escapes in the header): find the extension's start again.
    return extensions, _split_header(_strip_terminator(line), at + 4, 7, True, "CEF")[1]


#: Key sequences (as tuples) already found valid and free of repeats: lines of one
#: producer repeat a few sequences, so one lookup checks all their keys. Each maps to
#: itself, and the stored tuple is what callers get: a caller that looks the sequence
#: up again (lint's plans) then compares it by identity, not string by string.
_good_key_runs: dict[tuple[str, ...], tuple[str, ...]] = {}


def _strict_cef_raw_pairs(
    line: str, at: int
) -> tuple[tuple[str, ...], list[str], int] | None:
    """For lint: the extension's keys and their still escaped values (two lists, in line
    order) and the offset of the extension, when ``line`` (no terminator) is strictly
    valid CEF on the common path; ``None`` when it is not, or when only the full parser
    can tell (the caller then calls :func:`_strict_cef_extensions`, which raises or
    returns).

    Validity is checked on the raw extension with C-level counts, without
    unescaping: keys hold no ``=`` or backslash, so once escaped backslashes
    (``\\\\``) are set aside every ``=`` is a key's or an escaped one (``\\=``) and
    every backslash starts ``\\=``, ``\\n`` or ``\\r``. A differential test holds
    this to ``parse_cef(strict=True)``.
    """
    if "\r" in line or "\n" in line:
        return None
    parts = line.split("|", 7)
    if len(parts) != 8 or len(parts[0]) != at + 5 or parts[0][-1] != "0":
        return None
    ext = parts[7]
    ext_start = len(line) - len(ext)
    sev = parts[6]
    if line.find("\\", at, ext_start) != -1 or not (
        sev in _SEVERITY_INTS or sev.lower() in _SEVERITY_WORDS
    ):
        return None
    if ext[:1] == " ":
        ext = ext.lstrip(" ")
    if not ext:
        return (), [], ext_start
    pieces = _CEF_NEXT_KEY.split(" " + ext)
    if pieces[0]:
        return None
    keys = tuple(pieces[1::2])
    count = len(keys)
    if "\\" in ext:
        # Escaped backslashes pair left to right, as str.replace scans: with each one
        # turned into a LF (never in this line), every backslash left stands alone.
        rest = ext.replace("\\\\", "\n") if "\\\\" in ext else ext
        escaped_eq = rest.count("\\=")
        if rest.count("=") != count + escaped_eq or rest.count("\\") != (
            escaped_eq + rest.count("\\n") + rest.count("\\r")
        ):
            return None
    elif ext.count("=") != count:
        return None
    known = _good_key_runs.get(keys)
    if known is not None:
        keys = known
    else:
        if not _strict_keys_ok(keys, _STRICT_KEY_LIST, " ", _valid_cef_keys) or (
            len(set(keys)) != count
        ):
            return None
        if count <= 64 and len(_good_key_runs) < _VALID_KEYS_MAX:
            _good_key_runs[keys] = keys
    return keys, pieces[2::2], ext_start


# --------------------------------------------------------------------------- LEEF

_LEEF_HEX_STRICT: Final = re.compile(r"0?x([0-9A-Fa-f]{1,4})\Z")
_LEEF_HEX_LENIENT: Final = re.compile(r"(?:0?[xX]|\\x)([0-9A-Fa-f]{1,4})\Z")


def _leef_delimiter(slot: str, pos: int, strict: bool) -> str | None:
    """Interpret the LEEF 2.0 delimiter slot; ``None`` means "no slot" (lenient)."""
    if len(slot) == 1:
        return slot
    m = (_LEEF_HEX_STRICT if strict else _LEEF_HEX_LENIENT).match(slot)
    if m is not None:
        return chr(int(m.group(1), 16))
    if strict:
        if not slot:
            raise ParseError("empty LEEF 2.0 delimiter slot", pos)
        raise ParseError(
            f"invalid LEEF 2.0 delimiter {slot!r} (expected one character, xHH or 0xHH)", pos
        )
    if not slot or slot == "\\t":
        return "\t"
    return None


_LEEF_KEY_LENIENT: Final = re.compile(r"[^\s=]+\Z")
_leef_pair_cache: dict[tuple[str, bool], tuple[re.Pattern[str], dict[str, str]]] = {}


def _leef_tools(delim: str, strict: bool) -> tuple[re.Pattern[str], dict[str, str]]:
    """Tokeniser for attribute runs that honours backslash escapes, and the escape table."""
    cached = _leef_pair_cache.get((delim, strict))
    if cached is not None:
        return cached
    # One piece: runs of plain characters and backslash escapes, in the unrolled form
    # (plain* (escape plain*)* lone-backslash?), about three times faster than an
    # alternation repeated per run.
    d = re.escape(delim)
    pair = re.compile(r"[^\\" + d + r"]*(?:\\.[^\\" + d + r"]*)*\\?", re.S)
    table = {"\\": "\\", "r": "\r", "n": "\n"}
    if delim == "\t":
        table["t"] = "\t"
    else:
        table[delim] = delim
    if not strict:
        table.setdefault("=", "=")
        table.setdefault("|", "|")
        table.setdefault(delim, delim)
    tools = (pair, table)
    _leef_pair_cache[(delim, strict)] = tools
    return tools


def _unescape_leef_value(text: str, base: int, table: dict[str, str], strict: bool) -> str:
    pairs = tuple(("\\" + k, v) for k, v in table.items() if k != "\\")
    out = _fast_unescape(text, pairs)
    if out is not None:
        return out

    def repl(m: re.Match[str]) -> str:
        out = table.get(m.group(1))
        if out is not None:
            return out
        if strict:
            whole = m.group(0)
            shown = repr(whole) if m.group(1) else "a lone backslash"
            raise ParseError(f"undefined escape {shown} in attribute value", base + m.start())
        return m.group(0)

    return _BACKSLASH_ANY.sub(repl, text)


def _split_leef_pairs(line: str, start: int, delim: str, strict: bool) -> Iterator[tuple[str, int]]:
    """The attribute pieces (split at unescaped delimiters) with their offsets, lazily:
    strict mode stops at the first bad piece without splitting the rest."""
    end = len(line)
    if line.find("\\", start) == -1:
        pos = start
        dl = len(delim)
        while True:  # find by find: strict mode stops at the first bad piece
            nxt = line.find(delim, pos)
            if nxt == -1:
                yield line[pos:], pos
                return
            yield line[pos:nxt], pos
            pos = nxt + dl
    pair, _ = _leef_tools(delim, strict)
    pos = start
    dl = len(delim)
    while True:
        m = pair.match(line, pos)
        assert m is not None
        yield m.group(), pos
        pos = m.end()
        if pos >= end:
            return
        pos += dl  # at a delimiter


_leef_boundary_cache: dict[tuple[str, str], re.Pattern[str]] = {}


def _lenient_leef_no_escapes(
    line: str, start: int, delim: str, not_in_keys: str = ""
) -> dict[str, str]:
    """Lenient attributes of a line without backslashes, with C-level calls only.

    Same result as the general loop: a piece that is not ``key=value`` (an unescaped
    delimiter inside a value) is glued to the previous value, empty pieces are
    dropped. A boundary is a delimiter, a lenient key and ``=``: one ``re.split``
    finds them all, so any number of stray delimiters stays linear.
    """
    boundary = _leef_boundary_cache.get((delim, not_in_keys))
    if boundary is None:
        d = re.escape(delim)
        boundary = re.compile(d + r"([^\s=" + d + re.escape(not_in_keys) + r"]+)=")
        if len(_leef_boundary_cache) < 64:
            _leef_boundary_cache[(delim, not_in_keys)] = boundary
    parts = boundary.split(delim + line[start:])
    head = parts[0]
    if head.strip(delim):
        raise ParseError(
            "attributes do not start with key=value",
            start + len(head) - len(head.lstrip(delim)) - 1,
        )
    out = dict(zip(parts[1::2], parts[2::2], strict=True))
    if delim in line[start:] and any(delim in v for v in out.values()):
        for key, value in out.items():
            if delim in value:
                first, *rest = value.split(delim)
                out[key] = delim.join([first, *filter(None, rest)])
    return out


def _lenient_leef_escaped(line: str, start: int, delim: str) -> dict[str, str] | None:
    """Lenient attributes of a line with backslashes, still with C-level splitting.

    Escaped backslashes, then escaped delimiters, are swapped for two characters the
    line does not hold (escapes pair left to right, as ``str.replace`` scans), so every
    delimiter left is unescaped and :func:`_lenient_leef_no_escapes` applies; the
    swaps are then undone and values unescaped. ``None`` (the caller takes the
    general loop) when no such characters are free or the line is an error (the loop
    reports its exact position). A differential test holds it to the loop.
    """
    text = line[start:]
    free = [c for c in ("\x00", "\x01", "\ue000", "\ue001", "\ue002", "\ue003") if c not in text]
    if len(free) < 2:
        return None
    pair_mark, delim_mark = free[0], free[1]
    escaped_delim = "\\" + delim
    swapped = text.replace("\\\\", pair_mark).replace(escaped_delim, delim_mark)
    try:
        # A key holding an escaped whitespace delimiter (\\<TAB>) is no key: keep the
        # mark that stands for it out of keys, as the whitespace itself would be.
        found = _lenient_leef_no_escapes(swapped, 0, delim, delim_mark if delim.isspace() else "")
    except ParseError:
        return None
    _, table = _leef_tools(delim, False)
    out: dict[str, str] = {}
    for key, value in found.items():
        if pair_mark in key or delim_mark in key:
            key = key.replace(delim_mark, escaped_delim).replace(pair_mark, "\\\\")
        if pair_mark in value or delim_mark in value:
            value = value.replace(delim_mark, escaped_delim).replace(pair_mark, "\\\\")
        out[key] = _unescape_leef_value(value, 0, table, False) if "\\" in value else value
    return out


_LEEF_KEYS_STRICT: Final = re.compile(r"[A-Za-z0-9_]+(?:=[A-Za-z0-9_]+)*\Z")
_LEEF_KEYS_LENIENT: Final = re.compile(r"[^\s=]+(?:=[^\s=]+)*\Z")
_SPLIT_AT_EQ: Final = methodcaller("split", "=", 1)


def _parse_leef_attributes(line: str, start: int, delim: str, strict: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    if start >= len(line):
        return out
    if line.find("\\", start) == -1:
        # Common path: no escapes; every piece is key=value with a good, unique key.
        pieces = line[start:].split(delim)
        try:
            out = dict(map(_SPLIT_AT_EQ, pieces))
        except ValueError:  # a piece without '='
            out = {}
        else:
            if len(out) == len(pieces) and (
                _strict_keys_ok(out, _LEEF_KEYS_STRICT, "=", _valid_leef_keys)
                if strict
                else _LEEF_KEYS_LENIENT.match("=".join(out)) is not None
            ):
                return out
            out = {}
        if not strict and len(delim) == 1 and delim not in "=\\":
            return _lenient_leef_no_escapes(line, start, delim)
    elif not strict and len(delim) == 1 and delim not in "=\\":
        fast = _lenient_leef_escaped(line, start, delim)
        if fast is not None:
            return fast
    return _leef_attributes_loop(line, start, delim, strict)


def _leef_attributes_loop(line: str, start: int, delim: str, strict: bool) -> dict[str, str]:
    """The attributes piece by piece: every rule in one place, with exact error positions."""
    out: dict[str, str] = {}
    _, table = _leef_tools(delim, strict)
    last_key: str | None = None
    # Lenient: values glued back from pieces (an unescaped delimiter inside a value),
    # joined once at the end so that many such delimiters stay linear.
    glued: dict[str, list[str]] = {}
    for piece, pos in _split_leef_pairs(line, start, delim, strict):
        eq = piece.find("=")
        key = piece[:eq] if eq > 0 else ""
        if strict:
            if not piece:
                raise ParseError("empty attribute (two delimiters in a row?)", pos)
            if eq == -1:
                raise ParseError("attribute without '='", pos)
            if _STRICT_KEY.match(key) is None:
                raise ParseError(f"invalid attribute key {key!r} (allowed: A-Z a-z 0-9 _)", pos)
            if key in out:
                raise ParseError(f"duplicate attribute key {key!r}", pos)
        else:
            if not piece:
                continue  # empty pair
            if eq <= 0 or _LEEF_KEY_LENIENT.match(key) is None:
                # An unescaped delimiter inside the previous value: glue it back.
                if last_key is None:
                    raise ParseError("attributes do not start with key=value", pos)
                more = _unescape_leef_value(piece, pos, table, strict) if "\\" in piece else piece
                chunks = glued.get(last_key)
                if chunks is None:
                    glued[last_key] = chunks = [out[last_key]]
                chunks.append(delim)
                chunks.append(more)
                continue
        raw = piece[eq + 1 :]
        vpos = pos + eq + 1
        out[key] = _unescape_leef_value(raw, vpos, table, strict) if "\\" in raw else raw
        if glued:
            glued.pop(key, None)
        last_key = key
    for key, chunks in glued.items():
        out[key] = "".join(chunks)
    return out


def parse_leef(line: str, *, strict: bool = False) -> LEEFEvent:
    """Parse one LEEF 1.0 or 2.0 line into a :class:`LEEFEvent`.

    Text before ``LEEF:`` is kept in ``prefix``. One trailing line terminator is
    ignored. Raises :class:`ParseError` (a :class:`ValueError`) naming the
    position of the problem.
    """
    line, at = _locate(line, "LEEF:", strict)
    vstart = at + 5
    # Fast path: no backslash in the header, a well-formed delimiter slot.
    if line.startswith("2.0|", vstart):
        parts = line[vstart:].split("|", 6)
        if len(parts) == 7:
            attrs = parts[6]
            attr_start = len(line) - len(attrs)
            slot = parts[5]
            delim = "\t" if slot == "x09" else slot if len(slot) == 1 else ""
            if delim and line.find("\\", vstart, attr_start) == -1:
                return _new_leef_event(
                    "2.0",
                    parts[1],
                    parts[2],
                    parts[3],
                    parts[4],
                    delim,
                    _parse_leef_attributes(line, attr_start, delim, strict),
                    line[:at],
                )
    elif line.startswith("1.0|", vstart):
        parts = line[vstart:].split("|", 5)
        if len(parts) == 6:
            attrs = parts[5]
            attr_start = len(line) - len(attrs)
            if line.find("\\", vstart, attr_start) == -1:
                return _new_leef_event(
                    "1.0",
                    parts[1],
                    parts[2],
                    parts[3],
                    parts[4],
                    "\t",
                    _parse_leef_attributes(line, attr_start, "\t", strict),
                    line[:at],
                )
    return _parse_leef_general(line, at, strict)


def _parse_leef_general(line: str, at: int, strict: bool) -> LEEFEvent:
    """:func:`parse_leef` off its fast path: escapes in the header, a version to
    normalize (lenient), a delimiter slot that is missing or spelled ``xHH``/``0xHH``."""
    vstart = at + 5
    bar = line.find("|", vstart)
    if bar == -1:
        raise ParseError("LEEF header has no '|'", len(line))
    leef_version = line[vstart:bar]
    lv = leef_version if strict else leef_version.strip()
    if not strict:
        lv = {"1": "1.0", "2": "2.0"}.get(lv, lv)
    if lv == "1.0":
        count = 4
    elif lv == "2.0":
        count = 5
    else:
        raise ParseError(f"unknown LEEF version {leef_version!r} (expected 1.0 or 2.0)", vstart)
    fields, attr_start = _split_header(line, bar + 1, count, strict, f"LEEF {lv}")
    delim = "\t"
    if count == 5:
        slot, slot_pos = fields[4]
        slot_text = _unescape_header(slot, slot_pos, strict)
        found = _leef_delimiter(slot_text, slot_pos, strict)
        if found is None:
            if "=" not in slot_text:
                raise ParseError(
                    f"invalid LEEF 2.0 delimiter {slot_text!r} "
                    "(expected one character, xHH or 0xHH)",
                    slot_pos,
                )
            attr_start = slot_pos  # no delimiter slot at all: attributes start here
        else:
            delim = found
    vendor, product, version, event_id = (
        _unescape_header(text, pos, strict) for text, pos in fields[:4]
    )
    attributes = _parse_leef_attributes(line, attr_start, delim, strict)
    return _new_leef_event(
        leef_version, vendor, product, version, event_id, delim, attributes, line[:at]
    )


def _strict_leef_attributes(line: str, at: int) -> dict[str, str]:
    """``parse_leef(line, strict=True).attributes`` without building the event.

    For ``cef-logging lint``: ``at`` is ``line.find("LEEF:")`` (not -1). Raises
    exactly what :func:`parse_leef` raises.
    """
    if "\n" not in line and "\r" not in line:
        vstart = at + 5
        if line.startswith("2.0|", vstart):
            parts = line[vstart:].split("|", 6)
            if len(parts) == 7:
                attr_start = len(line) - len(parts[6])
                slot = parts[5]
                delim = "\t" if slot == "x09" else slot if len(slot) == 1 else ""
                if delim and line.find("\\", vstart, attr_start) == -1:
                    return _parse_leef_attributes(line, attr_start, delim, True)
        elif line.startswith("1.0|", vstart):
            parts = line[vstart:].split("|", 5)
            if len(parts) == 6:
                attr_start = len(line) - len(parts[5])
                if line.find("\\", vstart, attr_start) == -1:
                    return _parse_leef_attributes(line, attr_start, "\t", True)
    return parse_leef(line, strict=True).attributes


def parse_event(line: str, *, strict: bool = False) -> CEFEvent | LEEFEvent:
    """Parse a CEF or LEEF line, whichever marker (``CEF:``, ``LEEF:``) comes first.

    Raises:
        ParseError: the line holds neither marker, or does not parse.
    """
    cef_at = line.find("CEF:")
    leef_at = line.find("LEEF:")
    if cef_at != -1 and (leef_at == -1 or cef_at < leef_at):
        return parse_cef(line, strict=strict)
    if leef_at != -1:
        return parse_leef(line, strict=strict)
    raise ParseError("not a CEF or LEEF line (no 'CEF:' or 'LEEF:' found)", 0)


def event_to_dict(event: CEFEvent | LEEFEvent) -> dict[str, object]:
    """A parsed event as a JSON-ready dict (``format`` first), as ``cef-logging parse --json``
    prints it."""
    if isinstance(event, CEFEvent):
        return {
            "format": "CEF",
            "cef_version": event.cef_version,
            "vendor": event.vendor,
            "product": event.product,
            "version": event.version,
            "signature_id": event.signature_id,
            "name": event.name,
            "severity": event.severity,
            "extensions": event.extensions,
            "prefix": event.prefix,
        }
    return {
        "format": "LEEF",
        "leef_version": event.leef_version,
        "vendor": event.vendor,
        "product": event.product,
        "version": event.version,
        "event_id": event.event_id,
        "delimiter": event.delimiter,
        "attributes": event.attributes,
        "prefix": event.prefix,
    }
