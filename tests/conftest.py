"""Shared fixtures and helpers for the test suites.

``make_record`` builds records through :meth:`logging.Logger.makeRecord`, exactly as
``Logger.info(..., extra=...)`` does, but with a FIXED ``created`` so lines are golden.
"""

from __future__ import annotations

import logging
import types
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from _support_http import Collector

#: 2026-04-25T11:32:18.421Z, the fixed instant of every golden line.
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


def make_logger(*handlers: logging.Handler, prefix: str = "test") -> logging.Logger:
    """A fresh logger (unique name under *prefix*, DEBUG, not propagating) with *handlers*."""
    logger = logging.getLogger(f"{prefix}.{uuid.uuid4().hex}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    for handler in handlers:
        logger.addHandler(handler)
    return logger


@pytest.fixture
def collector() -> Iterator[Collector]:
    """The scripted HTTP collector (``tests/_support_http.py``), started; stopped after."""
    server = Collector().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def record_factory():  # type: ignore[no-untyped-def]
    """Fixture form of :func:`make_record`."""
    return make_record


# --------------------------------------------------------------------------- markers
#
# ``integration``: a test that starts or talks to a process outside the interpreter under
# test (syslog-ng, rsyslog, lognormalizer, the HTTP collector, a package build, the docs
# build). ``scripts/test.py`` runs the whole suite on one Python and ``-m "not
# integration"`` on the others. The marker is applied automatically, so a new test module
# cannot forget it: a module is integration when it imports anything from a
# ``tests/_support_*`` module, sets ``pytestmark = pytest.mark.integration`` itself, or is
# listed below (it runs an external tool without a support module).
EXTERNAL_TOOL_MODULES = frozenset({"test_lognormalizer"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "integration: uses an external process (collector, tool, build); "
        "applied automatically, see tests/conftest.py",
    )  # fmt: skip


def _uses_support_module(module: types.ModuleType) -> bool:
    for value in vars(module).values():
        if isinstance(value, types.ModuleType):
            name = value.__name__
        else:
            name = getattr(value, "__module__", None)
        if isinstance(name, str) and name.split(".")[0].startswith("_support_"):
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    verdicts: dict[str, bool] = {}
    for item in items:
        module = getattr(item, "module", None)
        if module is None:
            continue
        name = module.__name__
        if name not in verdicts:
            verdicts[name] = (
                name.rsplit(".", 1)[-1] in EXTERNAL_TOOL_MODULES or _uses_support_module(module)
            )
        if verdicts[name]:
            item.add_marker(pytest.mark.integration)
