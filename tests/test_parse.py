"""parse_cef / parse_leef: spec cases, real-world seed lines, strict errors, round trips."""

# The seed lines below are kept verbatim, one per line.
# ruff: noqa: E501

from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cef_logging.parse import CEFEvent, LEEFEvent, ParseError, parse_cef, parse_leef

# --------------------------------------------------------------------------- seeds

# Kemp LoadMaster "CEF Extension" catalogue (seed 000), one example line per event,
# cut where the page's following text was glued onto the line.
KEMP = [
    "CEF:0|Kemp|LM|1.0|0|Accept|0|vs=10.35.56.32:80 event=Accept srcip=10.0.30.127 srcport=6045 msg=Accept",
    "CEF:0|Kemp|LM|1.0|1|Slave accept|0|vs=10.0.70.142:80 event=Slave accept srcip=10.35.2.94 srcport=56838 msg=Slave accept",
    "CEF:0|Kemp|LM|1.0|2|SSL accept|0|vs=10.0.70.141:80 event=SSL accept srcip=10.35.2.94 srcport=65431 msg=SSL accept",
    "CEF:0|Kemp|LM|1.0|3|Connection timed out|1|vs=10.0.70.141:80 event=Connection timed out srcip=10.0.71.104 srcport=61956 msg=waiting for initial client request await_remaddr=0",
    "CEF:0|Kemp|LM|1.0|4|Connected|1|vs=10.35.56.32:80 event=Connected srcip=10.0.30.127 srcport=8454 dstip=10.35.9.11 dstport=80",
    "CEF:0|Kemp|LM|1.0|5|Connection failed|3|vs=172.16.151.21:80 event=Connection failed srcip=192.168.10.67 srcport=17548 dstip=172.16.128.37 dstport=82",
    "CEF:0|Kemp|LM|1.0|6|Logged off|1|vs=172.16.151.50:443 event=Logged off user=aduser1@kpauto.net srcip=192.168.10.67",
    "CEF:0|Kemp|LM|1.0|7|User Interaction|2|vs=10.0.70.141:443 event=User Interaction srcip=10.35.2.94 srcport=6045 msg=User Interaction",
    "CEF:0|Kemp|LM|1.0|8|Logged on|1|vs=10.0.70.141:80 event=Logged on srcip=10.0.11.113 user=ruth msg=logged on",
    "CEF:0|Kemp|LM|1.0|9|Access Denied|6|vs=10.35.56.32:80 event=Access Denied srcip=10.0.30.127 user=ExampleUser msg=denied access",
    "CEF:0|Kemp|LM|1.0|10|Access Blocked|6|vs=10.0.70.141:443 event=Access Blocked srcip=10.35.2.94 user=administrator msg=blocked access",
    "CEF:0|Kemp|LM|1.0|14|Request|1|vs=10.35.56.32:80 event=Request srcip=10.0.30.127 srcport=8454 method=GET url=http://10.35.56.32/ user=peter@street.com",
    "CEF:0|Kemp|LM|1.0|15|Attempt|2|vs=172.16.151.21:80 event=Attempt srcip=192.168.10.67 srcport=17946 method=GET url=http://172.16.151.21/ user=test.030@kpauto.net",
    "CEF:0|Kemp|LM||1.0|16|Attempted XSS attack|9|vs=10.0.70.141:80 event=Attempted XSS attack srcip=10.0.71.104 srcport=62098 dtcode=7",
    "2020-06-24T15:51:08+00:00 lb100 l7log: CEF:0|Kemp|LM|1.0|17|SMTP parse failure|7|vs=10.1.133.11:25 event=SMTP parse failure src=10.0.71.175:61401",
    "2020-06-24T15:49:20+00:00 lb100 l7log: CEF:0|Kemp|LM|1.0|18|SMTP Blocked|6|vs=10.1.133.11:25 event=SMTP Blocked src=10.0.71.175:61401 resource=ktest.com",
    "CEF:0|Kemp|LM|1.0|19|Blocked access to directory|6|vs=10.0.70.141:80 event=Blocked access to directory srcip=10.35.2.94 srcport=62951 resource=/",
    "CEF:0|Kemp|LM|1.0|20|Blocked access to host|6|vs=10.0.70.141:80 event=Blocked access to host srcip=10.35.2.94 srcport=63054 resource=10.0.70.141",
    "CEF:0|Kemp|LM|1.0|100|User AAA|0|vs=10.35.46.235:443 event=User AAA user=mohit@parent.net domain=parent.net server=172.21.135.103 protocol=LDAP Unencrypted result=0:Success",
    "CEF:0|Kemp|LM|1.0|101|User session timeout|0|vs=10.35.46.242:443 event=User session timeout user=mohit@parent.net domain=MULLTIDOMAIN msg=Deleted expired user session, start time:1629182393 duration:69 seconds",
    "CEF:0|Kemp|LM|1.0|102|User session kill|0|vs=10.35.46.235:443 event=User session kill user=mohit@parent.net domain=MULLTIDOMAIN msg=Deleted user session, start time:1629378587 duration:8 seconds",
    "CEF:0|Kemp|LM|1.0|103|Kill all sessions|0|event=Kill all sessions domain=MULLTIDOMAIN msg=Deleted 1 user session(s) associated with domain",
    "CEF:0|Kemp|LM|1.0|104|Flush SSO cache|1|event=Flush SSO cache msg=SSO cache being flushed user sessions:1 cookie sessions:1",
]
KEMP_16 = KEMP[13]

# OneFirewall (seed 003): header and extension shown on two lines for reading,
# one line on the wire.
_OFW = "CEF:0|OneFirewall|OFA-SRV|'2025-12-18'|"
ONEFIREWALL = [
    "CEF:0|OneFirewall|OFA-SRV|'2025-10-12'|APP_STATUS|Application|3|rt=2025-10-12T01:21:56.184Z level=INFO hostname=192.168.0.2 clientip=NA user=NA member=NA msg='APP STARTED'",
    _OFW
    + "NEW_AGENT|Application|3|rt=2025-10-12T00:22:37.234Z level=INFO hostname=192.168.0.2 user=[email protected] member='OneFirewall Alliance LTD' msg='New agent created'",
    _OFW
    + "IPV4_LIST|Application|3|rt=2025-10-12T00:33:43.999Z level=INFO hostname=192.168.0.2 user=[email protected] member='OneFirewall Alliance LTD' msg='IPv4 list generated for score=150, agid=OFA_cBzsXacP and plugin=fortinet' tot_size=22874",
    _OFW
    + "FEEDBACK_UPDATED|Application|3|rt=2025-10-12T00:48:13.075Z level=INFO hostname=192.168.0.2 user=[email protected] member='OneFirewall Alliance LTD' msg='Feedback updated for agid=OFA_cBzsXacP'",
    _OFW
    + "NET_EVENT|Application|3|rt=2025-10-12T00:53:56.430Z level=INFO hostname=192.168.0.2 msg='IPv4 94.22.73.32 -> 192.168.0.1'",
    _OFW
    + "NET_EVENT|Application|3|rt=2025-10-12T01:04:30.980Z level=INFO hostname=192.168.0.2 msg='fortinet/Allow/org1 94.22.73.32->192.168.0.1:443 ofa_score=0 ofa_ip=94.22.73.32 members=1'",
    _OFW
    + "PUT_DECISION|Application|3|rt=2025-10-12T01:16:57.741Z level=INFO hostname=192.168.0.2 user=[email protected] member='OneFirewall Alliance LTD' decision=BLOCK IPv4=1.0.138.92",
]


@pytest.mark.parametrize("line", KEMP)
def test_every_kemp_line_parses_leniently(line: str) -> None:
    event = parse_cef(line)
    assert event.vendor == "Kemp"
    assert event.product == "LM"
    assert event.version == "1.0"
    assert event.extensions["event"] == event.name


@pytest.mark.parametrize("line", [k for k in KEMP if k is not KEMP_16])
def test_kemp_lines_are_strictly_valid_except_event_16(line: str) -> None:
    assert parse_cef(line, strict=True) == parse_cef(line)


def test_kemp_values_with_spaces() -> None:
    event = parse_cef(KEMP[3])
    assert event.signature_id == "3"
    assert event.severity == "1"
    assert event.extensions == {
        "vs": "10.0.70.141:80",
        "event": "Connection timed out",
        "srcip": "10.0.71.104",
        "srcport": "61956",
        "msg": "waiting for initial client request",
        "await_remaddr": "0",
    }
    assert parse_cef(KEMP[18]).extensions["protocol"] == "LDAP Unencrypted"
    assert parse_cef(KEMP[19]).extensions["msg"] == (
        "Deleted expired user session, start time:1629182393 duration:69 seconds"
    )


def test_kemp_syslog_prefix() -> None:
    event = parse_cef(KEMP[14], strict=True)
    assert event.prefix == "2020-06-24T15:51:08+00:00 lb100 l7log: "
    assert event.signature_id == "17"
    assert event.extensions["src"] == "10.0.71.175:61401"


def test_kemp_event_16_fails_strict_with_header_hint() -> None:
    with pytest.raises(ParseError) as info:
        parse_cef(KEMP_16, strict=True)
    err = info.value
    assert err.position == KEMP_16.index("Attempted")
    assert "invalid severity 'Attempted XSS attack'" in str(err)
    assert "8 fields, expected 7" in str(err)
    assert f"position {err.position}" in str(err)


def test_kemp_event_16_is_recovered_leniently() -> None:
    event = parse_cef(KEMP_16)
    assert (event.vendor, event.product, event.version) == ("Kemp", "LM", "1.0")
    assert (event.signature_id, event.name, event.severity) == ("16", "Attempted XSS attack", "9")
    assert event.extensions == {
        "vs": "10.0.70.141:80",
        "event": "Attempted XSS attack",
        "srcip": "10.0.71.104",
        "srcport": "62098",
        "dtcode": "7",
    }


def test_extra_pipe_without_a_single_empty_field_is_not_recovered() -> None:
    with pytest.raises(ParseError) as info:
        parse_cef("CEF:0|A|B|C|D|E|x|9|a=1")  # no empty field to drop
    assert info.value.position == 18
    with pytest.raises(ParseError):
        parse_cef("CEF:0|A||C||E|x|9|a=1")  # two empty fields: ambiguous
    assert parse_cef("CEF:0|A|B|C|D|E|x|a=1").severity == "x"  # kept as written


@pytest.mark.parametrize("line", ONEFIREWALL)
def test_onefirewall_lines_parse_both_modes(line: str) -> None:
    lenient = parse_cef(line)
    assert parse_cef(line, strict=True) == lenient
    assert lenient.vendor == "OneFirewall"
    assert lenient.version.startswith("'")


def test_onefirewall_quotes_get_no_special_meaning() -> None:
    event = parse_cef(ONEFIREWALL[0])
    assert event.extensions["msg"] == "'APP STARTED'"
    assert parse_cef(ONEFIREWALL[1]).extensions["member"] == "'OneFirewall Alliance LTD'"
    # Per spec, " key=" inside a quoted value starts a new pair.
    enriched = parse_cef(ONEFIREWALL[5]).extensions
    assert enriched["msg"] == "'fortinet/Allow/org1 94.22.73.32->192.168.0.1:443"
    assert enriched["ofa_score"] == "0"
    assert enriched["ofa_ip"] == "94.22.73.32"
    assert enriched["members"] == "1'"
    listed = parse_cef(ONEFIREWALL[2]).extensions
    assert listed["msg"] == "'IPv4 list generated for"
    assert listed["score"] == "150,"
    assert listed["plugin"] == "fortinet'"
    assert listed["tot_size"] == "22874"


# --------------------------------------------------------------------------- CEF rules


def test_spec_example_with_escapes() -> None:
    line = (
        r"Sep 19 08:26:10 host CEF:0|Security|threatmanager|1.0|100|detected a \| in message|10|"
        r"src=10.0.0.1 act=blocked a \= dst=1.1.1.1 msg=Detected a threat.\nNo action needed."
    )
    event = parse_cef(line, strict=True)
    assert event == CEFEvent(
        cef_version=0,
        vendor="Security",
        product="threatmanager",
        version="1.0",
        signature_id="100",
        name="detected a | in message",
        severity="10",
        extensions={
            "src": "10.0.0.1",
            "act": "blocked a =",
            "dst": "1.1.1.1",
            "msg": "Detected a threat.\nNo action needed.",
        },
        prefix="Sep 19 08:26:10 host ",
    )


def test_header_backslash_and_pipe() -> None:
    event = parse_cef(r"CEF:0|Ven\\dor|Pro\|duct|1|id|na\\\|me|Low|", strict=True)
    assert event.vendor == "Ven\\dor"
    assert event.product == "Pro|duct"
    assert event.name == "na\\|me"
    assert event.extensions == {}


def test_extension_value_rules() -> None:
    line = r"CEF:0|V|P|1|S|N|5|a=x\\ b=c\\\= d= e=two  spaces f=pipe|ok g=trail  "
    assert parse_cef(line, strict=True).extensions == {
        "a": "x\\",
        "b": "c\\=",
        "d": "",
        "e": "two  spaces",
        "f": "pipe|ok",
        "g": "trail  ",
    }


def test_empty_values_and_empty_extension() -> None:
    assert parse_cef("CEF:0|V|P|1|S|N|5|a= b=", strict=True).extensions == {"a": "", "b": ""}
    assert parse_cef("CEF:0|V|P|1|S|N|5|", strict=True).extensions == {}
    assert parse_cef("CEF:0|V|P|1|S|N|5|a=", strict=True).extensions == {"a": ""}


@pytest.mark.parametrize(
    "severity", ["0", "10", "Unknown", "Low", "Medium", "High", "Very-High", "low"]
)
def test_valid_severities(severity: str) -> None:
    assert parse_cef(f"CEF:0|V|P|1|S|N|{severity}|a=1", strict=True).severity == severity


def test_cef_version_1() -> None:
    assert parse_cef("CEF:1|V|P|1|S|N|5|a=1", strict=True).cef_version == 1


def test_trailing_line_terminator_is_ignored() -> None:
    for end in ("\n", "\r\n", "\r"):
        event = parse_cef("CEF:0|V|P|1|S|N|5|a=1 " + end, strict=True)
        assert event.extensions == {"a": "1 "}


def test_lenient_recoveries_cef() -> None:
    # unescaped '=' that cannot start a key stays in the value
    ext = parse_cef("CEF:0|V|P|1|S|N|5|request=http://x/?a=b&c=d act=ok").extensions
    assert ext == {"request": "http://x/?a=b&c=d", "act": "ok"}
    # keys with . - [ ]
    ext = parse_cef("CEF:0|V|P|1|S|N|5|ad.foo=1 ad-bar[0]=2").extensions
    assert ext == {"ad.foo": "1", "ad-bar[0]": "2"}
    # \| accepted in the extension, undefined escapes kept as written
    ext = parse_cef(r"CEF:0|V|P|1|S|N|5|a=x\|y b=c:\temp d=end\\").extensions
    assert ext == {"a": "x|y", "b": "c:\\temp", "d": "end\\"}
    # a lone backslash at the very end is kept
    assert parse_cef("CEF:0|V|P|1|S|N|5|a=b\\").extensions == {"a": "b\\"}
    # duplicate keys: the last one wins
    assert parse_cef("CEF:0|V|P|1|S|N|5|a=1 a=2").extensions == {"a": "2"}
    # spaces before the first key, raw line breaks
    assert parse_cef("CEF:0|V|P|1|S|N|5|  a=1").extensions == {"a": "1"}
    assert parse_cef("CEF:0|V|P|1|S|N|5|a=1\nb c=2").extensions == {"a": "1\nb", "c": "2"}
    # no pipe after the severity, other versions, blanks around the version
    assert parse_cef("CEF:0|V|P|1|S|N|5").extensions == {}
    assert parse_cef("CEF:2|V|P|1|S|N|5|").cef_version == 2
    assert parse_cef("CEF: 0|V|P|1|S|N|5|").cef_version == 0
    # undefined header escapes are kept; an invalid severity is kept as written
    event = parse_cef(r"CEF:0|V\x|P|1|S|N|Critical|")
    assert (event.vendor, event.severity) == ("V\\x", "Critical")


def _err(line: str, strict: bool = True) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_cef(line, strict=strict)
    err = info.value
    assert isinstance(err, ValueError)
    assert f"(at position {err.position})" in str(err)
    return err


@pytest.mark.parametrize(
    ("line", "position", "words"),
    [
        ("CEF:0|V|P|1", 11, "has 4 field(s), expected 7"),
        ("CEF:0|V|P|1|S|N|5", 17, "has 7 field(s)"),
        ("CEF:3|V|P|1|S|N|5|", 4, "unknown CEF version 3"),
        ("CEF:x|V|P|1|S|N|5|", 4, "must be an integer"),
        ("CEF: 0|V|P|1|S|N|5|", 4, "must be an integer"),
        ("<13>host CEF:0|V|P|1|S|N|11|a=1", 25, "invalid severity '11'"),
        ("CEF:0|V|P|1|S|N|-1|a=1", 16, "invalid severity"),
        ("CEF:0|V|P|1|S|N|Critical|a=1", 16, "invalid severity"),
        ("CEF:0|V|P|1|S|N||a=1", 16, "invalid severity ''"),
        (r"CEF:0|V\x|P|1|S|N|5|a=1", 7, "undefined escape '\\\\x' in header"),
        (r"CEF:0|V|P|1|S|N|5|a=b\tc", 21, "undefined escape '\\\\t' in extension"),
        ("CEF:0|V|P|1|S|N|5|a=b\\", 21, "lone backslash"),
        ("CEF:0|V|P|1|S|N|5|a=b=c", 21, "unescaped '='"),
        ("CEF:0|V|P|1|S|N|5|a=http://x/?q=1 b=2", 31, "unescaped '='"),
        ("CEF:0|V|P|1|S|N|5|a=1 b=2 a=3", 26, "duplicate extension key 'a'"),
        ("CEF:0|V|P|1|S|N|5|a=1 bb=22 c=x\\qy", 31, "undefined escape '\\\\q'"),
        ("CEF:0|V|P|1|S|N|5|a=1 bb=2\\=2=x c=3", 29, "unescaped '='"),
        ("CEF:0|V|P|1|S|N|5|a=x\\qy a=1", 21, "undefined escape"),
        ("CEF:0|V|P|1|S|N|5|a=1 a=x\\q", 22, "duplicate extension key 'a'"),
        ("CEF:0|V|P|1|S|N|5|a=1 ad[0]=2", 22, "invalid extension key 'ad[0]'"),
        ("CEF:0|V|P|1|S|N|5| =1", 19, "does not start with key=value"),
        ("CEF:0|V|P|1|S|N|5|=1", 18, "does not start with key=value"),
        ("CEF:0|V|P|1|S|N|5|a=1\nb=2", 21, "raw line break"),
        ("host\r CEF:0|V|P|1|S|N|5|a=1", 4, "raw line break"),
        ("no cef here", 0, "no 'CEF:'"),
    ],
)
def test_strict_errors(line: str, position: int, words: str) -> None:
    err = _err(line)
    assert err.position == position
    assert words in str(err)


def test_lenient_errors() -> None:
    assert _err("CEF:0|V|P", strict=False).position == 9
    assert _err("CEF:0|V|P|1|S|N|5|junk a=1", strict=False).position == 18
    assert _err("CEF:x|V|P|1|S|N|5|", strict=False).position == 4
    assert _err("LEEF:1.0|x|y|z|w|a=1", strict=False).position == 0


def test_parse_error_pickles() -> None:
    err = ParseError("bad thing", 7)
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.reason, copy.position, str(copy)) == ("bad thing", 7, str(err))


def test_events_are_frozen() -> None:
    event = parse_cef("CEF:0|V|P|1|S|N|5|a=1")
    with pytest.raises(AttributeError):
        event.vendor = "x"  # type: ignore[misc]
    assert not hasattr(event, "__dict__")


# --------------------------------------------------------------------------- LEEF


def test_leef_2_spec_example_caret() -> None:
    line = "LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^srcPort=81^dstPort=21"
    event = parse_leef(line, strict=True)
    assert event == LEEFEvent(
        leef_version="2.0",
        vendor="Lancope",
        product="StealthWatch",
        version="1.0",
        event_id="41",
        delimiter="^",
        attributes={
            "src": "10.0.1.8",
            "dst": "10.0.0.5",
            "sev": "5",
            "srcPort": "81",
            "dstPort": "21",
        },
        prefix="",
    )


def test_leef_1_with_syslog_prefix() -> None:
    line = (
        "<13>Jan 18 11:07:53 192.168.1.1 LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|"
        "src=10.50.1.1\tdst=2.10.20.20\tspt=1200\tmsg=tab\\there"
    )
    event = parse_leef(line, strict=True)
    assert event.prefix == "<13>Jan 18 11:07:53 192.168.1.1 "
    assert event.leef_version == "1.0"
    assert event.version == "4.0 SP1"
    assert event.delimiter == "\t"
    assert event.attributes == {
        "src": "10.50.1.1",
        "dst": "2.10.20.20",
        "spt": "1200",
        "msg": "tab\there",
    }


@pytest.mark.parametrize(
    ("slot", "delimiter"),
    [
        ("x09", "\t"),
        ("0x09", "\t"),
        ("^", "^"),
        ("x5E", "^"),
        ("0x5e", "^"),
        ("x7C", "|"),
        ("\\|", "|"),
        ("x1", "\x01"),
        ("x2C", ","),
        ("\t", "\t"),
    ],
)
def test_leef_delimiter_slot(slot: str, delimiter: str) -> None:
    value = "a\\" + ("t" if delimiter == "\t" else delimiter) + "b"
    line = f"LEEF:2.0|V|P|1|E|{slot}|k=1{delimiter}m={value}"
    event = parse_leef(line, strict=True)
    assert event.delimiter == delimiter
    assert event.attributes == {"k": "1", "m": f"a{delimiter}b"}


def test_runbook_leef_line() -> None:
    line = (
        "LEEF:2.0|IdentityMesh|Engine|1.0.0|IdentityMesh.Service.IdentityMeshEngine|x09|"
        "devTime=2026-04-25T11:42:01.0030000Z\tsev=8\tmsg=Connector run AD-East failed after 4128 ms"
        "\tConnectorName=AD-East\tElapsed=4128"
    )
    event = parse_leef(line, strict=True)
    assert event.event_id == "IdentityMesh.Service.IdentityMeshEngine"
    assert event.attributes["msg"] == "Connector run AD-East failed after 4128 ms"
    assert list(event.attributes) == ["devTime", "sev", "msg", "ConnectorName", "Elapsed"]


def test_leef_values_keep_equals_and_escapes() -> None:
    line = r"LEEF:2.0|V\|x|P\\y|1|E|^|url=http://h/?a=b^p=C:\\dir\^x^n=l1\nl2\rl3"
    event = parse_leef(line, strict=True)
    assert (event.vendor, event.product) == ("V|x", "P\\y")
    assert event.attributes == {"url": "http://h/?a=b", "p": "C:\\dir^x", "n": "l1\nl2\rl3"}


def test_leef_lenient_recoveries() -> None:
    # empty delimiter slot means TAB
    assert parse_leef("LEEF:2.0|V|P|1|E||a=1\tb=2").delimiter == "\t"
    # no delimiter slot at all
    event = parse_leef("LEEF:2.0|V|P|1|E|a=1\tb=2")
    assert (event.delimiter, event.attributes) == ("\t", {"a": "1", "b": "2"})
    # uppercase X prefix, \t written literally
    assert parse_leef("LEEF:2.0|V|P|1|E|X5E|a=1").delimiter == "^"
    assert parse_leef("LEEF:2.0|V|P|1|E|\\t|a=1\tb=2").attributes == {"a": "1", "b": "2"}
    # empty pairs and a trailing delimiter are skipped
    assert parse_leef("LEEF:1.0|V|P|1|E|a=1\t\tb=2\t").attributes == {"a": "1", "b": "2"}
    # an unescaped delimiter inside a value is glued back
    assert parse_leef("LEEF:2.0|V|P|1|E|^|a=x^y^b=2").attributes == {"a": "x^y", "b": "2"}
    assert parse_leef("LEEF:1.0|V|P|1|E|msg=a\tfree text\tb=2").attributes == {
        "msg": "a\tfree text",
        "b": "2",
    }
    # \= and \| accepted, undefined escapes kept, duplicates: last wins
    attrs = parse_leef(r"LEEF:2.0|V|P|1|E|^|a=x\=y\|z^b=c:\dir^a=2").attributes
    assert attrs == {"a": "2", "b": "c:\\dir"}
    assert parse_leef(r"LEEF:2.0|V|P|1|E|^|a=x\=y\|z").attributes == {"a": "x=y|z"}
    # versions written without ".0", missing trailing pipe, trailing newline
    assert parse_leef("LEEF:1|V|P|1|E|a=1").attributes == {"a": "1"}
    assert parse_leef("LEEF:1.0|V|P|1|E").attributes == {}
    assert parse_leef("LEEF:1.0|V|P|1|E|a=1\r\n").attributes == {"a": "1"}
    # raw line breaks are kept
    assert parse_leef("LEEF:1.0|V|P|1|E|a=1\n2").attributes == {"a": "1\n2"}


def _leef_err(line: str, strict: bool = True) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_leef(line, strict=strict)
    err = info.value
    assert f"(at position {err.position})" in str(err)
    return err


@pytest.mark.parametrize(
    ("line", "position", "words"),
    [
        ("LEEF:3.0|V|P|1|E|a=1", 5, "unknown LEEF version '3.0'"),
        ("LEEF:1|V|P|1|E|a=1", 5, "unknown LEEF version '1'"),
        ("LEEF:1.0", 8, "no '|'"),
        ("LEEF:1.0|V|P|1|E", 16, "has 4 field(s)"),
        ("LEEF:2.0|V|P|1|E||a=1", 17, "empty LEEF 2.0 delimiter"),
        ("LEEF:2.0|V|P|1|E|abc|a=1", 17, "invalid LEEF 2.0 delimiter 'abc'"),
        ("LEEF:2.0|V|P|1|E|X5E|a=1", 17, "invalid LEEF 2.0 delimiter"),
        ("LEEF:2.0|V|P|1|E|x12345|a=1", 17, "invalid LEEF 2.0 delimiter"),
        ("LEEF:1.0|V|P|1|E|a=1\t\tb=2", 21, "empty attribute"),
        ("LEEF:1.0|V|P|1|E|a=1\t", 21, "empty attribute"),
        ("LEEF:1.0|V|P|1|E|a=1\tfree", 21, "without '='"),
        ("LEEF:1.0|V|P|1|E|a=1\t=2", 21, "invalid attribute key ''"),
        ("LEEF:1.0|V|P|1|E|a=1\tb.c=2", 21, "invalid attribute key 'b.c'"),
        ("LEEF:1.0|V|P|1|E|a=1\ta=2", 21, "duplicate attribute key 'a'"),
        ("LEEF:2.0|V|P|1|E|^|a=x\\=y", 22, "undefined escape"),
        ("LEEF:2.0|V|P|1|E|^|a=x\\ty", 22, "undefined escape"),
        ("LEEF:1.0|V|P|1|E|a=x\\^y", 20, "undefined escape"),
        ("LEEF:1.0|V\\x|P|1|E|a=1", 10, "undefined escape"),
        ("LEEF:1.0|V|P|1|E|a=1\rb=2", 20, "raw line break"),
        ("nothing", 0, "no 'LEEF:'"),
    ],
)
def test_leef_strict_errors(line: str, position: int, words: str) -> None:
    err = _leef_err(line)
    assert err.position == position
    assert words in str(err)


def test_leef_lenient_errors() -> None:
    assert _leef_err("LEEF:2.0|V|P|1|E|abc|a=1", strict=False).position == 17
    assert _leef_err("LEEF:1.0|V|P|1|E|free\ta=1", strict=False).position == 17
    assert _leef_err("LEEF:9|V|P|1|E|a=1", strict=False).position == 5


# --------------------------------------------------------------------------- properties

# A tiny reference escaper, written here from the format rules (not the formatter's).


def ref_cef_header(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def ref_cef_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace("=", "\\=").replace("\r", "\\r").replace("\n", "\\n")


def ref_leef_value(text: str, delimiter: str) -> str:
    out = text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")
    return out.replace(delimiter, "\\t" if delimiter == "\t" else "\\" + delimiter)


header_text = st.text(st.characters(blacklist_characters="\r\n"), max_size=20)
keys = st.from_regex(r"[A-Za-z0-9_]{1,12}", fullmatch=True)
values = st.text(max_size=30)
pairs = st.dictionaries(keys, values, max_size=8)
severities = st.sampled_from(
    [str(i) for i in range(11)] + ["Unknown", "Low", "Medium", "High", "Very-High", "very-high"]
)
cef_prefixes = st.sampled_from(
    ["", "<134>Jan  5 10:00:00 host ", "2020-06-24T15:51:08+00:00 lb100 l7log: "]
)


@given(
    prefix=cef_prefixes,
    version=st.sampled_from([0, 1]),
    header=st.tuples(header_text, header_text, header_text, header_text, header_text),
    severity=severities,
    ext=pairs,
)
def test_cef_round_trip(
    prefix: str,
    version: int,
    header: tuple[str, str, str, str, str],
    severity: str,
    ext: dict[str, str],
) -> None:
    line = (
        f"{prefix}CEF:{version}|"
        + "|".join(ref_cef_header(h) for h in header)
        + f"|{severity}|"
        + " ".join(f"{k}={ref_cef_value(v)}" for k, v in ext.items())
    )
    expected = CEFEvent(version, *header, severity, ext, prefix)
    assert parse_cef(line, strict=True) == expected
    assert parse_cef(line) == expected
    assert list(parse_cef(line).extensions) == list(ext)


# Delimiters that the formatters can write unambiguously: not alphanumeric or "_"
# (keys are not escaped), not "=", "\\", "r", "n", "t".
DELIMITERS = ["\t", "^", "|", ",", ";", " ", "#", "~", "!", "\x01", "\x1f", "é"]


def _slot_forms(delimiter: str) -> list[str]:
    code = ord(delimiter)
    forms = [f"x{code:02X}", f"0x{code:02x}"]
    if delimiter.isprintable():
        forms.append(ref_cef_header(delimiter))
    return forms


leef_delims = st.sampled_from(DELIMITERS).flatmap(
    lambda d: st.tuples(st.just(d), st.sampled_from(_slot_forms(d)))
)


@given(
    prefix=st.sampled_from(["", "<13>Jan 18 11:07:53 192.168.1.1 "]),
    header=st.tuples(header_text, header_text, header_text, header_text),
    delim=leef_delims,
    attrs=pairs,
)
def test_leef2_round_trip(
    prefix: str,
    header: tuple[str, str, str, str],
    delim: tuple[str, str],
    attrs: dict[str, str],
) -> None:
    delimiter, slot = delim
    line = (
        f"{prefix}LEEF:2.0|"
        + "|".join(ref_cef_header(h) for h in header)
        + f"|{slot}|"
        + delimiter.join(f"{k}={ref_leef_value(v, delimiter)}" for k, v in attrs.items())
    )
    expected = LEEFEvent("2.0", *header, delimiter, attrs, prefix)
    assert parse_leef(line, strict=True) == expected
    assert parse_leef(line) == expected


@given(header=st.tuples(header_text, header_text, header_text, header_text), attrs=pairs)
def test_leef1_round_trip(header: tuple[str, str, str, str], attrs: dict[str, str]) -> None:
    line = (
        "LEEF:1.0|"
        + "|".join(ref_cef_header(h) for h in header)
        + "|"
        + "\t".join(f"{k}={ref_leef_value(v, chr(9))}" for k, v in attrs.items())
    )
    expected = LEEFEvent("1.0", *header, "\t", attrs, "")
    assert parse_leef(line, strict=True) == expected
    assert parse_leef(line) == expected


@given(st.text(max_size=80))
def test_arbitrary_text_never_crashes(text: str) -> None:
    for line in (text, "CEF:" + text, "CEF:0|" + text, "LEEF:2.0|" + text, "LEEF:1.0|" + text):
        for strict in (False, True):
            for parser in (parse_cef, parse_leef):
                try:
                    parser(line, strict=strict)
                except ParseError as err:
                    assert 0 <= err.position <= len(line)


# --------------------------------------------------------------------------- fast paths
# The strict fast paths (whole-extension checks with C-level counts, unescaping all
# values at once, the lint entry points that build no event, the event factories)
# must agree with the per-value reference path on valid and invalid lines alike,
# error reasons and positions included.

_FUZZ_BASE = [
    "CEF:0|Acme|Gw|4.2|acme.gw|user %s logged in|4|rt=1795318884502 msg=user alice src=10.0.0.1",
    "<134>Apr 25 11:32:18 gw01 acme: CEF:0|Acme|Gw|4.2|x|y|4|"
    "msg=GET /a?p\\=2&q\\=a\\=b -> 200 request=/a?p\\=2 cn1=200 cn1Label=status",
    "CEF:0|Acme|Gw|4.2|x|denied %s|High|rt=2026-11-22T03:41:24.504Z reason=policy\\nline two",
    "CEF:0|A|B|1|x|y|3|f=C:\\\\Windows\\\\x g=\\\\\\= h=\\r\\n\\=\\\\ i=",
    "CEF:1|A\\|x|B\\\\|1|x|y|Very-High|cs1=a b c cs2=\\\\n",
    "LEEF:2.0|Acme|Gw|4.2|acme.gw|x09|devTime=1777116738421\tsev=4\tmsg=a=b\tusrName=alice",
    "LEEF:2.0|Acme|Gw|4.2|acme.gw|^|a=1^b=x\\^y^sev=0",
    "LEEF:1.0|Acme|Gw|1.0|login|devTime=Apr 25 2024 10:00:00\tsev=11",
]
_FUZZ_BITS = ["\\", "=", "|", " ", "r", "n", "t", "x", ".", "-", "'", "\t", "\r", "\n", "\0",
              "é", "\\\\", "\\=", "\\n", " k=", " a.b=", " msg=", "^", ""]  # fmt: skip


def _fuzz_lines(count: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(count):
        line = rng.choice(_FUZZ_BASE)
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 5])):
            p = rng.randrange(len(line) + 1)
            if rng.random() < 0.6:
                line = line[:p] + rng.choice(_FUZZ_BITS) + line[p:]
            else:
                line = line[:p] + line[p + rng.randrange(1, 4) :]
        out.append(line)
    return out


def _outcome(fn: object, *args: object) -> object:
    try:
        return ("ok", fn(*args))  # type: ignore[operator]
    except ParseError as err:
        return ("error", err.reason, err.position)


def _reference_strict_extension(ext: str, base: int) -> dict[str, str]:
    """The per-value strict path: split, then each value through _unescape_cef_value."""
    from cef_logging import parse as p

    stripped = ext.lstrip(" ")
    base += len(ext) - len(stripped)
    ext = stripped
    if not ext:
        return {}
    parts = p._CEF_NEXT_KEY.split(" " + ext)
    if parts[0]:
        raise ParseError("extension does not start with key=value", base)
    keys, values = parts[1::2], parts[2::2]
    if len(set(keys)) != len(keys) or any(p._STRICT_CEF_KEY.match(k) is None for k in keys):
        p._raise_first_cef_error(keys, values, base)
    out = {}
    pos = base
    for key, raw in zip(keys, values, strict=True):
        try:
            out[key] = p._unescape_cef_value(raw, True)
        except ParseError as err:
            raise ParseError(err.reason, pos + len(key) + 1 + err.position) from None
        pos += len(key) + len(raw) + 2
    return out


def test_strict_extension_fast_path_agrees_with_reference() -> None:
    from cef_logging import parse as p

    checked = 0
    for line in _fuzz_lines(6000, seed=5):
        at = line.find("CEF:")
        if at == -1 or "\n" in line or "\r" in line:
            continue
        parts = line.split("|", 7)
        if len(parts) < 8:
            continue
        ext = parts[7]
        base = len(line) - len(ext)
        assert _outcome(p._parse_cef_extension, ext, base, True) == _outcome(
            _reference_strict_extension, ext, base
        ), line
        checked += 1
    assert checked > 2000


def test_lint_entry_points_agree_with_the_parsers() -> None:
    from cef_logging import parse as p

    seen = {"ok": 0, "error": 0}
    for line in _fuzz_lines(6000, seed=11):
        for marker, fast, full, field in (
            ("CEF:", lambda s, a: p._strict_cef_extensions(s, a)[0], parse_cef, "extensions"),
            ("LEEF:", p._strict_leef_attributes, parse_leef, "attributes"),
        ):
            at = line.find(marker)
            if at == -1:
                continue
            expected = _outcome(lambda s: getattr(full(s, strict=True), field), line)  # noqa: B023
            assert _outcome(fast, line, at) == expected, line
            seen[str(expected[0])] += 1  # type: ignore[index]
    assert seen["ok"] > 1000 and seen["error"] > 1000, seen


def test_event_factories_equal_the_dataclasses() -> None:
    from cef_logging import parse as p

    cef = (1, "A", "B", "1", "x", "y", "High", {"a": "b"}, "<134>")
    leef = ("2.0", "A", "B", "1", "ev", "^", {"a": "b"}, "")
    for made, built in ((p._new_cef_event(*cef), CEFEvent(*cef)),
                        (p._new_leef_event(*leef), LEEFEvent(*leef))):  # fmt: skip
        assert made == built and repr(made) == repr(built) and type(made) is type(built)
        assert pickle.loads(pickle.dumps(made)) == built
        with pytest.raises(AttributeError):
            made.vendor = "z"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("CEF:0|V|P|1|S|N|7| act=blocked src=10.0.0.1", {"act": "blocked", "src": "10.0.0.1"}),
        ("CEF:0|V|P|1|S|N|7|   act=x", {"act": "x"}),
        ("CEF:0|V|P|1|S|N|5|ad.arcSightEventPath=3Yf Auth.Username=bob", None),
        ("CEF:0|ClearPass|P|1|S|N|5|Auth-Source=AD x-y.z=1", None),
        ("CEF:0|V\\\\|P|1|S|N|5| ad.a=1", {"ad.a": "1"}),
    ],
)
def test_strict_accepts_arcsight_leading_space_and_dotted_keys(
    line: str, expected: dict[str, str] | None
) -> None:
    strict = parse_cef(line, strict=True).extensions
    assert strict == parse_cef(line).extensions
    if expected is not None:
        assert strict == expected


def test_strict_leef_keys_stay_restricted_after_cef_accepted_dotted_keys() -> None:
    parse_cef("CEF:0|V|P|1|S|N|5|a.b=1", strict=True)
    with pytest.raises(ParseError, match="invalid attribute key"):
        parse_leef("LEEF:2.0|V|P|1|E|^|a.b=1", strict=True)


def _reference_lenient_leef(text: str, delim: str) -> dict[str, str]:
    """Lenient LEEF attributes without escapes, piece by piece (the rules as first written)."""
    out: dict[str, str] = {}
    last_key = None
    for piece in text.split(delim):
        if not piece:
            continue
        eq = piece.find("=")
        key = piece[:eq] if eq > 0 else ""
        if eq <= 0 or re.fullmatch(r"[^\s=]+", key) is None:
            if last_key is None:
                raise ParseError("attributes do not start with key=value", 0)
            out[last_key] += delim + piece
            continue
        out[key] = piece[eq + 1 :]
        last_key = key
    return out


def test_lenient_leef_glue_fast_path_agrees_with_the_reference() -> None:
    import random

    rng = random.Random(7)
    bits = ["a=1", "b=", "=x", "x", "", "k k=2", "a=2", "é=3", "v=w=z", " ", "\t"]
    checked = 0
    for _ in range(4000):
        delim = rng.choice(["^", "\t", "|", "|", "x"])
        text = delim.join(rng.choice(bits) for _ in range(rng.randrange(1, 9)))
        line = f"LEEF:2.0|V|P|1|E|x{ord(delim):02X}|{text}"
        try:
            expected: object = _reference_lenient_leef(text, delim)
        except ParseError:
            expected = "error"
        try:
            got: object = parse_leef(line).attributes
        except ParseError:
            got = "error"
        assert got == expected, (line, got, expected)
        checked += expected != "error"
    assert checked > 1000


@pytest.mark.parametrize("count", [1000, 16000])
def test_lenient_leef_many_unescaped_delimiters(count: int) -> None:
    event = parse_leef("LEEF:2.0|V|P|1|E|^|msg=" + "x^" * count + "y^^sev=3")
    assert event.attributes == {"msg": "x^" * count + "y", "sev": "3"}


def test_lint_raw_pairs_fast_path_agrees_with_strict_parsing() -> None:
    """Where the raw-pairs check accepts a line, parse_cef(strict=True) accepts it with
    the same keys and the unescaped values; where parse_cef refuses, it declines."""
    from cef_logging import parse as p

    accepted = declined = 0
    lines = [
        *_fuzz_lines(6000, seed=23),
        "CEF:0|V|P|1|S|N|5| a=1", "CEF:0|V|P|1|S|N|5|a=x\\\\", "CEF:0|V|P|1|S|N|5|a=\\\\=",
        "CEF:0|V|P|1|S|N|5|a=b\\ c=1", "CEF:0|V|P|1|S|N|5|a=\\=\\n\\r b=", "CEF:0|V|P|1|S|N|5|",
    ]  # fmt: skip
    for line in lines:
        at = line.find("CEF:")
        if at == -1:
            continue
        fast = p._strict_cef_raw_pairs(line, at)
        try:
            event = parse_cef(line, strict=True)
        except ParseError:
            assert fast is None, line
            declined += 1
            continue
        if fast is None:
            declined += 1
            continue
        keys, values, ext_start = fast
        assert len(keys) == len(values) == len(set(keys))
        unescaped = {k: p._unescape_cef_value(v, True) for k, v in zip(keys, values, strict=True)}
        assert unescaped == event.extensions
        assert ext_start == p._strict_cef_extensions(line, at)[1], line
        accepted += 1
    assert accepted > 1000 and declined > 1000, (accepted, declined)


def test_lenient_leef_with_escapes_fast_path_agrees_with_the_loop() -> None:
    import random

    from cef_logging import parse as p

    rng = random.Random(29)
    bits = ["a=1", "b=", "=x", "x", "", "k k=2", "a=2", "\\", "\\\\", "\\^", "\\|", "\\=",
            "\\n", "\\t", "v\\^w=z", "é=3", "q\\", "\x00", "\ue000"]  # fmt: skip
    agreed = declined = 0
    for _ in range(6000):
        delim = rng.choice(["^", "\t", "|", "x"])
        pieces = [rng.choice(bits).replace("^", delim) for _ in range(rng.randrange(1, 9))]
        text = delim.join(pieces)
        line = f"LEEF:2.0|V|P|1|E|x{ord(delim):02X}|{text}"
        start = len(line) - len(text)
        try:
            expected: object = p._leef_attributes_loop(line, start, delim, False)
        except ParseError:
            expected = "error"
        fast = p._lenient_leef_escaped(line, start, delim)
        if fast is None:
            declined += 1
            continue
        assert fast == expected, (line, fast, expected)
        assert parse_leef(line).attributes == expected
        agreed += 1
    assert agreed > 1500, (agreed, declined)


def test_lenient_leef_escapes_and_many_delimiters_stay_fast() -> None:
    line = "LEEF:2.0|V|P|1|E|^|msg=a\\^b^" + "x^" * 20000 + "sev=3"
    event = parse_leef(line)
    assert event.attributes == {"msg": "a^b^" + "x^" * 19999 + "x", "sev": "3"}


@given(st.text(alphabet=" =ab.-_[]\\|é\n", max_size=60))
def test_possessive_key_pattern_splits_as_the_plain_one(text: str) -> None:
    """The CEF key pattern takes key runs possessively on 3.11+: same split as greedy."""
    from cef_logging import parse as p

    plain = re.compile(r" (" + p._LENIENT_KEY_CHARS + r")=")
    assert p._CEF_NEXT_KEY.split(" " + text) == plain.split(" " + text)
    for line in _fuzz_lines(300, seed=5):
        assert p._CEF_NEXT_KEY.split(line) == plain.split(line)


def test_lint_raw_pairs_returns_one_tuple_per_key_sequence() -> None:
    """A valid key sequence seen before comes back as the stored tuple (equal keys)."""
    from cef_logging import parse as p

    a = p._strict_cef_raw_pairs("CEF:0|V|P|1|S|N|5|src=1 dst=2 zzq=3", 0)
    b = p._strict_cef_raw_pairs("x CEF:0|V|P|1|S|N|5|src=4 dst=5 zzq=\\=6", 2)
    assert a is not None and b is not None
    assert a[0] == ("src", "dst", "zzq") and b[0] is a[0]
    assert b[1] == ["4", "5", "\\=6"]
