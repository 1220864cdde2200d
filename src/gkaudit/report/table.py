"""The terminal table: one row per site, one column per check, coloured statuses, then the problems."""

from __future__ import annotations

import io

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from gkaudit.model import ScanReport, Status
from gkaudit.report.facts import KIND_LABELS, check_titles

STATUS_STYLES: dict[Status, str] = {
    Status.PASS: "bold green",
    Status.WARN: "bold yellow",
    Status.FAIL: "bold red",
    Status.INCONCLUSIVE: "magenta",
    Status.ERROR: "bold white on red",
    Status.SKIPPED: "dim",
    Status.WAIVED: "cyan",
}


def status_text(status: Status) -> Text:
    return Text(status.label_zh, style=STATUS_STYLES[status])


def build_table(report: ScanReport, layout: str = "full") -> Table:
    """The site × check grid. Layouts, widest first: `full` (check titles, id and kind columns), `titled`
    (check titles, no id/kind columns), `compact` (check ids as headers), `marks` (numbered checks, one
    symbol per status)."""
    check_ids = report.scanner.checks
    titles = check_titles(report)
    marks = layout == "marks"
    titled = layout in ("full", "titled")
    table = Table(header_style="bold",
                  show_lines=False, box=box.SIMPLE_HEAVY if titled else box.SIMPLE_HEAD,
                  padding=(0, 1) if titled else (0, 0, 0, 1), collapse_padding=True, show_edge=False)
    table.add_column("站点", no_wrap=True)
    if layout == "full":
        table.add_column("id", no_wrap=True, style="dim")
        table.add_column("类型", no_wrap=True)
    for number, check_id in enumerate(check_ids, 1):
        if titled:
            header: Text | str = Text.assemble(titles.get(check_id, check_id), "\n", (check_id, "dim"))
        else:
            header = str(number) if marks else check_id
        table.add_column(header, no_wrap=True, justify="center" if marks else "left")
    for site in report.sites:
        # Text, not markup: a site name from targets.yaml may contain brackets.
        cells: list[Text] = [Text(site.name)]
        if layout == "full":
            cells += [Text(site.id), Text(KIND_LABELS.get(site.kind, site.kind))]
        for check_id in check_ids:
            result = site.result(check_id)
            if result is None:
                cells.append(Text("-", style="dim"))
            else:
                cells.append(Text(SYMBOLS[result.status], style=STATUS_STYLES[result.status]) if marks
                             else status_text(result.status))
        table.add_row(*cells)
    return table


def title(report: ScanReport) -> str:
    return f"gkaudit 检查结果（判定日期 {report.scanner.now}）"


SYMBOLS: dict[Status, str] = {Status.PASS: "✓", Status.WARN: "!", Status.FAIL: "✗", Status.INCONCLUSIVE: "?",
                              Status.ERROR: "E", Status.SKIPPED: "-", Status.WAIVED: "W"}
LAYOUTS = ("full", "titled", "compact", "marks")


def natural_width(renderable: Table) -> int:
    """The width `renderable` takes when nothing wraps."""
    console = Console(width=2000, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return max((cell_len(line) for line in console.export_text().splitlines()), default=0)


def fitting_table(report: ScanReport, width: int) -> tuple[Table | None, str]:
    """The widest layout that fits `width` without wrapping, or (None, "list") when none does."""
    for layout in LAYOUTS:
        table = build_table(report, layout)
        if natural_width(table) <= width:
            return table, layout
    return None, "list"


def site_lines(report: ScanReport, width: int) -> list[Text]:
    """The narrowest layout: per site its name, then `check 状态` pairs filled into lines of `width`."""
    lines: list[Text] = []
    for site in report.sites:
        lines.append(Text(site.name, style="bold"))
        line = Text("  ")
        for result in site.results:
            piece = Text.assemble(f"{result.check} ", (result.status.label_zh, STATUS_STYLES[result.status]))
            if line.cell_len > 2 and line.cell_len + 2 + piece.cell_len > width:
                lines.append(line)
                line = Text("  ")
            if line.cell_len > 2:
                line.append("  ")
            line.append_text(piece)
        lines.append(line)
    return lines


def legend(report: ScanReport, symbols: bool = False) -> Text:
    """Which Chinese label (or symbol) is which JSON status, for the statuses the table shows."""
    shown = [Status(key) for key, count in (report.totals or report.count_statuses()).items() if count]
    text = Text("图例 / legend: ", style="dim")
    for index, status in enumerate(shown):
        text.append("  " if index else "")
        if symbols:
            text.append(f"{SYMBOLS[status]} ", style=STATUS_STYLES[status])
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
                if found.fix and found.fix not in found.message:  # the message may carry its 整改 already
                    lines.append(Text(f"      整改：{found.fix}", style="green"))
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
    """Render to a string of lines no wider than `width` (default 120); `color` keeps ANSI styles.

    The grid takes the widest layout that fits; when none does, one block per site instead.
    """
    width = max(width or 120, 20)
    console = Console(width=width, record=True, force_terminal=color, color_system="auto" if color else None,
                      file=io.StringIO(), no_color=not color)
    table, layout = fitting_table(report, width)
    console.print(Text(title(report), style="bold"))
    if table is not None:
        console.print(table)
    else:
        for line in site_lines(report, width):
            console.print(line)
    if layout == "marks":
        console.print(Text("  ".join(f"{n}={c}" for n, c in enumerate(report.scanner.checks, 1)), style="dim"))
    console.print(legend(report, symbols=layout == "marks"))
    problems = build_problems(report)
    if problems.renderables:
        console.print(Text("问题摘要 / findings", style="bold underline"))
        console.print(problems)
    console.print(summary_line(report))
    return console.export_text(styles=color)
