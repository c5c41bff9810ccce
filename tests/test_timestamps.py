"""cef_logging._timestamps: UTC, milliseconds, never rolling into the wrong second."""

from __future__ import annotations

import calendar
import datetime as dt
import locale

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cef_logging._timestamps import (
    TIMESTAMP_FORMATS,
    make_timestamp,
    parse_timestamp,
    utc_iso_epoch_ms,
    utc_iso_text,
)

CREATED = 1777116738.421  # 2026-04-25T11:32:18.421Z


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("iso", "2026-04-25T11:32:18.421Z"),
        ("epoch_ms", "1777116738421"),
        ("arcsight", "Apr 25 2026 11:32:18.421 UTC"),
    ],
)
def test_golden(name: str, expected: str) -> None:
    assert make_timestamp(name)(CREATED) == expected


def test_leef_dev_time_formats() -> None:
    assert TIMESTAMP_FORMATS == {
        "iso": "yyyy-MM-dd'T'HH:mm:ss.SSSX",
        "epoch_ms": None,
        "arcsight": "MMM dd yyyy HH:mm:ss.SSS z",
    }


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="timestamp"):
        make_timestamp("rfc3339")


@pytest.mark.parametrize(
    ("created", "iso", "arcsight", "epoch_ms"),
    [
        (0.0, "1970-01-01T00:00:00.000Z", "Jan 01 1970 00:00:00.000 UTC", "0"),
        # 0.9999 s is 999.9 ms: floored, never rounded up into the next second
        (0.9999, "1970-01-01T00:00:00.999Z", "Jan 01 1970 00:00:00.999 UTC", "999"),
        (59.9996, "1970-01-01T00:00:59.999Z", "Jan 01 1970 00:00:59.999 UTC", "59999"),
        # before the epoch: floor goes towards -inf, so -0.5 s is 23:59:59.500
        (-0.5, "1969-12-31T23:59:59.500Z", "Dec 31 1969 23:59:59.500 UTC", "-500"),
        (-0.0001, "1969-12-31T23:59:59.999Z", "Dec 31 1969 23:59:59.999 UTC", "-1"),
        # leap day and the last millisecond of a year
        (
            calendar.timegm((2024, 2, 29, 23, 59, 59)) + 0.999,
            "2024-02-29T23:59:59.999Z", "Feb 29 2024 23:59:59.999 UTC", "1709251199999",
        ),
        (
            calendar.timegm((2025, 12, 31, 23, 59, 59)) + 0.9995,
            "2025-12-31T23:59:59.999Z", "Dec 31 2025 23:59:59.999 UTC", "1767225599999",
        ),
        # float noise: 0.421 is stored as 0.42099999..., still 421 ms
        (1777116738.421, "2026-04-25T11:32:18.421Z", "Apr 25 2026 11:32:18.421 UTC",
         "1777116738421"),
        (1.001, "1970-01-01T00:00:01.001Z", "Jan 01 1970 00:00:01.001 UTC", "1001"),
    ],
)  # fmt: skip
def test_edges(created: float, iso: str, arcsight: str, epoch_ms: str) -> None:
    assert make_timestamp("iso")(created) == iso
    assert make_timestamp("arcsight")(created) == arcsight
    assert make_timestamp("epoch_ms")(created) == epoch_ms


def test_every_month_name() -> None:
    render = make_timestamp("arcsight")
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    for month, name in enumerate(names, 1):
        assert render(calendar.timegm((2026, month, 1, 0, 0, 0))).startswith(f"{name} 01 2026")


def _non_english_locale() -> str | None:
    for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "es_ES.UTF-8", "de_DE", "fr_FR"):
        try:
            locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        return name
    return None


def test_arcsight_month_names_are_english_whatever_the_locale() -> None:
    saved = locale.setlocale(locale.LC_TIME)
    try:
        name = _non_english_locale()
        render = make_timestamp("arcsight")
        # May/Oct/Dec differ in German/French/Spanish ("Mai", "oct.", "Dez"...)
        for month, expected in ((5, "May"), (10, "Oct"), (12, "Dec")):
            assert render(calendar.timegm((2026, month, 3, 4, 5, 6))) == (
                f"{expected} 03 2026 04:05:06.000 UTC"
            )
        if name is None:
            pytest.skip("no non-English locale installed; fixed strings checked only")
    finally:
        locale.setlocale(locale.LC_TIME, saved)


def test_cache_does_not_leak_between_seconds() -> None:
    render = make_timestamp("iso")
    assert render(10.5) == "1970-01-01T00:00:10.500Z"
    assert render(11.25) == "1970-01-01T00:00:11.250Z"
    assert render(10.75) == "1970-01-01T00:00:10.750Z"


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-2_000_000_000, max_value=4_000_000_000, allow_nan=False))
def test_agrees_with_datetime(created: float) -> None:
    """Oracle: datetime (rounds to microseconds), then milliseconds floored."""
    moment = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=created)
    ms = moment.microsecond // 1000
    assert make_timestamp("iso")(created) == moment.strftime("%Y-%m-%dT%H:%M:%S") + (
        f".{ms:03d}Z"
    )
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    assert make_timestamp("arcsight")(created) == (
        f"{months[moment.month - 1]} {moment:%d %Y %H:%M:%S}.{ms:03d} UTC"
    )
    whole = calendar.timegm(moment.timetuple())
    assert make_timestamp("epoch_ms")(created) == str(whole * 1000 + ms)


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(min_value=dt.datetime(1840, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    digits=st.integers(min_value=3, max_value=6),
)
def test_utc_iso_text_shortcuts_agree_with_parsing(moment: dt.datetime, digits: int) -> None:
    """structlog's UTC ISO text, re-cut directly, equals parsing it and rendering the float
    (in the years where a float holds microseconds exactly)."""
    text = moment.isoformat(timespec="microseconds")[: 20 + digits] + "Z"
    seconds = parse_timestamp(text)
    assert seconds is not None
    shortcut = utc_iso_epoch_ms(text)
    expected = (make_timestamp("epoch_ms")(seconds),)
    # before 1970-01-01T00:00:01 the shortcut declines (the caller then parses the text)
    assert shortcut == expected if seconds >= 1 else shortcut in (None, expected)
    assert utc_iso_text(text) == (make_timestamp("iso")(seconds),)
