"""CEF to a daily-rolled file, with python-json-logger's JSON file alongside.

The JSON file is the durable record, the CEF file the SIEM-shaped projection (an ArcSight
File Reader SmartConnector or a Splunk Universal Forwarder tails it). Both are plain
``dictConfig``; the two formatters read the same records.

    pip install "cef-logging[json]"          # python-json-logger, for the JSON file
    python3 examples/cef_daily_file.py [LOG_DIR]

Writes ``identitymesh-cef.log`` and ``identitymesh.json.log`` into LOG_DIR (created if
needed). Without LOG_DIR it writes into a temporary directory and removes it at the end.
The files' lines go to stdout, their names to stderr.
"""

from __future__ import annotations

import logging
import logging.config
import sys
import tempfile
from pathlib import Path

try:
    import cef_logging  # noqa: F401
except ImportError:  # run from a source checkout without installing: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def config(log_dir: Path) -> dict[str, object]:
    """The logging configuration: one CEF and one JSON file handler, rotated at midnight."""
    rotation = {"when": "midnight", "utc": True, "backupCount": 30, "encoding": "utf-8"}
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
                "timestamp": "iso",
                "standard_fields": ["host"],
            },
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
        },
        "handlers": {
            "cef_file": {
                "class": "logging.handlers.TimedRotatingFileHandler",
                "filename": str(log_dir / "identitymesh-cef.log"),
                "formatter": "cef",
                **rotation,
            },
            "json_file": {
                "class": "logging.handlers.TimedRotatingFileHandler",
                "filename": str(log_dir / "identitymesh.json.log"),
                "formatter": "json",
                **rotation,
            },
        },
        "root": {"level": "INFO", "handlers": ["cef_file", "json_file"]},
    }


def log_sample_events() -> None:
    log = logging.getLogger("IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore")
    log.info(
        "Admin audit row recorded: %s -> %s", "POST /api/connectors", 201,
        extra={"ActorUpn": "alice@corp", "Action": "POST /api/connectors", "StatusCode": 201},
    )  # fmt: skip
    logging.getLogger("IdentityMesh.Service.IdentityMeshEngine").warning(
        "Connector run %s failed after %s ms", "AD-East", 4128,
        extra={"ConnectorName": "AD-East", "Elapsed": 4128, "CycleId": "cf0d9a91"},
    )  # fmt: skip


def write_and_show(log_dir: Path) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    logging.config.dictConfig(config(log_dir))
    try:
        log_sample_events()
    finally:
        for handler in logging.getLogger().handlers[:]:
            logging.getLogger().removeHandler(handler)
            handler.close()
    for path in sorted(log_dir.glob("identitymesh*.log")):
        print(f"== {path}", file=sys.stderr, flush=True)
        print(path.read_text(encoding="utf-8"), end="", flush=True)


def main(argv: list[str]) -> int:
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print("usage: python3 examples/cef_daily_file.py [LOG_DIR]", file=sys.stderr)
        return 2
    try:
        import pythonjsonlogger.json  # noqa: F401
    except ImportError:
        print("cef_daily_file.py needs python-json-logger 3.1 or later for its JSON file: "
              'pip install "cef-logging[json]"', file=sys.stderr)  # fmt: skip
        return 2
    if argv:
        write_and_show(Path(argv[0]))
    else:
        with tempfile.TemporaryDirectory(prefix="cef-logging-example-") as tmp:
            write_and_show(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
