"""Speak for Kemp LoadMaster: every event class of its "CEF Extension" catalogue.

Kemp (Progress) documents one example CEF line per Device Event Class ID (0-20 for
L7/ESP, 100-104 for SSOMGR). This script produces each of them with ordinary
``logging`` calls and :class:`cef_logging.CEFFormatter` options -- no hand-built
strings -- and prints them, byte for byte as the catalogue shows them from ``CEF:``
on. (Events 17 and 18 are shown behind a syslog prefix, ``<timestamp> lb100 l7log:``;
that prefix is the transport's business, not the formatter's.)

One correction: the catalogue's Event 16 example has an extra pipe in its header,
``CEF:0|Kemp|LM||1.0|16|...``, which shifts every header slot by one (the version
becomes empty, the SignatureID ``1.0``, the Name ``16``, the Severity
``Attempted XSS attack``). A formatter cannot produce that; we print the line Kemp
meant, ``CEF:0|Kemp|LM|1.0|16|Attempted XSS attack|9|...``.

How the catalogue maps onto the formatter:

* SignatureID, Name and Severity are per event: the ``event_id``, ``event_name``
  and ``event_severity`` extras (consumed, never written to the extension). Kemp's
  Name is always the event class, which it repeats as ``event=``; a filter copies
  ``event`` to ``event_name``.
* The log message becomes ``msg`` (left out when the message is empty, as in
  events 4-6 and 14-20). Kemp writes ``msg`` after the other fields, except
  ``await_remaddr`` which follows it: ``fields=["...", "msg", "await_remaddr"]``.
* No timestamp (``timestamp=None``): Kemp's lines carry no ``rt``.

Run ``python3 examples/kemp_loadmaster.py``.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

try:
    from cef_logging import CEFFormatter
except ImportError:  # run from a source checkout without installing: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from cef_logging import CEFFormatter

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the examples' own helpers
from _replay import ListHandler


def name_from_event(record: logging.LogRecord) -> bool:
    """Kemp's header Name is its ``event`` field."""
    record.event_name = record.__dict__.get("event")
    return True


def make_logger() -> tuple[logging.Logger, ListHandler]:
    handler = ListHandler()
    handler.setFormatter(
        CEFFormatter(
            vendor="Kemp",
            product="LM",
            version="1.0",
            timestamp=None,
            fields=["...", "msg", "await_remaddr"],
        )
    )
    handler.addFilter(name_from_event)
    logger = logging.Logger("kemp.l7log")  # stand-alone: no propagation to root handlers
    logger.addHandler(handler)
    return logger, handler


def main() -> list[str]:
    """Log the whole catalogue; return the lines in catalogue order."""
    log, handler = make_logger()

    # --- L7 / ESP ---------------------------------------------------------------------------
    log.info("Accept", extra={
        "event_id": 0, "event_severity": 0,
        "vs": "10.35.56.32:80", "event": "Accept", "srcip": "10.0.30.127", "srcport": 6045,
    })  # fmt: skip
    log.info("Slave accept", extra={
        "event_id": 1, "event_severity": 0,
        "vs": "10.0.70.142:80", "event": "Slave accept", "srcip": "10.35.2.94", "srcport": 56838,
    })  # fmt: skip
    log.info("SSL accept", extra={
        "event_id": 2, "event_severity": 0,
        "vs": "10.0.70.141:80", "event": "SSL accept", "srcip": "10.35.2.94", "srcport": 65431,
    })  # fmt: skip
    log.info("waiting for initial client request", extra={
        "event_id": 3, "event_severity": 1,
        "vs": "10.0.70.141:80", "event": "Connection timed out", "srcip": "10.0.71.104",
        "srcport": 61956, "await_remaddr": 0,
    })  # fmt: skip
    log.info("", extra={
        "event_id": 4, "event_severity": 1,
        "vs": "10.35.56.32:80", "event": "Connected", "srcip": "10.0.30.127", "srcport": 8454,
        "dstip": "10.35.9.11", "dstport": 80,
    })  # fmt: skip
    log.info("", extra={
        "event_id": 5, "event_severity": 3,
        "vs": "172.16.151.21:80", "event": "Connection failed", "srcip": "192.168.10.67",
        "srcport": 17548, "dstip": "172.16.128.37", "dstport": 82,
    })  # fmt: skip
    log.info("", extra={
        "event_id": 6, "event_severity": 1,
        "vs": "172.16.151.50:443", "event": "Logged off", "user": "aduser1@kpauto.net",
        "srcip": "192.168.10.67",
    })  # fmt: skip
    log.info("User Interaction", extra={
        "event_id": 7, "event_severity": 2,
        "vs": "10.0.70.141:443", "event": "User Interaction", "srcip": "10.35.2.94",
        "srcport": 6045,
    })  # fmt: skip
    log.info("logged on", extra={
        "event_id": 8, "event_severity": 1,
        "vs": "10.0.70.141:80", "event": "Logged on", "srcip": "10.0.11.113", "user": "ruth",
    })  # fmt: skip
    log.warning("denied access", extra={
        "event_id": 9, "event_severity": 6,
        "vs": "10.35.56.32:80", "event": "Access Denied", "srcip": "10.0.30.127",
        "user": "ExampleUser",
    })  # fmt: skip
    log.warning("blocked access", extra={
        "event_id": 10, "event_severity": 6,
        "vs": "10.0.70.141:443", "event": "Access Blocked", "srcip": "10.35.2.94",
        "user": "administrator",
    })  # fmt: skip
    log.info("", extra={
        "event_id": 14, "event_severity": 1,
        "vs": "10.35.56.32:80", "event": "Request", "srcip": "10.0.30.127", "srcport": 8454,
        "method": "GET", "url": "http://10.35.56.32/", "user": "peter@street.com",
    })  # fmt: skip
    log.info("", extra={
        "event_id": 15, "event_severity": 2,
        "vs": "172.16.151.21:80", "event": "Attempt", "srcip": "192.168.10.67",
        "srcport": 17946, "method": "GET", "url": "http://172.16.151.21/",
        "user": "test.030@kpauto.net",
    })  # fmt: skip
    # The catalogue shows this one as "CEF:0|Kemp|LM||1.0|16|..." (an extra pipe).
    log.critical("", extra={
        "event_id": 16, "event_severity": 9,
        "vs": "10.0.70.141:80", "event": "Attempted XSS attack", "srcip": "10.0.71.104",
        "srcport": 62098, "dtcode": 7,
    })  # fmt: skip
    log.error("", extra={
        "event_id": 17, "event_severity": 7,
        "vs": "10.1.133.11:25", "event": "SMTP parse failure", "src": "10.0.71.175:61401",
    })  # fmt: skip
    log.warning("", extra={
        "event_id": 18, "event_severity": 6,
        "vs": "10.1.133.11:25", "event": "SMTP Blocked", "src": "10.0.71.175:61401",
        "resource": "ktest.com",
    })  # fmt: skip
    log.warning("", extra={
        "event_id": 19, "event_severity": 6,
        "vs": "10.0.70.141:80", "event": "Blocked access to directory", "srcip": "10.35.2.94",
        "srcport": 62951, "resource": "/",
    })  # fmt: skip
    log.warning("", extra={
        "event_id": 20, "event_severity": 6,
        "vs": "10.0.70.141:80", "event": "Blocked access to host", "srcip": "10.35.2.94",
        "srcport": 63054, "resource": "10.0.70.141",
    })  # fmt: skip

    # --- SSOMGR -----------------------------------------------------------------------------
    log.info("", extra={
        "event_id": 100, "event_severity": 0,
        "vs": "10.35.46.235:443", "event": "User AAA", "user": "mohit@parent.net",
        "domain": "parent.net", "server": "172.21.135.103", "protocol": "LDAP Unencrypted",
        "result": "0:Success",
    })  # fmt: skip
    log.info("Deleted expired user session, start time:%d duration:%d seconds",
             1629182393, 69, extra={
        "event_id": 101, "event_severity": 0,
        "vs": "10.35.46.242:443", "event": "User session timeout", "user": "mohit@parent.net",
        "domain": "MULLTIDOMAIN",
    })  # fmt: skip
    log.info("Deleted user session, start time:%d duration:%d seconds", 1629378587, 8, extra={
        "event_id": 102, "event_severity": 0,
        "vs": "10.35.46.235:443", "event": "User session kill", "user": "mohit@parent.net",
        "domain": "MULLTIDOMAIN",
    })  # fmt: skip
    log.info("Deleted %d user session(s) associated with domain", 1, extra={
        "event_id": 103, "event_severity": 0,
        "event": "Kill all sessions", "domain": "MULLTIDOMAIN",
    })  # fmt: skip
    log.info("SSO cache being flushed user sessions:%d cookie sessions:%d", 1, 1, extra={
        "event_id": 104, "event_severity": 1,
        "event": "Flush SSO cache",
    })  # fmt: skip
    return handler.lines


if __name__ == "__main__":
    for line in main():
        print(line)
