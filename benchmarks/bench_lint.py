"""How many lines per second ``cef-logging lint`` checks.

Generates ~200k realistic lines (CEF and LEEF, rendered by the project's own
formatters, with a syslog prefix on some, dictionary and custom keys, escapes)
into a temporary file, then times, in-process and best of ``--repeat`` runs:

* ``parse only``: ``parse_cef``/``parse_leef(strict=True)`` over the decoded lines
  (the floor: what the parser alone costs);
* ``lint --no-warnings``: reading, decoding, detecting and strict parsing;
* ``lint``: the above plus every warning check, warnings written to a null sink.

Run ``python3 benchmarks/bench_lint.py [--lines N] [--repeat R] [--profile]``.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

try:
    from cef_logging import CEFFormatter, LEEFFormatter
except ImportError:  # run from a source checkout without installing: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from cef_logging import CEFFormatter, LEEFFormatter

from cef_logging import cli
from cef_logging.parse import parse_cef, parse_leef


def generate(path: str, count: int) -> None:
    cef = CEFFormatter(vendor="Acme", product="Gateway", version="4.2", timestamp="epoch_ms")
    cef_iso = CEFFormatter(vendor="Acme", product="Gateway", version="4.2")
    leef = LEEFFormatter(vendor="Acme", product="Gateway", version="4.2")
    formatters = [cef, cef, cef_iso, leef]
    base = time.time()
    samples: list[tuple[str, tuple[object, ...], dict[str, object]]] = [
        ("user %s logged in from %s", ("alice", "10.0.0.1"),
         {"suser": "alice", "src": "10.0.0.1", "spt": 51514, "outcome": "success"}),
        ("request %s %s -> %d", ("GET", "/api/v1/items?page=2&q=a=b", 200),
         {"requestMethod": "GET", "request": "/api/v1/items?page=2&q=a=b", "cn1": 200,
          "cn1Label": "status", "dhost": "api.example.com"}),
        ("denied %s", ("bob",),
         {"duser": "bob", "act": "deny", "reason": "policy\nline two", "tenant": "t-17"}),
        ("job finished", (),
         {"cs1": "nightly-backup", "cs1Label": "job", "cnt": 3, "durationMs": 18234}),
    ]  # fmt: skip
    with open(path, "w", encoding="utf-8") as f:
        for i in range(count):
            msg, args, extra = samples[i % len(samples)]
            record = logging.LogRecord("acme.gw", logging.INFO, __file__, 1, msg, args, None)
            record.created = base + i / 1000
            record.__dict__.update(extra)
            line = formatters[i % len(formatters)].format(record)
            if i % 3 == 0:
                line = f"<134>Apr 25 11:32:18 gw01 acme: {line}"
            f.write(line + "\n")


def time_best(fn: object, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def parse_only(path: str) -> None:
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8").rstrip("\n")
            if line.find("CEF:") != -1 and line.find("LEEF:") == -1:
                parse_cef(line, strict=True)
            else:
                parse_leef(line, strict=True)


def lint(path: str, warnings: bool = True) -> None:
    args = cli.build_parser().parse_args(["lint", path] if warnings else ["lint", "-W", path])
    sink = io.StringIO()
    status = cli.cmd_lint(args, sink, io.StringIO())
    assert status == 0, sink.getvalue()[:2000]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="cProfile one full lint run")
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "lines.log")
        generate(path, opts.lines)
        size = os.path.getsize(path)
        print(f"{opts.lines} lines, {size / 1e6:.1f} MB, Python {sys.version.split()[0]}")
        if opts.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(lint, path)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
            return
        for label, fn in (
            ("parse only (strict)", lambda: parse_only(path)),
            ("lint --no-warnings", lambda: lint(path, warnings=False)),
            ("lint (all checks)", lambda: lint(path)),
        ):
            seconds = time_best(fn, opts.repeat)
            print(f"{label:<22} {opts.lines / seconds:>10,.0f} lines/s  ({seconds:.2f} s)")


if __name__ == "__main__":
    main()
