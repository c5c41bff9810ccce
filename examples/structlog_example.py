"""structlog with CEFRenderer as the final processor: one CEF line per event on stdout.

    pip install "cef-logging[structlog]"
    python3 examples/structlog_example.py
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import structlog
except ImportError:
    sys.exit(f'{Path(__file__).name} needs structlog: pip install "cef-logging[structlog]"')

try:
    from cef_logging import CEFRenderer
except ImportError:  # run from a source checkout without installing: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from cef_logging import CEFRenderer

structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,  # -> severity
        structlog.processors.TimeStamper(fmt="iso"),  # -> rt
        CEFRenderer(
            vendor="Acme",
            product="Gateway",
            version="2.1",
            default_event_id="gateway",
            static_fields={"dvchost": "gw-01"},
        ),
    ],
    logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
    cache_logger_on_first_use=True,
)

log = structlog.get_logger().bind(logger="gateway.auth")  # "logger" -> SignatureID

log.info("user login", suser="alice", src="10.0.0.1")
log.warning("login throttled", suser="mallory", attempts=7, event_id="AUTH-429")
try:
    raise PermissionError("token expired")
except PermissionError:
    log.exception("login failed", suser="bob")
