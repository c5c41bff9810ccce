"""RELP client transport: ``SyslogHandler(transport="relp")``.

One RELP session on a TCP (or TLS) connection, driven by the delivery engine's
sender thread (:mod:`cef_logging._delivery`); the wire format lives in
:mod:`cef_logging._relp_wire`.

* :meth:`RelpTransport.connect` opens the connection and the session: it sends
  ``open`` with the offers ``relp_version``, ``relp_software`` and
  ``commands=syslog`` and requires an ``rsp`` 200 whose offers include a
  ``relp_version`` this client speaks and the ``syslog`` command. A peer that answers
  anything else, nothing, or closes the connection fails the handshake with an error
  naming the address.
* :meth:`RelpTransport.send` sends each record as a ``syslog`` command, keeping at
  most *window* of them unacknowledged, and returns when every record has its
  ``rsp``. Acknowledgements must come in order, for the commands in flight.
* A broken connection, a ``serverclose`` hint or a peer that breaks the protocol
  closes the connection and raises :class:`~cef_logging._transport.Retry` with the
  number of leading records that were acknowledged; the engine reconnects after a
  backoff and sends the others again, in order, on a new session. That is the
  at-least-once rule: a record the collector processed but whose ``rsp`` was lost
  with the connection is sent twice.
* A non-200 ``rsp`` is the collector's answer for that record: it raises
  :class:`~cef_logging._transport.Refused` with the collector's text.
"""

from __future__ import annotations

import select
import socket
import ssl
import time
from collections import deque
from collections.abc import Sequence
from typing import Final

from . import __version__
from ._relp_wire import (
    PROTOCOL_VERSION,
    Frame,
    FrameParser,
    ProtocolError,
    Response,
    encode_frame,
    encode_offers,
    next_txnr,
    parse_offers,
    parse_response,
    printable,
)
from ._transport import (
    Endpoint,
    Refused,
    Retry,
    Transport,
    TransportSpec,
    close_quietly,
    register_transport,
    say_goodbye,
    secure_stream,
    shut_down,
)

__all__ = ["DEFAULT_PORT", "DEFAULT_WINDOW", "RelpTransport"]

#: The RELP port rsyslog's documentation uses (there is no IANA assignment).
DEFAULT_PORT: Final = 2514
#: Unacknowledged ``syslog`` commands allowed in flight (librelp's default too).
DEFAULT_WINDOW: Final = 128
#: Upper bound for waiting on the ``close`` answer and the TLS close_notify.
_CLOSE_TIMEOUT: Final = 2.0
#: Sessions the peer may end on the same unacknowledged record before it is refused.
_POISON_BREAKS: Final = 3
#: Most bytes handed to one sendall(): its timeout bounds the whole call, so a large
#: window of large records on a slow link is written in pieces, acknowledgements between.
_CHUNK_BYTES: Final = 256 * 1024
# Linux: acknowledge the collector's segments at once. librelp writes each small rsp
# with Nagle's algorithm on, so the last answers of a window wait for our ACK, which
# delayed ACK holds back up to 40 ms: without this, every batch ended with that stall
# (12,000 instead of 35,000+ records/s into rsyslog). Reset by the kernel, so set before
# each recv().
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)

_OFFERS: Final = encode_offers(
    {
        "relp_version": [str(PROTOCOL_VERSION)],
        "relp_software": ["cef-logging", __version__],
        "commands": ["syslog"],
    }
)


class _Broken(Exception):
    """The session cannot continue; the message says why (becomes a Retry)."""


class _TimedOut(_Broken):
    """The peer did not answer in time."""


class _PeerClosed(_Broken):
    """The peer closed or reset the connection."""


class RelpTransport(Transport):
    """A RELP client session to *endpoint* (TLS when it carries an ``ssl_context``).

    *window* is the number of ``syslog`` commands sent before their ``rsp`` arrived.
    """

    def __init__(self, endpoint: Endpoint, window: int = DEFAULT_WINDOW) -> None:
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise ValueError(f"relp_window: must be an int >= 1, got {window!r}")
        if endpoint.framing != "octet-counting":
            raise ValueError(
                f"framing: RELP frames each message itself; {endpoint.framing!r} cannot apply "
                "(leave framing at its default)"
            )
        self.endpoint = endpoint
        self.window = window
        host = f"[{endpoint.host}]" if ":" in endpoint.host else endpoint.host
        scheme = "relp+tls" if endpoint.ssl_context is not None else "relp"
        self.description = f"{scheme}://{host}:{endpoint.port}"
        self._sock: socket.socket | None = None
        self._poller: select.poll | None = None
        self._parser = FrameParser()
        self._txnr = 0
        # Records acknowledged after a refused one, before the engine sends them again.
        self._acked_ahead: list[bytes] = []
        # The record at the head when the peer last ended the session, and how often.
        self._suspect: tuple[bytes, int] | None = None

    # -- connection and session ---------------------------------------------------------

    def connect(self, timeout: float) -> None:
        if self._sock is not None:
            if not self._peer_gone():
                return
            self._drop()
        try:
            self._open(timeout)
        except _Broken as exc:
            self._drop()
            raise Retry(str(exc)) from None
        except BaseException:
            self._drop()
            raise

    def _open(self, timeout: float) -> None:
        ep = self.endpoint
        try:
            sock = socket.create_connection((ep.host, ep.port), timeout=timeout)
        except OSError as exc:
            raise _Broken(f"cannot connect to {self.description}: {_reason(exc)}") from None
        try:
            sock = secure_stream(sock, ep)
        except OSError as exc:
            hint = ""
            if getattr(exc, "reason", None) == "WRONG_VERSION_NUMBER":
                hint = " (is it a RELP listener without TLS?)"
            raise _Broken(
                f"TLS handshake with {self.description} failed: {_reason(exc)}{hint}"
            ) from None
        self._sock = sock
        self._poller = select.poll()
        self._poller.register(sock.fileno(), select.POLLIN)
        self._parser = FrameParser()
        self._txnr = 0
        txnr = self._next_txnr()
        self._sendall(encode_frame(txnr, "open", _OFFERS), timeout)
        frame = self._first_answer(timeout)
        if frame.command != "rsp" or frame.txnr != txnr:
            raise _Broken(
                f"{self.description} is not a RELP server: it answered the RELP open with "
                f"{frame.txnr} {frame.command}"
            )
        try:
            rsp = parse_response(frame.data)
        except ProtocolError as exc:
            raise _Broken(f"{self.description} is not a RELP server: {exc}") from None
        if not rsp.ok:
            raise _Broken(
                f"{self.description} refused the RELP session: {rsp.code} {printable(rsp.text)}"
            )
        self._check_offers(parse_offers(rsp.data))

    def _first_answer(self, timeout: float) -> Frame:
        hint = "is it a RELP listener such as rsyslog imrelp?"
        if self.endpoint.ssl_context is None:
            hint += " For RELP over TLS, give cafile= or ssl_context="
        deadline = time.monotonic() + timeout
        while True:
            try:
                data = self._recv(deadline - time.monotonic())
            except _TimedOut:
                raise _Broken(
                    f"{self.description} did not answer the RELP open within {timeout:g} s ({hint})"
                ) from None
            except _Broken:
                raise _Broken(
                    f"{self.description} closed the connection without answering the RELP "
                    f"open ({hint})"
                ) from None
            try:
                frames = self._parser.feed(data)
            except ProtocolError:
                raise _Broken(
                    f"{self.description} is not a RELP server: it answered the RELP open "
                    f"with {printable(data[:60])}"
                ) from None
            if frames:
                if len(frames) > 1 or self._parser.pending:
                    raise _Broken(f"{self.description} sent more than the answer to open")
                return frames[0]

    def _check_offers(self, offers: dict[str, list[str]]) -> None:
        versions = offers.get("relp_version")
        if not versions or not (versions[0].isascii() and versions[0].isdigit()):
            raise _Broken(f"{self.description} sent no valid relp_version offer")
        if int(versions[0]) > 1:
            raise _Broken(
                f"{self.description} speaks RELP version {printable(versions[0])}, "
                "this client speaks versions 0 and 1"
            )
        if "syslog" not in offers.get("commands", []):
            raise _Broken(f"{self.description} does not offer the RELP syslog command")

    def _next_txnr(self) -> int:
        self._txnr = next_txnr(self._txnr)
        return self._txnr

    def _peer_gone(self) -> bool:
        """Between batches nothing is in flight, so anything readable means the session
        ended: EOF, a reset, ``serverclose``, or bytes that are not RELP. TLS records
        without application data (session tickets) leave it usable."""
        sock, poller = self._sock, self._poller
        if sock is None or poller is None:
            return True
        try:
            if not poller.poll(0) and not (isinstance(sock, ssl.SSLSocket) and sock.pending()):
                return False
            sock.settimeout(0.0)
            data = sock.recv(4096)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            return False
        except (OSError, ValueError):
            return True
        del data  # EOF, serverclose or anything else: this session is over
        return True

    def _sendall(self, data: bytes, timeout: float) -> None:
        sock = self._sock
        if sock is None:
            raise _Broken(f"connection to {self.description} is closed")
        try:
            sock.settimeout(timeout)
            sock.sendall(data)
        except (ConnectionResetError, BrokenPipeError) as exc:
            raise _PeerClosed(f"sending to {self.description} failed: {_reason(exc)}") from None
        except (OSError, ValueError) as exc:
            raise _Broken(f"sending to {self.description} failed: {_reason(exc)}") from None

    def _recv(self, timeout: float) -> bytes:
        sock = self._sock
        if sock is None:
            raise _Broken(f"connection to {self.description} is closed")
        if timeout <= 0:
            raise _TimedOut(f"no RELP answer from {self.description} in time")
        try:
            sock.settimeout(timeout)
            if _QUICKACK is not None:
                sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            data = sock.recv(65536)
        except TimeoutError:
            raise _TimedOut(
                f"no RELP answer from {self.description} within {timeout:g} s"
            ) from None
        except ConnectionResetError as exc:
            raise _PeerClosed(f"receiving from {self.description} failed: {_reason(exc)}") from None
        except (OSError, ValueError) as exc:
            raise _Broken(f"receiving from {self.description} failed: {_reason(exc)}") from None
        if not data:
            raise _PeerClosed(f"{self.description} closed the connection")
        return data

    # -- sending --------------------------------------------------------------------------

    def send(self, batch: Sequence[bytes], timeout: float) -> None:
        skip = self._take_acked_ahead(batch)
        if skip == len(batch):
            return
        if self._sock is None:
            self.connect(timeout)
        try:
            self._send_window(batch, skip, timeout)
        except _SessionFailed as exc:
            self._drop()
            self._check_poison(batch, exc)
            raise Retry(str(exc), acked=exc.acked) from None
        except (Refused, Retry):
            self._suspect = None
            raise
        except BaseException:
            self._drop()
            raise
        self._suspect = None

    def _check_poison(self, batch: Sequence[bytes], failure: _SessionFailed) -> None:
        """Refuse a record the collector ends the session on, again and again.

        rsyslog's imrelp with ``oversizeMode="abort"`` closes the session on a record
        longer than its ``maxDataSize``; sent again, it would block every record behind
        it forever. When the peer closes an open session before acknowledging the same
        record :data:`_POISON_BREAKS` times in a row, that record is refused (counted
        and reported by the engine) and the others go on.
        """
        if not (failure.closed_by_peer and failure.head_sent and failure.acked < len(batch)):
            self._suspect = None
            return
        head = batch[failure.acked]
        if self._suspect is not None and self._suspect[0] == head:
            breaks = self._suspect[1] + 1
        else:
            breaks = 1
        self._suspect = (head, breaks)
        if breaks >= _POISON_BREAKS:
            self._suspect = None
            raise Refused(
                f"{self.description} closed the RELP session {breaks} times in a row before "
                f"acknowledging the same record ({len(head)} bytes; larger than the "
                f"collector's maxDataSize?): {failure}",
                acked=failure.acked,
                refused=1,
            )

    def _send_window(self, batch: Sequence[bytes], start: int, timeout: float) -> None:
        count = len(batch)
        acked = start  # leading records acknowledged
        next_index = start  # next record to send
        inflight: deque[tuple[int, int]] = deque()  # (txnr, index), oldest first
        refused: dict[int, Response] = {}
        outcome: dict[int, bool] = {}  # index -> acknowledged (after a refusal)
        stop_sending = False
        while acked < count:
            if not stop_sending and next_index < count and len(inflight) < self.window:
                next_index, stop_sending = self._send_more(
                    batch, acked, next_index, inflight, timeout
                )
            if not inflight:
                break
            acked, refusal = self._read_answers(
                inflight, acked, next_index, refused, outcome, timeout
            )
            if refusal:
                stop_sending = True  # answer the refusal once the window drained
            if stop_sending and not inflight:
                break
        if acked >= count:
            return
        self._raise_refused(batch, acked, refused, outcome, next_index)

    def _send_more(
        self,
        batch: Sequence[bytes],
        acked: int,
        next_index: int,
        inflight: deque[tuple[int, int]],
        timeout: float,
    ) -> tuple[int, bool]:
        """Send the records from *next_index* that fit in the window, in one write of
        at most about :data:`_CHUNK_BYTES`; each goes on *inflight*. Returns the next
        record to send, and True when it is one RELP cannot carry: sending stops, and
        it is refused once the records before it are answered."""
        count = len(batch)
        window = self.window
        chunks = []
        size = 0
        stop_sending = False
        while next_index < count and len(inflight) < window and size < _CHUNK_BYTES:
            try:
                wire = encode_frame(self._txnr_peek(), "syslog", batch[next_index])
            except ValueError as exc:
                if inflight or next_index > acked:
                    stop_sending = True  # refuse it once the others are answered
                    break
                raise Refused(str(exc), acked=acked, refused=1) from None
            chunks.append(wire)
            size += len(wire)
            inflight.append((self._next_txnr(), next_index))
            next_index += 1
        if chunks:
            try:
                self._sendall(b"".join(chunks), timeout)
            except _Broken as exc:
                raise _SessionFailed(
                    str(exc), acked, isinstance(exc, _PeerClosed), head_sent=True
                ) from None
        return next_index, stop_sending

    def _read_answers(
        self,
        inflight: deque[tuple[int, int]],
        acked: int,
        next_index: int,
        refused: dict[int, Response],
        outcome: dict[int, bool],
        timeout: float,
    ) -> tuple[int, bool]:
        """Read what the collector answered so far, for the oldest records in flight.
        Returns the count of leading records acknowledged, and True when a record was
        refused (recorded in *refused*; the answers after a refusal go to *outcome*)."""
        violation: ProtocolError | None = None
        try:
            frames = self._parser.feed(self._recv(timeout))
        except _Broken as exc:
            raise _SessionFailed(
                str(exc), acked, isinstance(exc, _PeerClosed), head_sent=True
            ) from None
        except ProtocolError as exc:
            frames, violation = exc.frames, exc  # act on the answers before it first
        refusal = False
        for frame in frames:
            rsp = self._response(frame, inflight, acked, next_index)
            _, index = inflight.popleft()
            if rsp.ok and not refused:
                acked = index + 1
                continue
            if not rsp.ok:
                refused[index] = rsp
                refusal = True
            outcome[index] = rsp.ok
        if violation is not None:
            raise _SessionFailed(
                f"RELP protocol violation by {self.description}: {violation}", acked
            )
        return acked, refusal

    def _response(
        self, frame: Frame, inflight: deque[tuple[int, int]], acked: int, next_index: int
    ) -> Response:
        """The ``rsp`` in *frame*, which answers the oldest record in flight; anything
        else ends the session."""
        if frame.txnr == 0 and frame.command == "serverclose":
            raise _SessionFailed(
                f"{self.description} closed the RELP session (serverclose)",
                acked,
                closed_by_peer=True,
                head_sent=next_index > acked,
            )
        if frame.command != "rsp":
            raise _SessionFailed(
                f"RELP protocol violation by {self.description}: unexpected "
                f"command {frame.txnr} {frame.command}",
                acked,
            )
        if not inflight or frame.txnr != inflight[0][0]:
            expected = inflight[0][0] if inflight else "none"
            raise _SessionFailed(
                f"RELP protocol violation by {self.description}: rsp for "
                f"transaction {frame.txnr}, expected {expected}",
                acked,
            )
        try:
            return parse_response(frame.data)
        except ProtocolError as exc:
            raise _SessionFailed(
                f"RELP protocol violation by {self.description}: {exc}", acked
            ) from None

    def _txnr_peek(self) -> int:
        return next_txnr(self._txnr)

    def _raise_refused(
        self,
        batch: Sequence[bytes],
        acked: int,
        refused: dict[int, Response],
        outcome: dict[int, bool],
        next_index: int,
    ) -> None:
        """Report the records the collector refused (a non-200 ``rsp``), and remember
        the records it acknowledged after them so they are not sent twice."""
        if not refused:
            # Stopped before a record RELP cannot carry; everything before it is acked.
            raise Refused(
                f"record of {len(batch[next_index])} bytes is too large for a RELP frame",
                acked=acked,
                refused=1,
            )
        first = acked
        end = first
        while end in refused:
            end += 1
        ahead = end
        while outcome.get(ahead) is True:
            ahead += 1
        self._acked_ahead = list(batch[end:ahead])
        rsp = refused[first]
        raise Refused(
            f"{self.description} refused {end - first} record(s): {rsp.code} {printable(rsp.text)}",
            acked=acked,
            refused=end - first,
        )

    def _take_acked_ahead(self, batch: Sequence[bytes]) -> int:
        ahead, self._acked_ahead = self._acked_ahead, []
        if ahead and list(batch[: len(ahead)]) == ahead:
            return len(ahead)
        return 0

    # -- shutdown ---------------------------------------------------------------------------

    def close(self) -> None:
        sock = self._sock
        if sock is None:
            return
        try:
            if not self._peer_gone():
                txnr = self._next_txnr()
                self._sendall(encode_frame(txnr, "close"), _CLOSE_TIMEOUT)
                deadline = time.monotonic() + _CLOSE_TIMEOUT
                answered = False
                while not answered and time.monotonic() < deadline:
                    for frame in self._parser.feed(self._recv(deadline - time.monotonic())):
                        if frame.command == "rsp" and frame.txnr == txnr:
                            answered = True
        except Exception:
            pass
        say_goodbye(sock)
        self._drop()

    def _drop(self) -> None:
        sock, self._sock = self._sock, None
        self._poller = None
        close_quietly(sock)

    def interrupt(self) -> None:
        shut_down(self._sock)

    def forget(self) -> None:
        self._acked_ahead = []
        self._drop()


class _SessionFailed(Exception):
    """The connection or the peer failed during a batch; *acked* records made it.

    *closed_by_peer*: the peer closed or reset the connection (or sent ``serverclose``);
    *head_sent*: the first unacknowledged record had been sent.
    """

    def __init__(
        self, message: str, acked: int, closed_by_peer: bool = False, head_sent: bool = False
    ) -> None:
        super().__init__(message)
        self.acked = acked
        self.closed_by_peer = closed_by_peer
        self.head_sent = head_sent


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return printable(text, 200)


register_transport(
    TransportSpec(
        name="relp",
        factory=lambda endpoint: RelpTransport(endpoint, window=endpoint.window),
        default_port=DEFAULT_PORT,
        tls="optional",
    )
)
