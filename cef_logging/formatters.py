"""Stdlib adapters: :class:`CEFFormatter` and :class:`LEEFFormatter`.

Thin :class:`logging.Formatter` subclasses over :class:`._core.LineRenderer`:
they gather a :class:`logging.LogRecord`'s parts and let the core render them.
They never mutate the record and ``format()`` never raises.
"""

from __future__ import annotations

import copy
import logging
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from . import _text
from ._core import RENDER_OPTIONS, LineRenderer, MessageError

__all__ = ["RESERVED_ATTRS", "CEFFormatter", "LEEFFormatter"]


def _reserved_attrs() -> frozenset[str]:
    """LogRecord's own attributes, read off a real record (so new Pythons are covered)."""
    record = logging.LogRecord("name", logging.INFO, "path", 1, "msg", (), None)
    return frozenset(vars(record)) | {"message", "asctime"}


#: Attributes of :class:`logging.LogRecord` never written as extension fields.
RESERVED_ATTRS: frozenset[str] = _reserved_attrs()

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


def _no_values(attrs: dict[str, Any]) -> tuple[()]:
    return ()


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
        self._shapes: dict[
            tuple[str, ...], tuple[tuple[str, ...], Callable[[dict[str, Any]], Sequence[object]]]
        ] = {}
        options = locals()
        self.renderer = LineRenderer(
            self._kind,
            level_names=_level_names(),
            **{name: options[name] for name in RENDER_OPTIONS},
            **leef,
        )
        self._render = self.renderer._render  # format() has its own safety net

    def _learn_shape(
        self, shape: tuple[str, ...]
    ) -> tuple[tuple[str, ...], Callable[[dict[str, Any]], Sequence[object]]]:
        """The extra attribute names of records with these attribute names, and a getter."""
        reserved = self._reserved
        extra = tuple([k for k in shape if k not in reserved])
        getter: Callable[[dict[str, Any]], Sequence[object]]
        if not extra:
            getter = _no_values
        elif len(extra) == 1:
            only = extra[0]
            getter = lambda attrs: (attrs[only],)  # noqa: E731
        else:
            getter = operator.itemgetter(*extra)
        if len(self._shapes) >= 1024:
            self._shapes.clear()
        self._shapes[shape] = (extra, getter)
        return extra, getter

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
            attrs = record.__dict__
            shape = tuple(attrs)  # records from one call site share their attribute names
            try:
                extra, values_of = self._shapes[shape]
            except KeyError:
                extra, values_of = self._learn_shape(shape)
            standard = None
            if self.renderer.standard_fields:
                def standard(field: str) -> object:
                    return _STANDARD_GETTERS[field](record)
            exc_info = record.exc_info
            return self._render(
                record.created, record.levelno, record.name, name, message, (), extra,
                values_of(attrs), exc_info, None if exc_info else record.exc_text,
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
