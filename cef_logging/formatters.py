"""Stdlib adapters: :class:`CEFFormatter` and :class:`LEEFFormatter`.

Thin :class:`logging.Formatter` subclasses: they read a :class:`logging.LogRecord` into
:class:`~cef_logging.events.EventParts` and let :class:`~cef_logging.render.LineRenderer`
render it. They never mutate the record and ``format()`` never raises.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from . import _text
from ._direct import compile_record_shape, level_severities
from ._fast import Plan
from ._intake import RESERVED_ATTRS, Shape, ShapeCache, level_names, record_name, record_standard
from .events import EventParts, MessageError
from .options import RenderOptions
from .render import LineRenderer

__all__ = ["RESERVED_ATTRS", "CEFFormatter", "LEEFFormatter"]

_LogRecord = logging.LogRecord


class _SIEMFormatter(logging.Formatter):
    """Shared stdlib adapter; see :class:`CEFFormatter` for the options."""

    _format: Literal["cef", "leef"] = "cef"

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
        timestamp: str | None = "default",
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
        field_map: str | Mapping[str, str] | None = None,
        json_encoder: Literal["json", "orjson"] = "json",
        leef_version: str = "2.0",
        delimiter: str = "\t",
    ) -> None:
        options = RenderOptions(
            format=self._format, vendor=vendor, product=product, version=version,
            leef_version=leef_version, delimiter=delimiter, default_event_id=default_event_id,
            name_from=name_from, severity_map=severity_map, level_names=level_names(),
            timestamp=timestamp, rename_fields=rename_fields, static_fields=static_fields,
            defaults=defaults, standard_fields=standard_fields, fields=fields,
            exclude_fields=exclude_fields, key_sanitizer=key_sanitizer,
            full_name_aliases=full_name_aliases, none_value=none_value, max_length=max_length,
            field_map=field_map, json_encoder=json_encoder,
        )  # fmt: skip
        super().__init__(fmt, datefmt, style, validate, defaults=options.defaults)
        self._args = (fmt, datefmt, style, validate)
        self.options = options
        self.reserved_attrs = (
            frozenset(map(str, reserved_attrs)) if reserved_attrs is not None else RESERVED_ATTRS
        )
        self._setup()

    def _setup(self) -> None:
        self._use_fmt = self._args[0] is not None
        self._name_from_message = self.options.name_from == "message"
        self._shapes = ShapeCache(self.reserved_attrs)
        self._shape_of = self._shapes.cache.get
        self.renderer = LineRenderer(self.options)
        self._render = self.renderer.render
        self._standard = bool(self.renderer.layout.standard)
        levels = level_names().values()
        self._sevs = level_severities(self.renderer.layout, {n: n for n in levels})

    def _compile(self, known: Shape) -> None:
        """Compile a shape seen before whose extras have a fast-path plan (see ._direct)."""
        fast = self.renderer.fast_path
        plan = None if fast is None else fast.known_plan(known.keys)
        if plan is False:
            return  # not decided yet: try again next time
        timestamp = self.renderer.layout.timestamp
        known.direct = False
        if isinstance(plan, Plan) and fast and timestamp and not self._use_fmt:
            known.direct = compile_record_shape(
                fast, plan, known.keys, timestamp, self._sevs, self._name_from_message
            )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self._args, self.options, self.reserved_attrs))

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
            attrs = record.__dict__
            shape = tuple(attrs)  # records from one call site share their attribute names
            known = self._shape_of(shape)
            if known is not None and type(record) is _LogRecord:  # getMessage() not overridden
                direct = known.direct
                if direct:
                    line = direct(attrs)  # type: ignore[operator]
                    if line is not None:
                        return line
            if self._use_fmt:
                message = self._message(record)
            else:
                try:
                    message = record.getMessage()
                except Exception:
                    message = self._message(record)  # the MessageError
            entry = known or self._shapes.learn(shape)
            exc_info = record.exc_info
            template = record.msg
            if self._name_from_message:
                name: object = message
            elif type(template) is str:
                name = template
            else:
                name = record_name(record, message, False)
            line = self._render(
                EventParts(
                    record.created, record.levelno, record.name, name, message,
                    entry.keys, entry.values_of(attrs), (), exc_info,
                    None if exc_info else record.exc_text, record.stack_info,
                    record_standard(record) if self._standard else None,
                )
            )  # fmt: skip
            if known is not None and known.direct is None:
                self._compile(known)
            return line
        except Exception as exc:
            return self.renderer.fallback(getattr(record, "levelno", None), message, exc)


def _restore(
    cls: type[_SIEMFormatter],
    args: tuple[Any, ...],
    options: RenderOptions,
    reserved_attrs: frozenset[str],
) -> _SIEMFormatter:
    """Unpickle a formatter: the same arguments and options, fresh caches."""
    fmt, datefmt, style, validate = args
    self = cls.__new__(cls)
    logging.Formatter.__init__(self, fmt, datefmt, style, validate, defaults=options.defaults)
    self._args = args
    self.options = options
    self.reserved_attrs = reserved_attrs
    self._setup()
    return self


class CEFFormatter(_SIEMFormatter):
    """Render records as ArcSight CEF v0 lines.

    ``CEF:0|vendor|product|version|SignatureID|Name|Severity|rt=... msg=... <extras>``

    Positional parameters follow :class:`logging.Formatter` (``fmt, datefmt, style,
    validate``) so ``"class": "cef_logging.CEFFormatter"`` works in dictConfig; all
    options are keyword-only and are those of :class:`~cef_logging.options.RenderOptions`
    (see the option reference), plus ``reserved_attrs``: record attributes never written
    as fields (default :data:`RESERVED_ATTRS`). ``fmt``, when given, shapes the ``msg``
    field with the stdlib's %-/{-/$-style; ``defaults`` are both the ``fmt`` defaults
    and fields written when a record lacks them.
    """

    _format = "cef"


class LEEFFormatter(_SIEMFormatter):
    """Render records as IBM QRadar LEEF 2.0 (default) or LEEF 1.0 lines.

    ``LEEF:2.0|vendor|product|version|EventID|x09|devTime=...<TAB>devTimeFormat=...<TAB>sev=4...``

    Takes every :class:`CEFFormatter` option; ``leef_version`` (``"2.0"`` or ``"1.0"``)
    and ``delimiter`` (a character, ``"\\t"``, ``"x09"``, ``"0x5E"`` or ``"tab"``; LEEF 1.0
    is always TAB) apply to LEEF only.
    """

    _format = "leef"
