"""cef-logging: CEF (ArcSight) and LEEF (QRadar) lines from Python logging and structlog.

The stdlib formatters are :class:`CEFFormatter` and :class:`LEEFFormatter`; the
structlog processors are :class:`CEFRenderer` and :class:`LEEFRenderer` (they
never import structlog). Their options are those of :class:`RenderOptions`.
Transports live in :mod:`cef_logging.handlers`.
"""

from __future__ import annotations

from typing import Any

from .events import EVENT_ID_KEY, EVENT_NAME_KEY, EVENT_SEVERITY_KEY, EventParts, MessageError
from .formatters import RESERVED_ATTRS, CEFFormatter, LEEFFormatter
from .options import DEFAULT_SEVERITY_MAP, STANDARD_FIELDS, RenderOptions
from .render import LineRenderer

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_SEVERITY_MAP",
    "EVENT_ID_KEY",
    "EVENT_NAME_KEY",
    "EVENT_SEVERITY_KEY",
    "RESERVED_ATTRS",
    "STANDARD_FIELDS",
    "CEFEvent",
    "CEFFormatter",
    "CEFRenderer",
    "EventParts",
    "LEEFEvent",
    "LEEFFormatter",
    "LEEFRenderer",
    "LineRenderer",
    "MessageError",
    "ParseError",
    "RenderOptions",
    "__version__",
    "parse_cef",
    "parse_leef",
]

_LAZY = {
    "CEFRenderer": ".structlog",
    "LEEFRenderer": ".structlog",
    "parse_cef": ".parse",
    "parse_leef": ".parse",
    "CEFEvent": ".parse",
    "LEEFEvent": ".parse",
    "ParseError": ".parse",
}


def __getattr__(name: str) -> Any:
    """Import the structlog renderers and parsers on first use (keeps import light)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cef_logging' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
