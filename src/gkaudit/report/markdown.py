"""Markdown for CI job summaries and issue bodies: totals, a site × check table, then the problems."""

from __future__ import annotations

from gkaudit.model import CheckResult, ScanReport, Status
from gkaudit.report.diff import ReportDiff, render_diff_markdown
from gkaudit.report.facts import (
    KIND_LABELS,
    STATUS_MARKS,
    check_order,
    check_titles,
    evidence_text,
    folded_checks,
    needs_attention,
    notable_findings,
    status_label,
)


def _cell(text: str) -> str:
    """Text safe inside a table cell and as markdown: no pipes, no line breaks, no raw HTML (GitHub would
    render a `<meta …>` fix hint, or a tag a hostile page put in its evidence, as HTML)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    return " ".join(text.split())


def _legend(report: ScanReport) -> str:
    totals = report.totals or report.count_statuses()
    shown = [Status(key) for key, count in totals.items() if count]
    return " ".join(f"{STATUS_MARKS[s]} {s.label_zh} `{s.value}` {totals[s.value]}" for s in shown)


def render_markdown(report: ScanReport, diff: ReportDiff | None = None, limit_per_result: int = 5) -> str:
    titles = check_titles(report)
    order = check_order(report)
    lines = [f"## gkaudit 检查结果（判定日期 {report.scanner.now}）", "",
             f"{len(report.sites)} 个站点 / sites · {_legend(report)}", ""]
    if report.scanner.online is False:
        lines += [f"> **扫描机网络不可用 / scanner offline**：{_cell(report.scanner.online_reason or '')}", ""]
    if report.scanner.ipv6_usable is False:
        lines += [f"> IPv6 测量无法判定：{_cell(report.scanner.ipv6_reason or '')}", ""]
    if diff is not None:
        lines += [render_diff_markdown(diff), ""]
    lines.append("| 站点 | 类型 | " + " | ".join(f"{_cell(titles[c])}<br>`{c}`" for c in order) + " |")
    lines.append("|---|---|" + "---|" * len(order))
    for site in report.sites:
        cells = [f"{_cell(site.name)}<br>`{site.id}`", KIND_LABELS.get(site.kind, site.kind)]
        for check_id in order:
            result = site.result(check_id)
            cells.append(f"{STATUS_MARKS[result.status]} {status_label(result)}" if result else "–")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    problems = _problems(report, limit_per_result)
    if problems:
        lines += ["### 问题与整改 / findings and fixes", "", *problems]
    return "\n".join(lines).rstrip("\n") + "\n"


def _problems(report: ScanReport, limit: int) -> list[str]:
    lines: list[str] = []
    for site in report.sites:
        folded = folded_checks(site)
        results = [r for r in site.results if needs_attention(r) and r.check not in folded]
        if not results:
            continue
        lines += [f"#### {_cell(site.name)} (`{site.id}`) — {site.url}", ""]
        if folded:
            lines.append(f"- ❔ 首页无法读取，{'、'.join(f'`{c}`' for c in folded)} 同样无法判定")
        for result in results:
            lines.append(f"- {STATUS_MARKS[result.status]} **{_cell(titles_of(result))}** `{result.check}` "
                         f"{status_label(result)}：{_cell(result.summary)}")
            for found in notable_findings(result, limit):
                lines.append(f"  - {_cell(found.message)}")
                if evidence := evidence_text(found.evidence):
                    lines.append(f"    - 证据 / evidence：{_cell(evidence)}")
                if found.fix:
                    lines.append(f"    - 整改 / fix：{_cell(found.fix)}")
                if found.rule:
                    lines.append(f"    - 依据 / rule：{_cell(found.rule)}")
        lines.append("")
    return lines


def titles_of(result: CheckResult) -> str:
    """The Chinese half of a result's title."""
    return result.title.split(" / ")[0]
