"""The CEF extension dictionary table."""

from __future__ import annotations

import dataclasses
import re

import pytest

from cef_logging._dictionary import (
    BY_KEY,
    CEF_DICTIONARY,
    FULL_NAME_ALIASES,
    TYPE_DOUBLE,
    TYPE_FLOAT,
    TYPE_INTEGER,
    TYPE_IPV4,
    TYPE_IPV6,
    TYPE_LONG,
    TYPE_MAC,
    TYPE_STRING,
    TYPE_TIMESTAMP,
    CEFKey,
)

TYPES = {
    TYPE_STRING,
    TYPE_INTEGER,
    TYPE_LONG,
    TYPE_FLOAT,
    TYPE_DOUBLE,
    TYPE_IPV4,
    TYPE_IPV6,
    TYPE_MAC,
    TYPE_TIMESTAMP,
}


def test_keys_and_full_names_are_unique() -> None:
    keys = [e.key for e in CEF_DICTIONARY]
    fulls = [e.full_name for e in CEF_DICTIONARY]
    assert len(keys) == len(set(keys))
    assert len(fulls) == len(set(fulls))
    assert len({k.lower() for k in keys}) == len(keys)


def test_by_key_is_the_table() -> None:
    assert len(BY_KEY) == len(CEF_DICTIONARY)
    for entry in CEF_DICTIONARY:
        assert BY_KEY[entry.key] is entry
    with pytest.raises(TypeError):
        BY_KEY["x"] = BY_KEY["src"]  # type: ignore[index]


def test_every_key_is_a_valid_strict_cef_key() -> None:
    for entry in CEF_DICTIONARY:
        assert re.fullmatch(r"[A-Za-z0-9_]+", entry.key), entry
        assert re.fullmatch(r"[A-Za-z0-9]+", entry.full_name), entry


def test_types_and_lengths_are_consistent() -> None:
    for entry in CEF_DICTIONARY:
        assert entry.type in TYPES, entry
        if entry.type != TYPE_STRING:
            assert entry.max_length is None, entry
        if entry.max_length is not None:
            assert entry.max_length > 0


@pytest.mark.parametrize(
    ("key", "full_name", "type_", "max_length", "arcsight_only"),
    [
        ("src", "sourceAddress", TYPE_IPV4, None, False),
        ("dst", "destinationAddress", TYPE_IPV4, None, False),
        ("spt", "sourcePort", TYPE_INTEGER, None, False),
        ("act", "deviceAction", TYPE_STRING, 63, False),
        ("app", "applicationProtocol", TYPE_STRING, 31, False),
        ("msg", "message", TYPE_STRING, 1023, False),
        ("rt", "deviceReceiptTime", TYPE_TIMESTAMP, None, False),
        ("dvchost", "deviceHostName", TYPE_STRING, 100, False),
        ("dvcmac", "deviceMacAddress", TYPE_MAC, None, False),
        ("externalId", "externalId", TYPE_STRING, 40, False),
        ("requestContext", "requestContext", TYPE_STRING, 2048, False),
        ("cs1", "deviceCustomString1", TYPE_STRING, 4000, False),
        ("cs6Label", "deviceCustomString6Label", TYPE_STRING, 1023, False),
        ("cn3", "deviceCustomNumber3", TYPE_LONG, None, False),
        ("cfp4", "deviceCustomFloatingPoint4", TYPE_FLOAT, None, False),
        ("c6a2", "deviceCustomIPv6Address2", TYPE_IPV6, None, False),
        ("c6a4Label", "deviceCustomIPv6Address4Label", TYPE_STRING, 1023, False),
        ("deviceCustomDate2", "deviceCustomDate2", TYPE_TIMESTAMP, None, False),
        ("flexString2Label", "flexString2Label", TYPE_STRING, 128, False),
        ("flexNumber1", "flexNumber1", TYPE_LONG, None, False),
        ("flexDate1", "flexDate1", TYPE_TIMESTAMP, None, False),
        ("art", "agentReceiptTime", TYPE_TIMESTAMP, None, True),
        ("agt", "agentAddress", TYPE_IPV4, None, True),
        ("ahost", "agentHostName", TYPE_STRING, 1023, True),
        ("amac", "agentMacAddress", TYPE_MAC, None, True),
        ("av", "agentVersion", TYPE_STRING, 31, True),
        ("rawEvent", "rawEvent", TYPE_STRING, 4000, True),
        ("dlat", "destinationGeoLatitude", TYPE_DOUBLE, None, True),
        ("eventId", "eventId", TYPE_LONG, None, True),
        ("customerURI", "customerURI", TYPE_STRING, 2048, True),
    ],
)
def test_spec_rows(
    key: str, full_name: str, type_: str, max_length: int | None, arcsight_only: bool
) -> None:
    assert BY_KEY[key] == CEFKey(key, full_name, type_, max_length, arcsight_only)


def test_custom_slots_are_complete() -> None:
    expected = (
        [f"cs{i}" for i in range(1, 7)]
        + [f"cn{i}" for i in range(1, 4)]
        + [f"cfp{i}" for i in range(1, 5)]
        + [f"c6a{i}" for i in range(1, 5)]
        + ["deviceCustomDate1", "deviceCustomDate2"]
        + ["flexString1", "flexString2", "flexNumber1", "flexNumber2", "flexDate1"]
    )
    for key in expected:
        assert key in BY_KEY, key
        assert BY_KEY[key + "Label"].type == TYPE_STRING, key
    assert "cn4" not in BY_KEY  # the spec has three custom number slots


def test_full_name_aliases() -> None:
    assert FULL_NAME_ALIASES["sourceAddress"] == "src"
    assert FULL_NAME_ALIASES["deviceCustomString1Label"] == "cs1Label"
    assert FULL_NAME_ALIASES["agentReceiptTime"] == "art"
    assert FULL_NAME_ALIASES["filename"] == "fname"
    assert FULL_NAME_ALIASES["fileName"] == "fname"
    assert "externalId" not in FULL_NAME_ALIASES  # same as its key
    for full, key in FULL_NAME_ALIASES.items():
        assert full != key
        assert key in BY_KEY
    for entry in CEF_DICTIONARY:
        if entry.full_name != entry.key:
            assert FULL_NAME_ALIASES[entry.full_name] == entry.key


def test_producer_side_keys_are_not_arcsight_only() -> None:
    producer = {"src", "dst", "msg", "act", "cat", "rt", "cs1", "flexString1", "deviceDirection"}
    for key in producer:
        assert not BY_KEY[key].arcsight_only, key
    consumer = [e.key for e in CEF_DICTIONARY if e.arcsight_only]
    assert {"art", "agt", "ahost", "aid", "amac", "at", "atz", "av"} <= set(consumer)


def test_entries_are_frozen_with_slots() -> None:
    entry = BY_KEY["src"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.key = "x"  # type: ignore[misc]
    assert not hasattr(entry, "__dict__")


def test_table_is_sorted() -> None:
    keys = [e.key.lower() for e in CEF_DICTIONARY]
    assert keys == sorted(keys)
