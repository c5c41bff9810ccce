"""The RELP wire protocol: frames, offers and responses. No sockets here.

RELP (the Reliable Event Logging Protocol of rsyslog/librelp) carries commands and
their responses in frames::

    FRAME   = TXNR SP COMMAND SP DATALEN [SP DATA] LF
    TXNR    = 1*9DIGIT      ; 1 .. 999 999 999, then 1 again; 0 is for hints
    COMMAND = 1*32ALPHA
    DATALEN = 1*9DIGIT      ; octets of DATA; with 0 there is no SP and no DATA

A response is a frame with the command ``rsp`` and the TXNR of the command it
answers; its data is ``CODE [SP TEXT] [LF DATA]`` (``200`` is success, anything else
an error; the answer to ``open`` carries the server's offers as DATA, the answer to
``close`` may be empty). The server may send the hint ``0 serverclose 0`` before it
closes the connection. Offers are LF-separated ``name[=value[,value...]]`` lines.

:class:`FrameParser` validates strictly and incrementally: the first byte that cannot
belong to a frame raises :class:`ProtocolError`, so a peer that does not speak RELP
is recognised at once instead of being waited for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

__all__ = [
    "MAX_TXNR",
    "PROTOCOL_VERSION",
    "Frame",
    "FrameParser",
    "ProtocolError",
    "Response",
    "encode_frame",
    "encode_offers",
    "next_txnr",
    "parse_offers",
    "parse_response",
    "printable",
]

#: Highest transaction number; the next one is 1 again.
MAX_TXNR: Final = 999_999_999
#: Largest DATALEN the 9-digit field can carry.
MAX_DATALEN: Final = 999_999_999
#: The protocol version librelp and rsyslog speak (offered as ``relp_version``).
PROTOCOL_VERSION: Final = 0
#: Largest response DATA accepted from a server (librelp's default frame limit).
MAX_RESPONSE_DATA: Final = 128 * 1024

_COMMAND = re.compile(r"[A-Za-z]{1,32}")
# A complete header, and what a header can look like before all of it has arrived.
_HEADER = re.compile(rb"(\d{1,9}) ([A-Za-z]{1,32}) (\d{1,9})([ \n])")
_PARTIAL_HEADER = re.compile(rb"\d{1,9}(?: (?:[A-Za-z]{1,32}(?: \d{0,9})?)?)?")
_RESPONSE = re.compile(rb"(\d{3})(?: ([^\n]*))?(?:\n(.*))?", re.DOTALL)


class ProtocolError(ValueError):
    """The peer sent something that is not RELP.

    *frames* are the complete, valid frames that arrived before the violation (the
    caller still acts on them, for example on acknowledgements).
    """

    def __init__(self, message: str, frames: Sequence[Frame] = ()) -> None:
        super().__init__(message)
        self.frames = list(frames)


@dataclass(frozen=True)
class Frame:
    """One RELP frame."""

    txnr: int
    command: str
    data: bytes = b""


def encode_frame(txnr: int, command: str, data: bytes = b"") -> bytes:
    """The bytes of one frame; ValueError for a TXNR, command or length RELP cannot carry."""
    if not 0 <= txnr <= MAX_TXNR:
        raise ValueError(f"RELP transaction number must be 0..{MAX_TXNR}, got {txnr}")
    if not _COMMAND.fullmatch(command):
        raise ValueError(f"RELP command must be 1 to 32 ASCII letters, got {command!r}")
    if len(data) > MAX_DATALEN:
        raise ValueError(f"RELP frame data is limited to {MAX_DATALEN} bytes, got {len(data)}")
    if data:
        return b"%d %s %d %b\n" % (txnr, command.encode("ascii"), len(data), data)
    return b"%d %s 0\n" % (txnr, command.encode("ascii"))


def next_txnr(txnr: int) -> int:
    """The transaction number after *txnr* (wraps from 999 999 999 to 1)."""
    return 1 if txnr >= MAX_TXNR else txnr + 1


def printable(data: bytes | str, limit: int = 120) -> str:
    """Peer-supplied text made safe for a report: at most *limit* characters, every
    control or non-ASCII character escaped (no line or terminal escape can be forged)."""
    text = data.decode("latin-1") if isinstance(data, bytes) else data
    cut = text[:limit]
    safe = "".join(c if " " <= c <= "~" and c != "\\" else _escape(c) for c in cut)
    return safe + ("..." if len(text) > limit else "")


def _escape(char: str) -> str:
    if char == "\\":
        return "\\\\"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class FrameParser:
    """Incremental, strict parser of the frames a peer sends.

    :meth:`feed` takes whatever arrived and returns the complete frames in it; a
    partial frame is kept for the next call. The first byte that cannot belong to a
    frame, and any DATALEN above *max_data*, raise :class:`ProtocolError`.
    """

    def __init__(self, max_data: int = MAX_RESPONSE_DATA) -> None:
        self.max_data = max_data
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        """Bytes of an incomplete frame waiting for the rest."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Frame]:
        frames: list[Frame] = []
        try:
            self._parse(data, frames)
        except ProtocolError as exc:
            self._buffer.clear()
            exc.frames = frames
            raise
        return frames

    def _parse(self, data: bytes, frames: list[Frame]) -> None:
        buf = self._buffer
        buf += data
        pos = 0
        end = len(buf)
        while pos < end:
            header = _HEADER.match(buf, pos)
            if header is None:
                if _PARTIAL_HEADER.fullmatch(buf, pos):
                    break  # a header still arriving
                raise ProtocolError(f"not a RELP frame: {printable(bytes(buf[pos : pos + 60]))}")
            datalen = int(header.group(3))
            if header.group(4) == b"\n":
                if datalen:
                    raise ProtocolError(
                        f"RELP frame with DATALEN {datalen} but no data: "
                        f"{printable(header.group(0))}"
                    )
                frames.append(Frame(int(header.group(1)), header.group(2).decode("ascii")))
                pos = header.end()
                continue
            if datalen == 0:
                raise ProtocolError("RELP frame with DATALEN 0 followed by a space")
            if datalen > self.max_data:
                raise ProtocolError(
                    f"RELP frame of {datalen} bytes exceeds the limit of {self.max_data}"
                )
            start = header.end()
            if end < start + datalen + 1:
                break  # data still arriving
            if buf[start + datalen] != 0x0A:
                raise ProtocolError(
                    f"RELP frame does not end with LF after {datalen} bytes of data: "
                    f"{printable(bytes(buf[start + datalen : start + datalen + 40]))}"
                )
            frames.append(
                Frame(
                    int(header.group(1)),
                    header.group(2).decode("ascii"),
                    bytes(buf[start : start + datalen]),
                )
            )
            pos = start + datalen + 1
        del buf[:pos]


@dataclass(frozen=True)
class Response:
    """The data of an ``rsp`` frame."""

    code: int
    text: str
    data: bytes = b""

    @property
    def ok(self) -> bool:
        return self.code == 200


def parse_response(data: bytes) -> Response:
    """Parse ``CODE [SP TEXT] [LF DATA]``; :class:`ProtocolError` if it is not that."""
    if data == b"200 OK":  # what imrelp answers to every syslog command: skip the regex
        return _OK
    found = _RESPONSE.fullmatch(data)
    if found is None:
        raise ProtocolError(f"malformed RELP response: {printable(data[:60])}")
    text = (found.group(2) or b"").decode("utf-8", "replace")
    return Response(int(found.group(1)), text, found.group(3) or b"")


_OK: Final = Response(200, "OK")


def encode_offers(offers: Mapping[str, Sequence[str]]) -> bytes:
    """``name=value,value`` lines joined by LF, as the data of an ``open`` command."""
    lines = []
    for name, values in offers.items():
        lines.append(f"{name}={','.join(values)}" if values else name)
    return "\n".join(lines).encode("utf-8")


def parse_offers(data: bytes) -> dict[str, list[str]]:
    """The offers in *data* (LF-separated ``name[=value[,value...]]``), in order.

    A repeated name keeps its first values; empty lines are ignored.
    """
    offers: dict[str, list[str]] = {}
    for line in data.decode("utf-8", "replace").split("\n"):
        if not line:
            continue
        name, sep, rest = line.partition("=")
        values = [v for v in rest.split(",") if v] if sep else []
        offers.setdefault(name, values)
    return offers
