"""The contract between the delivery engine and a wire protocol.

A transport knows one wire protocol and nothing else: it connects, sends a batch of
already encoded records, closes. The engine (:mod:`cef_logging._delivery`) owns the
queue, batching, backoff, drain, the optional disk spool and fork handling, and calls a
transport from its sender thread only -- never from the thread that logs.

Failures are reported by raising:

* :class:`Retry` -- anything that is not the collector's final answer (connection
  refused, reset, timeout, TLS failure, 5xx, 429 ...). The engine keeps the records and
  tries again after a backoff (at least ``backoff_base``, at least ``retry_after``).
* :class:`Refused` -- the collector answered and will never take these records. With
  ``split`` the engine halves the batch and retries each half, so that only the records
  refused on their own are rejected (counted and reported).

Both carry ``acked``: how many *leading* records of the batch the collector did
acknowledge before the failure; the engine (and the spool) drop exactly those and
continue with the rest. Any other exception raised by a transport is treated as
:class:`Retry` (and reported), so a bug can delay records but never discard them.
"""

from __future__ import annotations

import importlib
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "Endpoint",
    "Refused",
    "Retry",
    "SendFailure",
    "Transport",
    "TransportSpec",
    "close_quietly",
    "register_transport",
    "release_without_io",
    "say_goodbye",
    "secure_stream",
    "shut_down",
    "syslog_transport",
]

#: Seconds allowed for the TLS close_notify exchange when a connection is closed.
CLOSE_NOTIFY_TIMEOUT = 0.5


class SendFailure(Exception):
    """Base class of the failures a transport raises from :meth:`Transport.send`."""

    def __init__(self, message: str, *, acked: int = 0) -> None:
        super().__init__(message)
        #: Leading records of the batch the collector acknowledged before the failure.
        self.acked = acked


class Retry(SendFailure):
    """A transient failure: keep the unacknowledged records and try again later."""

    def __init__(self, message: str, *, acked: int = 0, retry_after: float | None = None) -> None:
        super().__init__(message, acked=acked)
        #: Seconds the collector asked us to wait (``Retry-After``), if any. The engine
        #: waits at least ``backoff_base`` whatever this says.
        self.retry_after = retry_after


class Refused(SendFailure):
    """The collector refused the records after the first *acked* (its final answer).

    *refused* is how many records after the acknowledged prefix were refused (``None``:
    all of them); the engine rejects those and retries the rest. With *split* the engine
    instead halves the refused part and retries each half (HTTP 413), rejecting a record
    only when it is refused alone.
    """

    def __init__(
        self, message: str, *, acked: int = 0, refused: int | None = None, split: bool = False
    ) -> None:
        super().__init__(message, acked=acked)
        self.refused = refused
        self.split = split


class Transport:
    """One connection to a collector, used by the engine's sender thread only.

    Subclasses implement :meth:`send` and usually :meth:`connect` and :meth:`close`.
    *description* names the destination in reports; it never contains credentials.
    """

    description: str = "collector"

    def connect(self, timeout: float) -> None:
        """Open the connection if it is not open; raise :class:`Retry` on failure.

        The engine calls this before each batch; it must be cheap when connected (for
        example: a bounded-rate poll that the peer has not closed the connection).
        """

    def send(self, batch: Sequence[bytes], timeout: float) -> None:
        """Deliver *batch* (encoded records, oldest first) and return when the collector
        acknowledged all of it, as far as the protocol allows. Raise :class:`Retry` or
        :class:`Refused` (with ``acked``) otherwise. *timeout* bounds each blocking step.
        """
        raise NotImplementedError

    def close(self) -> None:
        """Close the connection in an orderly way (e.g. TLS close_notify), bounded in
        time; never raises. The transport may be connected again afterwards."""

    def interrupt(self) -> None:
        """Called from another thread when a drain deadline passed: make a blocked
        :meth:`send` fail soon (for example ``socket.shutdown``). Never raises."""

    def forget(self) -> None:
        """Called in a forked child: drop the connection inherited from the parent
        without any I/O on it (no shutdown, no TLS alert -- the parent still uses it);
        just release the file descriptor. Never raises."""


# --------------------------------------------------------------------------------------
# Socket endings shared by the transports (each never raises)
# --------------------------------------------------------------------------------------


def secure_stream(sock: socket.socket, endpoint: Endpoint) -> socket.socket:
    """Prepare a just-connected stream socket: no Nagle delay, TCP keep-alive, and the TLS
    handshake when *endpoint* has an SSL context. On failure *sock* is closed and the
    ``OSError`` (``ssl.SSLError`` included) propagates for the caller to report."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        if endpoint.ssl_context is not None:
            return endpoint.ssl_context.wrap_socket(
                sock, server_hostname=endpoint.server_hostname or endpoint.host
            )
    except OSError:
        sock.close()
        raise
    return sock


def close_quietly(sock: socket.socket | None) -> None:
    """Close *sock* without any goodbye: for a connection that is already broken."""
    if sock is not None:
        try:
            sock.close()
        except OSError:
            pass


def say_goodbye(sock: socket.socket) -> socket.socket:
    """End a TLS session with close_notify (waiting at most :data:`CLOSE_NOTIFY_TIMEOUT`
    for the reply) and return the plain socket to close; other sockets are returned as
    they are."""
    if isinstance(sock, ssl.SSLSocket):
        try:
            sock.settimeout(CLOSE_NOTIFY_TIMEOUT)
            return sock.unwrap()
        except (OSError, ValueError):
            pass
    return sock


def shut_down(sock: socket.socket | None) -> None:
    """Make a send or receive blocked on *sock* in another thread fail at once."""
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except (OSError, ValueError):
            pass


def release_without_io(sock: socket.socket | None) -> None:
    """In a forked child: let go of the parent's connection with no I/O at all (no
    shutdown, no TLS alert -- the parent still uses it), only the file descriptor."""
    if sock is not None:
        try:
            fd = sock.detach()
            if fd >= 0:
                socket.close(fd)
        except OSError:
            pass


# --------------------------------------------------------------------------------------
# Syslog transports, selected by SyslogHandler(transport=NAME)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """Where and how a syslog stream transport connects (built by SyslogHandler)."""

    host: str
    port: int
    #: Seconds for connecting and for each blocking socket operation.
    timeout: float
    #: TLS context when the transport uses TLS, else ``None``.
    ssl_context: ssl.SSLContext | None
    server_hostname: str | None
    #: ``"octet-counting"`` or ``"newline"``; transports with their own framing ignore it.
    framing: str
    #: Most records in flight before their acknowledgement (acknowledging transports).
    window: int = 128


@dataclass(frozen=True)
class TransportSpec:
    """A registered syslog transport."""

    name: str
    factory: Callable[[Endpoint], Transport]
    default_port: int
    #: ``"never"`` (TLS options are a configuration error), ``"always"`` (a context is
    #: built from cafile/certfile when none is given) or ``"optional"`` (TLS only when
    #: ssl_context or cafile/certfile is given).
    tls: str = "never"


_REGISTRY: dict[str, TransportSpec] = {}

# Transports that live in their own module and register themselves when imported.
_LAZY_MODULES: dict[str, str] = {"relp": "cef_logging._relp"}


def register_transport(spec: TransportSpec) -> None:
    """Make ``SyslogHandler(transport=spec.name)`` use *spec*."""
    _REGISTRY[spec.name] = spec


def syslog_transport(name: str) -> TransportSpec | None:
    """The registered transport called *name* (importing its module on first use)."""
    spec = _REGISTRY.get(name)
    if spec is None and name in _LAZY_MODULES:
        try:
            importlib.import_module(_LAZY_MODULES[name])
        except ImportError:
            return None
        spec = _REGISTRY.get(name)
    return spec
