"""Syslog over sockets: the TCP/TLS stream transport and the inline UDP sender.

TCP and TLS run on the delivery engine's sender thread (registered as the ``"tcp"`` and
``"tls"`` syslog transports). A batch is framed (RFC 6587) and written with one
``sendall``; "acknowledged" means written to the socket, the most plain syslog offers.

UDP to an IP address stays on the logging thread because it cannot block: the socket is
non-blocking and connected once at construction (no per-record address lookup); a full
send buffer or an ICMP "port unreachable" reported by the kernel drops that one record,
counted. UDP to a host *name* goes through the engine (``UdpTransport``), so the DNS
lookup happens on the sender thread.
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Sequence

from ._syslog_wire import frame
from ._transport import (
    Endpoint,
    Refused,
    Retry,
    Transport,
    TransportSpec,
    close_quietly,
    register_transport,
    release_without_io,
    say_goodbye,
    secure_stream,
    shut_down,
)

__all__ = ["StreamTransport", "UdpSender", "UdpTransport", "is_ip_literal"]

class StreamTransport(Transport):
    """Syslog over TCP, or TLS when the endpoint has an ``ssl_context`` (RFC 5425)."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        scheme = "tls" if endpoint.ssl_context is not None else "tcp"
        self.description = f"syslog {scheme}://{endpoint.host}:{endpoint.port}"
        self._sock: socket.socket | None = None
        self._poller: select.poll | None = None

    def connect(self, timeout: float) -> None:
        sock = self._sock
        if sock is not None:
            if not self._peer_closed(sock):
                return
            self._drop()
        ep = self.endpoint
        try:
            sock = socket.create_connection((ep.host, ep.port), timeout=timeout)
        except OSError as exc:
            raise Retry(f"{type(exc).__name__}: {exc}") from exc
        try:
            sock = secure_stream(sock, ep)
        except OSError as exc:  # includes ssl.SSLError (certificate problems: retried, reported)
            raise Retry(f"{type(exc).__name__}: {exc}") from exc
        self._sock = sock
        self._poller = select.poll()
        self._poller.register(sock.fileno(), select.POLLIN)

    def _peer_closed(self, sock: socket.socket) -> bool:
        """True when the collector closed or reset the connection.

        Syslog collectors never send application data, so a readable socket means EOF,
        a reset, or (TLS) a protocol record such as a session ticket. One zero-timeout
        poll per batch: a batch carries every record queued meanwhile, so under load
        the check costs a fraction of a system call per record.
        """
        poller = self._poller
        if poller is None:
            return False
        try:
            if not poller.poll(0):
                return False
        except (OSError, ValueError):
            return True
        try:
            sock.settimeout(0.0)
            return sock.recv(4096) == b""
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            return False
        except OSError:
            return True

    def send(self, batch: Sequence[bytes], timeout: float) -> None:
        sock = self._sock
        if sock is None:
            raise Retry("not connected")
        framing = self.endpoint.framing
        data = b"".join([frame(message, framing) for message in batch])
        try:
            sock.settimeout(timeout)
            sock.sendall(data)
        except OSError as exc:
            self._drop()
            raise Retry(f"{type(exc).__name__}: {exc}") from exc

    def _drop(self) -> None:
        """Close a broken connection (no TLS shutdown: the peer is gone)."""
        sock, self._sock = self._sock, None
        self._poller = None
        close_quietly(sock)

    def close(self) -> None:
        sock, self._sock = self._sock, None
        self._poller = None
        if sock is not None:
            close_quietly(say_goodbye(sock))

    def interrupt(self) -> None:
        shut_down(self._sock)

    def forget(self) -> None:
        sock, self._sock = self._sock, None
        self._poller = None
        release_without_io(sock)


register_transport(TransportSpec("tcp", StreamTransport, default_port=514, tls="never"))
register_transport(TransportSpec("tls", StreamTransport, default_port=6514, tls="always"))


class UdpSender:
    """Send datagrams from the logging thread without ever blocking it."""

    def __init__(self, host: str, port: int) -> None:
        try:
            infos = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM)
        except OSError as exc:
            raise ValueError(f"address: cannot resolve {host!r} for UDP ({exc})") from None
        family, socktype, proto, _, sockaddr = infos[0]
        sock = socket.socket(family, socktype, proto)
        sock.setblocking(False)
        sock.connect(sockaddr)
        self._sock = sock
        #: ``send(datagram)``; raises OSError when the kernel refuses it.
        self.send = sock.send

    def close(self) -> None:
        self._sock.close()


class UdpTransport(Transport):
    """UDP through the engine, for a collector given by name: the sender thread does
    the DNS lookup, so the logging thread never waits for it."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.description = f"syslog udp://{endpoint.host}:{endpoint.port}"
        self._sock: socket.socket | None = None

    def connect(self, timeout: float) -> None:
        if self._sock is not None:
            return
        try:
            infos = socket.getaddrinfo(self.endpoint.host, self.endpoint.port, 0, socket.SOCK_DGRAM)
            family, socktype, proto, _, sockaddr = infos[0]
            sock = socket.socket(family, socktype, proto)
        except OSError as exc:
            raise Retry(f"{type(exc).__name__}: {exc}") from exc
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            raise Retry(f"{type(exc).__name__}: {exc}") from exc
        self._sock = sock

    def send(self, batch: Sequence[bytes], timeout: float) -> None:
        sock = self._sock
        if sock is None:
            raise Retry("not connected")
        for index, datagram in enumerate(batch):
            try:
                sock.send(datagram)
            except OSError as exc:  # one datagram refused by the kernel: at most once
                raise Refused(f"{type(exc).__name__}: {exc}", acked=index, refused=1) from exc

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def forget(self) -> None:
        self.close()  # a datagram socket has no session to protect


def is_ip_literal(host: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
            return True
        except OSError:
            continue
    return False
