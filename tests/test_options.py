"""cef_logging.options.RenderOptions: defaults, validation naming the option, copying by key,
pickling; the same options reach both adapters."""

from __future__ import annotations

import logging.config
import pickle
from typing import Any

import pytest
from conftest import make_record

from cef_logging import (
    RESERVED_ATTRS,
    CEFFormatter,
    CEFRenderer,
    LEEFFormatter,
    LEEFRenderer,
    RenderOptions,
)
from cef_logging.options import DEFAULT_CEF_TIMESTAMP, DEFAULT_LEEF_TIMESTAMP


def test_defaults() -> None:
    cef = RenderOptions()
    assert cef.format == "cef"
    assert cef.timestamp == DEFAULT_CEF_TIMESTAMP == "epoch_ms"
    assert cef.full_name_aliases is True
    leef = RenderOptions(format="leef")
    assert leef.timestamp == DEFAULT_LEEF_TIMESTAMP == "iso"
    assert leef.full_name_aliases is False
    assert RenderOptions(timestamp="off").timestamp is None


@pytest.mark.parametrize(
    ("options", "names"),
    [
        ({"format": "json"}, ["format", "'cef'", "'leef'"]),
        ({"name_from": "x"}, ["name_from", "'template'", "'message'"]),
        ({"timestamp": "local"}, ["timestamp", "epoch_ms", "iso", "arcsight"]),
        ({"leef_version": "3.0"}, ["leef_version", "'1.0'", "'2.0'"]),
        ({"severity_map": {"INFO": 11}}, ["severity_map", "0-10"]),
        ({"severity_map": {"NOPE": 1}}, ["severity_map", "NOPE"]),
        ({"severity_map": {}}, ["severity_map"]),
        ({"standard_fields": ["hostname"]}, ["standard_fields", "host"]),
        ({"standard_fields": "host"}, ["standard_fields"]),
        ({"key_sanitizer": "lower"}, ["key_sanitizer", "strip", "underscore"]),
        ({"max_length": 10}, ["max_length", "64"]),
        ({"max_length": "many"}, ["max_length"]),
        ({"none_value": 0}, ["none_value"]),
        ({"rename_fields": ["a"]}, ["rename_fields", "mapping"]),
        ({"field_map": "graylog"}, ["field_map", "ecs", "otel"]),
        ({"level_names": {"NOTICE": "x"}}, ["level_names"]),
    ],
)
def test_bad_options_name_the_option_and_the_allowed_values(
    options: dict[str, Any], names: list[str]
) -> None:
    with pytest.raises(ValueError) as info:
        RenderOptions(**options)
    for name in names:
        assert name in str(info.value)


@pytest.mark.parametrize(
    "delimiter",
    ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\x00",
     "x00", "x0b", "0x85", "\ud800", "xdfff", "a", "Z", "5", "_", "|", "=", "\\", "\ufffd", "ab"],
)  # fmt: skip
def test_leef_delimiters_that_could_split_or_corrupt_a_line_are_rejected(delimiter: str) -> None:
    with pytest.raises(ValueError, match="delimiter"):
        RenderOptions(format="leef", delimiter=delimiter, timestamp="epoch_ms")
    for adapter in (LEEFFormatter, LEEFRenderer):
        with pytest.raises(ValueError, match="delimiter"):
            adapter(delimiter=delimiter, timestamp="epoch_ms")


@pytest.mark.parametrize(
    ("delimiter", "timestamp"),
    [(":", "iso"), ("-", "iso"), (".", "iso"), ("'", "iso"), (" ", "arcsight"),
     (":", "arcsight"), (".", "arcsight")],
)  # fmt: skip
def test_leef_delimiter_inside_the_timestamp_is_rejected(delimiter: str, timestamp: str) -> None:
    """devTime / devTimeFormat would otherwise be split by QRadar at the delimiter."""
    with pytest.raises(ValueError, match=r"delimiter .* timestamp"):
        RenderOptions(format="leef", delimiter=delimiter, timestamp=timestamp)
    # epoch milliseconds are digits only: any of these delimiters works with them
    RenderOptions(format="leef", delimiter=delimiter, timestamp="epoch_ms")


@pytest.mark.parametrize("delimiter", ["^", "\t", "x09", "tab", "0x5E", "~", ";", "\x01", "¦"])
def test_leef_delimiters_accepted(delimiter: str) -> None:
    RenderOptions(format="leef", delimiter=delimiter)


def test_mappings_are_copied_key_by_key() -> None:
    class Converting(dict[str, Any]):
        """Like dictConfig's ConvertingDict: ``[key]`` converts, iteration does not."""

        def __getitem__(self, key: str) -> Any:
            return "converted:" + super().__getitem__(key)

    options = RenderOptions(static_fields=Converting(site="raw"), defaults=Converting(env="x"))
    assert options.static_fields == {"site": "converted:raw"}
    assert options.defaults == {"env": "converted:x"}
    assert type(options.static_fields) is dict


def test_options_are_frozen_and_replace_validates() -> None:
    options = RenderOptions(vendor="Acme")
    with pytest.raises(AttributeError):
        options.vendor = "Other"  # type: ignore[misc]
    assert options.replace(product="Gate").product == "Gate"
    with pytest.raises(ValueError, match="max_length"):
        options.replace(max_length=1)


def sanitize_upper(key: str) -> str:
    return key.upper()


@pytest.mark.parametrize("cls", [CEFFormatter, LEEFFormatter])
def test_formatters_pickle(cls: type[logging.Formatter]) -> None:
    fmt = cls("%(message)s!", vendor="Acme", static_fields={"site": "eu"},  # type: ignore[call-arg]
              key_sanitizer=sanitize_upper, reserved_attrs=[*RESERVED_ATTRS, "secret"])  # fmt: skip
    record = make_record("hello", extra={"user": "al", "secret": "s"})
    before = fmt.format(record)
    copy = pickle.loads(pickle.dumps(fmt))
    assert type(copy) is cls
    assert copy.format(record) == before
    assert "MSG=hello!" in before and "USER=al" in before and "SECRET" not in before


@pytest.mark.parametrize("cls", [CEFRenderer, LEEFRenderer])
def test_renderers_pickle(cls: Any) -> None:
    renderer = cls(vendor="Acme", reserved_keys=["event", "timestamp"], timestamp="iso")
    event = {"event": "hi", "timestamp": "2026-04-25T11:32:18.421Z", "logger": "x", "k": 1}
    copy = pickle.loads(pickle.dumps(renderer))
    assert copy(None, "info", dict(event)) == renderer(None, "info", dict(event))


def test_the_options_object_is_shared_by_both_adapters() -> None:
    options = {"vendor": "Acme", "static_fields": {"site": "eu"}, "timestamp": "iso"}
    assert CEFFormatter(**options).options == CEFRenderer(**options).options  # type: ignore[arg-type]


def test_field_map_from_dictconfig() -> None:
    stream_lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            stream_lines.append(self.format(record))

    logging.config.dictConfig({
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"cef": {"()": "cef_logging.CEFFormatter", "field_map": "ecs",
                               "timestamp": None}},
        "handlers": {"cap": {"()": lambda: Capture(), "formatter": "cef"}},
        "loggers": {"test_options.ecs": {"handlers": ["cap"], "level": "INFO",
                                         "propagate": False}},
    })  # fmt: skip
    logging.getLogger("test_options.ecs").info(
        "login", extra={"source": {"ip": "10.0.0.1"}, "user.name": "alice"}
    )
    assert stream_lines == ["CEF:0|cef-logging|python|1.0|test_options.ecs|login|4|"
                            "msg=login src=10.0.0.1 suser=alice"]  # fmt: skip


@pytest.mark.parametrize("cls", [CEFFormatter, LEEFFormatter])
def test_json_encoder_orjson_through_a_formatter(cls: type[logging.Formatter]) -> None:
    pytest.importorskip("orjson")
    record = make_record("m", extra={"d": {"k": [1, 2]}, "n": 1})
    fmt = cls(timestamp=None, json_encoder="orjson")  # type: ignore[call-arg]
    assert fmt.format(record) == cls(timestamp=None).format(record)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="json_encoder"):
        cls(json_encoder="simplejson")  # type: ignore[call-arg]
