"""LEEF's predefined event attributes.

One row per key of IBM's "Predefined LEEF event attributes" table (LEEF format guide, versions
1.0 and 2.0): the key as it goes on the wire, the value type as IBM names it, whether QRadar
normalises the key into an event field by itself, and whether the key is only reserved (listed by
the guide but not implemented in QRadar). Keys outside this list are allowed in LEEF (custom
keys); QRadar then needs a custom event property to show them.

The guide's own spelling is kept, including ``identSecondlp`` (a lower-case ``l`` where ``Ip``
is meant). ``identHostName`` has no yes/no in the guide's "normalized" column; it counts as
normalised here because QRadar reads it together with ``identSrc``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["BY_KEY", "LEEF_KEYS", "LEEFKey"]


@dataclass(frozen=True, slots=True)
class LEEFKey:
    """One predefined LEEF event attribute."""

    key: str
    """The key as written in the event attributes, e.g. ``"srcPort"``."""
    type: str
    """IBM's value type: String, Integer, Date, IPv4 or IPv6 Address, MAC Address, ..."""
    normalized: bool
    """True where QRadar parses the key into a normalised event field by itself."""
    reserved: bool
    """True for keys the guide reserves but QRadar does not implement."""


_S, _I, _IP, _MAC = "String", "Integer", "IPv4 or IPv6 Address", "MAC Address"

# (key, type, normalised, reserved), in the guide's order.
_ROWS: tuple[tuple[str, str, bool, bool], ...] = (
    ("cat", _S, True, False),
    ("devTime", "Date", True, False),
    ("devTimeFormat", _S, False, False),
    ("proto", "Integer or Keyword", True, False),
    ("sev", _I, True, False),
    ("src", _IP, True, False),
    ("dst", _IP, True, False),
    ("srcPort", _I, True, False),
    ("dstPort", _I, True, False),
    ("srcPreNAT", _IP, True, False),
    ("dstPreNAT", _IP, True, False),
    ("srcPostNAT", _IP, True, False),
    ("dstPostNAT", _IP, True, False),
    ("usrName", _S, True, False),
    ("srcMAC", _MAC, True, False),
    ("dstMAC", _MAC, True, False),
    ("srcPreNATPort", _I, True, False),
    ("dstPreNATPort", _I, True, False),
    ("srcPostNATPort", _I, True, False),
    ("dstPostNATPort", _I, True, False),
    ("identSrc", _IP, True, False),
    ("identHostName", _S, True, False),
    ("identNetBios", _S, True, False),
    ("identGrpName", _S, True, False),
    ("identMAC", _MAC, True, True),
    ("vSrc", _IP, False, False),
    ("vSrcName", _S, False, False),
    ("accountName", _S, False, False),
    ("srcBytes", _I, False, False),
    ("dstBytes", _I, False, False),
    ("srcPackets", _I, False, False),
    ("dstPackets", _I, False, False),
    ("totalPackets", _I, False, False),
    ("role", _S, False, False),
    ("realm", _S, False, False),
    ("policy", _S, False, False),
    ("resource", _S, False, False),
    ("url", _S, False, False),
    ("groupID", _S, False, False),
    ("domain", _S, False, False),
    ("isLoginEvent", "Boolean string", False, True),
    ("isLogoutEvent", "Boolean string", False, True),
    ("identSecondlp", _IP, False, True),
    ("calLanguage", _S, False, True),
    ("calCountryOrRegion", _S, False, True),
)

LEEF_KEYS: tuple[LEEFKey, ...] = tuple(LEEFKey(*row) for row in _ROWS)
"""Every predefined LEEF event attribute, in the order of IBM's table."""

BY_KEY: Mapping[str, LEEFKey] = MappingProxyType({e.key: e for e in LEEF_KEYS})
"""Key -> entry."""
