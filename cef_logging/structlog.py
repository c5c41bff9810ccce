"""structlog adapters: :class:`CEFRenderer` and :class:`LEEFRenderer`.

Final processors ``(logger, method_name, event_dict) -> str`` over the same
:class:`._core.LineRenderer` as the stdlib formatters, so a structlog event and a
:class:`logging.LogRecord` come out as the same kind of line. This module never
imports :mod:`structlog`: the renderers are plain callables.

Mapping of an event dict (see the README section "structlog"):

* ``event`` -> CEF Name and ``msg`` (non-strings by the core's value rules);
* ``event_id`` key, else the ``logger`` key (``add_logger_name``), else
  ``default_event_id`` -> SignatureID / EventID;
* ``level`` key (``add_log_level``; a name in any case, or an int level), else the
  method name -> severity through ``severity_map``;
* ``timestamp`` key (``TimeStamper``: ISO 8601 string, epoch seconds, or a
  :class:`~datetime.datetime`) -> ``rt`` / ``devTime`` in the configured format,
  else now. An unparseable value is kept in the extension under ``timestamp``;
* ``exc_info`` (True, a 3-tuple or an exception) and an already formatted
  ``exception`` string -> the exception fields; ``stack_info`` / ``stack`` strings
  -> ``stackInfo``;
* ``event_name`` / ``event_severity`` -> header overrides, as for the stdlib;
* every other key -> the extension, under the same rules as stdlib extras.

As the processor of ``structlog.stdlib.ProcessorFormatter`` the meta keys
``_record`` / ``_from_structlog`` are never written; when ``_record`` is still
present (``processors=[CEFRenderer(...)]``) a record from a plain stdlib logger is
rendered from the record itself, exactly as :class:`~cef_logging.CEFFormatter` does.
"""

from __future__ import annotations

import logging
import operator
import os
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Final, Literal, TypeAlias

from . import _text
from ._core import RENDER_OPTIONS, LineRenderer
from ._timestamps import _MAX_EPOCH, _MIN_EPOCH, RenderedTime
from ._timestamps import parse_timestamp as _parse_timestamp
from ._timestamps import utc_iso_text as _utc_iso_text
from .formatters import _STANDARD_GETTERS, RESERVED_ATTRS, _level_names

__all__ = ["CONSUMED_KEYS", "CEFRenderer", "LEEFRenderer"]

#: Keys the renderers read for the header and built-in fields; by default never
#: written to the extension (see ``reserved_keys``).
CONSUMED_KEYS: Final[frozenset[str]] = frozenset(
    {
        "event",
        "timestamp",
        "level",
        "logger",
        "exc_info",
        "exception",
        "stack_info",
        "stack",
        "_record",
        "_from_structlog",
    }
)

#: Keys that send an event down the slower path (exceptions, stacks, ProcessorFormatter).
_RARE_KEYS: Final = frozenset({"exc_info", "exception", "stack_info", "stack", "_record",
                               "_from_structlog"})  # fmt: skip
_METHOD_NAMES: Final = ("debug", "info", "warning", "warn", "error", "exception", "critical",
                        "fatal", "msg", "log", "notset", "trace")  # fmt: skip
_SHAPE_CACHE_LIMIT: Final = 1024

_Shape: TypeAlias = tuple[tuple[str, ...], Callable[[Mapping[str, Any]], Sequence[object]], bool]


def _no_values(event_dict: Mapping[str, Any]) -> tuple[()]:
    return ()


#: ProcessorFormatter's meta keys: never written, whatever ``reserved_keys`` says.
_META_KEYS: Final = frozenset({"_record", "_from_structlog"})

# Epoch seconds accepted from a ``timestamp`` key: years 1 to 9999.

# Event-dict keys written by structlog's CallsiteParameterAdder, for ``standard_fields``.
_CALLSITE_KEYS: Final[Mapping[str, str]] = {
    "pid": "process",
    "process_name": "process_name",
    "thread": "thread_name",
    "thread_id": "thread",
    "module": "module",
    "func": "func_name",
    "line": "lineno",
    "path": "pathname",
    "logger": "logger",
    "level": "level",
}


def _live_value(name: str) -> object:
    """A standard field the event dict lacks, read from the rendering process/thread."""
    if name == "pid":
        return os.getpid()
    if name == "thread":
        return threading.current_thread().name
    if name == "thread_id":
        return threading.get_ident()
    if name == "process_name":
        import multiprocessing

        return multiprocessing.current_process().name
    return None




class _SIEMRenderer:
    """Shared structlog adapter; see :class:`CEFRenderer` for the options."""

    _kind: Literal["cef", "leef"] = "cef"
    __slots__ = (
        "_fallback", "_iso_text", "_level_number", "_method_levels", "_name_from_message",
        "_render", "_shapes", "_standard", "_uses_time", "renderer", "reserved_keys",
    )  # fmt: skip

    def __init__(
        self,
        *,
        vendor: str = "cef-logging",
        product: str = "python",
        version: str = "1.0",
        default_event_id: str = "Generic",
        name_from: Literal["template", "message"] = "template",
        severity_map: Mapping[Any, Any] | None = None,
        timestamp: str | None = "iso",
        rename_fields: Mapping[str, str] | None = None,
        static_fields: Mapping[str, Any] | None = None,
        defaults: Mapping[str, Any] | None = None,
        standard_fields: Sequence[str] = (),
        fields: Sequence[str] | None = None,
        exclude_fields: Sequence[str] = (),
        reserved_keys: Collection[str] | None = None,
        key_sanitizer: str | Callable[[str], str] = "strip",
        full_name_aliases: bool | None = None,
        none_value: str | None = None,
        max_length: int | None = None,
        **leef: Any,
    ) -> None:
        if name_from not in ("template", "message"):
            raise ValueError(f"name_from must be 'template' or 'message', not {name_from!r}")
        self._name_from_message = name_from == "message"
        options = locals()
        self.renderer = LineRenderer(
            self._kind,
            level_names=_level_names(),
            **{name: options[name] for name in RENDER_OPTIONS},
            **leef,
        )
        self._render = self.renderer._render  # __call__ has its own safety net
        self._fallback = self.renderer.fallback
        keys = CONSUMED_KEYS if reserved_keys is None else frozenset(map(str, reserved_keys))
        self.reserved_keys: frozenset[str] = keys | _META_KEYS
        self._uses_time = timestamp not in (None, "off", "none", False)
        self._iso_text = self.renderer.timestamp_format == "iso"
        self._standard = bool(self.renderer.standard_fields)
        self._shapes: dict[tuple[str, ...], _Shape] = {}
        level_number = self.renderer.level_number
        # level names as structlog writes them (and their usual spellings) -> level numbers
        names: dict[str, int] = {}
        for name in _METHOD_NAMES:
            number = level_number(name)
            if number is not None:
                for spelling in (name, name.upper(), name.capitalize()):
                    names[spelling] = number
        self._method_levels = names
        self._level_number = level_number

    # -- helpers ---------------------------------------------------------------------------

    def _levelno(self, level: object, method_name: object) -> int | None:
        """Level number from the ``level`` key, else from the method name."""
        if type(level) is str:
            number = self._method_levels.get(level)
            if number is None:
                number = self._level_number(level)
            if number is None and len(level) < 20:
                try:
                    number = int(level)
                except ValueError:
                    pass
            if number is not None:
                return number
        elif isinstance(level, int) and not isinstance(level, bool):
            return int(level)
        if type(method_name) is str:
            number = self._method_levels.get(method_name)
            if number is None:
                number = self._level_number(method_name)
            return number
        return None

    def _learn_shape(self, shape: tuple[str, ...]) -> _Shape:
        """The extension keys of event dicts with these keys, a getter, and a "rare" flag."""
        reserved = self.reserved_keys
        extra = tuple([k for k in shape if k not in reserved])
        getter: Callable[[Mapping[str, Any]], Sequence[object]]
        if not extra:
            getter = _no_values
        elif len(extra) == 1:
            only = extra[0]
            getter = lambda event_dict: (event_dict[only],)  # noqa: E731
        else:
            getter = operator.itemgetter(*extra)
        entry = (extra, getter, not _RARE_KEYS.isdisjoint(shape))
        if len(self._shapes) >= _SHAPE_CACHE_LIMIT:
            self._shapes.clear()
        self._shapes[shape] = entry
        return entry

    # -- call ------------------------------------------------------------------------------

    def __call__(self, logger: object, method_name: str, event_dict: Mapping[str, Any]) -> str:
        """Render ``event_dict`` as one line. Never raises; never mutates ``event_dict``."""
        message: str | None = None
        levelno: int | None = None
        try:
            shape = tuple(event_dict)  # events from one call site share their keys
            try:
                keys, values_of, rare = self._shapes[shape]
            except KeyError:
                keys, values_of, rare = self._learn_shape(shape)
            get = event_dict.get
            event = get("event")
            if type(event) is str:
                message = event
            elif event is not None:
                message = _text.to_text(event)
            level = get("level")
            if type(level) is str and level in self._method_levels:
                levelno = self._method_levels[level]
            else:
                levelno = self._levelno(level, method_name)
            values = values_of(event_dict)

            created: float | RenderedTime | None = None
            if self._uses_time:
                raw_ts = get("timestamp")
                if raw_ts is not None:
                    if self._iso_text and type(raw_ts) is str:
                        # TimeStamper(fmt="iso", utc=True) text goes through as it is
                        created = _utc_iso_text(raw_ts) or _parse_timestamp(raw_ts)
                    elif type(raw_ts) is float and _MIN_EPOCH <= raw_ts <= _MAX_EPOCH:
                        created = raw_ts  # TimeStamper(fmt=None): epoch seconds (NaN fails)
                    else:
                        created = _parse_timestamp(raw_ts)
                    if created is None and "timestamp" in self.reserved_keys:
                        keys = (*keys, "timestamp")  # nothing is lost
                        values = (*values, raw_ts)
            if rare:
                return self._render_rare(
                    event_dict, message, levelno, keys, values, created
                )  # fmt: skip
            if created is None and self._uses_time:
                created = time.time()
            return self._render(
                created, levelno, get("logger"), message, message, (), keys, values,
                None, None, None, self._event_standard(event_dict) if self._standard else None,
            )  # fmt: skip
        except Exception as exc:
            return self._fallback(levelno, message, exc)

    def _render_rare(
        self,
        event_dict: Mapping[str, Any],
        message: str | None,
        levelno: int | None,
        keys: tuple[str, ...],
        values: Sequence[object],
        created: float | RenderedTime | None,
    ) -> str:
        """Events with exception, stack or ProcessorFormatter keys."""
        get = event_dict.get
        reserved = self.reserved_keys
        event_id: object = get("logger")
        exc_info = get("exc_info")
        exc_text = get("exception")
        if exc_text is not None and type(exc_text) is not str:
            if "exception" in reserved:  # e.g. dict_tracebacks' list: keep it as a field
                keys = (*keys, "exception")
                values = (*values, exc_text)
            exc_text = None
        stack_info = get("stack_info")
        if type(stack_info) is not str:
            stack_info = get("stack")
            if type(stack_info) is not str:
                stack_info = None

        name: object = message
        standard: Callable[[str], object] | None = None
        record = get("_record")
        if isinstance(record, logging.LogRecord):
            foreign = get("_from_structlog") is False
            if created is None:
                created = record.created
            if levelno is None or (foreign and get("level") is None):
                levelno = record.levelno
            if event_id is None:
                event_id = record.name
            if foreign:
                name = self._foreign_name(record, message)
                extras = [
                    k for k in record.__dict__ if k not in RESERVED_ATTRS and k not in event_dict
                ]
                if extras:
                    keys = (*keys, *extras)
                    values = (*values, *[record.__dict__[k] for k in extras])
                if stack_info is None:
                    stack_info = record.stack_info
            if self._standard:
                rec = record

                def standard(field: str) -> object:
                    return _STANDARD_GETTERS[field](rec)

        elif self._standard:
            standard = self._event_standard(event_dict)
        if created is None and self._uses_time:
            created = time.time()
        return self._render(
            created, levelno, event_id, name, message, (), keys, values, exc_info, exc_text,
            stack_info, standard,
        )  # fmt: skip

    def _foreign_name(self, record: logging.LogRecord, message: str | None) -> object:
        """The Name of a plain stdlib record, as :class:`CEFFormatter` makes it."""
        if self._name_from_message:
            return message
        template = record.msg
        return template if type(template) is str else _text.safe_str(template)

    @staticmethod
    def _event_standard(event_dict: Mapping[str, Any]) -> Callable[[str], object]:
        def standard(field: str) -> object:
            key = _CALLSITE_KEYS.get(field)
            if key is not None and key in event_dict:
                return event_dict[key]
            return _live_value(field)

        return standard


class CEFRenderer(_SIEMRenderer):
    """structlog final processor rendering ArcSight CEF v0 lines.

    ``CEF:0|vendor|product|version|SignatureID|Name|Severity|rt=... msg=... <extras>``

    All options are keyword-only and match :class:`cef_logging.CEFFormatter`
    (``vendor``, ``product``, ``version``, ``default_event_id``, ``severity_map``,
    ``timestamp``, ``rename_fields``, ``static_fields``, ``defaults``,
    ``standard_fields``, ``fields``, ``exclude_fields``, ``key_sanitizer``,
    ``full_name_aliases``, ``none_value``, ``max_length``, ``name_from``), plus
    ``reserved_keys``: event-dict keys never written to the extension (default
    :data:`CONSUMED_KEYS`). ``name_from`` only matters for plain stdlib records
    seen through ``ProcessorFormatter``. Usable as a plain callable: structlog is
    never imported.
    """

    _kind = "cef"
    __slots__ = ()


class LEEFRenderer(_SIEMRenderer):
    """structlog final processor rendering IBM QRadar LEEF 2.0 (default) or 1.0 lines.

    Takes every :class:`CEFRenderer` option plus ``leef_version`` (``"2.0"`` or
    ``"1.0"``) and ``delimiter`` (as :class:`cef_logging.LEEFFormatter`).
    """

    _kind = "leef"
    __slots__ = ()

    def __init__(self, *, leef_version: str = "2.0", delimiter: str = "\t", **options: Any) -> None:
        super().__init__(leef_version=leef_version, delimiter=delimiter, **options)
