"""The terminal table: one row per site, one column per check, coloured statuses, then the problems."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from gkaudit.model import ScanReport, Status

STATUS_STYLES: dict[Status, str] = {
    Status.PASS: "bold green",
    Status.WARN: "bold yellow",
    Status.FAIL: "bold red",
    Status.INCONCLUSIVE: "magenta",
    Status.ERROR: "bold white on red",
    Status.SKIPPED: "dim",
    Status.WAIVED: "cyan",
}
KIND_LABELS = {"portal": "门户", "district": "区", "new_area": "新区", "department": "部门"}


def status_text(status: Status) -> Text:
    return Text(status.label_zh, style=STATUS_STYLES[status])


def check_titles(report: ScanReport) -> dict[str, str]:
    """Check id -> its Chinese title, as the results carry it."""
    titles: dict[str, str] = {}
    for site in report.sites:
        for result in site.results:
            titles.setdefault(result.check, result.title.split(" / ")[0])
    return titles


def build_table(report: ScanReport) -> Table:
    check_ids = report.scanner.checks
    titles = check_titles(report)
    table = Table(title=f"gkaudit 检查结果（判定日期 {report.scanner.now}）", header_style="bold",
                  show_lines=False)
    table.add_column("站点", no_wrap=True)
    table.add_column("id", no_wrap=True, style="dim")
    table.add_column("类型", no_wrap=True)
    for check_id in check_ids:
        table.add_column(Text.assemble(titles.get(check_id, check_id), "\n", (check_id, "dim")), no_wrap=True)
    for site in report.sites:
        # Text, not markup: a site name from targets.yaml may contain brackets.
        cells: list[Text] = [Text(site.name), Text(site.id), Text(KIND_LABELS.get(site.kind, site.kind))]
        for check_id in check_ids:
            result = site.result(check_id)
            cells.append(status_text(result.status) if result else Text("-", style="dim"))
        table.add_row(*cells)
    return table


def legend(report: ScanReport) -> Text:
    """Which Chinese label is which JSON status, for the statuses the table shows."""
    shown = [Status(key) for key, count in (report.totals or report.count_statuses()).items() if count]
    text = Text("图例 / legend: ", style="dim")
    for index, status in enumerate(shown):
        text.append("  " if index else "")
        text.append(status.label_zh, style=STATUS_STYLES[status])
        text.append(f"={status.value}", style="dim")
    return text


def build_problems(report: ScanReport, limit_per_result: int = 3) -> Group:
    """A short list: for every result that is not pass/skipped, its summary and first findings.

    When the homepage itself could not be read, the other checks' `inconclusive` results repeat
    that reason; they are folded into one line under the reachability result.
    """
    lines: list[Text] = []
    for site in report.sites:
        reach = site.result("reachability")
        unreadable = reach is not None and reach.status in (Status.FAIL, Status.INCONCLUSIVE)
        folded: list[str] = []
        for result in site.results:
            if result.status in (Status.PASS, Status.SKIPPED):
                continue
            if unreadable and result.check != "reachability" and result.status is Status.INCONCLUSIVE:
                folded.append(result.check)
                continue
            lines.append(Text.assemble((f"[{site.name}] ", "bold"), f"{result.check}: ",
                                       (result.status.label_zh, STATUS_STYLES[result.status]),
                                       f" — {result.summary}"))
            shown = [f for f in result.findings
                     if f.severity.value != "info" and f.message != result.summary][:limit_per_result]
            for found in shown:
                where = found.evidence.url or ""
                lines.append(Text(f"    · {found.message}" + (f"  ({where})" if where else ""), style="dim"))
        if folded:
            lines.append(Text(f"    · 首页无法读取，{'、'.join(folded)} 同样无法判定", style="dim"))
    return Group(*lines)


def summary_line(report: ScanReport) -> Text:
    totals = report.totals or report.count_statuses()
    text = Text(f"{len(report.sites)} 个站点，")
    parts = [(Status(key), count) for key, count in totals.items() if count]
    for index, (status, count) in enumerate(parts):
        if index:
            text.append("，")
        text.append(f"{status.label_zh} {count}", style=STATUS_STYLES[status])
    if report.interrupted:
        shown = "、".join(report.unfinished[:10]) + ("…" if len(report.unfinished) > 10 else "")
        text.append(f"\n扫描被中断 / interrupted：{len(report.unfinished)} 个站点未完成 / unfinished"
                    + (f"：{shown}" if shown else ""), style="bold yellow")
    if report.scanner.online is False:
        text.append(f"\n扫描机网络不可用：{report.scanner.online_reason}", style="bold red")
    if report.scanner.ipv6_usable is False:
        text.append(f"\nIPv6 测量无法判定：{report.scanner.ipv6_reason}", style="magenta")
    return text


def render_table(report: ScanReport, width: int | None = None, color: bool = False) -> str:
    """Render to a string (the CLI prints it); `color` keeps ANSI styles."""
    console = Console(width=width or 160, record=True, force_terminal=color,
                      color_system="auto" if color else None, file=io.StringIO())
    console.print(build_table(report))
    console.print(legend(report))
    problems = build_problems(report)
    if problems.renderables:
        console.print(Text("问题摘要 / findings", style="bold underline"))
        console.print(problems)
    console.print(summary_line(report))
    return console.export_text(styles=color)
