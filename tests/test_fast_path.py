"""cef_logging._fast: every line the fast path renders is the general path's line, byte for byte.

Each event goes through the fast path (three times: first sight without a plan, second
sight making the plan, third through the plan) and through the general path alone; when
the fast path accepts the event, the lines must be equal.
"""

from __future__ import annotations

from typing import Any

import pytest
from _strategies import hostile_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cef_logging.events import EventParts
from cef_logging.options import RenderOptions
from cef_logging.render import LineRenderer

CREATED = 1777116738.421

text = hostile_text()
keys = st.one_of(
    st.sampled_from(["src", "user", "a", "b", "rt", "msg", "sev", "devTime", "suser", "x_1",
                     "event_id", "event_name", "event_severity", "sourceAddress", "a b", "é",
                     "source", "source.ip", "client", "server.port"]),
    st.text(max_size=6),
)  # fmt: skip
values = st.one_of(
    text,
    st.integers(),
    st.integers(min_value=10**4400, max_value=10**4401),
    st.floats(),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.floats(), max_size=2),
    st.fixed_dictionaries({"ip": text}, optional={"port": st.integers(), "": st.none()}),
)
OPTIONS: list[dict[str, Any]] = [
    {"format": "cef"},
    {"format": "leef"},
    {"format": "leef", "delimiter": "^"},
    {"format": "leef", "delimiter": "x01", "timestamp": "epoch_ms"},
    {"format": "cef", "timestamp": "iso", "static_fields": {"site": "a=b\\c", "n": 1}},
    {"format": "leef", "static_fields": {"site": "x\ty"}, "rename_fields": {"user": "usrName"}},
    {"format": "cef", "exclude_fields": ["b"], "max_length": 200},
    {"format": "cef", "none_value": "-", "key_sanitizer": "underscore"},
    {"format": "leef", "leef_version": "1.0", "timestamp": "arcsight"},
    {"format": "cef", "field_map": "ecs"},
    {"format": "leef", "field_map": "otel"},
]


def general(renderer: LineRenderer, parts: EventParts) -> str:
    return renderer._general(parts)


@pytest.mark.parametrize("options", OPTIONS, ids=[str(o) for o in OPTIONS])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fields=st.lists(st.tuples(keys, values), max_size=6, unique_by=lambda kv: kv[0]),
    message=text,
    event_id=text,
    name=text,
    level=st.sampled_from([0, 5, 10, 20, 30, 40, 50, 99, "WARNING", None]),
)
def test_fast_path_equals_general_path(
    options: dict[str, Any],
    fields: list[tuple[str, object]],
    message: str,
    event_id: str,
    name: str,
    level: object,
) -> None:
    renderer = LineRenderer(RenderOptions(**options))
    fast = renderer._fast
    assert fast is not None
    ks = tuple(k for k, _ in fields)
    vs = tuple(v for _, v in fields)
    parts = EventParts(CREATED, level, event_id, name, message, ks, vs)
    expected = general(renderer, parts)
    for _ in range(3):  # first sight, plan made, plan used
        line = fast.render(parts)
        if line is not None:
            assert line == expected
        assert renderer.render(parts) == expected


def test_fast_path_takes_the_common_events() -> None:
    """Clean, dirty and unseen events are all accepted by the fast path."""
    for options in ({"format": "cef"}, {"format": "leef"}):
        renderer = LineRenderer(RenderOptions(**options))  # type: ignore[arg-type]
        fast = renderer._fast
        assert fast is not None
        for fields in (
            {"src": "10.0.0.1", "n": 5, "f": 1.5},
            {"url": "https://x/?a=b&c=d", "path": "C:\\Windows", "why": "two\nlines"},
            {"other": "keys", "than": "before"},
        ):
            parts = EventParts(CREATED, 20, "app", "Name", "msg", tuple(fields),
                               tuple(fields.values()))  # fmt: skip
            for _ in range(3):
                assert fast.render(parts) == renderer._general(parts)


def test_rendered_iso_time_goes_through() -> None:
    renderer = LineRenderer(RenderOptions(format="cef", timestamp="iso"))
    parts = EventParts(("2026-04-25T11:32:18.421Z",), 20, "app", "n", "m", ("k",), ("v",))
    assert renderer.render(parts) == renderer._general(parts)
    assert "rt=2026-04-25T11:32:18.421Z msg=m k=v" in renderer.render(parts)


def test_nested_ecs_fields_take_the_fast_path() -> None:
    """field_map with nested dicts: flattened, then rendered through the same plans (from
    the second sighting on: renamed fields need a plan)."""
    renderer = LineRenderer(RenderOptions(format="cef", field_map="ecs"))
    fast = renderer._fast
    assert fast is not None
    fields = {"source": {"ip": "10.0.0.1", "port": 443}, "user": {"name": "al"}, "n": 1}
    parts = EventParts(CREATED, 20, "app", "Name", "msg", tuple(fields), tuple(fields.values()))
    assert renderer.render(parts) == renderer._general(parts)
    for _ in range(2):  # plan made, plan used
        line = fast.render(parts)
        assert line is not None
        assert line == renderer._general(parts)
        assert line.endswith("msg=msg src=10.0.0.1 spt=443 suser=al n=1")
