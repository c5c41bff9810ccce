"""stdlib logging and structlog through one handler: the same CEF lines from both.

``ProcessorFormatter(processors=[CEFRenderer(...)])`` keeps structlog's ``_record``, so
records from plain stdlib loggers render exactly as ``CEFFormatter`` renders them
(template as Name, the record's own time, ``extra=`` fields), and structlog events
render as ``structlog.configure(processors=[..., CEFRenderer(...)])`` would.

    pip install "cef-logging[structlog]"
    python3 examples/structlog_stdlib_bridge.py
"""

from __future__ import annotations

import logging
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

renderer = CEFRenderer(vendor="Acme", product="Gateway", version="2.1")

handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(structlog.stdlib.ProcessorFormatter(processors=[renderer]))
root = logging.getLogger()
root.handlers[:] = [handler]
root.setLevel(logging.INFO)

structlog.configure(
    processors=[
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,  # hand over to logging
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)

# A plain stdlib logger (a library, say) ...
logging.getLogger("gateway.db").warning("slow query on %s", "accounts", extra={"elapsed_ms": 812})
# ... and a structlog logger: both come out as CEF lines from the same handler.
structlog.get_logger("gateway.auth").info("user login", suser="alice", src="10.0.0.1")
