"""JSON output and its JSON Schema: the contract the nightly CI job keeps.

`write_json` writes a report whose sites come from an iterator (a result stream), so a scan of
any size is written without holding its sites in memory; `render_json` is the same for a report
that is already whole.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any, TextIO

from gkaudit.model import ScanReport, SiteReport


def write_json(report: ScanReport, sites: Iterable[SiteReport], out: TextIO) -> None:
    """Write `report` (its own `sites` ignored) with `sites` in their place, as `--format json` does."""
    fields = json.loads(report.model_dump_json(exclude={"sites"}))
    keys = [name for name in ScanReport.model_fields if name in fields or name == "sites"]
    out.write("{\n")
    for number, key in enumerate(keys):
        out.write(f"  {json.dumps(key)}: ")
        if key == "sites":
            _write_sites(sites, out)
        else:
            out.write(_indented(json.dumps(fields[key], indent=2, ensure_ascii=False)))
        out.write(",\n" if number < len(keys) - 1 else "\n")
    out.write("}\n")


def _write_sites(sites: Iterable[SiteReport], out: TextIO) -> None:
    out.write("[")
    count = 0
    for site in sites:
        out.write(",\n" if count else "\n")
        out.write(_nested(site.model_dump_json(indent=2), "    "))
        count += 1
    out.write("\n  ]" if count else "]")


def _indented(text: str) -> str:
    """A JSON value nested one level down: every line but the first indented by two spaces."""
    first, _, rest = text.partition("\n")
    return first + ("\n" + _nested(rest, "  ") if rest else "")


def _nested(text: str, prefix: str) -> str:
    """`textwrap.indent(text, prefix)` for pretty JSON, which has no blank lines (a newline inside a
    string is written `\\n`), at a fraction of its cost on a large report."""
    return prefix + text.replace("\n", "\n" + prefix)


def render_json(report: ScanReport) -> str:
    buffer = io.StringIO()
    write_json(report, report.sites, buffer)
    return buffer.getvalue()


def json_schema() -> dict[str, Any]:
    schema = ScanReport.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://gkaudit.example/schema/scan-report.json"
    return schema


def render_schema() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
