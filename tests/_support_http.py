"""A real HTTP collector on loopback with scripted faults, for HTTPBatchHandler tests.

The collector is a :class:`http.server.ThreadingHTTPServer` speaking HTTP/1.1 with
keep-alive. Each request takes the next scripted answer (``Answer``) or, once the
script is exhausted, ``200``. It records every request it saw and, separately, the
lines it accepted. ``stop()`` also cuts open keep-alive connections so the port is
really down, and ``start()`` can bring it back on the same port.
"""

from __future__ import annotations

import gzip
import http.server
import socket
import ssl
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: Referenced from dictConfig tests as ``ext://_support_http.TOKEN``.
TOKEN = "Bearer test-token-from-ext"


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    status: int
    headers: dict[str, str]
    body: bytes  # decompressed
    at: float


class _QuietServer(http.server.ThreadingHTTPServer):
    """A client that hangs up mid-request (as clients under test do) is not an error of
    the collector: say nothing, instead of printing a traceback to stderr."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class Collector:
    def __init__(self, port: int = 0, tls: tuple[Path, Path] | None = None) -> None:
        self.port = port
        self.tls = tls
        self.script: deque[Answer] = deque()
        self.default = Answer()
        #: Optional: answer by request body (decompressed); ``None`` falls back to the script.
        self.decide: Callable[[bytes], Answer | None] | None = None
        self.seen: list[Seen] = []
        self.accepted: list[bytes] = []
        self.lock = threading.Lock()
        self.server: http.server.ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None
        self.connections: set[socket.socket] = set()
        #: Connections accepted so far (keep-alive reuse shows as fewer connections).
        self.connection_count = 0

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}/ingest/cef?source=test"

    def start(self) -> Collector:
        collector = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def setup(self) -> None:
                super().setup()
                with collector.lock:
                    collector.connections.add(self.connection)
                    collector.connection_count += 1

            def finish(self) -> None:
                with collector.lock:
                    collector.connections.discard(self.connection)
                super().finish()

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                with collector.lock:
                    decided = collector.decide(body) if collector.decide else None
                    if decided is not None:
                        answer = decided
                    elif collector.script:
                        answer = collector.script.popleft()
                    else:
                        answer = collector.default
                    collector.seen.append(
                        Seen(answer.status, dict(self.headers.items()), body, time.monotonic())
                    )
                if answer.delay:
                    time.sleep(answer.delay)
                if 200 <= answer.status < 300:
                    with collector.lock:
                        collector.accepted.extend(body.split(b"\n")[:-1])
                payload = b"ok\n" if answer.status < 300 else b"no\n"
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        server = _QuietServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(self.tls[0]), str(self.tls[1]))
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self.port = server.server_address[1]
        self.server = server
        self.thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True
        self.thread.start()
        return self

    def stop(self) -> None:
        server, self.server = self.server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self.lock:
            conns = list(self.connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self.thread is not None:
            self.thread.join(5)

    def wait_accepted(self, count: int, timeout: float = 10.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                got = list(self.accepted)
            if len(got) >= count or time.monotonic() >= deadline:
                return got
            time.sleep(0.01)
