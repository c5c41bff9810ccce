"""Exception fields: ``exceptionType``, ``exceptionMessage``, ``stackTrace``, ``stackInfo``.

From a live exception (``exc_info``) everything is known. From an already formatted
traceback (``exc_text``, e.g. a record that came through a socket or a queue) the type and
message are read only where the text says so unambiguously: after the last
``Traceback (most recent call last):`` line and its indented frame lines, a line
``Type: message`` (or ``Type``) whose type is a dotted name. The message runs to the end
of the text (a multi-line message, and any notes, stay in it). Anything else — exception
groups, hand-made text — gives no type or message; ``stackTrace`` always keeps the text.
"""

from __future__ import annotations

import re
import sys
import traceback
from types import TracebackType
from typing import Final, TypeAlias

from . import _text

__all__ = ["ExcInfo", "exc_tuple", "exception_texts", "parse_exc_text"]

ExcInfo: TypeAlias = tuple[type[BaseException], BaseException, TracebackType | None]

_TRACEBACK_HEAD: Final = "Traceback (most recent call last):"
_TYPE_LINE: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(: |$)")


def _describe(exc: BaseException) -> str:
    return f"{_text.safe_str(type(exc).__name__)}: {_text.safe_str(exc)}"


def exc_tuple(exc_info: object) -> ExcInfo | None:
    """``exc_info`` (True, an exception or a 3-tuple) as a 3-tuple, or None."""
    if exc_info is None or exc_info is False:
        return None
    if exc_info is True:
        current = sys.exc_info()
        return None if current[0] is None else current
    if isinstance(exc_info, BaseException):
        return (type(exc_info), exc_info, exc_info.__traceback__)
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        if exc_info[0] is not None and isinstance(exc_info[1], BaseException):
            return exc_info
    return None


def parse_exc_text(text: str) -> tuple[str | None, str | None]:
    """(type, message) from a formatted traceback, when unambiguous; else (None, None)."""
    lines = text.split("\n")
    try:
        start = len(lines) - 1 - lines[::-1].index(_TRACEBACK_HEAD)
    except ValueError:
        return None, None
    i = start + 1
    while i < len(lines) and lines[i].startswith(" "):
        i += 1
    if i == start + 1 or i >= len(lines):
        return None, None  # no frames, or no exception line
    match = _TYPE_LINE.match(lines[i])
    if match is None:
        return None, None
    etype = match.group(1)
    message = "\n".join([lines[i][match.end() :], *lines[i + 1 :]])
    return etype, message


def exception_texts(
    exc_info: object, exc_text: str | None
) -> tuple[str | None, str | None, str | None]:
    """(type, message, traceback) texts of an event's exception; None where unknown."""
    info = exc_tuple(exc_info)
    if info is not None:
        etype = _text.safe_str(getattr(info[0], "__qualname__", info[0]))
        module = getattr(info[0], "__module__", None)
        if isinstance(module, str) and module not in ("builtins", "__main__"):
            etype = f"{module}.{etype}"
        emsg = _text.safe_str(info[1])
        try:
            trace = "".join(traceback.format_exception(*info)).rstrip("\n")
        except Exception as exc:
            trace = f"<traceback unavailable: {_describe(exc)}>"
        return etype, emsg, trace
    if exc_text:
        text = exc_text.rstrip("\n")
        parsed_type, parsed_message = parse_exc_text(text)
        return parsed_type, parsed_message, text
    return None, None, None
