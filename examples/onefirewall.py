"""Speak for OneFirewall: the examples of its "Syslog / CEF Log Format" document.

OneFirewall sends CEF over UDP syslog. Its document shows each example with the
header and the extension on separate lines "for reading"; on the wire it is one
line (header, then the extension straight after the header's last pipe). This
script produces every example with ordinary ``logging`` calls and
:class:`cef_logging.CEFFormatter` options and prints the wire lines.

How the document maps onto the formatter:

* Device Version is the build, written with its quotes (``'2025-12-18'``); the
  APP_STATUS example came from an earlier build, ``'2025-10-12'``, so it goes
  through a second formatter.
* SignatureID is the event type (``event_id`` extra); Name is always
  ``Application`` (a filter sets the ``event_name`` extra); INFO is severity 3
  (``severity_map={"INFO": 3}``).
* ``rt`` is ISO-8601 UTC with milliseconds (``timestamp="iso"``); a
  replay logger stamps each record with the time the document shows.
* ``level=INFO`` is a standard field; ``hostname`` the sending host's address
  (a static field). OneFirewall wraps its messages and values with spaces in
  single quotes; the quotes are part of the values the application logs.
* Order: ``fields=["rt", "level", "hostname", "clientip", "user", "member", "msg",
  "..."]``.

Corrections (the only differences from the document's text):

1. ``[email protected]`` is the web page's e-mail obfuscation, not data: it hid a
   ``user=<address>`` pair whole (``=`` is legal in an address's local part, so
   the obfuscator took ``user=`` for part of the address). We send
   ``user=ops@onefirewall.com``, a plausible address.
2. Three ``msg`` values hold a raw ``=`` (IPV4_LIST ``score=150, agid=...``,
   FEEDBACK_UPDATED ``agid=...``, the enriched NET_EVENT ``ofa_score=0 ofa_ip=...
   members=1``). CEF requires ``=`` in extension values to be escaped as ``\\=``:
   the single quotes mean nothing to a CEF parser, so ArcSight and every other
   consumer would split ``msg='fortinet/Allow/org1 ... ofa_score=0`` into a
   truncated ``msg`` plus forged ``ofa_score``, ``ofa_ip`` and ``members`` fields.
   Our formatter escapes them; the lines below print ``\\=`` there.

Run ``python3 examples/onefirewall.py``.
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
from _replay import ListHandler, ReplayLogger

#: Stands in for the address the document's page obfuscated as "[email protected]".
USER = "ops@onefirewall.com"
MEMBER = "'OneFirewall Alliance LTD'"


def application_category(record: logging.LogRecord) -> bool:
    """OneFirewall's header Name is the category, ``Application``, for every event."""
    record.event_name = "Application"
    return True


def make_logger(build: str, lines: list[str]) -> logging.Logger:
    handler = ListHandler(lines=lines)
    handler.setFormatter(
        CEFFormatter(
            vendor="OneFirewall",
            product="OFA-SRV",
            version=f"'{build}'",
            severity_map={"INFO": 3},
            timestamp="iso",  # OneFirewall's rt: ISO 8601 UTC with milliseconds
            standard_fields=["level"],
            static_fields={"hostname": "192.168.0.2"},
            fields=["rt", "level", "hostname", "clientip", "user", "member", "msg", "..."],
        )
    )
    handler.addFilter(application_category)
    logger = ReplayLogger(f"onefirewall.{build}")
    logger.addHandler(handler)
    return logger


def main() -> list[str]:
    """Log the document's examples; return the wire lines in document order."""
    lines: list[str] = []
    early = make_logger("2025-10-12", lines)
    log = make_logger("2025-12-18", lines)

    early.info("'APP STARTED'", extra={
        "at": "2025-10-12T01:21:56.184Z", "event_id": "APP_STATUS",
        "clientip": "NA", "user": "NA", "member": "NA",
    })  # fmt: skip
    log.info("'New agent created'", extra={
        "at": "2025-10-12T00:22:37.234Z", "event_id": "NEW_AGENT",
        "user": USER, "member": MEMBER,
    })  # fmt: skip
    log.info("'Agent with %s deleted'", "OFA_dgH3Ti3z", extra={
        "at": "2025-10-12T00:31:32.529Z", "event_id": "AGENT_DELETED",
        "user": USER, "member": MEMBER,
    })  # fmt: skip
    log.info("'IPv4 list generated for score=%d, agid=%s and plugin=%s'",
             150, "OFA_cBzsXacP", "fortinet", extra={
        "at": "2025-10-12T00:33:43.999Z", "event_id": "IPV4_LIST",
        "user": USER, "member": MEMBER, "tot_size": 22874,
    })  # fmt: skip
    log.info("'Feedback updated for agid=%s'", "OFA_cBzsXacP", extra={
        "at": "2025-10-12T00:48:13.075Z", "event_id": "FEEDBACK_UPDATED",
        "user": USER, "member": MEMBER,
    })  # fmt: skip
    log.info("'IPv4 %s -> %s'", "94.22.73.32", "192.168.0.1", extra={
        "at": "2025-10-12T00:53:56.430Z", "event_id": "NET_EVENT",
    })  # fmt: skip
    log.info("'%s/%s/%s %s->%s:%d ofa_score=%d ofa_ip=%s members=%d'",
             "fortinet", "Allow", "org1", "94.22.73.32", "192.168.0.1", 443, 0, "94.22.73.32", 1,
             extra={"at": "2025-10-12T01:04:30.980Z", "event_id": "NET_EVENT"})  # fmt: skip
    log.info("", extra={
        "at": "2025-10-12T01:16:57.741Z", "event_id": "PUT_DECISION",
        "user": USER, "member": MEMBER, "decision": "BLOCK", "IPv4": "1.0.138.92",
    })  # fmt: skip
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
    print(  # prose to stderr: stdout stays pure CEF, ready for `| cef-logging lint -`
        "Note: the document's IPV4_LIST, FEEDBACK_UPDATED and enriched NET_EVENT messages hold"
        " a raw '='; CEF requires '\\=' inside values (the quotes do not protect them), so they"
        " are escaped above. The document's '[email protected]' is its page's e-mail"
        f" obfuscation of a 'user=<address>' pair; user={USER} stands in for it.",
        file=sys.stderr,
    )
