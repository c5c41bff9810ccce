"""Write the field-map tables of ``docs/field-maps.md`` from ``cef_logging.field_maps``.

``python3 scripts/field_map_tables.py`` rewrites the part of the page between the
``<!-- field-map-tables:begin -->`` and ``<!-- field-map-tables:end -->`` markers;
``--check`` only reports (exit status 1) whether the page is out of date. The test suite
checks the same, so the page always lists exactly the rows the code maps.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "field-maps.md"
BEGIN = "<!-- field-map-tables:begin -->"
END = "<!-- field-map-tables:end -->"

sys.path.insert(0, str(ROOT))

from cef_logging.field_maps import ECS_ROWS, OTEL_ROWS, FieldMapping  # noqa: E402

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_|<\[\]])")


def _cell(text: str) -> str:
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def _key(key: str | None) -> str:
    return "—" if key is None else f"`{key}`"


def _table(title: str, rows: tuple[FieldMapping, ...]) -> list[str]:
    lines = [
        f"| {title} | CEF key | LEEF key | why |",
        "|---|---|---|---|",
    ]
    for row in rows:
        lines.append(f"| `{row.field}` | {_key(row.cef)} | {_key(row.leef)} | {_cell(row.note)} |")
    return lines


def render() -> str:
    """The generated part of the page, markers included."""
    lines = [
        BEGIN,
        "",
        "### ECS fields",
        "",
        *_table("ECS field", ECS_ROWS),
        "",
        "### OpenTelemetry attributes",
        "",
        *_table("OpenTelemetry attribute", OTEL_ROWS),
        "",
        END,
    ]
    return "\n".join(lines)


def updated(page: str) -> str:
    """``page`` with its generated part replaced by :func:`render`."""
    start, end = page.index(BEGIN), page.index(END) + len(END)
    return page[:start] + render() + page[end:]


def main(argv: list[str]) -> int:
    page = PAGE.read_text(encoding="utf-8")
    new = updated(page)
    if "--check" in argv:
        if new != page:
            print(f"{PAGE.relative_to(ROOT)} is out of date: run scripts/field_map_tables.py")
            return 1
        return 0
    if new != page:
        PAGE.write_text(new, encoding="utf-8")
        print(f"updated {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
