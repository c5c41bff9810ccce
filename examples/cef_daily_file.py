"""CEF to a daily-rolled file, with python-json-logger's JSON file alongside.

The runbook's recommended pairing: the JSON file is the durable record, the CEF
file the SIEM-shaped projection (an ArcSight File Reader SmartConnector or a
Splunk Universal Forwarder tails it). Both are plain dictConfig.

    pip install python-json-logger   # only for the JSON sink
    python3 examples/cef_daily_file.py [LOG_DIR]
"""

from __future__ import annotations

import logging
import logging.config
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def config(log_dir: Path) -> dict[str, object]:
    try:
        import pythonjsonlogger.json  # noqa: F401

        json_class = "pythonjsonlogger.json.JsonFormatter"
    except ImportError:  # python-json-logger < 3
        json_class = "pythonjsonlogger.jsonlogger.JsonFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "cef": {
                "()": "cef_logging.CEFFormatter",
                "vendor": "IdentityMesh",
                "product": "Engine",
                "version": "1.0.0",
                "default_event_id": "IdentityMesh.Generic",
                "standard_fields": ["host"],
            },
            "json": {
                "()": json_class,
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
        },
        "handlers": {
            "cef_file": {
                "class": "logging.handlers.TimedRotatingFileHandler",
                "filename": str(log_dir / "identitymesh-cef.log"),
                "when": "midnight",
                "utc": True,
                "backupCount": 30,
                "encoding": "utf-8",
                "formatter": "cef",
            },
            "json_file": {
                "class": "logging.handlers.TimedRotatingFileHandler",
                "filename": str(log_dir / "identitymesh.json.log"),
                "when": "midnight",
                "utc": True,
                "backupCount": 30,
                "encoding": "utf-8",
                "formatter": "json",
            },
        },
        "root": {"level": "INFO", "handlers": ["cef_file", "json_file"]},
    }


def main(argv: list[str]) -> int:
    log_dir = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="cef-logging-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    logging.config.dictConfig(config(log_dir))
    log = logging.getLogger("IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore")
    log.info(
        "Admin audit row recorded: %s -> %s", "POST /api/connectors", 201,
        extra={"ActorUpn": "alice@corp", "Action": "POST /api/connectors", "StatusCode": 201},
    )  # fmt: skip
    logging.getLogger("IdentityMesh.Service.IdentityMeshEngine").warning(
        "Connector run %s failed after %s ms", "AD-East", 4128,
        extra={"ConnectorName": "AD-East", "Elapsed": 4128, "CycleId": "cf0d9a91"},
    )  # fmt: skip
    logging.shutdown()
    for path in sorted(log_dir.iterdir()):
        print(f"== {path}")
        print(path.read_text(encoding="utf-8"), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
