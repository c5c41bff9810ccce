"""The runbook's three SIEM sinks as ``logging.config.dictConfig`` configurations.

1. CEF to a daily-rolled file (Splunk UF / ArcSight File Reader picks it up);
2. LEEF over TCP syslog to QRadar: RFC 5424, octet counting, facility local0, app name;
3. CEF to an HTTPS collector in batches of 100 every 2 seconds, the token taken from
   the ``SIEM_TOKEN`` environment variable.

Run ``python examples/sinks_dictconfig.py file`` to try the file sink locally; the
other two need a collector (set ``QRADAR_HOST`` / ``SIEM_URL`` and ``SIEM_TOKEN``).
"""

from __future__ import annotations

import logging
import logging.config
import os
import sys
from typing import Any

FORMATTER_ARGS = {"vendor": "IdentityMesh", "product": "Engine", "version": "1.0.0"}

#: 1. CEF to a daily-rolled file, 30 files kept (Serilog "rollingInterval": "Day").
CEF_DAILY_FILE: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"cef": {"()": "cef_logging.CEFFormatter", **FORMATTER_ARGS}},
    "handlers": {
        "cef_file": {
            "class": "logging.handlers.TimedRotatingFileHandler",
            "filename": "logs/identitymesh-cef.log",
            "when": "midnight",
            "backupCount": 30,
            "encoding": "utf-8",
            "utc": True,
            "formatter": "cef",
        }
    },
    "root": {"level": "INFO", "handlers": ["cef_file"]},
}

#: 2. LEEF over TCP syslog to QRadar: RFC 5424 envelope, octet counting, local0.
LEEF_TCP_SYSLOG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"leef": {"()": "cef_logging.LEEFFormatter", **FORMATTER_ARGS}},
    "handlers": {
        "qradar": {
            "class": "cef_logging.handlers.SyslogHandler",
            "address": [os.environ.get("QRADAR_HOST", "qradar.corp.example"), 514],
            "transport": "tcp",  # "tls" (port 6514) verifies the certificate by default
            "framing": "octet-counting",
            "syslog_format": "rfc5424",
            "facility": "local0",
            "app_name": "IdentityMesh",
            "formatter": "leef",
        }
    },
    "root": {"level": "INFO", "handlers": ["qradar"]},
}

#: 3. CEF to an HTTPS collector, batches of 100 every 2 s (Serilog.Sinks.Http).
CEF_HTTPS_BATCHES: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"cef": {"()": "cef_logging.CEFFormatter", **FORMATTER_ARGS}},
    "handlers": {
        "siem_http": {
            "class": "cef_logging.handlers.HTTPBatchHandler",
            "url": os.environ.get("SIEM_URL", "https://siem.corp.example/identitymesh/cef"),
            "batch_size": 100,
            "flush_interval": 2.0,
            "max_queue": 10000,
            # The token never sits in the config: read from the environment at startup.
            # (Or "headers": {"Authorization": "ext://myapp.secrets.SIEM_AUTH"}.)
            "headers_from_env": {"Authorization": "SIEM_TOKEN"},
            "formatter": "cef",
        }
    },
    "root": {"level": "INFO", "handlers": ["siem_http"]},
}

#: The same three sinks in YAML, for ``logging.config.dictConfig(yaml.safe_load(...))``.
YAML = """
version: 1
disable_existing_loggers: false
formatters:
  cef:  {"()": cef_logging.CEFFormatter,  vendor: IdentityMesh, product: Engine, version: 1.0.0}
  leef: {"()": cef_logging.LEEFFormatter, vendor: IdentityMesh, product: Engine, version: 1.0.0}
handlers:
  cef_file:
    class: logging.handlers.TimedRotatingFileHandler
    filename: logs/identitymesh-cef.log
    when: midnight
    backupCount: 30
    encoding: utf-8
    formatter: cef
  qradar:
    class: cef_logging.handlers.SyslogHandler
    address: [qradar.corp.example, 514]
    transport: tcp
    framing: octet-counting
    syslog_format: rfc5424
    facility: local0
    app_name: IdentityMesh
    formatter: leef
  siem_http:
    class: cef_logging.handlers.HTTPBatchHandler
    url: https://siem.corp.example/identitymesh/cef
    batch_size: 100
    flush_interval: 2.0
    headers_from_env: {Authorization: SIEM_TOKEN}
    formatter: cef
root:
  level: INFO
  handlers: [cef_file]   # add qradar and/or siem_http
"""

CONFIGS = {"file": CEF_DAILY_FILE, "syslog": LEEF_TCP_SYSLOG, "http": CEF_HTTPS_BATCHES}


def main(argv: list[str]) -> None:
    name = argv[1] if len(argv) > 1 else "file"
    if name == "file":
        os.makedirs("logs", exist_ok=True)
    logging.config.dictConfig(CONFIGS[name])
    log = logging.getLogger("IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore")
    log.info(
        "Admin audit row recorded: %s -> %s",
        "POST /api/connectors",
        201,
        extra={"ActorUpn": "alice@corp", "StatusCode": 201},
    )
    logging.shutdown()


if __name__ == "__main__":
    main(sys.argv)
