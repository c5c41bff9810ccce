"""The RELP wire format: frames, responses, offers (cef_logging._relp_wire)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cef_logging._relp_wire import (
    MAX_TXNR,
    Frame,
    FrameParser,
    ProtocolError,
    Response,
    encode_frame,
    encode_offers,
    next_txnr,
    parse_offers,
    parse_response,
    printable,
)

txnrs = st.integers(min_value=0, max_value=MAX_TXNR)
commands = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    min_size=1,
    max_size=32,
)
frames = st.builds(Frame, txnrs, commands, st.binary(max_size=300))


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, last = [], 0
    for point in [*points, len(data)]:
        pieces.append(data[last:point])
        last = point
    return pieces


# -- encoding ---------------------------------------------------------------------------


def test_frames_as_librelp_writes_them() -> None:
    assert encode_frame(1, "open", b"relp_version=0") == b"1 open 14 relp_version=0\n"
    assert encode_frame(7, "syslog", b"<14>1 - - - - - - x") == b"7 syslog 19 <14>1 - - - - - - x\n"
    # No data: no space after DATALEN.
    assert encode_frame(9, "close") == b"9 close 0\n"
    assert encode_frame(0, "serverclose") == b"0 serverclose 0\n"


@pytest.mark.parametrize(
    ("txnr", "command", "message"),
    [
        (-1, "syslog", "transaction number"),
        (MAX_TXNR + 1, "syslog", "transaction number"),
        (1, "", "1 to 32 ASCII letters"),
        (1, "sys log", "1 to 32 ASCII letters"),
        (1, "x" * 33, "1 to 32 ASCII letters"),
        (1, "syslög", "1 to 32 ASCII letters"),
    ],
)
def test_encode_rejects_what_relp_cannot_carry(txnr: int, command: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        encode_frame(txnr, command, b"x")


def test_txnr_wraps_to_one() -> None:
    assert next_txnr(0) == 1
    assert next_txnr(41) == 42
    assert next_txnr(MAX_TXNR) == 1


# -- parsing ----------------------------------------------------------------------------


@given(st.lists(frames, max_size=8), st.lists(st.integers(min_value=0), max_size=12))
def test_round_trip_in_any_chunking(sent: list[Frame], cuts: list[int]) -> None:
    wire = b"".join(encode_frame(f.txnr, f.command, f.data) for f in sent)
    parser = FrameParser(max_data=1000)
    got: list[Frame] = []
    for piece in chunked(wire, cuts):
        got += parser.feed(piece)
    assert got == sent
    assert parser.pending == 0


@given(frames, st.integers(min_value=1))
def test_any_prefix_waits_for_more(frame: Frame, cut: int) -> None:
    wire = encode_frame(frame.txnr, frame.command, frame.data)
    prefix = wire[: cut % len(wire)]
    parser = FrameParser(max_data=1000)
    assert parser.feed(prefix) == []
    assert parser.feed(wire[len(prefix) :]) == [frame]


@given(frames, st.binary(min_size=1, max_size=1).filter(lambda b: b not in b"\n0123456789"))
def test_wrong_trailer_is_a_violation(frame: Frame, trailer: bytes) -> None:
    # (A digit in place of the LF of a data-less frame would still be a valid DATALEN.)
    wire = encode_frame(frame.txnr, frame.command, frame.data)[:-1] + trailer
    with pytest.raises(ProtocolError):
        FrameParser(max_data=1000).feed(wire)


@pytest.mark.parametrize(
    "wire",
    [
        b"HTTP/1.1 400 Bad Request\r\n",  # not RELP at all: fails at the first byte
        b"<14>1 2026-01-01T00:00:00Z host app - - - msg\n",  # a syslog line
        b"1234567890 rsp 6 200 OK\n",  # TXNR longer than 9 digits
        b"1 rsp 1234567890 x\n",  # DATALEN longer than 9 digits
        b"1 r5p 6 200 OK\n",  # command not alphabetic
        b"1 " + b"r" * 33 + b" 0\n",  # command longer than 32
        b"1 rsp 0 \n",  # DATALEN 0 must be followed by LF
        b"1 rsp 6\n",  # DATALEN 6 but no data
        b"1 rsp 3 200 OK\n",  # data longer than DATALEN: no LF where it must be
        b"1  rsp 6 200 OK\n",  # double space
        b"-1 rsp 6 200 OK\n",
        b" 1 rsp 6 200 OK\n",
    ],
)
def test_violations_are_detected_at_once(wire: bytes) -> None:
    with pytest.raises(ProtocolError):
        FrameParser().feed(wire)


def test_violation_detected_before_the_rest_arrives() -> None:
    # A peer that answers with HTTP is recognised from its first bytes, not after a timeout.
    with pytest.raises(ProtocolError, match="not a RELP frame"):
        FrameParser().feed(b"HT")


def test_oversized_frame_is_refused_before_its_data_arrives() -> None:
    with pytest.raises(ProtocolError, match="exceeds the limit"):
        FrameParser(max_data=1024).feed(b"1 rsp 999999 ")


def test_partial_header_waits() -> None:
    parser = FrameParser()
    for piece in (b"1", b"2 ", b"rs", b"p ", b"6", b" 200", b" OK"):
        assert parser.feed(piece) == []
    assert parser.feed(b"\n0 serverclose 0\n") == [
        Frame(12, "rsp", b"200 OK"),
        Frame(0, "serverclose"),
    ]


# -- responses and offers -----------------------------------------------------------------


def test_responses() -> None:
    ok = parse_response(b"200 OK")
    assert (ok.code, ok.text, ok.data, ok.ok) == (200, "OK", b"", True)
    # The shortcut for imrelp's usual answer agrees with the general path.
    assert parse_response(b"200 OK\n") == Response(200, "OK", b"")
    assert parse_response(b"200 OK") == parse_response(b"200 OK\n")
    err = parse_response(b"500 command disabled")
    assert (err.code, err.text, err.ok) == (500, "command disabled", False)
    opened = parse_response(b"200 OK\nrelp_version=0\ncommands=syslog")
    assert opened.data == b"relp_version=0\ncommands=syslog"
    assert parse_response(b"200").ok


@pytest.mark.parametrize("data", [b"", b"OK", b"20 OK", b"2000 OK", b"200OK"])
def test_malformed_responses(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_response(data)


def test_offers_round_trip_and_librelp_answer() -> None:
    offers = {"relp_version": ["0"], "relp_software": ["cef-logging", "1.0"], "commands": []}
    assert encode_offers(offers) == b"relp_version=0\nrelp_software=cef-logging,1.0\ncommands"
    assert parse_offers(encode_offers(offers)) == offers
    librelp = b"relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n"
    parsed = parse_offers(librelp)
    assert parsed["relp_version"] == ["0"]
    assert parsed["commands"] == ["syslog"]
    assert parsed["relp_software"] == ["librelp", "1.11.0", "http://librelp.adiscon.com"]


@given(st.binary(max_size=200))
def test_printable_never_lets_control_characters_through(data: bytes) -> None:
    text = printable(data)
    assert all(" " <= c <= "~" for c in text)
    assert len(text) <= 120 * 4 + 3
