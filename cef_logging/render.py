"""The line renderer: `EventParts>` in, one line out.

Pure: never imports `logging` or `structlog`. `render` first
offers an event to the fast path (`_fast`), then renders it the general way: header
values, built-in fields, static and standard fields, the event's fields (key resolution,
`None` values, defaults, per-event overrides), exception fields, order, escaping, and
truncation. It never raises: an internal error gives a minimal, valid fallback line.
"""

from __future__ import annotations

import time
from typing import Any

from . import _text
from ._exceptions import exception_texts
from ._fast import FastPath
from ._keys import unique
from ._layout import ELLIPSIS, Layout
from ._truncate import truncate
from .events import (
    EVENT_ID_KEY,
    EVENT_NAME_KEY,
    OVERRIDE_KEYS,
    EventParts,
    MessageError,
)
from .options import RenderOptions

__all__ = ["LineRenderer"]

_ERROR_NAME = "cef-logging render error"


def _describe(exc: BaseException) -> str:
    return f"{_text.safe_str(type(exc).__name__)}: {_text.safe_str(exc)}"


class _Fields:
    """An event's own fields, resolved: keys, raw texts and header overrides."""

    __slots__ = ("event_id", "keys", "name", "severity", "texts")

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.texts: list[str] = []
        self.event_id: object = None
        self.name: object = None
        self.severity: int | str | None = None


class LineRenderer:
    """Renders `EventParts` as CEF or LEEF lines.

    Args:
        options: The rendering options (validated when they were made).

    `__init__` compiles the options (see `_layout`); `render` only renders.
    Pickles as its options.
    """

    def __init__(self, options: RenderOptions) -> None:
        self.options = options
        self.layout = layout = Layout(options)
        #: The fast path (see `_fast`); None when the options rule it out.
        self.fast_path = self._fast = FastPath(layout) if layout.fast_ok else None

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.options,))

    @property
    def format(self) -> str:
        """`"cef"` or `"leef"`."""
        return self.options.format

    def render(self, parts: EventParts) -> str:
        """One line for `parts`. Never raises: on an internal error, a fallback line."""
        try:
            fast = self._fast
            if fast is not None and parts.keys is not None:
                line = fast.render(parts)
                if line is not None:
                    return line
            return self._general(parts)
        except Exception as exc:
            return self.fallback(parts.levelno, parts.message, exc)

    # ----------------------------------------------------------------- general path

    def _general(self, parts: EventParts) -> str:
        layout = self.layout
        fields = self._fields(parts)
        if fields.severity is not None:
            sev: int | str = fields.severity
        else:
            sev = layout.severity.severity(parts.levelno)
        if not layout.is_cef and isinstance(sev, int) and sev < 1:
            sev = 1  # QRadar's sev is 1-10
        event_id = parts.event_id if fields.event_id is None else fields.event_id
        if event_id is None or (type(event_id) is str and not event_id):
            event_id = layout.default_event_id
        name = parts.name if fields.name is None else fields.name
        if type(name) is MessageError:
            name = name.fallback
        keys: list[str] = []
        texts: list[str] = []
        if layout.ts_key is not None:
            keys.append(layout.ts_key)
            texts.append(self._timestamp(parts.created))
            if layout.ts_format_pair:
                keys.append(layout.ts_format_pair[0])
                texts.append(layout.ts_format_pair[1])
        if layout.sev_key is not None:
            keys.append(layout.sev_key)
            texts.append(str(sev))
        message = parts.message
        log_error: str | None = None
        if type(message) is MessageError:
            log_error = message.error
            message = message.fallback
        if message and layout.msg_key is not None:
            keys.append(layout.msg_key)
            texts.append(message if type(message) is str else _text.to_text(message))
        for key, text in layout.static:
            keys.append(key)
            texts.append(text)
        if layout.standard and parts.standard is not None:
            self._standard_fields(parts, keys, texts)
        keys += fields.keys
        texts += fields.texts
        if parts.exc_info is not None or parts.exc_text or parts.stack_info:
            self._exception_fields(parts, keys, texts)
        if log_error is not None and layout.log_error_key is not None:
            keys.append(layout.log_error_key)
            texts.append(log_error)
        if layout.order is not None:
            keys, texts = self._reorder(keys, texts)
        return self._line(event_id, name, sev, keys, texts)

    def _line(
        self, event_id: object, name: object, sev: int | str, keys: list[str], texts: list[str]
    ) -> str:
        """Header and escaped extension, truncated to ``max_length``."""
        layout = self.layout
        sig = _text.to_text(event_id)
        sig = layout.hcache.get(sig) or layout.header(sig)
        name_text = ""
        if layout.is_cef:
            name_text = "" if name is None else _text.to_text(name)
            name_text = layout.hcache.get(name_text) or layout.header(name_text)
        line = layout.head(sig, name_text, sev) + layout.ext.join(keys, texts)
        if layout.max_length is not None:
            pipes = 7 if layout.is_cef else (6 if layout.delim_slot else 5)
            return truncate(
                line, layout.max_length, layout.sep, layout.trunc_key or "truncated", pipes
            )
        return line

    def _timestamp(self, created: object) -> str:
        if type(created) is tuple:  # RenderedTime
            return str(created[0])
        render = self.layout.timestamp
        assert render is not None
        try:
            return render(created)  # type: ignore[arg-type]
        except Exception:  # None, NaN, out of range: now
            return render(time.time())

    def _fields(self, parts: EventParts) -> _Fields:
        """Resolve the event's fields: keys (unique), raw texts, header overrides."""
        layout = self.layout
        out = _Fields()
        items: Any = parts.items
        if parts.keys is not None:
            items = zip(parts.keys, parts.values, strict=False)
        if layout.flatten:
            from .field_maps import flatten

            items = flatten(dict(items)).items()
        lookup = layout.keys.lookup
        excluded = layout.excluded
        none_value = layout.none_value
        to_text = layout.to_text
        keys = out.keys
        texts = out.texts
        taken: set[str] | None = None
        seen: set[str] | None = set() if layout.defaults else None
        for raw, value in items:
            if raw in OVERRIDE_KEYS and self._override(out, raw, value):
                continue
            if seen is not None:
                seen.add(raw)
            key, plain = lookup(raw)
            if value is None:
                if none_value is None:
                    continue
                text = none_value
            else:
                text = value if type(value) is str else to_text(value)
            if not plain or taken is not None:
                if key in excluded:
                    continue
                if taken is None:
                    taken = set(layout.reserved)
                    taken.update(keys)
                key = unique(key, taken)
                taken.add(key)
            keys.append(key)
            texts.append(text)
        if seen is not None:
            self._defaults(out, seen, taken)
        return out

    def _override(self, out: _Fields, raw: str, value: object) -> bool:
        """Consume a per-event header override; False when `value` is not one."""
        if raw == EVENT_ID_KEY:
            if value is not None:
                out.event_id = value
            return True
        if raw == EVENT_NAME_KEY:
            out.name = value
            return True
        severity = self.layout.severity.override(value, not self.layout.is_cef)
        if severity is None:
            return False
        out.severity = severity
        return True

    def _defaults(self, out: _Fields, seen: set[str], taken: set[str] | None) -> None:
        layout = self.layout
        if taken is None:
            taken = set(layout.reserved)
            taken.update(out.keys)
        for raw, value in layout.defaults:
            if raw in seen:
                continue
            key = layout.keys.resolve(raw)
            if key in layout.excluded:
                continue
            text = layout.none_value if value is None else layout.to_text(value)
            if text is None:
                continue
            key = unique(key, taken)
            taken.add(key)
            out.keys.append(key)
            out.texts.append(text)

    def _standard_fields(self, parts: EventParts, keys: list[str], texts: list[str]) -> None:
        layout = self.layout
        getter = parts.standard
        assert getter is not None
        for name, key in layout.standard:
            try:
                value = layout.hostname if name == "host" else getter(name)
            except Exception as exc:
                value = f"<error {_describe(exc)}>"
            if value is None:
                if layout.none_value is None:
                    continue
                value = layout.none_value
            keys.append(key)
            texts.append(layout.to_text(value))

    def _exception_fields(self, parts: EventParts, keys: list[str], texts: list[str]) -> None:
        type_key, message_key, trace_key, stack_key = self.layout.exc_keys
        etype, emsg, trace = exception_texts(parts.exc_info, parts.exc_text)
        for key, value in ((type_key, etype), (message_key, emsg), (trace_key, trace)):
            if key is not None and value is not None:
                keys.append(key)
                texts.append(value)
        stack = parts.stack_info
        if stack and stack_key is not None:
            keys.append(stack_key)
            texts.append(stack.rstrip("\n"))

    def _reorder(self, keys: list[str], texts: list[str]) -> tuple[list[str], list[str]]:
        """Listed keys first, in `fields` order; the rest where `"..."` is (or last)."""
        order = self.layout.order
        assert order is not None
        by_key = dict(zip(keys, texts, strict=True))
        listed = {k for k in order if k != ELLIPSIS}
        rest = [k for k in by_key if k not in listed]
        out: list[str] = []
        for key in order:
            if key == ELLIPSIS:
                out += rest
            elif key in by_key:
                out.append(key)
        if ELLIPSIS not in order:
            out += rest
        return out, [by_key[k] for k in out]

    # -------------------------------------------------------------------- fallback

    def fallback(self, levelno: object, message: object, exc: BaseException) -> str:
        """A minimal, always valid line for an event that could not be rendered."""
        layout = self.layout
        header = layout.header_escape
        try:
            sev = layout.severity.severity(levelno)
            if isinstance(message, MessageError):
                message = message.fallback
            msg = _text.safe_str(message) if message is not None else ""
            keys = ["msg", "logError"]
            texts = [msg, _describe(exc)]
        except Exception:  # pragma: no cover - last resort
            sev, keys, texts = 0, [], []
        if not layout.is_cef:
            sev = max(sev, 1)
            if layout.sev_key is not None:
                keys.insert(0, layout.sev_key)
                texts.insert(0, str(sev))
        ext = layout.ext.escape_pairs(keys, texts)
        return layout.head(header(layout.default_event_id), header(_ERROR_NAME), sev) + ext
