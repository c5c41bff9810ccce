"""A tiny, STRICT CEF / LEEF parser written from the specs, for the property tests.

Deliberately independent of ``cef_logging`` (including ``cef_logging.parse``): it
encodes the rules of issue 2 directly, and rejects (``SpecError``) anything a
conforming producer must never write.

CEF (ArcSight CEF rev 25)::

    CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|Extension

* header: split on unescaped ``|`` - exactly 7 of them before the extension; the
  only escapes are ``\\\\`` and ``\\|``;
* extension: optional leading spaces (ArcSight's connectors write one after the
  last pipe; the spec is silent), then ``key=value`` pairs separated by a space;
  keys ``[A-Za-z0-9_.-]+`` (ArcSight emits ``ad.*`` keys; the spec is silent); a
  value ends where `` key=`` begins (space, key characters, unescaped ``=``); the
  only escapes are ``\\\\``, ``\\=``, ``\\r``, ``\\n``; a raw ``=`` inside a value
  is an error.

LEEF 1.0 / 2.0 (IBM QRadar)::

    LEEF:2.0|Vendor|Product|Version|EventID|Delimiter|attributes
    LEEF:1.0|Vendor|Product|Version|EventID|attributes          (TAB-delimited)

* the delimiter slot is one printable character or ``xHH`` / ``0xHH`` (hex);
* attributes split on unescaped delimiters, each ``key=value`` split at the first
  ``=``; escapes ``\\\\``, ``\\r``, ``\\n``, the delimiter (``\\t`` for TAB,
  backslash + the character otherwise); anything else is an error.

Everywhere: a raw line break of any kind is an error, and no key may repeat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["LINE_BREAKS", "SpecError", "SpecEvent", "parse_cef", "parse_leef"]

#: Every character some reader treats as a line break (``str.splitlines`` and Unicode).
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

_KEY = re.compile(r"[A-Za-z0-9_]+")
_CEF_KEY = re.compile(r"[A-Za-z0-9_.\-]+")
_KEY_START = re.compile(r" ([A-Za-z0-9_.\-]+)=")


class SpecError(ValueError):
    """The line breaks a rule of the spec."""


@dataclass
class SpecEvent:
    kind: str
    header: list[str]
    """CEF: version, vendor, product, version, signature id, name, severity.
    LEEF: version, vendor, product, version, event id (the delimiter is separate)."""
    extension: dict[str, str] = field(default_factory=dict)
    delimiter: str = ""


def _check_line(line: str) -> None:
    for ch in LINE_BREAKS:
        if ch in line:
            raise SpecError(f"raw line break {ch!r} in line")


def _split_header(text: str, count: int) -> tuple[list[str], int]:
    """``count`` header fields ended by unescaped pipes; returns them and the rest's start."""
    fields: list[str] = []
    buf: list[str] = []
    i = 0
    while len(fields) < count:
        if i >= len(text):
            raise SpecError(f"header has {len(fields)} pipes, expected {count}")
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1 : i + 2]
            if nxt not in ("\\", "|"):
                raise SpecError(f"bad header escape \\{nxt!r} at {i}")
            buf.append(nxt)
            i += 2
            continue
        if ch == "|":
            fields.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    return fields, i


def _add(out: dict[str, str], key: str, value: str) -> None:
    if key in out:
        raise SpecError(f"key {key!r} appears twice")
    out[key] = value


def parse_cef(line: str) -> SpecEvent:
    _check_line(line)
    if not line.startswith("CEF:"):
        raise SpecError("no CEF: prefix")
    header, pos = _split_header(line, 7)
    header[0] = header[0][4:]
    if header[0] != "0":
        raise SpecError(f"CEF version {header[0]!r}")
    ext = line[pos:].lstrip(" ")
    out: dict[str, str] = {}
    if not ext:
        return SpecEvent("cef", header, out)
    m = _CEF_KEY.match(ext)
    if m is None or ext[m.end() : m.end() + 1] != "=":
        raise SpecError(f"extension does not start with key=: {ext[:20]!r}")
    key = m.group()
    i = m.end() + 1
    buf: list[str] = []
    while True:
        if i >= len(ext):
            _add(out, key, "".join(buf))
            break
        ch = ext[i]
        if ch == "\\":
            nxt = ext[i + 1 : i + 2]
            repl = {"\\": "\\", "=": "=", "r": "\r", "n": "\n"}.get(nxt)
            if repl is None:
                raise SpecError(f"bad extension escape \\{nxt!r}")
            buf.append(repl)
            i += 2
            continue
        if ch == "=":
            raise SpecError(f"raw '=' inside the value of {key!r}")
        if ch == " ":
            km = _KEY_START.match(ext, i)
            if km is not None:
                _add(out, key, "".join(buf))
                key, buf, i = km.group(1), [], km.end()
                continue
        buf.append(ch)
        i += 1
    return SpecEvent("cef", header, out)


_HEX = re.compile(r"(?:0x|x)([0-9A-Fa-f]{1,4})\Z")


def _delimiter(slot: str) -> str:
    m = _HEX.match(slot)
    if m is not None:
        return chr(int(m.group(1), 16))
    if len(slot) == 1 and slot.isprintable():
        return slot
    raise SpecError(f"bad LEEF delimiter slot {slot!r}")


def parse_leef(line: str) -> SpecEvent:
    _check_line(line)
    if line.startswith("LEEF:2.0|"):
        header, pos = _split_header(line, 6)
        delim = _delimiter(header.pop())
    elif line.startswith("LEEF:1.0|"):
        header, pos = _split_header(line, 5)
        delim = "\t"
    else:
        raise SpecError("no LEEF:1.0| / LEEF:2.0| prefix")
    header[0] = header[0][5:]
    if delim in "\\=|" or _KEY.fullmatch(delim):
        raise SpecError(f"unusable delimiter {delim!r}")
    escapes = {"\\": "\\", "r": "\r", "n": "\n"}
    escapes["t" if delim == "\t" else delim] = delim
    ext = line[pos:]
    out: dict[str, str] = {}
    if not ext:
        return SpecEvent("leef", header, out, delim)
    pairs: list[str] = []
    buf: list[str] = []
    i = 0
    while i < len(ext):
        ch = ext[i]
        if ch == "\\":
            nxt = ext[i + 1 : i + 2]
            repl = escapes.get(nxt)
            if repl is None:
                raise SpecError(f"bad attribute escape \\{nxt!r}")
            buf.append("\\" + nxt)  # keep escaped; unescape after the key split
            i += 2
            continue
        if ch == delim:
            pairs.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    pairs.append("".join(buf))
    for pair in pairs:
        key, eq, raw = pair.partition("=")
        if not eq or not _KEY.fullmatch(key):
            raise SpecError(f"bad attribute {pair[:30]!r}")
        value = re.sub(r"\\(.)", lambda m: escapes[m.group(1)], raw, flags=re.S)
        _add(out, key, value)
    return SpecEvent("leef", header, out, delim)
