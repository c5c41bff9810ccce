"""A real rsyslog collector for the tests, run from a private unpacked copy.

rsyslog and syslog-ng-core conflict as Debian packages, so rsyslog is never
installed on the host. Instead :func:`rsyslog_install` downloads the Debian packages
``rsyslog``, ``rsyslog-relp`` and ``librelp0`` (plus any library package they depend
on that is not installed) with ``apt-get download`` into ``.cache/rsyslog/debs`` inside
the checkout, unpacks each with ``dpkg -x`` into ``.cache/rsyslog/root`` and runs
``rsyslogd`` from there (``-M`` for its modules, ``LD_LIBRARY_PATH`` for the unpacked
libraries). The cache is git-ignored and reused by later runs. Where this cannot
work (no ``apt-get``/``dpkg``, no package lists, no network, a library that cannot be
resolved) the calling test is skipped with the reason.

Typical use::

    install = rsyslog_or_skip()                     # or skip the test, saying why
    port = free_port()
    out = tmp_path / "relp.out"
    conf = imrelp_config(port, out)                 # or any rsyslog config text
    with running_rsyslog(tmp_path / "rsyslog", conf, ports=[port]) as collector:
        ...                                         # send to 127.0.0.1:port
        lines = collector.wait_for_lines(out, 3000)

A configuration is plain rsyslog text: the caller chooses the ports (see
:func:`free_port`) and output files, and passes the ports it must wait for to
:meth:`Rsyslog.start`. :func:`config_from_file` loads a configuration file (for
example one shown in the documentation) and replaces its example port and paths.
Output written with the :data:`RAW_TEMPLATE` template is one received message per
line, exactly as received (``%rawmsg%``); :meth:`Rsyslog.read_lines` returns them.

:meth:`Rsyslog.kill` sends SIGKILL (an abrupt crash: nothing is flushed, no
``serverclose`` hint), :meth:`Rsyslog.stop` SIGTERM (a clean shutdown) and
:meth:`Rsyslog.restart` starts the same configuration again on the same ports.
rsyslog's own messages (errors in the configuration, closed sessions) go to
``rsyslogd.log`` in the work directory; see :meth:`Rsyslog.log_text`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Where the downloaded packages are kept and unpacked (git-ignored).
CACHE = ROOT / ".cache" / "rsyslog"
#: The Debian packages that make an rsyslogd with imrelp/omrelp.
PACKAGES = ("rsyslog", "rsyslog-relp", "librelp0")
#: Modules the tests load (checked for unresolved libraries with ldd).
MODULES = ("imrelp", "omrelp", "imtcp", "lmnet", "lmnetstrms", "lmnsd_ptcp", "lmtcpsrv")

#: A template that writes each message exactly as received, one per line.
RAW_TEMPLATE = 'template(name="cef_raw" type="string" string="%rawmsg%\\n")'


@dataclass(frozen=True)
class RsyslogInstall:
    """An rsyslogd binary with the directories it needs."""

    rsyslogd: Path
    moddir: Path
    libdir: Path | None  # for LD_LIBRARY_PATH; None for a system installation
    version: str

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.libdir is not None:
            previous = env.get("LD_LIBRARY_PATH")
            env["LD_LIBRARY_PATH"] = str(self.libdir) + (f":{previous}" if previous else "")
        return env


class RsyslogUnavailable(Exception):
    """rsyslog cannot be provided here; the message says why."""


_cached: RsyslogInstall | RsyslogUnavailable | None = None


def rsyslog_install() -> RsyslogInstall:
    """Provide rsyslogd (downloading and unpacking it once), or raise
    :class:`RsyslogUnavailable` with the reason."""
    global _cached
    if _cached is None:
        try:
            _cached = _provide()
        except RsyslogUnavailable as exc:
            _cached = exc
    if isinstance(_cached, RsyslogUnavailable):
        raise _cached
    return _cached


def rsyslog_or_skip() -> RsyslogInstall:
    """:func:`rsyslog_install`, skipping the calling test with the reason if it fails."""
    try:
        return rsyslog_install()
    except RsyslogUnavailable as exc:
        pytest.skip(f"rsyslog is not available: {exc}")


def _run(cmd: list[str], cwd: Path | None = None, env: Mapping[str, str] | None = None) -> str:
    try:
        done = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RsyslogUnavailable(f"{' '.join(cmd)} failed: {exc}") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise RsyslogUnavailable(
            f"{' '.join(cmd)} exited {done.returncode}: {' / '.join(detail[-3:])}"
        )
    return done.stdout


def _provide() -> RsyslogInstall:
    root = CACHE / "root"
    libdir = root / "usr" / "lib" / _multiarch()
    rsyslogd = root / "usr" / "sbin" / "rsyslogd"
    moddir = libdir / "rsyslog"
    CACHE.mkdir(parents=True, exist_ok=True)
    # One process at a time downloads and unpacks (parallel test runs share the cache).
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (CACHE / ".complete").exists():
            _download_and_unpack(root)
            (CACHE / ".complete").write_text("\n".join(PACKAGES) + "\n")
    install = RsyslogInstall(rsyslogd, moddir, libdir, _version(rsyslogd, libdir))
    _check_libraries(install)
    return install


def _multiarch() -> str:
    if shutil.which("dpkg-architecture"):
        with contextlib.suppress(RsyslogUnavailable):
            return _run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"]).strip()
    machine = os.uname().machine
    return {"x86_64": "x86_64-linux-gnu", "aarch64": "aarch64-linux-gnu"}.get(
        machine, f"{machine}-linux-gnu"
    )


def _download_and_unpack(root: Path) -> None:
    for tool in ("apt-get", "dpkg", "dpkg-deb", "dpkg-query"):
        if shutil.which(tool) is None:
            raise RsyslogUnavailable(f"{tool} not found (rsyslog is fetched as Debian packages)")
    debs = CACHE / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    wanted = list(PACKAGES)
    seen: set[str] = set()
    while wanted:
        names = [name for name in wanted if name not in seen]
        wanted = []
        if not names:
            break
        seen.update(names)
        try:
            _run(["apt-get", "download", *names], cwd=debs)
        except RsyslogUnavailable as exc:
            raise RsyslogUnavailable(
                f"{exc} (the package lists may be missing: run apt-get update)"
            ) from None
        # Library packages the unpacked binaries need but the host lacks: fetch them too.
        for name in names:
            for dep in _depends(_deb_for(debs, name)):
                if dep not in seen and not _installed(dep):
                    wanted.append(dep)
    if root.exists():
        shutil.rmtree(root)
    for deb in sorted(debs.glob("*.deb")):
        _run(["dpkg", "-x", str(deb), str(root)])


def _deb_for(debs: Path, package: str) -> Path:
    matches = sorted(debs.glob(f"{package}_*.deb"))
    if not matches:
        raise RsyslogUnavailable(f"apt-get download left no {package}_*.deb in {debs}")
    return matches[-1]


def _depends(deb: Path) -> list[str]:
    """Package names from a .deb's Depends (first alternative, no version)."""
    text = _run(["dpkg-deb", "-f", str(deb), "Depends"]).strip()
    names = []
    for clause in filter(None, (part.strip() for part in text.split(","))):
        first = clause.split("|")[0].strip()
        names.append(re.split(r"[\s(:]", first, maxsplit=1)[0])
    return names


def _installed(package: str) -> bool:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
    )
    return done.returncode == 0 and "install ok installed" in done.stdout


def _version(rsyslogd: Path, libdir: Path | None) -> str:
    if not rsyslogd.exists():
        raise RsyslogUnavailable(f"{rsyslogd} missing after unpacking")
    env = RsyslogInstall(rsyslogd, rsyslogd, libdir, "").env()
    found = re.search(r"rsyslogd\s+(\S+)", _run([str(rsyslogd), "-v"], env=env))
    return f"rsyslogd {found.group(1)}" if found else "rsyslogd (unknown version)"


def _check_libraries(install: RsyslogInstall) -> None:
    if shutil.which("ldd") is None:
        return
    missing: set[str] = set()
    for binary in [install.rsyslogd, *(install.moddir / f"{m}.so" for m in MODULES)]:
        if not binary.exists():
            raise RsyslogUnavailable(f"{binary} missing after unpacking")
        out = subprocess.run(
            ["ldd", str(binary)], env=install.env(), capture_output=True, text=True, check=False
        ).stdout
        missing.update(m.group(1) for m in re.finditer(r"^\s*(\S+) => not found", out, re.M))
    if missing:
        raise RsyslogUnavailable(f"unresolved libraries: {', '.join(sorted(missing))}")


# --------------------------------------------------------------------------------------
# configurations
# --------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def imrelp_config(
    port: int,
    out: Path,
    *,
    tls: tuple[Path, Path] | None = None,
    extra: str = "",
) -> str:
    """An imrelp listener on ``127.0.0.1:port`` writing each message raw to *out*.

    The ruleset's queue is ``Direct``: a message is written to *out* before imrelp
    acknowledges it, so an acknowledged message survives ``kill -9``. Control
    characters are written as received (rsyslog would otherwise write a TAB as
    ``#011``), so *out* holds exactly the bytes that arrived. *tls* is
    ``(certificate, key)`` for RELP over TLS. imrelp with a certificate always
    requires one from the client too: here any client certificate signed by
    *certificate* (a self-signed one: itself) is accepted (``tls.authmode="certvalid"``).
    """
    tls_params = ""
    if tls is not None:
        cert, key = tls
        tls_params = (
            f' tls="on" tls.mycert="{cert}" tls.myprivkey="{key}" tls.cacert="{cert}"'
            ' tls.authmode="certvalid"'
        )
    return (
        'global(maxMessageSize="256k" parser.escapeControlCharactersOnReceive="off")\n'
        'module(load="imrelp")\n'
        f"{RAW_TEMPLATE}\n"
        'ruleset(name="cef_relp" queue.type="Direct") {\n'
        f'    action(type="omfile" file="{out}" template="cef_raw")\n'
        "}\n"
        f'input(type="imrelp" address="127.0.0.1" port="{port}" ruleset="cef_relp"'
        f' maxDataSize="256k"{tls_params})\n'
        f"{extra}"
    )


def config_from_file(path: Path, replacements: Mapping[str, str]) -> str:
    """Read an rsyslog configuration file and replace each key of *replacements*
    (for example ``'port="2514"'`` or an example log path); every key must occur."""
    text = path.read_text()
    for old, new in replacements.items():
        if old not in text:
            raise AssertionError(f"{old!r} does not occur in {path}")
        text = text.replace(old, new)
    return text


# --------------------------------------------------------------------------------------
# the collector process
# --------------------------------------------------------------------------------------


class Rsyslog:
    """One rsyslogd process (foreground, ``-n``) running *config* from *workdir*."""

    def __init__(self, workdir: Path, config: str, install: RsyslogInstall | None = None) -> None:
        self.install = install if install is not None else rsyslog_or_skip()
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "spool").mkdir(exist_ok=True)
        self.conf = workdir / "rsyslog.conf"
        self.pidfile = workdir / "rsyslogd.pid"
        self.conf.write_text(f'global(workDirectory="{workdir / "spool"}")\n{config}')
        self.ports: list[int] = []
        self.proc: subprocess.Popen[bytes] | None = None

    def check_config(self) -> None:
        """Validate the configuration (``rsyslogd -N1``); AssertionError with rsyslog's
        messages when it is invalid."""
        done = subprocess.run(
            [str(self.install.rsyslogd), "-N1", "-M", str(self.install.moddir),
             "-f", str(self.conf)],
            env=self.install.env(), capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        if done.returncode != 0:
            raise AssertionError(f"rsyslog rejects {self.conf}:\n{done.stdout}{done.stderr}")

    def start(self, ports: Iterable[int] = (), timeout: float = 20.0) -> Rsyslog:
        """Start rsyslogd and wait until it listens on every TCP port in *ports*
        (remembered for :meth:`restart`)."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("rsyslogd is already running")
        self.ports = list(ports) or self.ports
        with contextlib.suppress(FileNotFoundError):
            self.pidfile.unlink()
        log = open(self.workdir / "rsyslogd.log", "ab")
        try:
            self.proc = subprocess.Popen(
                [str(self.install.rsyslogd), "-n", "-M", str(self.install.moddir),
                 "-f", str(self.conf), "-i", str(self.pidfile)],
                env=self.install.env(), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"rsyslogd exited early:\n{self.log_text()}")
            if all(_listening(port) for port in self.ports):
                return self
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"rsyslogd did not start listening on {self.ports}:\n{self.log_text()}")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM: a clean shutdown (open RELP sessions get a ``serverclose`` hint)."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def kill(self) -> None:
        """SIGKILL: an abrupt crash (``kill -9``), nothing flushed or acknowledged."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.kill()
        proc.wait(10)

    def restart(self, delay: float = 0.0, kill: bool = False) -> Rsyslog:
        """Stop (or kill) rsyslogd, wait *delay* seconds, start it again on the same ports."""
        self.kill() if kill else self.stop()
        if delay:
            time.sleep(delay)
        return self.start()

    def log_text(self) -> str:
        path = self.workdir / "rsyslogd.log"
        return path.read_text(errors="replace") if path.exists() else ""

    @staticmethod
    def read_lines(path: Path) -> list[bytes]:
        """The complete lines of an output file (a partial last line is left out)."""
        data = path.read_bytes() if path.exists() else b""
        return data.split(b"\n")[:-1]

    def wait_for_lines(self, path: Path, count: int, timeout: float = 30.0) -> list[bytes]:
        """Poll *path* until it has *count* lines or *timeout* passes; return the lines."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.read_lines(path)
            if len(lines) >= count or time.monotonic() >= deadline:
                return lines
            time.sleep(0.02)


def _listening(port: int) -> bool:
    """Whether something listens on TCP *port*; read from /proc where possible, because a
    probing connection would show up in rsyslog's log as a broken session."""
    found = False
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as rows:
                next(rows)
                for row in rows:
                    fields = row.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        return True
            found = True
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    if found:
        return False
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def running_rsyslog(
    workdir: Path, config: str, ports: Iterable[int] = (), install: RsyslogInstall | None = None
) -> Iterator[Rsyslog]:
    """Start an :class:`Rsyslog` (skipping the test if rsyslog is unavailable) and stop
    it on exit."""
    collector = Rsyslog(workdir, config, install=install)
    collector.start(ports)
    try:
        yield collector
    finally:
        collector.stop()
