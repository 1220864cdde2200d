"""Annual reports in the disclosure column (条例第四十九条): which years are listed, whether the due one is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gkaudit.checks.disclosure import vocabulary as data
from gkaudit.checks.disclosure.judge import report_year, report_years
from gkaudit.columns.items import ListItem
from gkaudit.columns.read import ColumnRead
from gkaudit.net.page import Page

if TYPE_CHECKING:
    from gkaudit.checks.disclosure.audit import DisclosureAudit


def annual_reports(audit: DisclosureAudit, read: ColumnRead, link_text: str) -> None:
    """The annual-report findings of a readable 年报 column (条例第四十九条): the due year present or not."""
    now, is_gov = audit.ctx.now, audit.ctx.target.kind.is_government
    years = report_years(read.items, now, is_gov)
    page = read.page
    if not years.by_year and page is not None:  # the column is itself one report
        if (year := report_year(page.meta("ArticleTitle") or page.title)) is not None:
            years.by_year[year] = next(iter(read.items), None) or _as_item(page)
    audit.metrics.update(report_years=years.years, latest_report_year=years.latest,
                        report_due_year=years.due_year, report_deadline=years.deadline.isoformat())
    who = "县级以上人民政府" if is_gov else "政府部门"
    due_item = years.by_year.get(years.due_year)
    evidence = {"url": read.response.final_url, "http_status": read.response.status, "link_text": link_text,
                "data": {"years": years.years, "latest": years.latest, "due_year": years.due_year,
                         "deadline": years.deadline.isoformat(), "kind": audit.ctx.target.kind.value}}
    if due_item is not None:
        evidence["matched_text"] = due_item.title
        audit.add("info", f"年报齐全：已公布 {years.due_year} 年度报告（{who}应于 {years.deadline.isoformat()} 前公布），"
                         f"找到年份 {_years_text(years.years)}", data.RULE_REPORT, **evidence)
    else:
        titles = [item.title for item in read.items[:5]]
        evidence["data"]["titles_seen"] = titles
        found = f"找到年份 {_years_text(years.years)}" if years.years else "未识别出任何年度报告"
        audit.add("fail", f"未见 {years.due_year} 年度政府信息公开工作年度报告（{who}应于 "
                         f"{years.deadline.isoformat()} 前公布）；{found}", data.RULE_REPORT, **evidence)
    upcoming = years.due_year + 1
    if upcoming < now.year and upcoming not in years.by_year:
        audit.add("info", f"{upcoming} 年度报告尚未到期（截止 {years.deadline.year + 1}-"
                         f"{years.deadline.month:02d}-{years.deadline.day:02d}）", data.RULE_REPORT,
                 url=read.response.final_url, http_status=read.response.status, link_text=link_text)



def _years_text(years: list[int]) -> str:
    return "、".join(str(y) for y in years) if years else "无"


def _as_item(page: Page) -> ListItem:
    return ListItem(page.meta("ArticleTitle") or page.title, page.url, None)
