"""Field maps: the ECS and OpenTelemetry tables, ``resolve_field_map`` and ``flatten``."""

from __future__ import annotations

import ast
import copy
import logging
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cef_logging import _dictionary, _leef_dictionary, field_maps
from cef_logging.field_maps import (
    ECS_ROWS,
    ECS_TO_CEF,
    ECS_TO_LEEF,
    FIELD_MAPS,
    MAX_DEPTH,
    OTEL_ROWS,
    OTEL_TO_CEF,
    OTEL_TO_LEEF,
    FieldMapping,
    flatten,
    resolve_field_map,
)

DATA = Path(__file__).parent / "data" / "field_maps"
ROOT = Path(__file__).resolve().parent.parent


def _tsv(name: str) -> dict[str, list[str]]:
    rows = {}
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            first, *rest = line.split("\t")
            rows[first] = rest
    return rows


ECS_FIELDS = {name: cols[0] for name, cols in _tsv("ecs_fields.tsv").items()}
OTEL_ATTRIBUTES = _tsv("otel_attributes.tsv")  # key -> [stability, type]

#: Keys the formatters write themselves: a field map must never target them.
BUILT_IN_KEYS = {"cef": {"rt", "msg"}, "leef": {"devTime", "devTimeFormat", "sev", "msg"}}

TABLES = {
    ("ecs", "cef"): (ECS_ROWS, ECS_TO_CEF),
    ("ecs", "leef"): (ECS_ROWS, ECS_TO_LEEF),
    ("otel", "cef"): (OTEL_ROWS, OTEL_TO_CEF),
    ("otel", "leef"): (OTEL_ROWS, OTEL_TO_LEEF),
}


def _rows() -> Iterator[tuple[str, FieldMapping]]:
    for row in ECS_ROWS:
        yield "ecs", row
    for row in OTEL_ROWS:
        yield "otel", row


ROW_IDS = [f"{schema}:{row.field}" for schema, row in _rows()]


# ------------------------------------------------------------------------------------- tables


@pytest.mark.parametrize(("schema", "row"), list(_rows()), ids=ROW_IDS)
def test_every_row_targets_a_producer_key_of_its_format(schema: str, row: FieldMapping) -> None:
    assert row.note.strip(), row
    if row.cef is not None:
        entry = _dictionary.BY_KEY.get(row.cef)
        assert entry is not None, f"{row.cef!r} is not a CEF dictionary key"
        assert not entry.arcsight_only, f"{row.cef!r} is set by ArcSight, not by producers"
        assert row.cef not in BUILT_IN_KEYS["cef"]
    if row.leef is not None:
        leef = _leef_dictionary.BY_KEY.get(row.leef)
        assert leef is not None, f"{row.leef!r} is not a predefined LEEF attribute"
        assert not leef.reserved, f"{row.leef!r} is reserved, QRadar does not implement it"
        assert row.leef not in BUILT_IN_KEYS["leef"]


def _ecs_type_fits(ecs_type: str, target_type: str) -> bool:
    if target_type in (_dictionary.TYPE_IPV4, _dictionary.TYPE_IPV6, "IPv4 or IPv6 Address"):
        return ecs_type == "ip"
    if target_type in (_dictionary.TYPE_INTEGER, _dictionary.TYPE_LONG, "Integer"):
        return ecs_type in ("long", "integer")
    if target_type == _dictionary.TYPE_TIMESTAMP:
        return False  # CEF times are epoch ms or "MMM dd yyyy HH:mm:ss", not ECS dates
    return ecs_type in ("keyword", "wildcard", "match_only_text", "text", "constant_keyword")


def _otel_type_fits(otel_type: str, target_type: str) -> bool:
    if target_type in (_dictionary.TYPE_INTEGER, _dictionary.TYPE_LONG, "Integer"):
        return otel_type == "int"
    if target_type == _dictionary.TYPE_TIMESTAMP:
        return False
    return otel_type in ("string", "enum", "string[]") or otel_type.startswith("template[string")


def _target_types(row: FieldMapping) -> list[str]:
    types = []
    if row.cef is not None:
        types.append(_dictionary.BY_KEY[row.cef].type)
    if row.leef is not None:
        types.append(_leef_dictionary.BY_KEY[row.leef].type)
    return types


@pytest.mark.parametrize("row", ECS_ROWS, ids=[r.field for r in ECS_ROWS])
def test_every_ecs_row_is_an_ecs_field_of_a_fitting_type(row: FieldMapping) -> None:
    assert row.field in ECS_FIELDS, f"{row.field} is not an ECS field"
    for target in _target_types(row):
        assert _ecs_type_fits(ECS_FIELDS[row.field], target), (row, target)


def _otel_attribute(name: str) -> list[str] | None:
    if name in OTEL_ATTRIBUTES:
        return OTEL_ATTRIBUTES[name]
    for key, (stability, typ) in OTEL_ATTRIBUTES.items():
        if typ.startswith("template[") and name.startswith(key + "."):
            return [stability, typ]
    return None


@pytest.mark.parametrize("row", OTEL_ROWS, ids=[r.field for r in OTEL_ROWS])
def test_every_otel_row_is_a_registered_attribute_of_a_fitting_type(row: FieldMapping) -> None:
    attribute = _otel_attribute(row.field)
    assert attribute is not None, f"{row.field} is not an OpenTelemetry attribute"
    stability, typ = attribute
    # deprecated names are mapped only as such, and say so
    assert (stability == "deprecated") == row.note.startswith("deprecated"), row
    for target in _target_types(row):
        assert _otel_type_fits(typ, target), (row, target)


def test_rows_are_unique_and_the_tables_are_the_rows() -> None:
    for (_schema, fmt), (rows, table) in TABLES.items():
        fields = [r.field for r in rows]
        assert len(fields) == len(set(fields))
        expected = {r.field: getattr(r, fmt) for r in rows if getattr(r, fmt) is not None}
        assert dict(table) == expected
        assert list(table) == list(expected)  # table order is row order
        with pytest.raises(TypeError):
            table["x"] = "y"  # type: ignore[index]


def test_the_issues_examples_are_mapped() -> None:
    ecs = {"source.ip": "src", "user.name": "suser", "url.original": "request",
           "http.request.method": "requestMethod", "event.action": "act",
           "event.outcome": "outcome", "destination.port": "dpt", "source.port": "spt"}  # fmt: skip
    assert {k: ECS_TO_CEF[k] for k in ecs} == ecs
    assert ECS_TO_LEEF["source.port"] == "srcPort"
    assert ECS_TO_LEEF["user.name"] == "usrName"
    assert ECS_TO_LEEF["source.mac"] == "srcMAC"
    assert ECS_TO_LEEF["network.transport"] == "proto"
    assert ECS_TO_LEEF["url.original"] == "url"
    otel = {"client.address": "src", "server.port": "dpt", "user.id": "suid",
            "http.request.method": "requestMethod", "url.full": "request"}  # fmt: skip
    assert {k: OTEL_TO_CEF[k] for k in otel} == otel
    assert OTEL_TO_LEEF["server.port"] == "dstPort"
    # deliberately not mapped: the header carries severity, times need converting
    for field in ("event.severity", "event.start", "host.ip", "network.direction"):
        assert field not in ECS_TO_CEF and field not in ECS_TO_LEEF


def test_leef_dictionary_is_ibms_table() -> None:
    keys = [e.key for e in _leef_dictionary.LEEF_KEYS]
    assert len(keys) == 45 == len(set(keys)) == len(_leef_dictionary.BY_KEY)
    assert all(re.fullmatch(r"[A-Za-z]+", k) for k in keys)
    reserved = {e.key for e in _leef_dictionary.LEEF_KEYS if e.reserved}
    assert reserved == {"identMAC", "isLoginEvent", "isLogoutEvent", "identSecondlp",
                        "calLanguage", "calCountryOrRegion"}  # fmt: skip
    assert sum(e.normalized for e in _leef_dictionary.LEEF_KEYS) == 24


def test_module_is_pure_and_exports_everything() -> None:
    for module in (field_maps, _leef_dictionary):
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                imported.add((node.module or "").split(".")[0] if node.level == 0 else ".")
        assert not imported & {"logging", "structlog"}, imported
        public = {
            n for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", module.__name__)
            == module.__name__ and n not in ("annotations", "Final", "Literal")
            and not isinstance(v, type(ast))
        }  # fmt: skip
        assert public <= set(module.__all__), public - set(module.__all__)
        assert all(hasattr(module, n) for n in module.__all__)


# ------------------------------------------------------------------------- resolve_field_map


@pytest.mark.parametrize("fmt", ["cef", "leef"])
def test_resolve_builtin_names(fmt: Any) -> None:
    assert resolve_field_map(None, fmt=fmt) is None
    for name in FIELD_MAPS:
        table = TABLES[name, fmt][1]
        assert resolve_field_map(name, fmt=fmt) is table
        assert resolve_field_map(f" {name.upper()} ", fmt=fmt) is table


class _Recording(Mapping[str, str]):
    """A mapping that resolves values on access, like dictConfig's ConvertingDict."""

    def __init__(self, data: dict[str, str]) -> None:
        self.data = data
        self.accessed: list[str] = []

    def __getitem__(self, key: str) -> str:
        self.accessed.append(key)
        return self.data[key].replace("ext://", "")

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def items(self) -> Any:  # a lazy mapping's items() would not resolve
        raise AssertionError("copied by items(), not by key")


def test_resolve_user_mapping_is_a_read_only_copy_made_by_key() -> None:
    source = _Recording({"labels.tenant": "ext://cs1", "app.user": "suser"})
    table = resolve_field_map(source, fmt="cef")
    assert table == {"labels.tenant": "cs1", "app.user": "suser"}
    assert source.accessed == ["labels.tenant", "app.user"]
    with pytest.raises(TypeError):
        table["x"] = "y"  # type: ignore[index]
    plain = {"a.b": "cs2"}
    copied = resolve_field_map(plain, fmt="leef")
    plain["a.b"] = "changed"
    assert copied == {"a.b": "cs2"}
    assert resolve_field_map({}, fmt="cef") == {}


@pytest.mark.parametrize(
    "spec",
    ["xml", "", "ecs,otel", 3, 1.5, True, ["ecs"], ("otel",), b"ecs", object()],
)
def test_resolve_rejects_other_values_naming_the_option(spec: Any) -> None:
    with pytest.raises(ValueError, match=r"^field_map must be 'ecs', 'otel', a mapping") as exc:
        resolve_field_map(spec, fmt="cef")
    assert repr(spec) in str(exc.value)


@pytest.mark.parametrize(
    "spec",
    [{"a": 1}, {"a": None}, {"a": ""}, {"": "src"}, {1: "src"}, {"a": ["src"]}],
    ids=["int value", "None value", "empty value", "empty field", "int field", "list value"],
)
def test_resolve_rejects_bad_mappings_naming_the_option(spec: Any) -> None:
    with pytest.raises(ValueError, match=r"^field_map: "):
        resolve_field_map(spec, fmt="cef")


def test_resolve_rejects_an_unknown_format() -> None:
    with pytest.raises(ValueError, match=r"^field_map: fmt must be 'cef' or 'leef'"):
        resolve_field_map("ecs", fmt="json")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ flatten


def test_flatten_nested_and_dotted() -> None:
    event = {
        "source": {"ip": "10.0.0.1", "port": 4431, "geo": {"country_iso_code": "DE"}},
        "event.action": "login",
        "tags": ["a", {"x": 1}],
        "n": None,
    }
    assert flatten(event) == {
        "source.ip": "10.0.0.1",
        "source.port": 4431,
        "source.geo.country_iso_code": "DE",
        "event.action": "login",
        "tags": ["a", {"x": 1}],
        "n": None,
    }
    assert list(flatten(event)) == [
        "source.ip", "source.port", "source.geo.country_iso_code", "event.action", "tags", "n",
    ]  # fmt: skip


def test_flatten_without_nesting_is_a_copy() -> None:
    event: dict[str, object] = {"a": 1, "b.c": "x"}
    out = flatten(event)
    assert out == event and out is not event
    out["z"] = 1
    assert "z" not in event


def test_flatten_collision_first_keeps_the_name() -> None:
    assert flatten({"source.ip": "a", "source": {"ip": "b"}}) == {
        "source.ip": "a",
        "source.ip_2": "b",
    }
    assert flatten({"source": {"ip": "b"}, "source.ip": "a", "source.ip_2": "c"}) == {
        "source.ip": "b",
        "source.ip_2": "a",
        "source.ip_2_2": "c",
    }
    assert flatten({1: "int", "1": "str", "a": {}}) == {"1": "int", "1_2": "str", "a": {}}


def test_flatten_only_enters_dicts() -> None:
    from types import MappingProxyType

    class Sub(dict[str, object]):
        def items(self) -> Any:
            raise RuntimeError("hostile items()")

    proxy = MappingProxyType({"x": 1})
    assert flatten({"p": proxy, "s": Sub(y=2)}) == {"p": proxy, "s.y": 2}


def test_flatten_survives_cycles_and_depth() -> None:
    loop: dict[str, object] = {"name": "x"}
    loop["self"] = loop
    loop["child"] = {"parent": loop}
    out = flatten({"loop": loop})
    assert out == {
        "loop.name": "x",
        "loop.self": loop,
        "loop.child.parent": loop,
    }
    deep: dict[str, object] = {}
    node = deep
    for _ in range(20_000):
        node["a"] = {}
        node = node["a"]  # type: ignore[assignment]
    node["leaf"] = 1
    (key, value), *rest = flatten(deep).items()
    assert rest == []
    assert key == ".".join(["a"] * (MAX_DEPTH + 1))
    assert isinstance(value, dict)


def test_flatten_does_not_change_its_input() -> None:
    event = {"a": {"b": {"c": 1}}, "a.b": {"c": 2}}
    before = copy.deepcopy(event)
    flatten(event)
    assert event == before


def test_flatten_hostile_keys() -> None:
    class BadStr:
        def __str__(self) -> str:
            raise RuntimeError("no")

        def __repr__(self) -> str:
            raise RuntimeError("no")

    out = flatten({"x": {BadStr(): 1}})  # type: ignore[dict-item]
    ((key, value),) = out.items()
    assert type(key) is str and key.startswith("x.<unprintable") and value == 1


_leaf = st.none() | st.integers() | st.text(max_size=4) | st.lists(st.integers(), max_size=2)
_keys = st.text(alphabet="ab._1", max_size=3) | st.integers(-2, 2)
_nested = st.recursive(
    _leaf, lambda children: st.dictionaries(_keys, children, max_size=4), max_leaves=25
)


def _naive(d: Mapping[Any, Any], prefix: str = "") -> Iterator[tuple[str, object]]:
    for k, v in d.items():
        name = prefix + str(k)
        if isinstance(v, dict) and v:
            yield from _naive(v, name + ".")
        else:
            yield name, v


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _nested, max_size=6))
def test_flatten_property_keeps_every_value(event: dict[Any, Any]) -> None:
    out = flatten(event)
    assert all(type(k) is str for k in out)
    expected = list(_naive(event))
    # no value is lost: the same values, in the same order ...
    assert [id(v) for v in out.values()] == [id(v) for _, v in expected]
    # ... under the naive dotted name, or that name with a collision suffix
    for (name, _), key in zip(expected, out, strict=True):
        assert key == name or re.fullmatch(re.escape(name) + r"(_\d+)+", key), (name, key)
    if len({name for name, _ in expected}) == len(expected):
        assert out == dict(expected)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _nested, max_size=6))
def test_flatten_recursive_walk_equals_the_iterative_one(event: dict[Any, Any]) -> None:
    # the recursive walk is the fast path; the explicit-stack walk is the fallback
    assert flatten(event) == field_maps._walk_iteratively(tuple(event.items()))


def test_flatten_near_the_recursion_limit_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    calls = []
    iterative = field_maps._walk_iteratively

    def spy(items: Any) -> dict[str, object]:
        calls.append(1)
        return iterative(items)

    deep: dict[str, object] = {"leaf": 0}
    for n in range(20):
        deep = {f"k{n}": deep, "x": n}
    expected = flatten(deep)
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    limit = sys.getrecursionlimit()
    monkeypatch.setattr(field_maps, "_walk_iteratively", spy)
    sys.setrecursionlimit(depth + 12)  # room for a few frames, not for 20 levels
    try:
        got = flatten(deep)
    finally:
        sys.setrecursionlimit(limit)
    assert calls == [1]
    assert got == expected
    assert list(got) == list(expected)


@settings(max_examples=100, deadline=None)
@given(st.recursive(st.dictionaries(_keys, _leaf, max_size=3),
                    lambda c: st.dictionaries(_keys, c | _leaf, max_size=3)))  # fmt: skip
def test_flatten_property_never_raises_even_with_cycles(event: dict[Any, Any]) -> None:
    # tie every nested dict back to the top: each becomes a cycle
    stack = [event]
    while stack:
        d = stack.pop()
        for v in list(d.values()):
            if isinstance(v, dict):
                stack.append(v)
        d["back"] = event
    out = flatten(event)
    assert all(type(k) is str for k in out)


# ---------------------------------------------------------------------------- documentation


def _tables_script() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "field_map_tables", ROOT / "scripts" / "field_map_tables.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_documented_tables_are_the_data() -> None:
    script = _tables_script()
    page = (ROOT / "docs" / "field-maps.md").read_text(encoding="utf-8")
    assert script.updated(page) == page, "run scripts/field_map_tables.py"
    # and read back, the page's rows are exactly the rows of the code
    section = page[page.index(script.BEGIN) : page.index(script.END)]
    documented: dict[str, list[tuple[str, str | None, str | None]]] = {}
    current = ""
    for line in section.splitlines():
        if line.startswith("### "):
            current = line[4:]
            documented[current] = []
        elif line.startswith("| `"):
            field, cef, leef, _note = (c.strip() for c in line.strip("|").split(" | "))
            documented[current].append((
                field.strip("`"),
                None if cef == "—" else cef.strip("`"),
                None if leef == "—" else leef.strip("`"),
            ))  # fmt: skip
    assert documented == {
        "ECS fields": [(r.field, r.cef, r.leef) for r in ECS_ROWS],
        "OpenTelemetry attributes": [(r.field, r.cef, r.leef) for r in OTEL_ROWS],
    }


# ------------------------------------------------------- end to end, through every adapter


def _adapter(fmt: str, kind: str, **options: Any) -> Any:
    """A function event fields -> line, through a real formatter or renderer."""
    from conftest import make_record

    import cef_logging

    options.setdefault("vendor", "Acme")
    options.setdefault("product", "Shop")
    options.setdefault("version", "2.1")
    if kind == "stdlib":
        formatter = (cef_logging.CEFFormatter if fmt == "cef" else cef_logging.LEEFFormatter)(
            **options
        )
        return lambda fields: formatter.format(make_record("audit", extra=dict(fields)))
    renderer = (cef_logging.CEFRenderer if fmt == "cef" else cef_logging.LEEFRenderer)(**options)
    return lambda fields: renderer(None, "info", {"event": "audit", **fields})


def _fields(fmt: str, line: str) -> dict[str, str]:
    from cef_logging.parse import parse_cef, parse_leef

    assert "\n" not in line and "\r" not in line
    if fmt == "cef":
        return parse_cef(line, strict=True).extensions
    return parse_leef(line, strict=True).attributes


ADAPTERS = [
    pytest.param(fmt, kind, id=f"{fmt}-{kind}")
    for fmt in ("cef", "leef")
    for kind in ("stdlib", "structlog")
]

ECS_EVENT_NESTED: dict[str, Any] = {
    "source": {"ip": "203.0.113.9", "port": 51234, "mac": "00:11:22:33:44:55"},
    "user": {"name": "alice", "roles": ["admin"]},
    "event": {"action": "login", "outcome": "success"},
    "url": {"original": "https://shop.example.com/login?next=/cart"},
    "http": {"request": {"method": "POST"}},
    "network": {"transport": "tcp"},
    "labels": {"tenant": "eu-1"},
}
ECS_EVENT_DOTTED: dict[str, Any] = {
    "source.ip": "203.0.113.9", "source.port": 51234, "source.mac": "00:11:22:33:44:55",
    "user.name": "alice", "user.roles": ["admin"],
    "event.action": "login", "event.outcome": "success",
    "url.original": "https://shop.example.com/login?next=/cart",
    "http.request.method": "POST", "network.transport": "tcp", "labels.tenant": "eu-1",
}  # fmt: skip
ECS_EXPECTED = {
    "cef": {
        "src": "203.0.113.9", "spt": "51234", "smac": "00:11:22:33:44:55", "suser": "alice",
        "spriv": '["admin"]', "act": "login", "outcome": "success",
        "request": "https://shop.example.com/login?next=/cart", "requestMethod": "POST",
        "proto": "tcp", "labelstenant": "eu-1",
    },
    "leef": {
        "src": "203.0.113.9", "srcPort": "51234", "srcMAC": "00:11:22:33:44:55",
        "usrName": "alice", "role": '["admin"]', "eventaction": "login",
        "eventoutcome": "success", "url": "https://shop.example.com/login?next=/cart",
        "httprequestmethod": "POST", "proto": "tcp", "labelstenant": "eu-1",
    },
}  # fmt: skip
OTEL_EVENT: dict[str, Any] = {
    "client.address": "198.51.100.7", "client.port": 40022, "server.address": "api.example.com",
    "server.port": 443, "url.full": "https://api.example.com/v1/orders?id=7",
    "http.request.method": "DELETE", "user.id": "u-42", "user_agent.original": "curl/8.5",
    "http.response.status_code": 403,
}  # fmt: skip
OTEL_EXPECTED = {
    "cef": {
        "src": "198.51.100.7", "spt": "40022", "dhost": "api.example.com", "dpt": "443",
        "request": "https://api.example.com/v1/orders?id=7", "requestMethod": "DELETE",
        "suid": "u-42", "requestClientApplication": "curl/8.5", "httpresponsestatus_code": "403",
    },
    "leef": {
        "src": "198.51.100.7", "srcPort": "40022", "serveraddress": "api.example.com",
        "dstPort": "443", "url": "https://api.example.com/v1/orders?id=7",
        "httprequestmethod": "DELETE", "userid": "u-42", "user_agentoriginal": "curl/8.5",
        "httpresponsestatus_code": "403",
    },
}  # fmt: skip


def _extension(fmt: str, line: str) -> dict[str, str]:
    """The parsed fields without the formatter's own (time, severity, message)."""
    return {k: v for k, v in _fields(fmt, line).items() if k not in BUILT_IN_KEYS[fmt]}


@pytest.mark.parametrize(("fmt", "kind"), ADAPTERS)
def test_ecs_event_nested_and_dotted(fmt: str, kind: str) -> None:
    render = _adapter(fmt, kind, field_map="ecs")
    event: dict[str, Any] = {}
    for name, value in ECS_EVENT_NESTED.items():
        if kind == "structlog" and name == "event":  # structlog's message: event.* go dotted
            event.update({"event.action": "login", "event.outcome": "success"})
        else:
            event[name] = value
    nested = render(event)
    assert _extension(fmt, nested) == ECS_EXPECTED[fmt]
    # the same event written with dotted names is the same line (times aside)
    dotted = render(ECS_EVENT_DOTTED)
    assert _extension(fmt, dotted) == ECS_EXPECTED[fmt]
    assert list(_fields(fmt, dotted)) == list(_fields(fmt, nested))


@pytest.mark.parametrize(("fmt", "kind"), ADAPTERS)
def test_otel_attributes(fmt: str, kind: str) -> None:
    render = _adapter(fmt, kind, field_map="otel")
    assert _extension(fmt, render(OTEL_EVENT)) == OTEL_EXPECTED[fmt]


@pytest.mark.parametrize(("fmt", "kind"), ADAPTERS)
def test_without_a_field_map_nothing_changes(fmt: str, kind: str) -> None:
    render = _adapter(fmt, kind)
    fields = _extension(fmt, render({"source": {"ip": "203.0.113.9"}, "user.name": "alice"}))
    assert fields == {"source": '{"ip":"203.0.113.9"}', "username": "alice"}


@pytest.mark.parametrize(("fmt", "kind"), ADAPTERS)
def test_rename_fields_wins_over_the_field_map(fmt: str, kind: str) -> None:
    render = _adapter(
        fmt, kind, field_map="ecs",
        rename_fields={"user.name": "duser", "labels.tenant": "cs1", "source.ip": "src"},
    )  # fmt: skip
    fields = _extension(fmt, render({"user": {"name": "alice"}, "labels": {"tenant": "eu-1"},
                                     "source": {"ip": "192.0.2.1"}}))  # fmt: skip
    assert fields == {"duser": "alice", "cs1": "eu-1", "src": "192.0.2.1"}


@pytest.mark.parametrize(("fmt", "kind"), ADAPTERS)
def test_user_mapping(fmt: str, kind: str) -> None:
    render = _adapter(fmt, kind, field_map={"order.id": "externalId", "client.ip": "src"})
    fields = _extension(fmt, render({"order": {"id": "A-1", "total": 9.5}, "client.ip": "192.0.2.1",
                                     "source.ip": "192.0.2.2"}))  # fmt: skip
    # only the user's table applies: source.ip is not in it
    assert fields == {"externalId": "A-1", "ordertotal": "9.5", "src": "192.0.2.1",
                      "sourceip": "192.0.2.2"}  # fmt: skip


@pytest.mark.parametrize(("fmt", "kind"), ADAPTERS)
def test_two_fields_on_one_key_are_both_kept(fmt: str, kind: str) -> None:
    render = _adapter(fmt, kind, field_map="ecs")
    fields = _extension(fmt, render({"source": {"ip": "192.0.2.1"}, "client": {"ip": "192.0.2.2"},
                                     "source.ip": "192.0.2.3"}))  # fmt: skip
    assert sorted(fields.values()) == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    assert fields["src"] == "192.0.2.1"


def _sample_value(target_type: str) -> object:
    if "Address" in target_type:
        return "192.0.2.77"
    if target_type.startswith("Integer") or target_type == "Long":
        return 4242
    if target_type == "MAC Address":
        return "00:11:22:33:44:55"
    return "sample value"


@pytest.mark.parametrize(("fmt", "kind"), ADAPTERS)
@pytest.mark.parametrize("schema", ["ecs", "otel"])
def test_every_table_row_end_to_end(fmt: str, kind: str, schema: str) -> None:
    table = TABLES[schema, fmt][1]
    render = _adapter(fmt, kind, field_map=schema)
    types = _dictionary.BY_KEY if fmt == "cef" else _leef_dictionary.BY_KEY
    for field, key in table.items():
        value = _sample_value(types[key].type)
        variants = [{field: value}]
        if field.split(".")[0] not in _TAKEN[kind]:
            variants.append(_nest(field, value))
        for fields in variants:
            assert _extension(fmt, render(fields)) == {key: str(value)}, (field, fields)


#: Top-level names an adapter does not accept as nested fields: LogRecord attributes (logging
#: refuses them in ``extra``) and structlog's message key.
_TAKEN = {
    "stdlib": {*vars(logging.makeLogRecord({})), "message", "asctime"},
    "structlog": {"event"},
}


def _nest(field: str, value: object) -> dict[str, Any]:
    *parents, last = field.split(".")
    event: dict[str, Any] = {last: value}
    for part in reversed(parents):
        event = {part: event}
    return event


def test_dictconfig_copies_the_mapping_by_key() -> None:
    import io
    import logging.config

    stream = io.StringIO()
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "keys": {"order": "externalId"},
        "formatters": {
            "siem": {
                "()": "cef_logging.CEFFormatter",
                "field_map": {"order.id": "cfg://keys.order", "client.ip": "src"},
            },
            "ecs": {"()": "cef_logging.LEEFFormatter", "field_map": "ecs"},
        },
        "handlers": {
            "cef": {"class": "logging.StreamHandler", "stream": stream, "formatter": "siem"},
            "leef": {"class": "logging.StreamHandler", "stream": stream, "formatter": "ecs"},
        },
        "loggers": {
            "fieldmap.test": {"handlers": ["cef", "leef"], "level": "INFO", "propagate": False},
        },
    })  # fmt: skip
    logger = logging.getLogger("fieldmap.test")
    try:
        logger.info("order", extra={"order": {"id": "A-7"}, "client": {"ip": "192.0.2.5"}})
    finally:
        for handler in logger.handlers[:]:
            logger.removeHandler(handler)
    cef, leef = stream.getvalue().splitlines()
    assert _extension("cef", cef) == {"externalId": "A-7", "src": "192.0.2.5"}
    assert _extension("leef", leef) == {"orderid": "A-7", "src": "192.0.2.5"}


@pytest.mark.parametrize("kind", ["stdlib", "structlog"])
@pytest.mark.parametrize("fmt", ["cef", "leef"])
def test_a_bad_field_map_is_refused_at_construction(fmt: str, kind: str) -> None:
    for bad in ("elastic", {"a": 1}, 7):
        with pytest.raises(ValueError, match="field_map"):
            _adapter(fmt, kind, field_map=bad)


_event_keys = st.sampled_from(
    ["source", "ip", "user", "name", "url", "original", "x=y", "a b", "é", "", "source.ip", "\n",
     "event", "msg", "rt", "sev"]
)
_event_values = st.none() | st.integers() | st.floats() | st.text(max_size=8) | st.booleans()
_events = st.dictionaries(
    _event_keys,
    st.recursive(
        _event_values, lambda c: st.dictionaries(_event_keys, c, max_size=3), max_leaves=12
    ),
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(event=_events, schema=st.sampled_from(["ecs", "otel"]))
@pytest.mark.parametrize(("fmt", "kind"), ADAPTERS)
def test_property_any_nested_event_renders_one_strict_line(
    fmt: str, kind: str, event: dict[str, Any], schema: str
) -> None:
    render = _adapter(fmt, kind, field_map=schema)
    event = {k: v for k, v in event.items() if k not in _TAKEN[kind]}
    line = render(event)
    fields = _fields(fmt, line)
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", key) for key in fields)
    # nothing is lost: one pair per flattened field with a value (None is left out)
    assert len(_extension(fmt, line)) == sum(v is not None for v in flatten(event).values())


@pytest.mark.parametrize(("fmt", "kind"), ADAPTERS)
def test_dropping_one_of_two_fields_on_one_key(fmt: str, kind: str) -> None:
    event = {"source": {"ip": "192.0.2.1"}, "client.ip": "192.0.2.2"}
    both = _adapter(fmt, kind, field_map="ecs", exclude_fields=["src"])
    assert _extension(fmt, both(event)) == {}
    one = _adapter(fmt, kind, field_map="ecs", rename_fields={"client.ip": "clientIp"},
                   exclude_fields=["clientIp"])  # fmt: skip
    assert _extension(fmt, one(event)) == {"src": "192.0.2.1"}


def test_every_noted_elastic_reading_is_a_row_of_the_ecs_table() -> None:
    # the notes "Elastic reads CEF x as y" come from this set: each pair must be a real row
    for cef, field in field_maps._ELASTIC_READS:
        assert ECS_TO_CEF.get(field) == cef, (cef, field)
        (row,) = [r for r in ECS_ROWS if r.field == field]
        assert f"Elastic reads CEF {cef} as {field}" in row.note


@pytest.mark.parametrize("kind", ["stdlib", "structlog"])
def test_leef_1_0(kind: str) -> None:
    render = _adapter("leef", kind, field_map="ecs", leef_version="1.0")
    line = render({"source": {"ip": "192.0.2.1", "port": 80}, "user.name": "carol"})
    assert line.startswith("LEEF:1.0|Acme|Shop|2.1|")
    assert _extension("leef", line) == {"src": "192.0.2.1", "srcPort": "80", "usrName": "carol"}
