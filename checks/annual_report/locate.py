"""Find the annual reports of a site: the disclosure column's 年报 sub-column, its list, the reports by year.

The names, slugs, title and year patterns and the deadline rules are the disclosure check's own
(checks/disclosure: `vocabulary.COLUMN`/`REPORT`, `judge.candidates_for`, `judge.report_years`);
this module walks the same path as the disclosure audit, without its findings: the target's
`disclosure_url` or the homepage's best column link; one hop to the 政府信息公开 page it links when
that page shows more sub-columns (`judge.subcolumns_on`, the audit's own test); the 年报 link there,
else on the homepage; its list read with pagination through gkaudit.columns.read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from gkaudit.checks.disclosure import vocabulary
from gkaudit.checks.disclosure.judge import ReportYears, candidates_for, report_years, subcolumns_on
from gkaudit.columns.find import page_anchor_links
from gkaudit.columns.listing import is_home_url, looks_script_rendered
from gkaudit.columns.read import ColumnState, read_column, soft_404_reason
from gkaudit.context import SiteContext
from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Response
from gkaudit.net.page import Page
from gkaudit.net.render import Rendered


def report_deadline(year: int, is_government: bool) -> date:
    """The day the report for `year` is due (条例第四十九条: departments 31 January, governments 31 March)."""
    month, day = vocabulary.GOVERNMENT_DEADLINE if is_government else vocabulary.DEPARTMENT_DEADLINE
    return date(year + 1, month, day)


@dataclass
class ReportList:
    """Where the reports are listed and which years were found; `problem` set when the list was not read."""

    url: str | None = None
    years: ReportYears | None = None
    problem: str | None = None      # stable key: blocked, homepage_unreachable, no_column, no_report_column, …
    message: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)


async def _open(ctx: SiteContext, url: str, home: Response | None) -> Page | None:
    response = await ctx.fetch(url)
    if not response.ok or soft_404_reason(response, home):
        return None
    return response.page()


async def _report_link(ctx: SiteContext, column: Page | None, home_page: Page | None,
                       home: Response) -> tuple[str | None, str | None]:
    """The 年报 sub-column link, as the disclosure audit finds it: on the column page — or the 政府信息公开
    page it links, when that one shows more sub-columns (`subcolumns_on`) — else on the homepage."""
    known = {home.url, home.final_url}
    if column is not None and len(subcolumns_on(column)) < 2:
        for hop in candidates_for(vocabulary.COLUMN, page_anchor_links(column), min_score=100):
            if hop.url in known | {column.url} or is_home_url(hop.url, known | {column.url}):
                continue
            deeper = await _open(ctx, hop.url, home)
            if deeper is not None and len(subcolumns_on(deeper)) > len(subcolumns_on(column)):
                column = deeper
            break
    pages = [page for page in (column, home_page) if page is not None]
    known |= {page.url for page in pages}
    for page in pages:
        found = [c for c in candidates_for(vocabulary.REPORT, page_anchor_links(page)) if c.url not in known]
        if found:
            return found[0].url, found[0].text
    return None, None


async def locate_reports(ctx: SiteContext, max_list_pages: int) -> ReportList:
    """The annual-report list of the site and the reports in it by year, judged against `ctx.now`."""
    target, home = ctx.target, await ctx.homepage()
    if (not home.ok or home.content_problem) and not target.disclosure_url:
        problem = ("blocked" if home.failure is FailureKind.BLOCKED else
                   home.failure.value if home.failure and home.failure.undecidable else
                   "homepage_content" if home.content_problem else "homepage_unreachable")
        return ReportList(problem=problem, message=f"首页无法读取（{home.problem}）", evidence=home.evidence())
    home_page = home.page() if home.ok else None
    column_url = target.disclosure_url
    if column_url is None and home_page is not None:
        ranked = candidates_for(vocabulary.COLUMN, page_anchor_links(home_page), host=urlsplit(home.final_url).hostname)
        column_url = ranked[0].url if ranked else None
    column = await _open(ctx, column_url, home) if column_url else None
    url, text = await _report_link(ctx, column, home_page, home)
    if url is None and column is not None and looks_script_rendered(column) and ctx.renderer is not None \
            and ctx.renderer.mode != "never" and isinstance(rendered := await ctx.render(column.url), Rendered):
        column = rendered.page()  # a column whose menu a script builds: look again in the rendered DOM
        url, text = await _report_link(ctx, column, home_page, home)
    if url is None:
        scripted = [page for page in (column, home_page) if page is not None and looks_script_rendered(page)]
        if scripted or (column is None and home_page is None):
            where = scripted[0].url if scripted else column_url or home.url
            return ReportList(problem="script_only" if scripted else "column_unreadable",
                              message=f"页面由脚本生成或无法读取，读不到年报栏目的链接（{where}）", evidence={"url": where})
        return ReportList(problem="no_report_column", message="未找到政府信息公开年报栏目（由 disclosure 检查判定）",
                          evidence={"url": column_url or home.url})
    read = await read_column(ctx.fetch, url, home, max_pages=max_list_pages, render=ctx.renderer)
    if read.state is not ColumnState.OK:
        return ReportList(url, problem=f"report_column_{read.state.value}",
                          message=f"年报栏目{read.state.label_zh}：{read.reason}", evidence=read.evidence())
    years = report_years(read.items, ctx.now, target.kind.is_government)
    return ReportList(url, years, evidence={**read.evidence(), "link_text": text})
