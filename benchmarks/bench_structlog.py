"""Throughput of CEFRenderer / LEEFRenderer against structlog's own renderers.

Same event dict (what ``add_logger_name``, ``add_log_level`` and
``TimeStamper(fmt="iso")`` leave plus 8 user keys: 12 keys), same process, best of
several rounds. Prints events/second and each renderer's ratio to
``structlog.processors.JSONRenderer()`` and ``KeyValueRenderer()``. A benchmark,
not a test: nothing asserts.

    python3 benchmarks/bench_structlog.py [--rounds 40] [--number 3000]
"""

from __future__ import annotations

import argparse
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cef_logging import CEFRenderer, LEEFRenderer

Renderer = Callable[[Any, str, dict[str, Any]], Any]


def make_event() -> dict[str, Any]:
    return {
        "event": "Admin audit row recorded",
        "logger": "IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore",
        "level": "info",
        "timestamp": "2026-04-25T11:32:18.421312Z",
        "ActorUpn": "alice@corp",
        "Action": "POST /api/connectors",
        "TargetKind": "Connector",
        "TargetId": "8e6b8c44-7a51-4a8e-9d7e-0d1c2f3b4a5c",
        "StatusCode": 201,
        "CorrelationId": "0HMV-7F3K2L9Q",
        "ElapsedMs": 12.5,
        "src": "10.0.30.127",
    }


def contenders() -> dict[str, Renderer]:
    import structlog

    return {
        "structlog JSONRenderer": structlog.processors.JSONRenderer(),
        "structlog KeyValueRenderer": structlog.processors.KeyValueRenderer(),
        "CEFRenderer": CEFRenderer(),
        "LEEFRenderer": LEEFRenderer(),
        "CEFRenderer (epoch timestamp)": CEFRenderer(),
    }


def measure(
    contenders: dict[str, tuple[Renderer, dict[str, Any]]], rounds: int, number: int
) -> dict[str, float]:
    """Best events/second of each contender over ``rounds`` interleaved runs of ``number`` calls.

    Rounds are interleaved (every contender once per round) and timed in process CPU time,
    so that load from other processes skews no contender more than another.
    """
    best: dict[str, float] = dict.fromkeys(contenders, float("inf"))
    timers = {
        name: timeit.Timer(lambda fn=fn, ev=ev: fn(None, "info", ev), timer=time.process_time)
        for name, (fn, ev) in contenders.items()
    }
    for _ in range(rounds):
        for name, timer in timers.items():
            best[name] = min(best[name], timer.timeit(number))
    return {name: number / seconds for name, seconds in best.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--number", type=int, default=3000)
    args = parser.parse_args(argv)

    event = make_event()
    epoch_event = dict(event, timestamp=1777116738.421312)
    runs = {
        name: (fn, epoch_event if "epoch" in name else event) for name, fn in contenders().items()
    }
    for fn, sample in runs.values():
        fn(None, "info", sample)  # warm caches
    results = measure(runs, args.rounds, args.number)

    json_rate = results["structlog JSONRenderer"]
    kv_rate = results["structlog KeyValueRenderer"]
    print(
        f"event dict: {len(event)} keys; best of {args.rounds} x {args.number} calls "
        "(process CPU time)"
    )
    print(f"{'renderer':32} {'events/s':>12} {'vs JSON':>8} {'vs KV':>8}")
    for name, rate in results.items():
        print(f"{name:32} {rate:12,.0f} {rate / json_rate:7.2f}x {rate / kv_rate:7.2f}x")
    print()
    print("sample lines:")
    for name, fn in contenders().items():
        if "epoch" not in name:
            print(f"  {name}: {fn(None, 'info', event)!s}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
