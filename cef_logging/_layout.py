"""The compiled layout: what a :class:`~cef_logging.options.RenderOptions` means for a line.

Header prefix, separators and escapers, built-in field keys, reserved keys, static and
standard fields, severity table, timestamp renderer, field order: everything decided once,
at construction, so that rendering only reads attributes.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from typing import Final

from . import _text
from ._cache import BoundedCache
from ._dictionary import FULL_NAME_ALIASES
from ._extension import ExtensionEscaper
from ._keys import KeyResolver, unique
from ._severity import SeverityTable
from ._timestamps import TIMESTAMP_FORMATS, make_timestamp
from .options import STANDARD_FIELDS, RenderOptions

__all__ = ["ELLIPSIS", "EXCEPTION_FIELDS", "Layout"]

#: Built-in exception field names (before ``rename_fields``).
EXCEPTION_FIELDS: Final = ("exceptionType", "exceptionMessage", "stackTrace", "stackInfo")
#: The ``fields`` entry that stands for every field not listed.
ELLIPSIS: Final = "..."
_LOG_ERROR: Final = "logError"
_TRUNCATED: Final = "truncated"


def _delimiter_slot(delimiter: str) -> str:
    """LEEF 2.0's delimiter header field: the character, or its hex form when not visible."""
    if delimiter.isprintable() and delimiter.isascii() and delimiter != " ":
        return delimiter
    return "x%02x" % ord(delimiter) if ord(delimiter) < 0x100 else "x%04x" % ord(delimiter)


class Layout:
    """Everything :class:`~cef_logging.render.LineRenderer` needs, precomputed."""

    def __init__(self, options: RenderOptions) -> None:
        self.options = options
        self.is_cef = options.format == "cef"
        self._frame(options)
        #: value -> text (dict/list values by the chosen JSON encoder)
        self.to_text: Callable[[object], str] = _text.make_to_text(options.json_encoder)
        self.default_event_id = _text.to_text(options.default_event_id)
        self.none_value = options.none_value
        self.max_length = options.max_length
        self.hostname = socket.gethostname()
        self.severity = SeverityTable(options.severity_map, options.level_names)
        ts_name = options.timestamp
        self.timestamp: Callable[[float], str] | None = (
            None if ts_name is None else make_timestamp(ts_name)
        )
        self.timestamp_format = ts_name

        # key resolution: rename_fields wins over field_map
        rename = dict(options.rename_fields or {})
        self.flatten = options.field_map is not None
        if options.field_map is not None:
            from .field_maps import resolve_field_map

            table = resolve_field_map(options.field_map, fmt=options.format) or {}
            rename = {**table, **rename}
        aliases = dict(FULL_NAME_ALIASES) if options.full_name_aliases else {}
        sanitize = _text.make_key_sanitizer(options.key_sanitizer)
        self.keys = KeyResolver(rename, aliases, sanitize)
        self.excluded = frozenset(sanitize(aliases.get(k, k)) for k in options.exclude_fields)
        self.keys.excluded = self.excluded
        user_rename = options.rename_fields or {}

        def builtin(name: str) -> str | None:
            key = sanitize(user_rename.get(name, name))
            return None if key in self.excluded else key

        reserved = self._builtin_keys(builtin)
        self.static = self._static(options.static_fields, reserved)
        self.standard = self._standard(options.standard_fields, reserved, builtin, user_rename)
        self.reserved = frozenset(reserved)
        self.keys.reserved = self.reserved
        self.defaults: tuple[tuple[str, object], ...] = tuple(
            (str(k), v) for k, v in (options.defaults or {}).items()
        )
        self.order: tuple[str, ...] | None = None
        if options.fields is not None:
            self.order = tuple(
                ELLIPSIS if name == ELLIPSIS else sanitize(aliases.get(name, name))
                for name in options.fields
            )
        #: Events of this layout can take the fast path (see :mod:`._fast`).
        self.fast_ok = (
            self.order is None
            and not self.defaults
            and not self.standard
            and self.ts_key is not None
            and self.msg_key is not None
            and (self.is_cef or self.sev_key is not None)
        )

    def _frame(self, options: RenderOptions) -> None:
        """Header prefix, separators and escapers."""
        header = _text.cef_header_escaper().escape
        self.header_escape: Callable[[str], str] = header
        #: escaped header values (read directly by the hot paths; filled by :meth:`header`)
        self.hcache: BoundedCache[str] = BoundedCache(4096, 1 << 20)
        head = "|".join(
            header(_text.to_text(v)) for v in (options.vendor, options.product, options.version)
        )
        delim = options.delimiter
        if self.is_cef:
            self.prefix = f"CEF:0|{head}|"
            self.sep = " "
            self.delim_slot = ""
            self.value_escape = _text.cef_value_escaper().escape
            self.ext = ExtensionEscaper("cef")
        else:
            self.prefix = f"LEEF:{options.leef_version}|{head}|"
            self.sep = delim
            self.delim_slot = "" if options.leef_version == "1.0" else _delimiter_slot(delim) + "|"
            self.value_escape = _text.leef_value_escaper(delim).escape
            self.ext = ExtensionEscaper("leef", delim)

    def _builtin_keys(self, builtin: Callable[[str], str | None]) -> list[str]:
        """The keys of the built-in fields (None: excluded); returns them, all distinct."""
        timed = self.timestamp is not None
        name = self.timestamp_format
        pattern = None if name is None else TIMESTAMP_FORMATS[name]
        self.ts_key = builtin("rt" if self.is_cef else "devTime") if timed else None
        self.ts_format_pair: tuple[str, str] | None = None
        self.sev_key: str | None = None
        format_key: str | None = None
        if not self.is_cef:
            format_key = builtin("devTimeFormat")
            if timed and pattern and format_key:
                self.ts_format_pair = (format_key, pattern)
            elif self.ts_key is None:
                # devTime in epoch ms has no devTimeFormat, but a user's devTimeFormat would
                # make QRadar read our devTime with the user's pattern: the key stays ours.
                format_key = None
            self.sev_key = builtin("sev")
        self.msg_key = builtin("msg")
        self.exc_keys = tuple(builtin(n) for n in EXCEPTION_FIELDS)
        self.log_error_key = builtin(_LOG_ERROR)
        self.trunc_key = builtin(_TRUNCATED) if self.max_length is not None else None
        reserved: list[str] = []
        own = [self.ts_key, self.sev_key, self.msg_key, *self.exc_keys, self.log_error_key,
               self.trunc_key, format_key]  # fmt: skip
        for key in own:
            if key is not None:
                if key in reserved:
                    raise ValueError(f"rename_fields maps two built-in fields to {key!r}")
                reserved.append(key)
        return reserved

    def _static(
        self, static_fields: Mapping[str, object] | None, reserved: list[str]
    ) -> tuple[tuple[str, str], ...]:
        """``static_fields`` as (key, raw text) pairs, keys unique among the reserved ones."""
        out: list[tuple[str, str]] = []
        for raw, value in (static_fields or {}).items():
            key = self.keys.resolve(str(raw))
            if key in self.excluded:
                continue
            key = unique(key, reserved)
            reserved.append(key)
            if value is None and self.none_value is None:
                continue
            text = self.none_value if value is None else self.to_text(value)
            out.append((key, text or ""))
        return tuple(out)

    def _standard(
        self,
        names: tuple[str, ...] | object,
        reserved: list[str],
        builtin: Callable[[str], str | None],
        rename: Mapping[str, str],
    ) -> tuple[tuple[str, str], ...]:
        """``standard_fields`` as (name, key) pairs."""
        out: list[tuple[str, str]] = []
        for name in names if isinstance(names, tuple) else ():
            key = builtin(STANDARD_FIELDS[name]) if name not in rename else builtin(name)
            if key is None:
                continue
            key = unique(key, reserved)
            reserved.append(key)
            out.append((name, key))
        return tuple(out)

    def header(self, text: str) -> str:
        """Escape a header value, remembering it (logger names and templates repeat)."""
        escaped = self.header_escape(text)
        if len(text) <= 256:
            self.hcache.put(text, escaped, 2 * len(text) + 64)
        return escaped

    def head(self, sig: str, name: str, sev: int | str) -> str:
        """The header up to the extension, from escaped ``sig`` and ``name``."""
        if self.is_cef:
            return f"{self.prefix}{sig}|{name}|{sev}|"
        return f"{self.prefix}{sig}|{self.delim_slot}"
