"""Receive syslog and HTTP batches on loopback and parse the CEF/LEEF events in them.

Point an application's handler at a :class:`Listener` and see exactly what a SIEM
would get: every message is unframed, its syslog header is taken off, and what
remains is parsed with :func:`cef_logging.parse.parse_event` (CEF or LEEF, whichever
marker comes first).

Transports, any number of each, all served by one background thread:

* **UDP** -- one syslog message per datagram;
* **TCP** and **TLS** -- RFC 6587 octet counting (``LEN SP MSG``) or newline framing
  (``MSG LF``; a NUL also ends a message, as the standard library's
  :class:`logging.handlers.SysLogHandler` sends it), detected per connection from
  its first byte;
* **HTTP** (and HTTPS) -- ``POST`` or ``PUT`` bodies with one record per line, as
  :class:`cef_logging.handlers.HTTPBatchHandler` sends them, optionally
  ``Content-Encoding: gzip``; keep-alive and chunked bodies are understood.

Syslog headers in RFC 5424 (``<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG``) and
RFC 3164 (``<PRI>Mmm dd hh:mm:ss HOST TAG: MSG``) form are recognised, as is a bare
``<PRI>MSG``; see :func:`parse_syslog`.

Nothing a peer sends can stall the others or exhaust memory: each connection is its
own task, messages longer than *max_message_size* are cut there (and marked
``truncated``), HTTP bodies are bounded by *max_body_size* (after decompression
too), malformed frames close only the offending connection and every such event is
reported as a :class:`Problem`.

Example::

    with Listener(tcp="127.0.0.1:0") as listener:
        host, port = listener.address("tcp")
        ...  # log through SyslogHandler((host, port), transport="tcp")
        for received in listener.events(timeout=5):
            print(received.event)

Only the standard library is used.
"""

from __future__ import annotations

import asyncio
import ipaddress
import queue
import re
import ssl
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, NamedTuple, Union

from .parse import CEFEvent, LEEFEvent, ParseError, parse_event

__all__ = [
    "DEFAULT_PORTS",
    "MAX_BODY_SIZE",
    "MAX_MESSAGE_SIZE",
    "Deframer",
    "Frame",
    "FramingError",
    "Listener",
    "ListenerStats",
    "Problem",
    "Received",
    "SyslogHeader",
    "is_loopback",
    "parse_address",
    "parse_syslog",
]

#: Longest message kept, in bytes (syslog-ng's default ``log-msg-size``); longer ones
#: are cut to this size and marked ``truncated``.
MAX_MESSAGE_SIZE: Final = 64 * 1024
#: Largest HTTP request body accepted, in bytes, before and after decompression.
MAX_BODY_SIZE: Final = 32 * 1024 * 1024
#: Port used when an address names only a host.
DEFAULT_PORTS: Final = {"udp": 5514, "tcp": 5514, "tls": 6514, "http": 8088, "https": 8443}

Transport = Literal["udp", "tcp", "tls", "http", "https"]
_TRANSPORTS: Final = ("udp", "tcp", "tls", "http", "https")
_READ_SIZE: Final = 65536
_MAX_HEADER_BYTES: Final = 64 * 1024
_HTTP_IDLE_TIMEOUT: Final = 120.0
_CHUNK_SIZE: Final = re.compile(b"[0-9A-Fa-f]{1,16}")
_TLS_HANDSHAKE_TIMEOUT: Final = 30.0


# ----------------------------------------------------------------------------- addresses


def parse_address(text: str, transport: str = "tcp") -> tuple[str, int]:
    """Split ``"HOST:PORT"`` into ``(host, port)``; the host defaults to loopback.

    Accepted forms: ``HOST:PORT``, ``[IPV6]:PORT``, ``PORT`` and ``:PORT`` (both bind
    127.0.0.1: any other interface must be named), ``HOST`` (the transport's port in
    :data:`DEFAULT_PORTS`). Port 0 picks a free port.

    Args:
        text: The address as written on a command line.
        transport: ``udp``, ``tcp``, ``tls``, ``http`` or ``https`` (for the default port).

    Raises:
        ValueError: The address or port is malformed.
    """
    value = text.strip()
    default_port = DEFAULT_PORTS.get(transport, 5514)
    host: str
    port_text: str | None
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"malformed address {text!r}: expected [IPV6]:PORT")
        port_text = rest[1:] if rest else None
    elif value.isdigit():
        host, port_text = "", value
    elif value.count(":") == 1:
        host, _, port_text = value.partition(":")
    elif ":" in value:
        raise ValueError(f"malformed address {text!r}: write an IPv6 address as [IPV6]:PORT")
    else:
        host, port_text = value, None
    if port_text is None:
        port = default_port
    elif port_text.isdigit() and int(port_text) <= 65535:
        port = int(port_text)
    else:
        raise ValueError(f"malformed address {text!r}: the port must be 0..65535")
    return (host or "127.0.0.1"), port


def is_loopback(host: str) -> bool:
    """True when *host* is ``localhost`` or a loopback IP address (127.0.0.0/8, ::1)."""
    if host.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# ----------------------------------------------------------------------------- syslog header


@dataclass(frozen=True, slots=True)
class SyslogHeader:
    """The syslog header taken off a message (values as sent; ``None`` when absent)."""

    format: Literal["rfc5424", "rfc3164", "pri"]
    """``rfc5424``, ``rfc3164``, or ``pri`` for a bare ``<PRI>`` (standard library style)."""
    pri: int
    facility: int
    severity: int
    timestamp: str | None = None
    hostname: str | None = None
    app_name: str | None = None
    """The RFC 5424 APP-NAME, or the RFC 3164 TAG without its ``[pid]``."""
    procid: str | None = None
    msgid: str | None = None
    structured_data: str | None = None
    """The RFC 5424 STRUCTURED-DATA as sent (``"-"`` when nil)."""


_PRI_RE: Final = re.compile(r"<(\d{1,3})>")
_VERSION_RE: Final = re.compile(r"[1-9]\d{0,2} ")
_PARAM_VALUE: Final = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_SD_RE: Final = re.compile(
    r'(?:\[[^\]"\s=]+(?:\s+[^\]"\s=]+=' + _PARAM_VALUE + r")*\s*\])+", re.DOTALL
)
_BSD_TIME_RE: Final = re.compile(
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3]\d \d\d:\d\d:\d\d "
)
#: A year after the RFC 3164 time (some senders add one), followed by a host name token.
_BSD_YEAR_RE: Final = re.compile(r"\d{4} (?=[^\s:\[]+ )")
_ISO_TIME_RE: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* ")
_TAG_RE: Final = re.compile(r"([^\s\[\]:]{1,48})(?:\[([^\]\s]{0,128})\])?: ?")
_MARKERS: Final = ("CEF:", "LEEF:")


def _nil(value: str) -> str | None:
    return None if value == "-" else value


def parse_syslog(text: str) -> tuple[SyslogHeader | None, str]:
    """Take the syslog header off one message; return ``(header, msg)``.

    * ``<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`` (RFC 5424, any version
      number; a UTF-8 BOM before MSG is removed);
    * ``<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG`` (RFC 3164; an RFC 3339 timestamp
      in its place, an optional year, a missing HOSTNAME or TAG are tolerated);
    * ``<PRI>MSG`` with no header fields (the standard library's ``SysLogHandler``).

    A header is never looked for inside a CEF/LEEF line: when ``CEF:`` or ``LEEF:``
    starts where a field would, the rest is the message. Text without a valid
    ``<PRI>`` (0..191) is returned unchanged with ``header=None``.

    Args:
        text: One message, without transport framing.
    """
    m = _PRI_RE.match(text)
    if m is None or int(m.group(1)) > 191:
        return None, text
    pri = int(m.group(1))
    pos = m.end()
    if _VERSION_RE.match(text, pos):
        parts = text[pos:].split(" ", 6)
        # parts: VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID REST
        if len(parts) >= 6:
            return _rfc5424(pri, parts)
    return _rfc3164(text, pri, pos)


def _rfc5424(pri: int, parts: list[str]) -> tuple[SyslogHeader, str]:
    """The RFC 5424 header and MSG, from the message split after ``<PRI>`` into
    VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID and the rest."""
    facility, severity = divmod(pri, 8)
    rest = parts[6] if len(parts) == 7 else ""
    sd: str | None
    if rest.startswith("-"):
        sd, msg = "-", rest[1:]
    else:
        sd_match = _SD_RE.match(rest)
        if sd_match is not None:
            sd, msg = sd_match.group(), rest[sd_match.end() :]
        else:
            sd, msg = None, rest
    if msg.startswith(" "):
        msg = msg[1:]
    if msg.startswith("\ufeff"):
        msg = msg[1:]
    header = SyslogHeader(
        "rfc5424", pri, facility, severity,
        timestamp=_nil(parts[1]), hostname=_nil(parts[2]), app_name=_nil(parts[3]),
        procid=_nil(parts[4]), msgid=_nil(parts[5]), structured_data=sd,
    )  # fmt: skip
    return header, msg


def _rfc3164(text: str, pri: int, pos: int) -> tuple[SyslogHeader, str]:
    """The RFC 3164 header (tolerating what :func:`parse_syslog` lists) and MSG of
    *text*, whose ``<PRI>`` ends at *pos*; the bare ``<PRI>`` header without a time."""
    facility, severity = divmod(pri, 8)
    stamp = _BSD_TIME_RE.match(text, pos) or _ISO_TIME_RE.match(text, pos)
    if stamp is None:
        return SyslogHeader("pri", pri, facility, severity), text[pos:]
    pos = stamp.end()
    if stamp.re is _BSD_TIME_RE and not text.startswith(_MARKERS, pos):
        # "2024 host tag: ..." has a year; in "2024 tag: ..." or "2024 CEF:..." the four
        # digits are the host name.
        year = _BSD_YEAR_RE.match(text, pos)
        if year is not None and not text.startswith(_MARKERS, year.end()):
            pos = year.end()
    timestamp = text[stamp.start() : pos - 1]
    hostname: str | None = None
    app_name: str | None = None
    procid: str | None = None
    if not text.startswith(_MARKERS, pos):
        space = text.find(" ", pos)
        token = text[pos:space] if space != -1 else text[pos:]
        if token and not token.endswith(":") and "[" not in token:
            hostname, pos = token, (space + 1 if space != -1 else len(text))
        if not text.startswith(_MARKERS, pos):
            tag = _TAG_RE.match(text, pos)
            if tag is not None:
                app_name, procid, pos = tag.group(1), tag.group(2), tag.end()
    header = SyslogHeader(
        "rfc3164", pri, facility, severity,
        timestamp=timestamp, hostname=hostname, app_name=app_name, procid=procid,
    )  # fmt: skip
    return header, text[pos:]


# ----------------------------------------------------------------------------- framing


class FramingError(ValueError):
    """A stream that is neither valid octet-counted nor newline-framed syslog.

    ``frames`` holds the messages completed before the error, in order.
    """

    def __init__(self, message: str, frames: list[Frame] | None = None) -> None:
        super().__init__(message)
        self.frames: list[Frame] = frames or []


class Frame(NamedTuple):
    """One message taken out of a stream."""

    data: bytes
    """The message bytes (trailing CR, LF and NUL removed)."""
    truncated: bool
    """True when the message was longer than the size limit and has been cut."""


_TERMINATOR: Final = re.compile(b"[\n\x00]")
_TRAILING: Final = b"\r\n\x00"


class Deframer:
    """Split a syslog byte stream into messages (sans I/O: feed bytes, get frames).

    The framing is detected from the first byte of the stream: a digit means RFC 6587
    octet counting (``LEN SP MSG``), anything else newline framing (``MSG LF``, where
    a NUL also ends a message). Memory stays bounded by *max_message_size* plus one
    read: a longer message is cut to *max_message_size* bytes (``truncated=True``)
    and the rest of it is skipped.

    Args:
        max_message_size: Longest message kept, in bytes.
    """

    def __init__(self, max_message_size: int = MAX_MESSAGE_SIZE) -> None:
        if max_message_size < 1:
            raise ValueError("max_message_size must be >= 1")
        self.max_message_size = max_message_size
        #: ``"octet-counting"`` or ``"newline"`` once the first byte has been seen.
        self.framing: Literal["octet-counting", "newline"] | None = None
        self._buf = bytearray()
        self._skip = 0  # octet counting: bytes of an oversized frame still to discard
        self._discard_line = False  # newline: discarding the rest of an oversized line

    def feed(self, data: bytes) -> list[Frame]:
        """Add received bytes; return the messages they complete.

        Raises:
            FramingError: An octet-counted stream holds something other than a frame
                length (the stream cannot be resynchronised).
        """
        buf = self._buf
        buf += data
        if self.framing is None:
            if not buf:
                return []
            self.framing = "octet-counting" if buf[0] in b"0123456789" else "newline"
        if self.framing == "octet-counting":
            out: list[Frame] = []
            try:
                self._octets(out)
            except FramingError as exc:
                exc.frames = out
                raise
            return out
        return self._lines()

    def end(self) -> list[Frame]:
        """The stream ended: return a last unterminated newline-framed message.

        Raises:
            FramingError: The stream ended inside an octet-counted frame.
        """
        buf, self._buf = self._buf, bytearray()
        if self.framing == "octet-counting":
            if self._skip or buf:
                raise FramingError("connection closed in the middle of an octet-counted frame")
            return []
        if self._discard_line:
            self._discard_line = False
            return []
        data = bytes(buf).rstrip(_TRAILING)
        return [Frame(data, False)] if data else []

    def _octets(self, out: list[Frame]) -> None:
        buf, limit = self._buf, self.max_message_size
        while buf:
            if self._skip:
                n = min(self._skip, len(buf))
                del buf[:n]
                self._skip -= n
                continue
            space = buf.find(b" ", 0, 12)
            if space == -1:
                if len(buf) >= 12 or not buf.isdigit():
                    raise FramingError(
                        f"expected an octet count, got {bytes(buf[:12])!r} (octet-counted "
                        "framing was detected from the first byte of the connection)"
                    )
                break
            digits = bytes(buf[:space])
            if not digits.isdigit():
                raise FramingError(f"expected an octet count, got {bytes(buf[: space + 1])!r}")
            length = int(digits)
            start = space + 1
            if length <= limit:
                if len(buf) < start + length:
                    break
                data = bytes(buf[start : start + length]).rstrip(_TRAILING)
                if data:
                    out.append(Frame(data, False))
                del buf[: start + length]
            else:
                if len(buf) < start + limit:
                    break
                out.append(Frame(bytes(buf[start : start + limit]), True))
                del buf[: start + limit]
                self._skip = length - limit

    def _lines(self) -> list[Frame]:
        buf, limit, out = self._buf, self.max_message_size, []
        pos = 0
        while True:
            m = _TERMINATOR.search(buf, pos)
            if m is None:
                break
            end = m.start()
            if self._discard_line:
                self._discard_line = False
            elif end - pos > limit:
                out.append(Frame(bytes(buf[pos : pos + limit]), True))
            else:
                data = bytes(buf[pos:end]).rstrip(_TRAILING)
                if data:
                    out.append(Frame(data, False))
            pos = end + 1
        del buf[:pos]
        if len(buf) > limit:
            if not self._discard_line:
                out.append(Frame(bytes(buf[:limit]), True))
                self._discard_line = True
            buf.clear()
        elif self._discard_line:
            buf.clear()
        return out


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Received:
    """One message as a SIEM would receive it."""

    transport: str
    """``udp``, ``tcp``, ``tls``, ``http`` or ``https``."""
    peer: str
    """The sender's ``host:port`` (``[v6]:port`` for IPv6)."""
    framing: str
    """``datagram``, ``octet-counting``, ``newline`` or ``http``."""
    raw: bytes
    """The message bytes as framed by the sender (syslog header included)."""
    header: SyslogHeader | None
    """The syslog header that was taken off (``None`` for HTTP or a headerless message)."""
    message: str
    """The text after the header: the CEF/LEEF line (decoded as UTF-8)."""
    event: CEFEvent | LEEFEvent | None
    """The parsed event, or ``None`` when *error* is set."""
    error: ParseError | None
    truncated: bool = False
    """The message was longer than the listener's *max_message_size* and has been cut."""
    invalid_utf8: bool = False
    """The bytes were not valid UTF-8; each bad sequence became U+FFFD."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a peer did that the listener refused or could not read."""

    transport: str
    peer: str
    message: str


@dataclass(frozen=True, slots=True)
class ListenerStats:
    """Counters since the listener started (a snapshot)."""

    received: dict[str, int] = field(default_factory=dict)
    """Messages received per transport."""
    parse_failures: int = 0
    truncated: int = 0
    invalid_utf8: int = 0
    problems: int = 0
    dropped: int = 0
    """UDP messages dropped because the queue was full (its reader fell behind)."""
    connections: int = 0


def _decode(data: bytes) -> tuple[str, bool]:
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), True


def _peer_name(peername: Any) -> str:
    if isinstance(peername, tuple) and len(peername) >= 2:
        host = str(peername[0])
        return f"[{host}]:{peername[1]}" if ":" in host else f"{host}:{peername[1]}"
    return str(peername) if peername else "?"


_STOP: Final = object()
Addresses = Union[str, tuple[str, int], Sequence[Union[str, tuple[str, int]]], None]  # noqa: UP007


def _address_list(value: Addresses, transport: str) -> list[tuple[str, int]]:
    if value is None:
        return []
    if isinstance(value, str):
        return [parse_address(value, transport)]
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], int):
        return [(str(value[0]) or "127.0.0.1", value[1])]
    out: list[tuple[str, int]] = []
    for item in value:
        out.extend(_address_list(item, transport))
    return out


def _check_limits(**limits: int) -> None:
    for name, limit in limits.items():
        if limit < 1:
            raise ValueError(f"{name} must be >= 1, got {limit!r}")


def _bind_list(*addresses: Addresses) -> list[tuple[str, tuple[str, int]]]:
    """``(transport, address)`` for each address given, in the order of
    :data:`_TRANSPORTS` (*addresses* holds one entry per transport)."""
    binds: list[tuple[str, tuple[str, int]]] = []
    for transport, value in zip(_TRANSPORTS, addresses, strict=True):
        for address in _address_list(value, transport):
            binds.append((transport, address))
    if not binds:
        raise ValueError("give at least one of udp, tcp, tls, http or https")
    return binds


def _server_context(certfile: str | None, keyfile: str | None) -> ssl.SSLContext:
    """The server-side TLS context for *tls* and *https*, from *certfile*/*keyfile*."""
    if certfile is None:
        raise ValueError("tls and https need certfile (or ssl_context)")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ValueError(
            f"certfile/keyfile: cannot load {certfile!r}"
            + (f" / {keyfile!r}" if keyfile else "")
            + f": {detail}"
        ) from exc
    return context


# ----------------------------------------------------------------------------- listener


class Listener:
    """Receive syslog (UDP, TCP, TLS) and HTTP batches; parse each CEF/LEEF event.

    The sockets are bound by :meth:`start` (or ``with``) and served by one
    background thread until :meth:`stop`. Received messages and problems go to
    the callbacks when given, otherwise to a queue read with :meth:`get` or
    :meth:`events`.

    Args:
        udp: Address(es) for syslog over UDP: ``"HOST:PORT"``, ``(host, port)`` or a
            list of them (see :func:`parse_address`; port 0 picks a free port).
        tcp: Address(es) for syslog over TCP.
        tls: Address(es) for syslog over TLS (needs *certfile* or *ssl_context*).
        http: Address(es) for HTTP batches.
        https: Address(es) for HTTP batches over TLS (needs *certfile* or *ssl_context*).
        certfile: PEM certificate chain for *tls* and *https*.
        keyfile: PEM private key, when not in *certfile*.
        ssl_context: A server-side context to use instead of *certfile*/*keyfile* (its
            ``sslobject_class`` is replaced, so that failed handshakes are reported).
        strict: Parse strictly (:mod:`cef_logging.parse`); the default is lenient,
            like most SIEMs.
        on_event: Called in the listener thread with each :class:`Received`; it must
            return quickly. Without it, messages are queued.
        on_problem: Called in the listener thread with each :class:`Problem`;
            without it, problems are queued with the messages.
        max_message_size: Longest message kept, in bytes; longer ones are cut.
        max_body_size: Largest HTTP body, in bytes (also after decompression).
        max_connections: Connections served at once; more are closed and reported.
        queue_size: Items the queue holds before stream and HTTP peers are made to
            wait (UDP messages are dropped and counted instead).
        max_queue_bytes: Message bytes the queue holds, the same way: memory stays
            bounded however slowly the queue is read.

    Raises:
        ValueError: No address, a malformed address, a TLS transport without a
            certificate, or a non-positive limit (names the argument).
    """

    def __init__(
        self,
        *,
        udp: Addresses = None,
        tcp: Addresses = None,
        tls: Addresses = None,
        http: Addresses = None,
        https: Addresses = None,
        certfile: str | None = None,
        keyfile: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        strict: bool = False,
        on_event: Callable[[Received], None] | None = None,
        on_problem: Callable[[Problem], None] | None = None,
        max_message_size: int = MAX_MESSAGE_SIZE,
        max_body_size: int = MAX_BODY_SIZE,
        max_connections: int = 1024,
        queue_size: int = 10000,
        max_queue_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        _check_limits(max_message_size=max_message_size, max_body_size=max_body_size,
                      max_connections=max_connections, queue_size=queue_size,
                      max_queue_bytes=max_queue_bytes)  # fmt: skip
        self._binds = _bind_list(udp, tcp, tls, http, https)
        needs_tls = any(t in ("tls", "https") for t, _ in self._binds)
        if needs_tls and ssl_context is None:
            ssl_context = _server_context(certfile, keyfile)
        if needs_tls and ssl_context is not None:
            # asyncio closes a connection whose TLS handshake fails without telling anyone
            # (outside its debug mode). The one public hook on that path is the context's
            # SSLObject class: a subclass reports the failure.
            ssl_context.sslobject_class = _reporting_sslobject(self)
        self._ssl_context = ssl_context
        self.strict = strict
        self.on_event = on_event
        self.on_problem = on_problem
        self.max_message_size = max_message_size
        self.max_body_size = max_body_size
        self.max_connections = max_connections
        self._queue: queue.Queue[object] = queue.Queue()
        self._queue_size = queue_size
        self._queue_bytes = max_queue_bytes
        self._queued = (0, 0)  # items and message bytes in the queue
        self._lock = threading.Lock()
        self._received: dict[str, int] = {}
        self._counts = {"parse_failures": 0, "truncated": 0, "invalid_utf8": 0,
                        "problems": 0, "dropped": 0, "connections": 0}  # fmt: skip
        self._bound: list[tuple[str, tuple[str, int]]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.AbstractServer] = []
        self._udp: list[asyncio.DatagramTransport] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._stopped = False

    # -- public API ---------------------------------------------------------------------

    def start(self) -> Listener:
        """Bind every address and start serving in a background thread.

        Raises:
            OSError: An address cannot be bound (in use, not local, no permission).
        """
        if self._thread is not None:
            raise RuntimeError("the listener has already been started")
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(ready, failure), name="cef-logging-listen", daemon=True
        )
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            raise failure[0]
        return self

    def stop(self) -> None:
        """Close every socket and connection and stop the thread (idempotent).

        Items already queued can still be read; then :meth:`get` returns ``None``.
        """
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or self._stopped:
            return
        self._stopped = True
        try:
            loop.call_soon_threadsafe(self._shutdown)
        except RuntimeError:  # the loop has already finished
            pass
        thread.join()
        self._put_nowait(_STOP, force=True)

    def __enter__(self) -> Listener:
        return self if self._thread is not None else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def addresses(self) -> list[tuple[str, tuple[str, int]]]:
        """``(transport, (host, port))`` for every bound socket, in the order given."""
        return list(self._bound)

    def address(self, transport: str) -> tuple[str, int]:
        """The first bound ``(host, port)`` of *transport* (handy with port 0).

        Raises:
            KeyError: No socket of that transport is bound.
        """
        for name, address in self._bound:
            if name == transport:
                return address
        raise KeyError(transport)

    def get(self, timeout: float | None = None) -> Received | Problem | None:
        """The next queued message or problem; ``None`` on timeout or once stopped."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        size = len(item.raw) if isinstance(item, Received) else 0
        with self._lock:
            items, held = self._queued
            self._queued = (items - 1, held - size)
        if item is _STOP:
            self._put_nowait(_STOP, force=True)  # keep later callers from blocking
            return None
        assert isinstance(item, (Received, Problem))
        return item

    def events(self, timeout: float | None = None) -> Iterator[Received]:
        """Yield queued messages (problems are skipped) until stopped, or until
        nothing arrived for *timeout* seconds."""
        while True:
            item = self.get(timeout)
            if item is None:
                return
            if isinstance(item, Received):
                yield item

    def stats(self) -> ListenerStats:
        """A snapshot of the counters."""
        with self._lock:
            return ListenerStats(received=dict(self._received), **self._counts)

    # -- thread and loop ----------------------------------------------------------------

    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        loop.set_exception_handler(self._loop_error)
        try:
            try:
                loop.run_until_complete(self._open())
            except BaseException as exc:
                failure.append(exc)
                loop.run_until_complete(self._close_all())
                return
            finally:
                ready.set()
            loop.run_forever()
            loop.run_until_complete(self._close_all())
        finally:
            loop.close()

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        for transport, (host, port) in self._binds:
            if transport == "udp":
                udp, _ = await loop.create_datagram_endpoint(
                    lambda: _UDPProtocol(self), local_addr=(host, port)
                )
                self._udp.append(udp)
                sockname = udp.get_extra_info("sockname")
                self._bound.append(("udp", (str(sockname[0]), int(sockname[1]))))
                continue
            tls = transport in ("tls", "https")
            handler = self._http_connection if transport.startswith("http") else self._stream

            def serve(
                reader: asyncio.StreamReader,
                writer: asyncio.StreamWriter,
                _name: str = transport,
                _handler: Callable[..., Any] = handler,
            ) -> Any:
                return self._connection(_name, _handler, reader, writer)

            server = await asyncio.start_server(
                serve, host, port,
                ssl=self._ssl_context if tls else None,
                ssl_handshake_timeout=_TLS_HANDSHAKE_TIMEOUT if tls else None,
                limit=_MAX_HEADER_BYTES,
            )  # fmt: skip
            self._servers.append(server)
            for sock in server.sockets:
                sockname = sock.getsockname()
                self._bound.append((transport, (str(sockname[0]), int(sockname[1]))))

    def _shutdown(self) -> None:
        assert self._loop is not None
        self._loop.stop()

    async def _close_all(self) -> None:
        for server in self._servers:
            server.close()
        for udp in self._udp:
            udp.close()
        # Abort every connection: its task sees the end of the stream and returns. Tasks
        # still running after that are cancelled; stop() never waits on a peer.
        for writer in list(self._writers):
            writer.transport.abort()
        for _ in range(2):
            tasks = [task for task in self._tasks if not task.done()]
            if not tasks:
                break
            _, pending = await asyncio.wait(tasks, timeout=1.0)
            for task in pending:
                task.cancel()

    def _loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """asyncio's own error reports become problems (never tracebacks on stderr)."""
        exc = context.get("exception")
        message = str(context.get("message", "error"))
        if exc is not None:
            message = f"{message}: {type(exc).__name__}: {exc}"
        self._problem("?", "?", message)

    def _handshake_failed(self, exc: ssl.SSLError) -> None:
        tls = "/".join(sorted({name for name, _ in self._binds if name in ("tls", "https")}))
        self._problem(
            tls,
            "?",
            "TLS handshake failed (a plaintext client, or one that refused the "
            f"certificate?): {exc.reason or exc}",
        )

    # -- delivery -----------------------------------------------------------------------

    def _count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] += n

    def _put_nowait(self, item: object, force: bool = False) -> bool:
        """Queue *item* unless that would pass *queue_size* items or *max_queue_bytes*
        (one item always fits); *force* ignores both (the stop marker)."""
        size = len(item.raw) if isinstance(item, Received) else 0
        with self._lock:
            items, held = self._queued
            if (
                not force
                and items
                and (items >= self._queue_size or held + size > self._queue_bytes)
            ):
                return False
            self._queued = (items + 1, held + size)
        self._queue.put_nowait(item)
        return True

    def _problem(self, transport: str, peer: str, message: str) -> None:
        self._count("problems")
        problem = Problem(transport, peer, message)
        if self.on_problem is not None:
            try:
                self.on_problem(problem)
            except Exception:  # a failing callback must not stop the listener
                pass
            return
        self._put_nowait(problem)  # problems are advisory: dropped when the queue is full

    def _make(self, transport: str, peer: str, framing: str, frame: Frame) -> Received:
        text, invalid = _decode(frame.data)
        if transport.startswith("http"):
            header, message = None, text
        else:
            header, message = parse_syslog(text)
        event: CEFEvent | LEEFEvent | None = None
        error: ParseError | None = None
        try:
            event = parse_event(message, strict=self.strict)
        except ParseError as exc:
            error = exc
        except Exception as exc:  # pragma: no cover - a parser bug must not kill the peer
            error = ParseError(f"parser failed: {type(exc).__name__}: {exc}", 0)
        with self._lock:
            self._received[transport] = self._received.get(transport, 0) + 1
            counts = self._counts
            counts["parse_failures"] += error is not None
            counts["truncated"] += frame.truncated
            counts["invalid_utf8"] += invalid
        return Received(transport, peer, framing, frame.data, header, message, event, error,
                        frame.truncated, invalid)  # fmt: skip

    def _deliver_now(self, received: Received) -> bool:
        """Deliver without waiting; False when the queue is full."""
        if self.on_event is not None:
            try:
                self.on_event(received)
            except Exception as exc:
                self._problem(received.transport, received.peer,
                              f"on_event callback failed: {type(exc).__name__}: {exc}")  # fmt: skip
            return True
        return self._put_nowait(received)

    async def _deliver(self, received: Received) -> None:
        """Deliver, waiting (and so pausing this peer) while the queue is full."""
        while not self._deliver_now(received):
            await asyncio.sleep(0.02)

    # -- connections --------------------------------------------------------------------

    async def _connection(
        self,
        transport: str,
        handler: Callable[[str, str, asyncio.StreamReader, asyncio.StreamWriter], Any],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        peer = _peer_name(writer.get_extra_info("peername"))
        task = asyncio.current_task()
        if len(self._tasks) >= self.max_connections or task is None:
            self._problem(transport, peer, f"connection refused: already serving "
                          f"{self.max_connections} connections (max_connections)")  # fmt: skip
            writer.close()
            return
        self._tasks.add(task)
        self._writers.add(writer)
        self._count("connections")
        try:
            await handler(transport, peer, reader, writer)
        except asyncio.CancelledError:
            pass
        except asyncio.TimeoutError:  # before OSError: a subclass of it from Python 3.11
            self._problem(transport, peer, "connection closed: the peer stalled mid-request")
        except (OSError, EOFError, asyncio.IncompleteReadError) as exc:
            self._problem(transport, peer, f"connection error: {type(exc).__name__}: {exc}")
        except asyncio.LimitOverrunError:
            self._problem(transport, peer, "connection closed: a request line was too long")
        except Exception as exc:  # pragma: no cover - defensive: one peer, never the rest
            self._problem(transport, peer, f"internal error: {type(exc).__name__}: {exc}")
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            writer.close()

    async def _stream(
        self,
        transport: str,
        peer: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        deframer = Deframer(self.max_message_size)
        while True:
            data = await reader.read(_READ_SIZE)
            error: FramingError | None = None
            try:
                frames = deframer.feed(data) if data else deframer.end()
            except FramingError as exc:
                frames, error = exc.frames, exc
            framing = deframer.framing or "newline"
            for frame in frames:
                await self._deliver(self._make(transport, peer, framing, frame))
            if error is not None:
                self._problem(transport, peer, f"malformed stream, connection closed: {error}")
                return
            if not data:
                return

    async def _http_connection(
        self,
        transport: str,
        peer: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        while True:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _HTTP_IDLE_TIMEOUT)
            except asyncio.IncompleteReadError as exc:
                if exc.partial.strip():
                    self._problem(transport, peer, "connection closed in the middle of a request")
                return
            except asyncio.LimitOverrunError:
                self._problem(transport, peer,
                              f"request header larger than {_MAX_HEADER_BYTES} bytes")  # fmt: skip
                await _respond(writer, 431, close=True)
                return
            except asyncio.TimeoutError:
                return
            if not await self._http_request(transport, peer, head, reader, writer):
                return

    async def _http_request(
        self,
        transport: str,
        peer: str,
        head: bytes,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        """Serve one request; False when the connection must close."""
        lines = head.decode("latin-1").split("\r\n")
        request = lines[0].split(" ")
        if len(request) != 3 or not request[2].startswith("HTTP/1."):
            self._problem(transport, peer, f"malformed HTTP request line {lines[0][:200]!r}")
            await _respond(writer, 400, close=True)
            return False
        method, _, version = request
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        connection = headers.get("connection", "").lower()
        keep = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
        body = await self._http_body(transport, peer, headers, reader, writer)
        if body is None:
            return False
        if method in ("GET", "HEAD"):
            await _respond(writer, 200, b"cef-logging listen: POST one record per line\n",
                           close=not keep, head=method == "HEAD")  # fmt: skip
            return keep
        if method not in ("POST", "PUT"):
            await _respond(writer, 405, close=not keep, extra={"Allow": "POST, PUT, GET"})
            return keep
        encoding = headers.get("content-encoding", "identity").lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            try:
                body = _decompress(body, encoding, self.max_body_size)
            except ValueError as exc:
                self._problem(transport, peer, f"request body refused: {exc}")
                await _respond(writer, 413 if "larger" in str(exc) else 400, close=True)
                return False
        elif encoding != "identity":
            self._problem(transport, peer, f"unsupported Content-Encoding {encoding[:100]!r}")
            await _respond(writer, 415, close=not keep)
            return keep
        limit = self.max_message_size
        for record in body.split(b"\n"):
            truncated = len(record) > limit
            data = record[:limit] if truncated else record.rstrip(_TRAILING)
            if data:
                await self._deliver(self._make(transport, peer, "http", Frame(data, truncated)))
        await _respond(writer, 200, close=not keep)
        return keep

    async def _http_body(
        self,
        transport: str,
        peer: str,
        headers: dict[str, str],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bytes | None:
        limit = self.max_body_size
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts: list[bytes] = []
            total = 0
            while True:
                size_line = await asyncio.wait_for(reader.readuntil(b"\r\n"), _HTTP_IDLE_TIMEOUT)
                size_text = size_line.split(b";", 1)[0].strip()
                if _CHUNK_SIZE.fullmatch(size_text) is None:
                    self._problem(transport, peer, "malformed chunked request body")
                    await _respond(writer, 400, close=True)
                    return None
                size = int(size_text, 16)
                total += size
                if total > limit:
                    self._problem(
                        transport, peer, f"request body larger than {limit} bytes (max_body_size)"
                    )
                    await _respond(writer, 413, close=True)
                    return None
                if size == 0:  # skip any trailer fields up to the empty line
                    while (
                        await asyncio.wait_for(reader.readuntil(b"\r\n"), _HTTP_IDLE_TIMEOUT)
                        != b"\r\n"
                    ):
                        pass
                    return b"".join(parts)
                chunk = await asyncio.wait_for(reader.readexactly(size + 2), _HTTP_IDLE_TIMEOUT)
                parts.append(chunk[:-2])
        length_text = headers.get("content-length", "0")
        if not length_text.isdigit():
            self._problem(transport, peer, f"malformed Content-Length {length_text[:40]!r}")
            await _respond(writer, 400, close=True)
            return None
        length = int(length_text)
        if length > limit:
            self._problem(transport, peer,
                          f"request body of {length} bytes refused: larger than {limit} bytes "
                          "(max_body_size)")  # fmt: skip
            await _respond(writer, 413, close=True)
            return None
        if length and headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return await asyncio.wait_for(reader.readexactly(length), _HTTP_IDLE_TIMEOUT)


_REASONS: Final = {200: "OK", 400: "Bad Request", 405: "Method Not Allowed",
                   413: "Content Too Large", 415: "Unsupported Media Type",
                   431: "Request Header Fields Too Large"}  # fmt: skip


async def _respond(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes = b"",
    *,
    close: bool = False,
    head: bool = False,
    extra: dict[str, str] | None = None,
) -> None:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}",
             f"Content-Length: {len(body)}", "Content-Type: text/plain; charset=utf-8"]  # fmt: skip
    if close:
        lines.append("Connection: close")
    for key, value in (extra or {}).items():
        lines.append(f"{key}: {value}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + (b"" if head else body))
    await asyncio.wait_for(writer.drain(), _HTTP_IDLE_TIMEOUT)


def _decompress(body: bytes, encoding: str, limit: int) -> bytes:
    """Inflate a gzip (possibly multi-member) or deflate body, refusing more than *limit*."""
    wbits = 31 if "gzip" in encoding else 15
    out = bytearray()
    data = body
    while data:
        inflater = zlib.decompressobj(wbits)
        try:
            out += inflater.decompress(data, limit + 1 - len(out))
        except zlib.error as exc:
            raise ValueError(f"corrupt {encoding} body ({exc})") from None
        if len(out) > limit or inflater.unconsumed_tail:
            raise ValueError(f"decompressed body larger than {limit} bytes (max_body_size)")
        if not inflater.eof:
            raise ValueError(f"truncated {encoding} body")
        data = inflater.unused_data if wbits == 31 else b""
    return bytes(out)


def _reporting_sslobject(listener: Listener) -> type[ssl.SSLObject]:
    """An SSLObject class that reports failed server handshakes to *listener*."""

    class ReportingSSLObject(ssl.SSLObject):
        def do_handshake(self) -> None:
            try:
                super().do_handshake()
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                raise
            except ssl.SSLError as exc:
                listener._handshake_failed(exc)
                raise

    return ReportingSSLObject


class _UDPProtocol(asyncio.DatagramProtocol):
    def __init__(self, listener: Listener) -> None:
        self.listener = listener

    def datagram_received(self, data: bytes, addr: Any) -> None:
        listener = self.listener
        limit = listener.max_message_size
        truncated = len(data) > limit
        data = data[:limit] if truncated else data.rstrip(_TRAILING)
        if not data:
            return
        received = listener._make("udp", _peer_name(addr), "datagram", Frame(data, truncated))
        if not listener._deliver_now(received):
            listener._count("dropped")

    def error_received(self, exc: Exception) -> None:  # pragma: no cover - ICMP errors
        self.listener._problem("udp", "?", f"socket error: {exc}")
