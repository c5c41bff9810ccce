"""cef_logging.render.LineRenderer: header slots, severity, naming, collisions, order,
exclusion, defaults, LEEF delimiters, truncation."""

from __future__ import annotations

from typing import Any

import pytest

from cef_logging.events import EventParts, MessageError
from cef_logging.options import DEFAULT_SEVERITY_MAP, STANDARD_FIELDS, RenderOptions
from cef_logging.render import LineRenderer


def make(kind: str = "cef", **options: Any) -> LineRenderer:
    return LineRenderer(RenderOptions(format=kind, **options))  # type: ignore[arg-type]

CREATED = 1777116738.421
TS = "2026-04-25T11:32:18.421Z"
MS = "1777116738421"  # the default CEF rt: epoch milliseconds
FMT = "yyyy-MM-dd'T'HH:mm:ss.SSSX"


def render(r: LineRenderer, items: Any = (), **kw: Any) -> str:
    args: dict[str, Any] = {
        "created": CREATED, "levelno": 20, "event_id": "app.audit", "name": "Did %s",
        "message": "Done", "items": list(items),
    }  # fmt: skip
    args.update(kw)
    return r.render(EventParts(**args))


def ext(line: str, kind: str = "cef") -> list[str]:
    """The extension's pairs (test values below contain no separator)."""
    if kind == "cef":
        return line.split("|", 7)[7].split(" ")
    return line.split("|", 6)[6].split("\t")


def keys(line: str, kind: str = "cef") -> list[str]:
    return [p.split("=", 1)[0] for p in ext(line, kind)]


# ------------------------------------------------------------------------------- golden


def test_cef_golden() -> None:
    r = make("cef", vendor="Acme", product="Portal", version="2.1")
    assert render(r, [("user", "bob"), ("count", 3)]) == (
        f"CEF:0|Acme|Portal|2.1|app.audit|Did %s|4|rt={MS} msg=Done user=bob count=3"
    )


@pytest.mark.parametrize(
    ("options", "slot", "sep"),
    [
        ({}, "x09|", "\t"),
        ({"delimiter": "x09"}, "x09|", "\t"),
        ({"delimiter": "tab"}, "x09|", "\t"),
        ({"delimiter": "^"}, "^|", "^"),
        ({"delimiter": "0x5E"}, "^|", "^"),
        ({"delimiter": "x5e"}, "^|", "^"),
        ({"delimiter": "\x01"}, "x01|", "\x01"),
        ({"delimiter": " "}, "x20|", " "),
        ({"leef_version": "1.0"}, "", "\t"),
    ],
)
def test_leef_golden(options: dict[str, str], slot: str, sep: str) -> None:
    r = make("leef", vendor="Acme", product="Portal", version="2.1", **options)
    version = options.get("leef_version", "2.0")
    assert render(r, [("user", "bob")]) == (
        f"LEEF:{version}|Acme|Portal|2.1|app.audit|{slot}"
        + sep.join([f"devTime={TS}", f"devTimeFormat={FMT}", "sev=4", "msg=Done", "user=bob"])
    )


@pytest.mark.parametrize(
    "delimiter", ["|", "=", "\\", "\n", "\r", "\u2028", "ab", "", "a", "Z", "5", "_", "\ufffd"]
)
def test_leef_unusable_delimiters(delimiter: str) -> None:
    with pytest.raises(ValueError):
        make("leef", delimiter=delimiter)


def test_leef_1_has_no_delimiter_choice() -> None:
    with pytest.raises(ValueError, match=r"LEEF 1\.0"):
        make("leef", leef_version="1.0", delimiter="^")
    with pytest.raises(ValueError):
        make("leef", leef_version="3.0")


def test_leef_escapes_its_delimiter() -> None:
    r = make("leef", delimiter="^", timestamp=None)
    line = render(r, [("v", "a^b\tc=d|e\\")])
    assert line.endswith("^v=a\\^b\tc=d|e\\\\")


@pytest.mark.parametrize(
    ("timestamp", "cef_pair", "leef_pairs"),
    [
        ("iso", f"rt={TS}", [f"devTime={TS}", f"devTimeFormat={FMT}"]),
        ("epoch_ms", "rt=1777116738421", ["devTime=1777116738421"]),
        (
            "arcsight",
            "rt=Apr 25 2026 11:32:18.421 UTC",
            ["devTime=Apr 25 2026 11:32:18.421 UTC", "devTimeFormat=MMM dd yyyy HH:mm:ss.SSS z"],
        ),
    ],
)
def test_timestamp_formats(timestamp: str, cef_pair: str, leef_pairs: list[str]) -> None:
    cef = render(make("cef", timestamp=timestamp))
    assert cef.split("|", 7)[7] == f"{cef_pair} msg=Done"
    leef = render(make("leef", timestamp=timestamp))
    assert ext(leef, "leef") == [*leef_pairs, "sev=4", "msg=Done"]


def test_timestamp_off() -> None:
    assert render(make("cef", timestamp=None)).endswith("|4|msg=Done")
    assert ext(render(make("leef", timestamp=None)), "leef") == ["sev=4", "msg=Done"]
    with pytest.raises(ValueError):
        make("cef", timestamp="local")


def test_empty_message_is_omitted() -> None:
    assert render(make("cef", timestamp=None), message="").endswith("|4|")


# ------------------------------------------------------------------------------- severity


@pytest.mark.parametrize(
    ("levelno", "cef", "leef"),
    [(0, 0, 1), (5, 0, 1), (10, 2, 2), (15, 2, 2), (20, 4, 4), (25, 4, 4), (30, 6, 6),
     (40, 8, 8), (45, 8, 8), (50, 10, 10), (99, 10, 10), (-5, 0, 1)],
)  # fmt: skip
def test_default_severity(levelno: int, cef: int, leef: int) -> None:
    line = render(make("cef", timestamp=None), levelno=levelno)
    assert line.split("|")[6] == str(cef)
    leef_line = render(make("leef", timestamp=None), levelno=levelno)
    assert ext(leef_line, "leef")[0] == f"sev={leef}"  # QRadar's sev is 1-10


def test_default_severity_map_constant() -> None:
    assert dict(DEFAULT_SEVERITY_MAP) == {0: 0, 10: 2, 20: 4, 30: 6, 40: 8, 50: 10}


def test_custom_severity_map_by_name_and_number() -> None:
    r = make("cef", severity_map={"DEBUG": 1, "info": 3, 30: 5, "40": 9, "TRACE": 0})
    sev = r.layout.severity.severity
    assert [sev(5), sev(10), sev(20), sev(25), sev(30), sev(40), sev(50), sev(1)] == [
        0, 1, 3, 3, 5, 9, 9, 0,
    ]  # fmt: skip


def test_severity_map_custom_level_names() -> None:
    r = make("cef", severity_map={"NOTICE": 5}, level_names={"notice": 25})
    assert r.layout.severity.severity(25) == 5
    assert r.layout.severity.severity(24) == 0


@pytest.mark.parametrize(
    "bad", [{"NOPE": 1}, {20: 11}, {20: -1}, {20: "high"}, {20: True}, {}]
)
def test_severity_map_rejects(bad: dict[Any, Any]) -> None:
    with pytest.raises(ValueError):
        make("cef", severity_map=bad)


@pytest.mark.parametrize(
    ("value", "cef", "leef"),
    [(7, "7", "7"), ("3", "3", "3"), (0, "0", "1"), ("High", "High", "8"),
     ("very-high", "Very-High", "10"), ("low", "Low", "3"), ("medium", "Medium", "6")],
)  # fmt: skip
def test_event_severity_override(value: object, cef: str, leef: str) -> None:
    line = render(make("cef", timestamp=None), [("event_severity", value)])
    assert line.split("|")[6] == cef
    assert "event_severity" not in line
    leef_line = render(make("leef", timestamp=None), [("event_severity", value)])
    assert ext(leef_line, "leef")[0] == f"sev={leef}"
    assert "event_severity" not in leef_line


@pytest.mark.parametrize("value", ["banana", 11, -1, True, 2.5])
def test_invalid_event_severity_stays_a_field(value: object) -> None:
    line = render(make("cef", timestamp=None), [("event_severity", value)])
    assert line.split("|")[6] == "4"
    assert ext(line)[-1].startswith("event_severity=")


def test_event_id_and_name_overrides_are_consumed() -> None:
    line = render(
        make("cef", timestamp=None), [("event_id", "login-ok"), ("event_name", "Login")]
    )
    assert line == "CEF:0|cef-logging|python|1.0|login-ok|Login|4|msg=Done"


@pytest.mark.parametrize("event_id", [None, ""])
def test_default_event_id(event_id: object) -> None:
    r = make("cef", default_event_id="IdentityMesh.Generic", timestamp=None)
    assert render(r, event_id=event_id).split("|")[4] == "IdentityMesh.Generic"


# ------------------------------------------------------------------------------- naming


def test_collision_rule_smallest_free_suffix() -> None:
    r = make("cef", timestamp="iso")
    line = render(r, [("rt_2", "a"), ("rt", "b"), ("rt", "c"), ("msg", "d"), ("user.name", "e"),
                      ("username", "f"), ("", "g"), ("é", "h")])  # fmt: skip
    assert keys(line) == ["rt", "msg", "rt_2", "rt_3", "rt_4", "msg_2", "username",
                          "username_2", "field", "field_2"]  # fmt: skip


def test_builtin_fields_reserved_even_when_absent() -> None:
    # stackTrace etc. are the formatter's own keys: a user field of that name is suffixed
    line = render(make("cef", timestamp=None), [("stackTrace", "x"), ("logError", "y")])
    assert keys(line) == ["msg", "stackTrace_2", "logError_2"]


def test_static_then_standard_then_user() -> None:
    r = make(
        "cef", timestamp=None, static_fields={"dvchost": "static", "rt": "s"},
        standard_fields=("host", "pid"),
    )  # fmt: skip
    line = render(r, [("dvchost", "user"), ("dvcpid", "u")], standard=lambda n: 7)
    pairs = ext(line)
    assert pairs[:1] == ["msg=Done"]
    assert [p.split("=")[0] for p in pairs[1:]] == [
        "dvchost", "rt", "dvchost_2", "dvcpid", "dvchost_3", "dvcpid_2",
    ]  # fmt: skip
    assert pairs[1] == "dvchost=static"
    assert pairs[4] == "dvcpid=7"


def test_standard_fields_table() -> None:
    assert STANDARD_FIELDS["host"] == "dvchost"
    assert STANDARD_FIELDS["pid"] == "dvcpid"
    with pytest.raises(ValueError, match="unknown standard field"):
        make("cef", standard_fields=("hostname",))


def test_cef_full_name_aliases() -> None:
    items = [("sourceAddress", "1.2.3.4"), ("destinationPort", 443), ("src", "5.6.7.8")]
    assert keys(render(make("cef", timestamp=None), items)) == [
        "msg", "src", "dpt", "src_2",
    ]  # fmt: skip
    assert keys(render(make("cef", timestamp=None, full_name_aliases=False), items)) == [
        "msg", "sourceAddress", "destinationPort", "src",
    ]  # fmt: skip
    # LEEF: off by default
    assert keys(render(make("leef", timestamp=None), items), "leef")[2:] == [
        "sourceAddress", "destinationPort", "src",
    ]  # fmt: skip


def test_exclude_and_order_accept_cef_full_names() -> None:
    r = make(
        "cef", timestamp=None, exclude_fields=["sourceAddress"], fields=["destinationPort", "..."]
    )
    line = render(r, [("sourceAddress", "1.2.3.4"), ("src", "5.6.7.8"), ("dpt", 443)])
    assert line.split("|", 7)[7] == "dpt=443 msg=Done"


def test_rename_fields() -> None:
    r = make("cef", rename_fields={"rt": "end", "msg": "message", "user": "suser"})
    assert keys(render(r, [("user", "bob"), ("end", "x")])) == ["end", "message", "suser", "end_2"]
    with pytest.raises(ValueError, match="two built-in"):
        make("cef", rename_fields={"rt": "msg"})


def test_underscore_key_sanitizer() -> None:
    r = make("cef", timestamp=None, key_sanitizer="underscore")
    assert keys(render(r, [("user.name", 1), ("a b", 2)])) == ["msg", "user_name", "a_b"]


def test_exclude_fields() -> None:
    r = make("cef", exclude_fields=("rt", "msg", "secret", "user.token"))
    line = render(r, [("secret", "x"), ("usertoken", "y"), ("keep", "z")])
    assert line.split("|", 7)[7] == "keep=z"
    leef = make("leef", exclude_fields=("sev", "devTimeFormat"), timestamp="iso")
    assert keys(render(leef), "leef") == ["devTime", "msg"]


def test_defaults_and_none_value() -> None:
    r = make("cef", timestamp=None, defaults={"env": "prod", "user": "-", "gone": None})
    assert ext(render(r, [("user", "bob")])) == ["msg=Done", "user=bob", "env=prod"]
    assert ext(render(r, [("n", None)])) == ["msg=Done", "env=prod", "user=-"]
    r2 = make("cef", timestamp=None, none_value="null", static_fields={"s": None})
    assert ext(render(r2, [("n", None)])) == ["msg=Done", "s=null", "n=null"]


def test_defaults_collide_like_user_fields() -> None:
    r = make("cef", timestamp=None, defaults={"msg": "d"})
    assert ext(render(r)) == ["msg=Done", "msg_2=d"]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (["msg", "...", "rt"], ["msg", "b", "a", "rt"]),
        (["a", "b"], ["a", "b", "rt", "msg"]),
        (["...", "rt"], ["msg", "b", "a", "rt"]),
        (["missing", "a", "..."], ["a", "rt", "msg", "b"]),
    ],
)
def test_fields_order(order: list[str], expected: list[str]) -> None:
    r = make("cef", fields=order)
    assert keys(render(r, [("b", 1), ("a", 2)])) == expected


def test_values_are_stringified() -> None:
    line = render(
        make("cef", timestamp=None),
        [("b", True), ("n", None), ("by", b"\xc3\xa9\xff"), ("d", {"k": [1, "x=y"]}), ("f", 0.5)],
    )
    assert line.split("|", 7)[7] == 'msg=Done b=true by=é\ufffd d={"k":[1,"x\\=y"]} f=0.5'


# ------------------------------------------------------------------------------- robustness


class Hostile:
    def __str__(self) -> str:
        raise TypeError("nope")

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        raise TypeError("no eq")

    __hash__ = None  # type: ignore[assignment]


def test_hostile_values_never_raise() -> None:
    r = make("cef", timestamp=None)
    line = render(r, [("h", Hostile())])
    assert line.endswith("h=<unprintable Hostile>")
    for kw in ({"event_id": Hostile()}, {"name": Hostile()}, {"created": "soon"}):
        out = render(r, **kw)
        assert out.startswith("CEF:0|") and len(out.splitlines()) == 1


def test_message_error_sets_log_error() -> None:
    r = make("cef", timestamp=None)
    line = render(r, message=MessageError("Did %s %s", "TypeError: not enough arguments"))
    assert line.endswith("msg=Did %s %s logError=TypeError: not enough arguments")


def test_exception_instance() -> None:
    try:
        raise ValueError("bad\nthing=1")
    except ValueError as exc:
        err = exc
    line = render(make("cef", timestamp=None), exc_info=err, message="")
    pairs = line.split("|", 7)[7]
    assert pairs.startswith("exceptionType=ValueError exceptionMessage=bad\\nthing\\=1 stackTrace=")
    assert "Traceback (most recent call last):\\n" in pairs
    assert len(line.splitlines()) == 1


# ------------------------------------------------------------------------------- max_length


def test_max_length_minimum() -> None:
    with pytest.raises(ValueError):
        make("cef", max_length=10)


def test_max_length_not_needed() -> None:
    r = make("cef", max_length=1000)
    assert render(r) == render(make("cef"))
    # 'truncated' is reserved once max_length is set
    assert keys(render(r, [("truncated", 1)])) == ["rt", "msg", "truncated_2"]


def _trunc(kind: str, limit: int, value: str, **kw: Any) -> tuple[str, str]:
    whole = render(make(kind, timestamp=None, **kw), [("v", value)], message="")
    line = render(make(kind, timestamp=None, max_length=limit, **kw), [("v", value)],
                  message="")  # fmt: skip
    return whole, line


@pytest.mark.parametrize("limit", range(64, 100))
def test_max_length_multibyte_boundary(limit: int) -> None:
    whole, line = _trunc("cef", limit, "é€😀" * 20)
    size = len(whole.encode())
    assert len(line.encode()) <= limit
    assert line.endswith(f" truncated={size}")
    kept = line[: -len(f" truncated={size}")]
    assert whole.startswith(kept)  # whole characters only (encode would fail otherwise)


@pytest.mark.parametrize("limit", range(64, 90))
@pytest.mark.parametrize("value", ["\\" * 60, "\n" * 60, "a=" * 40, "\\=\r" * 30])
def test_max_length_escape_boundary(limit: int, value: str) -> None:
    whole, line = _trunc("cef", limit, value)
    kept = line.rsplit(" truncated=", 1)[0]
    assert whole.startswith(kept)
    assert (len(kept) - len(kept.rstrip("\\"))) % 2 == 0
    assert len(line.encode()) <= limit


@pytest.mark.parametrize("limit", range(64, 90))
def test_max_length_escaped_leef_delimiter(limit: int) -> None:
    whole, line = _trunc("leef", limit, "^a" * 40, delimiter="^")
    kept = line.rsplit("^truncated=", 1)[0]
    assert whole.startswith(kept)
    assert (len(kept) - len(kept.rstrip("\\"))) % 2 == 0


def test_max_length_never_cuts_the_header() -> None:
    r = make("cef", vendor="V" * 200, max_length=64, timestamp=None)
    line = render(r, [("k", "v")])
    head = f"CEF:0|{'V' * 200}|python|1.0|app.audit|Did %s|4|"
    assert line == head + f"truncated={len(head) + len('msg=Done k=v')}"


def test_max_length_never_leaves_half_a_key() -> None:
    for limit in range(64, 120):
        line = render(
            make("leef", max_length=limit), [("averyveryverylongkeyname", "v" * 50)]
        )
        for pair in ext(line, "leef"):
            assert "=" in pair


def test_leef_epoch_ms_keeps_devtimeformat_reserved() -> None:
    # devTime in epoch ms has no devTimeFormat; a user's devTimeFormat must not pair with it.
    renderer = make("leef", timestamp="epoch_ms")
    line = renderer.render(EventParts(
        created=1777116738.421, levelno=20, event_id="e", name="n", message="m",
        items=[("devTimeFormat", "yyyy")],
    ))  # fmt: skip
    attrs = line.split("|", 6)[6].split("\t")
    assert attrs[0] == "devTime=1777116738421"
    assert "devTimeFormat=yyyy" not in attrs
    assert "devTimeFormat_2=yyyy" in attrs


def test_timestamp_off_lets_the_user_supply_rt() -> None:
    renderer = make("cef", timestamp=None)
    line = renderer.render(EventParts(
        created=0.0, levelno=20, event_id="e", name="n", message="m",
        items=[("rt", "Apr 25 2026 11:32:18.421 UTC")],
    ))  # fmt: skip
    assert line.endswith("|4|msg=m rt=Apr 25 2026 11:32:18.421 UTC")


# ------------------------------------------------------------------------------- shape

CORE_MODULES = [
    "_cache", "_exceptions", "_extension", "_fast", "_keys", "_layout", "_severity", "_text",
    "_timestamps", "_truncate", "events", "options", "render",
]  # fmt: skip


@pytest.mark.parametrize("module", CORE_MODULES)
def test_the_core_is_pure(module: str) -> None:
    """The rendering core imports neither logging nor structlog (the adapters do)."""
    import ast
    from pathlib import Path

    import cef_logging

    source = (Path(cef_logging.__file__).parent / f"{module}.py").read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] not in ("formatters", "structlog", "_intake")
    assert not imported & {"logging", "structlog"}


@pytest.mark.parametrize("module", [*CORE_MODULES, "formatters", "structlog", "_intake"])
def test_all_is_complete(module: str) -> None:
    """Every public name a module defines is in ``__all__``, and everything there exists."""
    import ast
    import importlib
    from pathlib import Path

    mod = importlib.import_module(f"cef_logging.{module}")
    tree = ast.parse(Path(mod.__file__ or "").read_text(encoding="utf-8"))
    defined: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
    public = {name for name in defined if not name.startswith("_") and len(name) > 1}
    assert set(mod.__all__) <= set(vars(mod))
    assert public <= set(mod.__all__)
