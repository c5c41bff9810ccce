"""Field maps: Elastic Common Schema and OpenTelemetry field names to CEF and LEEF keys.

Applications that already name their fields after the Elastic Common Schema (``source.ip``,
``user.name``, ``event.outcome``, ...) or the OpenTelemetry semantic conventions
(``client.address``, ``http.request.method``, ``url.full``, ...) switch to CEF or LEEF with the
``field_map`` option: ``field_map="ecs"``, ``field_map="otel"`` or a mapping of their own. The
option renames fields to the keys ArcSight and QRadar know (``src``, ``spt``, ``suser``,
``requestMethod``, ``outcome``; ``srcPort``, ``usrName``, ``url``, ...). It sits beneath
``rename_fields``: an explicit rename of the same field wins. With a field map set, nested
``dict`` extras are first flattened to dotted names (:func:`flatten`), so
``extra={"source": {"ip": "10.0.0.1"}}`` and ``extra={"source.ip": "10.0.0.1"}`` are the same.
Fields the map does not name keep the usual key rules (sanitising, full-name aliases).

The built-in tables are data (:data:`ECS_ROWS`, :data:`OTEL_ROWS`): one row per source field,
with its CEF key, its LEEF key (``None`` where the format has no key of that meaning) and a
note saying why. Every CEF key is a producer key of the ArcSight CEF dictionary, every LEEF key
one of IBM's predefined LEEF event attributes. A field is mapped only where the meanings really
match; the reverse mappings of Elastic's own CEF readers (Filebeat's ``decode_cef`` processor and
the Elasticsearch ``cef`` ingest processor) were the first check. Rows with neither key document
fields that look mappable but are not, and why.

This module is pure: it imports neither :mod:`logging` nor structlog.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from ._text import safe_str

__all__ = [
    "ECS_ROWS",
    "ECS_TO_CEF",
    "ECS_TO_LEEF",
    "FIELD_MAPS",
    "MAX_DEPTH",
    "OTEL_ROWS",
    "OTEL_TO_CEF",
    "OTEL_TO_LEEF",
    "FieldMapping",
    "flatten",
    "resolve_field_map",
]

FIELD_MAPS: Final = ("ecs", "otel")
"""The names of the built-in field maps."""

MAX_DEPTH: Final = 32
"""Nesting levels :func:`flatten` descends; a ``dict`` nested deeper stays one value."""


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """One row of a built-in field map."""

    field: str
    """The source field, as a dotted name (``"source.ip"``)."""
    cef: str | None
    """The CEF extension key it maps to, or ``None`` (left to the usual key rules)."""
    leef: str | None
    """The LEEF event attribute it maps to, or ``None`` (left to the usual key rules)."""
    note: str
    """Why: the meaning both sides share, or why a field is not mapped."""


_R = FieldMapping

# Notes shared by several rows.
_NO_LEEF_HOST = "LEEF has no predefined host-name key"
_NAME_OR_IP = (
    "OpenTelemetry allows a host name here; CEF/LEEF expect an IP address "
    "(rename the field to shost/dhost if yours carry names)"
)

#: (CEF key, ECS field) pairs that Elastic's CEF readers (Filebeat decode_cef, the Elasticsearch
#: cef processor) use in the reverse direction, reading the CEF key into the ECS field.
_ELASTIC_READS: Final = frozenset({
    ("src", "source.ip"), ("spt", "source.port"), ("smac", "source.mac"),
    ("shost", "source.domain"), ("sourceDnsDomain", "source.registered_domain"),
    ("sourceTranslatedAddress", "source.nat.ip"),
    ("sourceTranslatedPort", "source.nat.port"), ("in", "source.bytes"),
    ("suser", "source.user.name"), ("suid", "source.user.id"),
    ("dst", "destination.ip"), ("dpt", "destination.port"), ("dmac", "destination.mac"),
    ("dhost", "destination.domain"), ("destinationTranslatedAddress", "destination.nat.ip"),
    ("destinationTranslatedPort", "destination.nat.port"), ("out", "destination.bytes"),
    ("duser", "destination.user.name"), ("duid", "destination.user.id"),
    ("proto", "network.transport"), ("app", "network.protocol"),
    ("request", "url.original"), ("requestMethod", "http.request.method"),
    ("requestContext", "http.request.referrer"),
    ("requestClientApplication", "user_agent.original"),
    ("act", "event.action"), ("outcome", "event.outcome"), ("reason", "event.reason"),
    ("cat", "event.category"), ("dtz", "event.timezone"),
    ("dvchost", "host.hostname"), ("deviceExternalId", "host.id"),
    ("dvcpid", "process.pid"), ("deviceProcessName", "process.name"),
    ("fname", "file.name"), ("filePath", "file.path"), ("fsize", "file.size"),
    ("fileId", "file.inode"), ("fileType", "file.type"),
})  # fmt: skip


def _ecs(field: str, cef: str | None, leef: str | None, note: str) -> FieldMapping:
    """An ECS row; says so in the note where Elastic's CEF readers map the pair back."""
    if cef is not None and (cef, field) in _ELASTIC_READS:
        note += f"; Elastic reads CEF {cef} as {field}"
    return FieldMapping(field, cef, leef, note)


def _endpoint_rows(side: str, cef: dict[str, str], leef: dict[str, str]) -> list[FieldMapping]:
    """The ECS rows of one network endpoint (source, client, destination or server)."""
    notes = {
        "ip": f"IP address of the {side}",
        "port": f"port of the {side}",
        "mac": f"MAC address of the {side}",
        "domain": f"host name of the {side}",
        "registered_domain": f"DNS domain of the {side}",
        "nat.ip": f"{side} address after NAT",
        "nat.port": f"{side} port after NAT",
        "bytes": f"bytes sent by the {side}",
        "packets": f"packets sent by the {side}",
        "user.name": f"user name on the {side} side",
        "user.id": f"user id on the {side} side",
    }
    rows = []
    for sub, note in notes.items():
        c, lf = cef.get(sub), leef.get(sub)
        if c is None and lf is None:
            continue
        if lf is None and sub == "domain":
            note += "; " + _NO_LEEF_HOST
        rows.append(_ecs(f"{side}.{sub}", c, lf, note))
    return rows


_SRC_CEF = {
    "ip": "src", "port": "spt", "mac": "smac", "domain": "shost",
    "registered_domain": "sourceDnsDomain", "nat.ip": "sourceTranslatedAddress",
    "nat.port": "sourceTranslatedPort", "bytes": "in", "user.name": "suser", "user.id": "suid",
}  # fmt: skip
_SRC_LEEF = {
    "ip": "src", "port": "srcPort", "mac": "srcMAC", "nat.ip": "srcPostNAT",
    "nat.port": "srcPostNATPort", "bytes": "srcBytes", "packets": "srcPackets",
    "user.name": "usrName",
}  # fmt: skip
_DST_CEF = {
    "ip": "dst", "port": "dpt", "mac": "dmac", "domain": "dhost",
    "registered_domain": "destinationDnsDomain", "nat.ip": "destinationTranslatedAddress",
    "nat.port": "destinationTranslatedPort", "bytes": "out", "user.name": "duser",
    "user.id": "duid",
}  # fmt: skip
_DST_LEEF = {
    "ip": "dst", "port": "dstPort", "mac": "dstMAC", "nat.ip": "dstPostNAT",
    "nat.port": "dstPostNATPort", "bytes": "dstBytes", "packets": "dstPackets",
}  # fmt: skip

ECS_ROWS: Final[tuple[FieldMapping, ...]] = (
    *_endpoint_rows("source", _SRC_CEF, _SRC_LEEF),
    *_endpoint_rows("client", _SRC_CEF, _SRC_LEEF),
    *_endpoint_rows("destination", _DST_CEF, _DST_LEEF),
    *_endpoint_rows("server", _DST_CEF, _DST_LEEF),
    _ecs("source.address", None, None,
       "raw address, an IP, a domain or a socket; the ip/domain fields are mapped"),
    _ecs("network.transport", "proto", "proto", "layer-4 protocol (tcp, udp)"),
    _ecs("network.protocol", "app", None, "application protocol (http, dns, ssh)"),
    _ecs("network.packets", None, "totalPackets", "packets in both directions"),
    _ecs("network.direction", None, None,
       "CEF deviceDirection is 0 or 1, ECS uses words (ingress, outbound, ...)"),
    _ecs("user.name", "suser", "usrName",
         "the user who acted (the user acted upon is user.target.name)"),
    _ecs("user.id", "suid", None, "id of the user who acted"),
    _ecs("user.domain", None, "domain", "directory of the user account (LEEF domain)"),
    _ecs("user.roles", "spriv", "role", "roles/privileges of the user who acted"),
    _ecs("user.group.id", None, "groupID", "group of the user account"),
    _ecs("user.target.name", "duser", None, "the user acted upon"),
    _ecs("user.target.id", "duid", None, "id of the user acted upon"),
    _ecs("url.original", "request", "url", "the URL as the request gave it"),
    _ecs("url.full", "request", "url", "the full URL"),
    _ecs("http.request.method", "requestMethod", None,
       "HTTP method"),
    _ecs("http.request.referrer", "requestContext", None,
       "the referrer"),
    _ecs("user_agent.original", "requestClientApplication", None,
       "the User-Agent"),
    _ecs("event.action", "act", None, "the action"),
    _ecs("event.outcome", "outcome", None,
       "success, failure or unknown"),
    _ecs("event.reason", "reason", None, "why the event happened"),
    _ecs("event.category", "cat", "cat", "category of the event"),
    _ecs("event.id", "externalId", None, "the producer's id of the event"),
    _ecs("event.timezone", "dtz", None,
       "time zone of the producing device"),
    _ecs("event.severity", None, None, "the line's severity comes from the log level"),
    _ecs("event.code", None, None, "the header's event class id comes from the record"),
    _ecs("event.start", None, None,
       "CEF/LEEF times need epoch ms or their own date format; map converted values yourself"),
    _ecs("event.end", None, None, "as event.start"),
    _ecs("host.name", "dvchost", None,
       "the host the event happened on is the reporting device; " + _NO_LEEF_HOST),
    _ecs("host.hostname", "dvchost", None, "as host.name"),
    _ecs("host.id", "deviceExternalId", None, "unique id of the reporting device"),
    _ecs("host.ip", None, None, "a list in ECS; CEF dvc takes one address"),
    _ecs("process.pid", "dvcpid", None,
       "process id on the reporting device"),
    _ecs("process.name", "deviceProcessName", None, "process name on the reporting device"),
    _ecs("file.name", "fname", None, "file name without directory"),
    _ecs("file.path", "filePath", None, "full path of the file"),
    _ecs("file.size", "fsize", None, "size in bytes"),
    _ecs("file.inode", "fileId", None, "file id on the file system"),
    _ecs("file.type", "fileType", None, "file, dir, symlink"),
    _ecs("file.mode", "filePermission", None, "permissions, e.g. 0640"),
)  # fmt: skip
"""The built-in ECS map, one row per ECS field."""

OTEL_ROWS: Final[tuple[FieldMapping, ...]] = (
    _R("client.address", "src", "src", "the client; " + _NAME_OR_IP),
    _R("client.port", "spt", "srcPort", "the client's port"),
    _R("server.address", "dhost", None,
       "host name the client asked for (Host header, URL host); " + _NO_LEEF_HOST),
    _R("server.port", "dpt", "dstPort", "the server's port"),
    _R("source.address", "src", "src", "the source; " + _NAME_OR_IP),
    _R("source.port", "spt", "srcPort", "the source port"),
    _R("destination.address", "dst", "dst", "the destination; " + _NAME_OR_IP),
    _R("destination.port", "dpt", "dstPort", "the destination port"),
    _R("network.peer.address", None, None,
       "the socket peer: the client or the server depending on the span kind"),
    _R("network.transport", "proto", "proto", "layer-4 protocol (tcp, udp)"),
    _R("network.protocol.name", "app", None, "application protocol (http, amqp)"),
    _R("http.request.method", "requestMethod", None, "HTTP method"),
    _R("http.request.header.referer", "requestContext", None, "the Referer header"),
    _R("http.response.status_code", None, None, "CEF and LEEF have no status-code key"),
    _R("url.full", "request", "url", "the absolute URL"),
    _R("url.original", "request", "url", "the URL as the request gave it"),
    _R("user_agent.original", "requestClientApplication", None, "the User-Agent"),
    _R("user.name", "suser", "usrName", "the user who acted"),
    _R("user.id", "suid", None, "id of the user who acted"),
    _R("user.roles", "spriv", "role", "roles of the user who acted"),
    _R("enduser.id", "suid", None, "id of the end user who acted"),
    _R("host.name", "dvchost", None, "the reporting host; " + _NO_LEEF_HOST),
    _R("host.id", "deviceExternalId", None, "unique id of the reporting host"),
    _R("process.pid", "dvcpid", None, "process id on the reporting host"),
    _R("process.executable.name", "deviceProcessName", None,
       "process name on the reporting host"),
    _R("file.name", "fname", None, "file name without directory"),
    _R("file.path", "filePath", None, "full path of the file"),
    _R("file.size", "fsize", None, "size in bytes"),
    _R("file.inode", "fileId", None, "file id on the file system"),
    _R("file.mode", "filePermission", None, "permissions, e.g. 0640"),
    # Deprecated names still sent by older instrumentations.
    _R("http.method", "requestMethod", None, "deprecated name of http.request.method"),
    _R("http.url", "request", "url", "deprecated name of url.full"),
    _R("http.user_agent", "requestClientApplication", None,
       "deprecated name of user_agent.original"),
    _R("http.client_ip", "src", "src", "deprecated name of client.address"),
    _R("net.host.name", "dhost", None, "deprecated name of server.address"),
    _R("net.host.port", "dpt", "dstPort", "deprecated name of server.port"),
    _R("net.peer.ip", None, None, "deprecated; client or server depending on the span kind"),
    _R("net.transport", None, None, "deprecated; its values (ip_tcp, ...) are not protocols"),
)  # fmt: skip
"""The built-in OpenTelemetry map, one row per attribute (current names and common old ones)."""


def _table(rows: tuple[FieldMapping, ...], fmt: Literal["cef", "leef"]) -> Mapping[str, str]:
    table = {}
    for row in rows:
        key = row.cef if fmt == "cef" else row.leef
        if key is not None:
            table[row.field] = key
    return MappingProxyType(table)


ECS_TO_CEF: Final = _table(ECS_ROWS, "cef")
"""ECS field -> CEF key."""
ECS_TO_LEEF: Final = _table(ECS_ROWS, "leef")
"""ECS field -> LEEF key."""
OTEL_TO_CEF: Final = _table(OTEL_ROWS, "cef")
"""OpenTelemetry attribute -> CEF key."""
OTEL_TO_LEEF: Final = _table(OTEL_ROWS, "leef")
"""OpenTelemetry attribute -> LEEF key."""

_BUILT_IN: Final[Mapping[tuple[str, str], Mapping[str, str]]] = {
    ("ecs", "cef"): ECS_TO_CEF,
    ("ecs", "leef"): ECS_TO_LEEF,
    ("otel", "cef"): OTEL_TO_CEF,
    ("otel", "leef"): OTEL_TO_LEEF,
}


def resolve_field_map(
    spec: str | Mapping[str, str] | None, *, fmt: Literal["cef", "leef"]
) -> Mapping[str, str] | None:
    """Resolve the ``field_map`` option to a read-only table of field name -> key.

    Args:
        spec: ``None`` (no field map), ``"ecs"`` or ``"otel"`` (the built-in maps; case and
            surrounding blanks do not matter) or a mapping of dotted field names to keys. A
            mapping is copied key by key, so values that ``logging.config.dictConfig`` resolves
            lazily (``ext://``, ``cfg://``) are resolved here. Its keys and values must be
            non-empty strings; its values are not restricted to the CEF/LEEF dictionaries (they
            follow the same key rules as ``rename_fields`` targets).
        fmt: The output format, ``"cef"`` or ``"leef"``; it picks the built-in table.

    Returns:
        ``None`` for ``None``; otherwise a read-only mapping (for a built-in map, the same
            object on every call with the same name and format).

    Raises:
        ValueError: ``spec`` or ``fmt`` is none of the allowed values, or a mapping holds a key
            or value that is not a non-empty string. The message names ``field_map``.
    """
    if fmt not in ("cef", "leef"):
        raise ValueError(f"field_map: fmt must be 'cef' or 'leef', not {fmt!r}")
    if spec is None:
        return None
    if isinstance(spec, str):
        name = spec.strip().lower()
        if name in FIELD_MAPS:
            return _BUILT_IN[name, fmt]
    elif isinstance(spec, Mapping):
        table: dict[str, str] = {}
        for field in spec:  # by key, so dictConfig's ConvertingDict resolves each value
            key = spec[field]
            if not isinstance(field, str) or not field:
                raise ValueError(f"field_map: field names must be non-empty strings, not {field!r}")
            if not isinstance(key, str) or not key:
                raise ValueError(
                    f"field_map: the key for {field!r} must be a non-empty string, not {key!r}"
                )
            table[field] = key
        return MappingProxyType(table)
    raise ValueError(
        "field_map must be 'ecs', 'otel', a mapping of field names to keys, or None, "
        f"not {spec!r}"
    )


def _put(out: dict[str, object], key: str, value: object) -> None:
    """Store ``value`` under ``key``; a taken name gets ``key_2``, ``key_3``, ... (first wins)."""
    if key in out:
        n = 2
        while f"{key}_{n}" in out:
            n += 1
        key = f"{key}_{n}"
    out[key] = value


def flatten(extras: Mapping[str, object]) -> dict[str, object]:
    """Flatten nested ``dict`` values to dotted names.

    ``{"source": {"ip": "10.0.0.1", "port": 4431}, "event.action": "login"}`` becomes
    ``{"source.ip": "10.0.0.1", "source.port": 4431, "event.action": "login"}``, in the input's
    depth-first order. Only ``dict`` values (subclasses included) are entered; lists, tuples,
    other mappings and every other value are kept as they are. Names already written with dots
    are kept as written; a non-string key becomes its ``str()``. Never raises and never changes
    the input.

    Edge cases, each keeping every value:

    * an empty ``dict`` stays as the value of its name (``{"labels": {}}``);
    * a ``dict`` that contains itself (directly or further down) is not entered again: it stays
      one value at that point, rendered as any other dict value;
    * nesting deeper than ``MAX_DEPTH`` (32) levels stays one value at that depth;
    * two names that meet (``{"source.ip": "a", "source": {"ip": "b"}}``): the first in
      depth-first order keeps the name, later ones get ``_2``, ``_3``, ... appended
      (``source.ip_2``), the rule the formatters use for colliding keys.

    Args:
        extras: The event's fields.

    Returns:
        A new ``dict`` with string keys.
    """
    items = extras.items()
    for key, value in items:
        if isinstance(value, dict) or type(key) is not str:
            break
    else:
        return dict(items)
    # Recursion is the fast way (about twice as fast as the explicit stack below); it is at
    # most MAX_DEPTH frames deep, and a caller already near the recursion limit gets the
    # iterative walk instead.
    out: dict[str, object] = {}
    try:
        _walk(tuple(items), "", out, 0, set())
    except RecursionError:
        out = _walk_iteratively(tuple(items))
    return out


def _name(prefix: str, key: object) -> str:
    return prefix + key if isinstance(key, str) and type(key) is str else prefix + safe_str(key)


def _walk(
    items: tuple[tuple[object, object], ...],
    prefix: str,
    out: dict[str, object],
    depth: int,
    on_path: set[int],
) -> None:
    """Depth-first flattening of ``items`` into ``out`` (``on_path``: ids of enclosing dicts)."""
    for key, value in items:
        name = _name(prefix, key)
        if isinstance(value, dict) and value and depth < MAX_DEPTH:
            ident = id(value)
            if ident not in on_path:
                on_path.add(ident)
                # a snapshot: another thread changing the dict cannot break the loop
                _walk(tuple(dict.items(value)), name + ".", out, depth + 1, on_path)
                on_path.discard(ident)
                continue
        if name in out:
            _put(out, name, value)
        else:
            out[name] = value


def _walk_iteratively(items: tuple[tuple[object, object], ...]) -> dict[str, object]:
    """:func:`_walk` with an explicit stack, for callers close to the recursion limit."""
    out: dict[str, object] = {}
    # (prefix, iterator over a dict's items, the dict's id or 0 for the top level)
    stack: list[tuple[str, Iterator[tuple[object, object]], int]] = [("", iter(items), 0)]
    on_path: set[int] = set()
    while stack:
        prefix, it, ident = stack[-1]
        for key, value in it:
            name = _name(prefix, key)
            if isinstance(value, dict) and value and len(stack) <= MAX_DEPTH:
                vid = id(value)
                if vid not in on_path:
                    on_path.add(vid)
                    stack.append((name + ".", iter(tuple(dict.items(value))), vid))
                    break
            _put(out, name, value)
        else:
            stack.pop()
            on_path.discard(ident)
    return out
