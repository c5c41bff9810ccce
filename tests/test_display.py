"""cef_logging._display: untrusted text made safe for one terminal line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cef_logging._display import UNSAFE, display, is_safe, json_safe, undisplay

# One representative of every dangerous class, with its expected escape.
DANGEROUS = [
    ("\x00", "\\x00"),
    ("\t", "\\t"),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\x1b", "\\x1b"),
    ("\x1f", "\\x1f"),
    ("\x7f", "\\x7f"),
    ("\x85", "\\x85"),
    ("\x9b", "\\x9b"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
    ("\u202e", "\\u202e"),
    ("\u2066", "\\u2066"),
    ("\u200f", "\\u200f"),
    ("\u061c", "\\u061c"),
    ("\ufeff", "\\ufeff"),
    ("\ud800", "\\ud800"),
    ("\udcff", "\\udcff"),
    ("\\", "\\\\"),
]


@pytest.mark.parametrize(("raw", "escaped"), DANGEROUS)
def test_each_class_is_escaped(raw: str, escaped: str) -> None:
    assert display(f"a{raw}b") == f"a{escaped}b"
    assert not is_safe(raw)
    assert undisplay(display(f"a{raw}b")) == f"a{raw}b"


@pytest.mark.parametrize("text", ["plain", "é€😀 ünïcode", "a=b|c", "", "x" * 1000])
def test_safe_text_is_returned_unchanged(text: str) -> None:
    assert is_safe(text)
    assert display(text) is text


def test_forged_line_and_escape_stay_on_one_line() -> None:
    out = display("2024-01-01T00:00\nall.log:7: error: forged finding\x1b[2J")
    assert out == "2024-01-01T00:00\\nall.log:7: error: forged finding\\x1b[2J"
    assert len(out.splitlines()) == 1


def test_result_never_holds_an_unsafe_character() -> None:
    everything = "".join(chr(cp) for cp in sorted(UNSAFE))
    out = display(everything)
    assert not any(ord(c) in UNSAFE for c in out)
    assert out.isprintable()
    out.encode("utf-8")  # no lone surrogate left
    assert undisplay(out) == everything


def test_undisplay_rejects_unknown_escape() -> None:
    with pytest.raises(ValueError, match="unknown escape"):
        undisplay("\\q")


@given(st.text(alphabet=st.characters(codec=None)))
def test_roundtrip_and_one_printable_line(text: str) -> None:
    out = display(text)
    assert undisplay(out) == text
    assert len(out.splitlines()) <= 1
    assert not any(ord(c) in UNSAFE for c in out)
    out.encode("utf-8")


@given(st.text())
def test_json_safe_keeps_the_value(text: str) -> None:
    import json

    out = json_safe(json.dumps({"v": text}, ensure_ascii=False))
    assert json.loads(out) == {"v": text}
    assert not any(ord(c) in UNSAFE for c in out)


def test_json_safe_escapes_c1_bidi_and_surrogates() -> None:
    import json

    raw = json.dumps("a\x85\u202e\u2028\ud800\x7f", ensure_ascii=False)
    assert json_safe(raw) == '"a\\u0085\\u202e\\u2028\\ud800\\u007f"'


def test_scrub_escapes_unsafe_characters_and_keeps_backslashes() -> None:
    from cef_logging._display import scrub

    assert scrub("write \\= here") == "write \\= here"
    assert scrub("a\x1b[2J\u202e\n") == "a\\x1b[2J\\u202e\\n"
    everything = "".join(chr(cp) for cp in sorted(UNSAFE))
    assert not any(ord(c) in UNSAFE for c in scrub(everything))
