"""RELP transport (cef_logging._relp) against real rsyslog imrelp and a scripted peer."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from _support_relp import ScriptedRelpServer, Session
from _support_rsyslog import Rsyslog, free_port, imrelp_config, running_rsyslog
from _support_syslog_ng import make_self_signed_cert, running_syslog_ng

from cef_logging._relp import RelpTransport
from cef_logging._transport import Endpoint, Refused, Retry


def endpoint(port: int, timeout: float = 5.0) -> Endpoint:
    return Endpoint("127.0.0.1", port, timeout, None, None, "octet-counting")


def records(n: int, start: int = 0) -> list[bytes]:
    return [b"<14>1 2026-12-02T10:00:00Z host app 7 - - record %d" % i for i in range(start, n)]


@pytest.fixture
def peer() -> Iterator[ScriptedRelpServer]:
    server = ScriptedRelpServer()
    yield server
    server.close()


@pytest.fixture
def rsyslog(tmp_path: Path) -> Iterator[tuple[Rsyslog, int, Path]]:
    port, out = free_port(), tmp_path / "relp.out"
    with running_rsyslog(tmp_path / "rsyslog", imrelp_config(port, out), ports=[port]) as rs:
        yield rs, port, out


# -- the session against rsyslog --------------------------------------------------------------


def test_session_delivers_in_order_and_closes_cleanly(rsyslog: tuple[Rsyslog, int, Path]) -> None:
    rs, port, out = rsyslog
    transport = RelpTransport(endpoint(port), window=16)
    transport.connect(5.0)
    sent = records(1000)
    for i in range(0, len(sent), 300):
        transport.send(sent[i : i + 300], 5.0)
    # send() returned: rsyslog acknowledged each record, and with a Direct ruleset queue
    # it wrote them before acknowledging.
    assert rs.read_lines(out) == sent
    transport.close()
    assert "error" not in rs.log_text().lower()


def test_serverclose_then_reconnect(rsyslog: tuple[Rsyslog, int, Path]) -> None:
    rs, port, out = rsyslog
    transport = RelpTransport(endpoint(port))
    transport.connect(5.0)
    transport.send(records(1), 5.0)
    rs.restart()  # SIGTERM: imrelp sends "0 serverclose 0" and closes
    transport.connect(5.0)  # notices the ended session and opens a new one
    transport.send(records(2, 1), 5.0)
    assert rs.read_lines(out) == records(2)
    transport.close()


def test_killed_collector_is_a_retry_with_the_acked_prefix(
    rsyslog: tuple[Rsyslog, int, Path],
) -> None:
    rs, port, _ = rsyslog
    transport = RelpTransport(endpoint(port, timeout=2.0))
    transport.connect(2.0)
    transport.send(records(5), 2.0)
    rs.kill()
    with pytest.raises(Retry) as failure:
        transport.connect(2.0)
        transport.send(records(10, 5), 2.0)
    assert failure.value.acked == 0
    assert f"127.0.0.1:{port}" in str(failure.value)


# -- peers that are not RELP --------------------------------------------------------------------


@pytest.mark.parametrize("source", ["tcp_octet", "tcp_newline"])
def test_plain_syslog_port_fails_the_open(tmp_path: Path, source: str) -> None:
    # A real syslog-ng TCP source: with octet counting it rejects the RELP open and closes
    # the connection; with LF framing it takes the open as a message and never answers.
    with running_syslog_ng(tmp_path / "sng", [source]) as sng:
        port = sng.ports[source]
        transport = RelpTransport(endpoint(port, timeout=1.0))
        with pytest.raises(Retry) as failure:
            transport.connect(1.0)
    message = str(failure.value)
    assert f"relp://127.0.0.1:{port}" in message
    if source == "tcp_octet":
        assert "closed the connection without answering the RELP open" in message
    else:
        assert "did not answer the RELP open within 1 s" in message
    assert "(is it a RELP listener such as rsyslog imrelp?)" in message


def test_silent_peer_fails_the_open_in_time() -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        with pytest.raises(Retry) as failure:
            RelpTransport(endpoint(port, timeout=0.5)).connect(0.5)
    assert str(failure.value) == (
        f"relp://127.0.0.1:{port} did not answer the RELP open within 0.5 s "
        "(is it a RELP listener such as rsyslog imrelp?)"
    )


def test_http_server_is_not_a_relp_server() -> None:
    from _support_http import Collector

    collector = Collector().start()
    try:
        transport = RelpTransport(endpoint(collector.port))
        with pytest.raises(
            Retry,
            match=r"relp://127\.0\.0\.1:\d+ is not a RELP server: it answered the RELP "
            r"open with <!DOCTYPE",
        ):
            transport.connect(5.0)
    finally:
        collector.stop()


def test_closed_port_names_the_address() -> None:
    port = free_port()
    with pytest.raises(Retry, match=rf"cannot connect to relp://127\.0\.0\.1:{port}"):
        RelpTransport(endpoint(port)).connect(2.0)


@pytest.mark.parametrize(
    ("open_reply", "message"),
    [
        (b"500 error 3 on connect", "refused the RELP session: 500 error 3 on connect"),
        (b"200 OK\nrelp_version=0\ncommands=", "does not offer the RELP syslog command"),
        (b"200 OK\ncommands=syslog", "no valid relp_version"),
        (b"200 OK\nrelp_version=7\ncommands=syslog", "speaks RELP version 7"),
        (b"OK", "is not a RELP server"),
    ],
)
def test_open_answers_that_end_the_handshake(
    peer: ScriptedRelpServer, open_reply: bytes, message: str
) -> None:
    peer.default = Session(open_reply=open_reply)
    with pytest.raises(Retry, match=message):
        RelpTransport(endpoint(peer.port)).connect(5.0)


# -- window, refusals, violations ---------------------------------------------------------------


def test_window_bounds_unacknowledged_records(peer: ScriptedRelpServer) -> None:
    peer.default = Session(silent_after=0)
    transport = RelpTransport(endpoint(peer.port, timeout=0.5), window=4)
    transport.connect(0.5)
    with pytest.raises(Retry, match="no RELP answer") as failure:
        transport.send(records(20), 0.5)
    assert failure.value.acked == 0
    assert len(peer.seen) == 4


def test_non_200_is_refused_with_the_collector_text(peer: ScriptedRelpServer) -> None:
    def reply(record: bytes) -> bytes:
        return b"500 quota exceeded\x1b[2J" if record.endswith(b"record 3") else b"200 OK"

    peer.default = Session(reply=reply)
    transport = RelpTransport(endpoint(peer.port), window=8)
    transport.connect(5.0)
    batch = records(10)
    with pytest.raises(Refused) as failure:
        transport.send(batch, 5.0)
    refused = failure.value
    assert (refused.acked, refused.refused) == (3, 1)
    # The collector's text, with its terminal escape made harmless.
    assert "500 quota exceeded\\x1b[2J" in str(refused)
    # The engine sends the rest again: the records acknowledged after the refused one
    # within the same window are not sent twice.
    transport.send(batch[4:], 5.0)
    assert peer.accepted == batch[:3] + batch[4:]
    assert peer.seen == batch
    transport.close()


def test_violation_closes_and_reconnects(peer: ScriptedRelpServer) -> None:
    peer.script.append(Session(violate_after=3))
    transport = RelpTransport(endpoint(peer.port), window=2)
    transport.connect(5.0)
    batch = records(10)
    with pytest.raises(Retry, match=r"RELP protocol violation by relp://127\.0\.0\.1") as failure:
        transport.send(batch, 5.0)
    acked = failure.value.acked
    assert acked == 3
    transport.connect(5.0)
    transport.send(batch[acked:], 5.0)
    assert peer.accepted == batch
    assert peer.sessions == 2


@pytest.mark.parametrize(
    "violation",
    [
        b"99 rsp 6 200 OK\n",  # answer for a transaction not in flight
        b"5 syslog 5 hello\n",  # a command the server may not send
        b"3 rsp 2 OK\n",  # malformed response
        b"3 rsp 999999999 ",  # absurd length
    ],
)
def test_each_violation_is_a_retry_never_a_hang(peer: ScriptedRelpServer, violation: bytes) -> None:
    peer.default = Session(violate_after=1, violation=violation)
    transport = RelpTransport(endpoint(peer.port, timeout=30.0))
    transport.connect(5.0)
    with pytest.raises(Retry, match="protocol violation") as failure:
        transport.send(records(3), 30.0)
    assert failure.value.acked == 1


def test_dropped_connection_mid_window(peer: ScriptedRelpServer) -> None:
    peer.script.append(Session(drop_after=5))
    transport = RelpTransport(endpoint(peer.port), window=3)
    transport.connect(5.0)
    batch = records(12)
    with pytest.raises(Retry, match=r"relp://127\.0\.0\.1:\d+ (closed|failed)") as failure:
        transport.send(batch, 5.0)
    acked = failure.value.acked
    assert acked == 5
    transport.connect(5.0)
    transport.send(batch[acked:], 5.0)
    assert peer.accepted == batch


def test_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="relp_window"):
        RelpTransport(endpoint(1), window=0)


# -- RELP over TLS --------------------------------------------------------------------------------


@pytest.fixture
def rsyslog_tls(tmp_path: Path) -> Iterator[tuple[Rsyslog, int, Path, Path, Path]]:
    (tmp_path / "cert").mkdir()
    cert, key = make_self_signed_cert(tmp_path / "cert")
    port, out = free_port(), tmp_path / "relp.out"
    conf = imrelp_config(port, out, tls=(cert, key))
    with running_rsyslog(tmp_path / "rsyslog", conf, ports=[port]) as rs:
        yield rs, port, out, cert, key


def tls_endpoint(port: int, context: ssl.SSLContext) -> Endpoint:
    return Endpoint("127.0.0.1", port, 5.0, context, "localhost", "octet-counting")


def test_tls_session_verified_both_ways(
    rsyslog_tls: tuple[Rsyslog, int, Path, Path, Path],
) -> None:
    rs, port, out, cert, key = rsyslog_tls
    context = ssl.create_default_context(cafile=str(cert))
    context.load_cert_chain(str(cert), str(key))  # imrelp with TLS wants a client certificate
    transport = RelpTransport(tls_endpoint(port, context))
    assert transport.description == f"relp+tls://127.0.0.1:{port}"
    transport.connect(5.0)
    transport.send(records(50), 5.0)
    transport.close()  # close, its rsp, then TLS close_notify
    assert rs.read_lines(out) == records(50)
    assert "error" not in rs.log_text().lower()


def test_tls_untrusted_collector_is_refused_by_default(
    rsyslog_tls: tuple[Rsyslog, int, Path, Path, Path],
) -> None:
    rs, port, out, _, _ = rsyslog_tls
    transport = RelpTransport(tls_endpoint(port, ssl.create_default_context()))
    with pytest.raises(Retry, match=r"TLS handshake with relp\+tls://.* certificate verify failed"):
        transport.connect(5.0)
    assert rs.read_lines(out) == []
