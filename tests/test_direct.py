"""cef_logging._direct: every line a direct renderer writes is the usual path's line, byte for byte.

* compiled structlog shapes: an event dict is rendered four times by one renderer (so that
  its shape is compiled), then by the compiled renderer of its shape;
* fresh structlog shapes: an event dict is rendered by a new renderer's fresh-shape
  renderer;
* compiled record shapes: a record is formatted four times by one formatter, then by the
  compiled renderer of its shape.

Each is compared with a new adapter's usual path (for structlog with the fresh-shape
renderer switched off); when the direct renderer accepts the event, the lines must be equal.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from _strategies import hostile_text
from conftest import make_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cef_logging import CEFFormatter, CEFRenderer, LEEFFormatter, LEEFRenderer
from cef_logging.formatters import RESERVED_ATTRS

text = hostile_text(surrogates=False)
field_keys = st.one_of(
    st.sampled_from(["src", "user", "a", "rt", "msg", "sev", "suser", "event_id", "a b", "é",
                     "exc_info", "stack", "%s", "%.0s"]),
    st.text(max_size=6),
)  # fmt: skip
values = st.one_of(
    text, text, st.integers(), st.floats(), st.integers(), st.floats(),
    st.booleans(), st.none(), st.lists(st.integers(), max_size=2),
    st.builds(pow, st.just(10), st.integers(4400, 4401)),  # too long for str()
)  # fmt: skip
good_timestamps = st.builds(
    "2026-04-25T11:32:{:02d}.{}Z".format, st.integers(0, 59), st.from_regex(r"\A[0-9]{3,6}\Z")
)
timestamps = st.one_of(
    good_timestamps, good_timestamps, good_timestamps,
    st.sampled_from(["2026-04-25T11:32:18.421312Z", "2026-04-25T11:32:18.999999Z",
                     "2026-04-25T11:32:18Z", "2026-04-25 11:32:18", "1970-01-01T00:00:00.5Z"]),
    text, st.floats(), st.none(),
)  # fmt: skip
levels = st.one_of(
    st.sampled_from(["info", "ERROR", "Warning", "critical"]),
    st.sampled_from(["trace", "nope", "", "INFO"]),
    values,
)
names = st.one_of(st.text(min_size=1, max_size=12), text, st.integers(), st.none())
RENDERER_OPTIONS: list[tuple[type[Any], dict[str, Any]]] = [
    (CEFRenderer, {}),
    (CEFRenderer, {"timestamp": "iso", "static_fields": {"site": "a=b\\c%s", "n": 1}}),
    (CEFRenderer, {"exclude_fields": ["a"], "rename_fields": {"user": "suser"}}),
    (CEFRenderer, {"reserved_keys": ["event", "timestamp", "a"], "max_length": 120}),
    (LEEFRenderer, {}),
    (LEEFRenderer, {"delimiter": "^", "timestamp": "iso"}),
    (LEEFRenderer, {"leef_version": "1.0", "severity_map": {"INFO": 0}}),
]


def usual(cls: type[Any], options: dict[str, Any], event_dict: dict[str, Any]) -> str:
    """The line of a new renderer whose fresh-shape renderer is switched off."""
    renderer = cls(**options)
    renderer._fresh = None
    return renderer(None, "info", dict(event_dict))  # type: ignore[no-any-return]


def event_dict_of(
    event: Any, logger: Any, level: Any, timestamp: Any, fields: dict[str, Any]
) -> dict[str, Any]:
    event_dict = {"event": event, "logger": logger, "level": level, "timestamp": timestamp}
    event_dict.update(fields)
    return event_dict


@pytest.mark.parametrize(("cls", "options"), RENDERER_OPTIONS, ids=map(str, RENDERER_OPTIONS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    event=names, logger=names, level=levels, timestamp=timestamps,
    fields=st.dictionaries(field_keys, values, max_size=5),
)  # fmt: skip
def test_compiled_event_shape_equals_usual_path(
    cls: type[Any], options: dict[str, Any], event: Any, logger: Any, level: Any,
    timestamp: Any, fields: dict[str, Any],
) -> None:  # fmt: skip
    event_dict = event_dict_of(event, logger, level, timestamp, fields)
    renderer = cls(**options)
    for _ in range(4):
        renderer(None, "info", dict(event_dict))
    known = renderer._shapes.cache.get(tuple(event_dict))
    if known is None or not known.direct:
        return
    line = known.direct(event_dict)
    if line is not None:
        assert line == usual(cls, options, event_dict)


@pytest.mark.parametrize(("cls", "options"), RENDERER_OPTIONS, ids=map(str, RENDERER_OPTIONS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    event=names, logger=names, level=levels, timestamp=timestamps,
    fields=st.dictionaries(field_keys, values, max_size=6),
    first=st.booleans(),
)  # fmt: skip
def test_fresh_event_shape_equals_usual_path(
    cls: type[Any], options: dict[str, Any], event: Any, logger: Any, level: Any,
    timestamp: Any, fields: dict[str, Any], first: bool,
) -> None:  # fmt: skip
    event_dict = event_dict_of(event, logger, level, timestamp, fields)
    if first:  # meta keys after the fields, as a processor chain may leave them
        event_dict = {**fields, **event_dict}
    renderer = cls(**options)
    assert renderer._fresh is not None
    for _ in range(2):  # first: learning the keys; then: known keys
        line = renderer._fresh(event_dict, tuple(event_dict))
        if line is not None:
            assert line == usual(cls, options, event_dict)


FORMATTER_OPTIONS: list[tuple[type[Any], dict[str, Any]]] = [
    (CEFFormatter, {}),
    (CEFFormatter, {"timestamp": "iso", "static_fields": {"site": "a=b\\c%s", "n": 1}}),
    (CEFFormatter, {"exclude_fields": ["a"], "rename_fields": {"user": "suser"}}),
    (CEFFormatter, {"name_from": "message", "max_length": 150, "timestamp": "arcsight"}),
    (LEEFFormatter, {}),
    (LEEFFormatter, {"delimiter": "^", "timestamp": "iso"}),
    (LEEFFormatter, {"leef_version": "1.0", "severity_map": {"INFO": 0}}),
]
record_keys = field_keys.filter(lambda k: k not in RESERVED_ATTRS)


@pytest.mark.parametrize(("cls", "options"), FORMATTER_OPTIONS, ids=map(str, FORMATTER_OPTIONS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    msg=st.one_of(text, text, st.integers(), st.just("%s and %d"), st.just("")),
    args=st.sampled_from([(), ("x", 5), ("a=b", 1)]),
    name=st.one_of(st.text(min_size=1, max_size=12), text),
    level=st.sampled_from([0, 5, 10, 20, 25, 30, 40, 50, 99]),
    created=st.one_of(st.floats(1e9, 2e9), st.floats()),
    extra=st.dictionaries(record_keys, values, max_size=5),
)
def test_compiled_record_shape_equals_usual_path(
    cls: type[Any], options: dict[str, Any], msg: Any, args: tuple[Any, ...], name: str,
    level: int, created: float, extra: dict[str, Any],
) -> None:  # fmt: skip
    formatter = cls(**options)

    def record() -> logging.LogRecord:
        made = make_record(msg, args, level, name, extra)
        made.created = created  # NaN and infinities included
        return made

    for _ in range(4):
        formatter.format(record())
    known = formatter._shapes.cache.get(tuple(vars(record())))
    if known is None or not known.direct:
        return
    line = known.direct(vars(record()))
    if line is not None:
        assert line == cls(**options).format(record())


@pytest.mark.parametrize("cls", [CEFRenderer, LEEFRenderer])
def test_common_events_are_compiled(cls: type[Any]) -> None:
    renderer = cls()
    event = {"event": "login", "logger": "auth", "level": "info",
             "timestamp": "2026-04-25T11:32:18.421312Z", "user": "alice", "n": 3}  # fmt: skip
    lines = {renderer(None, "info", event) for _ in range(5)}
    known = renderer._shapes.cache.get(tuple(event))
    compiled = known.direct
    assert compiled
    assert lines == {compiled(event)}
    assert compiled({**event, "user": "a=b"}) is not None  # escaping stays inside
    assert compiled({**event, "user": None}) is None  # the usual path's job
    assert compiled({**event, "n": 10**5000}) is None  # too long for str()
    assert renderer(None, "info", {**event, "n": 10**5000}).endswith("0" * 20)


@pytest.mark.parametrize("cls", [CEFRenderer, LEEFRenderer])
def test_new_shapes_take_the_fresh_renderer(cls: type[Any]) -> None:
    """Extras built per event: the first sighting of a shape is rendered without learning
    it, once its keys are known."""
    renderer = cls()
    event = {"event": "login", "logger": "auth", "level": "info",
             "timestamp": "2026-04-25T11:32:18.421312Z", "user": "alice", "n": 3}  # fmt: skip
    renderer(None, "info", event)
    fresh = {"n": 4, **event, "ip": "10.0.0.1"}
    assert renderer._fresh is not None
    assert renderer._fresh(fresh, tuple(fresh)) == usual(cls, {}, fresh)
    assert renderer._fresh({**fresh, "exc_info": True}, (*fresh, "exc_info")) is None
    assert renderer._fresh({**fresh, "ip": None}, tuple(fresh)) is None


@pytest.mark.parametrize("cls", [CEFFormatter, LEEFFormatter])
def test_common_records_are_compiled(cls: type[Any]) -> None:
    formatter = cls()

    def record(**extra: Any) -> logging.LogRecord:
        return make_record("user %s", ("alice",), extra={"src": "10.0.0.1", "n": 5, **extra})

    lines = {formatter.format(record()) for _ in range(5)}
    compiled = formatter._shapes.cache.get(tuple(vars(record()))).direct
    assert compiled
    assert lines == {compiled(vars(record()))}
    assert "msg=user alice" in compiled(vars(record()))
    assert compiled(vars(record(n=None))) is None  # the usual path's job
    with_exc = record()
    with_exc.exc_text = "Traceback ..."
    assert compiled(vars(with_exc)) is None
    bad_args = record()
    bad_args.args = (1, 2)  # not all arguments converted: the usual path's MessageError
    assert compiled(vars(bad_args)) is None
    assert "logError=" in formatter.format(bad_args)


def test_a_record_class_with_its_own_getmessage_is_not_compiled() -> None:
    class Shouting(logging.LogRecord):
        def getMessage(self) -> str:
            return super().getMessage().upper()

    formatter = CEFFormatter()
    plain = make_record("user %s", ("alice",), extra={"src": "10.0.0.1"})
    for _ in range(5):
        formatter.format(plain)
    shouting = Shouting("app.audit", logging.INFO, "/srv/app/audit.py", 42, "user %s",
                        ("alice",), None)  # fmt: skip
    shouting.__dict__.update(src="10.0.0.1", funcName="handler")
    shouting.created = plain.created
    assert tuple(vars(shouting)) == tuple(vars(plain))
    assert "msg=USER ALICE " in formatter.format(shouting)
