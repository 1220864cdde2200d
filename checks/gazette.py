"""gazette: the municipal government publishes its 政府公报 online, issue by issue, with contents.

Basis: 宁政办发〔2021〕20号 item 10; 国务院办公厅 2018年4月 notice on 政府公报 (province-level governments and
设区的市 publish one; other cities and counties may). See RULES.md §7.

Semantics:
- Applies to the municipal portal only (`portal`); districts, new areas and departments are `skipped`.
- The column (政府公报, 市政府公报, 公报; slug zfgb/gb) is found on the homepage, then on the disclosure
  column page (one hop from the homepage), and read with the shared column reader (pagination,
  script lists read through known endpoints).
- Issues are the column's entries; an issue's year is the 年 in its title (2026年第10期), else its date.
- The newest `toc_issues` issues are opened: each has a table of contents when it lists at least
  `min_toc_entries` article links; an issue link answering 404/410 warns. An issue given only as a PDF is reported (info): its contents are
  not judged.
- Verdict: `fail` when no 公报 column is found on a readable homepage (at least `min_homepage_links`
  links), when the column is dead / a soft 404 / blank, or when no issue of the current year is listed
  (from `grace_days` after 1 January; before that last year's counts). `warn` when an opened issue has
  no table of contents or does not open. `inconclusive` when the homepage or the column cannot be read (anti-bot gateway,
  script-only list) or the homepage shows too few links to trust its navigation.
"""

from __future__ import annotations

import re
from datetime import date

from gkaudit.check import Check, CheckSettings, finding, status_from_findings
from gkaudit.checks.disclosure import vocabulary as disclosure_data
from gkaudit.columns.find import Candidate, image_anchor_links, is_column_url, page_anchor_links, rank_links
from gkaudit.columns.items import ListItem, list_items
from gkaudit.columns.read import ColumnState, read_column
from gkaudit.context import SiteContext
from gkaudit.model import CheckResult, Status
from gkaudit.net.http import Response
from gkaudit.targets import SiteKind

BASIS = "宁政办发〔2021〕20号 第10项；国务院办公厅关于政府公报工作的通知（2018年4月）"
RULE = "设区的市人民政府应当出版政府公报，并在政府网站开设政府公报栏目，提供各期目录与全文"
NAMES = ("政府公报", "市政府公报", "人民政府公报", "公报")
SLUGS = ("zfgb", "szfgb", "gb", "gongbao")
EXCLUDE = ("统计公报", "公报解读", "环境状况公报", "水资源公报")
ISSUE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
ISSUE_NUMBER = re.compile(r"第\s*(\d{1,3})\s*期")


class GazetteSettings(CheckSettings):
    grace_days: int = 60
    """*gkaudit default*: days into a year before an issue of that year is expected."""
    min_toc_entries: int = 2
    toc_issues: int = 3
    """The newest issues whose contents page is opened (each without contents warns)."""
    min_homepage_links: int = 20
    """*gkaudit default*: fewer homepage links than this and a missing column is not trusted (inconclusive)."""
    max_list_pages: int = 2


def issue_year(item: ListItem) -> int | None:
    match = ISSUE_YEAR.search(item.title)
    if match:
        return int(match.group(1))
    return item.date.year if item.date else None


def _issue_key(item: ListItem) -> tuple[int, int, date]:
    number = ISSUE_NUMBER.search(item.title)
    return (issue_year(item) or 0, int(number.group(1)) if number else 0, item.date or date.min)


def _candidate(page_links: list, exclude: tuple[str, ...] = EXCLUDE) -> Candidate | None:
    for candidate in rank_links(page_links, NAMES, SLUGS, 60):
        if not any(word in candidate.text for word in exclude):
            return candidate
    return None


class Gazette(Check):
    id = "gazette"
    title_zh = "政府公报"
    title_en = "Government gazette"
    basis = BASIS
    rules_section = "§7"
    description = __doc__ or ""
    applies_to = frozenset({SiteKind.PORTAL})
    Settings = GazetteSettings

    async def run(self, ctx: SiteContext) -> CheckResult:
        settings: GazetteSettings = ctx.settings  # type: ignore[assignment]
        home = await ctx.homepage()
        if not home.ok:
            return self.homepage_unreadable(home)
        page = home.page()
        column = _candidate(page_anchor_links(page) + image_anchor_links(page)) or await self._via_disclosure(ctx, page)
        if column is None:
            if len(page.links) < settings.min_homepage_links:
                return self.result(Status.INCONCLUSIVE, "首页链接过少，无法确认是否设有政府公报栏目",
                                   [finding("info", f"首页仅有 {len(page.links)} 个链接", url=home.url)],
                                   {"reason": "navigation_unreadable"})
            return self.result(Status.FAIL, "首页未找到政府公报栏目",
                               [finding("fail", "首页及政府信息公开专栏未找到政府公报栏目。整改：在首页开设“政府公报”栏目，"
                                        "发布各期公报的目录与全文。", rule=RULE, **home.evidence())], {"column": None})
        read = await read_column(ctx.fetch, column.url, home, max_pages=settings.max_list_pages, now=ctx.now,
                                 render=ctx.renderer)
        metrics: dict = {"column": column.as_evidence(), "column_read": read.data()}
        if not read.state.decided:
            metrics["reason"] = read.state.value
            return self.result(Status.INCONCLUSIVE, f"政府公报栏目无法读取：{read.reason}",
                               [finding("info", f"政府公报栏目无法读取（{read.state.label_zh}）", **read.evidence())],
                               metrics)
        if read.state is not ColumnState.OK or not read.items:
            return self.result(Status.FAIL, f"政府公报栏目{read.state.label_zh}",
                               [finding("fail", f"政府公报栏目{read.state.label_zh}：{read.reason}。整改：修复栏目并按期发布公报。",
                                        rule=RULE, **read.evidence())], metrics)
        return await self._judge_issues(ctx, read.items, column, metrics, settings)

    async def _via_disclosure(self, ctx: SiteContext, page) -> Candidate | None:  # type: ignore[no-untyped-def]
        url = ctx.target.disclosure_url
        if url is None:
            ranked = rank_links(page_anchor_links(page), disclosure_data.COLUMN.names, disclosure_data.COLUMN.slugs, 60)
            found = ranked[0] if ranked else None
            url = found.url if found else None
        if url is None:
            return None
        response: Response = await ctx.fetch(url)
        return _candidate(page_anchor_links(response.page())) if response.ok else None

    async def _judge_issues(self, ctx: SiteContext, items: list[ListItem], column: Candidate, metrics: dict,
                            settings: GazetteSettings) -> CheckResult:
        now = ctx.now
        expected = now.year if (now - date(now.year, 1, 1)).days >= settings.grace_days else now.year - 1
        # issues are dated entries or titled 第N期; menu entries (网站首页, the column itself) are not
        issues = sorted((i for i in items if (i.date or ISSUE_NUMBER.search(i.title)) and i.url != column.url),
                        key=_issue_key, reverse=True) or sorted(items, key=_issue_key, reverse=True)
        latest = issues[0]
        current = [i for i in issues if (issue_year(i) or 0) >= expected]
        metrics.update(issues=len(issues), expected_year=expected, current_year_issues=len(current),
                       latest={"title": latest.title, "url": latest.url,
                               "date": latest.date.isoformat() if latest.date else None, "year": issue_year(latest)})
        findings = [finding("info", f"政府公报栏目共列出 {len(issues)} 期，最新：{latest.title}", url=column.url,
                            link_text=column.text)]
        if not current:
            findings.append(finding("fail", f"政府公报栏目无 {expected} 年的公报（最新为“{latest.title}”）。"
                                    "整改：按期出版并上网发布本年度公报。", rule=RULE, url=column.url,
                                    data=metrics["latest"]))
        tocs = [await self._toc(ctx, issue, settings) for issue in issues[: max(1, settings.toc_issues)]]
        metrics["toc"] = tocs[0]
        metrics["tocs"] = [{"title": issue.title, "url": issue.url, **t} for issue, t in zip(issues, tocs, strict=False)]
        for issue, state in zip(issues, tocs, strict=False):
            if state["state"] == "missing":
                findings.append(finding("warn", f"公报“{issue.title}”未提供目录。整改：每期公报提供篇目目录并链接全文。",
                                        rule=RULE, url=issue.url))
            elif state["state"] == "dead":
                findings.append(finding("warn", f"公报“{issue.title}”无法打开（{state['problem']}）。整改：修复该期链接。",
                                        rule=RULE, url=issue.url))
            elif state["state"] == "pdf":
                findings.append(finding("info", f"公报“{issue.title}”仅以 PDF 提供，目录未核查", url=issue.url))
            elif state["state"] == "ok":
                findings.append(finding("info", f"公报“{issue.title}”目录 {state['entries']} 篇", url=issue.url))
        status = status_from_findings(findings)
        if any(t["state"] == "unreadable" for t in tocs) and status is Status.PASS:
            status = Status.INCONCLUSIVE
            metrics["reason"] = "issue_unreadable"
        summary = f"最新一期：{latest.title}" + (f"（{latest.date}）" if latest.date else "") + \
            f"；{expected} 年 {len(current)} 期"
        return self.result(status, summary, findings, metrics)

    async def _toc(self, ctx: SiteContext, issue: ListItem, settings: GazetteSettings) -> dict:
        if issue.url.lower().endswith(".pdf"):
            return {"state": "pdf", "entries": 0}
        response = await ctx.fetch(issue.url)
        if not response.ok:
            gone = response.failure is None and response.status in (404, 410)
            return {"state": "dead" if gone else "unreadable", "entries": 0, "problem": response.problem}
        if not response.is_html:
            return {"state": "pdf", "entries": 0}
        # contents entries are article titles (long, not column links); menus are short column links
        entries = [i for i in list_items(response.page(), now=ctx.now)
                   if i.url != issue.url and len(i.title) >= 8 and not is_column_url(i.url)]
        state = "ok" if len(entries) >= settings.min_toc_entries else "missing"
        return {"state": state, "entries": len(entries)}
