"""CEFRenderer / LEEFRenderer against structlog's JSONRenderer, on three events.

The event dicts are what ``add_logger_name``, ``add_log_level`` and
``TimeStamper(fmt="iso", utc=True)`` leave, plus the extras of the three workloads of
``_workloads.py``: ``clean`` (10 extras, nothing to escape, one key set), ``dirty`` (13
extras, 3 needing escaping) and ``varying`` (10 extras from a 60-key vocabulary).

One process; rounds are interleaved and timed in process CPU time. For each workload it
prints microseconds per event (best round) and the ratio ``JSONRenderer time / ours``
(higher is better) from the best rounds, with the spread of the per-round ratios.
JSONRenderer serialises with the C-accelerated :func:`json.dumps`; ours is pure Python.
A benchmark, not a test: nothing asserts.

    python3 benchmarks/bench_structlog.py [--rounds 15] [--number 4000]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workloads import WORKLOADS, event_dicts, report, run_rounds

from cef_logging import CEFRenderer, LEEFRenderer

PEER = "structlog JSONRenderer"


def contenders() -> dict[str, Callable[[dict[str, Any]], Any]]:
    import structlog

    json_renderer = structlog.processors.JSONRenderer()
    options = {"vendor": "IdentityMesh", "product": "Engine", "version": "1.0.0"}
    cef = CEFRenderer(**options)
    leef = LEEFRenderer(**options)
    return {
        PEER: lambda event: json_renderer(None, "info", event),
        "CEFRenderer": lambda event: cef(None, "info", event),
        "LEEFRenderer": lambda event: leef(None, "info", event),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=4000)
    args = parser.parse_args(argv)
    funcs = contenders()
    events = {name: event_dicts(extras) for name, extras in WORKLOADS.items()}
    timings = run_rounds(funcs, events, args.rounds, args.number)
    print(f"structlog renderers, {args.rounds} interleaved rounds x {args.number} events")
    report(timings, PEER)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
