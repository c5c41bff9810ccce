"""Golden tests from the IdentityMesh runbook's "Sample lines" (CEF / LEEF formatting).

The runbook's lines come from a .NET/Serilog implementation. We log the same events
(logger name = SourceContext, the message template with %s args, the properties as
``extra``) and compare with the runbook's line after these BY-DESIGN substitutions:

1. Timestamps: ISO 8601 with milliseconds (``.421Z``), not .NET's 7 digits
   (``.4210000Z``) - Python's ``LogRecord.created`` carries no more precision.
2. LEEF ``devTimeFormat`` is a real Java SimpleDateFormat pattern, which is what
   QRadar parses (``yyyy-MM-dd'T'HH:mm:ss.SSSX``), not the .NET pattern
   ``yyyy-MM-ddTHH:mm:ss.fffffffZ`` (unquoted ``T`` and ``fffffff`` are not Java).
   The runbook's 4th sample omits devTimeFormat; we always write it with an ISO devTime.
3. CEF Name is the %-style template (``%s -> %s``), not Serilog's ``{Action}``.
4. A property named like one of the formatter's own fields (rt, msg, sev, devTime...)
   is written with a ``_2`` suffix rather than emitted twice as the runbook warns.
5. Exception fields: ``exceptionType`` is the fully-qualified class name, and a
   ``stackTrace`` field follows ``exceptionMessage``.
6. CEF ``rt`` is epoch milliseconds by default (the form every CEF consumer reads),
   not ISO 8601; ``timestamp="iso"`` gives substitution 1's form instead.
"""

from __future__ import annotations

import calendar
import logging
from typing import Any

import pytest
from conftest import make_record

from cef_logging import CEFFormatter, LEEFFormatter

IDENTITY_MESH = {"vendor": "IdentityMesh", "product": "Engine", "version": "1.0.0",
                 "default_event_id": "IdentityMesh.Generic"}  # fmt: skip
AUDIT_STORE = "IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore"
ENGINE = "IdentityMesh.Service.IdentityMeshEngine"
T_AUDIT = calendar.timegm((2026, 4, 25, 11, 32, 18)) + 0.421
T_RUN = calendar.timegm((2026, 4, 25, 11, 42, 1)) + 0.003
TAB = "\t"

# --- the runbook's "Sample lines", verbatim ([TAB] is a real tab in the runbook) ---------

RUNBOOK_CEF_AUDIT = (
    "CEF:0|IdentityMesh|Engine|1.0.0|IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore|"
    "Admin audit row recorded: {Action} -> {StatusCode}|4|rt=2026-04-25T11:32:18.4210000Z "
    "msg=Admin audit row recorded: POST /api/connectors -> 201 ActorUpn=alice@corp "
    "Action=POST /api/connectors TargetKind=Connector TargetId=8e6b8c44-... StatusCode=201 "
    "CorrelationId=0HMV-... MachineName=im-engine-01 InstanceName=IdentityMeshEngine "
    "SourceContext=IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore"
)
RUNBOOK_CEF_RUN_FAILED = (
    "CEF:0|IdentityMesh|Engine|1.0.0|IdentityMesh.Service.IdentityMeshEngine|"
    "Connector run {ConnectorName} failed after {Elapsed} ms|6|"
    "rt=2026-04-25T11:42:01.0030000Z msg=Connector run AD-East failed after 4128 ms "
    "ConnectorName=AD-East Elapsed=4128 CycleId=cf0d9a91 reason=LdapException"
)
RUNBOOK_LEEF_AUDIT = (
    "LEEF:2.0|IdentityMesh|Engine|1.0.0|IdentityMesh.Infrastructure.Sql.SqlAdminAuditStore|x09|"
    "devTime=2026-04-25T11:32:18.4210000Z[TAB]devTimeFormat=yyyy-MM-ddTHH:mm:ss.fffffffZ[TAB]"
    "sev=4[TAB]msg=Admin audit row recorded: POST /api/connectors -> 201[TAB]"
    "ActorUpn=alice@corp[TAB]Action=POST /api/connectors[TAB]TargetKind=Connector[TAB]"
    "TargetId=8e6b8c44-...[TAB]StatusCode=201"
).replace("[TAB]", TAB)
RUNBOOK_LEEF_RUN_FAILED = (
    "LEEF:2.0|IdentityMesh|Engine|1.0.0|IdentityMesh.Service.IdentityMeshEngine|x09|"
    "devTime=2026-04-25T11:42:01.0030000Z[TAB]sev=8[TAB]"
    "msg=Connector run AD-East failed after 4128 ms[TAB]ConnectorName=AD-East[TAB]"
    "Elapsed=4128[TAB]CycleId=cf0d9a91[TAB]exceptionType=LdapException[TAB]"
    "exceptionMessage=Server unavailable"
).replace("[TAB]", TAB)

# --- the events ----------------------------------------------------------------------------

AUDIT_PROPS: dict[str, Any] = {
    "ActorUpn": "alice@corp", "Action": "POST /api/connectors", "TargetKind": "Connector",
    "TargetId": "8e6b8c44-...", "StatusCode": 201,
}  # fmt: skip
AUDIT_ENRICHED = {**AUDIT_PROPS, "CorrelationId": "0HMV-...", "MachineName": "im-engine-01",
                  "InstanceName": "IdentityMeshEngine", "SourceContext": AUDIT_STORE}  # fmt: skip


def audit_record(props: dict[str, Any]) -> logging.LogRecord:
    return make_record(
        "Admin audit row recorded: %s -> %s", ("POST /api/connectors", 201),
        name=AUDIT_STORE, extra=props, created=T_AUDIT,
    )  # fmt: skip


# .NET's exception type is namespace-qualified; mirror that with a module name.
LdapException = type("LdapException", (Exception,), {"__module__": "Novell.Directory.Ldap"})


def run_failed_record(level: int, with_exception: bool) -> logging.LogRecord:
    exc_info = None
    if with_exception:
        exc = LdapException("Server unavailable")
        exc_info = (LdapException, exc, None)
    props: dict[str, Any] = {"ConnectorName": "AD-East", "Elapsed": 4128, "CycleId": "cf0d9a91"}
    if not with_exception:
        props["reason"] = "LdapException"
    return make_record(
        "Connector run %s failed after %s ms", ("AD-East", 4128), level=level, name=ENGINE,
        extra=props, exc_info=exc_info, created=T_RUN,
    )  # fmt: skip


def by_design(line: str) -> str:
    """The runbook line with substitutions 1-3 of the module docstring applied."""
    return (
        line.replace("rt=2026-04-25T11:32:18.4210000Z", "rt=1777116738421")  # 6
        .replace("rt=2026-04-25T11:42:01.0030000Z", "rt=1777117321003")  # 6
        .replace("2026-04-25T11:32:18.4210000Z", "2026-04-25T11:32:18.421Z")  # 1
        .replace("2026-04-25T11:42:01.0030000Z", "2026-04-25T11:42:01.003Z")  # 1
        .replace("yyyy-MM-ddTHH:mm:ss.fffffffZ", "yyyy-MM-dd'T'HH:mm:ss.SSSX")  # 2
        .replace("{Action} -> {StatusCode}", "%s -> %s")  # 3
        .replace("{ConnectorName} failed after {Elapsed} ms", "%s failed after %s ms")  # 3
    )


def test_cef_admin_audit() -> None:
    line = CEFFormatter(**IDENTITY_MESH).format(audit_record(AUDIT_ENRICHED))
    assert line == by_design(RUNBOOK_CEF_AUDIT)


def test_cef_run_failure_warning() -> None:
    line = CEFFormatter(**IDENTITY_MESH).format(run_failed_record(logging.WARNING, False))
    assert line == by_design(RUNBOOK_CEF_RUN_FAILED)


def test_leef_admin_audit() -> None:
    line = LEEFFormatter(**IDENTITY_MESH).format(audit_record(AUDIT_PROPS))
    assert line == by_design(RUNBOOK_LEEF_AUDIT)


def test_leef_run_failure_error() -> None:
    line = LEEFFormatter(**IDENTITY_MESH).format(run_failed_record(logging.ERROR, True))
    expected = (
        by_design(RUNBOOK_LEEF_RUN_FAILED)
        # 2: devTimeFormat is always written next to an ISO devTime
        .replace(f"devTime=2026-04-25T11:42:01.003Z{TAB}",
                 f"devTime=2026-04-25T11:42:01.003Z{TAB}devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX"
                 f"{TAB}")
        # 5: qualified type name, then the (here one-line, no traceback) stackTrace
        .replace("exceptionType=LdapException",
                 "exceptionType=Novell.Directory.Ldap.LdapException")
        + f"{TAB}stackTrace=Novell.Directory.Ldap.LdapException: Server unavailable"
    )
    assert line == expected


def test_reserved_name_collisions_are_suffixed() -> None:
    """Runbook: 'rt, devTime, msg, sev are reserved ... emits twice'. We suffix instead (4)."""
    props = {"rt": "pushed", "devTime": "pushed", "sev": "pushed", "Action": "x"}
    cef = CEFFormatter(**IDENTITY_MESH).format(audit_record(props))
    assert cef.endswith(" rt_2=pushed devTime=pushed sev=pushed Action=x")
    assert cef.count(" rt=") == 0 and cef.count("|rt=") == 1
    leef = LEEFFormatter(**IDENTITY_MESH).format(audit_record(props))
    assert leef.endswith(f"{TAB}rt=pushed{TAB}devTime_2=pushed{TAB}sev_2=pushed{TAB}Action=x")


@pytest.mark.parametrize("cls", [CEFFormatter, LEEFFormatter])
def test_signature_fallbacks(cls: type[logging.Formatter]) -> None:
    fmt = cls(**IDENTITY_MESH)
    # EventId property wins over SourceContext (our extra is spelled event_id)
    line = fmt.format(make_record("m", name=AUDIT_STORE, extra={"event_id": "AUDIT-1"}))
    assert line.split("|")[4] == "AUDIT-1"
    # no logger name -> IdentityMesh.Generic
    assert fmt.format(make_record("m", name="")).split("|")[4] == "IdentityMesh.Generic"


def test_keys_are_stripped_not_replaced() -> None:
    line = CEFFormatter(**IDENTITY_MESH, timestamp=None).format(
        make_record("m", extra={"Actor.Upn": "alice@corp", "Target-Kind": "Connector"})
    )
    assert line.endswith("msg=m ActorUpn=alice@corp TargetKind=Connector")


@pytest.mark.parametrize(
    ("level", "cef", "leef"),
    [(5, "0", "1"), (logging.DEBUG, "2", "2"), (logging.INFO, "4", "4"),
     (logging.WARNING, "6", "6"), (logging.ERROR, "8", "8"), (logging.CRITICAL, "10", "10")],
)  # fmt: skip
def test_severity_scale(level: int, cef: str, leef: str) -> None:
    """Verbose 0 / Debug 2 / Information 4 / Warning 6 / Error 8 / Fatal 10. In LEEF a
    mapped 0 is written 1 (QRadar's sev is 1-10)."""
    record = make_record("m", level=level)
    assert CEFFormatter(**IDENTITY_MESH).format(record).split("|")[6] == cef
    assert f"{TAB}sev={leef}{TAB}" in LEEFFormatter(**IDENTITY_MESH).format(record)


def test_values_escape_per_spec() -> None:
    """Runbook: embedded |, =, \\, CR, LF, TAB in property values are escaped."""
    value = "a|b=c\\d\re\nf\tg"
    cef = CEFFormatter(**IDENTITY_MESH, timestamp=None).format(make_record("m", extra={"v": value}))
    assert cef.endswith("msg=m v=a|b\\=c\\\\d\\re\\nf\tg")  # CEF: pipes and TAB not escaped
    leef = LEEFFormatter(**IDENTITY_MESH, timestamp=None).format(
        make_record("m", extra={"v": value})
    )
    assert leef.endswith(f"{TAB}v=a|b=c\\\\d\\re\\nf\\tg")  # LEEF: '=' not escaped
