"""The vendor examples reproduce the seed documents' lines byte for byte.

Each expected line is extracted from the vendor's published document (kept under
tests/data/vendors/, see the README there) by a regex, and the documented corrections
are applied here, explicitly, one by one -- so a test failure means our output and
the vendor's document disagree somewhere nobody has explained.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from cef_logging.parse import parse_cef, parse_leef

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DOCS = ROOT / "tests" / "data" / "vendors"
KEMP_DOC = VENDOR_DOCS / "kemp_loadmaster_cef.txt"
ONEFIREWALL_DOC = VENDOR_DOCS / "onefirewall_cef.txt"
IDENTITYMESH_DOC = VENDOR_DOCS / "identitymesh_cef_leef.txt"


def load_example(name: str) -> ModuleType:
    path = ROOT / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_example_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_example(name: str) -> list[str]:
    """The example's stdout lines (its lines only: any prose goes to stderr)."""
    return run_example_full(name).stdout.splitlines()


def run_example_full(name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "examples" / f"{name}.py")],
        capture_output=True, text=True, check=True, cwd=ROOT, timeout=60,
    )  # fmt: skip


# --------------------------------------------------------------------------- Kemp


def kemp_document_lines() -> list[str]:
    """Every example line of the Kemp catalogue, from ``CEF:`` on.

    The page glues each example to the next paragraph ("...msg=AcceptThe CEF Extension
    comprises of:") or to the table that follows (Event 7: "...msg=User Interaction|");
    events 17-18 carry a syslog prefix.
    """
    text = KEMP_DOC.read_text(encoding="utf-8")
    pattern = r"^(?:.*? )?(CEF:0\|.*?)(?:The CEF Extension comprises of:|\|)?$"
    return [m.group(1) for m in re.finditer(pattern, text, re.M)]


KEMP_EVENT16_AS_PUBLISHED = "CEF:0|Kemp|LM||1.0|16|Attempted XSS attack|9|"
KEMP_EVENT16_CORRECTED = "CEF:0|Kemp|LM|1.0|16|Attempted XSS attack|9|"


def kemp_expected() -> list[str]:
    lines = kemp_document_lines()
    assert len(lines) == 23  # event classes 0-10, 14-20, 100-104
    malformed = [line for line in lines if line.startswith(KEMP_EVENT16_AS_PUBLISHED)]
    assert len(malformed) == 1
    # Correction: the catalogue's Event 16 header has an extra pipe.
    return [line.replace(KEMP_EVENT16_AS_PUBLISHED, KEMP_EVENT16_CORRECTED, 1) for line in lines]


def test_kemp_lines_equal_the_catalogue() -> None:
    expected = kemp_expected()
    produced = load_example("kemp_loadmaster").main()
    assert len(produced) == len(expected)
    for ours, theirs in zip(produced, expected, strict=True):
        assert ours == theirs


def test_kemp_signature_ids_cover_the_catalogue() -> None:
    produced = load_example("kemp_loadmaster").main()
    ids = [parse_cef(line, strict=True).signature_id for line in produced]
    assert ids == [str(n) for n in (*range(0, 11), *range(14, 21), *range(100, 105))]


def test_kemp_script_prints_the_lines() -> None:
    assert run_example("kemp_loadmaster") == kemp_expected()


# --------------------------------------------------------------------------- OneFirewall


def onefirewall_document_lines() -> list[str]:
    """The document's examples as wire lines: the header line, then the extension's
    display lines joined by single spaces (the page wraps some extensions)."""
    text = ONEFIREWALL_DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"^(CEF:0\|.*\|)\n((?:(?:rt|msg|decision)=.*\n)+)", text, re.M)
    return [head + " ".join(ext.splitlines()) for head, ext in blocks]


OBFUSCATED = "[email\u00a0protected]"  # with a no-break space, as the page writes it


def escape_quoted_msg(line: str) -> str:
    """Escape the raw ``=`` inside a quoted ``msg='...'`` value as CEF requires."""
    return re.sub(r"msg='[^']*'", lambda m: "msg=" + m.group(0)[4:].replace("=", "\\="), line)


def onefirewall_expected(user: str) -> list[str]:
    lines = onefirewall_document_lines()
    assert len(lines) == 8
    # Correction 1: the page obfuscated a whole "user=<address>" pair.
    assert sum(OBFUSCATED in line for line in lines) == 5
    lines = [line.replace(OBFUSCATED, f"user={user}") for line in lines]
    # Correction 2: raw "=" inside msg values must be "\=". Exactly three examples
    # (IPV4_LIST, FEEDBACK_UPDATED, the enriched NET_EVENT) need it.
    escaped = [escape_quoted_msg(line) for line in lines]
    changed = [line.split("|")[4] for line, new in zip(lines, escaped, strict=True) if line != new]
    assert changed == ["IPV4_LIST", "FEEDBACK_UPDATED", "NET_EVENT"]
    return escaped


def test_onefirewall_lines_equal_the_document() -> None:
    module = load_example("onefirewall")
    expected = onefirewall_expected(module.USER)
    produced = module.main()
    assert len(produced) == len(expected)
    for ours, theirs in zip(produced, expected, strict=True):
        assert ours == theirs


def test_onefirewall_escaped_msg_reads_back_as_the_document_meant() -> None:
    produced = load_example("onefirewall").main()
    enriched = parse_cef(produced[6], strict=True)
    assert enriched.extensions["msg"] == (
        "'fortinet/Allow/org1 94.22.73.32->192.168.0.1:443 ofa_score=0 ofa_ip=94.22.73.32"
        " members=1'"
    )
    assert "ofa_score" not in enriched.extensions
    # The document's own line, read by a lenient parser, forges fields out of the msg.
    raw = onefirewall_document_lines()[6]
    assert "ofa_score" in parse_cef(raw).extensions


def test_onefirewall_script_prints_the_lines_and_explains() -> None:
    module = load_example("onefirewall")
    proc = run_example_full("onefirewall")
    assert proc.stdout.splitlines() == onefirewall_expected(module.USER)
    explanation = " ".join(proc.stderr.split())
    assert "raw '='" in explanation and "obfuscation" in explanation


# --------------------------------------------------------------------------- IdentityMesh


def identitymesh_sample_lines() -> tuple[list[str], list[str]]:
    """The guide's "Sample lines" section: (CEF lines, LEEF lines)."""
    text = IDENTITYMESH_DOC.read_text(encoding="utf-8")
    section = text[text.index("\nSample lines\n") : text.index("\nSpec verification\n")]
    cef = re.findall(r"^CEF:0\|.*$", section, re.M)
    leef = re.findall(r"^LEEF:2\.0\|.*$", section, re.M)
    return cef, leef


def identitymesh_corrected(line: str) -> str:
    # Correction 1: "[TAB] shown for clarity -- actual character is 0x09".
    line = line.replace("[TAB]", "\t")
    # Correction 2: millisecond timestamps (the guide's seven digits end in 0000 here)
    # and a devTimeFormat QRadar's Java SimpleDateFormat can read.
    line, count = re.subn(r"(T\d\d:\d\d:\d\d\.\d{3})0000Z", r"\1Z", line)
    assert count == 1
    line = line.replace(
        "devTimeFormat=yyyy-MM-ddTHH:mm:ss.fffffffZ", "devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX"
    )
    # Correction 3: devTime always travels with its devTimeFormat.
    if line.startswith("LEEF:") and "devTimeFormat=" not in line:
        line = re.sub(r"(devTime=[^\t]*)\t", "\\1\tdevTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX\t",
                      line, count=1)  # fmt: skip
    return line


def identitymesh_expected() -> tuple[list[str], list[str]]:
    cef, leef = identitymesh_sample_lines()
    assert len(cef) == 2 and len(leef) == 2
    cef = [identitymesh_corrected(line) for line in cef]
    leef = [identitymesh_corrected(line) for line in leef]
    # Correction 4: the info-level LEEF sample stops after StatusCode; it is the CEF
    # sample's event, whose remaining properties follow.
    assert leef[0].endswith("\tStatusCode=201")
    rest = cef[0][cef[0].index(" CorrelationId=") :]
    leef[0] += rest.replace(" ", "\t")  # these values hold no spaces
    return cef, leef


def test_identitymesh_lines_mirror_the_guide() -> None:
    expected_cef, expected_leef = identitymesh_expected()
    cef, leef = load_example("identitymesh").main()
    # One CEF and one LEEF line per event: audit (info), run failure (warning), run
    # failure (error). The guide shows CEF for the first two, LEEF for the first and last.
    assert len(cef) == len(leef) == 3
    assert [cef[0], cef[1]] == expected_cef
    assert [leef[0], leef[2]] == expected_leef


def test_identitymesh_lines_parse_strictly() -> None:
    cef, leef = load_example("identitymesh").main()
    for line in cef:
        assert parse_cef(line, strict=True).vendor == "IdentityMesh"
    for line in leef:
        event = parse_leef(line, strict=True)
        assert event.delimiter == "\t"
        assert event.attributes["devTimeFormat"] == "yyyy-MM-dd'T'HH:mm:ss.SSSX"
    assert parse_cef(cef[0], strict=True).name == (
        "Admin audit row recorded: {Action} -> {StatusCode}"
    )


def test_identitymesh_script_prints_cef_then_leef() -> None:
    cef, leef = load_example("identitymesh").main()
    assert run_example("identitymesh") == cef + leef


# --------------------------------------------------------------------------- all


@pytest.mark.parametrize("name", ["kemp_loadmaster", "onefirewall"])
def test_every_cef_example_line_parses_strictly(name: str) -> None:
    for line in load_example(name).main():
        parse_cef(line, strict=True)
