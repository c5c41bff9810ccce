"""A real syslog-ng collector for the transport tests, started in the foreground.

The tests write a configuration into a temporary directory, start ``syslog-ng -F`` on
free loopback ports, wait until it listens, and read what it wrote to one file per
source. Each received message is written as::

    FACILITY LEVEL HOST PROGRAM PID MSGID ISODATE MSG <RS> LF

so the header fields syslog-ng parsed can be checked and MSG (last, may contain
anything but the record separator) compared byte for byte.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SYSLOG_NG = shutil.which("syslog-ng")
OPENSSL = shutil.which("openssl")

requires_syslog_ng = pytest.mark.skipif(
    SYSLOG_NG is None,
    reason=(
        "syslog-ng is not installed (python3 scripts/test.py installs syslog-ng-core as root "
        "with apt-get install --no-remove, never replacing an installed rsyslog)"
    ),
)

RS = b"\x1e"

# What each source is: syslog-ng driver and options. "syslog" sources expect RFC 6587
# octet counting on streams and parse RFC 5424 (or RFC 3164) headers; "network" sources
# split streams on LF (and at NUL) and parse RFC 3164 (or 5424) headers. "_raw" sources
# use flags(no-parse): MSG is the whole message as received, header included.
SOURCE_KINDS = {
    "udp": ("network", 'transport("udp")'),
    "udp_5424": ("syslog", 'transport("udp")'),
    "udp_raw": ("network", 'transport("udp") flags(no-parse)'),
    "tcp_octet": ("syslog", 'transport("tcp")'),
    "tcp_newline": ("network", 'transport("tcp")'),
    "tcp_newline_raw": ("network", 'transport("tcp") flags(no-parse)'),
    "tls_octet": ("syslog", 'transport("tls")'),
    "tls_newline": ("network", 'transport("tls") flags(syslog-protocol)'),
}


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1/localhost made with the openssl CLI."""
    if OPENSSL is None:
        pytest.skip("openssl CLI is not installed")
    cert, key = directory / "collector.crt", directory / "collector.key"
    subprocess.run(
        [
            OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class Received:
    facility: int
    severity: int
    host: str
    program: str
    pid: str
    msgid: str
    isodate: str
    msg: bytes


class SyslogNG:
    """One syslog-ng process with several sources, each written to its own file."""

    def __init__(
        self,
        workdir: Path,
        sources: list[str],
        ports: dict[str, int] | None = None,
        tls: tuple[Path, Path] | None = None,
        internal_log: bool = False,
    ) -> None:
        """*internal_log* also writes syslog-ng's own messages (``-e``: accepted and
        closed connections, framing errors) to ``syslog-ng.log``; see :meth:`log_text`."""
        self.workdir = workdir
        self.internal_log = internal_log
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.sources = sources
        self.ports: dict[str, int] = dict(ports or {})
        for name in sources:
            if name not in self.ports:
                kind = socket.SOCK_DGRAM if name.startswith("udp") else socket.SOCK_STREAM
                self.ports[name] = free_port(kind)
        self.tls = tls
        self.conf = workdir / "syslog-ng.conf"
        self.proc: subprocess.Popen[bytes] | None = None
        self.conf.write_text(self._config())

    def out(self, name: str) -> Path:
        return self.workdir / f"{name}.out"

    def _config(self) -> str:
        lines = [
            "@version: 3.35",
            "options { log-msg-size(1048576); keep-hostname(yes); use-dns(no);"
            " dns-cache(no); chain-hostnames(no); frac-digits(6); stats-freq(0);"
            " log-fifo-size(100000); };",
        ]
        template = (
            '"${FACILITY_NUM} ${LEVEL_NUM} ${HOST} ${PROGRAM} ${PID} ${MSGID} ${ISODATE}'
            ' ${MSG}\\x1e\\n"'
        )
        for name in self.sources:
            driver, opts = SOURCE_KINDS[name]
            extra = ""
            if name.startswith("tls"):
                assert self.tls is not None, "TLS sources need a certificate"
                cert, key = self.tls
                extra = (
                    f' tls(key-file("{key}") cert-file("{cert}") peer-verify(optional-untrusted))'
                )
            if not name.startswith("udp"):
                extra += " max-connections(100) log-iw-size(100000)"
            lines.append(
                f'source s_{name} {{ {driver}(ip("127.0.0.1") port({self.ports[name]})'
                f" {opts}{extra}); }};"
            )
            lines.append(
                f'destination d_{name} {{ file("{self.out(name)}" template({template})'
                " flush-lines(1)); };"
            )
            lines.append(f"log {{ source(s_{name}); destination(d_{name}); }};")
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 15.0) -> None:
        assert SYSLOG_NG is not None
        log = open(self.workdir / "syslog-ng.log", "ab")
        self.proc = subprocess.Popen(
            [
                SYSLOG_NG, "-F", "--no-caps", "-f", str(self.conf),
                "-R", str(self.workdir / "persist"), "-p", str(self.workdir / "pid"),
                "-c", str(self.workdir / "ctl"),
                *(["-e"] if self.internal_log else []),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        stream_ports = [p for n, p in self.ports.items() if not n.startswith("udp")]
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"syslog-ng exited early:\n{self.log_text()}")
            if (self.workdir / "pid").exists() and all(_listening(p) for p in stream_ports):
                time.sleep(0.05)
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"syslog-ng did not start listening:\n{self.log_text()}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def log_text(self) -> str:
        path = self.workdir / "syslog-ng.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def read(self, name: str) -> list[Received]:
        path = self.out(name)
        data = path.read_bytes() if path.exists() else b""
        records = []
        for chunk in data.split(RS + b"\n")[:-1]:
            fields = chunk.split(b" ", 7)
            records.append(
                Received(
                    facility=int(fields[0]),
                    severity=int(fields[1]),
                    host=fields[2].decode(),
                    program=fields[3].decode(),
                    pid=fields[4].decode(),
                    msgid=fields[5].decode(),
                    isodate=fields[6].decode(),
                    msg=fields[7],
                )
            )
        return records

    def wait_for(self, name: str, count: int, timeout: float = 10.0) -> list[Received]:
        """Poll the output file until *count* messages arrived (or the timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.read(name)
            if len(got) >= count or time.monotonic() >= deadline:
                return got
            time.sleep(0.02)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def running_syslog_ng(
    workdir: Path,
    sources: list[str],
    ports: dict[str, int] | None = None,
    tls: tuple[Path, Path] | None = None,
    internal_log: bool = False,
) -> Iterator[SyslogNG]:
    if SYSLOG_NG is None:
        pytest.skip("syslog-ng is not installed")
    server = SyslogNG(workdir, sources, ports=ports, tls=tls, internal_log=internal_log)
    server.start()
    try:
        yield server
    finally:
        server.stop()
