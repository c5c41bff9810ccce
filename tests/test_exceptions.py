"""cef_logging._exceptions: exception fields from exc_info, and from exc_text when unambiguous."""

from __future__ import annotations

import sys
import traceback

import pytest
from conftest import make_record

from cef_logging import CEFFormatter, LEEFFormatter
from cef_logging._exceptions import parse_exc_text


def formatted(exc: BaseException) -> str:
    try:
        raise exc
    except BaseException as caught:
        return "".join(traceback.format_exception(type(caught), caught, caught.__traceback__))


def test_multi_line_message() -> None:
    text = formatted(ValueError("bad\nthing"))
    assert parse_exc_text(text.rstrip("\n")) == ("ValueError", "bad\nthing")


class Qualified(Exception):
    pass


Qualified.__module__ = "pkg.mod"


def test_qualified_type_and_no_message() -> None:
    assert parse_exc_text(formatted(Qualified()).rstrip("\n")) == ("pkg.mod.Qualified", "")


@pytest.mark.skipif(sys.version_info < (3, 11), reason="add_note is 3.11+")
def test_notes_stay_in_the_message() -> None:
    exc = KeyError("user")
    exc.add_note("while loading the profile")
    assert parse_exc_text(formatted(exc).rstrip("\n")) == (
        "KeyError", "'user'\nwhile loading the profile"
    )


def test_chained_exceptions_give_the_last_one() -> None:
    try:
        try:
            {}["x"]
        except KeyError as inner:
            raise RuntimeError("outer") from inner
    except RuntimeError as exc:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    assert parse_exc_text(text.rstrip("\n")) == ("RuntimeError", "outer")


@pytest.mark.parametrize(
    "text",
    [
        "ValueError: bad",  # no traceback header
        "Traceback (most recent call last):\nValueError: no frames",
        "Traceback (most recent call last):\n  File \"a.py\", line 1",  # no exception line
        "Traceback (most recent call last):\n  File \"a.py\"\nnot a type: x",
        "something went wrong\nthing",
    ],
)
def test_ambiguous_text_gives_no_type(text: str) -> None:
    assert parse_exc_text(text) == (None, None)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="ExceptionGroup is 3.11+")
def test_exception_group_gives_no_guess() -> None:
    group = ExceptionGroup("many", [ValueError("a"), KeyError("b")])  # noqa: F821
    etype, _ = parse_exc_text(formatted(group).rstrip("\n"))
    assert etype in (None, "ExceptionGroup")


@pytest.mark.parametrize("cls", [CEFFormatter, LEEFFormatter])
def test_exc_text_record_multi_line_message(cls: type[CEFFormatter]) -> None:
    """A record that came through a queue: ValueError("bad\\nthing") is a ValueError."""
    record = make_record("failed")
    record.exc_text = formatted(ValueError("bad\nthing"))
    line = cls(timestamp=None).format(record)
    assert "exceptionType=ValueError" in line
    assert "exceptionMessage=bad\\nthing" in line
    assert "exceptionType=thing" not in line
    assert "stackTrace=Traceback (most recent call last):" in line


def test_exc_text_without_traceback_keeps_only_the_stack_trace() -> None:
    record = make_record("failed")
    record.exc_text = "something odd\nhappened: here"
    line = CEFFormatter(timestamp=None).format(record)
    assert line.endswith("|4|msg=failed stackTrace=something odd\\nhappened: here")
