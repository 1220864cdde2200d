"""The year-end HTML report: one self-contained file (inline CSS and SVG, no script, no network resource).

Chinese first: summary figures, the site × check grid, results per check, the trend over earlier
reports, the comparison with a baseline, then each site's findings with evidence, rule and fix.
Prints on A4. Only http(s) evidence URLs become links; every text is escaped.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from gkaudit.model import CheckResult, ScanReport, SiteReport, Status
from gkaudit.report.diff import KIND_LABELS_ZH, ReportDiff, headline
from gkaudit.report.facts import (
    KIND_LABELS,
    check_order,
    check_titles,
    evidence_text,
    folded_checks,
    needs_attention,
    notable_findings,
    pass_rate,
    status_label,
)
from gkaudit.report.html_style import CSS
from gkaudit.report.svg import Series, StackedRow, line_chart, stacked_bars

STATUS_NOTES = {
    Status.PASS: "符合要求，有证据", Status.WARN: "存在不足（非否决项），或未达 gkaudit 默认阈值",
    Status.FAIL: "不符合要求", Status.INCONCLUSIVE: "无法判定，原因见说明（反爬虫网关、脚本页面、扫描机无 IPv6 等）",
    Status.ERROR: "检查程序自身出错", Status.SKIPPED: "不适用于此类站点", Status.WAIVED: "已登记豁免，括号内为实际检查结果",
}


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _link(url: str | None, text: str | None = None) -> str:
    """An <a> for http(s) URLs only (evidence comes from untrusted pages), else the escaped text."""
    if not url:
        return ""
    if urlsplit(url).scheme not in ("http", "https"):
        return _e(text or url)
    return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(text or url)}</a>'


def _anchor(site: SiteReport, check: str | None = None) -> str:
    return f"site-{site.id}" + (f"-{check}" if check else "")


def _badge(result: CheckResult) -> str:
    return f'<span class="badge s-{result.status.value}">{_e(status_label(result))}</span>'


def render_html(report: ScanReport, history: list[ScanReport] | None = None,
                diff: ReportDiff | None = None) -> str:
    """The whole page; `history` are earlier reports for the trend chart (any order), `diff` a baseline."""
    titles = check_titles(report)
    order = check_order(report)
    body = [
        _header(report),
        _figures(report),
        _grid(report, order, titles),
        _per_check(report, order, titles),
        _trend(report, history or [], order, titles),
        _diff(diff) if diff is not None else "",
        _sites(report),
        _notes(report, order, titles),
        f'<footer>gkaudit {_e(report.tool.version)} · schema {_e(report.schema_version)} · 扫描时间 '
        f'{_e(report.started_at.isoformat(timespec="seconds"))} — {_e(report.finished_at.isoformat(timespec="seconds"))}'
        "</footer>",
    ]
    title = f"政府网站政务公开检查报告（{report.scanner.now}）"
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">\n"
            f"<link rel=\"icon\" href=\"data:,\">\n<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n"
            "<body>\n<main>\n" + "\n".join(part for part in body if part) + "\n</main>\n</body>\n</html>\n")


def _header(report: ScanReport) -> str:
    scanner = report.scanner
    facts = [f"判定日期 {scanner.now}", f"站点 {len(report.sites)} 个", f"解析器 {scanner.resolver}"]
    if scanner.ipv6_usable is False:
        facts.append(f"IPv6 测量无法判定：{scanner.ipv6_reason}")
    warning = ""
    if scanner.online is False:
        warning = f'<p class="s-fail">扫描机网络不可用，结果均无法判定：{_e(scanner.online_reason or "")}</p>'
    return (f"<header><h1>政府网站政务公开检查报告</h1><p class=\"en\">Government website disclosure audit report"
            f"</p><p class=\"meta\">{' · '.join(_e(f) for f in facts)}</p>{warning}</header>")


def _figures(report: ScanReport) -> str:
    totals = report.totals or report.count_statuses()
    judged = sum(totals.get(s, 0) for s in ("pass", "warn", "fail", "error"))
    rate = f"{totals.get('pass', 0) / judged:.0%}" if judged else "—"
    failing_sites = sum(any(r.status in (Status.FAIL, Status.ERROR) for r in s.results) for s in report.sites)
    cards = [("", str(len(report.sites)), "站点 sites"), ("pass", rate, "通过率 pass rate"),
             ("fail", str(failing_sites), "有不合格项的站点 sites failing")]
    cards += [(s.value, str(totals.get(s.value, 0)), f"{s.label_zh} {s.value}")
              for s in Status if totals.get(s.value, 0) or s in (Status.FAIL, Status.WARN)]
    items = "".join(f'<div class="figure {cls}"><div class="value">{_e(v)}</div><div class="label">{_e(label)}'
                    "</div></div>" for cls, v, label in cards)
    return f'<section><h2>概况<span class="en">Summary</span></h2><div class="figures">{items}</div></section>'


def _grid(report: ScanReport, order: list[str], titles: dict[str, str]) -> str:
    head = "".join(f"<th>{_e(titles[c])}<small>{_e(c)}</small></th>" for c in order)
    rows = []
    for site in report.sites:
        cells = []
        for check in order:
            result = site.result(check)
            if result is None:
                cells.append('<td class="cell">–</td>')
                continue
            inner = _e(status_label(result))
            if needs_attention(result):
                inner = f'<a href="#{_anchor(site, check)}">{inner}</a>'
            cells.append(f'<td class="cell s-{result.status.value}" title="{_e(result.summary)}">{inner}</td>')
        rows.append(f'<tr><td><a href="#{_anchor(site)}">{_e(site.name)}</a><small>{_e(site.id)}</small></td>'
                    f"<td>{_e(KIND_LABELS.get(site.kind, site.kind))}</td>{''.join(cells)}</tr>")
    return ('<section><h2>总览<span class="en">Sites × checks</span></h2><table class="grid"><thead><tr>'
            f"<th>站点</th><th>类型</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>")


def _per_check(report: ScanReport, order: list[str], titles: dict[str, str]) -> str:
    rows = []
    for check in order:
        counts: dict[str, int] = {}
        for site in report.sites:
            if (result := site.result(check)) is not None:
                counts[result.status.value] = counts.get(result.status.value, 0) + 1
        passed, judged = pass_rate(report, check)
        note = f"通过率 {passed / judged:.0%}" if judged else "无可判定结果"
        rows.append(StackedRow(label=titles[check], counts=counts, note=note))
    return ('<section><h2>各检查项结果<span class="en">Results per check</span></h2>'
            f"{stacked_bars(rows)}<p class=\"meta\">通过率 = 通过 ÷（通过 + 警告 + 不合格 + 检查出错）；"
            "无法判定、不适用不计入；豁免按实际检查结果计。</p></section>")


def _trend(report: ScanReport, history: list[ScanReport], order: list[str], titles: dict[str, str]) -> str:
    if not history:
        return ""
    reports = sorted([*history, report], key=lambda r: (r.scanner.now, r.started_at))
    labels = [str(r.scanner.now) for r in reports]

    def rate(r: ScanReport, checks: list[str]) -> float | None:
        pairs = [pass_rate(r, c) for c in checks]
        judged = sum(j for _, j in pairs)
        return sum(p for p, _ in pairs) / judged if judged else None

    series = [Series("总体 overall", [rate(r, order) for r in reports])]
    series += [Series(titles[c], [rate(r, [c]) for r in reports]) for c in order]
    rows = "".join(f"<tr><td>{_e(lbl)}</td><td>{len(r.sites)}</td>"
                   + "".join(f"<td>{(r.totals or r.count_statuses()).get(s, 0)}</td>" for s in ("pass", "warn", "fail"))
                   + "</tr>" for lbl, r in zip(labels, reports, strict=True))
    return ('<section><h2>趋势<span class="en">Trend</span></h2>' + line_chart(labels, series)
            + "<table><thead><tr><th>判定日期</th><th>站点</th><th>通过</th><th>警告</th><th>不合格</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>")


def _diff(diff: ReportDiff) -> str:
    rows = "".join(f"<tr><td>{_e(KIND_LABELS_ZH[c.kind])}</td><td>{_e(c.site_name)}<small>{_e(c.site)}</small></td>"
                   f"<td>{_e(c.check)}</td><td>{_e(c.old.label_zh if c.old else '（无）')}</td>"
                   f"<td>{_e(c.new.label_zh)}</td></tr>" for kind in KIND_LABELS_ZH for c in diff.of_kind(kind))
    table = (f'<table class="diff"><thead><tr><th>变化</th><th>站点</th><th>检查</th><th>之前</th><th>现在</th>'
             f"</tr></thead><tbody>{rows}</tbody></table>") if rows else ""
    sites = "".join(f"<p>{title}：{_e('、'.join(f'{s.name} ({s.id})' for s in group))}</p>"
                    for title, group in (("新增站点", diff.new_sites), ("移除站点", diff.removed_sites)) if group)
    return (f'<section><h2>与基线对比<span class="en">Compared with the baseline</span></h2><p>{_e(headline(diff))}'
            f"</p>{table}{sites}</section>")


def _sites(report: ScanReport) -> str:
    parts = ['<section><h2>各站点问题与整改<span class="en">Findings and fixes per site</span></h2>']
    for site in report.sites:
        folded = folded_checks(site)
        results = [r for r in site.results if needs_attention(r) and r.check not in folded]
        parts.append(f'<article class="site" id="{_anchor(site)}"><h3>{_e(site.name)}<span class="en">'
                     f"{_e(site.id)}</span></h3><p class=\"meta\">{_link(site.url)}</p>")
        if folded:
            parts.append(f"<p class=\"meta\">首页无法读取，{_e('、'.join(folded))} 同样无法判定。</p>")
        if not results and not folded:
            parts.append('<p class="meta">各项检查均通过或不适用。</p>')
        for result in results:
            parts.append(_result(site, result))
        for check in folded:
            parts.append(f'<span id="{_anchor(site, check)}"></span>')
        parts.append("</article>")
    parts.append("</section>")
    return "".join(parts)


def _result(site: SiteReport, result: CheckResult) -> str:
    items = []
    for found in notable_findings(result):
        lines = [f"<div>{_e(found.message)}</div>"]
        if evidence := evidence_text(found.evidence):
            url = found.evidence.url
            shown = evidence.replace(url, "", 1).lstrip(" ·") if url and evidence.startswith(url) else evidence
            link = _link(url)
            lines.append(f'<div class="evidence">{link}{" · " if link and shown else ""}{_e(shown)}</div>')
        if found.fix:
            lines.append(f'<div class="fix">{_e(found.fix)}</div>')
        if found.rule:
            lines.append(f'<div class="rule">{_e(found.rule)}</div>')
        items.append(f"<li>{''.join(lines)}</li>")
    findings = f'<ul class="findings">{"".join(items)}</ul>' if items else ""
    return (f'<div class="result s-{result.status.value}" id="{_anchor(site, result.check)}">'
            f"<div><strong>{_e(result.title.split(' / ')[0])}</strong> <code>{_e(result.check)}</code> "
            f"{_badge(result)}</div><p class=\"summary\">{_e(result.summary)}</p>{findings}"
            f'<div class="rule">{_e(result.basis)}</div></div>')


def _notes(report: ScanReport, order: list[str], titles: dict[str, str]) -> str:
    statuses = "".join(f'<tr><td><span class="badge s-{s.value}">{_e(s.label_zh)}</span> <code>{s.value}</code></td>'
                       f"<td>{_e(STATUS_NOTES[s])}</td></tr>" for s in Status)
    bases: dict[str, str] = {}
    for site in report.sites:
        for result in site.results:
            bases.setdefault(result.check, result.basis)
    checks = "".join(f"<tr><td>{_e(titles[c])} <code>{_e(c)}</code></td><td>{_e(bases.get(c, ''))}</td></tr>"
                     for c in order)
    return ('<section><h2>说明<span class="en">Notes</span></h2><table><thead><tr><th>状态</th><th>含义</th></tr>'
            f"</thead><tbody>{statuses}</tbody></table><h3>检查项与依据</h3><table><thead><tr><th>检查项</th>"
            f"<th>依据</th></tr></thead><tbody>{checks}</tbody></table>"
            "<p class=\"meta\">依据的文号、条款与阈值见 gkaudit rules（规则说明 RULES.md）。</p></section>")
