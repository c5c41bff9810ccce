"""Lint CEF and LEEF lines: what a SIEM will refuse, and what it will misread.

Each line is detected as CEF or LEEF (after any syslog or other prefix) and
parsed strictly (:func:`cef_logging.parse.parse_cef` / ``parse_leef`` with
``strict=True``): what the strict parser refuses is an ``error``; advice from
the specs and from what the consumers (ArcSight SmartConnectors, Elastic's
``decode_cef``, QRadar) actually read is a ``warning``; legal but noteworthy
content (custom keys) is ``info``.

Every rule is data (:data:`RULES`): a stable code such as ``CEF201``, its
severity, a one-line summary and its entry in the documentation. Findings
(:class:`Finding`) quote values from the line only through
:func:`cef_logging._display.display`, so no line can forge a finding or send a
terminal escape.

>>> [f.code for f in lint_line("CEF:0|V|P|1|S|N|5|act=x rt=2024-01-01T00:00:00Z")]
['CEF201']

Every check is linear in the length of the line.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from itertools import compress, count, filterfalse
from operator import and_, attrgetter, gt, methodcaller
from typing import Final, Literal

from ._dictionary import BY_KEY, TYPE_TIMESTAMP
from ._display import display, scrub
from .parse import (
    ParseError,
    _strict_cef_extensions,
    _strict_cef_raw_pairs,
    _strict_leef_attributes,
    _unescape_cef_value,
)

__all__ = [
    "CEF_LINE_ADVICE_BYTES",
    "DOCS_PAGE",
    "ERROR",
    "INFO",
    "MAX_PER_KEY_FINDINGS",
    "RULES",
    "RULES_BY_CODE",
    "SEVERITIES",
    "WARNING",
    "Finding",
    "Linter",
    "Rule",
    "Severity",
    "lint_line",
    "lint_lines",
]

Severity = Literal["error", "warning", "info"]
ERROR: Final = "error"
WARNING: Final = "warning"
INFO: Final = "info"
#: Severities from the most to the least severe.
SEVERITIES: Final[tuple[Severity, ...]] = ("error", "warning", "info")
#: The documentation page that holds one entry per rule code.
DOCS_PAGE: Final = "lint.md"

#: Some ArcSight SmartConnector parsers truncate lines at about 8 KB (rule CEF205).
CEF_LINE_ADVICE_BYTES: Final = 8192


@dataclass(frozen=True, slots=True)
class Rule:
    """One lint rule."""

    code: str
    """Stable code, e.g. ``"CEF201"``; select or ignore rules by it (or by a prefix)."""
    severity: Severity
    summary: str
    """One line: what the rule finds."""

    @property
    def docs(self) -> str:
        """The rule's entry in the documentation (page and anchor)."""
        return f"{DOCS_PAGE}#{self.code.lower()}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a line."""

    code: str
    """The rule's code (see :data:`RULES`)."""
    severity: Severity
    """``"error"``, ``"warning"`` or ``"info"``."""
    column: int
    """1-based column (character offset + 1) in the line; 1 for the whole line."""
    message: str
    """Human-readable, one line; values from the line are escaped."""
    key: str | None = None
    """The extension key or attribute the finding is about, if any."""


def _slot_setters() -> tuple[Callable[[object, object], None], ...]:
    return tuple(getattr(Finding, f.name).__set__ for f in fields(Finding))


_SET_CODE, _SET_SEVERITY, _SET_COLUMN, _SET_MESSAGE, _SET_KEY = _slot_setters()
_new_object: Final = object.__new__


def _finding(
    code: str, severity: Severity, column: int, message: str, key: str | None = None
) -> Finding:
    """``Finding(...)`` at about half the cost: the frozen dataclass's ``__init__`` sets
    each field through ``object.__setattr__`` by name; this calls the slot descriptors
    (a test checks both give equal objects)."""
    finding: Finding = _new_object(Finding)
    _SET_CODE(finding, code)
    _SET_SEVERITY(finding, severity)
    _SET_COLUMN(finding, column)
    _SET_MESSAGE(finding, message)
    _SET_KEY(finding, key)
    return finding


RULES: Final[tuple[Rule, ...]] = (
    Rule("LINT001", ERROR, "not a CEF or LEEF line (no 'CEF:' or 'LEEF:')"),
    Rule("LINT002", ERROR, "the line is not valid UTF-8"),
    Rule("LINT003", INFO, "a UTF-8 byte order mark at the start of the input (stripped)"),
    Rule("CEF101", ERROR, "the line is not valid CEF (the strict parser's reason)"),
    Rule("CEF201", WARNING, "a timestamp value in a format ArcSight and decode_cef do not read"),
    Rule("CEF202", WARNING, "a value longer than the CEF dictionary allows for its key"),
    Rule("CEF203", WARNING, "a consumer key that ArcSight components set, not producers"),
    Rule("CEF204", WARNING, "a quote-wrapped value with a raw 'key=' inside, split by parsers"),
    Rule("CEF205", WARNING, "a line longer than 8 KB, which some SmartConnectors truncate"),
    Rule("CEF206", WARNING, "a space after the header's last pipe"),
    Rule("CEF207", WARNING, "an extension key with '.' or '-'"),
    Rule("CEF301", INFO, "a custom key, not in the CEF dictionary"),
    Rule("CEF302", INFO, "rt or end only as the first extension field, where Splunk misses it"),
    Rule("LEEF101", ERROR, "the line is not valid LEEF (the strict parser's reason)"),
    Rule("LEEF201", WARNING, "devTime that is not epoch milliseconds, without devTimeFormat"),
    Rule("LEEF202", WARNING, "devTimeFormat that is not a Java SimpleDateFormat pattern"),
    Rule("LEEF203", WARNING, "devTimeFormat without devTime"),
    Rule("LEEF204", WARNING, "sev that is not an integer 1-10"),
)
RULES_BY_CODE: Final = {rule.code: rule for rule in RULES}

# ----------------------------------------------------------------------------- CEF checks

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
#: For a line length (as for _CHECKS_BY_LENGTH): the number of its distinct check set.
_CHECK_SETS: Final = tuple(dict.fromkeys(_CHECKS_BY_LENGTH))
_BUCKET: Final = tuple({c: i for i, c in enumerate(_CHECK_SETS)}[c] for c in _CHECKS_BY_LENGTH)

#: (the time key Splunk misses as the first field, or ""; the positions of the
#: timestamp values to look at; (position, max length) of the length-limited values).
Plan = tuple[str, tuple[int, ...], tuple[tuple[int, int], ...]]
#: Per (key sequence, check set): the positions of the values to look at on a clean
#: line, split by check so that the hot loop tests each with no per-entry branching,
#: or _NOT_CLEAN when the keys alone draw a finding (a custom key, or a consumer key,
#: which is always reported). Lines of one producer repeat a few key sequences; bounded.
_plans: dict[tuple[tuple[str, ...], int], Plan] = {}
_NOT_CLEAN: Final[Plan] = ("", (), ())
_PLANS_MAX: Final = 4096


def _splunk_misses_time(keys: tuple[str, ...] | list[str]) -> bool:
    """Splunk's CEF add-on takes the event time from the first ``rt=``/``end=`` that
    follows whitespace (props.conf ``TIME_PREFIX = \\s(end|rt)\\=``): as the first
    extension field, right after the header's pipe, it is not found."""
    return bool(keys) and keys[0] in ("rt", "end") and keys.count("rt") + keys.count("end") == 1


def _splunk_time_finding(key: str, ext_start: int) -> Finding:
    """CEF302 for ``key`` (``rt``/``end``) as the first field of the extension at
    ``ext_start`` (which holds no leading space)."""
    return _finding(
        "CEF302", INFO, ext_start + 1,
        f"{key} is the first extension field: Splunk's CEF add-on takes the event time from "
        f"{key} only after a space, so it uses the syslog time; put another field first "
        f"(the formatters' fields=[\"msg\", \"...\"])",
        key,
    )  # fmt: skip


def _plan(keys: tuple[str, ...], bucket: int) -> Plan:
    checks = _CHECK_SETS[bucket]
    entries = [(i, *_KEY_INFO[key]) for i, key in enumerate(keys) if key in checks]
    if not _KNOWN_KEYS.issuperset(keys) or any(consumer for *_, consumer in entries):
        plan = _NOT_CLEAN
    else:
        plan = (
            keys[0] if _splunk_misses_time(keys) else "",
            tuple(i for i, _, is_ts, _ in entries if is_ts),
            tuple((i, limit) for i, limit, _, _ in entries if limit is not None),
        )
    if len(keys) <= 64 and len(_plans) < _PLANS_MAX:
        _plans[(keys, bucket)] = plan
    return plan

# The timestamp formats of "Implementing ArcSight CEF" (rev 25): epoch milliseconds, or
# MMM dd [yyyy] HH:mm:ss[.SSS] [zzz]; Elastic's decode_cef reads the same set (its zone
# may also be numeric). ISO 8601 is read by neither.
_ARCSIGHT_TIME: Final = re.compile(
    r"(?:-?[0-9]{1,19}"
    r"|[A-Z][a-z]{2} {1,2}[0-9]{1,2}(?: [0-9]{4})? [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{3})?"
    r"(?: (?:[A-Za-z][\w+:/-]*|[+-][0-9]{2}:?[0-9]{2}))?)\Z"
)
_ISO_TIME: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}")
_ALLOWED_TIMES: Final = "epoch milliseconds, or MMM dd yyyy HH:mm:ss.SSS zzz"


_QUOTES: Final = ("'", '"')
_COLUMN: Final = attrgetter("column")
_DOT_OR_DASH: Final = re.compile(r"[.\-]")
#: Per line, at most this many findings of one per-key rule (then one "and N more").
MAX_PER_KEY_FINDINGS: Final = 10


class _Columns:
    """1-based column of a key of a strictly parsed extension, found with ``str.find``.

    A raw value never holds an unescaped ``=``, so `` key=`` occurs only where the key
    starts. Keys are asked for in line order within each rule, so the search goes on
    from the last key found and each rule's findings cost one pass at most.
    """

    __slots__ = ("cursor", "found", "line", "start")

    def __init__(self, line: str, ext_start: int) -> None:
        # Cheap: made for every checked line; the work waits for the first question.
        self.line = line
        self.start = ext_start
        self.found: dict[str, int] | None = None

    def __call__(self, key: str) -> int:
        line = self.line
        if self.found is None:
            start = self.start
            while line.startswith(" ", start):
                start += 1
            self.start = self.cursor = start
            self.found = {}
        column = self.found.get(key)
        if column is not None:
            return column
        start = self.start
        if line.startswith(key + "=", start):
            column = start + 1
        else:
            needle = " " + key + "="
            at = line.find(needle, self.cursor)
            if at == -1:
                at = line.find(needle, start, self.cursor + len(needle))
            if at == -1:  # pragma: no cover - every key asked for is in the line
                return start + 1
            self.cursor = at + 1
            column = at + 2
        self.found[key] = column
        return column


def _timestamp_message(key: str, value: str) -> str | None:
    if value.isdigit() and value.isascii() and len(value) <= 11:
        # Read as milliseconds by ArcSight and decode_cef: a time before March 1973.
        year = 1970 + int(value) // 31_557_600_000
        return (
            f"{key}={value} is read as milliseconds since the epoch, a time in {year}; "
            "if it counts seconds, send milliseconds (the formatters' timestamp='epoch_ms')"
        )
    if _ARCSIGHT_TIME.match(value) is not None:
        return None
    shown = display(value)
    if _ISO_TIME.match(value) is not None:
        return (
            f"{key}={shown} is ISO 8601, which ArcSight and Elastic's decode_cef do not read as "
            f"a time ({_ALLOWED_TIMES}; the formatters' timestamp='epoch_ms' or 'arcsight')"
        )
    return f"{key}={shown} is not a CEF timestamp ({_ALLOWED_TIMES})"


def _quote_findings(
    line: str,
    ext_start: int,
    keys: list[str],
    values: list[str],
    column: _Columns | None = None,
) -> list[Finding]:
    """Quote-wrapped values that a CEF parser split at a raw ``key=`` inside the quotes.

    A value that opens a quote (and does not close it) is matched with the next later
    value that closes that quote without opening it; the search goes on after it.
    Openers and closers are listed with C-level passes and matched by binary search;
    an opener without any later closer rules out every later opener of its quote, so
    the Python work is bounded by the findings reported, whatever the line.
    """
    if column is None:
        column = _Columns(line, ext_start)
    openers, closers = _quote_openers_closers(line, values)
    out: list[Finding] = []
    after = 0  # openers before this index were swallowed by an earlier match
    while openers:
        nxt = []
        for quote, found in openers.items():
            k = bisect_left(found, after)
            if k < len(found):
                nxt.append((found[k], quote))
        if not nxt:
            break
        i, quote = min(nxt)
        ends_at = closers[quote]
        k = bisect_right(ends_at, i)
        if k == len(ends_at):
            del openers[quote]  # no later value closes this quote
            continue
        j = ends_at[k]
        after = j + 1
        if len(out) == MAX_PER_KEY_FINDINGS:
            out.append(_finding("CEF204", WARNING, 1, "and more quote-wrapped values on this line"))
            break
        out.append(_swallowed_finding(keys[i], keys[i + 1 : j + 1], quote, column))
    return out


def _quote_openers_closers(
    line: str, values: list[str]
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Per quote character: the positions of the values that open it, and of those that
    close it (in order), listed with C-level passes; a quote that no value closes, or
    that no ``=`` in the line is followed by, has no entry."""
    n = len(values)
    longer = list(map((1).__lt__, map(len, values)))
    openers: dict[str, list[int]] = {}
    closers: dict[str, list[int]] = {}
    for quote in _QUOTES:
        if "=" + quote not in line:
            continue
        ends = list(map(methodcaller("endswith", quote), values))
        if not any(ends):
            continue  # nothing closes this quote: no value can swallow others
        starts = list(map(methodcaller("startswith", quote), values))
        # Opens: starts with the quote and is not wrapped in it; closes: ends, not starts.
        openers[quote] = list(compress(range(n), map(gt, starts, map(and_, ends, longer))))
        closers[quote] = list(compress(range(n), map(gt, ends, starts)))
    return openers, closers


def _swallowed_finding(key: str, swallowed: list[str], quote: str, column: _Columns) -> Finding:
    """CEF204: the value of *key* opens a quote that closes in the value of the last of
    *swallowed*, the keys a CEF parser then reads as fields of their own."""
    names = ", ".join(repr(name) for name in swallowed)
    became = "a field of its own" if len(swallowed) == 1 else "fields of their own"
    return _finding(
        "CEF204", WARNING, column(key),
        f"the value of {key!r} opens a {quote} quote that closes in the value "
        f"of {swallowed[-1]!r}: CEF does not honour quotes, so {names} "
        f"became {became} (escape '=' inside a value as '\\=')",
        key,
    )  # fmt: skip


_custom_key_messages: dict[str, str] = {}


def _custom_key_message(key: str) -> str:
    message = _custom_key_messages.get(key)
    if message is None:
        shown = display(key)
        message = (
            f"custom key {shown!r} is legal CEF, but not in the CEF dictionary: ArcSight keeps "
            f"it as additional data and other SIEMs may drop it; to land in a standard field, "
            f"send the value as one of cs1-cs6 with csNLabel={shown}"
        )
        if len(_custom_key_messages) < 1024 and len(key) < 100:
            _custom_key_messages[key] = message
    return message


def _more(code: str, severity: Severity, keys: list[str], column: _Columns, what: str) -> Finding:
    """One finding for the keys past :data:`MAX_PER_KEY_FINDINGS` on a line."""
    rest = keys[MAX_PER_KEY_FINDINGS:]
    first = rest[0]
    return _finding(
        code, severity, column(first),
        f"and {len(rest)} more {what} on this line, from {display(first)!r}",
    )  # fmt: skip


# ----------------------------------------------------------------------------- LEEF checks

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


# ----------------------------------------------------------------------------- the linter


def _clean(line: str, keys: tuple[str, ...], values: list[str], ext_start: int) -> bool:
    """True when a strictly valid CEF line draws no finding at all, decided with a few
    C-level tests and the plan of its key sequence (most lines are clean). ``values``
    may still be escaped: an escaped value is never shorter, and a timestamp with an
    escape is not all digits, so a doubt always goes to the full checks."""
    size = len(line)
    if (
        size * 4 > CEF_LINE_ADVICE_BYTES
        or line.startswith(" ", ext_start)
        or ("'" in line and "='" in line)
        or ('"' in line and '="' in line)
    ):
        return False
    bucket = _BUCKET[size]  # size < _CHECKS_TOP here
    plan = _plans.get((keys, bucket))
    if plan is None:
        plan = _plan(keys, bucket)
    if plan is _NOT_CLEAN or plan[0]:
        return False
    for i in plan[1]:
        value = values[i]
        if not (value.isdigit() and value.isascii() and 11 < len(value) < 20):
            return False
    return all(len(values[i]) <= limit for i, limit in plan[2])


#: The longest line :func:`_clean` may find clean: a longer one may be over 8 KB in UTF-8.
_MAX_CLEAN_SIZE: Final = CEF_LINE_ADVICE_BYTES // 4


def _strip_bytes_terminator(item: bytes) -> bytes:
    if item[-1:] == b"\n":
        return item[:-2] if item[-2:] == b"\r\n" else item[:-1]
    return item


def _invalid_utf8(item: bytes, exc: UnicodeDecodeError) -> Finding:
    """LINT002 for a line given as bytes that are not valid UTF-8."""
    byte = item[exc.start]
    return _finding(
        "LINT002", ERROR, exc.start + 1,
        f"invalid UTF-8 (byte 0x{byte:02x} at byte offset {exc.start})",
    )  # fmt: skip


def _byte_order_mark() -> Finding:
    return _finding("LINT003", INFO, 1, "UTF-8 byte order mark at the start (stripped)")


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(code.startswith(p) for p in patterns)


class Linter:
    """Lint lines with a fixed choice of rules and format.

    Args:
        format: ``"cef"``, ``"leef"`` or ``None`` (detect per line: whichever of
            ``CEF:`` and ``LEEF:`` comes first).
        select: Rule codes or code prefixes to run (default: all).
        ignore: Rule codes or code prefixes not to run (wins over ``select``).
        info_once: In :meth:`lines`, report an ``info`` finding once per input for
            each rule and key (a custom key on every line is said once).

    Raises:
        ValueError: an unknown format, or a ``select``/``ignore`` entry that matches
            no rule.
    """

    __slots__ = ("_on", "_seen", "checked", "format", "info_once")

    def __init__(
        self,
        *,
        format: str | None = None,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        info_once: bool = False,
    ) -> None:
        self.info_once = info_once
        self._seen: set[tuple[str, str | None]] = set()
        if format is not None:
            format = format.lower()
            if format not in ("cef", "leef"):
                raise ValueError(f"format: expected 'cef', 'leef' or None, not {format!r}")
        self.format = format
        chosen_select = [s.strip().upper() for s in select] if select is not None else None
        chosen_ignore = [s.strip().upper() for s in ignore] if ignore is not None else []
        for option, patterns in (("select", chosen_select or []), ("ignore", chosen_ignore)):
            for pattern in patterns:
                if not pattern or not any(code.startswith(pattern) for code in RULES_BY_CODE):
                    raise ValueError(f"{option}: {pattern!r} matches no rule code")
        self._on: frozenset[str] = frozenset(
            rule.code
            for rule in RULES
            if (chosen_select is None or _matches(rule.code, chosen_select))
            and not _matches(rule.code, chosen_ignore)
        )
        #: Lines checked so far (blank lines are skipped and not counted).
        self.checked = 0

    def enabled(self, code: str) -> bool:
        """True when the rule ``code`` runs."""
        return code in self._on

    def line(self, line: str) -> list[Finding]:
        """Lint one line (one trailing line terminator is ignored)."""
        if line[-1:] in ("\n", "\r"):
            line = line[:-2] if line.endswith("\r\n") else line[:-1]
        self.checked += 1
        return self._check(line)

    def lines(
        self, lines: Iterable[str | bytes], *, start: int = 1, first: bool = True
    ) -> Iterator[tuple[int, Finding]]:
        """Lint many lines: ``(line number, finding)`` for each finding, in order.

        Items may be ``str`` or ``bytes`` (decoded as UTF-8; a line that is not valid
        UTF-8 is a ``LINT002`` finding). Terminators are ignored, blank lines skipped.
        A byte order mark at the start of the first line is stripped and reported
        once (``LINT003``).

        Args:
            lines: The lines.
            start: Number of the first line.
            first: Whether the first item starts the input (for the byte order mark).
        """
        on = self._on
        check = self._detect if self.format is None else self._check
        checked = 0
        seen = self._seen
        if first:
            seen.clear()
        once = self.info_once
        try:
            for number, item in enumerate(lines, start):
                if item.__class__ is str:
                    line: str = item
                    if line and line[-1] in "\r\n":
                        line = line[:-2] if line.endswith("\r\n") else line[:-1]
                elif isinstance(item, bytes):
                    try:
                        line = _strip_bytes_terminator(item).decode("utf-8")
                    except UnicodeDecodeError as exc:
                        checked += 1
                        if "LINT002" in on:
                            yield number, _invalid_utf8(item, exc)
                        continue
                else:
                    line = str(item)
                if first:
                    first = False
                    if line[:1] == "\ufeff":
                        line = line[1:]
                        if "LINT003" in on:
                            yield number, _byte_order_mark()
                if not line or (line.isspace() and not line.strip(" \t\n\r\x0b\x0c")):
                    continue  # blank: skipped, not counted
                checked += 1
                found = check(line)
                if found:
                    for finding in found:
                        if once and finding.severity == "info":
                            seen_key = (finding.code, finding.key)
                            if seen_key in seen:
                                continue
                            seen.add(seen_key)
                        yield number, finding
        finally:
            self.checked += checked

    def _detect(self, line: str) -> Sequence[Finding]:
        """:meth:`_check` for :meth:`lines` without a format (a differential test holds
        them equal), with :meth:`_cef` and :func:`_clean` inlined: a clean CEF line costs
        one parser call. A first-field time (CEF302) already reported, with *info_once*,
        is not reported again."""
        cef_at = line.find("CEF:")
        if cef_at == -1:
            leef_at = line.find("LEEF:")
            return self._leef(line, leef_at) if leef_at != -1 else self._check(line)
        if cef_at != 0 and line.find("LEEF:", 0, cef_at) != -1:
            return self._check(line)  # LEEF: comes first
        fast = _strict_cef_raw_pairs(line, cef_at)
        if fast is None:
            return self._cef_slow(line, cef_at)
        keys, values, ext_start = fast
        size = len(line)
        if (
            size > _MAX_CLEAN_SIZE
            or line.startswith(" ", ext_start)
            or ("'" in line and "='" in line)
            or ('"' in line and '="' in line)
        ):
            return self._cef_findings(line, list(keys), values, ext_start, True)
        bucket = _BUCKET[size]
        plan = _plans.get((keys, bucket))
        if plan is None:
            plan = _plan(keys, bucket)
        if plan is _NOT_CLEAN:
            return self._cef_findings(line, list(keys), values, ext_start, True)
        time_key, times, limited = plan
        for i in times:
            value = values[i]
            if not (value.isdigit() and value.isascii() and 11 < len(value) < 20):
                return self._cef_findings(line, list(keys), values, ext_start, True)
        for i, limit in limited:
            if len(values[i]) > limit:
                return self._cef_findings(line, list(keys), values, ext_start, True)
        # Clean, but for the first-field time (CEF302): said once per input, so mostly
        # nothing to do.
        if (
            not time_key
            or "CEF302" not in self._on
            or (self.info_once and ("CEF302", time_key) in self._seen)
        ):
            return ()
        return [_splunk_time_finding(time_key, ext_start)]

    # -- one line --------------------------------------------------------------------

    def _check(self, line: str) -> list[Finding]:
        fmt = self.format
        if fmt is None:
            cef_at = line.find("CEF:")
            leef_at = line.find("LEEF:") if cef_at != 0 else -1
            if cef_at != -1 and (leef_at == -1 or cef_at < leef_at):
                return self._cef(line, cef_at)
            if leef_at != -1:
                return self._leef(line, leef_at)
        elif fmt == "cef":
            cef_at = line.find("CEF:")
            if cef_at != -1:
                return self._cef(line, cef_at)
        else:
            leef_at = line.find("LEEF:")
            if leef_at != -1:
                return self._leef(line, leef_at)
        if "LINT001" not in self._on:
            return []
        wanted = {"cef": "'CEF:'", "leef": "'LEEF:'"}.get(fmt or "", "'CEF:' or 'LEEF:'")
        return [_finding("LINT001", ERROR, 1, f"not a CEF or LEEF line (no {wanted} found)")]

    def _cef(self, line: str, at: int) -> list[Finding]:
        # Common path: strictly valid, checked without unescaping; values stay escaped
        # (``raw``) and the few values a check needs are unescaped one by one.
        fast = _strict_cef_raw_pairs(line, at)
        if fast is None:
            return self._cef_slow(line, at)
        keys, values, ext_start = fast
        if _clean(line, keys, values, ext_start):
            return []
        return self._cef_findings(line, list(keys), values, ext_start, True)

    def _cef_slow(self, line: str, at: int) -> list[Finding]:
        """A CEF line off the common path: the full strict parser decides."""
        try:
            ext, ext_start = _strict_cef_extensions(line, at)
        except ParseError as exc:
            if "CEF101" not in self._on:
                return []
            return [_finding("CEF101", ERROR, exc.position + 1, scrub(exc.reason))]
        keys, values = tuple(ext), list(ext.values())
        if _clean(line, keys, values, ext_start):
            return []
        return self._cef_findings(line, list(keys), values, ext_start, False)

    def _cef_findings(
        self, line: str, keys: list[str], values: list[str], ext_start: int, raw: bool
    ) -> list[Finding]:
        """Every finding of a strictly valid CEF line (``raw``: values still escaped)."""
        on = self._on
        out: list[Finding] = []
        column = _Columns(line, ext_start)
        if line.startswith(" ", ext_start) and "CEF206" in on:
            out.append(
                _finding(
                    "CEF206", WARNING, ext_start + 1,
                    "a space after the header's last pipe: ArcSight connectors skip it, but a "
                    "consumer that does not reads the first key with a leading space",
                )
            )  # fmt: skip
        if not _KNOWN_KEYS.issuperset(keys):
            self._unknown_key_findings(out, keys, column)
        if "CEF302" in on and _splunk_misses_time(keys) and not line.startswith(" ", ext_start):
            out.append(_splunk_time_finding(keys[0], ext_start))
        self._value_findings(out, len(line), keys, values, raw, column)
        # A value that opens a quote shows in the line as key=' or key=" (CEF never
        # escapes quotes); memchr-fast single-character tests first.
        if (("'" in line and "='" in line) or ('"' in line and '="' in line)) and "CEF204" in on:
            out.extend(_quote_findings(line, ext_start, keys, values, column))
        if len(line) * 4 > CEF_LINE_ADVICE_BYTES:  # else fewer bytes than that in UTF-8
            size = len(line.encode("utf-8", "surrogatepass"))
            if size > CEF_LINE_ADVICE_BYTES and "CEF205" in on:
                out.append(
                    _finding(
                        "CEF205", WARNING, 1,
                        f"the line is {size} bytes; some SmartConnector parsers truncate at ~8 KB",
                    )
                )  # fmt: skip
        if len(out) > 1:
            out.sort(key=_COLUMN)  # stable: line order, then rule order
        return out

    def _unknown_key_findings(self, out: list[Finding], keys: list[str], column: _Columns) -> None:
        """CEF207 (keys with '.' or '-') and CEF301 (custom keys) for the keys of a line
        that are not in the CEF dictionary, at most :data:`MAX_PER_KEY_FINDINGS` each."""
        on = self._on
        unknown = list(filterfalse(_KNOWN_KEYS.__contains__, keys))
        if "CEF207" in on:
            odd = list(filter(_DOT_OR_DASH.search, unknown))
            for key in odd[:MAX_PER_KEY_FINDINGS]:
                out.append(
                    _finding(
                        "CEF207", WARNING, column(key),
                        f"key {display(key)!r} holds '.' or '-': the CEF spec's keys are "
                        "letters and digits; ArcSight accepts such keys, but stricter "
                        "consumers may reject the line or rename the key",
                        key,
                    )
                )  # fmt: skip
            if len(odd) > MAX_PER_KEY_FINDINGS:
                out.append(_more("CEF207", WARNING, odd, column, "keys with '.' or '-'"))
        if "CEF301" in on:
            for key in unknown[:MAX_PER_KEY_FINDINGS]:
                out.append(_finding("CEF301", INFO, column(key), _custom_key_message(key), key))
            if len(unknown) > MAX_PER_KEY_FINDINGS:
                out.append(_more("CEF301", INFO, unknown, column, "custom keys"))

    def _value_findings(
        self,
        out: list[Finding],
        size: int,
        keys: list[str],
        values: list[str],
        raw: bool,
        column: _Columns,
    ) -> None:
        """CEF203 (consumer keys), CEF202 (values over their dictionary length) and CEF201
        (timestamps ArcSight does not read), in line order, for a line of *size*
        characters (``raw``: *values* still escaped)."""
        on = self._on
        checks = _CHECKS_BY_LENGTH[size if size < _CHECKS_TOP else _CHECKS_TOP]
        info = _KEY_INFO
        # Only the keys that may draw a warning reach Python code (C-level selection).
        for i in compress(count(), map(checks.__contains__, keys)):  # in line order
            key = keys[i]
            limit, is_ts, consumer = info[key]
            value = values[i]
            if raw and "\\" in value:
                value = _unescape_cef_value(value, True)
            if consumer and "CEF203" in on:
                out.append(
                    _finding(
                        "CEF203", WARNING, column(key),
                        f"{key} is a consumer key: ArcSight components set it, "
                        "producers should not send it",
                        key,
                    )
                )  # fmt: skip
            if limit is not None and len(value) > limit and "CEF202" in on:
                out.append(
                    _finding(
                        "CEF202", WARNING, column(key),
                        f"the value of {key} is {len(value)} characters; "
                        f"the CEF dictionary allows {limit}",
                        key,
                    )
                )  # fmt: skip
            # 12 to 19 ASCII digits is epoch milliseconds (1973 on): no regex needed.
            if is_ts and not (value.isdigit() and value.isascii() and 11 < len(value) < 20):
                message = _timestamp_message(key, value)
                if message is not None and "CEF201" in on:
                    out.append(_finding("CEF201", WARNING, column(key), message, key))

    def _leef(self, line: str, at: int) -> list[Finding]:
        on = self._on
        try:
            attrs = _strict_leef_attributes(line, at)
        except ParseError as exc:
            if "LEEF101" not in on:
                return []
            return [_finding("LEEF101", ERROR, exc.position + 1, scrub(exc.reason))]
        out: list[Finding] = []
        dev_time = attrs.get("devTime")
        fmt = attrs.get("devTimeFormat")
        if dev_time is not None and fmt is None and not dev_time.isdigit():
            if "LEEF201" in on:
                out.append(
                    _finding(
                        "LEEF201", WARNING, _attr_column(line, "devTime"),
                        f"devTime={display(dev_time)} without devTimeFormat: QRadar then reads "
                        "devTime as epoch milliseconds (or guesses); send devTimeFormat with it",
                        "devTime",
                    )
                )  # fmt: skip
        if fmt is not None:
            problem = _java_pattern_problem(fmt)
            if problem is not None:
                if "LEEF202" in on:
                    out.append(
                        _finding(
                            "LEEF202", WARNING, _attr_column(line, "devTimeFormat"),
                            f"devTimeFormat={display(fmt)} is not a Java SimpleDateFormat "
                            f"pattern ({display(problem)}); QRadar cannot use it",
                            "devTimeFormat",
                        )
                    )  # fmt: skip
            elif dev_time is None and "LEEF203" in on:
                out.append(
                    _finding(
                        "LEEF203", WARNING, _attr_column(line, "devTimeFormat"),
                        "devTimeFormat without devTime", "devTimeFormat",
                    )
                )  # fmt: skip
        sev = attrs.get("sev")
        if sev is not None and not (sev.isdigit() and 1 <= int(sev) <= 10) and "LEEF204" in on:
            out.append(
                _finding(
                    "LEEF204", WARNING, _attr_column(line, "sev"),
                    f"sev={display(sev)} is not an integer 1-10 (QRadar's LEEF severity scale)",
                    "sev",
                )
            )  # fmt: skip
        if len(out) > 1:
            out.sort(key=_COLUMN)
        return out


def _attr_column(line: str, key: str) -> int:
    """1-based column of the attribute ``key=`` (after a delimiter) in a LEEF line."""
    at = line.rfind(key + "=")
    return at + 1 if at != -1 else 1


_DEFAULT: Final = Linter()


def lint_line(line: str, *, format: str | None = None) -> list[Finding]:
    """Lint one line: the findings of every rule, in line order per rule group.

    Args:
        line: One CEF or LEEF line, with or without a syslog (or other) prefix; one
            trailing line terminator is ignored.
        format: ``"cef"``, ``"leef"`` or ``None`` to detect it.

    Returns:
        The findings; an empty list for a clean line.
    """
    linter = _DEFAULT if format is None else Linter(format=format)
    return linter.line(line)


def lint_lines(
    lines: Iterable[str | bytes],
    *,
    format: str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
) -> Iterator[tuple[int, Finding]]:
    """Lint many lines: ``(1-based line number, finding)`` for each finding.

    Args:
        lines: Lines as ``str`` or ``bytes`` (e.g. an open file); terminators are
            ignored and blank lines skipped. ``bytes`` that are not valid UTF-8 give a
            ``LINT002`` finding.
        format: ``"cef"``, ``"leef"`` or ``None`` to detect it per line.
        select: Rule codes or code prefixes to run (default: all).
        ignore: Rule codes or code prefixes not to run.
    """
    return Linter(format=format, select=select, ignore=ignore).lines(lines)
