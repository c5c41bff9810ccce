"""Property tests: any text in any field gives exactly one line that a strict parser
written from the specs (``tests/_spec_parser.py``) reads back to the logged values.

The only documented lossy steps are modelled here, independently of the library:
control characters (C0 but TAB, DEL, C1, U+2028/U+2029, lone surrogates) become
U+FFFD, a line break in a header value becomes a space, keys are stripped to
``[A-Za-z0-9_]`` (empty -> ``field``) and a colliding user key gets ``_2``, ``_3``...
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from _spec_parser import LINE_BREAKS, SpecError, parse_cef, parse_leef
from conftest import make_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cef_logging import CEFFormatter, LEEFFormatter
from cef_logging._dictionary import FULL_NAME_ALIASES
from cef_logging._truncate import header_length

try:
    from cef_logging import parse as lib_parse
except ImportError:  # pragma: no cover - the parser is another helper's module
    lib_parse = None

SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

REPLACEMENT = "\ufffd"
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_RESERVED_RECORD_KEYS = frozenset(vars(make_record())) | {"message", "asctime"}
_OVERRIDE_KEYS = frozenset({"event_id", "event_name", "event_severity"})

# Text biased towards everything that is special somewhere.
_SPECIAL = [
    *"\\|= \t\r\n^#~\x00\x01\x1b\x7f\x85\x9f\u2028\u2029\ufeff\ufffdé€😀",
    "\ud800",  # lone surrogates
    "\udfff",
    " k=",
    "\\n",
    "\\=",
]
text = st.one_of(
    st.text(),
    st.text(st.characters(codec=None), max_size=30),
    st.lists(st.sampled_from(_SPECIAL) | st.text(max_size=3), max_size=12).map("".join),
)


def model_value(value: str, keep_raw: str = "\r\n") -> str:
    """What a strict reader gets back for an extension value."""
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep_raw else REPLACEMENT, value)


def model_header(value: str) -> str:
    return model_value(value.replace("\r", " ").replace("\n", " "), keep_raw="")


def model_key(raw: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "", raw) or "field"


def model_extension(
    reserved: list[str], extras: dict[str, str], aliases: dict[str, str] | None
) -> dict[str, str]:
    """Own fields keep their keys; each user key gets the smallest free ``_N`` suffix."""
    taken = set(reserved)
    out: dict[str, str] = {}
    for raw, value in extras.items():
        key = model_key(aliases.get(raw, raw) if aliases else raw)
        if key in taken:
            n = 2
            while f"{key}_{n}" in taken:
                n += 1
            key = f"{key}_{n}"
        taken.add(key)
        out[key] = value
    return out


def one_line(line: str) -> None:
    assert len(line.splitlines()) == 1, repr(line)
    for ch in LINE_BREAKS:
        assert ch not in line, repr(line)
    line.encode("utf-8")  # no lone surrogate survives


extras_st = st.dictionaries(
    text.filter(lambda k: k not in _RESERVED_RECORD_KEYS and k not in _OVERRIDE_KEYS),
    text,
    max_size=6,
)


# ------------------------------------------------------------------------------- CEF


@SETTINGS
@given(
    vendor=text, product=text, version=text, event_id=text, msg=text, extras=extras_st,
)  # fmt: skip
def test_cef_round_trip(
    vendor: str, product: str, version: str, event_id: str, msg: str, extras: dict[str, str]
) -> None:
    fmt = CEFFormatter(vendor=vendor, product=product, version=version)
    record = make_record(msg, extra={"event_id": event_id, **extras})
    line = fmt.format(record)
    one_line(line)
    event = parse_cef(line)
    assert event.header == [
        "0",
        model_header(vendor),
        model_header(product),
        model_header(version),
        model_header(event_id or "Generic"),
        model_header(msg),
        "4",
    ]
    ext = dict(event.extension)
    assert ext.pop("rt") == "1777116738421"
    if msg:
        assert ext.pop("msg") == model_value(msg)
    expected = model_extension(
        ["rt", "msg", "exceptionType", "exceptionMessage", "stackTrace", "stackInfo", "logError"],
        {k: model_value(v) for k, v in extras.items()},
        dict(FULL_NAME_ALIASES),
    )
    assert ext == expected
    if lib_parse is not None:
        parsed = lib_parse.parse_cef(line, strict=True)
        assert [
            parsed.vendor, parsed.product, parsed.version, parsed.signature_id, parsed.name,
            parsed.severity,
        ] == event.header[1:]  # fmt: skip
        assert parsed.extensions == event.extension


@SETTINGS
@given(name=text, value=st.one_of(text, st.integers(), st.booleans(), st.binary(max_size=8)))
def test_cef_logger_name_and_non_text_values(name: str, value: Any) -> None:
    line = CEFFormatter(timestamp=None).format(make_record("m", name=name, extra={"v": value}))
    one_line(line)
    event = parse_cef(line)
    assert event.header[4] == model_header(name or "Generic")
    if isinstance(value, bool):
        expected = "true" if value else "false"
    elif isinstance(value, bytes):
        expected = model_value(value.decode("utf-8", "replace"))
    else:
        expected = model_value(str(value))
    assert event.extension["v"] == expected


# Shared across examples, so per-key-sequence caches/plans inside the renderer are
# exercised: a cached plan must give what a fresh formatter gives.
_SHARED_CEF = CEFFormatter(timestamp=None)
_SHARED_LEEF = LEEFFormatter(timestamp=None, delimiter="^")


@SETTINGS
@given(
    extras=extras_st,
    values=st.lists(st.one_of(text, st.integers(), st.none(), st.floats()), min_size=6,
                    max_size=6),
)  # fmt: skip
def test_shared_formatter_matches_fresh(extras: dict[str, str], values: list[Any]) -> None:
    second = dict(zip(extras, values, strict=False))
    pairs = [
        (_SHARED_CEF, CEFFormatter(timestamp=None)),
        (_SHARED_LEEF, LEEFFormatter(timestamp=None, delimiter="^")),
    ]
    for shared, fresh in pairs:
        for extra in (extras, second, extras):
            record = make_record("m", extra=extra)
            line = shared.format(record)
            assert line == fresh.format(record)
            one_line(line)
            (parse_cef if line.startswith("CEF") else parse_leef)(line)


# ------------------------------------------------------------------------------- LEEF

DELIMITERS = ["\t", "x09", "^", "0x5E", "#", "~", ",", ";", "\x01", "x1F", "é", "€", "\u00a0"]


@SETTINGS
@given(
    delimiter=st.sampled_from(DELIMITERS),
    vendor=text, product=text, version=text, event_id=text, msg=text, extras=extras_st,
)  # fmt: skip
def test_leef2_round_trip(
    delimiter: str,
    vendor: str,
    product: str,
    version: str,
    event_id: str,
    msg: str,
    extras: dict[str, str],
) -> None:
    fmt = LEEFFormatter(
        vendor=vendor, product=product, version=version, delimiter=delimiter
    )
    line = fmt.format(make_record(msg, extra={"event_id": event_id, **extras}))
    one_line(line)
    event = parse_leef(line)
    check_leef(event, fmt.renderer.layout.sep, vendor, product, version, event_id, msg, extras)
    if lib_parse is not None:
        parsed = lib_parse.parse_leef(line, strict=True)
        assert parsed.delimiter == event.delimiter
        assert [parsed.vendor, parsed.product, parsed.version, parsed.event_id] == (
            event.header[1:]
        )
        assert parsed.attributes == event.extension


@SETTINGS
@given(vendor=text, event_id=text, msg=text, extras=extras_st)
def test_leef1_round_trip(vendor: str, event_id: str, msg: str, extras: dict[str, str]) -> None:
    fmt = LEEFFormatter(vendor=vendor, leef_version="1.0")
    line = fmt.format(make_record(msg, extra={"event_id": event_id, **extras}))
    one_line(line)
    event = parse_leef(line)
    assert event.header[0] == "1.0"
    check_leef(event, "\t", vendor, "python", "1.0", event_id, msg, extras)


def check_leef(
    event: Any,
    delim: str,
    vendor: str,
    product: str,
    version: str,
    event_id: str,
    msg: str,
    extras: dict[str, str],
) -> None:
    assert event.delimiter == delim
    assert event.header[1:] == [
        model_header(vendor),
        model_header(product),
        model_header(version),
        model_header(event_id or "Generic"),
    ]
    # The delimiter round-trips when it can be escaped visibly (TAB or printable);
    # a control-character delimiter is replaced like any other control character.
    keep = "\r\n" + (delim if delim == "\t" or delim.isprintable() else "")
    ext = dict(event.extension)
    assert ext.pop("devTime") == "2026-04-25T11:32:18.421Z"
    assert ext.pop("devTimeFormat") == "yyyy-MM-dd'T'HH:mm:ss.SSSX"
    assert ext.pop("sev") == "4"
    if msg:
        assert ext.pop("msg") == model_value(msg, keep)
    expected = model_extension(
        ["devTime", "devTimeFormat", "sev", "msg", "exceptionType", "exceptionMessage",
         "stackTrace", "stackInfo", "logError"],
        {k: model_value(v, keep) for k, v in extras.items()},
        None,  # LEEF has no CEF full-name aliases by default
    )
    assert ext == expected


# ------------------------------------------------------------------------- truncation


@SETTINGS
@given(
    kind=st.sampled_from(["cef", "leef-tab", "leef-caret"]),
    vendor=text,
    msg=text,
    extras=extras_st,
    limit=st.integers(64, 400),
)
def test_max_length(kind: str, vendor: str, msg: str, extras: dict[str, str], limit: int) -> None:
    if kind == "cef":
        fmt: logging.Formatter = CEFFormatter(vendor=vendor, max_length=limit)
        parse = parse_cef
    else:
        fmt = LEEFFormatter(
            vendor=vendor, max_length=limit, delimiter="\t" if kind == "leef-tab" else "^"
        )
        parse = parse_leef
    leef_opts = {} if kind == "cef" else {"delimiter": fmt.renderer.layout.sep}
    full = type(fmt)(vendor=vendor, **leef_opts)
    record = make_record(msg * 3, extra=extras)
    whole = full.format(record)
    line = fmt.format(record)
    one_line(line)
    event = parse(line)  # still strictly valid
    size = len(whole.encode("utf-8"))
    if size <= limit:
        assert line == whole
        return
    assert event.extension["truncated"] == str(size)
    # the header ends after its last unescaped pipe (escaped \| may occur in header values)
    header = whole[: header_length(whole, 7 if kind == "cef" else 6)]
    marker = f"truncated={size}"
    if len(header.encode()) + len(marker) + 1 <= limit:
        assert len(line.encode("utf-8")) <= limit
    # what is kept is a prefix of the full line, cut between characters/escapes
    kept = line[: line.rindex(marker) - 1] if line != header + marker else header
    assert whole.startswith(kept)
    run = len(kept) - len(kept.rstrip("\\"))
    assert run % 2 == 0


def test_spec_parser_rejects_bad_lines() -> None:
    for bad in [
        "CEF:0|a|b|c|d|e|4",  # 6 pipes only
        "CEF:0|a|b\\x|c|d|e|4|",  # bad header escape
        "CEF:0|a|b|c|d|e|4|k=a\\tb",  # bad extension escape
        "CEF:0|a|b|c|d|e|4|k=a=b",  # raw '='
        "CEF:0|a|b|c|d|e|4|k=a k=b",  # duplicate key
        "CEF:0|a|b|c|d|e|4|k=a\nb",  # raw line break
        "LEEF:2.0|a|b|c|d|^|k=a\\tb",  # \t is not an escape with '^'
        "LEEF:2.0|a|b|c|d|^|k=a^^j=b",  # empty attribute
        "LEEF:1.0|a|b|c|d|k=a\tnokey",
    ]:
        with pytest.raises(SpecError):
            (parse_cef if bad.startswith("CEF") else parse_leef)(bad)
