"""Hypothesis strategies shared by the differential tests (fast path, direct renderers,
whole-extension escaping)."""

from __future__ import annotations

from hypothesis import strategies as st

#: Characters that escaping, header values and line splitting care about.
TRICKY = "=\\|\t\r\n \x00\x01\x1b\x7f\x85\u2028\u200e\xa0^:%\ufffd"


def hostile_text(max_size: int = 12, surrogates: bool = True) -> st.SearchStrategy[str]:
    """Text mixing :data:`TRICKY` characters, any UTF-8 character and (optionally) lone
    surrogates."""
    alphabet = [st.sampled_from(list(TRICKY)), st.characters(codec="utf-8")]
    if surrogates:
        alphabet.append(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF))
    return st.text(st.one_of(*alphabet), max_size=max_size)
