"""Mirror the IdentityMesh guide's CEF and LEEF sample lines from Python logging.

The IdentityMesh operator guide ("CEF / LEEF formatting (ArcSight, QRadar)") describes Serilog
formatters; cef-logging is their Python counterpart. This script logs the
guide's sample events with ordinary ``logging`` calls through
:class:`cef_logging.CEFFormatter` and :class:`cef_logging.LEEFFormatter` and prints
the lines: first the CEF line of each event, then the LEEF line of each event.

How the guide maps onto the formatters:

* SignatureID / EventID is the logger name (Serilog's ``SourceContext``).
* Name is the message template, parameterised, not rendered (``name_from="template"``,
  the default). Serilog-style ``{Property}`` templates are rendered from the
  record's extras by :class:`TemplateRecord`, a ``LogRecord`` subclass.
* Severity: the guide's map is the formatters' default (INFO 4, WARNING 6,
  ERROR 8).
* Every property becomes a key=value pair, in the order logged. The admin-audit
  logger carries the guide's enrichers (``MachineName``, ``InstanceName``,
  ``SourceContext``) through a filter; the engine logger carries none, as in the
  guide's engine samples.
* Exceptions become ``exceptionType`` and ``exceptionMessage`` (the guide shows
  no stack trace: ``exclude_fields=["stackTrace"]``).

Corrections (the only differences from the guide's sample lines):

1. ``[TAB]`` in the guide stands for the TAB character (it says so).
2. Timestamps have millisecond precision: ``rt=2026-04-25T11:32:18.421Z``, not the
   guide's seven-digit ``.4210000Z`` (.NET ticks; a Python log record's clock is
   a float), and LEEF's ``devTimeFormat`` is ``yyyy-MM-dd'T'HH:mm:ss.SSSX``. QRadar
   reads ``devTimeFormat`` as a Java ``SimpleDateFormat`` pattern: the guide's
   ``yyyy-MM-ddTHH:mm:ss.fffffffZ`` is .NET syntax that Java rejects (an unquoted
   ``T`` is an illegal pattern letter, and ``f`` is no letter at all).
3. The guide's error-level LEEF sample has ``devTime`` without
   ``devTimeFormat``; QRadar then takes devTime for epoch milliseconds and drops
   or misdates the event. Ours always writes the pair.
4. The guide's info-level LEEF sample stops after ``StatusCode=201`` (its first
   copy, in "What the formatters emit", ends in ``[TAB]...``); it is the same event
   as the CEF sample, so our LEEF line carries the remaining properties too.

Run ``python3 examples/identitymesh.py``.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

try:
    from cef_logging import CEFFormatter, LEEFFormatter
except ImportError:  # run from a source checkout without installing: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from cef_logging import CEFFormatter, LEEFFormatter

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the examples' own helpers
from _replay import ListHandler, ReplayLogger


class LdapException(Exception):
    """Stands in for the .NET ``LdapException`` of the guide's failure sample."""

    # The formatter writes ``module.Type`` except for builtins and ``__main__``; the
    # guide shows the bare name, which is what running this script gives. Keep it
    # bare when the module is imported (the tests import it) as well.
    __module__ = "__main__"


class TemplateRecord(logging.LogRecord):
    """A record whose message is a Serilog-style template: ``{Name}`` holes, filled from
    the record's extras. The template itself stays in ``record.msg`` (the CEF Name)."""

    def getMessage(self) -> str:
        return str(self.msg).format_map(self.__dict__)


class TemplateLogger(ReplayLogger):
    """Replays events as :class:`TemplateRecord` records."""

    record_class = TemplateRecord


def audit_enricher(record: logging.LogRecord) -> bool:
    """The guide's enrichers on the admin-audit logger (Enrich.WithMachineName() etc.)."""
    record.MachineName = "im-engine-01"
    record.InstanceName = "IdentityMeshEngine"
    record.SourceContext = record.name
    return True


def main() -> tuple[list[str], list[str]]:
    """Log the guide's sample events; return (CEF lines, LEEF lines), one per event."""
    header: dict[str, Any] = {"vendor": "IdentityMesh", "product": "Engine", "version": "1.0.0"}
    layout: dict[str, Any] = {"timestamp": "iso", "exclude_fields": ["stackTrace"]}
    cef = ListHandler(CEFFormatter(**header, **layout))
    leef = ListHandler(LEEFFormatter(**header, **layout))

    audit = TemplateLogger("IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore")
    audit.addFilter(audit_enricher)
    engine = TemplateLogger("IdentityMesh.Service.IdentityMeshEngine")
    for logger in (audit, engine):
        logger.addHandler(cef)
        logger.addHandler(leef)

    audit.info("Admin audit row recorded: {Action} -> {StatusCode}", extra={
        "at": "2026-04-25T11:32:18.421Z",
        "ActorUpn": "alice@corp", "Action": "POST /api/connectors", "TargetKind": "Connector",
        "TargetId": "8e6b8c44-...", "StatusCode": 201, "CorrelationId": "0HMV-...",
    })  # fmt: skip

    template = "Connector run {ConnectorName} failed after {Elapsed} ms"
    run = {"ConnectorName": "AD-East", "Elapsed": 4128, "CycleId": "cf0d9a91"}
    engine.warning(template, extra={
        "at": "2026-04-25T11:42:01.003Z", **run, "reason": "LdapException",
    })  # fmt: skip
    try:
        raise LdapException("Server unavailable")
    except LdapException:
        engine.error(template, exc_info=True, extra={"at": "2026-04-25T11:42:01.003Z", **run})
    return cef.lines, leef.lines


if __name__ == "__main__":
    cef_lines, leef_lines = main()
    for line in cef_lines + leef_lines:
        print(line)
