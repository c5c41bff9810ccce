"""A scripted RELP server on loopback, for the faults real rsyslog will not produce.

Written from the RELP description (frames ``TXNR SP COMMAND SP DATALEN [SP DATA] LF``,
``open``/``syslog``/``close`` answered by ``rsp``, ``serverclose`` hint). Each accepted
connection takes the next :class:`Session` script (or the default one, a well-behaved
server): it can refuse records with a non-200 answer, break the protocol after some
records, or drop the connection. Records answered with ``200`` are kept in
:attr:`ScriptedRelpServer.accepted`, in order.
"""

from __future__ import annotations

import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from cef_logging._relp_wire import FrameParser, ProtocolError, encode_frame

OPEN_OK = b"200 OK\nrelp_version=0\nrelp_software=scripted,1\ncommands=syslog"


def _always_ok(record: bytes) -> bytes:
    return b"200 OK"


@dataclass
class Session:
    """What the server does on one connection."""

    #: The ``rsp`` data answering ``open``.
    open_reply: bytes = OPEN_OK
    #: The ``rsp`` data answering each ``syslog`` record.
    reply: Callable[[bytes], bytes] = _always_ok
    #: After answering this many records, send :attr:`violation` and close.
    violate_after: int | None = None
    violation: bytes = b"garbage that is not RELP\n"
    #: After answering this many records, close the connection without a word.
    drop_after: int | None = None
    #: With *drop_after*: the records that arrived in the same read as the one the
    #: connection is dropped at are processed (kept in ``accepted``) but never answered,
    #: like a collector that wrote them and crashed before acknowledging.
    process_unanswered: bool = False
    #: After answering this many records, keep reading but never answer again.
    silent_after: int | None = None


@dataclass
class ScriptedRelpServer:
    script: deque[Session] = field(default_factory=deque)
    default: Session = field(default_factory=Session)
    accepted: list[bytes] = field(default_factory=list)
    refused: list[bytes] = field(default_factory=list)
    sessions: int = 0
    #: Every ``syslog`` frame received, answered or not.
    seen: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.running = True
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                session = self.script.popleft() if self.script else self.default
                self.sessions += 1
            threading.Thread(target=self._session, args=(conn, session), daemon=True).start()

    def _session(self, conn: socket.socket, session: Session) -> None:
        parser = FrameParser(max_data=10_000_000)
        answered = 0
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                try:
                    frames = parser.feed(data)
                except ProtocolError:
                    return
                out = []
                dropping = False
                for frame in frames:
                    if dropping:
                        if frame.command == "syslog":
                            with self.lock:
                                self.seen.append(frame.data)
                                self.accepted.append(frame.data)
                        continue
                    if frame.command == "open":
                        out.append(encode_frame(frame.txnr, "rsp", session.open_reply))
                    elif frame.command == "close":
                        out.append(encode_frame(frame.txnr, "rsp"))
                        out.append(encode_frame(0, "serverclose"))
                    elif frame.command == "syslog":
                        with self.lock:
                            self.seen.append(frame.data)
                        if session.silent_after is not None and answered >= session.silent_after:
                            continue
                        if session.violate_after is not None and answered >= session.violate_after:
                            conn.sendall(b"".join(out) + session.violation)
                            return
                        if session.drop_after is not None and answered >= session.drop_after:
                            if not session.process_unanswered:
                                conn.sendall(b"".join(out))
                                return
                            dropping = True
                            with self.lock:
                                self.accepted.append(frame.data)
                            continue
                        answer = session.reply(frame.data)
                        with self.lock:
                            (self.accepted if answer.startswith(b"200") else self.refused).append(
                                frame.data
                            )
                        out.append(encode_frame(frame.txnr, "rsp", answer))
                        answered += 1
                try:
                    conn.sendall(b"".join(out))
                except OSError:
                    return
                if dropping:
                    return

    def close(self) -> None:
        self.running = False
        self.listener.close()
