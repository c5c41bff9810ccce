"""The three workloads every formatter benchmark measures, stdlib and structlog alike.

* ``clean``: 10 extras, nothing to escape, one key set repeated (one call site);
* ``dirty``: the same plus 3 values that need escaping (13 extras): a URL whose query holds
  ``=``, a Windows path (backslashes) and a two-line reason;
* ``varying``: 10 extras drawn per event from a 60-key vocabulary, so that almost every
  event has a key set never seen before (extras built dynamically).

Each workload is a fixed list of events, cycled through, so that every contender formats
the same events in the same order.
"""

from __future__ import annotations

import datetime
import itertools
import logging
import random
import time
from collections.abc import Callable
from typing import Any

LOGGER_NAME = "IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore"
CREATED = 1777116738.421

CLEAN: dict[str, Any] = {
    "ActorUpn": "alice@corp",
    "Action": "POST /api/connectors",
    "TargetKind": "Connector",
    "TargetId": "8e6b8c44-7a51-4a8e-9d7e-0d1c2f3b4a5c",
    "StatusCode": 201,
    "CorrelationId": "0HMV-7F3K2L9Q",
    "MachineName": "im-engine-01",
    "InstanceName": "IdentityMeshEngine",
    "ElapsedMs": 12.5,
    "src": "10.0.30.127",
}

DIRTY: dict[str, Any] = {
    **CLEAN,
    "RequestUrl": "https://portal.corp.example/api/connectors?id=8e6b8c44&mode=full",
    "ImagePath": "C:\\Program Files\\IdentityMesh\\Engine\\im-engine.exe",
    "Reason": "Password expired for the service account\nRotation is required before retry",
}

_VOCABULARY = [f"{word}{suffix}" for word in (
    "Actor", "Target", "Session", "Request", "Client", "Server", "Tenant", "Policy",
    "Connector", "Operation", "Resource", "Outcome",
) for suffix in ("Id", "Name", "Kind", "Ref", "Count")]


def _value(rng: random.Random, key: str) -> Any:
    if key.endswith("Count"):
        return rng.randrange(0, 100000)
    return f"{key.lower()}-{rng.randrange(0, 10**6):06d}"


def varying_extras(count: int = 20000, seed: int = 11) -> list[dict[str, Any]]:
    """``count`` extras dicts of 10 keys each from a 60-key vocabulary."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        keys = rng.sample(_VOCABULARY, 10)
        out.append({key: _value(rng, key) for key in keys})
    return out


WORKLOADS: dict[str, list[dict[str, Any]]] = {
    "clean": [CLEAN] * 2000,
    "dirty": [DIRTY] * 2000,
    "varying": varying_extras(),
}


def records(extras: list[dict[str, Any]]) -> list[logging.LogRecord]:
    """Real records, as ``logger.info(msg, *args, extra=...)`` makes them."""
    logger = logging.getLogger(LOGGER_NAME)
    out = []
    for i, extra in enumerate(extras):
        record = logger.makeRecord(
            logger.name, logging.INFO, __file__, 1,
            "Admin audit row recorded: %s -> %s", ("POST /api/connectors", 201), None,
            extra=extra,
        )  # fmt: skip
        record.created = created(i)
        out.append(record)
    return out


def event_dicts(extras: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What ``add_logger_name``, ``add_log_level`` and ``TimeStamper(fmt="iso")`` leave."""
    return [
        {"event": "Admin audit row recorded", "logger": LOGGER_NAME, "level": "info",
         "timestamp": iso(created(i)), **extra}
        for i, extra in enumerate(extras)
    ]  # fmt: skip


def created(i: int) -> float:
    """The i-th event's time: events 37 microseconds apart (a busy service)."""
    return CREATED + i * 0.000037


def iso(seconds: float) -> str:
    """As structlog's ``TimeStamper(fmt="iso", utc=True)`` writes it."""
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def run_rounds(
    funcs: dict[str, Callable[[Any], Any]],
    events: dict[str, list[Any]],
    rounds: int,
    number: int,
) -> dict[tuple[str, str], list[float]]:
    """Seconds per call of each (workload, contender), one entry per round.

    Rounds are interleaved: each round runs every workload through every contender
    (``number`` calls, cycling through the workload's events), timed in process CPU time.
    """
    timings: dict[tuple[str, str], list[float]] = {
        (w, c): [] for w in events for c in funcs
    }
    for items in events.values():  # warm up
        for fn in funcs.values():
            for item in items[:100]:
                fn(item)
    cycles = {workload: itertools.cycle(items) for workload, items in events.items()}
    for _ in range(rounds):
        for workload in events:
            # each round continues where the last one stopped: "varying" keeps meeting
            # key sets that were not seen recently
            batch = list(itertools.islice(cycles[workload], number))
            for name, fn in funcs.items():
                start = time.process_time()
                for item in batch:
                    fn(item)
                timings[(workload, name)].append((time.process_time() - start) / number)
    return timings


def report(timings: dict[tuple[str, str], list[float]], peer: str) -> None:
    """Print microseconds per call and ratios (peer time / ours) per workload."""
    workloads = list(dict.fromkeys(w for w, _ in timings))
    names = list(dict.fromkeys(c for _, c in timings))
    print(f"{'workload':9} {'contender':34} {'us/call':>8} {'vs peer':>8} {'rounds':>13}")
    for workload in workloads:
        peer_times = timings[(workload, peer)]
        for name in names:
            times = timings[(workload, name)]
            best = min(times)
            if name == peer:
                print(f"{workload:9} {name:34} {best * 1e6:8.2f}")
                continue
            per_round = sorted(p / t for p, t in zip(peer_times, times, strict=True))
            ratio = min(peer_times) / best
            spread = f"{per_round[0]:.2f}-{per_round[-1]:.2f}x"
            print(f"{workload:9} {name:34} {best * 1e6:8.2f} {ratio:7.2f}x {spread:>13}")
