"""The SIEM guides (docs/siem/*.md), proven against real collectors.

Every collector configuration a guide shows is a file in tests/data/collectors/ that
these tests load into the real collector (syslog-ng; rsyslog where it can be unpacked;
the scripted HTTP collector for QRadar's HTTP Receiver), push the library's records
through, and check what comes out: byte for byte against the formatter's own line, and
strict-parsed by ``cef_logging.parse_cef``/``parse_leef`` and by the independent spec
parser in ``tests/_spec_parser.py``.
"""

from __future__ import annotations

import configparser
import logging
import logging.handlers
import re
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from _spec_parser import parse_cef as spec_parse_cef
from _spec_parser import parse_leef as spec_parse_leef
from _support_siem import (
    COLLECTORS,
    GuideSyslogNG,
    LineSink,
    load_config,
    wait_lines,
)
from _support_syslog_ng import (
    SYSLOG_NG,
    SyslogNG,
    free_port,
    make_self_signed_cert,
    requires_syslog_ng,
)

from cef_logging import CEFFormatter, LEEFFormatter, parse_cef, parse_leef
from cef_logging.handlers import HTTPBatchHandler, SyslogHandler

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "siem"

#: A fixed instant (2026-04-25T11:32:18.421Z), so syslog headers and rt are known.
CREATED = 1777116738.421
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

#: (level, message template, args, extras): clean values and values that need escaping
#: (URLs with '=', Windows paths, a multi-line reason, pipes, non-ASCII text).
EVENTS: list[tuple[int, str, tuple[Any, ...], dict[str, Any]]] = [
    (
        logging.WARNING,
        "Login failed for %s",
        ("bob",),
        {"src": "203.0.113.7", "suser": "bob", "reason": "bad password\nretry=3"},
    ),
    (
        logging.INFO,
        "File opened",
        (),
        {
            "filePath": r"C:\Users\bob\Q3 report.docx",
            "request": "https://portal.example/files?id=7&mode=read",
        },
    ),
    (
        logging.ERROR,
        "Input | rejected",
        (),
        {"cs1Label": "input", "cs1": "a|b\\c=d é 漢字", "act": "blocked"},
    ),
    (logging.INFO, "user login", (), {"suser": "alice", "src": "10.0.0.1"}),
]

SYSLOG_SEVERITY = {logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7}


def make_records(name: str = "acme.auth") -> list[logging.LogRecord]:
    logger = logging.getLogger("cef_logging.tests.siem")
    records = []
    for level, msg, args, extra in EVENTS:
        record = logger.makeRecord(name, level, __file__, 1, msg, args, None, extra=extra)
        record.created = CREATED
        record.msecs = 421.0
        records.append(record)
    return records


def rfc3164_header(record: logging.LogRecord, facility: int, host: str, tag: str) -> bytes:
    """What an RFC 3164 sender writes before MSG (local time, as the RFC says)."""
    t = time.localtime(record.created)
    pri = facility * 8 + SYSLOG_SEVERITY[record.levelno]
    stamp = f"{MONTHS[t.tm_mon - 1]} {t.tm_mday:2d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
    return f"<{pri}>{stamp} {host} {tag}: ".encode()


def send(handler: logging.Handler, records: list[logging.LogRecord]) -> None:
    for record in records:
        handler.handle(record)
    handler.flush()
    handler.close()


def check_cef(line: bytes, expected_payload: str) -> None:
    """*line* ends with exactly the formatter's line, which both strict parsers accept."""
    text = line.decode("utf-8")
    assert text.endswith(expected_payload)
    payload = text[text.index("CEF:") :]
    assert payload == expected_payload
    event = parse_cef(payload, strict=True)
    spec = spec_parse_cef(payload)
    assert dict(event.extensions) == spec.extension


def check_leef(line: bytes, expected_payload: str) -> None:
    text = line.decode("utf-8")
    payload = text[text.index("LEEF:") :]
    assert payload == expected_payload
    event = parse_leef(payload, strict=True)
    spec = spec_parse_leef(payload)
    assert dict(event.attributes) == spec.extension


# ------------------------------------------------------------------------------------
# ArcSight and QRadar syslog: the capture listener (syslog-capture.conf)
# ------------------------------------------------------------------------------------


def loopback(port: str, transport: str, new_port: int) -> tuple[str, str]:
    """The replacement that moves a listener of a guide's file to a loopback port."""
    old = f'ip("0.0.0.0") port({port}) transport("{transport}")'
    return old, f'ip("127.0.0.1") port({new_port}) transport("{transport}")'


def start_capture(tmp_path: Path) -> tuple[GuideSyslogNG, dict[str, int], Path, Path]:
    udp, tcp, tls = free_port(socket.SOCK_DGRAM), free_port(), free_port()
    cert, key = make_self_signed_cert(tmp_path)
    out = tmp_path / "capture" / "received.log"
    config = load_config(
        "syslog-capture.conf",
        dict(
            [
                loopback("514", "udp", udp),
                loopback("514", "tcp", tcp),
                loopback("6514", "tls", tls),
                ("/etc/syslog-ng/cert.d/listener.key", str(key)),
                ("/etc/syslog-ng/cert.d/listener.crt", str(cert)),
                ("/var/log/siem-capture/", f"{out.parent}/"),
            ]
        ),
    )
    out.parent.mkdir()
    server = GuideSyslogNG(tmp_path / "syslog-ng", config, [tcp, tls])
    server.start()
    return server, {"udp": udp, "tcp": tcp, "tls": tls}, cert, out


def capture_through_syslog(
    tmp_path: Path, transport: str, fmt: logging.Formatter, facility: str
) -> list[tuple[bytes, str]]:
    """Send the sample records through ``SyslogHandler`` (RFC 3164, newline framing) into
    the capture listener; check each line is the RFC 3164 header plus the formatter's
    line, byte for byte; return ``(line, payload)`` pairs for the format's own checks."""
    server, ports, cert, out = start_capture(tmp_path)
    try:
        handler = SyslogHandler(
            ("127.0.0.1", ports[transport]),
            transport=transport,  # type: ignore[arg-type]
            framing="newline",
            syslog_format="rfc3164",
            facility=facility,
            hostname="app01.example.net",
            app_name="portal",
            cafile=str(cert) if transport == "tls" else None,
            server_hostname="localhost" if transport == "tls" else None,
        )
        handler.setFormatter(fmt)
        records = make_records()
        send(handler, records)
        lines = wait_lines(out, len(records))
    finally:
        server.stop()
    assert len(lines) == len(records), server.log_text()
    code = {"local0": 16, "local1": 17}[facility]
    received = []
    for line, record in zip(lines, records, strict=True):
        payload = fmt.format(record)
        header = rfc3164_header(record, code, "app01.example.net", "portal")
        assert line == header + payload.encode()
        received.append((line, payload))
    return received


@requires_syslog_ng
@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
@pytest.mark.parametrize("timestamp", ["epoch_ms", "arcsight"])
def test_arcsight_connector_receives_rfc3164_cef(
    tmp_path: Path, transport: str, timestamp: str
) -> None:
    """docs/siem/arcsight.md: RFC 3164 header + CEF, one event per line, over UDP/TCP/TLS."""
    fmt = CEFFormatter(vendor="Acme", product="Portal", version="2.4.1", timestamp=timestamp)
    for line, payload in capture_through_syslog(tmp_path, transport, fmt, "local0"):
        check_cef(line, payload)
        rt = parse_cef(payload, strict=True).extensions["rt"]
        if timestamp == "epoch_ms":
            assert rt == "1777116738421"
        else:
            assert rt == "Apr 25 2026 11:32:18.421 UTC"


@requires_syslog_ng
@pytest.mark.parametrize("transport", ["tcp", "tls"])
@pytest.mark.parametrize("leef_version", ["1.0", "2.0"])
@pytest.mark.parametrize("timestamp", ["epoch_ms", "iso"])
def test_qradar_syslog_receives_leef(
    tmp_path: Path, transport: str, leef_version: str, timestamp: str
) -> None:
    """docs/siem/qradar.md: LEEF over TCP or TLS syslog, one event per line."""
    fmt = LEEFFormatter(
        vendor="Acme",
        product="Portal",
        version="2.4.1",
        leef_version=leef_version,  # type: ignore[arg-type]
        timestamp=timestamp,  # type: ignore[arg-type]
    )
    for line, payload in capture_through_syslog(tmp_path, transport, fmt, "local1"):
        check_leef(line, payload)
        attrs = parse_leef(payload, strict=True).attributes
        if timestamp == "epoch_ms":
            assert attrs["devTime"] == "1777116738421" and "devTimeFormat" not in attrs
        else:
            assert attrs["devTime"] == "2026-04-25T11:32:18.421Z"
            assert attrs["devTimeFormat"] == "yyyy-MM-dd'T'HH:mm:ss.SSSX"
        assert 1 <= int(attrs["sev"]) <= 10


# ------------------------------------------------------------------------------------
# QRadar HTTP Receiver: HTTPBatchHandler against the scripted HTTP collector
# ------------------------------------------------------------------------------------

#: The guide's "Message Pattern" for the HTTP Receiver log source: a regular expression
#: that marks the start of each event in a POST body - "LEEF:" at the start of a line.
QRADAR_MESSAGE_PATTERN = "(?m)^LEEF:"


def qradar_events(body: bytes, pattern: str | None) -> list[bytes]:
    """Split a POST body the way the HTTP Receiver documents it: the whole body is one
    event, or, with a Message Pattern, each match starts a new event."""
    if pattern is None:
        return [body]
    starts = [m.start() for m in re.finditer(pattern.encode(), body)]
    return [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
@pytest.mark.parametrize("batch_size", [1, 50])
def test_qradar_http_receiver(tmp_path: Path, tls: bool, batch_size: int) -> None:
    """docs/siem/qradar.md: LEEF lines POSTed by HTTPBatchHandler, split into events."""
    from _support_http import Collector

    cert_key = make_self_signed_cert(tmp_path) if tls else None
    collector = Collector(tls=cert_key).start()
    try:
        fmt = LEEFFormatter(vendor="Acme", product="Portal", version="2.4.1", timestamp="epoch_ms")
        handler = HTTPBatchHandler(
            collector.url,
            batch_size=batch_size,
            flush_interval=0.2,
            cafile=str(cert_key[0]) if cert_key else None,
        )
        handler.setFormatter(fmt)
        records = make_records() * 25
        send(handler, records)
        collector.wait_accepted(len(records))
    finally:
        collector.stop()
    pattern = None if batch_size == 1 else QRADAR_MESSAGE_PATTERN
    events = [e for seen in collector.seen for e in qradar_events(seen.body, pattern)]
    assert len(events) == len(records)
    for event, record in zip(events, records, strict=True):
        payload = fmt.format(record)
        assert event == payload.encode() + b"\n"
        check_leef(event.rstrip(b"\n"), payload)
    assert all(s.headers["Content-Type"].startswith("text/plain") for s in collector.seen)


def test_qradar_message_pattern_must_be_anchored_at_line_start() -> None:
    """docs/siem/qradar.md: a value may contain the text "LEEF:"; an unanchored pattern
    would start a forged event there, the line-anchored one cannot (no value holds a LF)."""
    fmt = LEEFFormatter(vendor="Acme", product="Portal", version="2.4.1", timestamp="epoch_ms")
    record = make_records()[0]
    record.reason = "x\nLEEF:2.0|Evil|Forged|1|admin-login|x09|usrName=root"
    body = (fmt.format(record) + "\n").encode() * 2
    assert len(qradar_events(body, "LEEF:")) == 4
    events = qradar_events(body, QRADAR_MESSAGE_PATTERN)
    assert events == [fmt.format(record).encode() + b"\n"] * 2


# ------------------------------------------------------------------------------------
# Splunk and Elastic: syslog-ng writes a CEF file for the agent (cef-file.conf)
# ------------------------------------------------------------------------------------

# TA-cef-for-splunk (Splunk Inc.), default/props.conf [cef:file] and transforms.conf,
# quoted as facts about what that add-on reads (PCRE named groups written for Python re).
SPLUNK_TIME_PREFIX = re.compile(r"\s(end|rt)\=")
SPLUNK_HEADER = re.compile(
    r"CEF:(\d+)\|([^\|]*)\|([^\|]*)\|([^\|]*)\|([^\|]*)\|([^\|]*)\|([^\|]*)\|"
)
SPLUNK_FIELDS = re.compile(
    r"(?P<_KEY_>[\w\.]*[^\=\\])(?:\[\d+\])?\=(?P<_VAL_1>.+?)(?= (?:[\w\.]*(\[\d+\])?\=)|$)"
)

# Elastic decode_cef (x-pack/filebeat/processors/decode_cef/cef/types.go): a timestamp
# is an integer (epoch milliseconds) or one of CEF's "MMM dd [yyyy] HH:mm:ss[.SSS] [zone]"
# layouts; anything else (ISO 8601 included) is dropped with an error.
DECODE_CEF_TIME = re.compile(
    r"-?\d+|[A-Z][a-z]{2} [ \d]?\d( \d{4})? \d\d:\d\d:\d\d(\.\d{3})?"
    r"( [A-Z]{3,4}| [+-]\d{4}| [+-]\d\d:\d\d| GMT[+-]\d\d:\d\d| Z)?"
)


def start_cef_file(tmp_path: Path) -> tuple[GuideSyslogNG, int, int, Path]:
    tcp, udp = free_port(), free_port(socket.SOCK_DGRAM)
    root = tmp_path / "cef"
    config = load_config(
        "cef-file.conf",
        dict(
            [
                loopback("601", "tcp", tcp),
                loopback("514", "udp", udp),
                ('"/var/log/cef/', f'"{root}/'),
            ]
        ),
    )
    server = GuideSyslogNG(tmp_path / "syslog-ng", config, [tcp])
    server.start()
    return server, tcp, udp, root


@requires_syslog_ng
@pytest.mark.parametrize(
    "transport,syslog_format", [("tcp", "rfc5424"), ("udp", "rfc5424"), ("udp", "rfc3164")]
)
def test_cef_file_for_splunk_and_elastic(
    tmp_path: Path, transport: str, syslog_format: str
) -> None:
    """docs/siem/splunk.md, docs/siem/elastic.md: the file holds exactly the CEF lines."""
    server, tcp, udp, root = start_cef_file(tmp_path)
    try:
        fmt = CEFFormatter(
            vendor="Acme", product="Portal", version="2.4.1", timestamp="epoch_ms",
            fields=["msg", "..."],
        )  # fmt: skip
        handler = SyslogHandler(
            ("127.0.0.1", tcp if transport == "tcp" else udp),
            transport=transport,  # type: ignore[arg-type]
            syslog_format=syslog_format,  # type: ignore[arg-type]
            hostname="app01.example.net",
            app_name="portal",
        )
        handler.setFormatter(fmt)
        records = make_records()
        send(handler, records)
        out = root / "app01.example.net" / "cef.log"
        lines = wait_lines(out, len(records))
    finally:
        server.stop()
    assert len(lines) == len(records), server.log_text()
    for line, record in zip(lines, records, strict=True):
        payload = fmt.format(record)
        assert line == payload.encode()
        check_cef(line, payload)


def splunk_reads(line: str) -> dict[str, Any]:
    """What TA-cef-for-splunk's [cef:file] settings take from one line."""
    found: dict[str, Any] = {}
    m = SPLUNK_TIME_PREFIX.search(line)
    if m:
        digits = line[m.end() : m.end() + 13]  # TIME_FORMAT = %10s%3N
        found["_time"] = int(digits[:10]) + int(digits[10:]) / 1000 if digits.isdigit() else None
    header = SPLUNK_HEADER.search(line)
    assert header is not None
    found["header"] = header.groups()
    extension = line[header.end() :]
    found["fields"] = {m["_KEY_"]: m["_VAL_1"] for m in SPLUNK_FIELDS.finditer(extension)}
    return found


def test_splunk_ta_reads_rt_only_after_a_space() -> None:
    """docs/siem/splunk.md: TIME_PREFIX needs whitespace before rt=, so rt must not be the
    first extension field; fields=["msg", "..."] moves it; values stay escaped."""
    record = make_records()[0]
    default = CEFFormatter(vendor="Acme", product="Portal", version="2.4.1", timestamp="epoch_ms")
    moved = CEFFormatter(
        vendor="Acme", product="Portal", version="2.4.1", timestamp="epoch_ms",
        fields=["msg", "..."],
    )  # fmt: skip
    assert "_time" not in splunk_reads(default.format(record))
    got = splunk_reads(moved.format(record))
    assert got["_time"] == pytest.approx(CREATED)
    assert got["header"] == (
        "0", "Acme", "Portal", "2.4.1", "acme.auth", "Login failed for %s", "6",
    )  # fmt: skip
    assert got["fields"]["rt"] == "1777116738421"
    assert got["fields"]["reason"] == r"bad password\nretry\=3"  # not unescaped by the TA
    assert got["fields"]["src"] == "203.0.113.7"


def test_splunk_ta_header_does_not_honour_escaped_pipes() -> None:
    """docs/siem/splunk.md: a '|' in a header value shifts the TA's header fields."""
    record = make_records()[2]  # Name "Input | rejected", written "Input \| rejected"
    line = CEFFormatter(vendor="Acme", product="Portal", version="2.4.1").format(record)
    assert parse_cef(line, strict=True).name == "Input | rejected"
    assert splunk_reads(line)["header"][5:] == ("Input \\", " rejected")


def test_splunk_and_elastic_agents_tail_the_files_syslog_ng_writes() -> None:
    conf = (COLLECTORS / "cef-file.conf").read_text()
    path = re.search(r'file\("(/var/log/cef/)\$\{HOST\}(/cef\.log)"', conf)
    assert path is not None
    pattern = f"{path[1]}*{path[2]}"
    inputs = configparser.ConfigParser()
    inputs.read(COLLECTORS / "splunk-inputs.conf")
    assert inputs.sections() == [f"monitor://{pattern}"]
    assert inputs[f"monitor://{pattern}"]["sourcetype"] == "cef:file"
    host_segment = pattern.strip("/").split("/").index("*") + 1
    assert inputs[f"monitor://{pattern}"]["host_segment"] == str(host_segment)
    assert f"- {pattern}\n" in (COLLECTORS / "elastic-filebeat.yml").read_text()


@pytest.mark.parametrize("timestamp", ["epoch_ms", "arcsight", "iso"])
def test_decode_cef_timestamp_layouts(timestamp: str) -> None:
    """docs/siem/elastic.md: decode_cef reads epoch_ms and arcsight rt, drops ISO 8601."""
    record = make_records()[0]
    fmt = CEFFormatter(timestamp=timestamp)  # type: ignore[arg-type]
    rt = parse_cef(fmt.format(record), strict=True).extensions["rt"]
    assert (DECODE_CEF_TIME.fullmatch(rt) is not None) == (timestamp != "iso")


# ------------------------------------------------------------------------------------
# Fleet: app processes -> syslog-ng relay with a reliable disk buffer -> SIEM collector
# ------------------------------------------------------------------------------------

APP_INSTANCE = textwrap.dedent(
    """
    import logging, sys
    from cef_logging import CEFFormatter
    from cef_logging.handlers import SyslogHandler

    port, instance, phase, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    handler = SyslogHandler(("127.0.0.1", port), transport="tcp",
                            hostname=f"app-{instance}.example.net", app_name="portal")
    handler.setFormatter(CEFFormatter(vendor="Acme", product="Portal", version="2.4.1",
                                      timestamp="epoch_ms"))
    log = logging.getLogger("acme.audit")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    for i in range(count):
        log.info("audit %s", i, extra={"externalId": f"{instance}-{phase}-{i}", "suser": "alice",
                                       "request": "https://portal.example/x?a=1&b=2"})
    handler.close()
    """
)


def run_instances(port: int, phase: str, instances: int, count: int) -> None:
    """Start *instances* application processes at once; wait until all have exited."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", APP_INSTANCE, str(port), str(n), phase, str(count)],
            stderr=subprocess.PIPE,
        )
        for n in range(instances)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode(errors="replace")


def disk_buffer_queued(relay: SyslogNG) -> int:
    """Messages waiting in the relay's d_siem queue (syslog-ng-ctl stats)."""
    ctl = Path(SYSLOG_NG or "syslog-ng").with_name("syslog-ng-ctl")
    out = subprocess.run(
        [str(ctl), "stats", "-c", str(relay.workdir / "ctl")],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return sum(
        int(line.rsplit(";", 1)[1])
        for line in out.splitlines()
        if "d_siem" in line and line.split(";")[-2] == "queued"
    )


def wait_until(predicate: Any, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


@requires_syslog_ng
def test_fleet_relay_keeps_every_record_through_a_siem_outage(tmp_path: Path) -> None:
    """docs/siem/fleet.md: 3 app processes -> relay (reliable disk buffer) -> SIEM; the
    SIEM is stopped, the relay restarted while the SIEM is down, the SIEM restarted:
    every record arrives, as the application wrote it."""
    instances, count = 3, 300
    siem_port, relay_port = free_port(), free_port()
    siem = SyslogNG(tmp_path / "siem", ["tcp_octet"], ports={"tcp_octet": siem_port})
    config = load_config(
        "fleet-relay.conf",
        dict(
            [
                loopback("601", "tcp", relay_port),
                ('syslog("siem.example.net" port(601)', f'syslog("127.0.0.1" port({siem_port})'),
                ("/var/lib/syslog-ng/disk-buffers", str(tmp_path / "disk-buffers")),
            ]
        ),
    )
    relay = GuideSyslogNG(tmp_path / "relay", config, [relay_port])
    siem.start()
    relay.start()
    try:
        run_instances(relay_port, "up", instances, count)
        assert len(siem.wait_for("tcp_octet", instances * count, timeout=30)) == instances * count

        siem.stop()  # the SIEM goes down ...
        run_instances(relay_port, "down", instances, count)
        assert wait_until(lambda: disk_buffer_queued(relay) >= instances * count), (
            disk_buffer_queued(relay),
            relay.log_text(),
        )
        relay.stop()  # ... and the relay restarts while it is down: only the disk has them
        relay.start()
        siem.start()
        got = siem.wait_for("tcp_octet", 2 * instances * count, timeout=60)
    finally:
        relay.stop()
        siem.stop()

    ids = [parse_cef(r.msg.decode(), strict=True).extensions["externalId"] for r in got]
    expected = {f"{n}-{phase}-{i}" for n in range(instances) for phase in ("up", "down")
                for i in range(count)}  # fmt: skip
    assert set(ids) == expected
    # At-least-once: the disk buffer may send a message again around a restart; none
    # is lost, and each arrives exactly as the application's formatter wrote it.
    for received in got:
        line = received.msg.decode()
        ext = spec_parse_cef(line).extension
        instance, _, i = ext["externalId"].split("-")
        assert received.host == f"app-{instance}.example.net" and received.program == "portal"
        assert line == (
            f"CEF:0|Acme|Portal|2.4.1|acme.audit|audit %s|4|rt={ext['rt']} msg=audit {i}"
            f" externalId={ext['externalId']} suser=alice"
            " request=https://portal.example/x?a\\=1&b\\=2"
        )


# ------------------------------------------------------------------------------------
# Microsoft Sentinel: app -> forwarder (syslog-ng or rsyslog) -> AMA's TCP port 28330
# ------------------------------------------------------------------------------------

FORWARD_LINE = re.compile(rb"<(\d+)>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (\S+) (\S+): (.*)")


def sentinel_records() -> list[logging.LogRecord]:
    """The shared events plus one 20 KB event (rsyslog's default limit is 8 KiB)."""
    records = make_records()
    logger = logging.getLogger("cef_logging.tests.siem")
    big = logger.makeRecord(
        "acme.audit", logging.WARNING, __file__, 1, "bulk export", (), None,
        extra={"cs2Label": "query", "cs2": "q=" + "x" * 20000},
    )  # fmt: skip
    big.created, big.msecs = CREATED, 421.0
    return [*records, big]


def check_forwarded(
    lines: list[bytes], records: list[logging.LogRecord], fmt: CEFFormatter
) -> None:
    assert len(lines) == len(records)
    for line, record in zip(lines, records, strict=True):
        m = FORWARD_LINE.fullmatch(line)
        assert m is not None, line[:200]
        assert int(m[1]) == 20 * 8 + SYSLOG_SEVERITY[record.levelno]  # local4, as sent
        assert m[2] == rfc3164_header(record, 20, "h", "t")[len(m[1]) + 2 :][:15]
        assert m[4] == b"portal"
        check_cef(m[5], fmt.format(record))


def sentinel_app_handler(port: int, transport: str) -> tuple[SyslogHandler, CEFFormatter]:
    fmt = CEFFormatter(vendor="Acme", product="Portal", version="2.4.1", timestamp="epoch_ms")
    handler = SyslogHandler(
        ("127.0.0.1", port),
        transport=transport,  # type: ignore[arg-type]
        framing="newline",
        syslog_format="rfc3164",
        facility="local4",
        hostname="app01.example.net",
        app_name="portal",
        max_datagram_size=65507,
    )
    handler.setFormatter(fmt)
    return handler, fmt


@requires_syslog_ng
@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_sentinel_forwarder_syslog_ng(tmp_path: Path, transport: str) -> None:
    """docs/siem/sentinel.md: syslog-ng forwarder as Microsoft configures it."""
    ama = LineSink()
    port = free_port()
    config = load_config(
        "sentinel-syslog-ng.conf",
        {
            'udp(ip("0.0.0.0") port(514))': f'udp(ip("127.0.0.1") port({port}))',
            'tcp(ip("0.0.0.0") port(514))': f'tcp(ip("127.0.0.1") port({port}))',
            "port(28330)": f"port({ama.port})",
        },
    )
    forwarder = GuideSyslogNG(tmp_path / "syslog-ng", config, [port])
    forwarder.start()
    try:
        handler, fmt = sentinel_app_handler(port, transport)
        records = sentinel_records()
        if transport == "udp":
            records = records[:-1]  # one datagram each; the 20 KB event goes over TCP
        send(handler, records)
        lines = ama.wait(len(records))
    finally:
        forwarder.stop()
        ama.close()
    check_forwarded(lines, records, fmt)
    # syslog-ng writes the sender's address as HOSTNAME (keep-hostname(no), its default)
    assert {FORWARD_LINE.fullmatch(x)[3] for x in lines} == {b"127.0.0.1"}  # type: ignore[index]


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_sentinel_forwarder_rsyslog(tmp_path: Path, transport: str) -> None:
    """docs/siem/sentinel.md: rsyslog forwarder with the AMA's omfwd action."""
    from _support_rsyslog import config_from_file, running_rsyslog

    ama = LineSink()
    port = free_port()
    config = config_from_file(
        COLLECTORS / "sentinel-rsyslog.conf",
        {
            'imudp" port="514"': f'imudp" address="127.0.0.1" port="{port}"',
            'imtcp" port="514"': f'imtcp" address="127.0.0.1" port="{port}"',
            'port="28330"': f'port="{ama.port}"',
        },
    )
    try:
        with running_rsyslog(tmp_path / "rsyslog", config, ports=[port]) as rs:
            rs.check_config()
            handler, fmt = sentinel_app_handler(port, transport)
            records = sentinel_records()
            if transport == "udp":
                records = records[:-1]
            send(handler, records)
            lines = ama.wait(len(records))
    finally:
        ama.close()
    check_forwarded(lines, records, fmt)
    # rsyslog keeps the HOSTNAME of the message
    assert {FORWARD_LINE.fullmatch(x)[3] for x in lines} == {b"app01.example.net"}  # type: ignore[index]


# ------------------------------------------------------------------------------------
# The pages: every configuration a guide shows is a file these tests load
# ------------------------------------------------------------------------------------

PAGES = sorted(DOCS.glob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_guide_shows_tested_configuration_files(page: Path) -> None:
    """The snippets of the pages run in tests/test_docs_snippets.py; here: each included
    configuration exists under tests/data/collectors/ and is used by a test above."""
    text = page.read_text(encoding="utf-8")
    included = re.findall(r'^--8<-- "([^"]+)"$', text, re.M)
    assert included, f"{page.name} shows no collector configuration"
    source = Path(__file__).read_text(encoding="utf-8")
    for path in included:
        assert path.startswith("tests/data/collectors/") and (ROOT / path).is_file(), path
        assert f'"{Path(path).name}"' in source, f"no test loads {path}"


def test_sentinel_rsyslog_cuts_long_messages_without_max_message_size(tmp_path: Path) -> None:
    """docs/siem/sentinel.md: why the rsyslog file sets maxMessageSize - without it, rsyslog
    cuts a 20 KB CEF event at 8 KiB."""
    from _support_rsyslog import config_from_file, running_rsyslog

    ama = LineSink()
    port = free_port()
    config = config_from_file(
        COLLECTORS / "sentinel-rsyslog.conf",
        {
            'global(maxMessageSize="64k")': "",
            'imtcp" port="514"': f'imtcp" address="127.0.0.1" port="{port}"',
            'imudp" port="514"': f'imudp" address="127.0.0.1" port="{free_port()}"',
            'port="28330"': f'port="{ama.port}"',
        },
    )
    try:
        with running_rsyslog(tmp_path / "rsyslog", config, ports=[port]):
            handler, fmt = sentinel_app_handler(port, "tcp")
            big = sentinel_records()[-1]
            send(handler, [big])
            lines = ama.wait(3, timeout=3)
    finally:
        ama.close()
    payload = fmt.format(big).encode()
    assert len(payload) > 20000
    # The event is cut at 8 KiB; the rest arrives as further messages (user.notice, PRI 13)
    # that no longer carry the CEF header.
    assert len(lines) > 1
    assert len(lines[0]) <= 8192 and payload.startswith(lines[0].split(b"portal: ", 1)[1])
    assert all(line.startswith(b"<13>") and b"CEF:" not in line for line in lines[1:])


@pytest.mark.parametrize("daemon", ["syslog-ng", "rsyslog"])
def test_sentinel_forwarders_take_the_stock_handler_over_udp(tmp_path: Path, daemon: str) -> None:
    """docs/siem/sentinel.md: logging.handlers.SysLogHandler over UDP with an ident works
    (the forwarder supplies the timestamp and host it does not send)."""

    ama = LineSink()
    port = free_port()
    fmt = CEFFormatter(vendor="Acme", product="Portal", version="2.4.1", timestamp="epoch_ms")
    stock = logging.handlers.SysLogHandler(
        ("127.0.0.1", port), facility=logging.handlers.SysLogHandler.LOG_LOCAL4
    )
    stock.ident = "portal: "
    stock.setFormatter(fmt)
    records = make_records()
    try:
        if daemon == "syslog-ng":
            if SYSLOG_NG is None:
                pytest.skip("syslog-ng is not installed")
            tcp = free_port()  # syslog-ng listens on it once its sources are up
            config = load_config(
                "sentinel-syslog-ng.conf",
                {
                    'udp(ip("0.0.0.0") port(514))': f'udp(ip("127.0.0.1") port({port}))',
                    'tcp(ip("0.0.0.0") port(514))': f'tcp(ip("127.0.0.1") port({tcp}))',
                    "port(28330)": f"port({ama.port})",
                },
            )
            forwarder = GuideSyslogNG(tmp_path / "syslog-ng", config, [tcp])
            forwarder.start()
            try:
                send(stock, records)
                lines = ama.wait(len(records))
            finally:
                forwarder.stop()
        else:
            from _support_rsyslog import config_from_file, running_rsyslog

            tcp = free_port()  # rsyslog listens on it once its inputs are up
            config = config_from_file(
                COLLECTORS / "sentinel-rsyslog.conf",
                {
                    'imudp" port="514"': f'imudp" address="127.0.0.1" port="{port}"',
                    'imtcp" port="514"': f'imtcp" address="127.0.0.1" port="{tcp}"',
                    'port="28330"': f'port="{ama.port}"',
                },
            )
            with running_rsyslog(tmp_path / "rsyslog", config, ports=[tcp]):
                send(stock, records)
                lines = ama.wait(len(records))
    finally:
        ama.close()
    assert len(lines) == len(records)
    for line, record in zip(lines, records, strict=True):
        m = FORWARD_LINE.fullmatch(line)
        assert m is not None, line[:200]
        assert int(m[1]) == 20 * 8 + SYSLOG_SEVERITY[record.levelno]
        assert m[4] == b"portal"
        check_cef(m[5], fmt.format(record))
