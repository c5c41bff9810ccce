"""Transports that deliver formatted CEF / LEEF lines to SIEM collectors intact.

Two handlers fill the gaps left by the standard library:

* :class:`SyslogHandler` -- RFC 5424 or RFC 3164 headers over UDP, TCP or TLS, with
  RFC 6587 octet-counting or LF framing on stream transports.
* :class:`HTTPBatchHandler` -- newline-delimited batches POSTed to an HTTP(S) collector.

Both put records on one delivery engine: ``emit()`` formats, queues and returns; a
background sender connects, sends, backs off and reconnects. Memory is bounded in records
and bytes, ``flush()``/``close()`` drain for real, an optional disk spool (``spool_dir``)
survives ``kill -9``, and forked or ``multiprocessing`` children get their own sender.
Anything dropped is counted on the handler (:attr:`~HTTPBatchHandler.dropped`,
:attr:`~HTTPBatchHandler.rejected`) and reported once through :meth:`handleError`.

Both work with any :class:`logging.Formatter` and can be built from
:func:`logging.config.dictConfig`. Only the standard library is used.
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NamedTuple

from . import _sockets, _transport
from ._delivery import DeliveryEngine
from ._http_wire import HttpTarget, HttpTransport, check_headers, parse_url
from ._spool import Spool
from ._syslog_wire import (
    FACILITIES,
    HeaderBuilder,
    facility_code,
    frame,
    guard_lf,
    guard_lf_nul,
    parse_address,
    syslog_severity,
)
from ._transport import Endpoint, TransportSpec, syslog_transport

__all__ = [
    "FACILITIES",
    "DeliveryError",
    "HTTPBatchHandler",
    "SyslogHandler",
    "syslog_severity",
]

Transport = Literal["udp", "tcp", "tls", "relp"]
Framing = Literal["octet-counting", "newline"]
SyslogFormat = Literal["rfc5424", "rfc3164"]

MiB = 1 << 20


class DeliveryError(Exception):
    """Reported through :meth:`logging.Handler.handleError` when records are delayed,
    dropped or refused."""


def _reporter(handler: logging.Handler) -> Any:
    def report(message: str) -> None:
        record = logging.makeLogRecord(
            {"msg": message, "levelno": logging.ERROR, "levelname": "ERROR", "name": __name__}
        )
        try:
            raise DeliveryError(message)
        except DeliveryError:
            handler.handleError(record)

    return report


def _check_positive(**options: float) -> None:
    for name, value in options.items():
        if not value > 0:
            raise ValueError(f"{name}: must be > 0, got {value!r}")


def _tls_context(cafile: str | None, certfile: str | None, keyfile: str | None) -> ssl.SSLContext:
    """The default verifying context; a file that cannot be loaded names its option."""
    try:
        context = ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"cafile: cannot load {cafile!r} ({exc})") from None
    if certfile is not None:
        try:
            context.load_cert_chain(certfile, keyfile)
        except (OSError, ssl.SSLError) as exc:
            raise ValueError(
                f"certfile/keyfile: cannot load {certfile!r}/{keyfile!r} ({exc})"
            ) from None
    return context


def _make_spool(
    spool_dir: str | os.PathLike[str] | None, spool_max_bytes: int, spool_sync_interval: float
) -> Spool | None:
    if spool_dir is None:
        return None
    if spool_max_bytes < 64 * 1024:
        raise ValueError(f"spool_max_bytes: must be at least 65536, got {spool_max_bytes!r}")
    _check_positive(spool_sync_interval=spool_sync_interval)
    return Spool(spool_dir, int(spool_max_bytes), float(spool_sync_interval))


class _QueuedHandler(logging.Handler):
    """What both handlers share: the engine, its counters, flush() and close()."""

    _engine: DeliveryEngine | None = None  # None until construction succeeded
    _drain_timeout = 5.0

    @property
    def drain_timeout(self) -> float:
        """Seconds :meth:`flush` and :meth:`close` wait for delivery (settable)."""
        return self._engine.drain_timeout if self._engine is not None else self._drain_timeout

    @drain_timeout.setter
    def drain_timeout(self, value: float) -> None:
        self._drain_timeout = float(value)
        if self._engine is not None:
            self._engine.drain_timeout = float(value)

    @property
    def sent(self) -> int:
        """Records the collector acknowledged."""
        return self._engine.sent if self._engine is not None else 0

    @property
    def dropped(self) -> int:
        """Records dropped: queue or spool full, or still queued when close() gave up."""
        return self._engine.dropped if self._engine is not None else self._inline_dropped

    _inline_dropped = 0

    @property
    def rejected(self) -> int:
        """Records the collector refused (or given up after *max_retries*)."""
        return self._engine.rejected if self._engine is not None else 0

    @property
    def pending(self) -> int:
        """Records queued or in flight (spooled leftovers included)."""
        return self._engine.pending if self._engine is not None else 0

    def flush(self, timeout: float | None = None) -> None:
        """Send what is queued now and wait for delivery, at most *timeout* seconds
        (default *drain_timeout*). Any backoff is cut short; with a spool, the spool is
        fsynced first."""
        if self._engine is not None:
            self._engine.flush(timeout)

    def close(self) -> None:
        """Drain the queue (up to *drain_timeout* seconds), stop the sender, close the
        connection. Undelivered records are counted in :attr:`dropped` and reported
        (with a spool they stay on disk for the next handler using the directory)."""
        engine = self._engine
        if engine is not None:
            engine.close()
        super().close()


# --------------------------------------------------------------------------------------
# SyslogHandler
# --------------------------------------------------------------------------------------


class _Wire(NamedTuple):
    """A SyslogHandler's validated transport (and its spec), framing and syslog format."""

    transport: str
    #: The registered transport; ``None`` for UDP.
    spec: TransportSpec | None
    framing: str
    syslog_format: str

    @property
    def default_port(self) -> int:
        return self.spec.default_port if self.spec is not None else 514


def _wire_options(transport: str, framing: str, syslog_format: str, oversize: str) -> _Wire:
    """Check the transport, framing, syslog format and oversize choices; names are
    case-insensitive, and ``"octet"`` or ``"octet-counted"`` mean octet counting."""
    transport_l = str(transport).lower()
    spec = None if transport_l == "udp" else syslog_transport(transport_l)
    if transport_l != "udp" and spec is None:
        raise ValueError(f"transport: must be 'udp', 'tcp', 'tls' or 'relp', got {transport!r}")
    framing_l = str(framing).lower().replace("_", "-")
    if framing_l in ("octet-counted", "octet"):
        framing_l = "octet-counting"
    if framing_l not in ("octet-counting", "newline"):
        raise ValueError(f"framing: must be 'octet-counting' or 'newline', got {framing!r}")
    format_l = str(syslog_format).lower().replace("-", "").replace("_", "")
    if format_l not in ("rfc5424", "rfc3164"):
        raise ValueError(f"syslog_format: must be 'rfc5424' or 'rfc3164', got {syslog_format!r}")
    if oversize not in ("truncate", "drop"):
        raise ValueError(f"oversize: must be 'truncate' or 'drop', got {oversize!r}")
    return _Wire(transport_l, spec, framing_l, format_l)


def _relp_window(relp_window: int | None, transport: str) -> int:
    """The RELP window: 128 unless given, and given only with ``transport="relp"``."""
    if relp_window is not None and transport != "relp":
        raise ValueError(f"relp_window: only used with transport='relp', not {transport!r}")
    window = 128 if relp_window is None else relp_window
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"relp_window: must be an int >= 1, got {relp_window!r}")
    return window


def _wants_tls(wire: _Wire, **tls_options: object) -> bool:
    """Whether the transport runs over TLS: always, or (RELP) when a TLS option is given.
    A TLS option given to a transport without TLS is an error, not plaintext."""
    tls_mode = wire.spec.tls if wire.spec is not None else "never"
    given = [name for name, value in tls_options.items() if value is not None]
    if given and tls_mode == "never":
        raise ValueError(
            f"{given[0]}: TLS options need transport='tls'; with "
            f"transport={wire.transport!r} records would go out in plaintext"
        )
    return tls_mode == "always" or (tls_mode == "optional" and bool(given))


def _syslog_route(
    wire: _Wire, host: str, port: int
) -> tuple[_sockets.UdpSender | None, Callable[[Endpoint], _transport.Transport] | None]:
    """UDP to an IP address: the inline sender; else the factory of the queued transport
    (UDP to a host name is queued so that the DNS lookup happens on the sender)."""
    if wire.spec is not None:
        return None, wire.spec.factory
    if _sockets.is_ip_literal(host):
        return _sockets.UdpSender(host, port), None
    return None, _sockets.UdpTransport


def _queued_spool(
    factory: Callable[[Endpoint], _transport.Transport] | None,
    spool_dir: str | os.PathLike[str] | None,
    spool_max_bytes: int,
    spool_sync_interval: float,
) -> Spool | None:
    """The spool of a queued transport; inline UDP has none."""
    if factory is not None:
        return _make_spool(spool_dir, spool_max_bytes, spool_sync_interval)
    if spool_dir is not None:
        raise ValueError(
            "spool_dir: UDP to an IP address is sent inline and never queued; "
            "use transport='tcp' or 'tls' for a spool"
        )
    return None


class SyslogHandler(_QueuedHandler):
    """Send each formatted record as one syslog message over UDP, TCP, TLS or RELP.

    The formatter's output becomes the syslog MSG; this handler adds the RFC 5424
    header (``<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG``, no BOM) or the
    RFC 3164 header (``<PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG``) and, on TCP and TLS,
    the RFC 6587 framing (``LEN SP MSG`` or ``MSG LF``). Header fields keep printable
    US-ASCII only; any other character becomes ``_``.

    TCP and TLS records are queued and written by a background sender, which connects,
    reconnects and backs off; ``emit()`` never waits on the network. UDP to an IP
    address is sent inline on a non-blocking socket (it cannot block); UDP to a host name
    is queued so the DNS lookup happens on the sender.

    ``transport="relp"`` speaks RELP (rsyslog ``imrelp``): each message is acknowledged
    by the collector, and messages not acknowledged when a connection breaks are sent
    again on the next one (at-least-once); with *spool_dir* a record leaves the spool
    only once acknowledged. RELP frames each message itself (*framing* is not used) and
    runs over TLS when *ssl_context*, *cafile* or *certfile* is given.

    Args:
        address: ``(host, port)``, ``"host:port"``, ``"[v6]:port"`` or ``"host"``.
        transport: ``"udp"``, ``"tcp"``, ``"tls"`` or ``"relp"``.
        framing: ``"octet-counting"`` (RFC 6587 section 3.4.1) or ``"newline"``.
        syslog_format: ``"rfc5424"`` or ``"rfc3164"``.
        facility: A name from :data:`FACILITIES` (``"local0"``, ``"LOG_AUTH"``) or 0..23.
        app_name: APP-NAME (RFC 5424, at most 48) or TAG (RFC 3164, at most 32).
            Defaults to the program name.
        hostname: HOSTNAME (at most 255); defaults to the local host name. An empty
            string is the nil value ``-`` in RFC 5424 and the local host name in RFC 3164.
        msgid: MSGID (RFC 5424 only, at most 32).
        ssl_context: TLS context (``transport="tls"``, or ``"relp"`` for RELP over TLS).
        cafile: CA bundle for the default TLS context (``"tls"`` or ``"relp"``).
        certfile: Client certificate (``"tls"`` or ``"relp"``).
        keyfile: Client key (``"tls"`` or ``"relp"``).
        server_hostname: Name to verify; defaults to the address host (``"tls"`` or
            ``"relp"``).
        timeout: Seconds for connecting and for each blocking write.
        retries: Ignored; kept for compatibility. Records are retried until delivered,
            dropped by a full queue, or given up after *max_retries*.
        retry_delay: Deprecated alias of *backoff_base*.
        max_datagram_size: UDP datagrams larger than this are truncated at a UTF-8
            character boundary (counted in :attr:`truncated`) or dropped.
        oversize: ``"truncate"`` or ``"drop"`` (UDP).
        relp_window: Most RELP messages sent before their acknowledgement (``"relp"``
            only; default 128).
        batch_size: Most records written per batch.
        flush_interval: Seconds a partial batch may wait (0: send at once).
        max_queue: Most records queued in memory.
        max_queue_bytes: Most bytes queued in memory (64 MiB).
        backoff_base: Minimum delay between attempts, and the first backoff.
        backoff_max: Longest backoff.
        max_retries: Give up on a batch after this many retries (``None``: never).
        drain_timeout: Seconds :meth:`flush` and :meth:`close` wait for delivery.
        spool_dir: Directory for the durable disk queue (opt-in; one process each).
        spool_max_bytes: Spool size limit (1 GiB); the oldest segment is dropped beyond.
        spool_sync_interval: Seconds between fsyncs of the spool.
        level: Handler level.
    """

    def __init__(
        self,
        address: str | Sequence[Any] = ("localhost", 514),
        *,
        transport: Transport = "udp",
        framing: Framing = "octet-counting",
        syslog_format: SyslogFormat = "rfc5424",
        facility: str | int = "user",
        app_name: str | None = None,
        hostname: str | None = None,
        msgid: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        cafile: str | None = None,
        certfile: str | None = None,
        keyfile: str | None = None,
        server_hostname: str | None = None,
        timeout: float = 5.0,
        retries: int = 2,
        retry_delay: float | None = None,
        max_datagram_size: int = 65507,
        oversize: Literal["truncate", "drop"] = "truncate",
        batch_size: int = 1000,
        flush_interval: float = 0.0,
        max_queue: int = 100_000,
        max_queue_bytes: int = 64 * MiB,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        max_retries: int | None = None,
        drain_timeout: float = 5.0,
        spool_dir: str | os.PathLike[str] | None = None,
        spool_max_bytes: int = 1024 * MiB,
        spool_sync_interval: float = 1.0,
        relp_window: int | None = None,
        level: int | str = logging.NOTSET,
    ) -> None:
        wire = _wire_options(transport, framing, syslog_format, oversize)
        backoff_base = backoff_base if retry_delay is None else retry_delay
        _check_positive(timeout=timeout, backoff_base=backoff_base, batch_size=batch_size,
                        max_queue=max_queue, max_queue_bytes=max_queue_bytes)  # fmt: skip
        window = _relp_window(relp_window, wire.transport)
        wants_tls = _wants_tls(wire, ssl_context=ssl_context, cafile=cafile, certfile=certfile,
                               keyfile=keyfile, server_hostname=server_hostname)  # fmt: skip
        host, port = parse_address(address, wire.default_port)
        header = HeaderBuilder(
            wire.syslog_format, facility_code(facility), hostname, app_name, msgid
        )
        context = (ssl_context or _tls_context(cafile, certfile, keyfile)) if wants_tls else None
        udp, factory = _syslog_route(wire, host, port)
        spool = _queued_spool(factory, spool_dir, spool_max_bytes, spool_sync_interval)
        super().__init__(level)
        self._set_options(host, port, wire, header, udp, timeout=timeout, retries=retries,
                          max_datagram_size=max_datagram_size, oversize=oversize,
                          drain_timeout=drain_timeout)  # fmt: skip
        if factory is not None:
            self._start_sender(factory, spool, context, server_hostname, window,
                               batch_size=batch_size, flush_interval=flush_interval,
                               max_queue=max_queue, max_queue_bytes=max_queue_bytes,
                               backoff_base=backoff_base, backoff_max=backoff_max,
                               max_retries=max_retries)  # fmt: skip

    def _set_options(
        self,
        host: str,
        port: int,
        wire: _Wire,
        header: HeaderBuilder,
        udp: _sockets.UdpSender | None,
        *,
        timeout: float,
        retries: int,
        max_datagram_size: int,
        oversize: str,
        drain_timeout: float,
    ) -> None:
        """The public attributes, and what :meth:`emit` reads on every record."""
        self.host, self.port = host, port
        self.address: tuple[str, int] = (host, port)
        self.transport: str = wire.transport
        self.framing: str = wire.framing
        self.syslog_format: str = wire.syslog_format
        self.facility: int = header.facility
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.max_datagram_size = int(max_datagram_size)
        self.oversize: str = oversize
        self.drain_timeout = float(drain_timeout)
        #: Number of UDP datagrams truncated to *max_datagram_size*.
        self.truncated = 0
        self._header = header
        stream = wire.framing == "newline" and wire.transport != "udp"
        self._guard = guard_lf_nul if stream else None
        self._udp = udp
        self._udp_send = udp.send if udp is not None else None
        self._build_header = header.header
        self._udp_reported = False

    def _start_sender(
        self,
        factory: Callable[[Endpoint], _transport.Transport],
        spool: Spool | None,
        context: ssl.SSLContext | None,
        server_hostname: str | None,
        window: int,
        *,
        batch_size: int,
        flush_interval: float,
        max_queue: int,
        max_queue_bytes: int,
        backoff_base: float,
        backoff_max: float,
        max_retries: int | None,
    ) -> None:
        """The queued transport (made by *factory*) and the delivery engine that sends
        on it; called once :meth:`_set_options` has set the attributes."""
        host, timeout = self.host, self.timeout
        endpoint = Endpoint(
            host, self.port, timeout, context,
            server_hostname or host if context is not None else None, self.framing, window,
        )  # fmt: skip
        transport = factory(endpoint)
        self._engine = DeliveryEngine(
            transport, name=f"SyslogHandler({transport.description})",
            report=_reporter(self), batch_size=int(batch_size),
            max_batch_bytes=4 * MiB, flush_interval=float(flush_interval),
            max_queue=int(max_queue), max_queue_bytes=int(max_queue_bytes),
            timeout=timeout, backoff_base=float(backoff_base),
            backoff_max=float(backoff_max), max_retry_after=float(backoff_max),
            max_retries=max_retries, drain_timeout=self.drain_timeout, spool=spool,
        )  # fmt: skip

    # -- message construction -----------------------------------------------------------

    def build_message(self, record: logging.LogRecord, msg: str) -> bytes:
        """Return header + *msg* as UTF-8 bytes, without transport framing."""
        return (self._header.header(record) + msg).encode("utf-8", "backslashreplace")

    def frame(self, message: bytes) -> bytes:
        """Apply the stream framing (octet counting or LF) to a built message."""
        return frame(message, self.framing)

    # -- logging.Handler API ------------------------------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = self.format(record)
            send = self._udp_send
            if send is not None:  # inline UDP: the shortest path
                data = (self._build_header(record) + msg).encode("utf-8", "backslashreplace")
                if len(data) > self.max_datagram_size > 0:
                    data = self._fit_datagram(data)
                send(data)
                return
            engine = self._engine
            if engine is None:  # closed inline UDP: counted like a record after close()
                self._inline_dropped += 1
                return
            if self._guard is not None:
                msg = self._guard(msg)
            data = (self._header.header(record) + msg).encode("utf-8", "backslashreplace")
            if self.transport == "udp":
                data = self._fit_datagram(data)
            engine.put(data)
        except RecursionError:  # pragma: no cover - mirrors the stdlib handlers
            raise
        except OSError as exc:
            self._inline_dropped += 1
            if not self._udp_reported:
                self._udp_reported = True
                _reporter(self)(
                    f"SyslogHandler(udp://{self.host}:{self.port}): datagram not sent "
                    f"({type(exc).__name__}: {exc}); counted in .dropped, further drops "
                    "are not reported"
                )
        except Exception:
            self.handleError(record)

    def _fit_datagram(self, data: bytes) -> bytes:
        limit = self.max_datagram_size
        if limit <= 0 or len(data) <= limit:
            return data
        if self.oversize == "drop":
            raise ValueError(
                f"syslog datagram of {len(data)} bytes exceeds max_datagram_size={limit}; "
                "record dropped"
            )
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # do not split a UTF-8 sequence
            cut -= 1
        self.truncated += 1
        return data[:cut]

    def close(self) -> None:
        udp, self._udp = self._udp, None
        self._udp_send = None
        if udp is not None:
            udp.close()
        super().close()

    def __repr__(self) -> str:
        level = logging.getLevelName(self.level)
        return (
            f"<{type(self).__name__} {self.transport}://{self.host}:{self.port} "
            f"{self.syslog_format} ({level})>"
        )


# --------------------------------------------------------------------------------------
# HTTPBatchHandler
# --------------------------------------------------------------------------------------


def _env_header(var: str, header: str) -> str:
    if var not in os.environ:
        raise ValueError(
            f"headers_from_env: environment variable {var!r} for header {header!r} is not set"
        )
    value = os.environ[var]
    # A value read from a mounted secret file usually ends with one newline: drop it.
    if value.endswith("\r\n"):
        return value[:-2]
    if value.endswith("\n"):
        return value[:-1]
    return value


def _refuse_plaintext_tls(target: HttpTarget, **tls_options: object) -> None:
    """A TLS option given for an ``http://`` URL is an error, not plaintext."""
    for name, value in tls_options.items():
        if value is not None:
            raise ValueError(
                f"{name}: TLS options need an https:// URL; with "
                f"{target.redacted!r} records would go out in plaintext"
            )


def _request_headers(
    target: HttpTarget,
    content_type: str,
    headers: Mapping[str, str] | None,
    headers_from_env: Mapping[str, str] | None,
    gzip: bool,
) -> dict[str, str]:
    """The checked request headers: Content-Type, the url's credentials, *headers*, the
    values of *headers_from_env* and Content-Encoding, in that order."""
    # Copy by key so dictConfig's ConvertingDict resolves ext:// and cfg:// values.
    merged: dict[str, str] = {"Content-Type": str(content_type)}
    if target.authorization is not None:
        merged["Authorization"] = target.authorization
    if headers is not None:
        for key in list(headers):
            if str(key).lower() == "authorization" and target.authorization is not None:
                raise ValueError(
                    "headers: an Authorization header and credentials in the url "
                    "cannot both be given"
                )
            merged[str(key)] = str(headers[key])
    if headers_from_env is not None:
        for key in list(headers_from_env):
            merged[str(key)] = _env_header(str(headers_from_env[key]), str(key))
    if gzip:
        merged["Content-Encoding"] = "gzip"
    check_headers(merged)
    return merged


class HTTPBatchHandler(_QueuedHandler):
    """POST formatted records in newline-delimited batches from a background sender.

    ``emit()`` formats the record, queues the line and returns; it never touches the
    network. A batch goes out when *batch_size* lines are queued or *flush_interval*
    seconds after the first line of a partial batch, as ``text/plain; charset=utf-8``
    with one line per record, each ending in LF (a stray LF inside a line is sent as the
    two characters ``\\n``).

    Delivery policy: 2xx is delivered; network errors, timeouts, 408, 429 and 5xx are
    retried with exponential backoff and jitter, never sooner than *backoff_base*, and
    429/503 honour ``Retry-After`` (ASCII seconds or an HTTP-date, capped at
    *max_retry_after*); 413 splits the batch in halves and retries them, and a record
    refused alone is rejected; any other status refuses the batch. Rejected records are
    counted in :attr:`rejected` and reported through :meth:`handleError`.

    Args:
        url: ``http://`` or ``https://`` URL. ``user:password@`` becomes a Basic
            ``Authorization`` header and is shown as ``***``.
        batch_size: Most lines per request.
        flush_interval: Seconds a partial batch may wait.
        max_queue: Most lines queued in memory.
        max_queue_bytes: Most bytes queued in memory (64 MiB).
        timeout: Seconds for connecting and for each blocking read or write.
        headers: Extra request headers (copied by key, so ``ext://`` values resolve).
        headers_from_env: Header name -> environment variable holding its value; one
            trailing newline is stripped (secret files usually end with one).
        ssl_context: TLS context (``https://`` only).
        cafile: CA bundle for the default TLS context (``https://`` only).
        gzip: Compress bodies (``Content-Encoding: gzip``).
        method: HTTP method.
        backoff_base: Minimum delay between attempts, and the first backoff.
        backoff_max: Longest backoff.
        max_retry_after: Longest ``Retry-After`` honoured.
        max_retries: Give up on a batch after this many retries (``None``: never).
        drain_timeout: Seconds :meth:`flush` and :meth:`close` wait for delivery.
        content_type: ``Content-Type`` of the requests.
        spool_dir: Directory for the durable disk queue (opt-in; one process each).
        spool_max_bytes: Spool size limit (1 GiB); the oldest segment is dropped beyond.
        spool_sync_interval: Seconds between fsyncs of the spool.
        level: Handler level.
    """

    def __init__(
        self,
        url: str,
        *,
        batch_size: int = 100,
        flush_interval: float = 2.0,
        max_queue: int = 10000,
        max_queue_bytes: int = 64 * MiB,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        headers_from_env: Mapping[str, str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        cafile: str | None = None,
        gzip: bool = False,
        method: str = "POST",
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        max_retry_after: float = 300.0,
        max_retries: int | None = None,
        drain_timeout: float = 5.0,
        content_type: str = "text/plain; charset=utf-8",
        spool_dir: str | os.PathLike[str] | None = None,
        spool_max_bytes: int = 1024 * MiB,
        spool_sync_interval: float = 1.0,
        level: int | str = logging.NOTSET,
    ) -> None:
        target = parse_url(url)
        _check_positive(batch_size=batch_size, max_queue=max_queue,
                        max_queue_bytes=max_queue_bytes, timeout=timeout,
                        backoff_base=backoff_base)  # fmt: skip
        if target.scheme != "https":
            _refuse_plaintext_tls(target, ssl_context=ssl_context, cafile=cafile)
        merged = _request_headers(target, content_type, headers, headers_from_env, gzip)
        method_u = str(method).upper()
        if not method_u.isascii() or not method_u.isalpha():
            raise ValueError(f"method: not an HTTP method: {method!r}")
        context = None
        if target.scheme == "https":
            context = ssl_context or _tls_context(cafile, None, None)
        spool = _make_spool(spool_dir, spool_max_bytes, spool_sync_interval)

        super().__init__(level)
        self.url = target.redacted
        self.batch_size = int(batch_size)
        self.flush_interval = float(flush_interval)
        self.max_queue = int(max_queue)
        self.max_queue_bytes = int(max_queue_bytes)
        self.timeout = float(timeout)
        self.gzip = bool(gzip)
        self.method = method_u
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        self.max_retry_after = float(max_retry_after)
        self.max_retries = max_retries
        self.drain_timeout = float(drain_timeout)
        self.headers: dict[str, str] = merged
        self._start_sender(target, context, spool)

    def _start_sender(
        self, target: HttpTarget, context: ssl.SSLContext | None, spool: Spool | None
    ) -> None:
        """The HTTP transport and the delivery engine that sends on it, set up from the
        attributes."""
        transport = HttpTransport(
            target, method=self.method, headers=self.headers, ssl_context=context, gzip=self.gzip
        )
        self._engine = DeliveryEngine(
            transport, name=transport.description, report=_reporter(self),
            batch_size=self.batch_size, max_batch_bytes=16 * MiB,
            flush_interval=self.flush_interval, max_queue=self.max_queue,
            max_queue_bytes=self.max_queue_bytes, timeout=self.timeout,
            backoff_base=self.backoff_base, backoff_max=self.backoff_max,
            max_retry_after=self.max_retry_after, max_retries=self.max_retries,
            drain_timeout=self.drain_timeout, spool=spool,
        )  # fmt: skip

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = guard_lf(self.format(record)).encode("utf-8", "backslashreplace") + b"\n"
            assert self._engine is not None
            self._engine.put(line)
        except RecursionError:  # pragma: no cover
            raise
        except Exception:
            self.handleError(record)

    def __repr__(self) -> str:
        level = logging.getLevelName(self.level)
        return f"<{type(self).__name__} {self.url} ({level})>"
