"""cef_logging.listen and ``cef-logging listen``: driven by the library's own handlers and the
standard library's SysLogHandler over every transport, plus hostile and malformed peers."""

from __future__ import annotations

import gzip
import http.client
import json
import logging
import logging.handlers
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from _support_syslog_ng import SYSLOG_NG, make_self_signed_cert, requires_syslog_ng
from conftest import make_record
from hypothesis import given, settings
from hypothesis import strategies as st

from cef_logging import CEFFormatter, LEEFFormatter
from cef_logging._display import UNSAFE, undisplay
from cef_logging.handlers import HTTPBatchHandler, SyslogHandler
from cef_logging.listen import (
    Deframer,
    Frame,
    FramingError,
    Listener,
    Problem,
    Received,
    SyslogHeader,
    is_loopback,
    parse_address,
    parse_syslog,
)
from cef_logging.parse import CEFEvent, LEEFEvent, parse_event

OPTIONS: dict[str, Any] = {"vendor": "Acme", "product": "Shop", "version": "2.1"}
EXTRA = {
    "event_id": "auth.login",
    "src": "203.0.113.7",
    "suser": "alice",
    "request": "/search?q=a=b|c\\d",
}
WAIT = 30.0  # a safety net against hangs, never a timing assertion


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_self_signed_cert(tmp_path_factory.mktemp("listen-cert"))


def collect(listener: Listener, n: int) -> tuple[list[Received], list[Problem]]:
    """The next *n* messages (and the problems seen meanwhile)."""
    got: list[Received] = []
    problems: list[Problem] = []
    deadline = time.monotonic() + WAIT
    while len(got) < n and time.monotonic() < deadline:
        item = listener.get(timeout=0.5)
        if isinstance(item, Received):
            got.append(item)
        elif isinstance(item, Problem):
            problems.append(item)
    assert len(got) == n, (got, problems)
    return got, problems


def next_problem(listener: Listener) -> Problem:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        item = listener.get(timeout=0.5)
        if isinstance(item, Problem):
            return item
        assert item is None, item
    raise AssertionError("no problem reported")


def formatter(kind: str) -> logging.Formatter:
    return CEFFormatter(**OPTIONS) if kind == "cef" else LEEFFormatter(**OPTIONS)


def expected_event(fmt: logging.Formatter, record: logging.LogRecord) -> CEFEvent | LEEFEvent:
    return parse_event(fmt.format(record))


# ----------------------------------------------------------------------------- syslog headers


def test_parse_syslog_rfc5424_with_structured_data_and_bom() -> None:
    text = (
        "<165>1 2026-12-02T12:00:00.123Z web-1 shop 4242 ID47 "
        '[exampleSDID@32473 iut="3" eventSource="App\\]lication"][x@1 a="\\"q\\""] '
        "\ufeffCEF:0|A|B|1|s|n|5|act=x"
    )
    header, msg = parse_syslog(text)
    assert header == SyslogHeader(
        "rfc5424",
        165,
        20,
        5,
        timestamp="2026-12-02T12:00:00.123Z",
        hostname="web-1",
        app_name="shop",
        procid="4242",
        msgid="ID47",
        structured_data='[exampleSDID@32473 iut="3" eventSource="App\\]lication"][x@1 a="\\"q\\""]',
    )
    assert msg == "CEF:0|A|B|1|s|n|5|act=x"


def test_parse_syslog_rfc5424_nil_fields() -> None:
    header, msg = parse_syslog("<14>1 - - - - - - LEEF:2.0|A|B|1|e|")
    assert header is not None and header.format == "rfc5424"
    assert (header.timestamp, header.hostname, header.app_name, header.procid) == (None,) * 4
    assert header.structured_data == "-"
    assert msg == "LEEF:2.0|A|B|1|e|"


@pytest.mark.parametrize(
    ("text", "hostname", "app", "procid", "msg"),
    [
        ("<13>Dec  2 10:00:00 web-1 shop[77]: CEF:0|x", "web-1", "shop", "77", "CEF:0|x"),
        ("<13>Dec 12 10:00:00 web-1 shop: CEF:0|x", "web-1", "shop", None, "CEF:0|x"),
        ("<13>Dec 12 10:00:00 shop: CEF:0|x", None, "shop", None, "CEF:0|x"),
        ("<13>Dec 12 10:00:00 web-1 CEF:0|x", "web-1", None, None, "CEF:0|x"),
        ("<13>Dec 12 10:00:00 CEF:0|x", None, None, None, "CEF:0|x"),
        (
            "<13>2026-12-02T10:00:00+01:00 web-1 shop: LEEF:1.0|x",
            "web-1",
            "shop",
            None,
            "LEEF:1.0|x",
        ),
    ],
)
def test_parse_syslog_rfc3164_variants(
    text: str, hostname: str | None, app: str | None, procid: str | None, msg: str
) -> None:
    header, rest = parse_syslog(text)
    assert header is not None and header.format == "rfc3164"
    assert (header.hostname, header.app_name, header.procid, rest) == (hostname, app, procid, msg)


def test_parse_syslog_pri_only_and_none() -> None:
    header, msg = parse_syslog("<14>CEF:0|A|B|1|s|n|5|")
    assert header == SyslogHeader("pri", 14, 1, 6)
    assert msg == "CEF:0|A|B|1|s|n|5|"
    assert parse_syslog("CEF:0|A|B|1|s|n|5|") == (None, "CEF:0|A|B|1|s|n|5|")
    assert parse_syslog("<999>CEF:0|x") == (None, "<999>CEF:0|x")  # PRI above 191


def test_parse_event_detects_the_first_marker() -> None:
    assert isinstance(parse_event("LEEF:1.0|A|B|1|e|k=CEF:0"), LEEFEvent)
    assert isinstance(parse_event("x CEF:0|A|B|1|s|n|5|k=LEEF:1.0"), CEFEvent)
    with pytest.raises(ValueError, match="not a CEF or LEEF line"):
        parse_event("hello")


# ----------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("text", "transport", "expected"),
    [
        ("5514", "udp", ("127.0.0.1", 5514)),
        (":0", "tcp", ("127.0.0.1", 0)),
        ("0.0.0.0:514", "udp", ("0.0.0.0", 514)),
        ("[::1]:6514", "tls", ("::1", 6514)),
        ("[::]", "tls", ("::", 6514)),
        ("localhost", "http", ("localhost", 8088)),
    ],
)
def test_parse_address(text: str, transport: str, expected: tuple[str, int]) -> None:
    assert parse_address(text, transport) == expected


@pytest.mark.parametrize("text", ["host:port", "::1:514", "[::1", "1.2.3.4:70000"])
def test_parse_address_errors(text: str) -> None:
    with pytest.raises(ValueError, match="malformed address"):
        parse_address(text)


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("example.org")


def test_listener_refuses_bad_arguments(tls_cert: tuple[Path, Path]) -> None:
    with pytest.raises(ValueError, match="at least one"):
        Listener()
    with pytest.raises(ValueError, match="certfile"):
        Listener(tls="0")
    with pytest.raises(ValueError, match="max_message_size"):
        Listener(udp="0", max_message_size=0)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            Listener(tcp=taken.getsockname()).start()


# ----------------------------------------------------------------------------- framing


def feed_bytewise(deframer: Deframer, data: bytes) -> list[Frame]:
    out: list[Frame] = []
    for i in range(len(data)):
        out += deframer.feed(data[i : i + 1])
    return out + deframer.end()


def test_deframer_octet_counting_split_anywhere() -> None:
    data = b"5 hello11 <14>world\n\n3 abc"
    whole = Deframer()
    assert whole.feed(data) + whole.end() == [
        Frame(b"hello", False),
        Frame(b"<14>world", False),
        Frame(b"abc", False),
    ]
    assert whole.framing == "octet-counting"
    assert feed_bytewise(Deframer(), data) == [
        Frame(b"hello", False),
        Frame(b"<14>world", False),
        Frame(b"abc", False),
    ]


def test_deframer_newline_lf_crlf_and_nul() -> None:
    data = b"<14>one\n<14>two\r\n<14>three\x00\n<14>last"
    expected = [
        Frame(b"<14>one", False),
        Frame(b"<14>two", False),
        Frame(b"<14>three", False),
        Frame(b"<14>last", False),
    ]
    d = Deframer()
    assert d.feed(data) + d.end() == expected
    assert d.framing == "newline"
    assert feed_bytewise(Deframer(), data) == expected


def test_deframer_bounds_oversized_messages() -> None:
    for chunked in (False, True):
        d = Deframer(max_message_size=10)
        data = b"<14>" + b"x" * 100 + b"\n<14>next\n"
        frames = feed_bytewise(d, data) if chunked else d.feed(data) + d.end()
        assert frames == [Frame(b"<14>xxxxxx", True), Frame(b"<14>next", False)]
        assert len(d._buf) == 0
        d = Deframer(max_message_size=10)
        data = b"104 <14>" + b"x" * 100 + b"8 <14>next"
        frames = feed_bytewise(d, data) if chunked else d.feed(data) + d.end()
        assert frames == [Frame(b"<14>xxxxxx", True), Frame(b"<14>next", False)]


def test_deframer_refuses_a_broken_octet_stream() -> None:
    with pytest.raises(FramingError, match="octet count"):
        Deframer().feed(b"3 abcX")
    with pytest.raises(FramingError, match="octet count"):
        Deframer().feed(b"123456789012345 x")
    d = Deframer()
    d.feed(b"10 abc")
    with pytest.raises(FramingError, match="middle of an octet-counted frame"):
        d.end()


# ----------------------------------------------------------------------------- transports


@pytest.mark.parametrize("kind", ["cef", "leef"])
@pytest.mark.parametrize("syslog_format", ["rfc5424", "rfc3164"])
@pytest.mark.parametrize(
    ("transport", "framing"),
    [
        ("udp", "octet-counting"),
        ("tcp", "octet-counting"),
        ("tcp", "newline"),
        ("tls", "octet-counting"),
        ("tls", "newline"),
    ],
)
def test_syslog_handler_every_transport(
    kind: str, syslog_format: str, transport: str, framing: str, tls_cert: tuple[Path, Path]
) -> None:
    cert, key = tls_cert
    with Listener(**{transport: "127.0.0.1:0"}, certfile=str(cert), keyfile=str(key)) as listener:
        handler = SyslogHandler(
            listener.address(transport),
            transport=transport,
            framing=framing,  # type: ignore[arg-type]
            syslog_format=syslog_format,
            app_name="shop-api",
            hostname="web-1",  # type: ignore[arg-type]
            facility="local4",
            cafile=str(cert) if transport == "tls" else None,
        )
        fmt = formatter(kind)
        handler.setFormatter(fmt)
        records = [
            make_record("login ok", extra=EXTRA),
            make_record("multi\nline", level=logging.ERROR, extra={"cs1": "x\ny"}),
        ]
        try:
            for record in records:
                handler.handle(record)
            got, problems = collect(listener, len(records))
        finally:
            handler.close()
    assert problems == []
    for received, record in zip(got, records, strict=True):
        assert received.transport == transport
        assert received.framing == ("datagram" if transport == "udp" else framing)
        assert received.error is None
        assert received.event == expected_event(fmt, record)
        header = received.header
        assert header is not None and header.format == syslog_format
        assert (header.facility, header.hostname, header.app_name) == (20, "web-1", "shop-api")
        assert header.severity == (6 if record.levelno == logging.INFO else 3)
        if syslog_format == "rfc5424":
            assert header.procid == str(os.getpid())
            assert header.timestamp == "2026-04-25T11:32:18.421000Z"


@requires_syslog_ng
def test_syslog_ng_relays_into_the_listener(tmp_path: Path, tls_cert: tuple[Path, Path]) -> None:
    """A real, independent sender: syslog-ng reads lines from a file and forwards them with
    its own RFC 3164 (UDP, TCP newline) and RFC 5424 (TCP and TLS octet counting) headers."""
    cert, key = tls_cert
    fmt = formatter("cef")
    line = fmt.format(make_record("login failed", extra=EXTRA))
    source = tmp_path / "in.log"
    source.write_text(f"<14>Dec  2 10:00:00 web-1 shop[42]: {line}\n", encoding="utf-8")
    with Listener(udp="0", tcp="0", tls="0", certfile=str(cert), keyfile=str(key)) as listener:
        port = {name: listener.address(name)[1] for name in ("udp", "tcp", "tls")}
        conf = tmp_path / "syslog-ng.conf"
        conf.write_text(
            "@version: 3.35\n"
            "options { keep-hostname(yes); use-dns(no); chain-hostnames(no); stats-freq(0); };\n"
            f'source s_in {{ file("{source}" follow-freq(0.1)); }};\n'
            f'destination d_udp {{ network("127.0.0.1" port({port["udp"]}) transport("udp")); }};\n'
            f'destination d_tcp {{ network("127.0.0.1" port({port["tcp"]}) transport("tcp")); }};\n'
            f'destination d_5424 {{ syslog("127.0.0.1" port({port["tcp"]}) transport("tcp")'
            ' persist-name("d5424")); };\n'
            f'destination d_tls {{ syslog("127.0.0.1" port({port["tls"]}) transport("tls")'
            f' tls(ca-file("{cert}") peer-verify(required-trusted))); }};\n'
            "log { source(s_in); destination(d_udp); destination(d_tcp); destination(d_5424);"
            " destination(d_tls); };\n"
        )
        assert SYSLOG_NG is not None
        proc = subprocess.Popen(
            [
                SYSLOG_NG,
                "-F",
                "--no-caps",
                "-f",
                str(conf),
                "-R",
                str(tmp_path / "persist"),
                "-p",
                str(tmp_path / "pid"),
                "-c",
                str(tmp_path / "ctl"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            got, problems = collect(listener, 4)
        finally:
            proc.terminate()
            proc.wait(WAIT)
    assert problems == []
    kinds = sorted((r.transport, r.framing, r.header.format) for r in got)  # type: ignore[union-attr]
    assert kinds == [
        ("tcp", "newline", "rfc3164"),
        ("tcp", "octet-counting", "rfc5424"),
        ("tls", "octet-counting", "rfc5424"),
        ("udp", "datagram", "rfc3164"),
    ]
    for received in got:
        header = received.header
        assert header is not None
        assert (header.hostname, header.app_name, header.procid) == ("web-1", "shop", "42")
        assert received.event == parse_event(line)


@pytest.mark.parametrize("socktype", [socket.SOCK_DGRAM, socket.SOCK_STREAM])
def test_stdlib_syslog_handler(socktype: int) -> None:
    transport = "udp" if socktype == socket.SOCK_DGRAM else "tcp"
    with Listener(**{transport: "127.0.0.1:0"}) as listener:
        handler = logging.handlers.SysLogHandler(listener.address(transport), socktype=socktype)
        fmt = formatter("cef")
        handler.setFormatter(fmt)
        handler.ident = "shop: "
        records = [make_record("one", extra=EXTRA), make_record("two")]
        try:
            for record in records:
                handler.handle(record)
            got, _ = collect(listener, 2)
        finally:
            handler.close()
    for received, record in zip(got, records, strict=True):
        assert received.header is not None and received.header.format == "pri"
        assert received.header.pri == 14
        assert received.framing == ("datagram" if transport == "udp" else "newline")
        event = received.event
        assert isinstance(event, CEFEvent)
        assert event.prefix == "shop: "
        assert event.extensions == parse_event(fmt.format(record)).extensions  # type: ignore[union-attr]


@pytest.mark.parametrize("use_gzip", [False, True])
def test_http_batch_handler(use_gzip: bool) -> None:
    with Listener(http="127.0.0.1:0") as listener:
        host, port = listener.address("http")
        handler = HTTPBatchHandler(
            f"http://{host}:{port}/ingest?x=1", gzip=use_gzip, batch_size=3, flush_interval=60
        )
        fmt = formatter("leef")
        handler.setFormatter(fmt)
        records = [make_record(f"event {i}", extra=EXTRA) for i in range(7)]
        try:
            for record in records:
                handler.handle(record)
            handler.flush(WAIT)
            got, problems = collect(listener, len(records))
            assert handler.sent == 7 and handler.rejected == 0
        finally:
            handler.close()
    assert problems == []
    assert [r.event for r in got] == [expected_event(fmt, r) for r in records]
    assert {(r.transport, r.framing, r.header) for r in got} == {("http", "http", None)}
    assert listener.stats().connections == 1  # keep-alive: three batches, one connection


def test_https_and_chunked_bodies(tls_cert: tuple[Path, Path]) -> None:
    cert, key = tls_cert
    with Listener(https="0", certfile=str(cert), keyfile=str(key)) as listener:
        host, port = listener.address("https")
        context = ssl.create_default_context(cafile=str(cert))
        conn = http.client.HTTPSConnection(host, port, context=context, timeout=WAIT)
        lines = [b"CEF:0|A|B|1|s|n|5|k=1\n", b"CEF:0|A|B|1|s|n|5|k=2\r\n", b"LEEF:1.0|A|B|1|e|"]
        conn.request("POST", "/", body=iter(lines), encode_chunked=True)
        response = conn.getresponse()
        assert response.status == 200
        response.read()
        got, _ = collect(listener, 3)
        conn.close()
    assert [r.message for r in got] == [
        "CEF:0|A|B|1|s|n|5|k=1",
        "CEF:0|A|B|1|s|n|5|k=2",
        "LEEF:1.0|A|B|1|e|",
    ]


def test_every_transport_in_one_process(tls_cert: tuple[Path, Path]) -> None:
    cert, key = tls_cert
    with Listener(
        udp="0",
        tcp=["0", ("127.0.0.1", 0)],
        tls="0",
        http="0",
        certfile=str(cert),
        keyfile=str(key),
    ) as listener:
        assert [t for t, _ in listener.addresses] == ["udp", "tcp", "tcp", "tls", "http"]
        handlers: list[logging.Handler] = []
        for transport, address in listener.addresses:
            if transport == "http":
                handlers.append(HTTPBatchHandler(f"http://{address[0]}:{address[1]}/"))
            else:
                handlers.append(
                    SyslogHandler(
                        address,
                        transport=transport,  # type: ignore[arg-type]
                        cafile=str(cert) if transport == "tls" else None,
                    )
                )
        try:
            for i, handler in enumerate(handlers):
                handler.setFormatter(formatter("cef"))
                handler.handle(make_record(f"via {i}"))
                handler.flush()
            got, _ = collect(listener, len(handlers))
        finally:
            for handler in handlers:
                handler.close()
    assert sorted(r.transport for r in got) == ["http", "tcp", "tcp", "tls", "udp"]
    assert listener.stats().received == {"udp": 1, "tcp": 2, "tls": 1, "http": 1}


def test_callback_api() -> None:
    seen: list[Received] = []
    with Listener(udp="0", on_event=seen.append) as listener:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(b"<14>CEF:0|A|B|1|s|n|5|k=v", listener.address("udp"))
            deadline = time.monotonic() + WAIT
            while not seen and time.monotonic() < deadline:
                time.sleep(0.01)
    assert len(seen) == 1 and seen[0].event is not None
    assert seen[0].event.extensions == {"k": "v"}  # type: ignore[union-attr]
    assert listener.get(timeout=0) is None  # nothing was queued


# ----------------------------------------------------------------------------- hostile peers


def test_malformed_and_slow_peers_do_not_stall_others() -> None:
    with Listener(tcp="0") as listener:
        address = listener.address("tcp")
        slow = socket.create_connection(address)
        slow.sendall(b"28 <14>CEF:0|A|B|1|s|")  # half a frame, then silence
        bad = socket.create_connection(address)
        bad.sendall(b"3 abc<14>CEF:0|not|a|length|")
        got, _ = collect(listener, 1)
        assert got[0].message == "abc"  # the frame before the garbage is kept
        problem = next_problem(listener)
        assert "malformed stream" in problem.message and problem.transport == "tcp"
        assert bad.recv(100) == b""  # the listener closed only that connection
        with socket.create_connection(address) as good:
            good.sendall(b"<14>CEF:0|A|B|1|s|n|5|k=good\n")
            got, _ = collect(listener, 1)
            assert got[0].event.extensions == {"k": "good"}  # type: ignore[union-attr]
        slow.sendall(b"n|5|k=slow")
        got, _ = collect(listener, 1)
        assert got[0].event.extensions == {"k": "slow"}  # type: ignore[union-attr]
        slow.close()
        bad.close()


def test_oversized_messages_are_cut_and_marked() -> None:
    with Listener(tcp="0", udp="0", http="0", max_message_size=100) as listener:
        big = "CEF:0|A|B|1|s|n|5|k=" + "x" * 1000
        with socket.create_connection(listener.address("tcp")) as sock:
            sock.sendall(f"<14>{big}\n<14>CEF:0|A|B|1|s|n|5|k=next\n".encode())
            got, _ = collect(listener, 2)
        assert got[0].truncated and len(got[0].raw) == 100
        assert got[0].event is not None and got[0].event.extensions["k"] == "x" * 76  # type: ignore[union-attr]
        assert not got[1].truncated and got[1].message.endswith("k=next")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.sendto(big.encode(), listener.address("udp"))
            got, _ = collect(listener, 1)
        assert got[0].truncated and got[0].transport == "udp"
        conn = http.client.HTTPConnection(*listener.address("http"), timeout=WAIT)
        conn.request("POST", "/", body=(big + "\nCEF:0|A|B|1|s|n|5|\n").encode())
        assert conn.getresponse().status == 200
        got, _ = collect(listener, 2)
        assert [r.truncated for r in got] == [True, False]
        conn.close()
        assert listener.stats().truncated == 3


def test_http_refuses_oversized_bombs_and_garbage() -> None:
    with Listener(http="0", max_body_size=100_000) as listener:
        address = listener.address("http")
        conn = http.client.HTTPConnection(*address, timeout=WAIT)
        conn.request("POST", "/", body=b"x" * 200_000)
        assert conn.getresponse().status == 413
        assert "max_body_size" in next_problem(listener).message
        conn.close()
        bomb = gzip.compress(b"\n" * 10_000_000)
        conn = http.client.HTTPConnection(*address, timeout=WAIT)
        conn.request("POST", "/", body=bomb, headers={"Content-Encoding": "gzip"})
        assert conn.getresponse().status == 413
        assert "decompressed body larger" in next_problem(listener).message
        conn.close()
        with socket.create_connection(address) as sock:
            sock.sendall(b"\x16\x03\x01garbage\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 400 ")
        assert "malformed HTTP request line" in next_problem(listener).message
        with socket.create_connection(address) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nx\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 400 ")
        assert "malformed chunked" in next_problem(listener).message
        conn = http.client.HTTPConnection(*address, timeout=WAIT)
        conn.request("POST", "/", body=b"x", headers={"Content-Encoding": "br"})
        refused = conn.getresponse()
        assert refused.status == 415 and refused.read() == b""
        assert "unsupported Content-Encoding" in next_problem(listener).message
        conn.request("GET", "/")  # the same connection, kept alive
        response = conn.getresponse()
        assert response.status == 200 and b"POST" in response.read()
        conn.request("POST", "/", body=b"CEF:0|A|B|1|s|n|5|k=after\n")
        assert conn.getresponse().status == 200
        got, _ = collect(listener, 1)
        assert got[0].message == "CEF:0|A|B|1|s|n|5|k=after"


def test_plaintext_peer_on_the_tls_port(tls_cert: tuple[Path, Path]) -> None:
    cert, key = tls_cert
    with Listener(tls="0", certfile=str(cert), keyfile=str(key)) as listener:
        address = listener.address("tls")
        with socket.create_connection(address) as plain:
            plain.sendall(b"<14>CEF:0|A|B|1|s|n|5|k=plain\n")
            plain.settimeout(WAIT)
            assert plain.recv(100) == b""  # closed after the failed handshake
        problem = next_problem(listener)
        assert problem.transport == "tls" and "TLS handshake failed" in problem.message
        distrusting = ssl.create_default_context()  # does not know the self-signed cert
        with socket.create_connection(address) as raw, pytest.raises(ssl.SSLError):
            distrusting.wrap_socket(raw, server_hostname="127.0.0.1")
        problem = next_problem(listener)
        assert "TLS handshake failed" in problem.message
        handler = SyslogHandler(address, transport="tls", cafile=str(cert))
        handler.setFormatter(formatter("cef"))
        try:
            handler.handle(make_record("after the plaintext peer"))
            got, _ = collect(listener, 1)
        finally:
            handler.close()
    assert got[0].transport == "tls" and got[0].event is not None


def test_invalid_utf8_is_flagged() -> None:
    with Listener(udp="0") as listener:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(b"<14>CEF:0|A|B|1|s|n|5|k=\xff\xfe", listener.address("udp"))
            got, _ = collect(listener, 1)
    assert got[0].invalid_utf8 and got[0].event.extensions == {"k": "\ufffd\ufffd"}  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- the command


class Command:
    """``cef-logging listen`` as a subprocess; knows the ports it printed on stderr."""

    def __init__(self, *args: str, transports: int = 1) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cef_logging", "listen", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.addresses: dict[str, tuple[str, int]] = {}
        self.stderr: list[str] = []
        assert self.proc.stderr is not None
        while len(self.addresses) < transports:
            line = self.proc.stderr.readline()
            assert line, f"exited early: {self.stderr}"
            self.stderr.append(line)
            if ": listening on " in line:
                name, where = line.rsplit(" ", 2)[-2:]
                host, _, port = where.strip().rpartition(":")
                self.addresses[name] = (host, int(port))

    def finish(self) -> tuple[int, str, str]:
        # Read through the same buffered streams as __init__ (communicate() would skip
        # what they have already buffered).
        assert self.proc.stdout is not None and self.proc.stderr is not None
        out = self.proc.stdout.read()
        err = self.proc.stderr.read()
        return self.proc.wait(WAIT), out, "".join(self.stderr) + err

    def stdout(self) -> IO[str]:
        assert self.proc.stdout is not None
        return self.proc.stdout


@pytest.fixture
def cleanup() -> Iterator[list[Command]]:
    commands: list[Command] = []
    yield commands
    for command in commands:
        if command.proc.poll() is None:
            command.proc.kill()
            command.proc.communicate()


def test_cli_count_json_every_transport(
    cleanup: list[Command], tls_cert: tuple[Path, Path]
) -> None:
    cert, key = tls_cert
    command = Command(
        "--udp",
        "0",
        "--tcp",
        "127.0.0.1:0",
        "--tls",
        "0",
        "--http",
        "0",
        "--certfile",
        str(cert),
        "--keyfile",
        str(key),
        "--format",
        "json",
        "--count",
        "4",
        "--timeout",
        str(WAIT),
        transports=4,
    )
    cleanup.append(command)
    handlers: list[logging.Handler] = [
        SyslogHandler(command.addresses["udp"]),
        SyslogHandler(
            command.addresses["tcp"], transport="tcp", framing="newline", syslog_format="rfc3164"
        ),
        SyslogHandler(command.addresses["tls"], transport="tls", cafile=str(cert)),
        HTTPBatchHandler("http://{}:{}/".format(*command.addresses["http"]), gzip=True),
    ]
    fmt = formatter("cef")
    record = make_record("hello", extra=EXTRA)
    for handler in handlers:
        handler.setFormatter(fmt)
        handler.handle(record)
        handler.close()
    status, out, err = command.finish()
    assert status == 0, err
    objects = [json.loads(line) for line in out.splitlines()]
    assert sorted(o["transport"] for o in objects) == ["http", "tcp", "tls", "udp"]
    expected = parse_event(fmt.format(record))
    for o in objects:
        assert o["event"]["extensions"] == expected.extensions  # type: ignore[union-attr]
        assert o["event"]["format"] == "CEF" and o["error"] is None
    assert "--count reached; 4 messages (" in err and "0 parse failures" in err


def test_cli_sigint_prints_a_summary_and_exits_0(cleanup: list[Command]) -> None:
    command = Command("--udp", "0", "--lint")
    cleanup.append(command)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"<14>not an event", command.addresses["udp"])
        sock.sendto(b"<14>CEF:0|A|B|1|s|n|5|rt=2024-01-01T00:00:00Z", command.addresses["udp"])
    stdout = command.stdout()
    lines = []
    while not any("CEF201" in line for line in lines):  # the last line of the 2nd block
        line = stdout.readline()
        assert line
        lines.append(line)
    command.proc.send_signal(signal.SIGINT)
    status, out, err = command.finish()
    assert status == 0
    assert "press Ctrl-C to stop" in err
    assert "stopped; 2 messages (udp 2), 1 parse failure, findings: 1 error, 1 warning" in err, err
    text = "".join(lines) + out
    assert "  error:        column 1: not a CEF or LEEF line" in text
    assert "  lint:         warning CEF201 column " in text


def test_cli_prints_hostile_values_safely(cleanup: list[Command], tmp_path: Path) -> None:
    output = tmp_path / "events.txt"
    command = Command(
        "--tcp",
        "0",
        "--count",
        "2",
        "--timeout",
        str(WAIT),
        "--lint",
        "--raw",
        "--output",
        str(output),
    )
    cleanup.append(command)
    forged = "x\nall.log:7: error: forged finding\x1b[2J\x9b31m\u202egnp.exe\u2028\x85\x00"
    frames = [
        f"<14>1 - host\x1b]0;title\x07 app - - - CEF:0|A|B|1|s|{forged}|5|act={forged} k=v",
        f"<14>{forged}",
    ]
    with socket.create_connection(command.addresses["tcp"]) as sock:
        for frame in frames:
            data = frame.encode()
            sock.sendall(b"%d %s" % (len(data), data))
    status, out, err = command.finish()
    assert status == 1  # the second message is not an event
    text = output.read_text(encoding="utf-8")
    assert out == ""
    for printed in (text, err):
        assert not any(chr(cp) in printed for cp in UNSAFE if cp != 0x0A)
        for line in printed.splitlines():
            assert line.startswith(("#", "  ", "cef-logging listen: ")), line
    assert "forged finding" in text
    escaped = [line for line in text.splitlines() if line.startswith("    act = ")]
    assert undisplay(escaped[0][len("    act = ") :]) == forged
    raws = [undisplay(line[16:]) for line in text.splitlines() if line.startswith("  raw:  ")]
    assert raws == [frames[0], frames[1].rstrip("\x00")]  # a trailing NUL ends a message


def test_cli_usage_errors() -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cef_logging", "listen", *args],
            capture_output=True,
            text=True,
            timeout=WAIT,
        )

    for args, message in [
        (("--tls", "0"), "--certfile"),
        (("--udp", "nope:port"), "malformed address"),
        (("--udp", "0", "--timeout", "1"), "--timeout needs --count"),
        (("--udp", "0", "--lint", "--select", "XYZ"), "matches no rule"),
    ]:
        proc = run(*args)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        proc = run("--tcp", str(taken.getsockname()[1]))
        assert proc.returncode == 2 and "cannot listen" in proc.stderr
    proc = run("--help")
    assert proc.returncode == 0
    assert "only\nthe loopback interface (127.0.0.1) is bound" in proc.stdout
    assert "exit status:" in proc.stdout


def test_a_slow_consumer_pauses_stream_peers_and_counts_udp_drops() -> None:
    with Listener(tcp="0", udp="0", queue_size=2) as listener:
        frames = b"".join(b"<14>CEF:0|A|B|1|s|n|5|k=%d\n" % i for i in range(50))
        with socket.create_connection(listener.address("tcp")) as sock:
            sock.sendall(frames)  # 50 messages, room for 2: the connection waits
            got, _ = collect(listener, 50)
        assert [r.event.extensions["k"] for r in got] == [str(i) for i in range(50)]  # type: ignore[union-attr]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            for i in range(10):
                udp.sendto(b"<14>CEF:0|A|B|1|s|n|5|k=%d" % i, listener.address("udp"))
            # UDP has no back-pressure: what does not fit is dropped, and counted.
            deadline = time.monotonic() + WAIT
            while listener.stats().received.get("udp", 0) < 10 and time.monotonic() < deadline:
                time.sleep(0.01)
        kept = 0
        while listener.get(timeout=0) is not None:
            kept += 1
        assert kept == 2 and listener.stats().dropped == 8


def test_connections_beyond_the_limit_are_refused_and_reported() -> None:
    with Listener(tcp="0", max_connections=1) as listener:
        first = socket.create_connection(listener.address("tcp"))
        first.sendall(b"<14>CEF:0|A|B|1|s|n|5|k=first\n")
        collect(listener, 1)
        with socket.create_connection(listener.address("tcp")) as second:
            second.settimeout(WAIT)
            assert second.recv(10) == b""
        assert "max_connections" in next_problem(listener).message
        first.sendall(b"<14>CEF:0|A|B|1|s|n|5|k=still\n")
        got, _ = collect(listener, 1)
        assert got[0].event.extensions == {"k": "still"}  # type: ignore[union-attr]
        first.close()


def test_strict_parsing_and_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        listener = Listener(udp="[::1]:0", strict=True).start()
    except OSError as exc:
        pytest.skip(f"IPv6 loopback unavailable: {exc}")
    with listener:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
            sock.sendto(b"<14>CEF:0|A|B|1|s|n|5|bad key=v", listener.address("udp"))
            sock.sendto(b"<14>CEF:0|A|B|1|s|n|5|good=v", listener.address("udp"))
            got, _ = collect(listener, 2)
    assert got[0].error is not None and got[0].event is None
    assert got[1].event is not None and got[1].peer.startswith("[::1]:")


def test_cli_lint_json(cleanup: list[Command]) -> None:
    command = Command(
        "--http",
        "0",
        "--ignore",
        "LINT003",
        "--format",
        "json",
        "--count",
        "2",
        "--timeout",
        str(WAIT),
    )
    cleanup.append(command)
    conn = http.client.HTTPConnection(*command.addresses["http"], timeout=WAIT)
    conn.request("POST", "/", body=b"CEF:0|A|B|1|s|n|5|act=x\nhello\xff\n")
    assert conn.getresponse().status == 200
    conn.close()
    status, out, err = command.finish()
    assert status == 1  # the second line is not an event
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["error"] is None and first["event"]["extensions"] == {"act": "x"}
    assert all(f["severity"] != "error" for f in first["findings"])
    assert second["event"] is None and second["invalid_utf8"] is True
    assert {f["code"] for f in second["findings"]} >= {"LINT001", "LINT002"}
    assert second["message"] == "hello\ufffd"
    assert "findings: 2 errors" in err


def test_cli_sigterm_stops_like_ctrl_c(cleanup: list[Command]) -> None:
    command = Command("--tcp", "0", "--udp", "0", transports=2)
    cleanup.append(command)
    command.proc.send_signal(signal.SIGTERM)
    status, out, err = command.finish()
    assert status == 0 and out == ""
    assert "stopped; 0 messages, 0 parse failures" in err


# ----------------------------------------------------------------------------- properties

_messages = st.lists(
    st.binary(min_size=1, max_size=60).filter(lambda b: b[-1:] not in (b"\r", b"\n", b"\x00")),
    min_size=1,
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(messages=_messages, cuts=st.lists(st.integers(min_value=0), max_size=10), data=st.data())
def test_deframing_does_not_depend_on_how_the_stream_is_split(
    messages: list[bytes], cuts: list[int], data: st.DataObject
) -> None:
    octet = data.draw(st.booleans())
    if octet:
        stream = b"".join(b"%d %s" % (len(m), m) for m in messages)
    else:
        messages = [m.replace(b"\n", b" ").replace(b"\x00", b" ") for m in messages]
        messages = [m for m in messages if m.strip(b"\r")]
        if not messages or messages[0][:1].isdigit():
            return  # a newline-framed stream cannot start with a digit (octet counting)
        stream = b"".join(m + b"\n" for m in messages)
    points = sorted({c % (len(stream) + 1) for c in cuts})
    pieces = [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]
    deframer = Deframer()
    frames = [f for piece in pieces for f in deframer.feed(piece)] + deframer.end()
    assert [f.data for f in frames] == [m.rstrip(b"\r\n\x00") for m in messages]
    assert not any(f.truncated for f in frames)


_hostnames = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.-]{0,30}", fullmatch=True)
_apps = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_./-]{0,20}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(
    syslog_format=st.sampled_from(["rfc5424", "rfc3164"]),
    hostname=_hostnames,
    app=_apps,
    msg=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
)
def test_the_header_sysloghandler_writes_comes_off_exactly(
    syslog_format: str, hostname: str, app: str, msg: str
) -> None:
    handler = SyslogHandler(syslog_format=syslog_format, hostname=hostname, app_name=app)  # type: ignore[arg-type]
    record = make_record("x", level=logging.ERROR)
    message = "CEF:0|A|B|1|s|n|5|k=" + msg
    header, rest = parse_syslog(handler.build_message(record, message).decode("utf-8"))
    handler.close()
    assert rest == message
    assert header is not None and header.format == syslog_format
    assert (header.pri, header.hostname, header.app_name) == (11, hostname, app)


def test_the_queue_is_bounded_in_bytes_too() -> None:
    with Listener(udp="0", max_queue_bytes=300) as listener:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            for i in range(10):
                udp.sendto(b"<14>CEF:0|A|B|1|s|n|5|k=%d " % i + b"x" * 70, listener.address("udp"))
            deadline = time.monotonic() + WAIT
            while listener.stats().received.get("udp", 0) < 10 and time.monotonic() < deadline:
                time.sleep(0.01)
        kept = []
        while (item := listener.get(timeout=0)) is not None:
            kept.append(item)
        assert len(kept) == 3 and listener.stats().dropped == 7  # 3 x 100 bytes fit


@pytest.mark.parametrize(
    ("text", "timestamp", "hostname", "app"),
    [
        ("<11>Dec  2 14:00:00 0000 app: CEF:0|a", "Dec  2 14:00:00", "0000", "app"),
        ("<11>Dec  2 14:00:00 2024 host app: CEF:0|a", "Dec  2 14:00:00 2024", "host", "app"),
        ("<11>Dec  2 14:00:00 2024 app[7]: CEF:0|a", "Dec  2 14:00:00", "2024", "app"),
        ("<11>Dec  2 14:00:00 2024 CEF:0|a", "Dec  2 14:00:00", "2024", None),
    ],
)
def test_a_four_digit_host_name_is_not_taken_for_a_year(
    text: str, timestamp: str, hostname: str, app: str | None
) -> None:
    header, rest = parse_syslog(text)
    assert rest == "CEF:0|a"
    assert header is not None
    assert (header.timestamp, header.hostname, header.app_name) == (timestamp, hostname, app)
