"""logging.config.dictConfig: both factory forms, from YAML and JSON text, with ext://."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from _spec_parser import parse_cef
from conftest import make_record

from cef_logging import CEFFormatter, LEEFFormatter

#: Module-level values for ``ext://test_dictconfig.…``.
SITE = "eu-west-1"
SEVERITIES = {"INFO": 3, "WARNING": 7}
HOST = socket.gethostname()

ALL_OPTIONS_YAML = """
version: 1
disable_existing_loggers: false
formatters:
  cef:
    (): cef_logging.CEFFormatter
    vendor: IdentityMesh
    product: Engine
    version: 1.0.0
    default_event_id: IdentityMesh.Generic
    name_from: message
    timestamp: epoch_ms
    severity_map: {DEBUG: 1, INFO: 3, 30: 7, ERROR: 9}
    rename_fields: {user: suser}
    static_fields:
      dvchost: ext://test_dictconfig.HOST
      site: ext://test_dictconfig.SITE
      cs1Label: tenant
    defaults: {env: prod}
    standard_fields: [pid, logger]
    fields: [msg, "..."]
    exclude_fields: [secret]
    key_sanitizer: underscore
    full_name_aliases: true
    none_value: "-"
    max_length: 2048
handlers:
  mem:
    class: logging.StreamHandler
    formatter: cef
    stream: ext://test_dictconfig.STREAM
loggers:
  dictconfig.test:
    handlers: [mem]
    level: DEBUG
    propagate: false
"""


class _Stream(io.StringIO):
    pass


STREAM = _Stream()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    logger = logging.getLogger("dictconfig.test")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    STREAM.seek(0)
    STREAM.truncate()
    yield
    for h in logger.handlers[:]:
        logger.removeHandler(h)
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


def _formatter(config: dict[str, Any], name: str = "mem") -> logging.Formatter:
    logging.config.dictConfig(config)
    handler = logging.getLogger("dictconfig.test").handlers[0]
    assert handler.formatter is not None
    return handler.formatter


def _all_options_check(fmt: logging.Formatter) -> None:
    assert isinstance(fmt, CEFFormatter)
    record = make_record(
        "User %s", ("bob",), name="dictconfig.test",
        extra={"user": "bob", "secret": "x", "event.kind": "login", "n": None},
    )  # fmt: skip
    line = fmt.format(record)
    event = parse_cef(line)
    assert event.header == [
        "0", "IdentityMesh", "Engine", "1.0.0", "dictconfig.test", "User bob", "3",
    ]  # fmt: skip
    pairs = [f"{k}={v}" for k, v in event.extension.items()]
    assert pairs[0] == "msg=User bob"  # fields: [msg, "..."]
    assert pairs[1] == "rt=1777116738421"
    assert f"dvchost={HOST}" in pairs
    assert "site=eu-west-1" in pairs
    assert "cs1Label=tenant" in pairs
    assert "suser=bob" in pairs
    assert "event_kind=login" in pairs
    assert "n=-" in pairs
    assert "env=prod" in pairs
    assert not any(p.startswith("secret=") for p in pairs)
    assert any(p.startswith("dvcpid=") for p in pairs)
    assert "logger=dictconfig.test" in pairs
    assert fmt.renderer.layout.severity.severity(30) == 7


def test_yaml_factory_form_every_option(restore_logging: None) -> None:
    fmt = _formatter(yaml.safe_load(ALL_OPTIONS_YAML))
    _all_options_check(fmt)


def test_json_factory_form_every_option(restore_logging: None) -> None:
    config = yaml.safe_load(ALL_OPTIONS_YAML)
    fmt = _formatter(json.loads(json.dumps(config)))  # via JSON text (30 -> "30" key)
    _all_options_check(fmt)


def test_ext_resolves_inside_mapping_options(restore_logging: None) -> None:
    """Mapping options are read key by key, so dictConfig's ConvertingDict resolves ext://."""
    config = yaml.safe_load(ALL_OPTIONS_YAML)
    config["formatters"]["cef"]["static_fields"] = {"site": "ext://test_dictconfig.SITE"}
    config["formatters"]["cef"]["severity_map"] = "ext://test_dictconfig.SEVERITIES"
    fmt = _formatter(config)
    line = fmt.format(make_record("m"))
    assert " site=eu-west-1" in line
    assert "ext://" not in line
    assert fmt.renderer.layout.severity.severity(20) == 3  # type: ignore[attr-defined]


def test_ext_to_a_function_gives_the_function(restore_logging: None) -> None:
    """ext:// imports an object, it does not call it: a callable static field is written
    as its str() (use ext:// to a module-level *value*, as HOST above)."""
    config = yaml.safe_load(ALL_OPTIONS_YAML)
    config["formatters"]["cef"]["static_fields"] = {"dvchost": "ext://socket.gethostname"}
    fmt = _formatter(config)
    assert " dvchost=<built-in function gethostname>" in fmt.format(make_record("m"))


CLASS_FORM_JSON = """
{
  "version": 1,
  "disable_existing_loggers": false,
  "formatters": {
    "cef": {"class": "cef_logging.CEFFormatter", "format": "%(levelname)s %(message)s"},
    "leef": {"class": "cef_logging.LEEFFormatter"},
    "cef_brace": {"class": "cef_logging.CEFFormatter", "format": "{levelname}|{message}",
                  "style": "{", "validate": true}
  },
  "handlers": {
    "mem": {"class": "logging.StreamHandler", "formatter": "%s",
            "stream": "ext://test_dictconfig.STREAM"}
  },
  "loggers": {"dictconfig.test": {"handlers": ["mem"], "level": "DEBUG", "propagate": false}}
}
"""


@pytest.mark.parametrize(
    ("name", "cls", "check"),
    [
        ("cef", CEFFormatter, "msg=INFO hello"),
        ("leef", LEEFFormatter, "\tmsg=hello"),
        ("cef_brace", CEFFormatter, "msg=INFO|hello"),
    ],
)
def test_class_form_json(restore_logging: None, name: str, cls: type, check: str) -> None:
    config = json.loads(CLASS_FORM_JSON.replace('"%s"', json.dumps(name)))
    fmt = _formatter(config)
    assert type(fmt) is cls
    logging.getLogger("dictconfig.test").info("hello")
    line = STREAM.getvalue()
    assert line.count("\n") == 1
    assert check in line
    assert line.startswith(("CEF:0|cef-logging|python|1.0|dictconfig.test|",
                            "LEEF:2.0|cef-logging|python|1.0|dictconfig.test|x09|"))  # fmt: skip


def test_class_form_yaml(restore_logging: None) -> None:
    text = """
version: 1
disable_existing_loggers: false
formatters:
  leef:
    class: cef_logging.LEEFFormatter
    format: "%(name)s: %(message)s"
    datefmt: "%H:%M"
handlers:
  mem: {class: logging.StreamHandler, formatter: leef, stream: ext://test_dictconfig.STREAM}
loggers:
  dictconfig.test: {handlers: [mem], level: INFO, propagate: false}
"""
    fmt = _formatter(yaml.safe_load(text))
    assert isinstance(fmt, LEEFFormatter)
    assert fmt.datefmt == "%H:%M"
    logging.getLogger("dictconfig.test").warning("disk %s", "full")
    assert "\tsev=6\tmsg=dictconfig.test: disk full\n" in STREAM.getvalue()


def test_yaml_leef_factory_with_delimiter(restore_logging: None) -> None:
    text = """
version: 1
disable_existing_loggers: false
formatters:
  leef:
    (): cef_logging.LEEFFormatter
    vendor: IdentityMesh
    product: Engine
    version: 1.0.0
    delimiter: "^"
    timestamp: arcsight
    static_fields: {site: ext://test_dictconfig.SITE}
handlers:
  mem: {class: logging.StreamHandler, formatter: leef, stream: ext://test_dictconfig.STREAM}
loggers:
  dictconfig.test: {handlers: [mem], level: INFO, propagate: false}
"""
    _formatter(yaml.safe_load(text))
    logging.getLogger("dictconfig.test").info("a^b")
    line = STREAM.getvalue().rstrip("\n")
    assert line.startswith("LEEF:2.0|IdentityMesh|Engine|1.0.0|dictconfig.test|^|devTime=")
    assert line.endswith("^devTimeFormat=MMM dd yyyy HH:mm:ss.SSS z^sev=4^msg=a\\^b^site=eu-west-1")


def test_bad_option_fails_configuration(restore_logging: None) -> None:
    config = yaml.safe_load(ALL_OPTIONS_YAML)
    config["formatters"]["cef"]["timestamp"] = "sometimes"
    with pytest.raises(ValueError):
        logging.config.dictConfig(config)
