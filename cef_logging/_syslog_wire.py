"""Syslog on the wire: facilities, severities, RFC 5424 / RFC 3164 headers, RFC 6587 framing.

Every header field keeps only printable US-ASCII (33..126); any other character, whatever
its code point, becomes ``_`` -- so no field can end early, forge another header, or
carry a line break. Formatted records (the MSG part) are never altered here.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

__all__ = [
    "FACILITIES",
    "HeaderBuilder",
    "facility_code",
    "frame",
    "guard_lf",
    "guard_lf_nul",
    "header_field",
    "parse_address",
    "syslog_severity",
]

#: Facility names accepted by ``SyslogHandler`` (RFC 5424 section 6.2.1).
FACILITIES: Final[Mapping[str, int]] = {
    "kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6,
    "news": 7, "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "ntp": 12,
    "security": 13, "audit": 13, "console": 14, "solaris-cron": 15, "clock": 15,
    "local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21,
    "local6": 22, "local7": 23,
}  # fmt: skip

_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip

_NOT_PRINTUSASCII: Final = re.compile(r"[^\x21-\x7e]")
_NOT_TAG: Final = re.compile(r"[^A-Za-z0-9_./-]")


def syslog_severity(levelno: int) -> int:
    """Map a :mod:`logging` level number to a syslog severity (0..7).

    ``CRITICAL`` -> 2 (crit), ``ERROR`` -> 3 (err), ``WARNING`` -> 4 (warning),
    ``INFO`` -> 6 (info), ``DEBUG`` and below -> 7 (debug). Custom levels map like the
    nearest standard level below them (for example 25 -> info, 45 -> err).
    """
    if levelno >= logging.CRITICAL:
        return 2
    if levelno >= logging.ERROR:
        return 3
    if levelno >= logging.WARNING:
        return 4
    if levelno >= logging.INFO:
        return 6
    return 7


def facility_code(facility: str | int) -> int:
    if isinstance(facility, bool):
        raise TypeError("facility must be a name or an int")
    if isinstance(facility, int):
        code = facility
    else:
        name = facility.strip().lower()
        if name.startswith("log_"):
            name = name[4:]
        if name.isascii() and name.isdigit():
            code = int(name)
        elif name in FACILITIES:
            code = FACILITIES[name]
        else:
            raise ValueError(f"facility: unknown syslog facility {facility!r}")
    if not 0 <= code <= 23:
        raise ValueError(f"facility: must be 0..23, got {code}")
    return code


def header_field(value: object, max_len: int) -> str:
    """A header field: printable US-ASCII only (others -> ``_``), at most *max_len*
    characters, the nil value ``-`` when empty."""
    text = "" if value is None else str(value)
    return _NOT_PRINTUSASCII.sub("_", text)[:max_len] or "-"


def parse_address(address: object, default_port: int) -> tuple[str, int]:
    """Accept ``(host, port)``, ``[host, port]``, ``"host:port"``, ``"[v6]:port"`` or ``"host"``."""
    try:
        if isinstance(address, str):
            text = address.strip()
            if text.startswith("["):
                host, _, rest = text[1:].partition("]")
                port = int(rest[1:]) if rest.startswith(":") else default_port
            elif text.count(":") == 1:
                host, _, port_text = text.partition(":")
                port = int(port_text)
            else:
                host, port = text, default_port
        elif isinstance(address, Sequence) and len(address) == 2:
            host, port = str(address[0]), int(address[1])
        else:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"address: must be (host, port), [host, port] or 'host:port', got {address!r}"
        ) from None
    if not host or not 0 < port < 65536:
        raise ValueError(f"address: needs a host and a port in 1..65535, got {address!r}")
    return host, port


def default_app_name() -> str:
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    name = os.path.basename(argv0)
    if name in ("", "-c", "-m", "__main__.py"):
        return "python"
    return name


def guard_lf(text: str) -> str:
    """Keep a line a single line: a line feed becomes the two characters ``\\n``."""
    if "\n" in text:
        return text.replace("\n", "\\n")
    return text


def guard_lf_nul(text: str) -> str:
    """LF framing guard: LF -> ``\\n`` and NUL -> ``\\0`` (LF-framed receivers such as
    syslog-ng's ``network()`` source also end a message at NUL)."""
    text = guard_lf(text)
    if "\x00" in text:
        return text.replace("\x00", "\\0")
    return text


def frame(message: bytes, framing: str) -> bytes:
    """RFC 6587 framing of one message: octet counting (``LEN SP MSG``) or ``MSG LF``."""
    if framing == "octet-counting":
        return b"%d %b" % (len(message), message)
    return message + b"\n"


def _explicit(option: str, value: str | None, limit: int) -> str | None:
    if value is not None and len(str(value)) > limit:
        raise ValueError(f"{option}: at most {limit} characters in a syslog header, got {value!r}")
    return value


class HeaderBuilder:
    """Builds the syslog header for a record; the timestamp text is cached per second.

    Performance: formatting a timestamp costs more than the rest of the header, and a
    busy logger emits many records per second, so the part up to the seconds is kept
    for the current second (one cache per process: *pid* is part of the header).
    """

    def __init__(
        self,
        syslog_format: str,
        facility: int,
        hostname: str | None,
        app_name: str | None,
        msgid: str | None,
    ) -> None:
        self.syslog_format = syslog_format
        self.facility = facility
        if syslog_format == "rfc5424":
            self.hostname = header_field(
                _explicit("hostname", hostname, 255) if hostname is not None
                else socket.gethostname(), 255
            )  # fmt: skip
            self.app_name = header_field(
                _explicit("app_name", app_name, 48) if app_name is not None
                else default_app_name(), 48
            )  # fmt: skip
            self.msgid = header_field(_explicit("msgid", msgid, 32), 32)
        else:
            # RFC 3164 has no nil value: an empty HOSTNAME would be read as the TAG.
            host = header_field(_explicit("hostname", hostname, 255), 255)
            if host == "-":
                host = header_field(socket.gethostname(), 255)
                host = "localhost" if host == "-" else host
            self.hostname = host
            raw_app = _explicit("app_name", app_name, 32)
            tag = _NOT_TAG.sub("_", raw_app if raw_app is not None else default_app_name())
            self.app_name = tag[:32] or "python"
            self.msgid = "-"
        self._pri = [f"<{facility * 8 + syslog_severity(n)}>" for n in range(0, 51)]
        # (second, text) and (pid, text): one attribute each, so concurrent callers
        # never see a second's text paired with another second.
        self._time: tuple[int, str] = (-1, "")
        self._proc: tuple[Any, str] = (object(), "")
        #: ``header(record) -> str``: the header for *record*, bound once to the format.
        self.header: Callable[[logging.LogRecord], str] = (
            self._rfc5424 if syslog_format == "rfc5424" else self._rfc3164
        )

    def pri(self, levelno: int) -> str:
        if 0 <= levelno <= 50:
            return self._pri[levelno]
        return f"<{self.facility * 8 + syslog_severity(levelno)}>"

    def _rfc5424(self, record: logging.LogRecord) -> str:
        created = record.created
        second = int(created)
        clock = self._time
        if second != clock[0]:
            clock = self._time = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        proc = self._proc
        if record.process != proc[0]:
            procid = "-" if record.process is None else record.process
            proc = self._proc = (
                record.process,
                f"Z {self.hostname} {self.app_name} {procid} {self.msgid} - ",
            )
        levelno = record.levelno
        pri = self._pri[levelno] if 0 <= levelno <= 50 else self.pri(levelno)
        return f"{pri}1 {clock[1]}.{int((created - second) * 1_000_000):06d}{proc[1]}"

    def _rfc3164(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        cached_second, stamp = self._time
        if second != cached_second:
            t = time.localtime(second)
            stamp = (
                f"{_MONTHS[t.tm_mon - 1]} {t.tm_mday:2d} "
                f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} "
                f"{self.hostname} {self.app_name}: "
            )
            self._time = (second, stamp)
        return self.pri(record.levelno) + stamp
