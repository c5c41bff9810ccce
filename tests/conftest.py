"""Shared fixtures for the core test suites.

``make_record`` builds records through :meth:`logging.Logger.makeRecord`, exactly as
``Logger.info(..., extra=...)`` does, but with a FIXED ``created`` so lines are golden.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

#: 2026-04-25T11:32:18.421Z - the runbook's sample instant.
CREATED = 1777116738.421

# One logger makes every record (the record's ``name`` is passed explicitly), so
# property tests with arbitrary names do not fill logging's logger registry.
_LOGGER = logging.getLogger("cef_logging.tests")


def make_record(
    msg: object = "hello",
    args: Any = (),
    level: int = logging.INFO,
    name: str = "app.audit",
    extra: dict[str, Any] | None = None,
    exc_info: Any = None,
    created: float = CREATED,
    stack_info: str | None = None,
    func: str | None = "handler",
) -> logging.LogRecord:
    """A real LogRecord (extras applied by ``makeRecord``) with a fixed ``created``."""
    if exc_info is True:
        import sys

        exc_info = sys.exc_info()
    elif isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    record = _LOGGER.makeRecord(
        name, level, "/srv/app/audit.py", 42, msg, args, exc_info, func, extra, stack_info
    )
    record.created = created
    record.msecs = (created - int(created)) * 1000
    return record


@pytest.fixture
def record_factory():  # type: ignore[no-untyped-def]
    """Fixture form of :func:`make_record`."""
    return make_record
