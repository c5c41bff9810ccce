"""Transports that deliver formatted CEF / LEEF lines to SIEM collectors intact.

Two handlers fill the gaps left by the standard library:

* :class:`SyslogHandler` -- RFC 5424 or RFC 3164 headers over UDP, TCP or TLS, with
  RFC 6587 octet-counting or LF framing on stream transports, lazy reconnects and
  bounded retries.
* :class:`HTTPBatchHandler` -- newline-delimited batches POSTed from a background
  thread with bounded memory, backoff with jitter, ``Retry-After`` support and a
  drain-on-exit deadline.

Both work with any :class:`logging.Formatter` and can be built from
:func:`logging.config.dictConfig`. Only the standard library is used.
"""

from __future__ import annotations

import atexit
import email.utils
import gzip as _gzip
import http.client
import logging
import os
import random
import select
import socket
import ssl
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal
from urllib.parse import urlsplit

__all__ = [
    "FACILITIES",
    "HTTPBatchHandler",
    "SyslogHandler",
    "syslog_severity",
]

# --------------------------------------------------------------------------------------
# syslog helpers
# --------------------------------------------------------------------------------------

#: Facility names accepted by :class:`SyslogHandler` (RFC 5424 section 6.2.1).
FACILITIES: Final[Mapping[str, int]] = {
    "kern": 0,
    "user": 1,
    "mail": 2,
    "daemon": 3,
    "auth": 4,
    "syslog": 5,
    "lpr": 6,
    "news": 7,
    "uucp": 8,
    "cron": 9,
    "authpriv": 10,
    "ftp": 11,
    "ntp": 12,
    "security": 13,
    "audit": 13,
    "console": 14,
    "solaris-cron": 15,
    "clock": 15,
    "local0": 16,
    "local1": 17,
    "local2": 18,
    "local3": 19,
    "local4": 20,
    "local5": 21,
    "local6": 22,
    "local7": 23,
}

_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip

# Translation table: every character outside printable US-ASCII (33..126) becomes "_".
_PRINTUSASCII: Final = {i: "_" for i in (*range(33), *range(127, 256))}


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


def _facility_code(facility: str | int) -> int:
    if isinstance(facility, bool):
        raise TypeError("facility must be a name or an int")
    if isinstance(facility, int):
        code = facility
    else:
        name = facility.strip().lower()
        if name.startswith("log_"):
            name = name[4:]
        if name.isdigit():
            code = int(name)
        elif name in FACILITIES:
            code = FACILITIES[name]
        else:
            raise ValueError(f"unknown syslog facility {facility!r}")
    if not 0 <= code <= 23:
        raise ValueError(f"syslog facility must be 0..23, got {code}")
    return code


def _header_field(value: object, max_len: int) -> str:
    """An RFC 5424 header field: printable US-ASCII, at most *max_len*, nil when empty."""
    text = str(value) if value is not None else ""
    text = text.translate(_PRINTUSASCII)[:max_len]
    return text or "-"


def _parse_address(address: object, default_port: int) -> tuple[str, int]:
    """Accept ``(host, port)``, ``[host, port]``, ``"host:port"``, ``"[v6]:port"`` or ``"host"``."""
    if isinstance(address, str):
        text = address.strip()
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") else default_port
            return host, port
        if text.count(":") == 1:
            host, _, port_text = text.partition(":")
            return host, int(port_text)
        return text, default_port
    if isinstance(address, Sequence) and len(address) == 2:
        host, port = address
        return str(host), int(port)
    raise ValueError(f"address must be (host, port), [host, port] or 'host:port', got {address!r}")


def _default_app_name() -> str:
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    name = os.path.basename(argv0)
    if name in ("", "-c", "-m", "__main__.py"):
        return "python"
    return name


def _guard_lf(text: str) -> str:
    """Keep a line a single line: a line feed becomes the two characters ``\\n``."""
    if "\n" in text:
        return text.replace("\n", "\\n")
    return text


def _guard_lf_nul(text: str) -> str:
    """LF framing guard: LF -> ``\\n`` and NUL -> ``\\0`` (LF-framed receivers such as
    syslog-ng's ``network()`` source also end a message at NUL)."""
    text = _guard_lf(text)
    if "\x00" in text:
        return text.replace("\x00", "\\0")
    return text


# --------------------------------------------------------------------------------------
# SyslogHandler
# --------------------------------------------------------------------------------------

Transport = Literal["udp", "tcp", "tls"]
Framing = Literal["octet-counting", "newline"]
SyslogFormat = Literal["rfc5424", "rfc3164"]


class SyslogHandler(logging.Handler):
    """Send each formatted record as one syslog message over UDP, TCP or TLS.

    The formatter's output becomes the syslog MSG; this handler adds the RFC 5424
    header (``<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG``, no BOM) or the
    RFC 3164 header (``<PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG``) and, on TCP and TLS,
    the RFC 6587 framing (``LEN SP MSG`` or ``MSG LF``).

    Connections are opened lazily on the first record and re-opened when they break;
    the record being sent is retried on a fresh connection up to *retries* times
    before :meth:`handleError` is called.

    UDP datagrams larger than *max_datagram_size* bytes are truncated at a UTF-8
    character boundary (``oversize="truncate"``, the RFC 5426 behaviour, counted in
    :attr:`truncated`) or dropped through :meth:`handleError` (``oversize="drop"``).
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
        retry_delay: float = 0.05,
        max_datagram_size: int = 65507,
        oversize: Literal["truncate", "drop"] = "truncate",
        level: int | str = logging.NOTSET,
    ) -> None:
        super().__init__(level)
        transport_l = str(transport).lower()
        if transport_l not in ("udp", "tcp", "tls"):
            raise ValueError(f"transport must be 'udp', 'tcp' or 'tls', got {transport!r}")
        framing_l = str(framing).lower().replace("_", "-")
        if framing_l in ("octet-counted", "octet"):
            framing_l = "octet-counting"
        if framing_l not in ("octet-counting", "newline"):
            raise ValueError(f"framing must be 'octet-counting' or 'newline', got {framing!r}")
        format_l = str(syslog_format).lower().replace("-", "").replace("_", "")
        if format_l not in ("rfc5424", "rfc3164"):
            raise ValueError(f"syslog_format must be 'rfc5424' or 'rfc3164', got {syslog_format!r}")
        if oversize not in ("truncate", "drop"):
            raise ValueError(f"oversize must be 'truncate' or 'drop', got {oversize!r}")
        if retries < 0:
            raise ValueError("retries must be >= 0")

        self.host, self.port = _parse_address(address, 6514 if transport_l == "tls" else 514)
        self.address: tuple[str, int] = (self.host, self.port)
        self.transport: str = transport_l
        self.framing: str = framing_l
        self.syslog_format: str = format_l
        self.facility: int = _facility_code(facility)
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.retry_delay = float(retry_delay)
        self.max_datagram_size = int(max_datagram_size)
        self.oversize: str = oversize
        #: Number of UDP datagrams truncated to *max_datagram_size*.
        self.truncated = 0

        raw_host = hostname if hostname is not None else socket.gethostname()
        raw_app = app_name if app_name is not None else _default_app_name()
        if self.syslog_format == "rfc5424":
            self._hostname = _header_field(raw_host, 255)
            self._app_name = _header_field(raw_app, 48)
            self._msgid = _header_field(msgid, 32)
        else:
            self._hostname = _header_field(raw_host, 255)
            tag = "".join(c for c in raw_app if c.isascii() and (c.isalnum() or c in "-_./"))
            self._app_name = tag[:32] or "python"
            self._msgid = "-"

        self._ssl_context: ssl.SSLContext | None = None
        self._server_hostname: str | None = None
        if self.transport == "tls":
            if ssl_context is None:
                ssl_context = ssl.create_default_context(cafile=cafile)
                if certfile is not None:
                    ssl_context.load_cert_chain(certfile, keyfile)
            self._ssl_context = ssl_context
            self._server_hostname = server_hostname or self.host

        self._sock: socket.socket | None = None
        self._poller: select.poll | None = None
        self._udp_addr: Any = None
        self._udp_family: int = socket.AF_INET

    # -- message construction -----------------------------------------------------------

    def _pri(self, record: logging.LogRecord) -> int:
        return self.facility * 8 + syslog_severity(record.levelno)

    def build_message(self, record: logging.LogRecord, msg: str) -> bytes:
        """Return header + *msg* as UTF-8 bytes, without transport framing."""
        pri = self._pri(record)
        created = record.created
        if self.syslog_format == "rfc5424":
            secs = int(created)
            usec = int((created - secs) * 1_000_000)
            t = time.gmtime(secs)
            procid = record.process if record.process is not None else "-"
            header = (
                f"<{pri}>1 {t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
                f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{usec:06d}Z "
                f"{self._hostname} {self._app_name} {procid} {self._msgid} - "
            )
        else:
            t = time.localtime(created)
            header = (
                f"<{pri}>{_MONTHS[t.tm_mon - 1]} {t.tm_mday:2d} "
                f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} "
                f"{self._hostname} {self._app_name}: "
            )
        return (header + msg).encode("utf-8", "backslashreplace")

    def frame(self, message: bytes) -> bytes:
        """Apply the stream framing (octet counting or LF) to a built message."""
        if self.framing == "octet-counting":
            return b"%d %b" % (len(message), message)
        return message + b"\n"

    # -- logging.Handler API ------------------------------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = self.format(record)
            if self.transport == "udp":
                self._send_udp(record, self.build_message(record, msg))
            else:
                if self.framing == "newline":
                    msg = _guard_lf_nul(msg)
                self._send_stream(self.frame(self.build_message(record, msg)))
        except RecursionError:  # pragma: no cover - mirrors the stdlib handlers
            raise
        except Exception:
            self.handleError(record)

    def close(self) -> None:
        self.acquire()
        try:
            self._close_socket()
        finally:
            self.release()
        super().close()

    # -- UDP ------------------------------------------------------------------------------

    def _send_udp(self, record: logging.LogRecord, data: bytes) -> None:
        limit = self.max_datagram_size
        if limit > 0 and len(data) > limit:
            if self.oversize == "drop":
                raise ValueError(
                    f"syslog datagram of {len(data)} bytes exceeds max_datagram_size={limit}; "
                    "record dropped"
                )
            cut = limit
            # Do not split a UTF-8 sequence: back up over continuation bytes.
            while cut > 0 and (data[cut] & 0xC0) == 0x80:
                cut -= 1
            data = data[:cut]
            self.truncated += 1
        if self._sock is None:
            infos = socket.getaddrinfo(self.host, self.port, 0, socket.SOCK_DGRAM)
            family, socktype, proto, _, sockaddr = infos[0]
            self._sock = socket.socket(family, socktype, proto)
            self._udp_addr = sockaddr
        try:
            self._sock.sendto(data, self._udp_addr)
        except OSError:
            self._close_socket()
            raise

    # -- TCP / TLS --------------------------------------------------------------------------

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            if self._ssl_context is not None:
                sock = self._ssl_context.wrap_socket(sock, server_hostname=self._server_hostname)
        except BaseException:
            sock.close()
            raise
        return sock

    def _peer_closed(self, sock: socket.socket) -> bool:
        """True when the collector has closed or reset the connection.

        Syslog collectors never send application data, so a readable socket means EOF,
        a reset, or (TLS) a protocol record such as a session ticket. The check is a
        zero-timeout poll, so it costs one system call when the connection is idle.
        """
        poller = self._poller
        if poller is None:
            return False
        try:
            if not poller.poll(0):
                return False
        except (OSError, ValueError):
            return True
        timeout = sock.gettimeout()
        try:
            sock.settimeout(0.0)
            # Anything a syslog server sends is discarded; EOF means the peer closed.
            return sock.recv(4096) == b""
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            return False
        except OSError:
            return True
        finally:
            try:
                sock.settimeout(timeout)
            except OSError:
                pass

    def _send_stream(self, data: bytes) -> None:
        last_error: BaseException | None = None
        for attempt in range(self.retries + 1):
            if attempt and self.retry_delay > 0:
                time.sleep(self.retry_delay * (2 ** (attempt - 1)))
            try:
                sock = self._sock
                if sock is not None and self._peer_closed(sock):
                    self._close_socket()
                    sock = None
                if sock is None:
                    sock = self._sock = self._connect()
                    self._poller = select.poll()
                    self._poller.register(sock.fileno(), select.POLLIN)
                sock.sendall(data)
                return
            except OSError as exc:  # includes ssl.SSLError and timeouts
                self._close_socket()
                last_error = exc
                if isinstance(exc, ssl.SSLCertVerificationError):
                    break  # retrying cannot fix a certificate problem
        assert last_error is not None
        raise last_error

    def _close_socket(self) -> None:
        self._poller = None
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    def __repr__(self) -> str:
        level = logging.getLevelName(self.level)
        return (
            f"<{type(self).__name__} {self.transport}://{self.host}:{self.port} "
            f"{self.syslog_format} ({level})>"
        )


# --------------------------------------------------------------------------------------
# HTTPBatchHandler
# --------------------------------------------------------------------------------------


class DeliveryError(Exception):
    """Reported through :meth:`logging.Handler.handleError` when records are lost."""


_LIVE_HTTP_HANDLERS: weakref.WeakSet[HTTPBatchHandler] = weakref.WeakSet()


def _close_live_http_handlers() -> None:
    for handler in list(_LIVE_HTTP_HANDLERS):
        try:
            handler.close()
        except Exception:  # pragma: no cover - never break interpreter exit
            pass


atexit.register(_close_live_http_handlers)


def _retry_after_seconds(value: str | None) -> float | None:
    """Parse ``Retry-After`` as delta-seconds or an HTTP-date; ``None`` if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


class HTTPBatchHandler(logging.Handler):
    """POST formatted records in newline-delimited batches from a background thread.

    ``emit()`` formats the record, appends the line to an in-memory queue and returns;
    it never touches the network. A daemon thread sends a batch when *batch_size*
    lines are queued or *flush_interval* seconds after the first line of a partial
    batch, as ``text/plain; charset=utf-8`` with one line per record, each ending
    in LF (a stray LF inside a line is sent as the two characters ``\\n``).

    Delivery policy:

    * connection errors, timeouts, 408 and 5xx are retried with exponential backoff
      and full jitter (``uniform(0, min(backoff_max, backoff_base * 2**n))``);
    * 429 and 503 honour ``Retry-After`` (seconds or HTTP-date, capped at
      *max_retry_after*);
    * any other non-2xx answer discards the batch, adds it to :attr:`rejected` and is
      reported through :meth:`handleError`;
    * *max_retries* ``None`` (default) retries until delivered or closed.

    Memory is bounded by *max_queue* lines. When the queue is full the newest record
    is dropped (queued records keep their order), :attr:`dropped` is incremented and
    the first drop is reported once through :meth:`handleError`.

    :meth:`flush` and :meth:`close` wait for delivery up to *drain_timeout* seconds;
    an ``atexit`` hook closes every live handler, so a clean exit delivers what is
    queued if the collector answers within the deadline. Records still queued at the
    deadline are counted in :attr:`dropped` and reported.
    """

    def __init__(
        self,
        url: str,
        *,
        batch_size: int = 100,
        flush_interval: float = 2.0,
        max_queue: int = 10000,
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
        level: int | str = logging.NOTSET,
    ) -> None:
        super().__init__(level)
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        if max_queue < 1:
            raise ValueError("max_queue must be >= 1")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be an http:// or https:// URL, got {url!r}")
        self.url = url
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.batch_size = int(batch_size)
        self.flush_interval = float(flush_interval)
        self.max_queue = int(max_queue)
        self.timeout = float(timeout)
        self.gzip = bool(gzip)
        self.method = method.upper()
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        self.max_retry_after = float(max_retry_after)
        self.max_retries = max_retries
        self.drain_timeout = float(drain_timeout)

        # Copy by key so dictConfig's ConvertingDict resolves ext:// and cfg:// values.
        merged: dict[str, str] = {"Content-Type": content_type}
        if headers is not None:
            for key in list(headers):
                merged[str(key)] = str(headers[key])
        if headers_from_env is not None:
            for key in list(headers_from_env):
                var = str(headers_from_env[key])
                if var not in os.environ:
                    raise ValueError(f"environment variable {var!r} for header {key!r} is not set")
                merged[str(key)] = os.environ[var]
        if self.gzip:
            merged["Content-Encoding"] = "gzip"
        self.headers: dict[str, str] = merged

        self._ssl_context: ssl.SSLContext | None = None
        if self._scheme == "https":
            self._ssl_context = ssl_context or ssl.create_default_context(cafile=cafile)

        #: Records delivered with a 2xx answer.
        self.sent = 0
        #: Records dropped because the queue was full or the close deadline passed.
        self.dropped = 0
        #: Records discarded because the collector refused them (non-retryable answer).
        self.rejected = 0

        self._cond = threading.Condition(threading.Lock())
        self._queue: deque[bytes] = deque()
        self._oldest = 0.0  # monotonic time the oldest queued line was added
        self._inflight = 0
        self._flush_requests = 0
        self._closing = False
        self._closed = False
        self._drop_reported = False
        self._outage_reported = False
        self._abort = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._conn: http.client.HTTPConnection | None = None
        _LIVE_HTTP_HANDLERS.add(self)

    # -- producer side ------------------------------------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = _guard_lf(self.format(record)).encode("utf-8", "backslashreplace") + b"\n"
            with self._cond:
                if self._closing:
                    self.dropped += 1
                    return
                if len(self._queue) >= self.max_queue:
                    self.dropped += 1
                    report = not self._drop_reported
                    self._drop_reported = True
                else:
                    report = False
                    if not self._queue:
                        self._oldest = time.monotonic()
                        self._cond.notify()
                    self._queue.append(line)
                    if len(self._queue) == self.batch_size:
                        self._cond.notify()
                if self._thread is None or self._pid != os.getpid():
                    self._start_worker()
            if report:
                self._report(
                    f"HTTPBatchHandler queue full (max_queue={self.max_queue}); dropping the "
                    "newest records; further drops are counted in .dropped and not reported",
                    record,
                )
        except RecursionError:  # pragma: no cover
            raise
        except Exception:
            self.handleError(record)

    def _start_worker(self) -> None:
        # Called with self._cond held.
        if self._pid != os.getpid():  # forked: the parent's thread does not exist here
            self._pid = os.getpid()
            self._conn = None
            self._inflight = 0
        self._thread = threading.Thread(
            target=self._run, name=f"HTTPBatchHandler({self._host})", daemon=True
        )
        self._thread.start()

    def _report(self, message: str, record: logging.LogRecord | None = None) -> None:
        """Report a delivery problem through the standard logging error path."""
        if record is None:
            record = logging.makeLogRecord(
                {"msg": message, "levelno": logging.ERROR, "levelname": "ERROR", "name": __name__}
            )
        try:
            raise DeliveryError(message)
        except DeliveryError:
            self.handleError(record)

    @property
    def pending(self) -> int:
        """Lines queued or in flight."""
        with self._cond:
            return len(self._queue) + self._inflight

    def flush(self, timeout: float | None = None) -> None:
        """Send what is queued now and wait for delivery, at most *timeout* seconds.

        *timeout* defaults to *drain_timeout*. Returns early once nothing is pending.
        """
        deadline = time.monotonic() + (self.drain_timeout if timeout is None else timeout)
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                return
            self._flush_requests += 1
            self._cond.notify_all()
            try:
                while self._queue or self._inflight:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
            finally:
                self._flush_requests -= 1

    def close(self) -> None:
        """Drain the queue (up to *drain_timeout* seconds), stop the thread, close."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._closing = True
            self._cond.notify_all()
            thread = self._thread if self._pid == os.getpid() else None
        if thread is not None and thread.is_alive():
            thread.join(self.drain_timeout)
            if thread.is_alive():
                self._abort.set()
                with self._cond:
                    self._cond.notify_all()
                thread.join(min(1.0, self.timeout))
        with self._cond:
            lost = len(self._queue) + self._inflight
            self._queue.clear()
            self._inflight = 0
            self.dropped += lost
        if lost:
            self._report(
                f"HTTPBatchHandler closed with {lost} undelivered records "
                f"(drain_timeout={self.drain_timeout}s); counted in .dropped"
            )
        conn, self._conn = self._conn, None
        if conn is not None and thread is not None and not thread.is_alive():
            conn.close()
        _LIVE_HTTP_HANDLERS.discard(self)
        super().close()

    # -- consumer side ------------------------------------------------------------------

    def _next_batch(self) -> list[bytes] | None:
        """Block until a batch is due; ``None`` when the worker should stop."""
        with self._cond:
            while True:
                if self._abort.is_set():
                    return None
                if self._queue:
                    due = self._oldest + self.flush_interval
                    now = time.monotonic()
                    if (
                        len(self._queue) >= self.batch_size
                        or self._closing
                        or self._flush_requests
                        or now >= due
                    ):
                        n = min(self.batch_size, len(self._queue))
                        batch = [self._queue.popleft() for _ in range(n)]
                        self._inflight = n
                        self._oldest = now
                        return batch
                    self._cond.wait(due - now)
                elif self._closing:
                    return None
                else:
                    self._cond.wait()

    def _run(self) -> None:
        try:
            while True:
                batch = self._next_batch()
                if batch is None:
                    return
                try:
                    if not self._deliver(batch):
                        return  # aborted by close(): it counts the in-flight records
                except Exception:  # pragma: no cover - defensive: keep the thread alive
                    with self._cond:
                        self.rejected += len(batch)
                    self._report("HTTPBatchHandler: unexpected error while sending a batch")
                with self._cond:
                    self._inflight = 0
                    self._cond.notify_all()
        finally:
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.close()

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        if self._conn is not None:
            return self._conn, True
        conn: http.client.HTTPConnection
        if self._scheme == "https":
            conn = http.client.HTTPSConnection(
                self._host, self._port, timeout=self.timeout, context=self._ssl_context
            )
        else:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
        try:
            conn.connect()
        except BaseException:
            conn.close()
            raise
        if conn.sock is not None:
            # Headers and body go out in separate writes: without TCP_NODELAY, Nagle and
            # the collector's delayed ACK add ~40 ms to every batch.
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._conn = conn
        return conn, False

    def _post(self, body: bytes) -> tuple[int, str | None]:
        """One request; returns (status, Retry-After). Raises on transport errors."""
        for _ in range(2):
            conn, reused = self._connection()  # connection errors propagate to _deliver
            try:
                conn.request(self.method, self._path, body=body, headers=self.headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                self._conn = None
                conn.close()
                if reused:
                    continue  # a stale keep-alive connection: retry once on a fresh one
                raise
            if response.will_close:
                self._conn = None
                conn.close()
            return response.status, response.getheader("Retry-After")
        raise ConnectionError("connection closed by the collector")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        return random.uniform(0.0, min(self.backoff_max, self.backoff_base * (2**attempt)))

    def _reject(self, batch: list[bytes], why: str) -> bool:
        """Count ``batch`` as rejected and report why; the batch is done (True)."""
        with self._cond:
            self.rejected += len(batch)
        self._report(why)
        return True

    def _deliver(self, batch: list[bytes]) -> bool:
        """Send one batch with retries; ``False`` only when aborted by ``close()``."""
        body = b"".join(batch)
        if self.gzip:
            body = _gzip.compress(body, compresslevel=6, mtime=0)
        attempt = 0
        while True:
            retry_after: float | None = None
            error: str
            try:
                status, retry_after_header = self._post(body)
            except (OSError, http.client.HTTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
            else:
                if 200 <= status < 300:
                    with self._cond:
                        self.sent += len(batch)
                    self._outage_reported = False
                    return True
                error = f"HTTP {status}"
                if status in (429, 503):
                    retry_after = _retry_after_seconds(retry_after_header)
                if not (status >= 500 or status in (408, 429)):
                    return self._reject(
                        batch,
                        f"HTTPBatchHandler: collector answered {status} to a batch of "
                        f"{len(batch)} records; batch discarded (not retried)",
                    )
            if self.max_retries is not None and attempt >= self.max_retries:
                return self._reject(
                    batch,
                    f"HTTPBatchHandler: giving up on a batch of {len(batch)} records after "
                    f"{attempt + 1} attempts ({error})",
                )
            if not self._outage_reported:
                self._outage_reported = True
                self._report(
                    f"HTTPBatchHandler: delivery to {self.url} failed ({error}); retrying with "
                    "backoff, records stay queued (reported once per outage)"
                )
            if retry_after is not None:
                delay = min(retry_after, self.max_retry_after)
            else:
                delay = self._backoff(attempt)
            attempt += 1
            if self._abort.wait(delay):
                return False

    def __repr__(self) -> str:
        level = logging.getLevelName(self.level)
        return f"<{type(self).__name__} {self.url} ({level})>"
