"""cef_logging._extension: escaping a whole extension at once equals escaping value by value."""

from __future__ import annotations

import pytest
from _strategies import hostile_text
from hypothesis import given, settings
from hypothesis import strategies as st

from cef_logging._extension import PLACEHOLDER, ExtensionEscaper

ESCAPERS = [("cef", "\t"), ("leef", "\t"), ("leef", "^"), ("leef", "|"), ("leef", "\x01")]
values = hostile_text(max_size=10)
keys = st.from_regex(r"\A[A-Za-z0-9_]{1,8}\Z")


@pytest.mark.parametrize(("fmt", "delimiter"), ESCAPERS)
@settings(max_examples=300, deadline=None)
@given(pairs=st.lists(st.tuples(keys, values), max_size=8))
def test_whole_extension_equals_value_by_value(
    fmt: str, delimiter: str, pairs: list[tuple[str, str]]
) -> None:
    escaper = ExtensionEscaper(fmt, delimiter)
    ks = [k for k, _ in pairs]
    vs = [v for _, v in pairs]
    assert escaper.join(ks, vs) == escaper.escape_pairs(ks, vs)


@pytest.mark.parametrize(("fmt", "delimiter"), ESCAPERS)
def test_a_value_holding_the_placeholder_is_left_to_the_slow_way(
    fmt: str, delimiter: str
) -> None:
    escaper = ExtensionEscaper(fmt, delimiter)
    ext = escaper.sep.join(["a" + escaper.pair + "x" + PLACEHOLDER + "y", "b" + escaper.pair])
    placeholders = 2 if escaper.pair == PLACEHOLDER else 1
    assert escaper.escape(ext, placeholders) is None
    assert escaper.join(["a", "b"], ["x\x00y", ""]) == escaper.escape_pairs(["a", "b"],
                                                                              ["x\x00y", ""])
