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

import logging
import random
from typing import Any

LOGGER_NAME = "IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore"
CREATED = 1777116738.421
ISO = "2026-04-25T11:32:18.421312Z"

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
    "clean": [CLEAN],
    "dirty": [DIRTY],
    "varying": varying_extras(),
}


def records(extras: list[dict[str, Any]]) -> list[logging.LogRecord]:
    """Real records, as ``logger.info(msg, *args, extra=...)`` makes them."""
    logger = logging.getLogger(LOGGER_NAME)
    out = []
    for extra in extras:
        record = logger.makeRecord(
            logger.name, logging.INFO, __file__, 1,
            "Admin audit row recorded: %s -> %s", ("POST /api/connectors", 201), None,
            extra=extra,
        )  # fmt: skip
        record.created = CREATED
        out.append(record)
    return out


def event_dicts(extras: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What ``add_logger_name``, ``add_log_level`` and ``TimeStamper(fmt="iso")`` leave."""
    return [
        {"event": "Admin audit row recorded", "logger": LOGGER_NAME, "level": "info",
         "timestamp": ISO, **extra}
        for extra in extras
    ]  # fmt: skip
