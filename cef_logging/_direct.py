"""Direct renderers: the adapters' common events go from their mapping straight to the line.

The performance trick, in one place. Most events are plain — a str message and logger
name, a level with a known severity, a usable time, field values that are str, int or
float, no exception — and for those the adapters skip :class:`~.events.EventParts` and
the checks of :meth:`~._fast.FastPath.render`:

* :func:`compile_event_shape` (structlog) and :func:`compile_record_shape` (stdlib) build,
  for a shape (the mapping's key sequence) seen before whose fields have a fast-path
  :class:`~._fast.Plan`, a closure that reads every value with one C-level ``itemgetter``,
  checks their types in one C-level pass, fills the plan's %-template and lets
  :meth:`~._fast.FastPath.finish` escape the extension and add the header;
* :func:`fresh_event_renderer` (structlog) renders the first sighting of a shape — extras
  built per event — through one template joined from per-key pieces (the fast path's
  :meth:`~._fast.FastPath.field_template`), without learning the shape.

Anything they do not handle (an empty or non-str message or logger, a missing or unusable
time, an unknown level, a value of another type, a NUL, a key that does not come through
unchanged) returns None and the event takes the usual path, which renders the same bytes
(``tests/test_direct.py`` proves it with hypothesis).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Final, TypeAlias, TypeVar

from ._cache import BoundedCache
from ._fast import PLAIN_TYPES, FastPath, Plan
from ._layout import Layout
from .events import RenderedTime

__all__ = [
    "Compiled",
    "CompiledRecord",
    "Fresh",
    "Getter",
    "compile_event_shape",
    "compile_record_shape",
    "fresh_event_renderer",
    "level_severities",
    "values_getter",
]

#: a mapping -> the values of some of its keys
Getter: TypeAlias = Callable[[Mapping[str, Any]], Sequence[object]]
#: event dict -> line, or None (the usual path renders it)
Compiled: TypeAlias = Callable[[Mapping[str, Any]], "str | None"]
#: record attributes -> line, or None
CompiledRecord: TypeAlias = Callable[[Mapping[str, Any]], "str | None"]
#: (event dict, its shape) -> line, or None
Fresh: TypeAlias = Callable[[Mapping[str, Any], "tuple[str, ...]"], "str | None"]
IsoText: TypeAlias = Callable[[str], "RenderedTime | None"]

K = TypeVar("K")

#: What structlog's add_logger_name, add_log_level and TimeStamper write.
_EVENT_META: Final = ("logger", "timestamp", "level")
#: What a record contributes besides its extras.
_RECORD_META: Final = (
    "msg", "args", "name", "levelno", "created", "exc_info", "exc_text", "stack_info",
)  # fmt: skip


def level_severities(layout: Layout, levels: Mapping[K, int]) -> dict[K, int]:
    """Levels (structlog's names, or stdlib numbers) -> the severity the fast path writes."""
    sevs = {level: layout.severity.severity(number) for level, number in levels.items()}
    if not layout.is_cef:
        sevs = {level: max(sev, 1) for level, sev in sevs.items()}  # QRadar's sev is 1-10
    return sevs


def compile_event_shape(
    fast: FastPath,
    plan: Plan,
    shape: tuple[str, ...],
    keys: tuple[str, ...],
    iso_text: IsoText,
    sevs: Mapping[str, int],
) -> Compiled | None:
    """The renderer of one structlog event-dict ``shape`` whose field ``keys`` render
    through ``plan``; None when the shape lacks the logger, level or timestamp."""
    if not set(_EVENT_META).issubset(shape):
        return None
    getter = values_getter(("event", *keys))
    meta = operator.itemgetter(*_EVENT_META)
    template = plan.with_msg
    placeholders = plan.with_n
    is_cef = fast.is_cef
    finish = fast.finish
    plain = PLAIN_TYPES.issuperset

    def render(event_dict: Mapping[str, Any]) -> str | None:
        got = getter(event_dict)  # (message, *values)
        message = got[0]
        if type(message) is not str or not message or not plain(map(type, got)):
            return None
        logger, raw_ts, level = meta(event_dict)
        if type(logger) is not str or not logger or type(raw_ts) is not str:
            return None
        try:
            sev = sevs[level]
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
        return finish(ext, placeholders, logger, message, sev)

    return render


def fresh_event_renderer(
    fast: FastPath,
    reserved: Collection[str],
    rare: Collection[str],
    iso_text: IsoText,
    sevs: Mapping[str, int],
) -> Fresh:
    """The renderer of structlog event dicts whose shape is new (see the module docstring);
    ``reserved`` keys are never fields, a ``rare`` key sends the event to the usual path.

    It fills a template joined per event from one entry per key — the fast path's
    :meth:`~._fast.FastPath.field_template` for a field, ``%.0s`` (nothing) for a reserved
    key — with all of the event dict's values in one C-level ``%``, so that the fields are
    never picked out of the dict one by one. Every value is first checked to be a str, int
    or float, so ``%.0s`` only ever calls ``str()`` of those.
    """
    reserved_set = frozenset(reserved)
    no_rare = frozenset(rare).isdisjoint
    meta = operator.itemgetter("event", *_EVENT_META)
    templates: BoundedCache[str | None] = BoundedCache(4096, 1 << 20)
    unplanned = fast.unplanned
    finish = fast.finish
    plain = PLAIN_TYPES.issuperset

    def render(event_dict: Mapping[str, Any], shape: tuple[str, ...]) -> str | None:
        if not no_rare(shape):
            return None
        try:
            message, logger, raw_ts, level = meta(event_dict)
            sev = sevs[level]
        except (KeyError, TypeError):
            return None
        if type(message) is not str or type(logger) is not str or type(raw_ts) is not str:
            return None
        if not message or not logger:
            return None
        values = tuple(event_dict.values())
        if not plain(map(type, values)):
            return None
        rendered = iso_text(raw_ts)
        if rendered is None:
            return None
        template: str | None
        try:
            # a key not seen yet or not plain has no template: joining None raises TypeError
            template = "".join(map(templates.get, shape))  # type: ignore[arg-type]
        except TypeError:
            template = _learn_templates(templates, shape, reserved_set, fast)
            if template is None:
                return None
        try:
            body = template % values
        except ValueError:  # an int too long for str()
            return None
        count = len(shape) - len(reserved_set.intersection(shape))
        ext, n = unplanned(body, count, rendered[0], sev, message)
        return finish(ext, n, logger, message, sev)

    return render


def _learn_templates(
    templates: BoundedCache[str | None],
    shape: tuple[str, ...],
    reserved: frozenset[str],
    fast: FastPath,
) -> str | None:
    """The template of a shape with keys not in ``templates`` yet (they are learnt); None if
    a field does not come through unchanged."""
    out: list[str] = []
    for key in shape:
        template = templates.get(key)
        if template is None:
            if key in templates:
                return None
            template = "%.0s" if key in reserved else fast.field_template(key)
            templates.put(key, template, 2 * len(key) + 64)
            if template is None:
                return None
        out.append(template)
    return "".join(out)


def compile_record_shape(
    fast: FastPath,
    plan: Plan,
    keys: tuple[str, ...],
    timestamp: Callable[[float], str],
    sevs: Mapping[int, int],
    name_from_message: bool,
) -> CompiledRecord:
    """The renderer of one :class:`logging.LogRecord` attribute shape whose extras ``keys``
    render through ``plan``. It takes the record's ``__dict__`` and works out the message
    as ``LogRecord.getMessage`` does (the caller makes sure that is not overridden)."""
    meta = operator.itemgetter(*_RECORD_META)
    getter = values_getter(keys)
    with_msg, with_n = plan.with_msg, plan.with_n
    without_msg, without_n = plan.without_msg, plan.without_n
    is_cef = fast.is_cef
    finish = fast.finish
    plain = PLAIN_TYPES.issuperset

    def render(attrs: Mapping[str, Any]) -> str | None:
        template, args, logger, levelno, created, exc_info, exc_text, stack_info = meta(attrs)
        values = getter(attrs)
        if (
            type(template) is not str
            or type(logger) is not str
            or not logger
            or type(created) is not float
            or type(levelno) is not int
            or exc_info is not None
            or exc_text is not None
            or stack_info is not None
            or not plain(map(type, values))
        ):
            return None
        try:
            message = template % args if args else template
            name = message if name_from_message else template
            sev = sevs[levelno]
            ts = timestamp(created)
            if message:
                fill = (ts, message, *values) if is_cef else (ts, sev, message, *values)
                return finish(with_msg % fill, with_n, logger, name, sev)
            fill = (ts, *values) if is_cef else (ts, sev, *values)
            return finish(without_msg % fill, without_n, logger, name, sev)
        except Exception:  # a bad %-format, an unknown level, NaN time, a huge int, ...
            return None

    return render


def values_getter(keys: tuple[str, ...]) -> Getter:
    """A C-level getter of the values of ``keys`` (always a tuple, even of one key)."""
    if len(keys) > 1:
        return operator.itemgetter(*keys)
    if keys:
        return _single(keys[0])
    return _no_values


def _no_values(attrs: Mapping[str, Any]) -> tuple[()]:
    return ()


def _single(key: str) -> Getter:
    def getter(attrs: Mapping[str, Any]) -> tuple[object]:
        return (attrs[key],)

    return getter
