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
import os
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Final, Literal

from . import _text
from ._direct import Compiled, Fresh, compile_event_shape, fresh_event_renderer, level_severities
from ._fast import Plan
from ._intake import RESERVED_ATTRS, Shape, ShapeCache, level_names, record_name, record_standard
from ._timestamps import MAX_EPOCH, MIN_EPOCH, parse_timestamp, utc_iso_epoch_ms, utc_iso_text
from .events import EventParts, RenderedTime
from .options import RenderOptions
from .render import LineRenderer

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

#: ProcessorFormatter's meta keys: never written, whatever ``reserved_keys`` says.
_META_KEYS: Final = frozenset({"_record", "_from_structlog"})

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


def _event_standard(event_dict: Mapping[str, Any]) -> Callable[[str], object]:
    def standard(field: str) -> object:
        key = _CALLSITE_KEYS.get(field)
        if key is not None and key in event_dict:
            return event_dict[key]
        return _live_value(field)

    return standard


class _SIEMRenderer:
    """Shared structlog adapter; see :class:`CEFRenderer` for the options."""

    _format: Literal["cef", "leef"] = "cef"
    __slots__ = (
        "_fallback", "_fresh", "_iso_text", "_method_levels", "_name_from_message", "_render",
        "_sevs", "_shape_of", "_shapes", "_standard", "_uses_time", "options", "renderer",
        "reserved_keys",
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
        timestamp: str | None = "default",
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
        keys = CONSUMED_KEYS if reserved_keys is None else frozenset(map(str, reserved_keys))
        self._setup(options, keys | _META_KEYS)

    def _setup(self, options: RenderOptions, reserved_keys: frozenset[str]) -> None:
        self.options = options
        self.reserved_keys = reserved_keys
        self._name_from_message = options.name_from == "message"
        self.renderer = LineRenderer(options)
        self._render = self.renderer.render  # __call__ has its own safety net
        self._fallback = self.renderer.fallback
        self._uses_time = options.timestamp is not None
        # UTC ISO text (TimeStamper(fmt="iso", utc=True)) -> the output form, directly
        self._iso_text: Callable[[str], RenderedTime | None] | None = {
            "iso": utc_iso_text, "epoch_ms": utc_iso_epoch_ms,
        }.get(options.timestamp or "")  # fmt: skip
        self._standard = bool(self.renderer.layout.standard)
        self._shapes = ShapeCache(reserved_keys, _RARE_KEYS)
        self._shape_of = self._shapes.cache.get
        severity = self.renderer.layout.severity
        # level names as structlog writes them (and their usual spellings) -> level numbers
        names: dict[str, int] = {}
        for name in _METHOD_NAMES:
            number = severity.level_number(name)
            if number is not None:
                for spelling in (name, name.upper(), name.capitalize()):
                    names[spelling] = number
        self._method_levels = names
        self._sevs = level_severities(self.renderer.layout, names)
        fast = self.renderer.fast_path
        self._fresh: Fresh | None = None
        if fast is not None and self._iso_text is not None:
            self._fresh = fresh_event_renderer(
                fast, reserved_keys, _RARE_KEYS, self._iso_text, self._sevs
            )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.options, self.reserved_keys))

    # -- helpers ---------------------------------------------------------------------------

    def _levelno(self, level: object, method_name: object) -> object:
        """The level from the ``level`` key, else from the method name."""
        if level is not None and not isinstance(level, bool):
            number = self.renderer.layout.severity.coerce(level)
            if number is not None:
                return number
        if type(method_name) is str:
            return self.renderer.layout.severity.coerce(method_name)
        return None

    def _created(self, raw_ts: object) -> float | RenderedTime | None:
        """The ``timestamp`` key as epoch seconds (or already rendered ISO text)."""
        if self._iso_text is not None and type(raw_ts) is str:
            # TimeStamper(fmt="iso", utc=True) text: re-cut, not parsed and rendered again
            return self._iso_text(raw_ts) or parse_timestamp(raw_ts)
        if type(raw_ts) is float and MIN_EPOCH <= raw_ts <= MAX_EPOCH:
            return raw_ts  # TimeStamper(fmt=None): epoch seconds (NaN fails the test)
        return parse_timestamp(raw_ts)

    def _compile(self, shape: tuple[str, ...], known: Shape) -> None:
        """Compile a shape seen before whose fields have a fast-path plan (see ._direct)."""
        fast = self.renderer.fast_path
        plan = None if fast is None else fast.known_plan(known.keys)
        if plan is False:
            return  # not decided yet: try again next time
        compiled: Compiled | None = None
        iso_text = self._iso_text
        if isinstance(plan, Plan) and fast is not None and iso_text is not None:
            compiled = compile_event_shape(fast, plan, shape, known.keys, iso_text, self._sevs)
        known.direct = compiled or False

    # -- call ------------------------------------------------------------------------------

    def __call__(self, logger: object, method_name: str, event_dict: Mapping[str, Any]) -> str:
        """Render ``event_dict`` as one line. Never raises; never mutates ``event_dict``."""
        message: str | None = None
        levelno: object = None
        try:
            shape = tuple(event_dict)  # events from one call site share their keys
            known = self._shape_of(shape)
            if known is not None:
                direct = known.direct
                if direct:
                    line = direct(event_dict)  # type: ignore[operator]
                    if line is not None:
                        return line
                entry = known
            else:
                seen = self._shapes.seen(shape)
                if not seen and self._fresh is not None:
                    line = self._fresh(event_dict, shape)  # extras built per event
                    if line is not None:
                        return line
                entry = self._shapes.learn(shape, seen)
            keys, values_of, rare = entry.keys, entry.values_of, entry.rare
            get = event_dict.get
            event = get("event")
            if type(event) is str:
                message = event
            elif event is not None:
                message = _text.to_text(event)
            level = get("level")
            try:
                levelno = self._method_levels[level]  # type: ignore[index]
            except (KeyError, TypeError):
                levelno = self._levelno(level, method_name)
            values = values_of(event_dict)
            created: float | RenderedTime | None = None
            if self._uses_time:
                raw_ts = get("timestamp")
                if raw_ts is not None:
                    if self._iso_text is not None and type(raw_ts) is str:
                        created = self._iso_text(raw_ts) or parse_timestamp(raw_ts)
                    else:
                        created = self._created(raw_ts)
                    if created is None and "timestamp" in self.reserved_keys:
                        keys = (*keys, "timestamp")  # nothing is lost
                        values = (*values, raw_ts)
            if rare:
                return self._render_rare(event_dict, message, levelno, keys, values, created)
            if created is None and self._uses_time:
                created = time.time()
            line = self._render(
                EventParts(
                    created, levelno, get("logger"), message, message, keys, values, (),
                    None, None, None, _event_standard(event_dict) if self._standard else None,
                )
            )  # fmt: skip
            if known is not None and known.direct is None:
                self._compile(shape, known)
            return line
        except Exception as exc:
            return self._fallback(levelno, message, exc)

    def _render_rare(
        self,
        event_dict: Mapping[str, Any],
        message: str | None,
        levelno: object,
        keys: tuple[str, ...],
        values: Sequence[object],
        created: float | RenderedTime | None,
    ) -> str:
        """Events with exception, stack or ProcessorFormatter keys."""
        get = event_dict.get
        event_id: object = get("logger")
        exc_info = get("exc_info")
        exc_text = get("exception")
        if exc_text is not None and type(exc_text) is not str:
            if "exception" in self.reserved_keys:  # e.g. dict_tracebacks' list: keep it
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
                name = record_name(record, message, self._name_from_message)
                attrs = record.__dict__
                extras = [k for k in attrs if k not in RESERVED_ATTRS and k not in event_dict]
                if extras:
                    keys = (*keys, *extras)
                    values = (*values, *[attrs[k] for k in extras])
                if stack_info is None:
                    stack_info = record.stack_info
            if self._standard:
                standard = record_standard(record)
        elif self._standard:
            standard = _event_standard(event_dict)
        if created is None and self._uses_time:
            created = time.time()
        return self._render(
            EventParts(
                created, levelno, event_id, name, message, keys, values, (), exc_info,
                exc_text, stack_info, standard,
            )
        )  # fmt: skip


def _restore(
    cls: type[_SIEMRenderer], options: RenderOptions, reserved_keys: frozenset[str]
) -> _SIEMRenderer:
    """Unpickle a renderer: the same options, fresh caches."""
    self = cls.__new__(cls)
    self._setup(options, reserved_keys)
    return self


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

    _format = "cef"
    __slots__ = ()


class LEEFRenderer(_SIEMRenderer):
    """structlog final processor rendering IBM QRadar LEEF 2.0 (default) or 1.0 lines.

    Takes every :class:`CEFRenderer` option plus ``leef_version`` (``"2.0"`` or
    ``"1.0"``) and ``delimiter`` (as :class:`cef_logging.LEEFFormatter`).
    """

    _format = "leef"
    __slots__ = ()
