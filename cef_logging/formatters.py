"""Stdlib adapters: :class:`CEFFormatter` and :class:`LEEFFormatter`.

Thin :class:`logging.Formatter` subclasses over :class:`._core.LineRenderer`:
they gather a :class:`logging.LogRecord`'s parts and let the core render them.
They never mutate the record and ``format()`` never raises.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from . import _text
from ._core import LineRenderer, MessageError

__all__ = ["RESERVED_ATTRS", "CEFFormatter", "LEEFFormatter"]


def _record_attrs() -> list[str]:
    """LogRecord's own attributes, in order, read off a real record (new Pythons are covered)."""
    return list(vars(logging.LogRecord("name", logging.INFO, "path", 1, "msg", (), None)))


_RECORD_ATTRS = _record_attrs()
_N_RECORD_ATTRS = len(_RECORD_ATTRS)

#: Attributes of :class:`logging.LogRecord` never written as extension fields.
RESERVED_ATTRS: frozenset[str] = frozenset(_RECORD_ATTRS) | {"message", "asctime"}

_STANDARD_GETTERS: dict[str, Callable[[logging.LogRecord], object]] = {
    "pid": lambda r: r.process,
    "process_name": lambda r: r.processName,
    "thread": lambda r: r.threadName,
    "thread_id": lambda r: r.thread,
    "logger": lambda r: r.name,
    "level": lambda r: r.levelname,
    "module": lambda r: r.module,
    "func": lambda r: r.funcName,
    "line": lambda r: r.lineno,
    "path": lambda r: r.pathname,
}


def _level_names() -> dict[str, int]:
    mapping = getattr(logging, "getLevelNamesMapping", None)
    if mapping is not None:
        return dict(mapping())
    return {k: v for k, v in logging._nameToLevel.items()}  # Python 3.10


class _SIEMFormatter(logging.Formatter):
    """Shared stdlib adapter; see :class:`CEFFormatter` for the options."""

    _kind: Literal["cef", "leef"] = "cef"

    def __init__(
        self,
        fmt: str | None = None,
        datefmt: str | None = None,
        style: Literal["%", "{", "$"] = "%",
        validate: bool = True,
        *,
        defaults: Mapping[str, Any] | None = None,
        vendor: str = "cef-logging",
        product: str = "python",
        version: str = "1.0",
        default_event_id: str = "Generic",
        name_from: Literal["template", "message"] = "template",
        severity_map: Mapping[Any, Any] | None = None,
        timestamp: str | None = "iso",
        rename_fields: Mapping[str, str] | None = None,
        static_fields: Mapping[str, Any] | None = None,
        standard_fields: Sequence[str] = (),
        fields: Sequence[str] | None = None,
        exclude_fields: Sequence[str] = (),
        reserved_attrs: Sequence[str] | None = None,
        key_sanitizer: str | Callable[[str], str] = "strip",
        full_name_aliases: bool | None = None,
        none_value: str | None = None,
        max_length: int | None = None,
        **leef: Any,
    ) -> None:
        # Mapping options are copied key by key so dictConfig's ext:// / cfg:// values resolve.
        defaults_copy = {k: defaults[k] for k in defaults} if defaults else None
        super().__init__(fmt, datefmt, style, validate, defaults=defaults_copy)
        self._use_fmt = fmt is not None
        if name_from not in ("template", "message"):
            raise ValueError(f"name_from must be 'template' or 'message', not {name_from!r}")
        self._name_from_message = name_from == "message"
        self._reserved = (
            frozenset(reserved_attrs) if reserved_attrs is not None else RESERVED_ATTRS
        )
        self._default_reserved = self._reserved >= RESERVED_ATTRS
        self.renderer = LineRenderer(
            self._kind,
            vendor=vendor,
            product=product,
            version=version,
            default_event_id=default_event_id,
            severity_map=severity_map,
            level_names=_level_names(),
            timestamp=timestamp,
            rename_fields=rename_fields,
            static_fields={k: static_fields[k] for k in static_fields} if static_fields else None,
            defaults=defaults_copy,
            standard_fields=tuple(standard_fields),
            fields=fields,
            exclude_fields=tuple(exclude_fields),
            key_sanitizer=key_sanitizer,
            full_name_aliases=full_name_aliases,
            none_value=none_value,
            max_length=max_length,
            **leef,
        )
        self._render = self.renderer._render  # format() has its own safety net

    # -- message ---------------------------------------------------------------------------

    def _message(self, record: logging.LogRecord) -> str | MessageError:
        try:
            message = record.getMessage()
        except Exception as exc:
            return MessageError(
                _text.safe_str(record.msg),
                f"{_text.safe_str(type(exc).__name__)}: {_text.safe_str(exc)}",
            )
        if self._use_fmt:
            try:
                shadow = copy.copy(record)  # never touch the caller's record
                shadow.message = message
                if self.usesTime():
                    shadow.asctime = self.formatTime(shadow, self.datefmt)
                return self.formatMessage(shadow)
            except Exception as exc:
                return MessageError(message, f"fmt: {type(exc).__name__}: {_text.safe_str(exc)}")
        return message

    # -- format ----------------------------------------------------------------------------

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as one line. Never raises; never mutates ``record``."""
        message: str | MessageError | None = None
        try:
            message = self._message(record)
            template = record.msg
            if self._name_from_message:
                name: object = message
            else:
                name = template if type(template) is str else _text.safe_str(template)
            reserved = self._reserved
            attrs = record.__dict__
            keys = list(attrs)
            if self._default_reserved and keys[:_N_RECORD_ATTRS] == _RECORD_ATTRS:
                # A record made by LogRecord.__init__: its own attributes come first, in a
                # known order, so only what follows (the extras) needs looking at.
                extra = tuple([k for k in keys[_N_RECORD_ATTRS:] if k not in reserved])
            else:
                extra = tuple([k for k in keys if k not in reserved])
            standard = None
            if self.renderer.standard_fields:
                def standard(field: str) -> object:
                    return _STANDARD_GETTERS[field](record)
            exc_info = record.exc_info
            return self._render(
                record.created, record.levelno, record.name, name, message, (), extra,
                [attrs[k] for k in extra], exc_info, None if exc_info else record.exc_text,
                record.stack_info, standard,
            )  # fmt: skip
        except Exception as exc:
            return self.renderer.fallback(getattr(record, "levelno", None), message, exc)


class CEFFormatter(_SIEMFormatter):
    """Render records as ArcSight CEF v0 lines.

    ``CEF:0|vendor|product|version|SignatureID|Name|Severity|rt=... msg=... <extras>``

    Positional parameters follow :class:`logging.Formatter` (``fmt, datefmt, style,
    validate``) so ``"class": "cef_logging.CEFFormatter"`` works in dictConfig; all
    options are keyword-only (see the README's option reference). ``fmt``, when
    given, shapes the ``msg`` field with the stdlib's %-/{-/$-style.
    """

    _kind = "cef"


class LEEFFormatter(_SIEMFormatter):
    """Render records as IBM QRadar LEEF 2.0 (default) or LEEF 1.0 lines.

    ``LEEF:2.0|vendor|product|version|EventID|x09|devTime=...<TAB>devTimeFormat=...<TAB>sev=4...``

    Takes every :class:`CEFFormatter` option plus ``leef_version`` (``"2.0"`` or
    ``"1.0"``) and ``delimiter`` (a character, ``"\\t"``, ``"x09"``, ``"0x5E"`` or ``"tab"``;
    LEEF 1.0 is always TAB).
    """

    _kind = "leef"

    def __init__(
        self,
        fmt: str | None = None,
        datefmt: str | None = None,
        style: Literal["%", "{", "$"] = "%",
        validate: bool = True,
        *,
        leef_version: str = "2.0",
        delimiter: str = "\t",
        **options: Any,
    ) -> None:
        super().__init__(
            fmt, datefmt, style, validate, leef_version=leef_version, delimiter=delimiter,
            **options,
        )  # fmt: skip
