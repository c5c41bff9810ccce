"""cef_logging._text: escaping, key sanitising, value stringification."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest

from cef_logging import _text

R = "\ufffd"


def _fn(escaper: object) -> Callable[[str], str]:
    """The escaping function (an ``Escaper`` object's ``escape``, or the callable itself)."""
    return getattr(escaper, "escape", escaper)  # type: ignore[return-value]

# Every character that must never reach the output raw (besides the escaped ones).
UNSAFE = (
    [chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + ["\u2028", "\u2029", "\ud800", "\udbff", "\udc00", "\udfff"]
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "plain"),
        ("a|b", "a\\|b"),
        ("a\\b", "a\\\\b"),
        ("\\|", "\\\\\\|"),
        ("trailing\\", "trailing\\\\"),
        ("a=b", "a=b"),  # '=' is not special in the header
        ("line\nbreak", "line break"),
        ("cr\rlf\r\n", "cr lf  "),
        ("tab\tkept", "tab\tkept"),
        ("nul\x00esc\x1bdel\x7fnel\x85", f"nul{R}esc{R}del{R}nel{R}"),
        ("ls\u2028ps\u2029", f"ls{R}ps{R}"),
        ("lone\ud800", f"lone{R}"),
        ("é€😀", "é€😀"),
    ],
)
def test_cef_header_escaper(raw: str, expected: str) -> None:
    assert _fn(_text.cef_header_escaper())(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain text", "plain text"),
        ("a=b", "a\\=b"),
        ("C:\\dir\\f.txt", "C:\\\\dir\\\\f.txt"),
        ("pipe|kept", "pipe|kept"),
        ("two\nlines\r\n", "two\\nlines\\r\\n"),
        ("tab\tkept", "tab\tkept"),
        ("\\=", "\\\\\\="),
        ("nul\x00", f"nul{R}"),
        ("\x0b\x0c\x1c\x1d\x1e", R * 5),
        ("\u2028", R),
        ("\udfff", R),
    ],
)
def test_cef_value_escaper(raw: str, expected: str) -> None:
    assert _fn(_text.cef_value_escaper())(raw) == expected


@pytest.mark.parametrize(
    ("delimiter", "raw", "expected"),
    [
        ("\t", "a\tb", "a\\tb"),
        ("\t", "a=b|c", "a=b|c"),  # LEEF does not escape '=' or '|'
        ("\t", "x\\y\r\nz", "x\\\\y\\r\\nz"),
        ("^", "a^b\tc", "a\\^b\tc"),  # TAB is not special with another delimiter
        ("#", "#1", "\\#1"),
        ("é", "café", "caf\\é"),
        ("\x01", "a\x01b", f"a{R}b"),  # a control delimiter cannot be escaped visibly
        ("^", "nul\x00", f"nul{R}"),
    ],
)
def test_leef_value_escaper(delimiter: str, raw: str, expected: str) -> None:
    assert _fn(_text.leef_value_escaper(delimiter))(raw) == expected


@pytest.mark.parametrize("ch", UNSAFE)
def test_every_unsafe_character_is_replaced(ch: str) -> None:
    for escape in (
        _text.cef_header_escaper(),
        _text.cef_value_escaper(),
        _text.leef_value_escaper("\t"),
        _text.leef_value_escaper("^"),
    ):
        out = _fn(escape)(f"a{ch}b")
        assert out == f"a{R}b"
        assert len(out.splitlines()) == 1
        out.encode("utf-8")


def test_escapers_handle_printable_fast_path_and_specials() -> None:
    # the fast path skips translate only when no special character is present
    esc = _fn(_text.cef_value_escaper())
    assert esc("no specials here") == "no specials here"
    assert esc("x=1") == "x\\=1"
    assert esc("") == ""


@pytest.mark.parametrize(
    ("mode", "raw", "expected"),
    [
        ("strip", "user.name", "username"),
        ("strip", "Target-Id", "TargetId"),
        ("strip", "snake_case_1", "snake_case_1"),
        ("strip", "é€", "field"),
        ("strip", "", "field"),
        ("strip", "a b=c", "abc"),
        ("strip", "ünïcode_key", "ncode_key"),
        ("underscore", "user.name", "user_name"),
        ("underscore", "a..b--c", "a_b_c"),
        ("underscore", "-lead", "_lead"),
        ("underscore", "_id", "_id"),
        ("underscore", "!!!", "_"),
        ("underscore", "", "field"),
    ],
)
def test_key_sanitizer(mode: str, raw: str, expected: str) -> None:
    assert _text.make_key_sanitizer(mode)(raw) == expected


def test_callable_key_sanitizer_is_stripped_afterwards() -> None:
    sanitize = _text.make_key_sanitizer(lambda k: k.upper() + " x=y")
    assert sanitize("ab") == "ABxy"
    assert _text.make_key_sanitizer(lambda k: "")("ab") == "field"


def test_unknown_key_sanitizer() -> None:
    with pytest.raises(ValueError, match="key_sanitizer"):
        _text.make_key_sanitizer("lower")


class Hostile:
    def __str__(self) -> str:
        raise TypeError("no str")

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class ReprOnly:
    def __str__(self) -> str:
        raise TypeError("no str")

    def __repr__(self) -> str:
        return "<ReprOnly>"


class HostileStr(str):
    def __str__(self) -> str:
        raise ValueError("boom")


def test_safe_str() -> None:
    assert _text.safe_str(1) == "1"
    assert _text.safe_str(ReprOnly()) == "<ReprOnly>"
    assert _text.safe_str(Hostile()) == "<unprintable Hostile>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", "text"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-12, "-12"),
        (1.5, "1.5"),
        (b"caf\xc3\xa9", "café"),
        (b"\xff", R),
        (bytearray(b"ab"), "ab"),
        ({"a": [1, True, None]}, '{"a":[1,true,null]}'),
        ([1, "two"], '[1,"two"]'),
        ((1, 2), "[1,2]"),
        ({"b", "a"}, '["a","b"]'),
        ({"k": b"v"}, '{"k":"v"}'),
        ({"é": "ü"}, '{"é":"ü"}'),  # not ASCII-escaped
        (dt.datetime(2026, 4, 25, 11, 32, 18), "2026-04-25T11:32:18"),
        (dt.date(2026, 4, 25), "2026-04-25"),
        (None, "None"),  # to_text itself; formatters omit None
        (Hostile(), "<unprintable Hostile>"),
        ({"h": Hostile()}, '{"h":"<unprintable Hostile>"}'),
        (HostileStr("x"), "'x'"),  # str subclass with hostile __str__ falls back to repr
    ],
)
def test_to_text(value: object, expected: str) -> None:
    assert _text.to_text(value) == expected


@pytest.mark.parametrize(
    "value",
    [10**5000, -(10**5000) + 7, 3**40000, 10**4299, -(10**4300)],
    ids=["1e5000", "-1e5000+7", "3^40000", "1e4299", "-1e4300"],
)
def test_to_text_huge_int_in_full(value: int) -> None:
    # int -> str is limited to sys.get_int_max_str_digits() (4300) digits since 3.11;
    # to_text writes every digit anyway (checked against hex, which has no limit).
    text = _text.to_text(value)
    assert re.fullmatch(r"-?[1-9][0-9]*", text)
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("-")
    total = 0
    for start in range(0, len(digits), 1000):
        chunk = digits[start : start + 1000]
        total = total * 10 ** len(chunk) + int(chunk)
    assert sign * total == value


def test_to_text_int_beyond_the_documented_limit() -> None:
    value = 1 << (_text.MAX_INT_BITS + 1)
    assert _text.to_text(value) == f"<int of {_text.MAX_INT_BITS + 2} bits>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([float("nan")], "[null]"),
        ({"a": [1.5, float("inf"), {"b": float("-inf")}]}, '{"a":[1.5,null,{"b":null}]}'),
        ((float("nan"), "x"), '[null,"x"]'),
        ({float("nan")}, "[null]"),
    ],
)
def test_nested_non_finite_floats_are_json_null(value: object, expected: str) -> None:
    assert _text.to_text(value) == expected


def test_to_text_never_raises_on_cycles() -> None:
    cyc: list[object] = []
    cyc.append(cyc)
    out = _text.to_text(cyc)
    assert isinstance(out, str) and re.fullmatch(r"\[\[.*\]\]", out)


def test_json_encoder_json_is_to_text() -> None:
    assert _text.make_to_text("json") is _text.to_text
    with pytest.raises(ValueError, match="json_encoder"):
        _text.make_to_text("ujson")


@pytest.mark.parametrize(
    "value",
    [
        {"a": [1, 2.5, None, True], "b": {"c": "d=e\\f"}},
        [float("nan"), float("inf")],
        ("x", 1),
        {1: "int key"},
        {"big": 10**30},  # over 64 bits: orjson refuses, the stdlib writes it
        ["\ud800"],  # a lone surrogate: orjson refuses
        {"raw": b"caf\xc3\xa9"},
    ],
)
def test_json_encoder_orjson_writes_the_same_json(value: object) -> None:
    import json

    pytest.importorskip("orjson")
    fast = _text.make_to_text("orjson")
    assert json.loads(fast(value)) == json.loads(_text.to_text(value))
    assert fast("plain") == "plain" and fast(5) == "5"
