"""Three SIEM sinks as ``logging.config.dictConfig`` configurations.

1. ``file``: CEF to a daily-rolled file (a Splunk Universal Forwarder or an ArcSight File
   Reader SmartConnector tails it);
2. ``syslog``: LEEF over TCP syslog to QRadar: RFC 5424, octet counting, facility local0,
   an app name;
3. ``http``: CEF to an HTTPS collector in batches of 100 every 2 seconds, the token taken
   from the ``SIEM_TOKEN`` environment variable.

    python3 examples/sinks_dictconfig.py file [LOG_DIR]
    QRADAR_HOST=qradar.example.net python3 examples/sinks_dictconfig.py syslog
    SIEM_URL=https://siem.example.net/cef SIEM_TOKEN="Bearer ..." \
        python3 examples/sinks_dictconfig.py http

``file`` writes ``identitymesh-cef.log`` into LOG_DIR (created if needed), or into a
temporary directory removed at the end, and prints the file's lines to stdout. ``syslog``
and ``http`` send one event to the collector named by the environment (``QRADAR_PORT``
defaults to 514); a delivery failure is reported on stderr, and a record the handler counts
as dropped makes the exit status 1. Progress goes to stderr.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import logging.config
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

try:
    import cef_logging  # noqa: F401
except ImportError:  # run from a source checkout without installing: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FORMATTER_ARGS = {"vendor": "IdentityMesh", "product": "Engine", "version": "1.0.0"}

#: 1. CEF to a daily-rolled file, 30 files kept (Serilog "rollingInterval": "Day").
CEF_DAILY_FILE: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"cef": {"()": "cef_logging.CEFFormatter", **FORMATTER_ARGS}},
    "handlers": {
        "cef_file": {
            "class": "logging.handlers.TimedRotatingFileHandler",
            "filename": "identitymesh-cef.log",  # main() puts it in LOG_DIR
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
            "address": ["qradar.example.net", 514],  # main() takes QRADAR_HOST / QRADAR_PORT
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
            "url": "https://siem.example.net/identitymesh/cef",  # main() takes SIEM_URL
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
    filename: identitymesh-cef.log
    when: midnight
    backupCount: 30
    encoding: utf-8
    formatter: cef
  qradar:
    class: cef_logging.handlers.SyslogHandler
    address: [qradar.example.net, 514]
    transport: tcp
    framing: octet-counting
    syslog_format: rfc5424
    facility: local0
    app_name: IdentityMesh
    formatter: leef
  siem_http:
    class: cef_logging.handlers.HTTPBatchHandler
    url: https://siem.example.net/identitymesh/cef
    batch_size: 100
    flush_interval: 2.0
    headers_from_env: {Authorization: SIEM_TOKEN}
    formatter: cef
root:
  level: INFO
  handlers: [cef_file]   # add qradar and/or siem_http
"""

SINKS = ("file", "syslog", "http")
USAGE = "usage: python3 examples/sinks_dictconfig.py {file [LOG_DIR] | syslog | http}"


def configure(sink: str, argv: list[str], log_dir: Path | None) -> dict[str, Any] | str:
    """The configuration for ``sink``, with its target filled in; or an error message."""
    if sink == "file":
        if len(argv) > 1:
            return USAGE
        config = copy.deepcopy(CEF_DAILY_FILE)
        assert log_dir is not None
        config["handlers"]["cef_file"]["filename"] = str(log_dir / "identitymesh-cef.log")
        return config
    if argv:
        return USAGE
    if sink == "syslog":
        host = os.environ.get("QRADAR_HOST")
        if not host:
            return "the syslog sink needs QRADAR_HOST (and optionally QRADAR_PORT, default 514)"
        try:
            port = int(os.environ.get("QRADAR_PORT", "514"))
        except ValueError:
            return f"QRADAR_PORT must be a port number, not {os.environ['QRADAR_PORT']!r}"
        config = copy.deepcopy(LEEF_TCP_SYSLOG)
        config["handlers"]["qradar"]["address"] = [host, port]
        return config
    if not os.environ.get("SIEM_URL") or not os.environ.get("SIEM_TOKEN"):
        return "the http sink needs SIEM_URL and SIEM_TOKEN (the Authorization header's value)"
    config = copy.deepcopy(CEF_HTTPS_BATCHES)
    config["handlers"]["siem_http"]["url"] = os.environ["SIEM_URL"]
    return config


def send(config: dict[str, Any]) -> int:
    """Log one event through ``config``; return how many records the handlers dropped."""
    logging.config.dictConfig(config)
    log = logging.getLogger("IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore")
    log.info(
        "Admin audit row recorded: %s -> %s", "POST /api/connectors", 201,
        extra={"ActorUpn": "alice@corp", "StatusCode": 201},
    )  # fmt: skip
    root = logging.getLogger()
    dropped = 0
    for handler in root.handlers[:]:
        root.removeHandler(handler)
        handler.close()  # the network handlers drain their queue here
        dropped += int(getattr(handler, "dropped", 0))
    return dropped


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in SINKS:
        given = f"unknown sink {argv[0]!r}; " if argv else ""
        print(f"{given}{USAGE}", file=sys.stderr)
        return 2
    sink, rest = argv[0], argv[1:]
    if len(rest) > (1 if sink == "file" else 0):
        print(USAGE, file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        log_dir = None
        if sink == "file":
            if rest:
                log_dir = Path(rest[0])
                log_dir.mkdir(parents=True, exist_ok=True)
            else:
                tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="cef-logging-"))
                log_dir = Path(tmp)
        config = configure(sink, rest, log_dir)
        if isinstance(config, str):
            print(config, file=sys.stderr)
            return 2
        dropped = send(config)
        if dropped:
            print(f"{dropped} event(s) not delivered through the {sink} sink", file=sys.stderr)
            return 1
        if log_dir is not None:
            path = log_dir / "identitymesh-cef.log"
            print(f"== {path}", file=sys.stderr, flush=True)
            print(path.read_text(encoding="utf-8"), end="", flush=True)
        else:
            print(f"sent one event through the {sink} sink", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
