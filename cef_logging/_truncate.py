"""Truncation (option ``max_length``): cut a line to a byte budget without corrupting it.

The cut never splits a UTF-8 character, an escape (``\\=``, ``\\\\``...), a key or the
header, and the line then ends with ``truncated=<original length in bytes>``.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["header_length", "truncate"]

_KEY_EQ: Final = re.compile(r"[A-Za-z0-9_]+=")


def header_length(line: str, pipes: int) -> int:
    """Index just past the header's last unescaped pipe (7 for CEF, 5 or 6 for LEEF)."""
    i = -1
    count = 0
    while count < pipes:
        i = line.find("|", i + 1)
        if i == -1:
            return len(line)
        j = i - 1
        while j >= 0 and line[j] == "\\":
            j -= 1
        if (i - 1 - j) % 2:
            continue  # an escaped pipe
        count += 1
    return i + 1


def _last_separator(cut: str, sep: str, header_end: int) -> int:
    """Index of the last *unescaped* separator after the header (or header_end - 1)."""
    end = len(cut)
    while True:
        last = cut.rfind(sep, header_end, end)
        if last == -1:
            return header_end - 1
        run = last
        while run > header_end and cut[run - 1] == "\\":
            run -= 1
        if (last - run) % 2 == 0:
            return last
        end = last  # an escaped LEEF delimiter such as "\^" is part of a value


def truncate(line: str, limit: int, sep: str, key: str, pipes: int) -> str:
    """``line`` cut to ``limit`` UTF-8 bytes, ending with ``<key>=<original bytes>``."""
    data = line.encode("utf-8")
    if len(data) <= limit:
        return line
    marker = f"{sep}{key}={len(data)}"
    header_end = header_length(line, pipes)
    cut = data[: limit - len(marker.encode("utf-8"))].decode("utf-8", "ignore")
    if len(cut) > header_end:
        # No dangling backslash (half an escape).
        stripped = cut.rstrip("\\")
        if (len(cut) - len(stripped)) % 2:
            cut = cut[:-1]
        # No half key: unless a whole "key=" follows the last separator, back up to it.
        last = _last_separator(cut, sep, header_end)
        if _KEY_EQ.match(cut, last + 1) is None:
            cut = cut[: max(last, header_end)]
    if len(cut) <= header_end:
        # Never cut into the header: keep it whole, drop the extension.
        return line[:header_end] + marker[len(sep) :]
    return cut + marker
