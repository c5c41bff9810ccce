"""How fast ``cef-logging lint`` checks lines, in MB/s, on clean, dirty and hostile input.

Inputs (written to a temporary directory):

* ``clean``: ~40 MB of realistic lines rendered by the project's own formatters (CEF with
  epoch-ms ``rt`` and dictionary keys, LEEF), a syslog prefix on a third of them, values
  that need escaping (URLs with ``=``, multi-line text, Windows paths);
* ``dirty``: the same mix with what lint reports: ISO ``rt``, custom keys, quote-wrapped
  values, over-long values, a strict-parse error every 50 lines;
* ``hostile``: three lines of ~10 MB each built to be slow: a million unclosed quotes
  (some closed later), millions of stray LEEF delimiters, a value of escapes.

For each input, in interleaved rounds in one process (best and worst of ``--rounds``):

* ``parse (strict)``: ``parse_cef``/``parse_leef(strict=True)`` over the decoded lines,
  the floor for lint;
* ``lint -W``: the CLI path (read, decode, detect, strict parse), errors only;
* ``lint``: the CLI path with every check, findings written to a null sink;
* ``lenient parse`` (hostile only): ``parse_cef``/``parse_leef`` in the default mode.

Run ``python3 benchmarks/bench_lint.py [--mb N] [--rounds R]``. Not part of the tests.

``--check-growth`` instead measures how the time grows with the input: each hostile line at
1 MB and at 4 MB, lint and lenient parse, best of interleaved rounds; it prints the ratios
(about 4 when linear, 16 when quadratic) and exits 1 if any is 8 or more. The test suite
checks the same property with a deterministic count of Python steps; this is its
wall-clock counterpart, kept out of the tests because timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

try:
    from cef_logging import CEFFormatter, LEEFFormatter
except ImportError:  # run from a source checkout without installing: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from cef_logging import CEFFormatter, LEEFFormatter

from cef_logging import cli
from cef_logging.lint import lint_line
from cef_logging.parse import ParseError, parse_cef, parse_leef

SAMPLES: list[tuple[str, tuple[object, ...], dict[str, object]]] = [
    ("user %s logged in from %s", ("alice", "10.0.0.1"),
     {"suser": "alice", "src": "10.0.0.1", "spt": 51514, "outcome": "success"}),
    ("request %s %s -> %d", ("GET", "/api/v1/items?page=2&q=a=b", 200),
     {"requestMethod": "GET", "request": "/api/v1/items?page=2&q=a=b", "cn1": 200,
      "cn1Label": "status", "dhost": "api.example.com"}),
    ("denied %s", ("bob",),
     {"duser": "bob", "act": "deny", "reason": "policy\nline two", "filePath": "C:\\data\\x.txt"}),
    ("job finished", (), {"cs1": "nightly-backup", "cs1Label": "job", "cnt": 3}),
]  # fmt: skip
DIRTY_EXTRA: list[dict[str, object]] = [
    {"tenant": "t-17", "durationMs": 18234},
    {"msg": "'list for score=150, agid=OFA'"},
    {"act": "d" * 80},
    {},
]


def generate(path: str, megabytes: float, dirty: bool) -> None:
    opts: dict[str, object] = {"vendor": "Acme", "product": "Gateway", "version": "4.2"}
    cef = CEFFormatter(**opts, timestamp="epoch_ms")  # type: ignore[arg-type]
    cef_iso = CEFFormatter(**opts)  # type: ignore[arg-type]
    leef = LEEFFormatter(**opts)  # type: ignore[arg-type]
    formatters = [cef, cef_iso if dirty else cef, cef, leef]
    base = 1_777_116_738.0
    target = int(megabytes * 1e6)
    written = 0
    i = 0
    with open(path, "w", encoding="utf-8") as f:
        while written < target:
            msg, args, extra = SAMPLES[i % len(SAMPLES)]
            record = logging.LogRecord("acme.gw", logging.INFO, __file__, 1, msg, args, None)
            record.created = base + i / 1000
            record.__dict__.update(extra)
            if dirty:
                record.__dict__.update(DIRTY_EXTRA[i % len(DIRTY_EXTRA)])
            line = formatters[i % len(formatters)].format(record)
            if dirty and i % 50 == 49:
                line = line.replace("|5|", "|55|", 1).replace("|3|", "|33|", 1)
            if i % 3 == 0:
                line = f"<134>Apr 25 11:32:18 gw01 acme: {line}"
            f.write(line + "\n")
            written += len(line) + 1
            i += 1


def hostile_lines(size: int = 10_000_000) -> list[str]:
    head = "CEF:0|V|P|1|S|N|5|"
    quotes = head + " ".join(
        f"k{i}='v" if i % 1000 else f"c{i}=w'" for i in range(size // 9)
    )
    delimiters = "LEEF:2.0|V|P|1|E|^|msg=a^" + "x^" * (size // 2)
    escapes = head + "msg=" + "\\\\ \\= x" * (size // 8)
    return [quotes, delimiters, escapes]


def parse_strict(path: str) -> None:
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8").rstrip("\n")
            try:
                if line.find("CEF:") != -1 and line.find("LEEF:") == -1:
                    parse_cef(line, strict=True)
                else:
                    parse_leef(line, strict=True)
            except ParseError:
                pass


def parse_lenient(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                (parse_leef if line.startswith("LEEF") else parse_cef)(line)
            except ParseError:
                pass


def lint(path: str, *extra: str) -> None:
    args = cli.build_parser().parse_args(["lint", *extra, path])
    cli.cmd_lint(args, io.StringIO(), io.StringIO())


def check_growth(rounds: int) -> int:
    """Time for 4x the hostile input over time for 1x, per line kind and job; 1 if any >= 8."""
    names = ("unclosed quotes", "stray LEEF delimiters", "escapes")
    small, big = hostile_lines(1_000_000), hostile_lines(4_000_000)

    def lint_one(line: str) -> None:
        lint_line(line)

    def lenient_one(line: str) -> None:
        try:
            (parse_leef if line.startswith("LEEF") else parse_cef)(line)
        except ParseError:
            pass

    worst = 0.0
    print(f"Python {sys.version.split()[0]}; time(4 MB) / time(1 MB), best of {rounds} rounds")
    for name, s_line, b_line in zip(names, small, big, strict=True):
        for label, job in (("lint", lint_one), ("lenient parse", lenient_one)):
            best = {"small": float("inf"), "big": float("inf")}
            for _ in range(rounds):
                for size, line in (("small", s_line), ("big", b_line)):
                    start = time.process_time()
                    job(line)
                    best[size] = min(best[size], time.process_time() - start)
            ratio = best["big"] / max(best["small"], 1e-9)
            worst = max(worst, ratio)
            print(f"  {name:<22} {label:<14} {ratio:5.2f}x")
    print(f"worst growth {worst:.2f}x ({'linear' if worst < 8 else 'SUPERLINEAR'})")
    return 0 if worst < 8 else 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=40.0, help="size of the clean and dirty inputs")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--check-growth", action="store_true",
                    help="measure time growth on hostile lines; exit 1 if superlinear")
    opts = ap.parse_args()
    if opts.check_growth:
        sys.exit(check_growth(opts.rounds))
    with tempfile.TemporaryDirectory() as tmp:
        paths = {name: os.path.join(tmp, f"{name}.log") for name in ("clean", "dirty", "hostile")}
        generate(paths["clean"], opts.mb, dirty=False)
        generate(paths["dirty"], opts.mb, dirty=True)
        with open(paths["hostile"], "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in hostile_lines()))
        sizes = {name: os.path.getsize(p) for name, p in paths.items()}
        print(f"Python {sys.version.split()[0]}; MB/s of input (1 MB = 10^6 bytes), CPU time "
              f"of this process, best / worst of {opts.rounds} interleaved rounds")  # fmt: skip
        jobs: list[tuple[str, str, Callable[[], None]]] = []
        for name, path in paths.items():
            jobs.append((name, "parse (strict)", lambda p=path: parse_strict(p)))
            jobs.append((name, "lint -W", lambda p=path: lint(p, "-W")))
            jobs.append((name, "lint (all checks)", lambda p=path: lint(p)))
        jobs.append(("hostile", "lenient parse", lambda p=paths["hostile"]: parse_lenient(p)))
        times: dict[tuple[str, str], list[float]] = {(n, label): [] for n, label, _ in jobs}
        for _ in range(opts.rounds):
            for name, label, fn in jobs:
                start = time.process_time()
                fn()
                times[(name, label)].append(time.process_time() - start)
        for name in paths:
            mb = sizes[name] / 1e6
            print(f"\n{name}: {mb:.1f} MB")
            for (n, label), secs in times.items():
                if n == name:
                    best, worst = mb / min(secs), mb / max(secs)
                    print(f"  {label:<20} {best:7.1f} MB/s  (worst {worst:6.1f})  "
                          f"{min(secs):6.2f} s")  # fmt: skip
            floor = min(times[(name, "parse (strict)")])
            full = min(times[(name, "lint (all checks)")])
            print(f"  lint / strict parse: {full / floor:.2f}x the time")


if __name__ == "__main__":
    main()
