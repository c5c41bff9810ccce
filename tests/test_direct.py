"""cef_logging._direct: a compiled shape renders the usual path's line, byte for byte.

Each event dict is rendered three times by one renderer (so that its shape is compiled),
then by the compiled renderer of its shape and by a fresh renderer (whose first sighting
of the shape takes the usual path); when the compiled renderer accepts the event, the
lines must be equal.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cef_logging import CEFRenderer, LEEFRenderer

text = st.text(
    st.one_of(
        st.sampled_from(list("=\\|\t\r\n \x00\x01\x7f\x85\u2028^:%\ufffd")),
        st.characters(codec="utf-8"),
    ),
    max_size=12,
)
field_keys = st.one_of(
    st.sampled_from(["src", "user", "a", "rt", "msg", "sev", "suser", "event_id", "a b", "é"]),
    st.text(max_size=6),
)
values = st.one_of(
    text, text, st.integers(), st.floats(), st.integers(), st.floats(),
    st.booleans(), st.none(), st.lists(st.integers(), max_size=2),
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
OPTIONS: list[tuple[type[Any], dict[str, Any]]] = [
    (CEFRenderer, {}),
    (CEFRenderer, {"timestamp": "iso", "static_fields": {"site": "a=b\\c%s", "n": 1}}),
    (CEFRenderer, {"exclude_fields": ["a"], "rename_fields": {"user": "suser"}}),
    (CEFRenderer, {"reserved_keys": ["event", "timestamp"]}),
    (LEEFRenderer, {}),
    (LEEFRenderer, {"delimiter": "^", "timestamp": "iso"}),
    (LEEFRenderer, {"leef_version": "1.0", "severity_map": {"INFO": 0}}),
]


@pytest.mark.parametrize(("cls", "options"), OPTIONS, ids=[str(o) for o in OPTIONS])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    event=names,
    logger=names,
    level=levels,
    timestamp=timestamps,
    fields=st.dictionaries(field_keys, values, max_size=5),
)
def test_compiled_shape_equals_usual_path(
    cls: type[Any], options: dict[str, Any], event: Any, logger: Any, level: Any,
    timestamp: Any, fields: dict[str, Any],
) -> None:  # fmt: skip
    event_dict = {"event": event, "logger": logger, "level": level, "timestamp": timestamp}
    event_dict.update(fields)
    renderer = cls(**options)
    for _ in range(3):
        renderer(None, "info", dict(event_dict))
    compiled = renderer._compiled.get(tuple(event_dict))
    if not compiled:
        return
    line = compiled(event_dict)
    if line is not None:
        assert line == cls(**options)(None, "info", dict(event_dict))


@pytest.mark.parametrize("cls", [CEFRenderer, LEEFRenderer])
def test_common_events_are_compiled(cls: type[Any]) -> None:
    renderer = cls()
    event = {"event": "login", "logger": "auth", "level": "info",
             "timestamp": "2026-04-25T11:32:18.421312Z", "user": "alice", "n": 3}  # fmt: skip
    lines = {renderer(None, "info", event) for _ in range(4)}
    compiled = renderer._compiled.get(tuple(event))
    assert compiled
    assert lines == {compiled(event)}
    assert compiled({**event, "user": "a=b"}) is not None  # escaping stays inside
    assert compiled({**event, "user": None}) is None  # the usual path's job
    assert compiled({**event, "n": 10**5000}) is None  # too long for str()
    assert renderer(None, "info", {**event, "n": 10**5000}).endswith("0" * 20)
