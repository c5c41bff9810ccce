"""cef_logging._syslog_wire: the per-second header cache against a direct computation."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from cef_logging._syslog_wire import HeaderBuilder, header_field, syslog_severity

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def reference_5424(record: logging.LogRecord, b: HeaderBuilder) -> str:
    """The RFC 5424 header computed from scratch, without any cache."""
    stamp = datetime.fromtimestamp(int(record.created), timezone.utc)
    usec = int((record.created - int(record.created)) * 1_000_000)
    pri = b.facility * 8 + syslog_severity(record.levelno)
    procid = "-" if record.process is None else record.process
    return (
        f"<{pri}>1 {stamp:%Y-%m-%dT%H:%M:%S}.{usec:06d}Z {b.hostname} {b.app_name} "
        f"{procid} {b.msgid} - "
    )


def reference_3164(record: logging.LogRecord, b: HeaderBuilder) -> str:
    t = time.localtime(int(record.created))
    pri = b.facility * 8 + syslog_severity(record.levelno)
    return (
        f"<{pri}>{MONTHS[t.tm_mon - 1]} {t.tm_mday:2d} {t.tm_hour:02d}:{t.tm_min:02d}:"
        f"{t.tm_sec:02d} {b.hostname} {b.app_name}: "
    )


records = st.builds(
    lambda created, levelno, process: logging.makeLogRecord(
        {"created": created, "levelno": levelno, "process": process}
    ),
    created=st.floats(min_value=0, max_value=4102444800, allow_nan=False),
    levelno=st.integers(min_value=-5, max_value=80),
    process=st.one_of(st.none(), st.integers(min_value=1, max_value=2**22)),
)


@settings(max_examples=300)
@given(st.lists(records, min_size=1, max_size=8), st.integers(min_value=0, max_value=23))
def test_cached_headers_equal_the_direct_computation(
    batch: list[logging.LogRecord], facility: int
) -> None:
    """The cache is keyed by second and process: any sequence of records -- same second,
    next second, back in time, another pid -- gets exactly the uncached header."""
    b5424 = HeaderBuilder("rfc5424", facility, "host-1", "app", "MSG")
    b3164 = HeaderBuilder("rfc3164", facility, "host-1", "app", None)
    for record in batch + batch[::-1]:
        assert b5424.header(record) == reference_5424(record, b5424)
        assert b3164.header(record) == reference_3164(record, b3164)


@given(st.text(), st.integers(min_value=1, max_value=300))
def test_header_fields_are_printable_ascii_and_bounded(text: str, limit: int) -> None:
    field = header_field(text, limit)
    assert field and len(field) <= limit
    assert all(33 <= ord(c) <= 126 for c in field)
    if text:
        assert len(field) == min(len(text), limit)  # one character becomes one "_"
