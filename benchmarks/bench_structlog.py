"""Throughput of CEFRenderer / LEEFRenderer against structlog's own renderers.

Same event dict (what ``add_logger_name``, ``add_log_level`` and
``TimeStamper(fmt="iso")`` leave plus 8 user keys: 12 keys), same process, best of
several rounds. Prints events/second and each renderer's ratio to
``structlog.processors.JSONRenderer()`` and ``KeyValueRenderer()``. A benchmark,
not a test: nothing asserts.

    python3 benchmarks/bench_structlog.py [--rounds 7] [--number 20000]
"""

from __future__ import annotations

import argparse
import sys
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


def measure(fn: Renderer, event: dict[str, Any], rounds: int, number: int) -> float:
    """Best events/second over ``rounds`` runs of ``number`` calls."""
    timer = timeit.Timer(lambda: fn(None, "info", event))
    best = min(timer.repeat(repeat=rounds, number=number))
    return number / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=20000)
    args = parser.parse_args(argv)

    event = make_event()
    epoch_event = dict(event, timestamp=1777116738.421312)
    results: dict[str, float] = {}
    for name, fn in contenders().items():
        sample = epoch_event if "epoch" in name else event
        fn(None, "info", sample)  # warm caches
        results[name] = measure(fn, sample, args.rounds, args.number)

    json_rate = results["structlog JSONRenderer"]
    kv_rate = results["structlog KeyValueRenderer"]
    print(f"event dict: {len(event)} keys; best of {args.rounds} x {args.number} calls")
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
