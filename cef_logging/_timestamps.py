"""Timestamp rendering: the one place that turns an epoch float into text.

All timestamps are UTC. Formats (option ``timestamp``):

``"iso"`` (default)
    ``2026-04-25T11:32:18.421Z`` - ISO 8601, milliseconds, ``Z``. For LEEF,
    ``devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX`` (Java SimpleDateFormat:
    ``S`` is milliseconds, so exactly three digits; ``X`` reads ``Z`` as UTC).
``"epoch_ms"``
    ``1777116738421`` - milliseconds since the epoch. LEEF writes no
    ``devTimeFormat`` (epoch milliseconds is QRadar's default for devTime).
``"arcsight"``
    ``Apr 25 2026 11:32:18.421 UTC`` - ArcSight's ``MMM dd yyyy HH:mm:ss.SSS zzz``,
    English month names whatever the locale. LEEF:
    ``devTimeFormat=MMM dd yyyy HH:mm:ss.SSS z``.
``None`` / ``"off"``
    no timestamp field.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Final, TypeAlias

__all__ = [
    "MAX_EPOCH",
    "MIN_EPOCH",
    "TIMESTAMP_FORMATS",
    "RenderedTime",
    "make_timestamp",
    "parse_timestamp",
    "utc_iso_epoch_ms",
    "utc_iso_text",
]

_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip

#: format name -> Java SimpleDateFormat pattern for LEEF ``devTimeFormat`` (None: none written)
TIMESTAMP_FORMATS: Final[dict[str, str | None]] = {
    "iso": "yyyy-MM-dd'T'HH:mm:ss.SSSX",
    "epoch_ms": None,
    "arcsight": "MMM dd yyyy HH:mm:ss.SSS z",
}


def _ms_total(created: float) -> int:
    """Milliseconds since the epoch: rounded to the microsecond (as :mod:`datetime` does),
    then floored to the millisecond — never rounded up into the next millisecond or second
    by float noise such as ``.4209999999``, nor by a fraction just under half a microsecond.
    """
    second = math.floor(created)
    return second * 1000 + round((created - second) * 1e6) // 1000  # exact: created - second


def _split(created: float) -> tuple[int, int]:
    """Whole seconds and milliseconds."""
    return divmod(_ms_total(created), 1000)


def _iso_seconds(sec: int) -> str:
    t = time.gmtime(sec)
    return "%04d-%02d-%02dT%02d:%02d:%02d" % (
        t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)  # fmt: skip


def _arcsight_seconds(sec: int) -> str:
    t = time.gmtime(sec)
    return "%s %02d %04d %02d:%02d:%02d" % (
        _MONTHS[t.tm_mon - 1], t.tm_mday, t.tm_year, t.tm_hour, t.tm_min, t.tm_sec)  # fmt: skip


def _cached(per_second: Callable[[int], str], tail: str) -> Callable[[float], str]:
    """Render ``per_second(sec) + ".mmm" + tail``, caching the per-second part."""
    cache: tuple[int, str] = (-(2**62), "")  # replaced whole, so threads never mix halves
    fmt = "%s.%03d" + tail.replace("%", "%%")

    def render(created: float) -> str:
        nonlocal cache
        # _split, inlined (created - sec is exact, as datetime's); int() floors from 0 up
        sec = int(created) if created >= 0 else int(created // 1)
        ms = round((created - sec) * 1e6) // 1000
        if ms == 1000:
            sec, ms = sec + 1, 0
        cached = cache
        if cached[0] != sec:
            cached = cache = (sec, per_second(sec))
        return fmt % (cached[1], ms)

    return render


def _epoch_ms(created: float) -> str:
    second = int(created) if created >= 0 else int(created // 1)  # _ms_total, inlined
    return str(second * 1000 + round((created - second) * 1e6) // 1000)


def make_timestamp(name: str) -> Callable[[float], str]:
    """Return the renderer ``epoch seconds -> text`` for the format ``name``."""
    if name == "iso":
        return _cached(_iso_seconds, "Z")
    if name == "arcsight":
        return _cached(_arcsight_seconds, " UTC")
    if name == "epoch_ms":
        return _epoch_ms
    raise ValueError(
        f"timestamp must be one of {sorted(TIMESTAMP_FORMATS)} or None, not {name!r}"
    )


# ------------------------------------------------------------------------------ parsing

#: Epoch seconds accepted as a timestamp: years 1 to 9999.
MIN_EPOCH: Final = -62135596800.0
MAX_EPOCH: Final = 253402300799.0
_fromisoformat: Final = datetime.fromisoformat


#: Seconds, a fraction of any length, and the rest (zone): what Python 3.10's
#: ``fromisoformat`` cannot read when the fraction is not 3 or 6 digits long.
_ISO_FRACTION: Final = re.compile(r"(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)").fullmatch


def _parse_iso_compat(text: str) -> float | None:
    """ISO 8601 text that ``fromisoformat`` refused on this Python: a ``Z`` zone (3.10) or
    a fraction of other than 3 or 6 digits (3.10), read as 3.11+ reads them."""
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    match = _ISO_FRACTION(text)
    if match is not None:
        head, fraction, zone = match.groups()
        text = f"{head}.{fraction[:6].ljust(6, '0')}{zone}"
    try:
        return _fromisoformat(text).timestamp()
    except (ValueError, OverflowError, OSError):
        return None


def parse_timestamp(value: object) -> float | None:
    """Epoch seconds for a ``timestamp`` value, or None when it cannot be read.

    ISO 8601 strings (``Z`` or an offset; naive means local time, as
    ``TimeStamper(utc=False)`` writes), int/float epoch seconds and
    :class:`~datetime.datetime` objects (naive = local time).
    """
    tp = type(value)
    if tp is str:
        try:
            return _fromisoformat(value).timestamp()  # type: ignore[arg-type]
        except (ValueError, OverflowError, OSError):
            pass
        return _parse_iso_compat(value)  # type: ignore[arg-type]
    if tp is float or tp is int:
        seconds = float(value)  # type: ignore[arg-type]
    elif isinstance(value, datetime):
        try:
            return value.timestamp()
        except Exception:
            return None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except Exception:
            return None
    else:
        return None
    if math.isfinite(seconds) and MIN_EPOCH <= seconds <= MAX_EPOCH:
        return seconds
    return None


#: A timestamp already in the ``"iso"`` output form, as a 1-tuple (cheaper than an object);
#: made only by :func:`utc_iso_text`.
RenderedTime: TypeAlias = tuple[str]


_UTC_ISO_SECOND: Final = re.compile(
    r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d"
).fullmatch
_last_second: tuple[str, bool] = ("", False)  # replaced whole: thread-safe


def _valid_second(head: str) -> bool:
    if _UTC_ISO_SECOND(head) is None:
        return False
    try:
        date.fromisoformat(head[:10])  # e.g. February 30
    except ValueError:
        return False
    return True


def utc_iso_text(value: str) -> RenderedTime | None:
    """``2026-04-25T11:32:18.421312Z`` (structlog's ``TimeStamper(fmt="iso", utc=True)``) as
    the ``"iso"`` output ``2026-04-25T11:32:18.421Z``, without a round trip through a float;
    None for anything else (which then goes through :func:`parse_timestamp`).

    Cutting 3 to 6 fraction digits to 3 is the same floor to the millisecond as rendering
    the parsed float. The date and time part is validated once per second seen.
    """
    global _last_second
    last = _last_second
    head = value[:19]
    if head != last[0]:
        last = _last_second = (head, _valid_second(head))
    if last[1] and 24 <= len(value) <= 27 and value[19] == "." and value[-1] == "Z":
        fraction = value[20:-1]
        if fraction.isdigit() and fraction.isascii():
            return (value[:23] + "Z",)
    return None


_last_epoch: tuple[str, str | None] = ("", None)  # replaced whole: thread-safe


def _epoch_prefix(head: str) -> str | None:
    """The epoch second of a valid ``YYYY-MM-DDTHH:MM:SS`` (UTC) as text, when it is at
    least 1 (so that appending the 3 millisecond digits gives the epoch milliseconds)."""
    if not _valid_second(head):
        return None
    second = int(_fromisoformat(head + "+00:00").timestamp())
    return str(second) if second >= 1 else None


def utc_iso_epoch_ms(value: str) -> RenderedTime | None:
    """``2026-04-25T11:32:18.421312Z`` as the ``"epoch_ms"`` output ``1777116738421``,
    without parsing it whole (the epoch second is worked out once per second seen); None for
    anything else (which then goes through :func:`parse_timestamp`)."""
    global _last_epoch
    last = _last_epoch
    head = value[:19]
    if head != last[0]:
        last = _last_epoch = (head, _epoch_prefix(head))
    if last[1] is not None and 24 <= len(value) <= 27 and value[19] == "." and value[-1] == "Z":
        fraction = value[20:-1]
        if fraction.isdigit() and fraction.isascii():
            return (last[1] + value[20:23],)
    return None
