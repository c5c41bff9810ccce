"""CEFFormatter / LEEFFormatter against python-json-logger's JsonFormatter, on three events.

Workloads (see ``_workloads.py``): ``clean`` (10 extras, nothing to escape, one key set),
``dirty`` (13 extras, 3 needing escaping: URL with ``=``, Windows path, two-line reason)
and ``varying`` (10 extras from a 60-key vocabulary: a new key set almost every event).

One process; rounds are interleaved (every contender and workload once per round) and
timed in process CPU time, so load from other processes hits all contenders alike. For
each workload it prints microseconds per record (best round) and the ratio
``JsonFormatter time / ours`` (higher is better) from the best rounds, with the spread of
the per-round ratios. A benchmark, not a test: nothing asserts.

    python3 benchmarks/bench_formatters.py [--rounds 15] [--number 4000]
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workloads import WORKLOADS, records, report, run_rounds

from cef_logging import CEFFormatter, LEEFFormatter

PEER = "python-json-logger JsonFormatter"


def contenders() -> dict[str, Callable[[logging.LogRecord], str]]:
    try:
        from pythonjsonlogger.json import JsonFormatter
    except ImportError:  # python-json-logger < 3
        from pythonjsonlogger.jsonlogger import JsonFormatter  # type: ignore[no-redef]
    options = {"vendor": "IdentityMesh", "product": "Engine", "version": "1.0.0"}
    return {
        PEER: JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s").format,
        "CEFFormatter": CEFFormatter(**options).format,
        "LEEFFormatter": LEEFFormatter(**options).format,
    }


def option_costs() -> dict[str, Callable[[logging.LogRecord], str]]:
    """CEFFormatter with one option changed at a time: what each choice costs."""
    base = {"vendor": "IdentityMesh", "product": "Engine", "version": "1.0.0"}
    variants: dict[str, dict[str, Any]] = {
        "defaults (rt epoch ms)": {},
        'timestamp="iso"': {"timestamp": "iso"},
        'timestamp="arcsight"': {"timestamp": "arcsight"},
        "static_fields (2)": {"static_fields": {"site": "eu-west-1", "env": "prod"}},
        "max_length=8000": {"max_length": 8000},
        'field_map="ecs"': {"field_map": "ecs"},
        'standard_fields=["host", "pid"]': {"standard_fields": ["host", "pid"]},
        'fields=["msg", "..."]': {"fields": ["msg", "..."]},
        'defaults={"tenant": "-"}': {"defaults": {"tenant": "-"}},
    }
    return {name: CEFFormatter(**base, **extra).format for name, extra in variants.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=4000)
    parser.add_argument(
        "--options", action="store_true", help="also measure what each option costs (clean event)"
    )
    args = parser.parse_args(argv)
    funcs = contenders()
    events = {name: records(extras) for name, extras in WORKLOADS.items()}
    timings = run_rounds(funcs, events, args.rounds, args.number)
    print(f"stdlib formatters, {args.rounds} interleaved rounds x {args.number} records")
    report(timings, PEER)
    if args.options:
        costs = run_rounds(option_costs(), {"clean": events["clean"]}, args.rounds, args.number)
        print()
        print("CEFFormatter option costs on the clean event (ratio: defaults time / this)")
        report(costs, "defaults (rt epoch ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
