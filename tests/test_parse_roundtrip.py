"""Formatter -> parser round trip: the parsers read back what the formatters write."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cef_logging import CEFFormatter, LEEFFormatter
from cef_logging.parse import parse_cef, parse_leef
from tests.conftest import make_record

# Text the formatters keep as is (they replace other control characters by U+FFFD);
# CR and LF are escaped, TAB is kept.
clean_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), whitelist_characters="\r\n\t"),
    max_size=40,
)
extras = st.dictionaries(st.from_regex(r"x_[a-z0-9_]{0,8}", fullmatch=True), clean_text, max_size=6)


@settings(max_examples=60)
@given(extra=extras, msg=clean_text)
def test_cef_formatter_round_trip(extra: dict[str, str], msg: str) -> None:
    formatter = CEFFormatter(vendor="Ven|dor\\", product="Prod", version="1.0")
    line = formatter.format(make_record(msg, extra=extra, level=logging.WARNING))
    event = parse_cef(line, strict=True)
    assert (event.vendor, event.product, event.version) == ("Ven|dor\\", "Prod", "1.0")
    # The formatter leaves out empty values.
    assert event.extensions.get("msg", "") == msg
    for key, value in extra.items():
        assert event.extensions.get(key, "") == value
    assert parse_cef(line) == event


@pytest.mark.parametrize(
    "options",
    [{}, {"delimiter": "^"}, {"delimiter": ";"}, {"delimiter": "0x2C"}, {"leef_version": "1.0"}],
)
@settings(max_examples=30)
@given(extra=extras, msg=clean_text)
def test_leef_formatter_round_trip(
    options: dict[str, Any], extra: dict[str, str], msg: str
) -> None:
    formatter = LEEFFormatter(vendor="Ven|dor", product="Prod", version="1.0", **options)
    line = formatter.format(make_record(msg, extra=extra))
    event = parse_leef(line, strict=True)
    assert event.vendor == "Ven|dor"
    assert event.attributes.get("msg", "") == msg
    for key, value in extra.items():
        assert event.attributes.get(key, "") == value
    assert parse_leef(line) == event
