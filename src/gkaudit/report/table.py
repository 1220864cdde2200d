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
    return Text(f"{status.label_zh} {status.value}", style=STATUS_STYLES[status])


def build_table(report: ScanReport) -> Table:
    check_ids = report.scanner.checks
    table = Table(title=f"gkaudit 检查结果（判定日期 {report.scanner.now}）", header_style="bold",
                  show_lines=False)
    table.add_column("站点 site", no_wrap=True)
    table.add_column("类型", no_wrap=True)
    for check_id in check_ids:
        table.add_column(check_id, no_wrap=True)
    for site in report.sites:
        # Text, not markup: a site name from targets.yaml may contain brackets.
        cells: list[Text | str] = [Text.assemble(site.name, "\n", (site.id, "dim")),
                                   Text(KIND_LABELS.get(site.kind, site.kind))]
        for check_id in check_ids:
            result = site.result(check_id)
            cells.append(status_text(result.status) if result else Text("-", style="dim"))
        table.add_row(*cells)
    return table


def build_problems(report: ScanReport, limit_per_result: int = 3) -> Group:
    """A short list: for every result that is not pass/skipped, its summary and first findings."""
    lines: list[Text] = []
    for site in report.sites:
        for result in site.results:
            if result.status in (Status.PASS, Status.SKIPPED):
                continue
            line = Text()
            line.append(f"[{site.name}] ", style="bold")
            line.append(f"{result.check}: ")
            line.append(result.status.label_zh, style=STATUS_STYLES[result.status])
            line.append(f" — {result.summary}")
            lines.append(line)
            shown = [f for f in result.findings if f.severity.value != "info"][:limit_per_result]
            for found in shown:
                where = found.evidence.url or ""
                lines.append(Text(f"    · {found.message}" + (f"  ({where})" if where else ""), style="dim"))
    return Group(*lines)


def summary_line(report: ScanReport) -> Text:
    totals = report.totals or report.count_statuses()
    text = Text(f"{len(report.sites)} 个站点，")
    parts = [(Status(key), count) for key, count in totals.items() if count]
    for index, (status, count) in enumerate(parts):
        if index:
            text.append("，")
        text.append(f"{status.label_zh} {count}", style=STATUS_STYLES[status])
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
    problems = build_problems(report)
    if problems.renderables:
        console.print(Text("问题摘要 / findings", style="bold underline"))
        console.print(problems)
    console.print(summary_line(report))
    return console.export_text(styles=color)
