"""What every renderer shows the same way: check titles, status marks, the findings worth listing."""

from __future__ import annotations

from gkaudit.model import CheckResult, Evidence, Finding, ScanReport, Severity, SiteReport, Status

# One character per status, for narrow tables and markdown (with a legend wherever they appear).
STATUS_MARKS: dict[Status, str] = {
    Status.PASS: "✅",
    Status.WARN: "⚠️",
    Status.FAIL: "❌",
    Status.INCONCLUSIVE: "❔",
    Status.ERROR: "💥",
    Status.SKIPPED: "➖",
    Status.WAIVED: "🛡️",
}
KIND_LABELS = {"portal": "门户", "district": "区", "new_area": "新区", "department": "部门"}


def check_titles(report: ScanReport) -> dict[str, str]:
    """Check id -> its Chinese title, as the results carry it, in the report's check order."""
    titles: dict[str, str] = {check_id: check_id for check_id in report.scanner.checks}
    for site in report.sites:
        for result in site.results:
            if titles.get(result.check, result.check) == result.check:
                titles[result.check] = result.title.split(" / ")[0]
    return titles


def check_order(report: ScanReport) -> list[str]:
    """The report's checks, in the order the scan ran them (scanner.checks, then any others seen)."""
    return list(check_titles(report))


def status_label(result: CheckResult) -> str:
    """The Chinese label, with the underlying verdict of a waived result and an expired waiver noted."""
    label = result.status.label_zh
    if result.status is Status.WAIVED and result.waived_status is not None:
        label += f"（{result.waived_status.label_zh}）"
    elif result.waiver is not None and result.waiver.expired:
        label += "（豁免已过期）"
    return label


def notable_findings(result: CheckResult, limit: int | None = None) -> list[Finding]:
    """Findings a site owner must act on (warn and fail), not repeating the summary."""
    shown = [f for f in result.findings if f.severity is not Severity.INFO and f.message != result.summary]
    return shown[:limit] if limit is not None else shown


def needs_attention(result: CheckResult) -> bool:
    """Results a report lists in its findings section: everything but pass and not-applicable."""
    return result.status not in (Status.PASS, Status.SKIPPED)


def folded_checks(site: SiteReport) -> list[str]:
    """Checks whose `inconclusive` only repeats that the homepage could not be read (reachability
    failed or was inconclusive): reports fold them into one line instead of listing each."""
    reach = site.result("reachability")
    if reach is None or reach.status not in (Status.FAIL, Status.INCONCLUSIVE):
        return []
    return [r.check for r in site.results if r.check != "reachability" and r.status is Status.INCONCLUSIVE]


def evidence_text(evidence: Evidence) -> str:
    """A one-line account of the evidence: URL, HTTP status, failure, matched text."""
    parts: list[str] = []
    if evidence.url:
        parts.append(evidence.url)
    if evidence.final_url and evidence.final_url != evidence.url:
        parts.append(f"→ {evidence.final_url}")
    if evidence.http_status is not None:
        parts.append(f"HTTP {evidence.http_status}")
    if evidence.failure:
        parts.append(evidence.failure)
    if evidence.address:
        parts.append(evidence.address)
    if evidence.matched_text:
        parts.append(f"“{clip(evidence.matched_text, 80)}”")
    if evidence.link_text and evidence.link_text != evidence.matched_text:
        parts.append(f"链接“{clip(evidence.link_text, 40)}”")
    if evidence.detail:
        parts.append(clip(evidence.detail, 120))
    return " · ".join(parts)


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pass_rate(report: ScanReport, check_id: str) -> tuple[int, int]:
    """(passed, judged) for one check: judged results are pass, warn, fail and error (waived counts by
    what the check found); inconclusive, skipped and waived-without-verdict are left out."""
    judged = passed = 0
    for site in report.sites:
        result = site.result(check_id)
        if result is None:
            continue
        status = result.effective_status
        if status in (Status.PASS, Status.WARN, Status.FAIL, Status.ERROR):
            judged += 1
            passed += status is Status.PASS
    return passed, judged
