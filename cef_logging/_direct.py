"""Compiled shapes: structlog events of a shape seen before go from the dict to the line.

The performance trick, in one place: for an event-dict shape (its key sequence) whose
fields already have a fast-path :class:`~._fast.Plan`, :func:`compile_shape` builds a
closure that reads the message and every field value with one C-level ``itemgetter``,
checks their types in one C-level pass, maps the level name straight to the severity,
re-cuts the UTC ISO timestamp, fills the plan's %-template and escapes the extension as
:class:`~._fast.FastPath` does, then adds the header — without building
:class:`~.events.EventParts`. Anything it does not handle (an empty or non-str message or
logger, a missing or non-UTC-ISO timestamp, an unknown level, a value of another type, a
NUL) returns None and the event takes the usual path, which renders the same bytes
(``tests/test_direct.py`` proves it with hypothesis).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeAlias

from ._fast import Plan
from ._layout import Layout
from .events import RenderedTime

__all__ = ["Compiled", "compile_shape", "level_severities"]

Compiled: TypeAlias = Callable[[Mapping[str, Any]], "str | None"]

#: Value types whose ``%s`` is already their text (bool and subclasses are not).
_PLAIN_TYPES: Final = frozenset({str, int, float})


def level_severities(layout: Layout, method_levels: Mapping[str, int]) -> dict[str, int]:
    """Level names as structlog writes them -> the severity the fast path writes."""
    sevs = {name: layout.severity.severity(number) for name, number in method_levels.items()}
    if not layout.is_cef:
        sevs = {name: max(sev, 1) for name, sev in sevs.items()}  # QRadar's sev is 1-10
    return sevs


def compile_shape(
    layout: Layout,
    plan: Plan,
    keys: tuple[str, ...],
    iso_text: Callable[[str], RenderedTime | None],
    sevs: Mapping[str, int],
) -> Compiled:
    """The renderer of one shape whose field ``keys`` render through ``plan``."""
    getter = operator.itemgetter("event", *keys) if keys else _event_only
    template = plan.with_msg
    placeholders = plan.with_n
    escape = layout.ext.escape
    hcache = layout.hcache
    header = layout.header
    head = layout.prefix
    delim_slot = layout.delim_slot
    is_cef = layout.is_cef
    plain = _PLAIN_TYPES.issuperset

    def render(event_dict: Mapping[str, Any]) -> str | None:
        got = getter(event_dict)  # (message, *values)
        message = got[0]
        if type(message) is not str or not message or not plain(map(type, got)):
            return None
        get = event_dict.get
        logger = get("logger")
        raw_ts = get("timestamp")
        if type(logger) is not str or not logger or type(raw_ts) is not str:
            return None
        try:
            sev = sevs[get("level")]  # type: ignore[index]
        except (KeyError, TypeError):
            return None
        rendered = iso_text(raw_ts)
        if rendered is None:
            return None
        try:
            if is_cef:
                ext = template % (rendered[0], *got)
            else:
                ext = template % (rendered[0], sev, *got)
        except ValueError:  # an int too long for str()
            return None
        escaped = escape(ext, placeholders)
        if escaped is None:
            return None
        try:
            sig = hcache[logger]
        except KeyError:
            sig = header(logger)
        if not is_cef:
            return f"{head}{sig}|{delim_slot}{escaped}"
        try:
            name = hcache[message]
        except KeyError:
            name = header(message)
        return f"{head}{sig}|{name}|{sev}|{escaped}"

    return render


def _event_only(event_dict: Mapping[str, Any]) -> tuple[object]:
    return (event_dict["event"],)
