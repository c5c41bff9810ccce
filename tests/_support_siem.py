"""Run the SIEM guides' collector configurations (tests/data/collectors/) for real.

Each guide shows a configuration file exactly as a user would deploy it: real ports
(514, 601, 6514, 28330) and real paths (``/var/log/...``, ``/etc/syslog-ng/...``).
:func:`load_config` reads such a file and moves those to loopback ports and a temporary
directory by exact text replacement; every replaced text must occur in the file, so the
file and the tests cannot drift apart silently. Nothing else in the file is changed.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from _support_syslog_ng import SyslogNG

COLLECTORS = Path(__file__).parent / "data" / "collectors"


def load_config(name: str, replacements: dict[str, str]) -> str:
    """The text of ``tests/data/collectors/<name>`` with *replacements* applied."""
    text = (COLLECTORS / name).read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, f"{name} no longer contains {old!r}"
        text = text.replace(old, new)
    return text


class GuideSyslogNG(SyslogNG):
    """syslog-ng in the foreground with a guide's configuration text.

    *stream_ports* are the TCP/TLS ports :meth:`start` waits for.
    """

    def __init__(self, workdir: Path, config: str, stream_ports: list[int]) -> None:
        self._text = config
        super().__init__(
            workdir, sources=[], ports={f"stream{i}": port for i, port in enumerate(stream_ports)}
        )

    def _config(self) -> str:
        return self._text


def read_lines(path: Path) -> list[bytes]:
    """Complete LF-terminated lines of *path* (none if it does not exist yet)."""
    data = path.read_bytes() if path.exists() else b""
    return data.split(b"\n")[:-1]


def wait_lines(path: Path, count: int, timeout: float = 15.0) -> list[bytes]:
    """Poll *path* until it holds *count* lines or *timeout* passes."""
    deadline = time.monotonic() + timeout
    while True:
        lines = read_lines(path)
        if len(lines) >= count or time.monotonic() >= deadline:
            return lines
        time.sleep(0.05)


class LineSink:
    """A TCP listener that stores LF-terminated lines: what a local agent port receives.

    It stands in for the Azure Monitor Agent's local TCP port (28330), which the
    forwarders feed one message per line.
    """

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server.getsockname()[1])
        self.lines: list[bytes] = []
        self.connections = 0
        self.lock = threading.Lock()
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.server.settimeout(0.1)
        while not self._stop:
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        buf = b""
        with conn:
            conn.settimeout(0.2)
            while not self._stop:
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                buf += chunk
                *complete, buf = buf.split(b"\n")
                with self.lock:
                    self.lines.extend(complete)

    def wait(self, count: int, timeout: float = 15.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                got = list(self.lines)
            if len(got) >= count or time.monotonic() >= deadline:
                return got
            time.sleep(0.05)

    def close(self) -> None:
        self._stop = True
        self.server.close()
        self.thread.join(2)
