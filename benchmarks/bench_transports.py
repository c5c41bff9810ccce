"""Transport benchmark: records/s against the stdlib handlers, and logging-call latency
with a collector that is down, black-holed or not reading. Not part of pytest.

    python benchmarks/bench_transports.py [--records N] [--rounds R] [--samples S]

1. Throughput, interleaved rounds in one process, same formatter (``CEFFormatter``) and
   the same record mix (clean events, values that need escaping, varying keys):

   * UDP: ``SyslogHandler`` vs ``logging.handlers.SysLogHandler`` into a UDP socket
     nobody reads;
   * TCP: ``SyslogHandler`` (queued, written by its sender) vs ``SysLogHandler``
     (``socktype=SOCK_STREAM``, written inline) into a real syslog-ng when installed,
     else into a loopback socket drained by a thread; timed until the last record is
     written to the socket (``flush()`` for ``SyslogHandler``);
   * HTTP: ``HTTPBatchHandler`` vs ``logging.handlers.HTTPHandler`` (one request per
     record) into a loopback HTTP server, timed until the collector has every record;
   * RELP vs TCP: ``SyslogHandler(transport="relp")`` beside ``transport="tcp"`` into one
     rsyslog (imrelp and imtcp, Direct queues), timed until rsyslog wrote every record
     (skipped when rsyslog cannot be unpacked, see ``tests/_support_rsyslog.py``).

   Each line prints the median ratio and the worst and best round.

2. Latency of one ``logger.info()`` call, p50/p99/max, per transport, with the collector
   down (connection refused), black-holed (never accepts) and accepting but never reading;
   before and after, the same call with a handler that only formats: the machine's noise
   floor (a descheduled process shows up in every row's max).
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from _support_http import Collector  # noqa: E402
from _support_rsyslog import RAW_TEMPLATE, Rsyslog, RsyslogUnavailable, rsyslog_install  # noqa: E402
from _support_syslog_ng import SyslogNG, free_port, make_self_signed_cert  # noqa: E402

from cef_logging.handlers import HTTPBatchHandler, SyslogHandler  # noqa: E402


def make_formatter() -> logging.Formatter:
    try:
        from cef_logging import CEFFormatter
    except ImportError:
        return logging.Formatter("%(message)s")
    return CEFFormatter(vendor="Acme", product="Bench", version="1.0")


def make_logger(name: str, handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(f"bench.{name}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.handlers[:] = [handler]
    return logger


MIX: list[tuple[str, dict[str, object]]] = [
    ("user login", {"user": "alice", "src": "10.0.0.1"}),
    ("GET https://example.com/a?b=c&d=e", {"request": "https://example.com/a?b=c", "n": 3}),
    ("file C:\\Users\\bob\\x.txt changed\nsecond line", {"filePath": "C:\\Users\\bob\\x.txt"}),
]


def log_records(logger: logging.Logger, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        msg, extra = MIX[i % 3]
        logger.info(msg, extra={**extra, f"k{i % 7}": i})


def quiet(handler: logging.Handler) -> logging.Handler:
    handler.handleError = lambda record: None  # type: ignore[method-assign]
    return handler


# -- throughput -----------------------------------------------------------------------------


def compare(
    label: str, ours: Callable[[], float], theirs: Callable[[], float], rounds: int, unit: int
) -> None:
    """Run both sides *rounds* times, alternating who goes first. Prints the median
    records/s and the median ratio of wall-clock times (with the worst and best round),
    and the median ratio of CPU time used by this process (all its threads): on a busy
    machine the CPU ratio is the steadier of the two."""
    ratios, cpu_ratios, our_rates, their_rates = [], [], [], []

    def timed(side: Callable[[], float]) -> tuple[float, float]:
        cpu = time.process_time()
        wall = side()
        return wall, time.process_time() - cpu

    for n in range(rounds):
        if n % 2:  # alternate who goes first: neither side always gets a warm cache
            t_theirs, c_theirs = timed(theirs)
            t_ours, c_ours = timed(ours)
        else:
            t_ours, c_ours = timed(ours)
            t_theirs, c_theirs = timed(theirs)
        our_rates.append(unit / t_ours)
        their_rates.append(unit / t_theirs)
        ratios.append(t_theirs / t_ours)
        cpu_ratios.append(c_theirs / c_ours if c_ours > 0 else float("nan"))
    print(
        f"{label:<24} ours {statistics.median(our_rates):>9,.0f} rec/s  stdlib "
        f"{statistics.median(their_rates):>9,.0f} rec/s  ratio {statistics.median(ratios):.2f}x"
        f" (worst {min(ratios):.2f}x, best {max(ratios):.2f}x)"
        f"  cpu ratio {statistics.median(cpu_ratios):.2f}x"
    )


def bench_udp(records: int, rounds: int, fmt: logging.Formatter, label: str) -> None:
    # Nobody reads the sink: the kernel drops what does not fit, and no reader thread
    # competes with the logging thread for the interpreter.
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    address = sink.getsockname()
    ours = SyslogHandler(address, transport="udp", app_name="bench")
    theirs = logging.handlers.SysLogHandler(address)
    for h in (ours, theirs):
        h.setFormatter(fmt)
        quiet(h)
    ours_logger, theirs_logger = make_logger("udp.ours", ours), make_logger("udp.std", theirs)

    def run(logger: logging.Logger) -> float:
        started = time.perf_counter()
        log_records(logger, records)
        return time.perf_counter() - started

    compare(label, lambda: run(ours_logger), lambda: run(theirs_logger), rounds, records)
    ours.close()
    theirs.close()
    sink.close()


class TcpSink:
    """Loopback TCP server that reads and discards (used without syslog-ng)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._drain, args=(conn,), daemon=True).start()

    @staticmethod
    def _drain(conn: socket.socket) -> None:
        with conn:
            while conn.recv(1 << 20):
                pass


def bench_tcp(records: int, rounds: int, workdir: Path) -> None:
    server: SyslogNG | None = None
    if shutil.which("syslog-ng"):
        server = SyslogNG(workdir / "sng-tcp", ["tcp_octet", "tcp_newline"])
        server.start()
        ours_port, theirs_port = server.ports["tcp_octet"], server.ports["tcp_newline"]
        sink = "syslog-ng"
    else:
        tcp = TcpSink()
        ours_port = theirs_port = tcp.port
        sink = "loopback sink"
    fmt = make_formatter()
    ours = SyslogHandler(("127.0.0.1", ours_port), transport="tcp", app_name="bench")
    theirs = logging.handlers.SysLogHandler(("127.0.0.1", theirs_port), socktype=socket.SOCK_STREAM)
    for h in (ours, theirs):
        h.setFormatter(fmt)
        quiet(h)
    ours_logger, theirs_logger = make_logger("tcp.ours", ours), make_logger("tcp.std", theirs)

    def run_ours() -> float:
        started = time.perf_counter()
        log_records(ours_logger, records)
        ours.flush(60)
        return time.perf_counter() - started

    def run_theirs() -> float:
        started = time.perf_counter()
        log_records(theirs_logger, records)
        return time.perf_counter() - started

    compare(f"syslog TCP ({sink})", run_ours, run_theirs, rounds, records)
    ours.close()
    theirs.close()
    if server is not None:
        server.stop()


def bench_http(records: int, rounds: int) -> None:
    collector = Collector().start()
    fmt = make_formatter()
    ours = HTTPBatchHandler(collector.url, batch_size=500, flush_interval=0.01, max_queue=records)
    host = f"127.0.0.1:{collector.port}"
    theirs = logging.handlers.HTTPHandler(host, "/ingest", method="POST")
    for h in (ours, theirs):
        h.setFormatter(fmt)
        quiet(h)
    ours_logger, theirs_logger = make_logger("http.ours", ours), make_logger("http.std", theirs)
    few = max(1, records // 20)  # the stdlib handler makes one request per record

    def run_ours() -> float:
        started = time.perf_counter()
        log_records(ours_logger, records)
        ours.flush(120)
        return (time.perf_counter() - started) * few / records

    def run_theirs() -> float:
        started = time.perf_counter()
        log_records(theirs_logger, few)
        return time.perf_counter() - started

    compare("HTTP batches", run_ours, run_theirs, rounds, few)
    ours.close()
    theirs.close()
    collector.stop()


# -- RELP beside TCP, into the same rsyslog ---------------------------------------------------


def bench_relp(records: int, rounds: int, workdir: Path) -> None:
    """``SyslogHandler`` over RELP vs over TCP into one rsyslog (imrelp and imtcp, both
    writing to files through a Direct queue), timed until rsyslog has written every record:
    what acknowledged delivery costs."""
    try:
        rsyslog_install()
    except RsyslogUnavailable as exc:
        print(f"RELP vs TCP           : skipped (rsyslog unavailable: {exc})")
        return
    relp_port, tcp_port_ = free_port(), free_port()
    out = {"relp": workdir / "relp.out", "tcp": workdir / "tcp.out"}
    config = (
        'global(maxMessageSize="64k")\nmodule(load="imrelp")\nmodule(load="imtcp")\n'
        f"{RAW_TEMPLATE}\n"
        + "".join(
            f'ruleset(name="{name}" queue.type="Direct") {{ action(type="omfile" '
            f'file="{out[name]}" template="cef_raw") }}\n'
            for name in out
        )
        + f'input(type="imrelp" address="127.0.0.1" port="{relp_port}" ruleset="relp")\n'
        f'input(type="imtcp" address="127.0.0.1" port="{tcp_port_}" ruleset="tcp")\n'
    )
    server = Rsyslog(workdir / "rsyslog-bench", config).start([relp_port, tcp_port_])
    fmt = make_formatter()
    handlers = {
        "relp": SyslogHandler(("127.0.0.1", relp_port), transport="relp", app_name="bench"),
        "tcp": SyslogHandler(("127.0.0.1", tcp_port_), transport="tcp", app_name="bench"),
    }
    loggers = {}
    for name, handler in handlers.items():
        handler.setFormatter(fmt)
        quiet(handler)
        loggers[name] = make_logger(f"rsyslog.{name}", handler)
    written = dict.fromkeys(out, 0)

    def run(name: str) -> float:
        started = time.perf_counter()
        log_records(loggers[name], records)
        handlers[name].flush(120)
        written[name] += records
        while len(Rsyslog.read_lines(out[name])) < written[name]:
            time.sleep(0.001)
        return time.perf_counter() - started

    ratios, rates = [], {"relp": [], "tcp": []}
    for _ in range(rounds):
        t_relp, t_tcp = run("relp"), run("tcp")
        rates["relp"].append(records / t_relp)
        rates["tcp"].append(records / t_tcp)
        ratios.append(t_tcp / t_relp)
    print(
        f"{'RELP vs TCP (rsyslog)':<22} relp {statistics.median(rates['relp']):>9,.0f} rec/s  "
        f"tcp {statistics.median(rates['tcp']):>9,.0f} rec/s  ratio "
        f"{statistics.median(ratios):.2f}x (worst {min(ratios):.2f}x, best {max(ratios):.2f}x)"
    )
    for handler in handlers.values():
        handler.close()
    server.stop()


# -- latency ----------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {q[49] * 1e3:7.4f} ms  p99 {q[98] * 1e3:7.4f} ms  max {samples[-1] * 1e3:7.3f} ms"


def latency(logger: logging.Logger, n: int) -> list[float]:
    samples = []
    perf = time.perf_counter
    for i in range(n):
        msg, extra = MIX[i % 3]
        t0 = perf()
        logger.info(msg, extra=extra)
        samples.append(perf() - t0)
    return samples


class Fault:
    """A collector address in one of the failure modes."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sock: socket.socket | None = None
        self.held: list[socket.socket] = []
        if mode == "down":
            self.port = free_port()  # nothing listens: connection refused
            return
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        if mode == "black-holed":
            # Fill the accept backlog: further SYNs are dropped, connect() hangs.
            for _ in range(4):
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", self.port))
                self.held.append(s)
        else:  # not reading: accept and keep, never recv
            threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        assert self.sock is not None
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        for s in self.held:
            s.close()
        if self.sock is not None:
            self.sock.close()


class FormatOnly(logging.Handler):
    """No transport at all: the noise floor of the machine for the latency rows."""

    def emit(self, record: logging.LogRecord) -> None:
        self.format(record)


def bench_baseline(samples: int) -> None:
    handler = FormatOnly()
    handler.setFormatter(make_formatter())
    logger = make_logger("lat.baseline", handler)
    latency(logger, 500)
    print(f"latency baseline: format only, no I/O   : {percentiles(latency(logger, samples))}")


def bench_latency(samples: int, workdir: Path) -> None:
    cert = make_self_signed_cert(workdir)
    fmt = make_formatter()
    bench_baseline(samples)
    for mode in ("down", "black-holed", "not reading"):
        for transport in ("udp", "tcp", "tls", "relp", "http"):
            if transport == "udp" and mode != "down":
                continue
            fault = Fault(mode)
            handler: logging.Handler
            common = {"drain_timeout": 0.2, "max_queue": samples * 2, "timeout": 5.0}
            if transport == "http":
                handler = HTTPBatchHandler(f"http://127.0.0.1:{fault.port}/", **common)
            elif transport == "udp":
                handler = SyslogHandler(("127.0.0.1", fault.port), transport="udp")
            else:
                extra = {"cafile": str(cert[0])} if transport == "tls" else {}
                handler = SyslogHandler(
                    ("127.0.0.1", fault.port),
                    transport=transport,  # type: ignore[arg-type]
                    **common,
                    **extra,  # type: ignore[arg-type]
                )
            handler.setFormatter(fmt)
            quiet(handler)
            logger = make_logger(f"lat.{transport}", handler)
            latency(logger, 500)  # warm-up
            result = percentiles(latency(logger, samples))
            print(f"latency {transport:<4} collector {mode:<12}: {result}  (n={samples})")
            handler.close()
            fault.close()
    bench_baseline(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=20_000)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, formatter {type(make_formatter()).__name__}")
    with tempfile.TemporaryDirectory() as tmp:
        bench_udp(args.records, args.rounds, make_formatter(), "syslog UDP")
        # The formatter costs the same on both sides and dominates; this row shows the
        # handlers' own cost, with the cheapest formatter there is.
        bench_udp(
            args.records, args.rounds, logging.Formatter("%(message)s"), "syslog UDP, %(message)s"
        )
        bench_tcp(args.records, args.rounds, Path(tmp))
        bench_http(args.records, args.rounds)
        bench_relp(args.records, args.rounds, Path(tmp))
        bench_latency(args.samples, Path(tmp))


if __name__ == "__main__":
    main()
