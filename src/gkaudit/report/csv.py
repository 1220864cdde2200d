"""CSV: one row per site × check, UTF-8 with a BOM so Excel opens the Chinese text correctly."""

from __future__ import annotations

import csv
import io

from gkaudit.model import ScanReport
from gkaudit.report.facts import evidence_text, notable_findings

BOM = "\ufeff"
COLUMNS = ["site_id", "site_name", "site_url", "kind", "parent", "check", "title", "status", "status_zh",
           "waived_status", "waiver_expires", "summary", "findings", "evidence", "rules", "fixes", "basis"]


def csv_rows(report: ScanReport) -> list[list[str]]:
    rows: list[list[str]] = [COLUMNS]
    for site in report.sites:
        for result in site.results:
            shown = notable_findings(result)
            rows.append([
                site.id, site.name, site.url, site.kind, site.parent or "", result.check, result.title,
                result.status.value, result.status.label_zh,
                result.waived_status.value if result.waived_status else "",
                result.waiver.expires.isoformat() if result.waiver else "",
                result.summary,
                "\n".join(f.message for f in shown),
                "\n".join(evidence_text(f.evidence) for f in shown if evidence_text(f.evidence)),
                "\n".join(dict.fromkeys(f.rule for f in shown if f.rule)),
                "\n".join(dict.fromkeys(f.fix for f in shown if f.fix)),
                result.basis,
            ])
    return rows


def spreadsheet_safe(cell: str) -> str:
    """A cell Excel will not run as a formula: text from a page may start with = + - @ (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def render_csv(report: ScanReport) -> str:
    """The CSV text, starting with the BOM; write it with encoding='utf-8' (not 'utf-8-sig', or two BOMs)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([[spreadsheet_safe(c) for c in row]
                                                          for row in csv_rows(report)])
    return BOM + buffer.getvalue()
