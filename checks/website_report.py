"""website_report: the yearly 政府网站工作年度报表 for last year is published on the homepage by 31 January.

Basis: 国办函〔2018〕12号 (政府网站与政务新媒体工作年度报表). See RULES.md §7.

Semantics:
- Where: links on the homepage whose text names the report (…网站工作年度报表, 网站年度报表, 年度工作报表);
  a homepage link to a 年度报表/网站年报 column, and the disclosure column page (one hop), are read too; so is a
  text-less banner link whose URL names the column (`?id=wzgzndbg`, `/wzndbb/`), since its image may say it.
  Titles are matched by `REPORT_TITLE`; 统计/财务/决算 报表 are not it. A report's year is the 年 in its title.
- Due year: on `--now` date N in year Y, the report for Y-1 after 31 January of Y (`deadline`, month and
  day), else the one for Y-2.
- The due report's page must answer (< 400).
- Verdict: `pass` when the due year's report is found and opens; `fail` when only older years are found,
  when the due report's page is dead, or when none is found on a readable homepage with at least
  `min_homepage_links` links; `inconclusive` when the homepage or a column that may hold it cannot be read
  (anti-bot gateway, script-only list), or the navigation is too thin to trust.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from gkaudit.check import Check, CheckSettings, finding
from gkaudit.checks.disclosure import vocabulary as disclosure_data
from gkaudit.columns.find import image_anchor_links, page_anchor_links, rank_links
from gkaudit.columns.items import list_items
from gkaudit.columns.read import read_column
from gkaudit.context import SiteContext
from gkaudit.model import CheckResult, Status
from gkaudit.net.page import Link, Page

BASIS = "国办函〔2018〕12号（政府网站工作年度报表）"
RULE = "国办函〔2018〕12号：每年1月31日前在网站首页公开上一年度政府网站工作年度报表"
REPORT_TITLE = re.compile(r"网站.{0,16}(?:年度)?(?:工作)?(?:年度)?报表|政务新媒体.{0,10}报表")
NOT_REPORT = re.compile(r"统计(?!局)|财务|决算|预算|信息公开.{0,6}年度报告")  # 统计局 is an issuer, not a 统计报表
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
COLUMN_NAMES = ("网站年度报表", "年度报表", "网站年报", "政府网站年度报表", "网站工作年度报表")
COLUMN_SLUGS = ("ndbb", "wzndbb", "wznb", "zfwzndbb", "wzgzndbg")  # wzgzndbg: TRS id on 南京市统计局's homepage


class WebsiteReportSettings(CheckSettings):
    deadline: tuple[int, int] = (1, 31)
    """(month, day) by which last year's report must be online (国办函〔2018〕12号)."""
    min_homepage_links: int = 20
    """*gkaudit default*: fewer homepage links and a missing report is not trusted (inconclusive)."""


def report_year(title: str) -> int | None:
    if not REPORT_TITLE.search(title) or NOT_REPORT.search(title):
        return None
    match = YEAR.search(title)
    return int(match.group(1)) if match else None


def due_year(now: date, deadline: tuple[int, int]) -> int:
    return now.year - 1 if now > date(now.year, *deadline) else now.year - 2


def _untitled(page: Page) -> list[Link]:
    """Anchors with no text (banner images whose alt is a file name): only their URL can name the column."""
    return [link for link in page_anchor_links(page) if not link.label.strip()]


def _reports(page: Page, now: date | None = None) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    titles = [(link.url, link.label) for link in [*page.links, *image_anchor_links(page)]]
    titles += [(item.url, item.title) for item in list_items(page, now=now)]
    for url, title in titles:
        year = report_year(title)
        if year is not None and url not in found:
            found[url] = {"title": title, "url": url, "year": year, "listed_on": page.url}
    return list(found.values())


class WebsiteReport(Check):
    id = "website_report"
    title_zh = "网站工作年度报表"
    title_en = "Yearly website work report"
    basis = BASIS
    rules_section = "§7"
    description = __doc__ or ""
    Settings = WebsiteReportSettings

    async def run(self, ctx: SiteContext) -> CheckResult:
        settings: WebsiteReportSettings = ctx.settings  # type: ignore[assignment]
        home = await ctx.homepage()
        if not home.ok:
            return self.homepage_unreadable(home)
        page = home.page()
        due = due_year(ctx.now, settings.deadline)
        reports = _reports(page, ctx.now)
        unread: list[str] = []
        looked = [home.url]
        columns = rank_links(page_anchor_links(page), COLUMN_NAMES, COLUMN_SLUGS, 60)[:1]
        columns += [c for c in rank_links(_untitled(page), (), COLUMN_SLUGS, 40) if c.url not in
                    {x.url for x in columns}][:1]
        disclosure = rank_links(page_anchor_links(page), disclosure_data.COLUMN.names,
                                disclosure_data.COLUMN.slugs, 60)[:1]
        if not any(r["year"] >= due for r in reports):
            for candidate in [*columns, *disclosure]:
                read = await read_column(ctx.fetch, candidate.url, home, now=ctx.now, render=ctx.renderer)
                looked.append(candidate.url)
                if not read.state.decided:
                    unread.append(f"{candidate.text}：{read.reason}")
                if read.page is not None:
                    reports += [r for r in _reports(read.page, ctx.now) if r["url"] not in {x["url"] for x in reports}]
                reports += [{"title": i.title, "url": i.url, "year": y, "listed_on": candidate.url}
                            for i in read.items if (y := report_year(i.title)) is not None
                            and i.url not in {x["url"] for x in reports}]
        reports.sort(key=lambda r: r["year"], reverse=True)
        deadline = date(due + 1, *settings.deadline).isoformat()
        metrics: dict[str, Any] = {"due_year": due, "deadline": deadline, "reports": reports, "looked_at": looked}
        current = [r for r in reports if r["year"] >= due]
        if current:
            report = current[0]
            response = await ctx.fetch(report["url"])
            metrics["latest"] = {**report, "status": response.status}
            if not response.ok and response.failure is not None and response.failure.value == "blocked":
                metrics["reason"] = "blocked"
                return self.result(Status.INCONCLUSIVE, "报表页面被反爬虫网关拦截",
                                   [finding("info", "报表页面被反爬虫网关拦截", **response.evidence())], metrics)
            if not response.ok:
                return self.result(Status.FAIL, f"{report['year']} 年度网站工作年度报表无法打开",
                                   [finding("fail", f"“{report['title']}”无法打开（{response.problem}）。整改：修复报表链接。",
                                            rule=RULE, **response.evidence())], metrics)
            return self.result(Status.PASS, f"已公开 {report['year']} 年度网站工作年度报表",
                               [finding("info", f"已公开“{report['title']}”", url=report["url"],
                                        link_text=report["title"])], metrics)
        if unread:
            metrics["reason"] = "column_unreadable"
            return self.result(Status.INCONCLUSIVE, "可能刊载报表的栏目无法读取：" + "；".join(unread),
                               [finding("info", "栏目无法读取：" + "；".join(unread), url=looked[-1])], metrics)
        if reports:
            latest = reports[0]
            return self.result(Status.FAIL, f"未公开 {due} 年度网站工作年度报表（最新为 {latest['year']} 年度）",
                               [finding("fail", f"{deadline} 前应公开 {due} 年度政府网站工作年度报表，最新仅见"
                                        f"“{latest['title']}”。整改：在首页公开上一年度报表。", rule=RULE,
                                        url=latest["url"], data=latest)], metrics)
        if len(page.links) < settings.min_homepage_links:
            metrics["reason"] = "navigation_unreadable"
            return self.result(Status.INCONCLUSIVE, "首页链接过少，无法确认是否公开网站工作年度报表",
                               [finding("info", f"首页仅有 {len(page.links)} 个链接", url=home.url)], metrics)
        return self.result(Status.FAIL, f"首页未见 {due} 年度网站工作年度报表",
                           [finding("fail", f"首页及相关栏目未找到政府网站工作年度报表（应于 {deadline} 前公开 {due} 年度）。"
                                    "整改：在首页显著位置公开上一年度报表。", rule=RULE, **home.evidence())], metrics)
