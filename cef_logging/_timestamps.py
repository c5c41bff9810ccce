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

import time
from collections.abc import Callable
from typing import Final

__all__ = ["TIMESTAMP_FORMATS", "make_timestamp"]

_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip

#: format name -> Java SimpleDateFormat pattern for LEEF ``devTimeFormat`` (None: none written)
TIMESTAMP_FORMATS: Final[dict[str, str | None]] = {
    "iso": "yyyy-MM-dd'T'HH:mm:ss.SSSX",
    "epoch_ms": None,
    "arcsight": "MMM dd yyyy HH:mm:ss.SSS z",
}


def _split(created: float) -> tuple[int, int]:
    """Whole seconds and milliseconds, flooring (never rounding up into the next second)."""
    ms_total = round(created * 1_000_000) // 1000  # microsecond rounding, then floor
    return ms_total // 1000, ms_total % 1000


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

    def render(created: float) -> str:
        nonlocal cache
        ms_total = round(created * 1_000_000) // 1000
        sec = ms_total // 1000
        cached = cache
        if cached[0] != sec:
            cached = cache = (sec, per_second(sec))
        return "%s.%03d%s" % (cached[1], ms_total - sec * 1000, tail)

    return render


def _epoch_ms(created: float) -> str:
    sec, ms = _split(created)
    return str(sec * 1000 + ms)


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
