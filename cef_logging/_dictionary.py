"""The CEF extension dictionary.

One row per predefined extension key of ArcSight's "Implementing ArcSight Common
Event Format (CEF)" (revision 25, with the additions of the later "CEF
Implementation Standard" editions): the short key that goes on the wire, the
spec's full name, the data type, the maximum length in characters (``None``
where the spec gives none, i.e. for every non-string type) and whether the key
belongs to the spec's "CEF Key Names for Event Consumers" table -- keys that
ArcSight components (SmartConnectors, ESM, Logger) set themselves and that event
producers should not send.

Normalisations against the printed tables (the spec has a few typos; peers such
as Elastic's ``decode_cef`` reproduce them):

* ``C6a4Label`` is ``c6a4Label``; ``DeviceOutboundInterface``,
  ``DevicePayloadId`` and ``DeviceCustomNumber2`` start lower-case; the full
  name of ``sourceTranslatedAddress`` is one word; ``reason``'s full name is
  ``reason``.
* rev 25 omits the ``c6a2``/``c6a2Label`` row although its text speaks of four
  IPv6 slots; both are included.
* the full names ``fileName``/``filename``, ``requestUrl``/``requestURL`` and
  ``deviceReceiptTime``/``receiptTime`` (older revisions) all resolve through
  :data:`FULL_NAME_ALIASES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "BY_KEY",
    "CEF_DICTIONARY",
    "FULL_NAME_ALIASES",
    "TYPE_DOUBLE",
    "TYPE_FLOAT",
    "TYPE_INTEGER",
    "TYPE_IPV4",
    "TYPE_IPV6",
    "TYPE_LONG",
    "TYPE_MAC",
    "TYPE_STRING",
    "TYPE_TIMESTAMP",
    "CEFKey",
]

TYPE_STRING = "String"
TYPE_INTEGER = "Integer"
TYPE_LONG = "Long"
TYPE_FLOAT = "Floating Point"
TYPE_DOUBLE = "Double"
TYPE_IPV4 = "IPv4 Address"
TYPE_IPV6 = "IPv6 Address"
TYPE_MAC = "MAC Address"
TYPE_TIMESTAMP = "Time Stamp"


@dataclass(frozen=True, slots=True)
class CEFKey:
    """One entry of the CEF extension dictionary."""

    key: str
    """Short key as written in the extension, e.g. ``"src"``."""
    full_name: str
    """The spec's full name, e.g. ``"sourceAddress"`` (equal to ``key`` for many keys)."""
    type: str
    """Data type as named by the spec, one of the ``TYPE_*`` constants."""
    max_length: int | None
    """Maximum length in characters, ``None`` where the spec gives none."""
    arcsight_only: bool
    """True for consumer-side keys that only ArcSight sets; producers should not send them."""


_S, _I, _L, _F, _D = TYPE_STRING, TYPE_INTEGER, TYPE_LONG, TYPE_FLOAT, TYPE_DOUBLE
_IP4, _IP6, _MAC, _TS = TYPE_IPV4, TYPE_IPV6, TYPE_MAC, TYPE_TIMESTAMP

# (key, full name, type, max length) -- "CEF Key Names For Event Producers".
_PRODUCER_ROWS: tuple[tuple[str, str, str, int | None], ...] = (
    ("act", "deviceAction", _S, 63),
    ("app", "applicationProtocol", _S, 31),
    ("cat", "deviceEventCategory", _S, 1023),
    ("cnt", "baseEventCount", _I, None),
    ("destinationDnsDomain", "destinationDnsDomain", _S, 255),
    ("destinationServiceName", "destinationServiceName", _S, 1023),
    ("destinationTranslatedAddress", "destinationTranslatedAddress", _IP4, None),
    ("destinationTranslatedPort", "destinationTranslatedPort", _I, None),
    ("deviceDirection", "deviceDirection", _I, None),
    ("deviceDnsDomain", "deviceDnsDomain", _S, 255),
    ("deviceExternalId", "deviceExternalId", _S, 255),
    ("deviceFacility", "deviceFacility", _S, 1023),
    ("deviceInboundInterface", "deviceInboundInterface", _S, 128),
    ("deviceNtDomain", "deviceNtDomain", _S, 255),
    ("deviceOutboundInterface", "deviceOutboundInterface", _S, 128),
    ("devicePayloadId", "devicePayloadId", _S, 128),
    ("deviceProcessName", "deviceProcessName", _S, 1023),
    ("deviceTranslatedAddress", "deviceTranslatedAddress", _IP4, None),
    ("dhost", "destinationHostName", _S, 1023),
    ("dmac", "destinationMacAddress", _MAC, None),
    ("dntdom", "destinationNtDomain", _S, 255),
    ("dpid", "destinationProcessId", _I, None),
    ("dpriv", "destinationUserPrivileges", _S, 1023),
    ("dproc", "destinationProcessName", _S, 1023),
    ("dpt", "destinationPort", _I, None),
    ("dst", "destinationAddress", _IP4, None),
    ("dtz", "deviceTimeZone", _S, 255),
    ("duid", "destinationUserId", _S, 1023),
    ("duser", "destinationUserName", _S, 1023),
    ("dvc", "deviceAddress", _IP4, None),
    ("dvchost", "deviceHostName", _S, 100),
    ("dvcmac", "deviceMacAddress", _MAC, None),
    ("dvcpid", "deviceProcessId", _I, None),
    ("end", "endTime", _TS, None),
    ("externalId", "externalId", _S, 40),
    ("fileCreateTime", "fileCreateTime", _TS, None),
    ("fileHash", "fileHash", _S, 255),
    ("fileId", "fileId", _S, 1023),
    ("fileModificationTime", "fileModificationTime", _TS, None),
    ("filePath", "filePath", _S, 1023),
    ("filePermission", "filePermission", _S, 1023),
    ("fileType", "fileType", _S, 1023),
    ("flexDate1", "flexDate1", _TS, None),
    ("flexDate1Label", "flexDate1Label", _S, 128),
    ("flexNumber1", "flexNumber1", _L, None),
    ("flexNumber1Label", "flexNumber1Label", _S, 128),
    ("flexNumber2", "flexNumber2", _L, None),
    ("flexNumber2Label", "flexNumber2Label", _S, 128),
    ("flexString1", "flexString1", _S, 1023),
    ("flexString1Label", "flexString1Label", _S, 128),
    ("flexString2", "flexString2", _S, 1023),
    ("flexString2Label", "flexString2Label", _S, 128),
    ("fname", "filename", _S, 1023),
    ("fsize", "fileSize", _I, None),
    ("in", "bytesIn", _I, None),
    ("msg", "message", _S, 1023),
    ("oldFileCreateTime", "oldFileCreateTime", _TS, None),
    ("oldFileHash", "oldFileHash", _S, 255),
    ("oldFileId", "oldFileId", _S, 1023),
    ("oldFileModificationTime", "oldFileModificationTime", _TS, None),
    ("oldFileName", "oldFileName", _S, 1023),
    ("oldFilePath", "oldFilePath", _S, 1023),
    ("oldFilePermission", "oldFilePermission", _S, 1023),
    ("oldFileSize", "oldFileSize", _I, None),
    ("oldFileType", "oldFileType", _S, 1023),
    ("out", "bytesOut", _I, None),
    ("outcome", "eventOutcome", _S, 63),
    ("proto", "transportProtocol", _S, 31),
    ("reason", "reason", _S, 1023),
    ("request", "requestUrl", _S, 1023),
    ("requestClientApplication", "requestClientApplication", _S, 1023),
    ("requestContext", "requestContext", _S, 2048),
    ("requestCookies", "requestCookies", _S, 1023),
    ("requestMethod", "requestMethod", _S, 1023),
    ("rt", "deviceReceiptTime", _TS, None),
    ("shost", "sourceHostName", _S, 1023),
    ("smac", "sourceMacAddress", _MAC, None),
    ("sntdom", "sourceNtDomain", _S, 255),
    ("sourceDnsDomain", "sourceDnsDomain", _S, 255),
    ("sourceServiceName", "sourceServiceName", _S, 1023),
    ("sourceTranslatedAddress", "sourceTranslatedAddress", _IP4, None),
    ("sourceTranslatedPort", "sourceTranslatedPort", _I, None),
    ("spid", "sourceProcessId", _I, None),
    ("spriv", "sourceUserPrivileges", _S, 1023),
    ("sproc", "sourceProcessName", _S, 1023),
    ("spt", "sourcePort", _I, None),
    ("src", "sourceAddress", _IP4, None),
    ("start", "startTime", _TS, None),
    ("suid", "sourceUserId", _S, 1023),
    ("suser", "sourceUserName", _S, 1023),
    ("type", "type", _I, None),
)

# Device custom slots: (short prefix, full-name prefix, type, max length, count).
# Each slot N has a value key and a "<key>Label" key (String, 1023).
_CUSTOM_SLOTS: tuple[tuple[str, str, str, int | None, int], ...] = (
    ("c6a", "deviceCustomIPv6Address", _IP6, None, 4),
    ("cfp", "deviceCustomFloatingPoint", _F, None, 4),
    ("cn", "deviceCustomNumber", _L, None, 3),
    ("cs", "deviceCustomString", _S, 4000, 6),
    ("deviceCustomDate", "deviceCustomDate", _TS, None, 2),
)

# "CEF Key Names for Event Consumers": set by ArcSight itself.
_CONSUMER_ROWS: tuple[tuple[str, str, str, int | None], ...] = (
    ("agentDnsDomain", "agentDnsDomain", _S, 255),
    ("agentNtDomain", "agentNtDomain", _S, 255),
    ("agentTranslatedAddress", "agentTranslatedAddress", _IP4, None),
    ("agentTranslatedZoneExternalID", "agentTranslatedZoneExternalID", _S, 200),
    ("agentTranslatedZoneURI", "agentTranslatedZoneURI", _S, 2048),
    ("agentZoneExternalID", "agentZoneExternalID", _S, 200),
    ("agentZoneURI", "agentZoneURI", _S, 2048),
    ("agt", "agentAddress", _IP4, None),
    ("ahost", "agentHostName", _S, 1023),
    ("aid", "agentId", _S, 40),
    ("amac", "agentMacAddress", _MAC, None),
    ("art", "agentReceiptTime", _TS, None),
    ("at", "agentType", _S, 63),
    ("atz", "agentTimeZone", _S, 255),
    ("av", "agentVersion", _S, 31),
    ("customerExternalID", "customerExternalID", _S, 200),
    ("customerURI", "customerURI", _S, 2048),
    ("destinationTranslatedZoneExternalID", "destinationTranslatedZoneExternalID", _S, 200),
    ("destinationTranslatedZoneURI", "destinationTranslatedZoneURI", _S, 2048),
    ("destinationZoneExternalID", "destinationZoneExternalID", _S, 200),
    ("destinationZoneURI", "destinationZoneURI", _S, 2048),
    ("deviceTranslatedZoneExternalID", "deviceTranslatedZoneExternalID", _S, 200),
    ("deviceTranslatedZoneURI", "deviceTranslatedZoneURI", _S, 2048),
    ("deviceZoneExternalID", "deviceZoneExternalID", _S, 200),
    ("deviceZoneURI", "deviceZoneURI", _S, 2048),
    ("dlat", "destinationGeoLatitude", _D, None),
    ("dlong", "destinationGeoLongitude", _D, None),
    ("eventId", "eventId", _L, None),
    ("rawEvent", "rawEvent", _S, 4000),
    ("slat", "sourceGeoLatitude", _D, None),
    ("slong", "sourceGeoLongitude", _D, None),
    ("sourceTranslatedZoneExternalID", "sourceTranslatedZoneExternalID", _S, 200),
    ("sourceTranslatedZoneURI", "sourceTranslatedZoneURI", _S, 2048),
    ("sourceZoneExternalID", "sourceZoneExternalID", _S, 200),
    ("sourceZoneURI", "sourceZoneURI", _S, 2048),
    # Added by the later "CEF Implementation Standard" editions (CEF 1.2 keys).
    ("agentTranslatedZoneKey", "agentTranslatedZoneKey", _L, None),
    ("agentZoneKey", "agentZoneKey", _L, None),
    ("customerKey", "customerKey", _L, None),
    ("destinationTranslatedZoneKey", "destinationTranslatedZoneKey", _L, None),
    ("dZoneKey", "destinationZoneKey", _L, None),
    ("deviceTranslatedZoneKey", "deviceTranslatedZoneKey", _L, None),
    ("deviceZoneKey", "deviceZoneKey", _L, None),
    ("sTranslatedZoneKey", "sourceTranslatedZoneKey", _L, None),
    ("sZoneKey", "sourceZoneKey", _L, None),
    ("parserVersion", "parserVersion", _S, None),
    ("parserIdentifier", "parserIdentifier", _S, None),
)

# Full names used by older revisions or other tools, mapped to the short key.
_EXTRA_ALIASES: tuple[tuple[str, str], ...] = (
    ("fileName", "fname"),
    ("requestURL", "request"),
    ("receiptTime", "rt"),
)


def _build() -> tuple[CEFKey, ...]:
    rows: list[CEFKey] = [CEFKey(k, f, t, n, False) for k, f, t, n in _PRODUCER_ROWS]
    for short, full, typ, length, count in _CUSTOM_SLOTS:
        for i in range(1, count + 1):
            rows.append(CEFKey(f"{short}{i}", f"{full}{i}", typ, length, False))
            rows.append(CEFKey(f"{short}{i}Label", f"{full}{i}Label", _S, 1023, False))
    rows.extend(CEFKey(k, f, t, n, True) for k, f, t, n in _CONSUMER_ROWS)
    rows.sort(key=lambda e: e.key.lower())
    return tuple(rows)


CEF_DICTIONARY: tuple[CEFKey, ...] = _build()
"""Every predefined extension key, sorted case-insensitively by short key."""

BY_KEY: Mapping[str, CEFKey] = MappingProxyType({e.key: e for e in CEF_DICTIONARY})
"""Short key -> entry."""

FULL_NAME_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        **{e.full_name: e.key for e in CEF_DICTIONARY if e.full_name != e.key},
        **dict(_EXTRA_ALIASES),
    }
)
"""Full name -> short key, only where the two differ (e.g. ``"sourceAddress" -> "src"``)."""
