"""Helpers shared by the vendor examples (not part of the library).

``ListHandler`` collects formatted lines where a deployment would use a file, syslog or
HTTP handler; ``ReplayLogger`` replays a vendor's documented event at the time the
document shows, given as ``extra={"at": "<ISO-8601>"}``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any


class ListHandler(logging.Handler):
    """Collect formatted lines in ``self.lines``."""

    def __init__(
        self, formatter: logging.Formatter | None = None, lines: list[str] | None = None
    ) -> None:
        super().__init__()
        if formatter is not None:
            self.setFormatter(formatter)
        self.lines: list[str] = [] if lines is None else lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class ReplayLogger(logging.Logger):
    """A logger whose records carry the time given as ``extra={"at": "<ISO-8601>"}``.

    ``record_class`` lets a subclass make its own ``LogRecord`` type.
    """

    record_class: type[logging.LogRecord] = logging.LogRecord

    def makeRecord(
        self,
        name: str,
        level: int,
        fn: str,
        lno: int,
        msg: object,
        args: Any,
        exc_info: Any,
        func: str | None = None,
        extra: Mapping[str, object] | None = None,
        sinfo: str | None = None,
    ) -> logging.LogRecord:
        fields = dict(extra or {})
        at = fields.pop("at", None)
        record = self.record_class(name, level, fn, lno, msg, args, exc_info, func, sinfo)
        for key, value in fields.items():
            if key in ("message", "asctime") or key in record.__dict__:
                raise KeyError(f"Attempt to overwrite {key!r} in LogRecord")
            record.__dict__[key] = value
        if isinstance(at, str):
            when = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(timezone.utc)
            record.created = when.timestamp()
            record.msecs = when.microsecond // 1000
        return record
