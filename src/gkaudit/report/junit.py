"""JUnit XML: one testsuite per site, one testcase per site × check, for CI test reports.

fail -> <failure>, error -> <error>, inconclusive / skipped / waived -> <skipped> with the reason;
pass and warn pass (a warning's findings are in <system-out>). Failure text: summary, then each
finding with its evidence, rule and fix.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from gkaudit.model import CheckResult, ScanReport, Status
from gkaudit.report.facts import evidence_text, notable_findings, status_label

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry (a page's NUL or control bytes would make the file
    unparsable for every CI tool)."""
    return _NOT_XML.sub("\ufffd", text)


def _details(result: CheckResult) -> str:
    lines = [result.summary]
    for found in notable_findings(result):
        lines.append(f"- [{found.severity.value}] {found.message}")
        if evidence := evidence_text(found.evidence):
            lines.append(f"  证据 / evidence: {evidence}")
        if found.rule:
            lines.append(f"  依据 / rule: {found.rule}")
        if found.fix:
            lines.append(f"  整改 / fix: {found.fix}")
    lines.append(f"依据 / basis: {result.basis}")
    return _xml("\n".join(lines))


def render_junit(report: ScanReport) -> str:
    root = ET.Element("testsuites", name="gkaudit", timestamp=report.started_at.isoformat())
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for site in report.sites:
        suite = ET.SubElement(root, "testsuite", name=_xml(f"{site.id} {site.name}"), hostname=_xml(site.url))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for result in site.results:
            case = ET.SubElement(suite, "testcase", classname=f"gkaudit.{site.id}", name=result.check,
                                 time=f"{result.duration_ms / 1000:.3f}")
            counts["tests"] += 1
            message = _xml(f"{status_label(result)} {result.status.value}: {result.summary}")
            if result.status is Status.FAIL:
                counts["failures"] += 1
                ET.SubElement(case, "failure", message=message, type="fail").text = _details(result)
            elif result.status is Status.ERROR:
                counts["errors"] += 1
                ET.SubElement(case, "error", message=message, type="error").text = _details(result)
            elif result.status in (Status.INCONCLUSIVE, Status.SKIPPED, Status.WAIVED):
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=message).text = _details(result)
            else:
                ET.SubElement(case, "system-out").text = _details(result)
        for key, value in counts.items():
            suite.set(key, str(value))
            total[key] += value
    for key, value in total.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
