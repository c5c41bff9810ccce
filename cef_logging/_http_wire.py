"""HTTP on the wire for ``HTTPBatchHandler``: URL and header checks, one POST per batch.

Checks happen at construction and name the option: a header that could not go out as
valid HTTP (CR, LF, NUL, characters outside Latin-1, names that are not tokens) is a
configuration error, never a batch discarded at run time. Credentials in the URL become
a Basic ``Authorization`` header and appear as ``***`` wherever the URL is shown.

The answer decides what happens to a batch: 2xx delivered; 408, 429, 5xx and every
network error retried (``Retry-After`` honoured, never below the minimum delay); 413
split in halves; any other status refused (the collector's final answer).
"""

from __future__ import annotations

import base64
import email.utils
import gzip as _gzip
import http.client
import re
import socket
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from ._transport import Refused, Retry, Transport, release_without_io, say_goodbye, shut_down

__all__ = ["HttpTarget", "HttpTransport", "check_headers", "parse_url", "retry_after_seconds"]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_ASCII_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class HttpTarget:
    scheme: str
    host: str
    port: int | None
    path: str
    #: The URL with any password replaced by ``***`` (for repr and reports).
    redacted: str
    #: ``Authorization`` header value built from URL credentials, if any.
    authorization: str | None


def parse_url(url: str) -> HttpTarget:
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"url: must be an http:// or https:// URL, got {_redact(parts)!r}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"url: invalid port in {_redact(parts)!r}") from None
    authorization = None
    if parts.username is not None or parts.password is not None:
        user = unquote(parts.username or "")
        password = unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        authorization = f"Basic {token}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return HttpTarget(parts.scheme, parts.hostname, port, path, _redact(parts), authorization)


def _redact(parts: SplitResult) -> str:
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=netloc))


def check_headers(headers: Mapping[str, str]) -> None:
    """Raise ``ValueError`` naming the header when it could not be sent as valid HTTP."""
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name):
            raise ValueError(f"headers: {name!r} is not a valid HTTP header name")
        problem = None
        if "\n" in value or "\r" in value:
            problem = "contains a line break"
        elif _BAD_VALUE.search(value):
            problem = "contains a control character"
        else:
            try:
                value.encode("latin-1")
            except UnicodeEncodeError:
                problem = "contains characters outside Latin-1 (encode them, e.g. RFC 8187)"
        if problem:
            raise ValueError(f"headers: the value of {name!r} {problem}")


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: ASCII digits or an HTTP-date; ``None`` otherwise."""
    if not value:
        return None
    value = value.strip()
    if _ASCII_DIGITS.fullmatch(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class HttpTransport(Transport):
    """One keep-alive HTTP(S) connection; one request per batch."""

    def __init__(
        self,
        target: HttpTarget,
        *,
        method: str,
        headers: Mapping[str, str],
        ssl_context: ssl.SSLContext | None,
        gzip: bool,
    ) -> None:
        self.target = target
        self.description = f"HTTPBatchHandler({target.redacted})"
        self.method = method
        self.headers = dict(headers)
        self.ssl_context = ssl_context
        self.gzip = gzip
        self._conn: http.client.HTTPConnection | None = None

    def connect(self, timeout: float) -> None:
        if self._conn is not None:
            return
        t = self.target
        conn: http.client.HTTPConnection
        if t.scheme == "https":
            conn = http.client.HTTPSConnection(
                t.host, t.port, timeout=timeout, context=self.ssl_context
            )
        else:
            conn = http.client.HTTPConnection(t.host, t.port, timeout=timeout)
        try:
            conn.connect()
            if conn.sock is not None:
                # Headers and body go out in separate writes: without TCP_NODELAY, Nagle
                # and the collector's delayed ACK add ~40 ms to every batch.
                conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise Retry(f"{type(exc).__name__}: {exc}") from exc
        self._conn = conn
        self._fresh = True

    def _post(self, body: bytes, timeout: float) -> http.client.HTTPResponse:
        for _ in range(2):
            self.connect(timeout)
            conn = self._conn
            assert conn is not None
            fresh, self._fresh = self._fresh, False
            try:
                if conn.sock is not None:
                    conn.sock.settimeout(timeout)
                conn.request(self.method, self.target.path, body=body, headers=self.headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._drop()
                if not fresh:
                    continue  # a stale keep-alive connection: once more on a fresh one
                raise Retry(f"{type(exc).__name__}: {exc}") from exc
            if response.will_close:
                self._drop()
            return response
        raise Retry("connection closed by the collector")  # pragma: no cover

    def send(self, batch: Sequence[bytes], timeout: float) -> None:
        body = b"".join(batch)
        if self.gzip:
            body = _gzip.compress(body, compresslevel=6, mtime=0)
        response = self._post(body, timeout)
        status = response.status
        if 200 <= status < 300:
            return
        what = f"HTTP {status} {response.reason}".rstrip()
        if status == 413:
            raise Refused(what, split=True)
        if status >= 500 or status in (408, 429):
            retry_after = None
            if status in (429, 503):
                retry_after = retry_after_seconds(response.getheader("Retry-After"))
            raise Retry(what, retry_after=retry_after)
        raise Refused(what)

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if conn.sock is not None:
            say_goodbye(conn.sock)
        conn.close()

    def interrupt(self) -> None:
        conn = self._conn
        shut_down(conn.sock if conn is not None else None)

    def forget(self) -> None:
        conn, self._conn = self._conn, None
        release_without_io(conn.sock if conn is not None else None)
