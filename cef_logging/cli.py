"""The ``cef-logging`` command: ``lint``, ``parse`` and ``demo`` (and ``listen``).

Only arguments, input, output and exit codes live here: the checks are
:mod:`cef_logging.lint`, the parsers :mod:`cef_logging.parse`.

Input, for every command that reads lines: each FILE (``-`` is stdin; no FILE
reads stdin when it is not a terminal) is read as bytes in blocks; gzip, bzip2
and xz files are decompressed (recognised by their magic bytes, not their name);
any other binary input (a NUL byte in the first block) is refused with one
error; a UTF-8 byte order mark is stripped and reported once. Every value from
the input that reaches the terminal goes through
:func:`cef_logging._display.display`.

Everything here is the standard library only.
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import json
import logging
import lzma
import os
import sys
import textwrap
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, Final, cast

from ._display import display, json_safe, scrub, tolerant
from .lint import RULES, SEVERITIES, Finding, Linter
from .lint import lint_line as lint_findings
from .parse import CEFEvent, LEEFEvent, ParseError, event_to_dict, parse_event

__all__ = ["event_to_dict", "lint_line", "main", "parse_line"]

PROG: Final = "cef-logging"
STDIN_NAME: Final = "<stdin>"

#: stderr progress is shown for inputs at least this big (and only on a terminal).
PROGRESS_MIN_BYTES: Final = 16 * 1024 * 1024
_PROGRESS_INTERVAL_S: Final = 0.25
#: lint reads its input in blocks of about this many bytes (whole lines each).
_BLOCK_BYTES: Final = 1 << 20
#: How much of the start of an input is looked at to recognise compression or binary data.
_SNIFF_BYTES: Final = 8192
_BOM: Final = b"\xef\xbb\xbf"

#: Magic bytes of compressed inputs, read transparently.
_COMPRESSED: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
)
#: Magic bytes of binary formats that are refused by name (others: a NUL byte).
_BINARY: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x7fELF", "an ELF executable"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (not supported: decompress it first)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"\x89PNG", "a PNG image"),
    (b"%PDF-", "a PDF document"),
)
_DECOMPRESS_ERRORS: Final = (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError)


# ----------------------------------------------------------------------------- input


class InputError(Exception):
    """An input that cannot be read as lines (binary, corrupt); the message says why."""


class _Source:
    """One input: a name for messages (escaped), a binary stream of the (decompressed)
    content, the size of the input in bytes (None if unknown) and how far it was read."""

    def __init__(
        self, name: str, raw: IO[bytes], size: int | None, owned: bool, kind: str | None
    ) -> None:
        self.name = name
        self.raw = raw
        self.size = size
        self.owned = owned
        self.kind = kind  # "gzip", "bzip2", "xz" or None
        self.stream: IO[bytes] = raw

    def position(self, consumed: int) -> int:
        """Bytes of the input read so far (``consumed``: of the decompressed content)."""
        if self.kind is None:
            return consumed
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        if self.stream is not self.raw:
            try:
                self.stream.close()
            except _DECOMPRESS_ERRORS:
                pass
        if self.owned:
            self.raw.close()


def _peek(stream: IO[bytes], n: int) -> bytes:
    peek: Callable[[int], bytes] | None = getattr(stream, "peek", None)
    if peek is None:  # pragma: no cover - every stream used here has peek
        return b""
    return peek(n)[:n]


def _open(path: str, stdin: IO[bytes] | None = None) -> _Source:
    """Open ``path`` (``-``: stdin) and recognise compression and binary data.

    Raises:
        OSError: the file cannot be opened or read.
        InputError: binary or corrupt compressed input.
    """
    if path == "-":
        raw = stdin if stdin is not None else sys.stdin.buffer
        source = _Source(STDIN_NAME, raw, None, owned=False, kind=None)
    else:
        raw = open(path, "rb")  # closed by the caller (source.close)
        try:
            st = os.fstat(raw.fileno())
            size = st.st_size if st.st_size > 0 else None
        except OSError:
            size = None
        source = _Source(display(path), raw, size, owned=True, kind=None)
    try:
        head = _peek(raw, 8)
        for magic, kind in _COMPRESSED:
            if head.startswith(magic):
                source.kind = kind
                if kind == "gzip":
                    source.stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
                elif kind == "bzip2":
                    source.stream = bz2.BZ2File(raw, "rb")
                else:
                    source.stream = lzma.LZMAFile(raw, "rb")
                break
        try:
            head = _peek(source.stream, _SNIFF_BYTES)
        except _DECOMPRESS_ERRORS as exc:
            raise InputError(f"corrupt {source.kind} data ({exc})") from None
        for magic, what in _BINARY:
            if head.startswith(magic):
                raise InputError(f"binary input ({what}), not lines of text")
        if b"\0" in head:
            raise InputError("binary input (NUL bytes), not lines of text")
    except BaseException:
        source.close()
        raise
    return source


def _blocks(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream in blocks of whole lines: each block but the last ends with ``\\n``.

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


def _block_lines(block: bytes) -> list[str] | list[str | bytes]:
    """The lines of ``block`` without terminators (``\\n`` or ``\\r\\n``): text, or the
    raw bytes of a line that is not valid UTF-8 (the linter reports it)."""
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
        return lines
    raws = block.split(b"\n")
    if not raws[-1]:
        raws.pop()
    last = len(raws) - 1 if not block.endswith(b"\n") else -1
    out: list[str | bytes] = []
    for i, raw in enumerate(raws):
        if raw[-1:] == b"\r" and i != last:
            raw = raw[:-1]
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(raw)
    return out


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


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def _want_progress(source: _Source, err: IO[str]) -> bool:
    if source.size is not None and source.size < PROGRESS_MIN_BYTES:
        return False
    if source.size is None and source.name != STDIN_NAME:
        return False
    return _isatty(err)


def _inputs(files: list[str], command: str, err: IO[str]) -> list[str] | None:
    """The FILE arguments; stdin when none is given and stdin is not a terminal."""
    if files:
        return files
    if _isatty(sys.stdin):
        err.write(
            f"{PROG} {command}: no FILE given and stdin is a terminal "
            f"(give a FILE, - for stdin, or pipe lines in; see {PROG} {command} --help)\n"
        )
        return None
    return ["-"]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ----------------------------------------------------------------------------- lint output


def _github_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


_GITHUB_LEVEL: Final = {"error": "error", "warning": "warning", "info": "notice"}


def _formatter(kind: str) -> Callable[[str, int, Finding], str]:
    """How one finding is written (with its newline) for ``--format kind``."""
    if kind == "json":
        dumps = json.dumps

        def as_json(name: str, number: int, f: Finding) -> str:
            return dumps({
                "file": name, "line": number, "column": f.column, "code": f.code,
                "severity": f.severity, "key": f.key, "message": f.message,
            }) + "\n"  # fmt: skip

        return as_json
    if kind == "github":

        def as_github(name: str, number: int, f: Finding) -> str:
            return (
                f"::{_GITHUB_LEVEL[f.severity]} file={_github_escape(name, True)},line={number},"
                f"col={f.column},title={f.code}::{_github_escape(f.message)}\n"
            )

        return as_github

    def as_text(name: str, number: int, f: Finding) -> str:
        return f"{name}:{number}:{f.column}: {f.severity}: {f.message} [{f.code}]\n"

    return as_text


class _Counts:
    __slots__ = ("by_severity", "files", "lines", "unreadable")

    def __init__(self) -> None:
        self.files = self.lines = self.unreadable = 0
        self.by_severity = dict.fromkeys(SEVERITIES, 0)


def _lint_source(
    source: _Source,
    linter: Linter,
    args: argparse.Namespace,
    counts: _Counts,
    out: IO[str],
    err: IO[str],
) -> None:
    write = out.write
    name = source.name
    show = _formatter(args.format)
    by_severity = counts.by_severity
    quiet = args.quiet
    progress = _Progress(source, err) if not quiet and _want_progress(source, err) else None
    checked_before = linter.checked
    consumed = 0
    number = 0  # line number of the last line of the previous block
    messages: list[str] = []
    emit = messages.append
    first = True
    lines_of = linter.lines
    for block in _blocks(source.stream):
        texts = _block_lines(block)
        for line_number, finding in lines_of(texts, start=number + 1, first=first):
            by_severity[finding.severity] += 1
            emit(show(name, line_number, finding))
        first = False
        number += len(texts)
        if messages:
            write("".join(messages))
            messages.clear()
        if progress is not None:
            consumed += len(block)
            progress.update(linter.checked - checked_before, source.position(consumed))
    if progress is not None:
        progress.done()
    checked = linter.checked - checked_before
    counts.lines += checked
    if not checked and not quiet:
        err.write(f"{PROG} lint: {name}: no lines to check (empty input)\n")


def cmd_lint(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    files = _inputs(args.files, "lint", err)
    if files is None:
        return 2
    fail_on = "warning" if args.fail_on_warning and args.fail_on == "error" else args.fail_on
    ignore = list(args.ignore or ())
    if args.no_warnings or args.quiet:
        # Warnings and info are not computed, so none can be shown, counted or fail the run.
        ignore += [r.code for r in RULES if r.severity != "error"]
    try:
        linter = Linter(
            format=None if args.input_format == "auto" else args.input_format,
            select=args.select, ignore=ignore, info_once=not args.repeat_info,
        )  # fmt: skip
    except ValueError as exc:
        err.write(f"{PROG} lint: {exc}\n")
        return 2
    counts = _Counts()
    for path in files:
        try:
            source = _open(path)
        except OSError as exc:
            counts.unreadable += 1
            err.write(f"{PROG} lint: cannot read {display(path)}: {exc.strerror or exc}\n")
            continue
        except InputError as exc:
            counts.unreadable += 1
            err.write(f"{PROG} lint: {display(path)}: {display(str(exc))}\n")
            continue
        try:
            _lint_source(source, linter, args, counts, out, err)
            counts.files += 1
        except (*_DECOMPRESS_ERRORS,) as exc:
            counts.unreadable += 1
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            err.write(f"{PROG} lint: error reading {source.name}: {display(str(reason))}\n")
        finally:
            source.close()
    out.flush()
    found = counts.by_severity
    if not args.quiet:
        summary = (
            f"{PROG} lint: {_plural(counts.lines, 'line')} in {_plural(counts.files, 'file')}: "
            f"{_plural(found['error'], 'error')}"
        )
        if not args.no_warnings:
            summary += f", {_plural(found['warning'], 'warning')}"
            if found["info"]:
                summary += f", {found['info']} info"
        if counts.unreadable:
            summary += f", {counts.unreadable} unreadable"
        err.write(summary + "\n")
    if counts.unreadable:
        return 2
    if fail_on != "never":
        for severity in SEVERITIES[: SEVERITIES.index(fail_on) + 1]:
            if found[severity]:
                return 1
    return 0


def lint_line(line: str) -> tuple[str | None, list[str]]:
    """Deprecated: use :func:`cef_logging.lint.lint_line`, which returns findings with
    rule codes. Kept for earlier callers: ``(error or None, warning messages)``, the
    error as ``"column N: reason"``."""
    found = lint_findings(line)
    error = next((f for f in found if f.severity == "error"), None)
    warnings = [f.message for f in found if f.severity == "warning"]
    return (None if error is None else f"column {error.column}: {error.message}"), warnings


# ----------------------------------------------------------------------------- parse


def parse_line(line: str, *, strict: bool = False) -> CEFEvent | LEEFEvent:
    """Detect CEF or LEEF (whichever marker comes first) and parse ``line``."""
    return parse_event(line, strict=strict)


def _readable(event: CEFEvent | LEEFEvent, where: str) -> str:
    show = display
    if isinstance(event, CEFEvent):
        head = (
            f"{where}: CEF:{event.cef_version} vendor={show(event.vendor)} "
            f"product={show(event.product)} version={show(event.version)}\n"
            f"  signature_id: {show(event.signature_id)}\n"
            f"  name:         {show(event.name)}\n"
            f"  severity:     {show(event.severity)}\n"
        )
        pairs = event.extensions
    else:
        head = (
            f"{where}: LEEF:{event.leef_version} vendor={show(event.vendor)} "
            f"product={show(event.product)} version={show(event.version)}\n"
            f"  event_id:     {show(event.event_id)}\n"
            f"  delimiter:    {show(event.delimiter)}\n"
        )
        pairs = event.attributes
    if event.prefix:
        head += f"  prefix:       {show(event.prefix)}\n"
    shown = [(show(k), show(v)) for k, v in pairs.items()]
    width = max((len(k) for k, _ in shown), default=0)
    body = "".join(f"    {k:<{width}} = {v}\n" for k, v in shown)
    return head + body


def _source_lines(source: _Source) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes without terminator); blank lines skipped."""
    for number, raw in enumerate(source.stream, 1):
        if raw[-1:] == b"\n":
            raw = raw[:-2] if raw[-2:] == b"\r\n" else raw[:-1]
        if raw and not raw.isspace():
            yield number, raw


def _parse_source(
    source: _Source, args: argparse.Namespace, out: IO[str], err: IO[str]
) -> tuple[int, int]:
    """Parse every line of ``source``: (lines seen, lines that failed)."""
    ensure_ascii = (getattr(out, "encoding", None) or "").lower().replace("-", "") != "utf8"
    dumps = json.dumps
    seen = failed = 0
    if _peek(source.stream, 3) == _BOM:
        source.stream.read(3)
        err.write(f"{source.name}:1:1: info: UTF-8 byte order mark at the start (stripped)\n")
    for number, raw in _source_lines(source):
        seen += 1
        where = f"{source.name}:{number}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            level = "error" if args.strict else "warning"
            err.write(
                f"{where}:{exc.start + 1}: {level}: invalid UTF-8 "
                f"(byte 0x{raw[exc.start]:02x} at byte offset {exc.start})\n"
            )
            if args.strict:
                failed += 1
                continue
            line = raw.decode("utf-8", "replace")
        try:
            event = parse_event(line, strict=args.strict)
        except ParseError as exc:
            failed += 1
            err.write(f"{where}:{exc.position + 1}: error: {scrub(exc.reason)}\n")
            continue
        if args.json:
            obj = {"file": source.name, "line": number, **event_to_dict(event)}
            out.write(json_safe(dumps(obj, ensure_ascii=ensure_ascii)) + "\n")
        else:
            out.write(_readable(event, where))
    return seen, failed


def cmd_parse(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    files = _inputs(args.files, "parse", err)
    if files is None:
        return 2
    failed = 0
    unreadable = 0
    for path in files:
        try:
            source = _open(path)
        except OSError as exc:
            unreadable += 1
            err.write(f"{PROG} parse: cannot read {display(path)}: {exc.strerror or exc}\n")
            continue
        except InputError as exc:
            unreadable += 1
            err.write(f"{PROG} parse: {display(path)}: {display(str(exc))}\n")
            continue
        try:
            seen, bad = _parse_source(source, args, out, err)
            failed += bad
            if not seen:
                err.write(f"{PROG} parse: {source.name}: no lines to parse (empty input)\n")
        except (*_DECOMPRESS_ERRORS,) as exc:
            unreadable += 1
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            err.write(f"{PROG} parse: error reading {source.name}: {display(str(reason))}\n")
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

_LINT_EPILOG: Final = """\
exit status:
  0  no finding at or above the --fail-on level
  1  findings at or above the --fail-on level (default: any error)
  2  usage error, or an input that cannot be read (missing, binary, corrupt)

output (--format text): FILE:LINE:COLUMN: SEVERITY: MESSAGE [CODE], one per line;
  a summary on stderr. Values from the input are shown escaped (\\n, \\x1b, \\u202e).
  Rule codes and what each means: the "lint" page of the documentation.

examples:
  cef-logging lint app.log                      check a file
  cef-logging lint app.log.1.gz old.log.xz      compressed files are read as they are
  myapp 2>&1 | cef-logging lint                 check what an app prints (stdin)
  cef-logging lint --fail-on warning app.log    make warnings fail a CI job, too
  cef-logging lint --ignore CEF301 app.log      do not report custom keys
  cef-logging lint --select CEF2 app.log        only the CEF2xx warnings
  cef-logging lint --format github app.log      annotations for a GitHub Actions job
  cef-logging lint --format json app.log | jq -c 'select(.severity=="error")'
"""

_PARSE_EPILOG: Final = """\
exit status: 0 every line parsed; 1 a line did not parse (or, with --strict, is not
  valid UTF-8); 2 usage error or an input that cannot be read.

examples:
  cef-logging parse app.log                     one readable block per event
  cef-logging parse --json app.log.gz           one JSON object per line
  tail -f app.log | cef-logging parse --json --strict
"""


def _codes(text: str) -> list[str]:
    return [part for part in text.replace(" ", ",").split(",") if part]


def _extend_codes(namespace_value: list[str] | None, text: str) -> list[str]:
    return [*(namespace_value or []), *_codes(text)]


class _CodesAction(argparse.Action):
    """``--select A,B --select C`` -> ``["A", "B", "C"]``."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, _extend_codes(getattr(namespace, self.dest), str(values)))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Check, parse and demonstrate CEF (ArcSight) and LEEF (QRadar) lines.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _add_lint(sub)
    _add_parse(sub)
    _add_demo(sub)
    _add_listen(sub)
    return parser


def _add_lint(sub: Any) -> None:
    """The ``lint`` command."""
    lint = sub.add_parser(
        "lint",
        help="check CEF/LEEF lines (errors: invalid; warnings: what SIEMs misread)",
        description=textwrap.fill(
            "Check CEF/LEEF lines, one per line (syslog prefixes allowed). Errors are what "
            "strict parsing refuses; warnings are what consumers (ArcSight, Elastic, QRadar) "
            "misread; info is legal but noteworthy (custom keys). Reads stdin when no FILE is "
            "given and stdin is not a terminal; gzip, bzip2 and xz input is decompressed.",
            width=79,
        ),
        epilog=_LINT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lint.add_argument("files", nargs="*", metavar="FILE", help="a file, or - for stdin")
    lint.add_argument("--format", choices=("text", "json", "github"), default="text",
                      help="output: text (default), JSON Lines, or GitHub annotations")  # fmt: skip
    lint.add_argument("--select", action=_CodesAction, metavar="CODES",
                      help="only these rule codes or prefixes (comma-separated)")  # fmt: skip
    lint.add_argument("--ignore", action=_CodesAction, metavar="CODES",
                      help="skip these rule codes or prefixes (comma-separated)")  # fmt: skip
    lint.add_argument("--fail-on", choices=(*SEVERITIES, "never"), default="error",
                      help="exit 1 on findings this severe or worse (default: error)")  # fmt: skip
    lint.add_argument("--fail-on-warning", action="store_true",
                      help="same as --fail-on warning")  # fmt: skip
    lint.add_argument("--input-format", choices=("auto", "cef", "leef"), default="auto",
                      help="what the lines are (default: detect per line)")  # fmt: skip
    lint.add_argument("--repeat-info", action="store_true",
                      help="report info on every line (default: once per file, key)")  # fmt: skip
    lint.add_argument("-q", "--quiet", action="store_true",
                      help="print errors only (no warnings, info, summary, progress)")  # fmt: skip
    lint.add_argument("-W", "--no-warnings", action="store_true",
                      help="do not check or print warnings and info")  # fmt: skip
    lint.set_defaults(func=cmd_lint)


def _add_parse(sub: Any) -> None:
    """The ``parse`` command."""
    parse = sub.add_parser(
        "parse",
        help="parse CEF/LEEF lines (one JSON object per line with --json)",
        description=textwrap.fill(
            "Parse CEF/LEEF lines (lenient unless --strict); errors go to stderr. Reads stdin "
            "when no FILE is given and stdin is not a terminal; gzip, bzip2 and xz input is "
            "decompressed. Values are shown escaped (\\n, \\x1b) in the readable output.",
            width=79,
        ),
        epilog=_PARSE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parse.add_argument("files", nargs="*", metavar="FILE", help="a file, or - for stdin")
    parse.add_argument("--json", action="store_true", help="one JSON object per line")
    parse.add_argument("--strict", action="store_true",
                       help="refuse what the specs do not allow (and invalid UTF-8)")  # fmt: skip
    parse.set_defaults(func=cmd_parse)


def _add_demo(sub: Any) -> None:
    """The ``demo`` command."""
    demo = sub.add_parser(
        "demo",
        help="log sample events through the CEF and LEEF formatters and print the lines",
        description="Log sample events through CEFFormatter and LEEFFormatter; print the lines.",
    )
    demo.add_argument("--format", choices=("cef", "leef", "both"), default="both")
    demo.set_defaults(func=cmd_demo)


def _add_listen(sub: Any) -> None:
    """The ``listen`` command, when its module is present."""
    try:
        from . import _cli_listen  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return
    _cli_listen.add_parser(sub)


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out, err = sys.stdout, sys.stderr
    tolerant(out)
    tolerant(err)
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
