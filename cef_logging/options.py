"""Every rendering option, declared once: `RenderOptions`.

The stdlib formatters (`CEFFormatter`,
`LEEFFormatter`) and the structlog renderers
(`CEFRenderer`, `LEEFRenderer`) take these
options as keyword arguments and gather them into one `RenderOptions`, which
validates each one when it is made: a bad value raises `ValueError` naming the
option and the values it accepts, at construction, never while logging.

Mapping options are copied key by key (``mapping[key]``), so that values written as
``ext://...`` or ``cfg://...`` in a `dictConfig` dictionary resolve.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from . import _severity, _text
from ._timestamps import TIMESTAMP_FORMATS, make_timestamp

__all__ = [
    "DEFAULT_CEF_TIMESTAMP",
    "DEFAULT_LEEF_TIMESTAMP",
    "DEFAULT_SEVERITY_MAP",
    "STANDARD_FIELDS",
    "RenderOptions",
]

#: The timestamp format CEF's ``rt`` uses unless ``timestamp`` says otherwise.
DEFAULT_CEF_TIMESTAMP: Final = "epoch_ms"
#: The timestamp format LEEF's ``devTime`` uses unless ``timestamp`` says otherwise.
DEFAULT_LEEF_TIMESTAMP: Final = "iso"

#: Level -> severity: below DEBUG 0, DEBUG 2, INFO 4, WARNING 6, ERROR 8, CRITICAL 10.
DEFAULT_SEVERITY_MAP: Final[Mapping[int, int]] = _severity.DEFAULT_SEVERITY_MAP

#: Opt-in standard fields (option ``standard_fields``): name -> default extension key.
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

_OFF: Final = (None, "off", "none", False)
# Characters str.splitlines() breaks a line at: never a LEEF delimiter.
_LINE_BREAKS: Final = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_TIMESTAMP_SAMPLE: Final = 1777116738.421  # any instant: only its characters matter


def _copy(name: str, value: Mapping[Any, Any] | None) -> dict[Any, Any] | None:
    """A plain dict copy, key by key (so dictConfig's ConvertingDict resolves values)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a mapping or None, not {value!r}")
    return {key: value[key] for key in value}


def _names(name: str, value: Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence | set | frozenset):
        raise ValueError(f"{name} must be a list of names, not {value!r}")
    return tuple(str(item) for item in value)


def _parse_delimiter(value: object) -> str:
    """Accept ``"\\t"``, ``"x09"``, ``"0x09"``, ``"tab"`` or a single character."""
    text = str(value)
    if text.lower() == "tab":
        return "\t"
    if (len(text) > 1 and text[:1] in "xX") or text[:2] in ("0x", "0X"):
        digits = text[2:] if text[:2] in ("0x", "0X") else text[1:]
        try:
            return chr(int(digits, 16))
        except (ValueError, OverflowError):
            pass
    return text


def _check_delimiter(delim: str, timestamp: str | None) -> None:
    """Reject a LEEF delimiter that could split a line, a key or a timestamp."""
    if len(delim) != 1:
        raise ValueError(f"delimiter must be one character, not {delim!r}")
    cp = ord(delim)
    if delim in _LINE_BREAKS or cp == 0 or 0xD800 <= cp <= 0xDFFF:
        raise ValueError(
            f"delimiter {delim!r} is a line break, NUL or a lone surrogate: it would split "
            "or corrupt the line"
        )
    if delim in "|=\\" or (delim.isascii() and (delim.isalnum() or delim == "_")):
        raise ValueError(
            f"delimiter {delim!r} cannot separate attributes safely (not a letter, digit, "
            "'_', '|', '=' or '\\')"
        )
    if delim == _text.REPLACEMENT or cp > 0xFFFF:
        raise ValueError(f"delimiter {delim!r} cannot separate attributes safely")
    if timestamp is not None:
        shown = make_timestamp(timestamp)(_TIMESTAMP_SAMPLE) + (TIMESTAMP_FORMATS[timestamp] or "")
        if delim in shown or (delim == " " and timestamp == "arcsight"):
            raise ValueError(
                f"delimiter {delim!r} occurs in the {timestamp!r} timestamp (devTime / "
                "devTimeFormat); choose another delimiter or timestamp='epoch_ms'"
            )


@dataclass(frozen=True)
class RenderOptions:
    """The rendering options of one formatter or renderer: validated, immutable, picklable.

    Every option is keyword-only in the adapters and has the same name here. Make one
    directly to validate a configuration up front, e.g.
    `RenderOptions(format="leef", delimiter="^", timestamp="epoch_ms")`; an adapter's options
    are its `options` attribute.
    """

    format: Literal["cef", "leef"] = "cef"
    """Line format: ``"cef"`` (ArcSight CEF v0) or ``"leef"`` (IBM QRadar LEEF)."""

    vendor: str = "cef-logging"
    """Device Vendor header field."""

    product: str = "python"
    """Device Product header field."""

    version: str = "1.0"
    """Device Version header field."""

    leef_version: str = "2.0"
    """LEEF only: ``"2.0"`` (with a delimiter slot) or ``"1.0"`` (always TAB)."""

    delimiter: str = "\t"
    """LEEF 2.0 only: the attribute delimiter. One character, or ``"tab"``, ``"x5E"`` or
    ``"0x5E"``. Never a letter, digit, ``_``, ``|``, ``=``, ``\\``, a line break, NUL, a
    surrogate, or a character of the chosen timestamp format."""

    default_event_id: str = "Generic"
    """SignatureID (CEF) / EventID (LEEF) of events that name none (no ``event_id``, no
    logger name)."""

    name_from: Literal["template", "message"] = "template"
    """CEF Name of stdlib records: the message ``"template"`` (``record.msg``, one Name per
    call site) or the formatted ``"message"``."""

    severity_map: Mapping[Any, Any] | None = None
    """Level -> severity 0-10. Keys are level numbers or names (``"WARNING"``, ``"30"``); an
    event gets the severity of the highest mapped level at or below its own. Default
    `DEFAULT_SEVERITY_MAP`."""

    level_names: Mapping[str, int] | None = None
    """Extra level names (case-insensitive) -> numbers, for custom levels in
    ``severity_map`` and in structlog's ``level`` key."""

    timestamp: str | None = "default"
    """Timestamp field (``rt`` / ``devTime``): ``"iso"``, ``"epoch_ms"``, ``"arcsight"``,
    or None / ``"off"`` for none. ``"default"`` means `DEFAULT_CEF_TIMESTAMP` for CEF
    and `DEFAULT_LEEF_TIMESTAMP` for LEEF."""

    rename_fields: Mapping[str, str] | None = None
    """Field name -> extension key, for user fields and built-in ones (``msg``, ``rt``, ...).
    Wins over ``field_map``."""

    static_fields: Mapping[str, Any] | None = None
    """Fields written on every line (rendered once, at construction)."""

    defaults: Mapping[str, Any] | None = None
    """Fields written when an event does not carry them."""

    standard_fields: Sequence[str] = ()
    """Opt-in standard fields, by name (see `STANDARD_FIELDS`)."""

    fields: Sequence[str] | None = None
    """Extension order: keys listed here come first, in this order; ``"..."`` marks where
    the others go."""

    exclude_fields: Sequence[str] = ()
    """Extension keys never written (user or built-in)."""

    key_sanitizer: str | Callable[[str], str] = "strip"
    """How keys become ``[A-Za-z0-9_]+``: ``"strip"`` removes other characters,
    ``"underscore"`` replaces each run of them with ``_``, or a callable (whose result is
    stripped)."""

    full_name_aliases: bool | None = None
    """Write CEF full names (``sourceAddress``) as their short keys (``src``). Default: on
    for CEF, off for LEEF."""

    none_value: str | None = None
    """Text for None values; None (default) leaves such fields out."""

    max_length: int | None = None
    """Cut lines to this many UTF-8 bytes (at least 64), never inside a character, an
    escape or the header, and say so with ``truncated=<original length>``."""

    json_encoder: Literal["json", "orjson"] = "json"
    """How dict, list and tuple values are written as JSON: ``"json"`` (the standard
    library, the same bytes everywhere) or ``"orjson"`` (faster; needs the ``orjson`` extra;
    its own float and date notation)."""

    field_map: str | Mapping[str, str] | None = None
    """``"ecs"``, ``"otel"`` or a mapping: a built-in rename table from Elastic Common
    Schema or OpenTelemetry names to CEF/LEEF keys, applied under ``rename_fields``.
    When set, nested dict values flatten to dotted names first."""

    def __post_init__(self) -> None:
        if self.format not in ("cef", "leef"):
            raise ValueError(f"format must be 'cef' or 'leef', not {self.format!r}")
        if self.name_from not in ("template", "message"):
            raise ValueError(
                f"name_from must be 'template' or 'message', not {self.name_from!r}"
            )
        self._check_time_and_delimiter()
        self._copy_mappings()
        self._check_names()
        _text.make_key_sanitizer(self.key_sanitizer)  # validates
        _text.make_to_text(self.json_encoder)  # validates
        if self.full_name_aliases is None:
            object.__setattr__(self, "full_name_aliases", self.format == "cef")
        if self.none_value is not None and not isinstance(self.none_value, str):
            raise ValueError(f"none_value must be a string or None, not {self.none_value!r}")
        if self.max_length is not None:
            try:
                length = int(self.max_length)
            except (TypeError, ValueError):
                raise ValueError(
                    f"max_length must be an integer >= 64 or None, not {self.max_length!r}"
                ) from None
            if length < 64:
                raise ValueError("max_length must be at least 64 bytes")
            object.__setattr__(self, "max_length", length)
        if self.field_map is not None:
            from .field_maps import resolve_field_map

            resolve_field_map(self.field_map, fmt=self.format)  # validates

    def _check_time_and_delimiter(self) -> None:
        ts = self.timestamp
        if ts == "default":
            ts = DEFAULT_CEF_TIMESTAMP if self.format == "cef" else DEFAULT_LEEF_TIMESTAMP
        if ts in _OFF:
            ts = None
        elif str(ts) not in TIMESTAMP_FORMATS:
            raise ValueError(
                f"timestamp must be one of {sorted(TIMESTAMP_FORMATS)}, 'default' or None, "
                f"not {ts!r}"
            )
        object.__setattr__(self, "timestamp", None if ts is None else str(ts))
        leef_version = str(self.leef_version)
        if leef_version not in ("1.0", "2.0"):
            raise ValueError(f"leef_version must be '1.0' or '2.0', not {leef_version!r}")
        object.__setattr__(self, "leef_version", leef_version)
        delim = _parse_delimiter(self.delimiter)
        if self.format == "leef":
            if leef_version == "1.0" and delim != "\t":
                raise ValueError("delimiter: LEEF 1.0 has no delimiter slot, its delimiter is TAB")
            _check_delimiter(delim, self.timestamp)
        object.__setattr__(self, "delimiter", delim)

    def _copy_mappings(self) -> None:
        set_ = object.__setattr__
        for name in ("rename_fields", "static_fields", "defaults", "level_names"):
            set_(self, name, _copy(name, getattr(self, name)))
        if self.rename_fields:
            set_(self, "rename_fields", {str(k): str(v) for k, v in self.rename_fields.items()})
        if self.level_names:
            try:
                names = {str(k).upper(): int(v) for k, v in self.level_names.items()}
            except (TypeError, ValueError):
                raise ValueError(
                    f"level_names must map names to level numbers, not {self.level_names!r}"
                ) from None
            set_(self, "level_names", names)
        smap = _copy("severity_map", self.severity_map)
        set_(self, "severity_map", smap)
        _severity.SeverityTable(smap, self.level_names)  # validates

    def _check_names(self) -> None:
        for name in ("standard_fields", "exclude_fields"):
            object.__setattr__(self, name, _names(name, getattr(self, name)))
        if self.fields is not None:
            object.__setattr__(self, "fields", _names("fields", self.fields))
        for std in self.standard_fields:
            if std not in STANDARD_FIELDS:
                raise ValueError(
                    f"standard_fields: unknown standard field {std!r}; choose from "
                    f"{sorted(STANDARD_FIELDS)}"
                )

    def replace(self, **changes: Any) -> RenderOptions:
        """A copy with some options changed (validated again)."""
        return dataclasses.replace(self, **changes)
