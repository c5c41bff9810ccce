"""Hostile-input and property tests of the core, run through every adapter.

Each test is parametrized over the stdlib formatters (``CEFFormatter`` /
``LEEFFormatter`` fed a real :class:`logging.LogRecord`) and the structlog renderers
(``CEFRenderer`` / ``LEEFRenderer`` fed the event dict structlog would build for
the same call). Whatever goes in, each adapter writes exactly one line, and the
strict parser (when :mod:`cef_logging.parse` is present) reads back exactly the
logged values after the documented replacement of control characters.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cef_logging import CEFFormatter, CEFRenderer, LEEFFormatter, LEEFRenderer

CREATED = 1777116738.421
LOGGER = "app.audit"
REPLACEMENT = "\ufffd"

#: The characters the escaping rules are about.
SPECIALS = [
    "\n", "\r", "\r\n", "|", "=", "\\", "\t", "^", " ", "\x00", "\x1b", "\x7f", "\x85",
    "\u2028", "\u2029", "\ud800", "\udfff", "\ufffd", "é", "😀", "%s", "{}",
]  # fmt: skip


# --------------------------------------------------------------------------- adapters


@dataclass(frozen=True)
class Adapter:
    """One way of turning (message, fields) into a line."""

    id: str
    kind: str  # "cef" | "leef"
    via: str  # "stdlib" | "structlog"
    options: tuple[tuple[str, Any], ...] = ()

    def make(self, **options: Any) -> Callable[..., str]:
        opts = {**dict(self.options), **options}
        if self.via == "stdlib":
            formatter = (CEFFormatter if self.kind == "cef" else LEEFFormatter)(**opts)

            def stdlib(
                message: object,
                fields: dict[Any, Any],
                logger: str = LOGGER,
                level: int = logging.INFO,
                exc_info: Any = None,
            ) -> str:
                record = logging.LogRecord(
                    logger, level, "/srv/app.py", 42, message, (), exc_info, "handler"
                )
                record.created = CREATED
                record.__dict__.update(fields)  # as Logger.makeRecord applies ``extra``
                return formatter.format(record)

            return stdlib
        renderer = (CEFRenderer if self.kind == "cef" else LEEFRenderer)(**opts)

        def structlog(
            message: object,
            fields: dict[Any, Any],
            logger: str = LOGGER,
            level: int = logging.INFO,
            exc_info: Any = None,
        ) -> str:
            method = logging.getLevelName(level).lower()
            event: dict[Any, Any] = {"event": message, "logger": logger, "level": method}
            event["timestamp"] = CREATED
            event.update(fields)
            if exc_info is not None:
                event["exc_info"] = exc_info
            line = renderer(None, method, event)
            assert isinstance(line, str)
            return line

        return structlog

    @property
    def delimiter(self) -> str:
        if self.kind == "cef":
            return " "
        return dict(self.options).get("delimiter", "\t")  # type: ignore[no-any-return]


ADAPTERS = [
    Adapter("stdlib-cef", "cef", "stdlib"),
    Adapter("structlog-cef", "cef", "structlog"),
    Adapter("stdlib-leef", "leef", "stdlib"),
    Adapter("structlog-leef", "leef", "structlog"),
    Adapter("stdlib-leef-caret", "leef", "stdlib", (("delimiter", "^"),)),
    Adapter("structlog-leef-caret", "leef", "structlog", (("delimiter", "^"),)),
]
PAIRS = [(a, b) for a in ADAPTERS for b in ADAPTERS if a.via == "stdlib" and b.via == "structlog"
         and a.kind == b.kind and a.options == b.options]  # fmt: skip

adapters = pytest.mark.parametrize("adapter", ADAPTERS, ids=[a.id for a in ADAPTERS])


# --------------------------------------------------------------------------- helpers


def expected_value(text: str) -> str:
    """The documented replacement: C0 but TAB/CR/LF, DEL, C1, U+2028/9, lone surrogates."""
    out = []
    for ch in text:
        cp = ord(ch)
        if (
            (cp < 0x20 and ch not in "\t\r\n")
            or 0x7F <= cp < 0xA0
            or cp in (0x2028, 0x2029)
            or 0xD800 <= cp < 0xE000
        ):
            out.append(REPLACEMENT)
        else:
            out.append(ch)
    return "".join(out)


def expected_header(text: str) -> str:
    """Header fields: as values, and CR / LF become a space."""
    return expected_value(text).replace("\r", " ").replace("\n", " ")


def assert_one_line(line: str) -> None:
    assert isinstance(line, str)
    assert "\n" not in line and "\r" not in line
    assert len(line.splitlines()) == 1
    line.encode("utf-8")  # no lone surrogate survives


def parser() -> Any:
    try:
        return importlib.import_module("cef_logging.parse")
    except ImportError:
        pytest.skip("cef_logging.parse is not available")


def parsed(adapter: Adapter, line: str) -> tuple[str, str | None, dict[str, str]]:
    """(signature id / event id, CEF name or None, extension) via the strict parser."""
    parse = parser()
    if adapter.kind == "cef":
        cef = parse.parse_cef(line, strict=True)
        return cef.signature_id, cef.name, dict(cef.extensions)
    leef = parse.parse_leef(line, strict=True)
    assert leef.delimiter == adapter.delimiter
    return leef.event_id, None, dict(leef.attributes)


# --------------------------------------------------------------------------- hostile inputs


class BadStr:
    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        return "BadStr()"


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class HostileStr(str):
    __slots__ = ()

    def __str__(self) -> str:
        raise RuntimeError("hostile str subclass")


class BadException(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no str")


HOSTILE_VALUES: list[tuple[str, object, str]] = [
    ("bad-str", BadStr(), "BadStr()"),
    ("unprintable", Unprintable(), "<unprintable Unprintable>"),
    ("bytes", b"caf\xc3\xa9 \xff=|", "café \ufffd=|"),
    ("bytearray", bytearray(b"a\nb"), "a\nb"),
    (
        "nested",
        {"a": {"b": [1, "x\ny", None]}, "c": (True,)},
        '{"a":{"b":[1,"x\\ny",null]},"c":[true]}',
    ),
    ("set", {3, 1, 2}, "[1,2,3]"),
    ("bool", False, "false"),
    ("float", 1e-7, "1e-07"),
    ("nan", float("nan"), "nan"),
    ("big-int", 10**30, str(10**30)),
    ("hostile-str-subclass", HostileStr("abc"), "'abc'"),  # str() raises: repr()
    ("unprintable-in-dict", {"k": Unprintable()}, '{"k":"<unprintable Unprintable>"}'),
    *[(f"special-{ord(s[0]):04x}", f"a{s}b", expected_value(f"a{s}b")) for s in SPECIALS],
    ("all-specials", "".join(SPECIALS), expected_value("".join(SPECIALS))),
    ("trailing-backslash", "end\\", "end\\"),
    ("looks-like-pair", "x k2=v2 k3=v3", "x k2=v2 k3=v3"),
    ("leading-space", "  x", "  x"),
    ("long", "0123456789\n=|\\" * 100_000, expected_value("0123456789\n=|\\" * 100_000)),
]


@adapters
@pytest.mark.parametrize(
    ("value", "expected"),
    [pytest.param(v, e, id=i) for i, v, e in HOSTILE_VALUES],
)
def test_hostile_field_value(adapter: Adapter, value: object, expected: str) -> None:
    line = adapter.make()("hostile", {"field": value, "after": "ok"})
    assert_one_line(line)
    _, _, ext = parsed(adapter, line)
    assert ext["field"] == expected
    assert ext["after"] == "ok"
    assert ext["msg"] == "hostile"


@adapters
def test_none_value(adapter: Adapter) -> None:
    line = adapter.make()("m", {"gone": None, "kept": "k"})
    assert_one_line(line)
    assert "gone" not in parsed(adapter, line)[2]
    line = adapter.make(none_value="-")("m", {"gone": None})
    assert parsed(adapter, line)[2]["gone"] == "-"


@adapters
@pytest.mark.parametrize("special", SPECIALS, ids=[f"{ord(s[0]):04x}" for s in SPECIALS])
def test_special_characters_everywhere(adapter: Adapter, special: str) -> None:
    """In the message, the logger name (SignatureID/EventID), a key and a value."""
    text = f"a{special}b"
    line = adapter.make(vendor=text, product=text, version=text)(
        text, {text: text, "plain": text}, logger=text
    )
    assert_one_line(line)
    sig, name, ext = parsed(adapter, line)
    assert sig == expected_header(text)
    if name is not None:
        assert name == expected_header(text)
    assert ext["msg"] == expected_value(text)
    assert ext["plain"] == expected_value(text)
    key = re.sub(r"[^A-Za-z0-9_]+", "", text)  # the key, sanitised ("strip")
    assert ext[key] == expected_value(text)


@adapters
def test_hostile_message(adapter: Adapter) -> None:
    for message in (Unprintable(), BadStr(), b"by\ntes", {"a": "\n"}, 12, HostileStr("h")):
        line = adapter.make()(message, {"k": "v"})
        assert_one_line(line)
        ext = parsed(adapter, line)[2]
        assert ext["k"] == "v"
        assert ext["msg"]  # stdlib: str(msg); structlog: the core's value rules


@adapters
def test_hostile_keys(adapter: Adapter) -> None:
    fields: dict[Any, Any] = {5: "five", "a=b c": "x", "\n": "nl", "": "empty", "é|ü": "u"}
    line = adapter.make()("m", fields)
    assert_one_line(line)
    ext = parsed(adapter, line)[2]
    assert ext["5"] == "five"
    assert ext["abc"] == "x"
    assert [ext[k] for k in ("field", "field_2", "field_3")] == ["nl", "empty", "u"]


@adapters
def test_hostile_exception(adapter: Adapter) -> None:
    try:
        raise BadException()
    except BadException as exc:
        info = (type(exc), exc, exc.__traceback__)
    line = adapter.make()("boom", {}, level=logging.ERROR, exc_info=info)
    assert_one_line(line)
    ext = parsed(adapter, line)[2]
    assert ext["exceptionType"].endswith("BadException")
    assert "\n" in ext["stackTrace"]


@adapters
@pytest.mark.parametrize("max_length", [64, 200, 1024])
def test_max_length_long_values(adapter: Adapter, max_length: int) -> None:
    fields = {"a": "x\n=|\\" * 10_000, "b": "é" * 5000}
    line = adapter.make(max_length=max_length)("m", fields)
    assert_one_line(line)
    assert len(line.encode("utf-8")) <= max_length
    ext = parsed(adapter, line)[2]
    assert int(ext["truncated"]) > max_length


@adapters
def test_hostile_options_text(adapter: Adapter) -> None:
    line = adapter.make(
        static_fields={"s\n": "v\r\n|=\\\x00"}, default_event_id="d|\n", rename_fields={"k": "k\n"}
    )("m", {"k": "\u2028"}, logger="")
    assert_one_line(line)
    sig, _, ext = parsed(adapter, line)
    assert sig == "d| "
    assert ext["s"] == expected_value("v\r\n|=\\\x00")
    assert ext["k"] == REPLACEMENT


# --------------------------------------------------------------------------- properties

# Any code point (surrogates included), with the special characters and sequences often.
any_chunk = st.one_of(st.sampled_from(SPECIALS), st.characters(exclude_categories=()))
any_text = st.lists(any_chunk, max_size=30).map("".join)
field_keys = st.sampled_from(["f1", "f2", "f3", "user", "src", "act"])
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@adapters
@PROPERTY
@given(message=any_text, logger=any_text, fields=st.dictionaries(field_keys, any_text))
def test_property_any_text_one_line_and_round_trip(
    adapter: Adapter, message: str, logger: str, fields: dict[str, str]
) -> None:
    line = adapter.make()(message, fields, logger=logger)
    assert_one_line(line)
    sig, name, ext = parsed(adapter, line)
    assert sig == (expected_header(logger) if logger else "Generic")
    if name is not None:
        assert name == expected_header(message)
    if message:
        assert ext["msg"] == expected_value(message)
    else:
        assert "msg" not in ext
    for key, value in fields.items():
        assert ext[key] == expected_value(value)


@adapters
@settings(PROPERTY, max_examples=50)  # a renderer per example: its tables cost ~1 ms
@given(
    header=st.tuples(any_text, any_text, any_text),
    keys=st.lists(any_text, max_size=6),
    values=st.lists(any_text, min_size=6, max_size=6),
)
def test_property_any_key_and_header_one_line(
    adapter: Adapter, header: tuple[str, str, str], keys: list[str], values: list[str]
) -> None:
    vendor, product, version = header
    fields = {k: v for k, v in zip(keys, values, strict=False) if k not in _NOT_EXTRA}
    line = adapter.make(vendor=vendor, product=product, version=version)("m", fields)
    assert_one_line(line)
    _, _, ext = parsed(adapter, line)
    assert len(ext) >= len(fields)  # every field written (sanitised, de-duplicated keys)


#: Keys that are not plain extras in one adapter or the other.
_NOT_EXTRA = frozenset(
    {*logging.LogRecord("n", 20, "p", 1, "m", (), None).__dict__, "message", "asctime",
     "event", "logger", "level", "timestamp", "exc_info", "exception", "stack", "stack_info",
     "event_id", "event_name", "event_severity"}
)  # fmt: skip


@pytest.mark.parametrize(("stdlib", "structlog"), PAIRS, ids=[b.id for _, b in PAIRS])
@PROPERTY
@given(
    message=any_text,
    logger=any_text,
    level=st.sampled_from([10, 20, 30, 40, 50]),
    keys=st.lists(any_text, max_size=6),
    values=st.lists(
        st.one_of(any_text, st.integers(), st.none(), st.floats()), min_size=6, max_size=6
    ),
)
def test_property_both_adapters_write_the_same_line(
    stdlib: Adapter,
    structlog: Adapter,
    message: str,
    logger: str,
    level: int,
    keys: list[str],
    values: list[object],
) -> None:
    """A stdlib record and the structlog event dict for the same call: the same line."""
    fields = {k: v for k, v in zip(keys, values, strict=False) if k not in _NOT_EXTRA}
    a = stdlib.make()(message, fields, logger=logger, level=level)
    b = structlog.make()(message, fields, logger=logger, level=level)
    assert a == b
    assert_one_line(a)
