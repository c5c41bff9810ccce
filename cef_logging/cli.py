"""The ``cef-logging`` command: ``lint``, ``parse`` and ``demo``.

``lint FILE... | -``
    Check CEF/LEEF lines before a SIEM rule depends on them. Each line is
    detected as CEF or LEEF (after any syslog prefix) and parsed strictly: what
    the strict parser refuses is an ``error``; spec advice is a ``warning``.
    Prints ``FILE:LINE: error: ...`` / ``FILE:LINE: warning: ...`` and a summary
    on stderr; exits 1 on any error, 2 on a usage error or an unreadable file,
    0 otherwise. Streams: memory does not grow with the file.
``parse FILE... [--json] [--strict]``
    One parsed event per line: a JSON object per line with ``--json``, a
    readable block otherwise.
``demo [--format cef|leef|both]``
    Log a few sample events through :class:`~cef_logging.CEFFormatter` and
    :class:`~cef_logging.LEEFFormatter` and print the lines.

Everything here is the standard library only.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from itertools import filterfalse
from typing import IO, Any, Final

from ._dictionary import BY_KEY, TYPE_TIMESTAMP
from .parse import (
    CEFEvent,
    LEEFEvent,
    ParseError,
    _strict_cef_extensions,
    _strict_leef_attributes,
    parse_cef,
    parse_leef,
)

__all__ = ["lint_line", "main"]

PROG: Final = "cef-logging"
STDIN_NAME: Final = "<stdin>"

#: stderr progress is shown for files at least this big (and only on a terminal).
PROGRESS_MIN_BYTES: Final = 16 * 1024 * 1024
#: Unused since lint reads in blocks (progress is updated once per block); kept for callers.
_PROGRESS_EVERY_LINES: Final = 16384
_PROGRESS_INTERVAL_S: Final = 0.25

#: Some ArcSight SmartConnector parsers truncate lines at about 8 KB.
CEF_LINE_ADVICE_BYTES: Final = 8192

# ----------------------------------------------------------------------------- lint checks

#: key -> (max length or None, is a timestamp, is consumer-only); one lookup per pair.
_KEY_INFO: Final[dict[str, tuple[int | None, bool, bool]]] = {
    key: (entry.max_length, entry.type == TYPE_TIMESTAMP, entry.arcsight_only)
    for key, entry in BY_KEY.items()
}
_KNOWN_KEYS: Final = frozenset(_KEY_INFO)
#: For a line of n characters, the keys that may draw a consumer, length or timestamp
#: warning: no value is as long as its line, so only limits below n can be broken.
#: Indexed by ``min(n, _CHECKS_TOP)``; a few distinct sets shared by the entries.
_CHECKS_TOP: Final = 1 + max(limit or 0 for limit, _, _ in _KEY_INFO.values())


def _checks_by_length() -> tuple[frozenset[str], ...]:
    always = frozenset(k for k, (_, ts, consumer) in _KEY_INFO.items() if ts or consumer)
    by_limit = sorted((limit, k) for k, (limit, _, _) in _KEY_INFO.items() if limit is not None)
    table: list[frozenset[str]] = []
    current = always
    i = 0
    for n in range(_CHECKS_TOP + 1):
        added = []
        while i < len(by_limit) and by_limit[i][0] < n:
            added.append(by_limit[i][1])
            i += 1
        if added:
            current = current | frozenset(added)
        table.append(current)
    return tuple(table)


_CHECKS_BY_LENGTH: Final = _checks_by_length()

# ArcSight's timestamp formats: epoch milliseconds, or MMM dd [yyyy] HH:mm:ss[.SSS] [zzz].
_ARCSIGHT_TIME: Final = re.compile(
    r"(?:\d{1,19}"
    r"|[A-Z][a-z]{2} \d{1,2}(?: \d{4})? \d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?: [A-Za-z][\w+:/-]*)?)\Z"
)
_ISO_TIME: Final = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_JAVA_PATTERN_LETTERS: Final = frozenset("GyYMLwWDdFEuaHkKhmsSzZX")
_QUOTED: Final = re.compile(r"'[^']*'")
_java_pattern_cache: dict[str, str | None] = {}


def _java_pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a Java SimpleDateFormat pattern, or None if it is."""
    try:
        return _java_pattern_cache[pattern]
    except KeyError:
        pass
    bare = _QUOTED.sub("", pattern)
    bad = sorted({c for c in bare if c.isascii() and c.isalpha()} - _JAVA_PATTERN_LETTERS)
    problem = None
    if bare.count("'") % 2:
        problem = "an unbalanced quote"
    elif bad:
        problem = "the unquoted letter(s) " + ", ".join(repr(c) for c in bad)
    if len(_java_pattern_cache) < 256:
        _java_pattern_cache[pattern] = problem
    return problem


def _timestamp_warning(key: str, value: str) -> str | None:
    if _ARCSIGHT_TIME.match(value) is not None:
        return None
    if _ISO_TIME.match(value) is not None:
        return (
            f"{key}={value} is ISO-8601, which is not among ArcSight's timestamp formats "
            "(epoch milliseconds or MMM dd yyyy HH:mm:ss.SSS zzz; the formatters' "
            "timestamp='epoch_ms' or 'arcsight')"
        )
    return (
        f"{key}={value!r} is not one of ArcSight's timestamp formats "
        "(epoch milliseconds or MMM dd yyyy HH:mm:ss.SSS zzz)"
    )


def _quote_warnings(pairs: dict[str, str]) -> list[str]:
    """Quote-wrapped values that a CEF parser split at a raw ``key=`` inside the quotes."""
    out: list[str] = []
    items = list(pairs.items())
    i = 0
    n = len(items)
    while i < n:
        key, value = items[i]
        quote = value[:1]
        if quote in ("'", '"') and not (len(value) > 1 and value.endswith(quote)):
            for j in range(i + 1, n):
                later = items[j][1]
                if later.endswith(quote) and not later.startswith(quote):
                    swallowed = [k for k, _ in items[i + 1 : j + 1]]
                    names = ", ".join(repr(k) for k in swallowed)
                    became = "a field of its own" if len(swallowed) == 1 else "fields of their own"
                    out.append(
                        f"the value of {key!r} opens a {quote} quote that closes in the value "
                        f"of {swallowed[-1]!r}: CEF does not honour quotes, so {names} "
                        f"became {became} (escape '=' inside a value as '\\=')"
                    )
                    i = j
                    break
        i += 1
    return out


def cef_warnings(event: CEFEvent, line: str) -> list[str]:
    """Spec advice for a CEF event that parsed strictly."""
    return _cef_extension_warnings(event.extensions, line)


def _cef_extension_warnings(ext: dict[str, str], line: str) -> list[str]:
    """Spec advice for the extensions of a CEF line that parsed strictly.

    C-level set look-ups pick the few keys that need a closer look (for the line's
    length), so most keys cost no Python work.
    """
    out: list[str] = []
    if not _KNOWN_KEYS.issuperset(ext):
        unknown = list(filterfalse(_KNOWN_KEYS.__contains__, ext))
        noun = "key" if len(unknown) == 1 else "keys"
        out.append(
            f"{noun} not in the CEF dictionary: {', '.join(unknown)} (ArcSight files them "
            "under additional data; custom data belongs in cs1-cs6/cn1-cn3 with their Labels)"
        )
    size = len(line)
    checks = _CHECKS_BY_LENGTH[size if size < _CHECKS_TOP else _CHECKS_TOP]
    info = _KEY_INFO
    for key in filter(checks.__contains__, ext):  # in line order
        limit, is_ts, consumer = info[key]
        value = ext[key]
        if consumer:
            out.append(
                f"{key} is a consumer key: ArcSight components set it, producers should not send it"
            )
        if limit is not None and len(value) > limit:
            out.append(
                f"the value of {key} is {len(value)} characters; the CEF dictionary allows {limit}"
            )
        # Up to 19 ASCII digits is epoch milliseconds: no regex needed.
        if is_ts and not (value.isdigit() and value.isascii() and len(value) < 20):
            problem = _timestamp_warning(key, value)
            if problem is not None:
                out.append(problem)
    # A value that opens a quote shows in the line as key=' or key=" (CEF never
    # escapes quotes); memchr-fast single-character tests first.
    if ("'" in line and "='" in line) or ('"' in line and '="' in line):
        out.extend(_quote_warnings(ext))
    if size * 4 > CEF_LINE_ADVICE_BYTES:  # else fewer bytes than that in UTF-8
        size = len(line.encode("utf-8"))
        if size > CEF_LINE_ADVICE_BYTES:
            out.append(f"the line is {size} bytes; some SmartConnector parsers truncate at ~8 KB")
    return out


def leef_warnings(event: LEEFEvent, line: str) -> list[str]:
    """Spec advice for a LEEF event that parsed strictly."""
    return _leef_attribute_warnings(event.attributes)


def _leef_attribute_warnings(attrs: dict[str, str]) -> list[str]:
    """Spec advice for the attributes of a LEEF line that parsed strictly."""
    out: list[str] = []
    dev_time = attrs.get("devTime")
    fmt = attrs.get("devTimeFormat")
    if dev_time is not None and fmt is None and not dev_time.isdigit():
        out.append(
            f"devTime={dev_time} without devTimeFormat: QRadar then reads devTime as epoch "
            "milliseconds (or guesses); send devTimeFormat with it"
        )
    if fmt is not None:
        problem = _java_pattern_problem(fmt)
        if problem is not None:
            out.append(
                f"devTimeFormat={fmt} is not a Java SimpleDateFormat pattern ({problem}); "
                "QRadar cannot use it"
            )
        elif dev_time is None:
            out.append("devTimeFormat without devTime")
    sev = attrs.get("sev")
    if sev is not None and not (sev.isdigit() and 1 <= int(sev) <= 10):
        out.append(f"sev={sev} is not an integer 1-10 (QRadar's LEEF severity scale)")
    return out


def lint_line(line: str) -> tuple[str | None, list[str]]:
    """Lint one line (no terminator): ``(error or None, warnings)``.

    The error is the strict parser's reason with a 1-based column.
    """
    cef_at = line.find("CEF:")
    leef_at = line.find("LEEF:")
    try:
        if cef_at != -1 and (leef_at == -1 or cef_at < leef_at):
            ext = _strict_cef_extensions(line, cef_at)
            return None, _cef_extension_warnings(ext, line)
        if leef_at != -1:
            attrs = _strict_leef_attributes(line, leef_at)
            return None, _leef_attribute_warnings(attrs)
    except ParseError as exc:
        return f"column {exc.position + 1}: {exc.reason}", []
    return "not a CEF or LEEF line (no 'CEF:' or 'LEEF:' found)", []


# ----------------------------------------------------------------------------- input


class _Source:
    """One input: a name for messages, a binary stream and its size (None if unknown)."""

    def __init__(self, name: str, stream: IO[bytes], size: int | None, owned: bool) -> None:
        self.name = name
        self.stream = stream
        self.size = size
        self.owned = owned

    def close(self) -> None:
        if self.owned:
            self.stream.close()


def _open(path: str) -> _Source:
    if path == "-":
        return _Source(STDIN_NAME, sys.stdin.buffer, None, owned=False)
    stream = open(path, "rb")  # closed by the caller
    try:
        st = os.fstat(stream.fileno())
        size = st.st_size if st.st_size > 0 else None
    except OSError:
        size = None
    return _Source(path, stream, size, owned=True)


def _lines(source: _Source) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes without terminator); blank lines skipped."""
    for number, raw in enumerate(source.stream, 1):
        if raw[-1:] == b"\n":
            raw = raw[:-2] if raw[-2:] == b"\r\n" else raw[:-1]
        if raw and not raw.isspace():
            yield number, raw


class _Progress:
    """``\\rFILE: 42% (123456 lines)`` on stderr, at most four times a second."""

    def __init__(self, source: _Source, stream: IO[str]) -> None:
        self.name = source.name
        self.size = source.size
        self.stream = stream
        self.last = time.monotonic()
        self.shown = False

    def update(self, lines: int, position: int) -> None:
        now = time.monotonic()
        if now - self.last < _PROGRESS_INTERVAL_S:
            return
        self.last = now
        pct = f"{min(100, 100 * position // self.size)}% " if self.size else ""
        self.stream.write(f"\r{self.name}: {pct}({lines} lines)\x1b[K")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _want_progress(source: _Source, err: IO[str]) -> bool:
    if source.size is not None and source.size < PROGRESS_MIN_BYTES:
        return False
    if source.size is None and source.name != STDIN_NAME:
        return False
    isatty = getattr(err, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


# ----------------------------------------------------------------------------- commands


class _Counts:
    __slots__ = ("errors", "files", "lines", "unreadable", "warnings")

    def __init__(self) -> None:
        self.files = self.lines = self.errors = self.warnings = self.unreadable = 0


#: lint reads its input in blocks of about this many bytes (whole lines each).
_BLOCK_BYTES: Final = 1 << 20
#: What ``bytes.isspace`` calls whitespace (``str.isspace`` has more).
_ASCII_SPACE: Final = " \t\n\r\x0b\x0c"


def _blocks(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream in blocks of whole lines: each block but the last ends with ``\n``.

    ``read1`` where the stream has it, so a pipe's lines are checked as they come.
    """
    read: Callable[[int], bytes] = getattr(stream, "read1", None) or stream.read
    pending: list[bytes] = []
    while True:
        data = read(_BLOCK_BYTES)
        if not data:
            break
        cut = data.rfind(b"\n") + 1
        if not cut:
            pending.append(data)  # no line ends in this read
            continue
        if pending:
            pending.append(data[:cut])
            yield b"".join(pending)
            pending.clear()
        else:
            yield data if cut == len(data) else data[:cut]
        if cut < len(data):
            pending.append(data[cut:])
    if pending:
        yield b"".join(pending)


def _block_lines(block: bytes) -> tuple[list[str], dict[int, int]]:
    """The lines of ``block`` without terminators (``\n`` or ``\r\n``), and for each
    line that is not valid UTF-8 (by index; its text is then ``""``) the error's offset."""
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if "\r" in text:
            text = text.replace("\r\n", "\n")  # one CR before each LF: part of the terminator
        lines = text.split("\n")
        if not lines[-1]:
            lines.pop()  # the block ended with a terminator
        return lines, {}
    lines = []
    bad: dict[int, int] = {}
    raws = block.split(b"\n")
    if not raws[-1]:
        raws.pop()
    last = len(raws) - 1 if not block.endswith(b"\n") else -1
    for i, raw in enumerate(raws):
        if raw[-1:] == b"\r" and i != last:
            raw = raw[:-1]
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            bad[i] = exc.start
            lines.append("")
    return lines, bad


def _lint_source(
    source: _Source, args: argparse.Namespace, counts: _Counts, out: IO[str], err: IO[str]
) -> None:
    show_warnings = not (args.quiet or args.no_warnings)
    write = out.write
    name = source.name
    progress = _Progress(source, err) if not args.quiet and _want_progress(source, err) else None
    position = 0
    number = 0  # line number of the last line of the previous block
    lines = 0
    errors = 0
    warnings = 0
    # Hot loop: locals only. Whole blocks are decoded and split at once, each line is
    # parsed strictly and checked, and a block's messages are written together.
    find_cef = "CEF:"
    find_leef = "LEEF:"
    cef_extensions = _strict_cef_extensions
    leef_attributes = _strict_leef_attributes
    cef_checks = _cef_extension_warnings
    leef_checks = _leef_attribute_warnings
    messages: list[str] = []
    emit = messages.append
    for block in _blocks(source.stream):
        texts, bad = _block_lines(block)
        first = number + 1
        for number, line in enumerate(texts, first):
            if bad and number - first in bad:
                lines += 1
                errors += 1
                emit(f"{name}:{number}: error: column {bad[number - first] + 1}: invalid UTF-8\n")
                continue
            if not line or (line.isspace() and not line.strip(_ASCII_SPACE)):
                continue  # blank: skipped, not counted
            lines += 1
            cef_at = line.find(find_cef)
            leef_at = line.find(find_leef) if cef_at != 0 else -1
            found: list[str]
            try:
                if cef_at != -1 and (leef_at == -1 or cef_at < leef_at):
                    ext = cef_extensions(line, cef_at)
                    if not show_warnings:
                        continue
                    found = cef_checks(ext, line)
                elif leef_at != -1:
                    attrs = leef_attributes(line, leef_at)
                    if not show_warnings:
                        continue
                    found = leef_checks(attrs)
                else:
                    errors += 1
                    emit(f"{name}:{number}: error: not a CEF or LEEF line (no 'CEF:' or 'LEEF:')\n")
                    continue
            except ParseError as exc:
                errors += 1
                emit(f"{name}:{number}: error: column {exc.position + 1}: {exc.reason}\n")
                continue
            if found:
                warnings += len(found)
                head = f"{name}:{number}: warning: "
                for message in found:
                    emit(head)
                    emit(message)
                    emit("\n")
        if messages:
            text = "".join(messages)
            messages.clear()
            write(text)
        if progress is not None:
            position += len(block)
            progress.update(lines, position)
    if progress is not None:
        progress.done()
    counts.lines += lines
    counts.errors += errors
    counts.warnings += warnings


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def cmd_lint(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    counts = _Counts()
    if args.no_warnings or args.quiet:
        # Warnings are not computed, so none can be counted or fail the run.
        args.fail_on_warning = False
    for path in args.files:
        try:
            source = _open(path)
        except OSError as exc:
            counts.unreadable += 1
            err.write(f"{PROG} lint: cannot read {path}: {exc.strerror or exc}\n")
            continue
        try:
            _lint_source(source, args, counts, out, err)
            counts.files += 1
        except OSError as exc:
            counts.unreadable += 1
            err.write(f"{PROG} lint: error reading {source.name}: {exc.strerror or exc}\n")
        finally:
            source.close()
    out.flush()
    if not args.quiet:
        summary = (
            f"{PROG} lint: {_plural(counts.lines, 'line')} in {_plural(counts.files, 'file')}: "
            f"{_plural(counts.errors, 'error')}"
        )
        if not args.no_warnings:
            summary += f", {_plural(counts.warnings, 'warning')}"
        if counts.unreadable:
            summary += f", {counts.unreadable} unreadable"
        err.write(summary + "\n")
    if counts.unreadable:
        return 2
    if counts.errors or (args.fail_on_warning and counts.warnings):
        return 1
    return 0


def event_to_dict(event: CEFEvent | LEEFEvent) -> dict[str, Any]:
    """A parsed event as a JSON-ready dict (``format`` first)."""
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


def parse_line(line: str, *, strict: bool = False) -> CEFEvent | LEEFEvent:
    """Detect CEF or LEEF (whichever marker comes first) and parse ``line``."""
    cef_at = line.find("CEF:")
    leef_at = line.find("LEEF:")
    if cef_at != -1 and (leef_at == -1 or cef_at < leef_at):
        return parse_cef(line, strict=strict)
    if leef_at != -1:
        return parse_leef(line, strict=strict)
    raise ParseError("not a CEF or LEEF line (no 'CEF:' or 'LEEF:' found)", 0)


_SHOW_TABLE: Final = {i: f"\\x{i:02x}" for i in range(0x20)} | {
    0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x7F: "\\x7f", 0x2028: "\\u2028", 0x2029: "\\u2029",
}  # fmt: skip


def _show(text: str) -> str:
    """Text on one terminal line: control characters shown as escapes."""
    return text if text.isprintable() else text.translate(_SHOW_TABLE)


def _readable(event: CEFEvent | LEEFEvent, where: str) -> str:
    if isinstance(event, CEFEvent):
        head = (
            f"{where}: CEF:{event.cef_version} vendor={_show(event.vendor)!s} "
            f"product={_show(event.product)} version={_show(event.version)}\n"
            f"  signature_id: {_show(event.signature_id)}\n"
            f"  name:         {_show(event.name)}\n"
            f"  severity:     {_show(event.severity)}\n"
        )
        pairs = event.extensions
    else:
        head = (
            f"{where}: LEEF:{event.leef_version} vendor={_show(event.vendor)} "
            f"product={_show(event.product)} version={_show(event.version)}\n"
            f"  event_id:     {_show(event.event_id)}\n"
            f"  delimiter:    {_show(event.delimiter)}\n"
        )
        pairs = event.attributes
    if event.prefix:
        head += f"  prefix:       {_show(event.prefix)}\n"
    width = max((len(k) for k in pairs), default=0)
    body = "".join(f"    {_show(k):<{width}} = {_show(v)}\n" for k, v in pairs.items())
    return head + body


def cmd_parse(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    failed = 0
    unreadable = 0
    ensure_ascii = (getattr(out, "encoding", None) or "").lower().replace("-", "") != "utf8"
    dumps = json.dumps
    for path in args.files:
        try:
            source = _open(path)
        except OSError as exc:
            unreadable += 1
            err.write(f"{PROG} parse: cannot read {path}: {exc.strerror or exc}\n")
            continue
        try:
            for number, raw in _lines(source):
                where = f"{source.name}:{number}"
                try:
                    event = parse_line(raw.decode("utf-8", "replace"), strict=args.strict)
                except ParseError as exc:
                    failed += 1
                    err.write(f"{where}: error: column {exc.position + 1}: {exc.reason}\n")
                    continue
                if args.json:
                    obj = {"file": source.name, "line": number, **event_to_dict(event)}
                    out.write(dumps(obj, ensure_ascii=ensure_ascii) + "\n")
                else:
                    out.write(_readable(event, where))
        except OSError as exc:
            unreadable += 1
            err.write(f"{PROG} parse: error reading {source.name}: {exc.strerror or exc}\n")
        finally:
            source.close()
    out.flush()
    if unreadable:
        return 2
    return 1 if failed else 0


# ----------------------------------------------------------------------------- demo


class _DemoHandler(logging.Handler):
    """Writes each record once per formatter (CEF, then LEEF) to ``stream``."""

    def __init__(self, stream: IO[str], formatters: Sequence[logging.Formatter]) -> None:
        super().__init__()
        self.stream = stream
        self.formatters = list(formatters)

    def emit(self, record: logging.LogRecord) -> None:
        for formatter in self.formatters:
            self.stream.write(formatter.format(record) + "\n")


def demo_lines(formats: Sequence[str] = ("cef", "leef")) -> list[str]:
    """The demo's lines (what ``cef-logging demo`` prints)."""
    import io

    buffer = io.StringIO()
    run_demo(buffer, formats)
    return buffer.getvalue().splitlines()


def run_demo(stream: IO[str], formats: Sequence[str] = ("cef", "leef")) -> None:
    """Log the demo events through the stdlib formatters, writing lines to ``stream``."""
    from .formatters import CEFFormatter, LEEFFormatter

    options: dict[str, Any] = {"vendor": "Example", "product": "cef-logging demo", "version": "1"}
    formatters: list[logging.Formatter] = []
    if "cef" in formats:
        formatters.append(CEFFormatter(**options))
    if "leef" in formats:
        formatters.append(LEEFFormatter(**options))
    logger = logging.Logger("shop.admin")  # stand-alone: leaves the root logger alone
    logger.addHandler(_DemoHandler(stream, formatters))

    # 1. An admin audit event: extras become extension fields (dictionary keys here).
    logger.info(
        "%s changed %s",
        "alice",
        "the refund limit",
        extra={"event_id": "admin.audit", "suser": "alice", "act": "update", "cs1": "500 EUR",
               "cs1Label": "refundLimit"},
    )  # fmt: skip
    # 2. A failed login from a source address.
    logger.warning(
        "login failed for %s",
        "bob",
        extra={"event_id": "auth.login_failed", "src": "203.0.113.7", "duser": "bob",
               "outcome": "failure", "reason": "bad password"},
    )  # fmt: skip
    # 3. An error with an exception: exceptionType, exceptionMessage, stackTrace.
    limits: dict[str, int] = {}
    try:
        limits["order-42"] += 1
    except KeyError:
        logger.exception("refund failed", extra={"event_id": "shop.refund", "cs2": "order-42",
                                                 "cs2Label": "orderId"})  # fmt: skip
    # 4. A hostile value: a newline, a pipe and '=' cannot break or forge the line.
    logger.error(
        "suspicious input",
        extra={"event_id": "input.rejected",
               "request": "/search?q=x\nCEF:0|Forged|Evil|1|x|y|10|act=pwned",
               "event_name": "input | rejected"},
    )  # fmt: skip
    stream.flush()


def cmd_demo(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    formats = ("cef", "leef") if args.format == "both" else (args.format,)
    run_demo(out, formats)
    return 0


# ----------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Check, parse and demonstrate CEF (ArcSight) and LEEF (QRadar) lines.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    lint = sub.add_parser(
        "lint",
        help="check CEF/LEEF lines (errors: invalid; warnings: spec advice)",
        description=(
            "Check CEF/LEEF lines, one per line (syslog prefixes allowed). Errors are what "
            "strict parsing refuses; warnings are spec advice. Exit status: 0 no errors, "
            "1 errors, 2 usage error or unreadable file."
        ),
    )
    lint.add_argument("files", nargs="+", metavar="FILE", help="a file, or - for stdin")
    lint.add_argument("-q", "--quiet", action="store_true",
                      help="print errors only (no warnings, summary or progress)")  # fmt: skip
    lint.add_argument("-W", "--no-warnings", action="store_true", help="do not print warnings")
    lint.add_argument("--fail-on-warning", action="store_true",
                      help="exit 1 if there are warnings, too")  # fmt: skip
    lint.set_defaults(func=cmd_lint)

    parse = sub.add_parser(
        "parse",
        help="parse CEF/LEEF lines (one JSON object per line with --json)",
        description="Parse CEF/LEEF lines (lenient unless --strict); errors go to stderr.",
    )
    parse.add_argument("files", nargs="+", metavar="FILE", help="a file, or - for stdin")
    parse.add_argument("--json", action="store_true", help="one JSON object per line")
    parse.add_argument("--strict", action="store_true", help="refuse what the specs do not allow")
    parse.set_defaults(func=cmd_parse)

    demo = sub.add_parser(
        "demo",
        help="log sample events through the CEF and LEEF formatters and print the lines",
        description="Log sample events through CEFFormatter and LEEFFormatter; print the lines.",
    )
    demo.add_argument("--format", choices=("cef", "leef", "both"), default="both")
    demo.set_defaults(func=cmd_demo)
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def _tolerant(stream: IO[str]) -> None:
    """Never die on a character the terminal's encoding lacks."""
    reconfigure: Callable[..., None] | None = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # pragma: no cover - exotic streams
            pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out, err = sys.stdout, sys.stderr
    _tolerant(out)
    _tolerant(err)
    try:
        status: int = args.func(args, out, err)
        return status
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python from
        # complaining about the flush at exit.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    except KeyboardInterrupt:
        err.write("\n")
        return 130
