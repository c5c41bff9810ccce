"""What an adapter hands the rendering core: `EventParts`.

An adapter (the stdlib formatters, the structlog renderers, or your own) reads its event —
a `LogRecord`, a structlog event dict, anything — into one
`EventParts` and calls `render` with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Final

from ._timestamps import RenderedTime

__all__ = [
    "EVENT_ID_KEY",
    "EVENT_NAME_KEY",
    "EVENT_SEVERITY_KEY",
    "OVERRIDE_KEYS",
    "EventParts",
    "MessageError",
    "RenderedTime",
]

#: Per-event header overrides among the fields: consumed, never written to the extension.
EVENT_ID_KEY: Final = "event_id"
EVENT_NAME_KEY: Final = "event_name"
EVENT_SEVERITY_KEY: Final = "event_severity"
OVERRIDE_KEYS: Final = frozenset({EVENT_ID_KEY, EVENT_NAME_KEY, EVENT_SEVERITY_KEY})


class MessageError:
    """A message that could not be rendered (bad %-args, a hostile `__str__`).

    Args:
        fallback: The text to write as the message instead (e.g. the raw template).
        error: What went wrong, written as the `logError` field.
    """

    __slots__ = ("error", "fallback")

    def __init__(self, fallback: str, error: str) -> None:
        self.fallback = fallback
        self.error = error

    def __reduce__(self) -> tuple[object, ...]:
        return (MessageError, (self.fallback, self.error))


class EventParts:
    """One event, as the rendering core reads it.

    Fields come either as `keys` (a tuple: lines of one call site share it, so the
    renderer can cache their layout) with `values`, or as `items` (name, value) pairs.

    Args:
        created: Epoch seconds (or a `RenderedTime`); None for "now".
        levelno: The level: a number, a level name, or None (severity 0).
        event_id: SignatureID / EventID; empty or None means `default_event_id`.
        name: CEF Name (ignored by LEEF).
        message: The `msg` field; a `MessageError` when it could not be made.
        keys: Field names, paired with `values`.
        values: Field values, one per name in `keys`.
        items: Field (name, value) pairs, used when `keys` is None.
        exc_info: An exception, an `exc_info` 3-tuple or True (the current exception).
        exc_text: An already formatted traceback (used when `exc_info` is None).
        stack_info: A formatted stack, for `stackInfo`.
        standard: Reads the value of a standard field by name (see `standard_fields`).
    """

    __slots__ = (
        "created", "event_id", "exc_info", "exc_text", "items", "keys", "levelno", "message",
        "name", "stack_info", "standard", "values",
    )  # fmt: skip

    def __init__(
        self,
        created: float | RenderedTime | None,
        levelno: object,
        event_id: object,
        name: object,
        message: str | MessageError | None,
        keys: tuple[str, ...] | None = None,
        values: Sequence[object] = (),
        items: Iterable[tuple[str, object]] = (),
        exc_info: object = None,
        exc_text: str | None = None,
        stack_info: str | None = None,
        standard: Callable[[str], object] | None = None,
    ) -> None:
        self.created = created
        self.levelno = levelno
        self.event_id = event_id
        self.name = name
        self.message = message
        self.keys = keys
        self.values = values
        self.items = items
        self.exc_info = exc_info
        self.exc_text = exc_text
        self.stack_info = stack_info
        self.standard = standard
