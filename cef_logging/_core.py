"""The rendering core: options in, one CEF or LEEF line out.

Pure: this module never imports :mod:`logging` or :mod:`structlog`. The stdlib
formatters and the structlog renderers gather an event's parts and call
:meth:`LineRenderer.render`; every rule about what an event becomes (header
slots, severity, timestamps, field naming, collisions, ordering, exceptions,
truncation) lives here, and every character-level rule in :mod:`._text`.
"""

from __future__ import annotations

import operator
import re
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Final, Literal, TypeAlias

from . import _text
from ._dictionary import FULL_NAME_ALIASES
from ._timestamps import TIMESTAMP_FORMATS, RenderedTime, make_timestamp

__all__ = [
    "DEFAULT_SEVERITY_MAP",
    "EVENT_ID_KEY",
    "EVENT_NAME_KEY",
    "EVENT_SEVERITY_KEY",
    "RENDER_OPTIONS",
    "STANDARD_FIELDS",
    "LineRenderer",
    "MessageError",
]

ExcInfo: TypeAlias = tuple[type[BaseException], BaseException, TracebackType | None]
Kind = Literal["cef", "leef"]

#: Per-event header overrides: consumed, never written to the extension.
EVENT_ID_KEY: Final = "event_id"
EVENT_NAME_KEY: Final = "event_name"
EVENT_SEVERITY_KEY: Final = "event_severity"
_OVERRIDES: Final = frozenset({EVENT_ID_KEY, EVENT_NAME_KEY, EVENT_SEVERITY_KEY})

#: Level -> severity, as the runbook: below DEBUG 0, DEBUG 2, INFO 4, WARNING 6, ERROR 8,
#: CRITICAL 10.
DEFAULT_SEVERITY_MAP: Final[Mapping[int, int]] = {0: 0, 10: 2, 20: 4, 30: 6, 40: 8, 50: 10}

#: Standard level names (stdlib's and structlog's method names) -> numbers.
STANDARD_LEVELS: Final[Mapping[str, int]] = {
    "NOTSET": 0, "TRACE": 5, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30,
    "ERROR": 40, "EXCEPTION": 40, "FATAL": 50, "CRITICAL": 50, "MSG": 20, "LOG": 20,
}  # fmt: skip

#: CEF's named severities; LEEF's ``sev`` is numeric, so LEEF writes these as numbers.
_NAMED_SEVERITIES: Final[Mapping[str, int | None]] = {
    "unknown": None, "low": 3, "medium": 6, "high": 8, "very-high": 10,
}  # fmt: skip

#: The rendering options every adapter takes, by name, passed through to LineRenderer (which
#: reads mapping options key by key, so dictConfig's ext:// and cfg:// values resolve).
RENDER_OPTIONS: Final = (
    "vendor", "product", "version", "default_event_id", "severity_map", "timestamp",
    "rename_fields", "static_fields", "defaults", "standard_fields", "fields", "exclude_fields",
    "key_sanitizer", "full_name_aliases", "none_value", "max_length",
)  # fmt: skip

#: Opt-in standard fields: name -> default extension key.
STANDARD_FIELDS: Final[Mapping[str, str]] = {
    "host": "dvchost",
    "pid": "dvcpid",
    "process_name": "dproc",
    "thread": "thread",
    "thread_id": "threadId",
    "logger": "logger",
    "level": "level",
    "module": "module",
    "func": "func",
    "line": "line",
    "path": "path",
}

# Built-in field names (before ``rename_fields``).
_EXCEPTION_FIELDS: Final = ("exceptionType", "exceptionMessage", "stackTrace", "stackInfo")
_LOG_ERROR: Final = "logError"
_ELLIPSIS: Final = "..."
_TRUNCATED: Final = "truncated"
_KEY_CACHE_LIMIT: Final = 4096
_KEY_EQ: Final = re.compile(r"[A-Za-z0-9_]+=")


def _text_or_none(value: object) -> str | None:
    return None if value is None else _text.to_text(value)


_concat: Final = operator.add


#: Value types whose ``str()`` is already their text (bool, subclasses and the rest are not).
_PLAIN_TYPES: Final = frozenset({str, int, float})


class _Plan:
    """What a key sequence renders as: ``key=`` prefixes and whole-line templates."""

    __slots__ = ("prefixes", "with_counts", "with_msg", "without_counts", "without_msg")

    def __init__(
        self,
        prefixes: tuple[str, ...],
        with_msg: str | None,
        without_msg: str | None,
        with_counts: tuple[int, int, int],
        without_counts: tuple[int, int, int],
    ) -> None:
        self.prefixes = prefixes
        self.with_msg = with_msg
        self.without_msg = without_msg
        self.with_counts = with_counts
        self.without_counts = without_counts


class MessageError:
    """Marker for a message that could not be rendered (bad %-args, hostile ``__str__``)."""

    __slots__ = ("error", "fallback")

    def __init__(self, fallback: str, error: str) -> None:
        self.fallback = fallback
        self.error = error


def _describe(exc: BaseException) -> str:
    return f"{_text.safe_str(type(exc).__name__)}: {_text.safe_str(exc)}"


def _leef_delimiter_spec(delimiter: str) -> str:
    if len(delimiter) != 1:
        raise ValueError(f"LEEF delimiter must be one character, not {delimiter!r}")
    if delimiter in "|=\\\r\n" or ord(delimiter) in (0x2028, 0x2029):
        raise ValueError(f"LEEF delimiter {delimiter!r} cannot separate attributes safely")
    # A key character would split keys (they are not escaped); U+FFFD is what control
    # characters in values become, so it would let a value forge a separator.
    if (delimiter.isascii() and (delimiter.isalnum() or delimiter == "_")) or delimiter == "\ufffd":
        raise ValueError(f"LEEF delimiter {delimiter!r} cannot separate attributes safely")
    if delimiter.isprintable() and delimiter.isascii() and delimiter != " ":
        return delimiter
    if ord(delimiter) > 0xFFFF:
        raise ValueError("LEEF hex delimiters are limited to 4 hex digits")
    return "x%02x" % ord(delimiter) if ord(delimiter) < 0x100 else "x%04x" % ord(delimiter)


def _parse_delimiter(value: str) -> str:
    """Accept ``"\\t"``, ``"x09"``, ``"0x09"``, ``"tab"`` or a single character."""
    if value.lower() == "tab":
        return "\t"
    if (len(value) > 1 and value[:1] in "xX") or value[:2] in ("0x", "0X"):
        digits = value[2:] if value[:2] in ("0x", "0X") else value[1:]
        try:
            return chr(int(digits, 16))
        except ValueError:
            pass
    return value


def _severity_value(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"severity must be an integer 0-10, not {value!r}")
    number = int(value)
    if not 0 <= number <= 10:
        raise ValueError(f"severity must be 0-10, not {number}")
    return number


class LineRenderer:
    """Turns an event's parts into one CEF or LEEF line.

    ``__init__`` validates and precomputes everything; :meth:`render` only
    renders and never raises.
    """

    def __init__(
        self,
        kind: Kind = "cef",
        *,
        vendor: str = "cef-logging",
        product: str = "python",
        version: str = "1.0",
        leef_version: str = "2.0",
        delimiter: str = "\t",
        default_event_id: str = "Generic",
        severity_map: Mapping[Any, Any] | None = None,
        level_names: Mapping[str, int] | None = None,
        timestamp: str | None = "iso",
        rename_fields: Mapping[str, str] | None = None,
        static_fields: Mapping[str, object] | None = None,
        defaults: Mapping[str, object] | None = None,
        standard_fields: Sequence[str] = (),
        fields: Sequence[str] | None = None,
        exclude_fields: Sequence[str] = (),
        key_sanitizer: str | Callable[[str], str] = "strip",
        full_name_aliases: bool | None = None,
        none_value: str | None = None,
        max_length: int | None = None,
    ) -> None:
        if kind not in ("cef", "leef"):
            raise ValueError(f"kind must be 'cef' or 'leef', not {kind!r}")
        self.kind: Kind = kind
        self._is_cef = kind == "cef"
        header = _text.cef_header_escaper().escape
        self._header = header
        self._sanitize = _text.make_key_sanitizer(key_sanitizer)
        self._none_value = none_value
        self.default_event_id = _text.to_text(default_event_id)

        # --- header prefix and extension separator -----------------------------------------
        head = "|".join(header(_text.to_text(v)) for v in (vendor, product, version))
        if kind == "cef":
            self._prefix = f"CEF:0|{head}|"
            self._sep = " "
            escaper = _text.cef_value_escaper()
            self._delim_slot = ""
        else:
            leef_version = str(leef_version)
            if leef_version not in ("1.0", "2.0"):
                raise ValueError(f"leef_version must be '1.0' or '2.0', not {leef_version!r}")
            delim = _parse_delimiter(str(delimiter))
            if leef_version == "1.0":
                if delim != "\t":
                    raise ValueError("LEEF 1.0 has no delimiter slot: its delimiter is TAB")
                self._delim_slot = ""
            else:
                self._delim_slot = _leef_delimiter_spec(delim) + "|"
            self._prefix = f"LEEF:{leef_version}|{head}|"
            self._sep = delim
            escaper = _text.leef_value_escaper(delim)
        self._escape = escaper.escape
        self._clean = escaper.clean
        self.delimiter = self._sep

        # --- severity ------------------------------------------------------------------------
        names = dict(STANDARD_LEVELS)
        if level_names:
            names.update({str(k).upper(): int(level_names[k]) for k in level_names})
        self._level_names = names
        smap: dict[int, int] = {}
        source = DEFAULT_SEVERITY_MAP if severity_map is None else severity_map
        for key in source:  # by key, so dictConfig's ConvertingDict resolves values
            smap[self._level_number(key)] = _severity_value(source[key])
        if not smap:
            raise ValueError("severity_map must not be empty")
        self._sev_table = sorted(smap.items())
        self._sev_cache: dict[int, int] = {}
        self._leef = kind == "leef"

        # --- timestamp -----------------------------------------------------------------------
        if timestamp in (None, "off", "none", False):
            self._timestamp: Callable[[float], str] | None = None
            ts_format: str | None = None
        else:
            self._timestamp = make_timestamp(str(timestamp))
            ts_format = TIMESTAMP_FORMATS[str(timestamp)]
        #: The timestamp format's name ("iso", "epoch_ms", "arcsight") or None.
        self.timestamp_format: str | None = str(timestamp) if self._timestamp else None

        # --- field naming --------------------------------------------------------------------
        rename = {str(k): str(rename_fields[k]) for k in rename_fields} if rename_fields else {}
        if full_name_aliases is None:
            full_name_aliases = kind == "cef"
        self._aliases = dict(FULL_NAME_ALIASES) if full_name_aliases else {}
        self._rename = rename
        # a CEF full name (sourceAddress) names the same field as its short key (src)
        excluded = {self._sanitize(self._aliases.get(str(k), str(k))) for k in exclude_fields}
        self._excluded = frozenset(excluded)

        def builtin(name: str) -> str | None:
            key = self._sanitize(rename.get(name, name))
            return None if key in excluded else key

        ts_name = "rt" if kind == "cef" else "devTime"
        self._ts_key = builtin(ts_name) if self._timestamp else None
        self._ts_format_pair: str | None = None
        self._sev_key: str | None = None
        fmt_key: str | None = None
        if kind == "leef":
            fmt_key = builtin("devTimeFormat")
            if self._timestamp and ts_format and fmt_key:
                self._ts_format_pair = f"{fmt_key}={self._escape(ts_format)}"
            self._sev_key = builtin("sev")
        self._msg_key = builtin("msg")
        self._msg_prefix = None if self._msg_key is None else self._msg_key + "="
        self._ts_prefix = f"{self._ts_key}="
        self._exc_keys = tuple(builtin(n) for n in _EXCEPTION_FIELDS)
        self._log_error_key = builtin(_LOG_ERROR)
        self._trunc_key = builtin(_TRUNCATED) if max_length is not None else None

        reserved: list[str] = []
        own = [self._ts_key, self._sev_key, self._msg_key, *self._exc_keys, self._log_error_key,
               self._trunc_key]
        if self._ts_format_pair:
            own.append(self._ts_format_pair.split("=", 1)[0])
        elif kind == "leef" and self._ts_key is not None and fmt_key is not None:
            # devTime in epoch ms has no devTimeFormat; a user's devTimeFormat would make
            # QRadar read our devTime with the user's pattern, so the key stays ours.
            own.append(fmt_key)
        for key in own:
            if key is not None:
                if key in reserved:
                    raise ValueError(f"rename_fields maps two built-in fields to {key!r}")
                reserved.append(key)

        # static fields: rendered once, here
        self._static: list[str] = []
        if static_fields:
            for raw in static_fields:
                key = self._extension_key(str(raw))
                if key in excluded:
                    continue
                key = self._unique(key, reserved)
                reserved.append(key)
                value = static_fields[raw]
                if value is None and none_value is None:
                    continue
                text = none_value if value is None else _text.to_text(value)
                self._static.append(f"{key}={self._escape(text or '')}")

        # standard fields: (name, key)
        self.standard_fields: tuple[tuple[str, str], ...] = ()
        std: list[tuple[str, str]] = []
        for name in standard_fields:
            if name not in STANDARD_FIELDS:
                raise ValueError(
                    f"unknown standard field {name!r}; choose from {sorted(STANDARD_FIELDS)}"
                )
            key = builtin(STANDARD_FIELDS[name]) if name not in rename else builtin(name)
            if key is None:
                continue
            key = self._unique(key, reserved)
            reserved.append(key)
            std.append((name, key))
        self.standard_fields = tuple(std)
        self._reserved = frozenset(reserved)
        self._hostname = socket.gethostname()

        self._defaults: tuple[tuple[str, object], ...] = (
            tuple((str(k), defaults[k]) for k in defaults) if defaults else ()
        )

        # --- order ---------------------------------------------------------------------------
        self._order: tuple[str, ...] | None = None
        if fields is not None:
            order = []
            for name in fields:
                name = str(name)
                order.append(
                    _ELLIPSIS if name == _ELLIPSIS
                    else self._sanitize(self._aliases.get(name, name))
                )  # fmt: skip
            self._order = tuple(order)

        self._key_cache: dict[str, tuple[str, bool]] = {}
        self._plans: dict[tuple[str, ...], _Plan | None] = {}
        self._hcache: dict[str, str] = {}
        if max_length is not None:
            max_length = int(max_length)
            if max_length < 64:
                raise ValueError("max_length must be at least 64 bytes")
        self._max_length = max_length
        # Events without exceptions, ordering, truncation or standard fields render through
        # per-plan templates (see _templates); everything else through _finish.
        self._prefix_len = len(self._prefix)
        self._special = "=" if self._is_cef else self._sep
        self._ascii_unsafe = escaper.ascii_unsafe
        self._unsafe_bytes = escaper.unsafe_bytes
        self._fast = (
            self._order is None
            and max_length is None
            and not self.standard_fields
            and self._ts_key is not None
            and self._msg_prefix is not None
            and (self._is_cef or self._sev_key is not None)
        )

    # ----------------------------------------------------------------------------- helpers

    def _level_number(self, key: object) -> int:
        if isinstance(key, int) and not isinstance(key, bool):
            return key
        text = str(key).strip()
        if text.lstrip("-").isdigit():
            return int(text)
        try:
            return self._level_names[text.upper()]
        except KeyError:
            raise ValueError(f"unknown level name {key!r} in severity_map") from None

    def _cache_header(self, text: str) -> str:
        """Escape a header value, remembering it (logger names and templates repeat)."""
        escaped = self._header(text)
        if len(text) <= 256:
            if len(self._hcache) >= _KEY_CACHE_LIMIT:
                self._hcache.clear()
            self._hcache[text] = escaped
        return escaped

    def _cache_key(self, raw: str) -> tuple[str, bool]:
        """Resolve and cache ``raw``: (key, plain) where plain means "came through unchanged"."""
        key = self._extension_key(raw if type(raw) is str else _text.safe_str(raw))
        plain = key == raw and key not in self._reserved and key not in self._excluded
        cache = self._key_cache
        if len(cache) >= _KEY_CACHE_LIMIT:
            cache.clear()
        cache[raw] = (key, plain)
        return key, plain

    def _extension_key(self, raw: str) -> str:
        """rename -> CEF full-name alias -> sanitise (no collision handling)."""
        if type(raw) is not str:
            raw = _text.safe_str(raw)
        name = self._rename.get(raw, raw)
        name = self._aliases.get(name, name)
        return self._sanitize(name)

    @staticmethod
    def _unique(key: str, taken: Iterable[str] | set[str]) -> str:
        """The one collision rule: the first holder keeps ``key``; later ones get ``key_2``, ..."""
        taken_set = taken if isinstance(taken, set | frozenset) else set(taken)
        if key not in taken_set:
            return key
        n = 2
        while f"{key}_{n}" in taken_set:
            n += 1
        return f"{key}_{n}"

    def severity_for(self, levelno: int) -> int:
        """Severity for a level: the mapped level at or below it, 0 below the lowest."""
        try:
            return self._sev_cache[levelno]
        except (KeyError, TypeError):
            pass
        sev = 0
        for level, value in self._sev_table:
            if level <= levelno:
                sev = value
            else:
                break
        if len(self._sev_cache) < 1024:
            self._sev_cache[levelno] = sev
        return sev

    def level_number(self, name: str) -> int | None:
        return self._level_names.get(name.upper())

    def _override_severity(self, value: object) -> int | str | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int) and 0 <= value <= 10:
            return value
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit() and 0 <= int(text) <= 10:
                return int(text)
            lowered = text.lower()
            if lowered in _NAMED_SEVERITIES:
                if not self._leef:
                    return {"very-high": "Very-High"}.get(lowered, lowered.capitalize())
                return _NAMED_SEVERITIES[lowered]
        return None

    def _value_text(self, value: object) -> str | None:
        if value is None:
            return self._none_value
        return _text.to_text(value)

    def standard_value(self, name: str, getter: Callable[[str], object]) -> object:
        if name == "host":
            return self._hostname
        return getter(name)

    # ----------------------------------------------------------------------------- render

    def render(
        self,
        *,
        created: float | RenderedTime | None,
        levelno: int | None,
        event_id: object,
        name: object,
        message: str | MessageError | None,
        items: Iterable[tuple[str, object]] = (),
        keys: tuple[str, ...] | None = None,
        values: Sequence[object] = (),
        exc_info: object = None,
        exc_text: str | None = None,
        stack_info: str | None = None,
        standard: Callable[[str], object] | None = None,
    ) -> str:
        """Render one event. Never raises: on an internal error it returns a fallback line.

        User fields come either as ``items`` (key, value) pairs or, faster, as ``keys``
        (a tuple, so that the field plan for a call site is cached) and ``values``.
        """
        try:
            return self._render(
                created, levelno, event_id, name, message, items, keys, values, exc_info,
                exc_text, stack_info, standard,
            )  # fmt: skip
        except Exception as exc:  # pragma: no cover - exercised by hostile-input tests
            return self.fallback(levelno, message, exc)

    def fallback(self, levelno: object, message: object, exc: BaseException) -> str:
        """A minimal, always valid line for an event that could not be rendered."""
        try:
            sev = self.severity_for(levelno) if isinstance(levelno, int) else 0
            if self._leef:
                sev = max(sev, 1)
            if isinstance(message, MessageError):
                message = message.fallback
            msg = _text.safe_str(message) if message is not None else ""
            pairs = [f"msg={self._escape(msg)}", f"{_LOG_ERROR}={self._escape(_describe(exc))}"]
            return self._assemble(self.default_event_id, "cef-logging render error", sev, pairs)
        except Exception:  # pragma: no cover - last resort
            return self._assemble(self.default_event_id, "cef-logging render error", 0, [])

    def _assemble(self, event_id: str, name: str, sev: int | str, pairs: list[str]) -> str:
        header = self._header
        if self.kind == "cef":
            return f"{self._prefix}{header(event_id)}|{header(name)}|{sev}|{' '.join(pairs)}"
        if self._sev_key is not None and not any(p.startswith(self._sev_key + "=") for p in pairs):
            pairs.insert(0, f"{self._sev_key}={sev}")
        return f"{self._prefix}{header(event_id)}|{self._delim_slot}{self._sep.join(pairs)}"

    def _render(
        self,
        created: float | RenderedTime | None,
        levelno: int | None,
        event_id: object,
        name: object,
        message: str | MessageError | None,
        items: Iterable[tuple[str, object]],
        raw_keys: tuple[str, ...] | None,
        raw_values: Sequence[object],
        exc_info: object,
        exc_text: str | None,
        stack_info: str | None,
        standard: Callable[[str], object] | None,
    ) -> str:
        escape = self._escape

        # --- user fields: one pass ------------------------------------------------------------
        # The collision rule needs a set of taken keys only once a key that was transformed
        # (renamed, aliased, sanitised or reserved) shows up: distinct raw keys that come
        # through unchanged cannot collide with each other or with the formatter's own keys.
        if raw_keys is not None:
            # (keys, values) form: the fast path, when this key sequence has a plan.
            plan = self._plans.get(raw_keys)
            if plan is None and raw_keys not in self._plans:
                plan = self._make_plan(raw_keys)
            if plan is not None:
                # The plan's templates serve events without exception or stack information
                # whose header values are plain text.
                templated = (
                    plan.with_msg is not None
                    and exc_info is None
                    and not exc_text
                    and not stack_info
                    and type(message) is str
                    and type(event_id) is str
                    and event_id
                    and (type(name) is str or not self._is_cef)
                )
                # (templated: event_id and message are str; annotated, as cast() costs a call)
                sig: str = event_id  # type: ignore[assignment]
                text: str = message  # type: ignore[assignment]
                if templated and text:
                    # Plain str/int/float values: one C-level scan of message and values
                    # decides that nothing needs escaping, then one template fills the line.
                    try:
                        if _PLAIN_TYPES.issuperset(map(type, raw_values)):
                            vals = raw_values if type(raw_values) is tuple else tuple(raw_values)
                            line = self._fast_line(
                                plan, created, levelno, sig, name, text, vals, True
                            )
                            if line is not None:
                                return line
                    except ValueError:  # an int too long for str(): the general path copes
                        pass
                maybe = [v if type(v) is str else _text_or_none(v) for v in raw_values]
                if None not in maybe:
                    done: list[str] = maybe  # type: ignore[assignment]
                    if not self._clean("".join(done)):
                        done = [escape(t) for t in done]
                    if templated:
                        line = self._fast_line(
                            plan, created, levelno, sig, name,
                            self._escape(text) if text else text, done,
                        )  # fmt: skip
                        if line is not None:
                            return line
                    return self._finish(
                        created, levelno, event_id, name, message, exc_info, exc_text,
                        stack_info, standard, list(map(_concat, plan.prefixes, done)), None, None,
                    )  # fmt: skip
            items = zip(raw_keys, raw_values, strict=False)
        to_text = _text.to_text
        sev_override: object = None
        name_override: object = None
        keys: list[str] = []
        texts: list[str] = []
        taken: set[str] | None = None
        cache = self._key_cache
        seen_raw: set[str] | None = set() if self._defaults else None
        excluded = self._excluded
        none_value = self._none_value
        for raw, value in items:
            if raw in _OVERRIDES:
                if raw == EVENT_ID_KEY:
                    event_id = value if value is not None else event_id
                    continue
                if raw == EVENT_NAME_KEY:
                    name_override = value
                    continue
                if self._override_severity(value) is not None:
                    sev_override = value
                    continue
            if seen_raw is not None:
                seen_raw.add(raw)
            try:
                key, plain = cache[raw]
            except KeyError:
                key, plain = self._cache_key(raw)
            except TypeError:  # an unhashable / non-str key from a hostile mapping
                key, plain = self._extension_key(_text.safe_str(raw)), False
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
                    taken = set(self._reserved)
                    taken.update(keys)
                if key in taken:
                    key = self._unique(key, taken)
                taken.add(key)
            keys.append(key)
            texts.append(text)
        if seen_raw is not None:
            if taken is None:
                taken = set(self._reserved)
                taken.update(keys)
            for raw, value in self._defaults:
                if raw in seen_raw:
                    continue
                key = self._extension_key(raw)
                if key in excluded:
                    continue
                default_text = self._value_text(value)
                if default_text is None:
                    continue
                key = self._unique(key, taken)
                taken.add(key)
                keys.append(key)
                texts.append(default_text)
        if texts:
            if not self._clean("".join(texts)):
                texts = [escape(t) for t in texts]
            extras = [f"{k}={t}" for k, t in zip(keys, texts, strict=True)]
        else:
            extras = []
        return self._finish(
            created, levelno, event_id, name, message, exc_info, exc_text, stack_info,
            standard, extras, sev_override, name_override,
        )  # fmt: skip

    def _make_plan(self, raw_keys: tuple[str, ...]) -> _Plan | None:
        """Resolve a key sequence once: its ``key=`` prefixes and line templates, or None when
        it needs the slow path (per-event overrides, exclusions, defaults)."""
        plans = self._plans
        if len(plans) >= _KEY_CACHE_LIMIT:
            plans.clear()
        plan: _Plan | None = None
        if not self._defaults and not any(k in _OVERRIDES for k in raw_keys):
            try:
                taken = set(self._reserved)
                out = []
                for raw in raw_keys:
                    key = self._extension_key(raw)
                    if key in self._excluded:
                        raise LookupError(key)
                    key = self._unique(key, taken)
                    taken.add(key)
                    out.append(key + "=")
                plan = _Plan(tuple(out), *self._templates(out))
            except (LookupError, TypeError, AttributeError):
                plan = None
        plans[raw_keys] = plan
        return plan

    def _fast_line(
        self,
        plan: _Plan,
        created: float | RenderedTime | None,
        levelno: int | None,
        event_id: str,
        name: object,
        message: str,
        texts: Sequence[object],
        verify: bool = False,
    ) -> str | None:
        """The common case through the plan's template; None to take the general path.

        ``message`` and ``texts`` are already escaped, or (``verify``) raw str/int/float
        values: then the line's extension is checked afterwards, in a few C-level scans, to
        hold nothing that needs escaping, and None is returned if it does."""
        if levelno is None:
            sev = 0
        else:
            try:
                sev = self._sev_cache[levelno]
            except (KeyError, TypeError):
                sev = self.severity_for(levelno)
        if type(created) is tuple:  # RenderedTime
            ts = created[0]
        else:
            try:
                ts = self._timestamp(created)  # type: ignore[misc,arg-type]
            except Exception:
                return None
        hcache = self._hcache
        sig = hcache.get(event_id) or self._cache_header(event_id)
        if self._is_cef:
            name_str: str = name  # type: ignore[assignment]  # checked by the caller
            name_text = hcache.get(name_str) or self._cache_header(name_str)
            if message:
                args: tuple[object, ...] = (sig, name_text, sev, ts, message, *texts)
                line: str = plan.with_msg % args  # type: ignore[operator]
                counts = plan.with_counts
            else:
                line = plan.without_msg % (sig, name_text, sev, ts, *texts)  # type: ignore[operator]
                counts = plan.without_counts
            if not verify:
                return line
            start = self._prefix_len + len(sig) + len(name_text) + (5 if sev == 10 else 4)
        else:
            if sev < 1:
                sev = 1  # QRadar's sev is 1-10
            if message:
                args = (sig, ts, sev, message, *texts)
                line = plan.with_msg % args  # type: ignore[operator]
                counts = plan.with_counts
            else:
                line = plan.without_msg % (sig, ts, sev, *texts)  # type: ignore[operator]
                counts = plan.without_counts
            if not verify:
                return line
            start = self._prefix_len + len(sig) + 1 + len(self._delim_slot)
        ext = line[start:]
        if ext.isascii():  # the common case: one C-level pass (see _text.Escaper)
            data = ext.encode("ascii")
            unsafe = len(data) - len(data.translate(None, self._unsafe_bytes))
            return line if unsafe == counts[2] else None
        return line if self._verify(ext, counts) else None

    def _verify(self, ext: str, counts: tuple[int, int, int]) -> bool:
        """Does a rendered extension hold exactly the escapable characters of its template?"""
        unsafe = self._ascii_unsafe(ext)
        if unsafe >= 0:
            return unsafe == counts[2]
        # Non-ASCII: the slower, exact check of the same rule.
        if ext.count("\\") != counts[0] or ext.count(self._special) != counts[1]:
            return False
        sep = self._sep
        return (ext if sep == " " or sep.isprintable() else ext.replace(sep, " ")).isprintable()

    def _templates(
        self, prefixes: list[str]
    ) -> tuple[str | None, str | None, tuple[int, int, int], tuple[int, int, int]]:
        """Whole-line %-templates (with and without ``msg``) for the common case, so that an
        ordinary event renders with one C-level ``%``. Same output as :meth:`_finish`.

        With each, the number of backslashes and of ``=`` (CEF) or delimiters (LEEF) its
        extension holds by itself: a rendered line holding more has a value to escape."""
        if not self._fast:
            return None, None, (0, 0, 0), (0, 0, 0)

        def pct(text: str) -> str:
            return text.replace("%", "%%")

        head = [pct(self._ts_prefix) + "%s"]
        if not self._is_cef:
            if self._ts_format_pair:
                head.append(pct(self._ts_format_pair))
            head.append(pct(f"{self._sev_key}=") + "%s")
        tail = [pct(pair) for pair in self._static] + [pct(p) + "%s" for p in prefixes]
        msg = [pct(self._msg_prefix or "") + "%s"]
        if self._is_cef:
            start = pct(self._prefix) + "%s|%s|%s|"
        else:
            start = pct(self._prefix) + "%s|" + pct(self._delim_slot)
        sep = pct(self._sep)
        special = self._special

        def counts(parts: list[str]) -> tuple[int, int, int]:
            ext = self._sep.join(parts).replace("%%", "%").replace("%s", "")
            return ext.count("\\"), ext.count(special), self._ascii_unsafe(ext)

        return (
            start + sep.join(head + msg + tail),
            start + sep.join(head + tail),
            counts(head + msg + tail),
            counts(head + tail),
        )

    def _finish(
        self,
        created: float | RenderedTime | None,
        levelno: int | None,
        event_id: object,
        name: object,
        message: str | MessageError | None,
        exc_info: object,
        exc_text: str | None,
        stack_info: str | None,
        standard: Callable[[str], object] | None,
        extras: list[str],
        sev_override: object,
        name_override: object,
    ) -> str:
        escape = self._escape
        to_text = _text.to_text
        # --- header values --------------------------------------------------------------------
        if sev_override is not None:
            sev: int | str = self._override_severity(sev_override)  # type: ignore[assignment]
        elif levelno is None:
            sev = 0
        else:
            try:
                sev = self._sev_cache[levelno]
            except (KeyError, TypeError):
                sev = self.severity_for(levelno)
        if self._leef and isinstance(sev, int) and sev < 1:
            sev = 1  # QRadar's sev is 1-10
        if event_id is None or (type(event_id) is str and not event_id):
            event_id = self.default_event_id
        sig = event_id if type(event_id) is str else to_text(event_id)
        if name_override is not None:
            name = name_override
        if type(name) is str:
            name_text = name
        else:
            if type(name) is MessageError:
                name = name.fallback
            name_text = name if type(name) is str else ("" if name is None else to_text(name))

        # --- built-in fields ------------------------------------------------------------------
        pairs: list[str] = []
        if self._ts_key is not None:
            if type(created) is tuple:  # RenderedTime
                ts = created[0]
            else:
                try:
                    ts = self._timestamp(created)  # type: ignore[misc,arg-type]
                except Exception:
                    ts = self._timestamp(time.time())  # type: ignore[misc]
            pairs.append(self._ts_prefix + ts)
            if self._ts_format_pair:
                pairs.append(self._ts_format_pair)
        if self._sev_key is not None:
            pairs.append(f"{self._sev_key}={sev}")
        log_error: str | None = None
        if type(message) is MessageError:
            log_error = message.error
            message = message.fallback
        if message and self._msg_prefix is not None:
            pairs.append(self._msg_prefix + escape(message))  # type: ignore[arg-type]
        if self._static:
            pairs.extend(self._static)
        if self.standard_fields and standard is not None:
            for std_name, key in self.standard_fields:
                try:
                    std_value = self.standard_value(std_name, standard)
                except Exception as exc:
                    std_value = f"<error {_describe(exc)}>"
                std_text = self._value_text(std_value)
                if std_text is not None:
                    pairs.append(f"{key}={escape(std_text)}")
        pairs.extend(extras)
        if exc_info is not None or exc_text or stack_info:
            self._exception_pairs(pairs, exc_info, exc_text, stack_info)
        if log_error is not None and self._log_error_key is not None:
            pairs.append(f"{self._log_error_key}={escape(log_error)}")

        if self._order is not None:
            pairs = self._reorder(pairs)

        hcache = self._hcache
        try:
            sig = hcache[sig]
        except KeyError:
            sig = self._cache_header(sig)
        if self._is_cef:
            try:
                name_text = hcache[name_text]
            except KeyError:
                name_text = self._cache_header(name_text)
            line = f"{self._prefix}{sig}|{name_text}|{sev}|{' '.join(pairs)}"
        else:
            line = f"{self._prefix}{sig}|{self._delim_slot}{self._sep.join(pairs)}"
        if self._max_length is not None:
            return self._truncate(line)
        return line

    def _exception_pairs(
        self, pairs: list[str], exc_info: object, exc_text: str | None, stack_info: str | None
    ) -> None:
        escape = self._escape
        type_key, message_key, trace_key, stack_key = self._exc_keys
        etype: str | None = None
        emsg: str | None = None
        trace: str | None = None
        info = self._exc_tuple(exc_info)
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
        elif exc_text:
            trace = exc_text.rstrip("\n")
            last = trace.rsplit("\n", 1)[-1]
            head, colon, rest = last.partition(": ")
            if head and " " not in head:
                etype, emsg = head, (rest if colon else "")
        for key, value in ((type_key, etype), (message_key, emsg), (trace_key, trace)):
            if key is not None and value is not None:
                pairs.append(f"{key}={escape(value)}")
        if stack_info and stack_key is not None:
            pairs.append(f"{stack_key}={escape(stack_info.rstrip(chr(10)))}")

    @staticmethod
    def _exc_tuple(exc_info: object) -> ExcInfo | None:
        if exc_info is None or exc_info is False:
            return None
        if exc_info is True:
            current = sys.exc_info()
            return None if current[0] is None else current
        if isinstance(exc_info, BaseException):
            return (type(exc_info), exc_info, exc_info.__traceback__)
        if isinstance(exc_info, tuple) and len(exc_info) == 3:
            if exc_info[0] is None:
                return None
            if isinstance(exc_info[1], BaseException):
                return exc_info
        return None

    def _reorder(self, pairs: list[str]) -> list[str]:
        assert self._order is not None
        by_key: dict[str, str] = {}
        for pair in pairs:
            by_key[pair.split("=", 1)[0]] = pair
        listed = {k for k in self._order if k != _ELLIPSIS}
        rest = [p for k, p in by_key.items() if k not in listed]
        out: list[str] = []
        placed_rest = False
        for key in self._order:
            if key == _ELLIPSIS:
                out.extend(rest)
                placed_rest = True
            elif key in by_key:
                out.append(by_key[key])
        if not placed_rest:
            out.extend(rest)
        return out

    def _truncate(self, line: str) -> str:
        """Cut to ``max_length`` UTF-8 bytes without splitting a character or an escape."""
        limit = self._max_length
        assert limit is not None
        data = line.encode("utf-8")
        if len(data) <= limit:
            return line
        marker = f"{self._sep}{self._trunc_key or _TRUNCATED}={len(data)}"
        header_end = self._header_length(line)
        room = limit - len(marker.encode("utf-8"))
        cut = data[:room].decode("utf-8", "ignore")
        if len(cut) <= header_end:
            # Never cut into the header: keep it whole, drop the extension.
            return line[:header_end] + marker.lstrip(self._sep)
        # Do not leave a dangling backslash (half an escape).
        stripped = cut.rstrip("\\")
        if (len(cut) - len(stripped)) % 2:
            cut = cut[:-1]
        # Do not leave half a key: unless a whole "key=" follows the last *unescaped*
        # separator (or the header), back up to it. (An escaped LEEF delimiter such as
        # "\^" is part of a value; cutting there would leave a dangling backslash.)
        end = len(cut)
        while True:
            last_sep = cut.rfind(self._sep, header_end, end)
            if last_sep == -1:
                last_sep = header_end - 1
                break
            run = last_sep
            while run > header_end and cut[run - 1] == "\\":
                run -= 1
            if (last_sep - run) % 2 == 0:
                break
            end = last_sep
        if _KEY_EQ.match(cut, last_sep + 1) is None:
            cut = cut[: max(last_sep, header_end)]
        if len(cut) <= header_end:
            return line[:header_end] + marker.lstrip(self._sep)
        return cut + marker

    def _header_length(self, line: str) -> int:
        """Index just past the header's last pipe (7 pipes for CEF, 5/6 for LEEF)."""
        pipes = 7 if self.kind == "cef" else (6 if self._delim_slot else 5)
        i = -1
        count = 0
        while count < pipes:
            i = line.find("|", i + 1)
            if i == -1:
                return len(line)
            if line[i - 1] == "\\":
                # escaped pipe: count the backslashes before it
                j = i - 1
                while j >= 0 and line[j] == "\\":
                    j -= 1
                if (i - 1 - j) % 2:
                    continue
            count += 1
        return i + 1

