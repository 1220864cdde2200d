"""The disclosure audit of one site: locate the column and its sub-columns, read them, collect findings.

Used by checks/disclosure.py (its docstring states the semantics). Every finding carries the URL,
HTTP status, link text and rule; `metrics` holds the machine-readable picture.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from gkaudit.check import finding
from gkaudit.checks.disclosure import vocabulary as data
from gkaudit.checks.disclosure.judge import (
    candidates_for,
    foreign_column_host,
    guide_article,
    guide_gaps,
    subcolumns_on,
)
from gkaudit.checks.disclosure.rendered import Renders
from gkaudit.checks.disclosure.reports import annual_reports
from gkaudit.columns.find import Candidate, in_submenu, page_anchor_links
from gkaudit.columns.listing import article_text, is_home_url, looks_script_rendered
from gkaudit.columns.read import ColumnRead, ColumnState, read_column, soft_404_reason
from gkaudit.columns.scripts import Rendered, ScriptHtml, pages_beyond_static
from gkaudit.context import SiteContext
from gkaudit.model import Finding, Severity, Status
from gkaudit.net.http import Response
from gkaudit.net.page import Page, url_host


class AuditSettings(Protocol):
    min_article_chars: int
    max_list_pages: int
    soft404_similarity: float
    check_guide_contents: bool


@dataclass
class Located:
    """Where a (sub-)column's link was found: the best candidate, the runners-up, the page it was on."""

    spec: data.ColumnSpec
    candidate: Candidate | None
    found_on: str | None
    runners_up: list[Candidate]

    def as_data(self) -> dict[str, Any]:
        return {"found_on": self.found_on, "candidates": [c.as_evidence() for c in self.runners_up[:4]]}


class DisclosureAudit:
    """One run of the disclosure check on one site. Call `execute()` once; read `findings` and `metrics`."""

    def __init__(self, ctx: SiteContext, settings: AuditSettings) -> None:
        self.ctx = ctx
        self.settings = settings
        self.findings: list[Finding] = []
        self.metrics: dict[str, Any] = {"subcolumns": {}}
        self.inconclusive: list[str] = []
        self.home: Response | None = None
        self.column_response: Response | None = None
        self.guide_text = ""
        self.scripts: dict[str, ScriptHtml] = {}
        self.renders = Renders(ctx, self.findings)  # the scan's browser, each page rendered once and reported
        self.render: Rendered | None = self.renders.by_url  # the hook pages_beyond_static consults

    # --- findings ------------------------------------------------------------------------------
    def add(self, severity: str, message: str, rule: str, *, url: str | None, http_status: int | None = None,
            link_text: str | None = None, fix: str | None = None, **evidence: Any) -> None:
        """A finding; a warn or fail one gets `fix`, else the fix hint of its rule."""
        if severity != "info":
            fix = fix or data.FIXES.get(rule)
        self.findings.append(finding(severity, message, rule=rule, fix=fix, url=url, http_status=http_status,
                                     link_text=link_text, **evidence))

    def unsure(self, reason: str) -> None:
        if reason not in self.inconclusive:
            self.inconclusive.append(reason)

    async def fetch(self, url: str) -> Response:
        return await self.ctx.fetch(url)

    # --- the run -------------------------------------------------------------------------------
    async def execute(self) -> tuple[Status, str]:
        target = self.ctx.target
        self.home = home = await self.ctx.homepage()
        if (not home.ok or home.content_problem) and not target.disclosure_url:
            return self._homepage_unreadable(home)
        home_page = home.page() if home.ok else None
        if home_page is not None and home_page.foreign_base:
            self.add("warn", f"首页的 <base href> 指向其他域名 {home_page.foreign_base}：访客点击的相对链接会去往该域名；"
                     "本检查按本站地址解析链接", data.RULE_COLUMN, **home.evidence(),
                     matched_text=home_page.foreign_base)
        if home_page is not None and looks_script_rendered(home_page):
            home_page = await self.renders.page(home_page, "首页") or home_page
        column_page, column_url, _column_text = await self._column(home_page)
        pages = [(where, page) for where, page in (("column", column_page), ("homepage", home_page)) if page]
        script_column = column_page is not None and looks_script_rendered(column_page)
        known = {column_url, home.url, home.final_url}
        located = [self._locate(spec, pages, known) for spec in (*data.SUBCOLUMNS, data.REQUEST)]
        if any(entry.candidate is None for entry in located):  # not in the static HTML: try the scripts
            beyond = [(where, seen) for where, page in pages for seen in await self._beyond_static(page)]
            located = [entry if entry.candidate else self._locate(entry.spec, beyond, known) for entry in located]
        # fetch the sub-column pages concurrently (the per-scan cache keeps them); judge them in order
        await asyncio.gather(*(self.fetch(loc.candidate.url) for loc in located if loc.candidate))
        for entry in located[:-1]:
            await self._subcolumn(entry, column_url, script_column, column_page is not None)
        await self._request_channel(located[-1], column_url, column_page is not None)
        self.metrics["inconclusive_reasons"] = self.inconclusive
        return self._verdict()

    def _homepage_unreadable(self, home: Response) -> tuple[Status, str]:
        reason = (home.failure.value if home.failure and home.failure.undecidable else
                  "homepage_content" if home.content_problem else "homepage_unreachable")
        why = home.problem
        self.add("info", f"首页无法读取（{why}），无法查找政府信息公开专栏", data.RULE_COLUMN,
                 **home.evidence())
        self.unsure(reason)
        self.metrics["inconclusive_reasons"] = self.inconclusive
        return Status.INCONCLUSIVE, f"无法判定：首页无法读取（{why}）"

    async def _column(self, home_page: Page | None) -> tuple[Page | None, str | None, str | None]:
        """Find and open the column. Returns its page (None if unusable), its URL and its link text."""
        target = self.ctx.target
        home = self.home
        assert home is not None
        candidates = candidates_for(data.COLUMN, page_anchor_links(home_page),
                                    host=urlsplit(home.final_url).hostname) if home_page else []
        source = "homepage"
        if not candidates and home_page is not None and not target.disclosure_url:
            for seen in await self._beyond_static(home_page):  # navigation written by a script
                if candidates := candidates_for(data.COLUMN, page_anchor_links(seen), host=url_host(home.final_url)):
                    source = "scripts"
                    break
        self.metrics["column_candidates"] = [c.as_evidence() for c in candidates[:5]]
        if target.disclosure_url:
            url, text, source = target.disclosure_url, None, "target"
        elif candidates:
            url, text = candidates[0].url, candidates[0].text
        else:
            if home_page is not None and looks_script_rendered(home_page):
                self.unsure("homepage_script_only")
                self.add("info", "首页导航由脚本生成，读不到政府信息公开专栏的链接", data.RULE_COLUMN,
                         **home.evidence(), data={"links": len(home_page.links)})
            else:
                scripts = self.scripts.get(home_page.url) if home_page is not None else None
                rendered = home_page is not None and home_page.url in self.renders.done
                self.add("fail", "首页未见“政府信息公开”专栏入口", data.RULE_COLUMN,
                         **{**home.evidence(), "detail": "已读取首页及其同站脚本" + ("、浏览器渲染后的首页" if rendered else "")}, data={"links_on_homepage": len(home_page.links) if home_page else 0,
                                                  "scripts": scripts.as_evidence() if scripts else None,
                                                  "names": list(data.COLUMN.names), "slugs": list(data.COLUMN.slugs)})
            self.metrics.update(column_url=None, column_source=None)
            return None, None, None
        self.metrics.update(column_url=url, column_source=source, column_link_text=text)
        page = await self._open_column(url, text, source, candidates, home_page)
        if page is not None and (looks_script_rendered(page) or self.renders.always):
            page = await self.renders.page(page, "专栏页") or page
        if page is not None and len(self._found_here(page)) < 2:
            page, url, text = await self._second_hop(page, url, text)
        return page, url, text

    async def _open_column(self, url: str, text: str | None, source: str, candidates: list[Candidate],
                           home_page: Page | None) -> Page | None:
        response = self.column_response = await self.fetch(url)
        evidence = {**response.evidence(), "link_text": text,
                    "data": {"source": source, "candidates": [c.as_evidence() for c in candidates[:4]]}}
        if response.failure is not None and response.failure.undecidable:
            self.unsure(response.failure.value)
            self.add("info", f"专栏页面{response.failure.label_zh}：{response.detail}", data.RULE_COLUMN, **evidence)
            return None
        if not response.ok:
            why = response.problem
            self.add("fail", f"政府信息公开专栏无法打开（{why}）", data.RULE_COLUMN, **evidence)
            return None
        if reason := soft_404_reason(response, self.home, self.settings.soft404_similarity):
            self.add("fail", f"政府信息公开专栏是软404：{reason}", data.RULE_COLUMN, **evidence)
            return None
        if source == "homepage" and (foreign := foreign_column_host(response.final_url, self.home.url,
                                                                    self.home.final_url)):
            self.add("warn", f"政府信息公开专栏由本站以外的非政府域名 {foreign} 提供，不能作为本站专栏通过",
                     data.RULE_COLUMN, **evidence)
        where = {"target": "由 targets.yaml 的 disclosure_url 指定", "scripts": "首页同站脚本写出的导航链接"}.get(
            source, "首页链接")
        if source == "homepage" and home_page is not None and in_submenu(home_page, url):
            where += "（位于二级菜单中）"
            evidence["data"]["in_submenu"] = True
            self.metrics["column_in_submenu"] = True
        self.add("info", f"找到政府信息公开专栏（{where}）", data.RULE_COLUMN, **evidence)
        return response.page()

    async def _beyond_static(self, page: Page) -> list[Page]:
        """`page` as its same-site scripts complete it, then as a browser renders it (`self.render`: the hook
        gkaudit.net.render plugs in; None until then). Only pages that add something are returned."""
        seen, scripts = await pages_beyond_static(self.fetch, page, self.render)
        self.scripts[page.url] = scripts
        return seen

    def _found_here(self, page: Page) -> list[str]:
        return subcolumns_on(page)

    async def _second_hop(self, page: Page, url: str, text: str | None) -> tuple[Page, str, str | None]:
        """A 政务公开 landing page that links the 政府信息公开 column proper: follow that one link."""
        home = self.home
        assert home is not None
        known = {url, home.url, home.final_url}
        for candidate in candidates_for(data.COLUMN, page_anchor_links(page), min_score=100):
            if candidate.url in known or is_home_url(candidate.url, known):
                continue
            response = await self.fetch(candidate.url)
            if not response.ok or soft_404_reason(response, home, self.settings.soft404_similarity):
                continue
            deeper = response.page()
            if len(self._found_here(deeper)) > len(self._found_here(page)):
                self.add("info", f"专栏入口页链接到政府信息公开专栏“{candidate.text}”，据此查找子栏目",
                         data.RULE_COLUMN, **response.evidence(), link_text=candidate.text)
                self.metrics.update(column_url=candidate.url, column_hop_from=url)
                return deeper, candidate.url, candidate.text
            break
        return page, url, text

    def _locate(self, spec: data.ColumnSpec, pages: list[tuple[str, Page]], exclude: set[str | None]) -> Located:
        """The best link for `spec` on the first page that has one; on the column page, links inside the
        column's own folder (its navigation) go first."""
        column_url = self.metrics.get("column_url")
        for where, page in pages:
            within = column_url if where == "column" else None
            found = [c for c in candidates_for(spec, page_anchor_links(page), within=within) if c.url not in exclude]
            if found:
                return Located(spec, found[0], where, found)
        return Located(spec, None, None, [])

    # --- sub-columns ---------------------------------------------------------------------------
    async def _subcolumn(self, located: Located, column_url: str | None, script_column: bool,
                         column_read: bool) -> None:
        spec = located.spec
        entry: dict[str, Any] = {**located.as_data(), "url": None, "state": "missing"}
        self.metrics["subcolumns"][spec.key] = entry
        if located.candidate is None:
            self._missing(spec, column_url, script_column, column_read)
            return
        candidate = located.candidate
        s = self.settings
        read = await read_column(self.fetch, candidate.url, self.home, min_article_chars=s.min_article_chars,
                                 allow_directory=spec.allow_directory, similarity=s.soft404_similarity,
                                 directory_names=data.STATUTORY_CATEGORIES if spec.allow_directory else (),
                                 max_pages=s.max_list_pages if spec is data.REPORT else 1, now=self.ctx.now,
                                 render=self.ctx.renderer)
        entry.update(url=candidate.url, link_text=candidate.text, **read.data())
        where = "专栏页" if located.found_on == "column" else "首页"
        evidence = {**read.evidence(), "link_text": candidate.text}
        evidence["data"].update(found_on=located.found_on)
        rule = data.RULE_SUBCOLUMNS
        if read.state is ColumnState.OK:
            self.add("info", f"{spec.label_zh}：{read.reason}（链接见{where}）", rule, **evidence)
        elif read.state in (ColumnState.DEAD, ColumnState.SOFT_404, ColumnState.BLANK):
            self.add("fail", f"{spec.label_zh}{read.state.label_zh}：{read.reason}", data.RULE_BLANK
                     if read.state is ColumnState.BLANK else rule,
                     fix=f"修复“{spec.label_zh}”页面：使其可正常打开（HTTP 200）、不跳转到首页，并发布内容", **evidence)
        else:
            failure = read.response.failure if read.response is not None else None
            self.unsure(failure.value if read.state is ColumnState.BLOCKED and failure else
                        {ColumnState.BLOCKED: "blocked", ColumnState.SCRIPT_UNKNOWN: "script_only",
                         ColumnState.ENDPOINT_FAILED: "list_endpoint_failed"}[read.state])
            self.add("info", f"{spec.label_zh}无法判定：{read.reason}", rule, **evidence)
        if read.state is not ColumnState.OK:
            return
        if spec is data.GUIDE and s.check_guide_contents:
            await self._guide_contents(read, candidate.text)
        elif spec is data.REPORT:
            annual_reports(self, read, candidate.text)

    def _missing(self, spec: data.ColumnSpec, column_url: str | None, script_column: bool,
                 column_read: bool) -> None:
        home = self.home
        assert home is not None
        searched = [u for u in (column_url, home.final_url if home.ok else None) if u]
        evidence = {"url": column_url or home.url, "http_status": self._status_of(column_url),
                    "data": {"searched": searched, "names": list(spec.names), "slugs": list(spec.slugs)}}
        if script_column:
            self.unsure("script_only")
            self.add("info", f"专栏页由脚本生成，读不到“{spec.label_zh}”的链接", data.RULE_SUBCOLUMNS, **evidence)
        elif column_url is None:
            # no column (already a failure, or undecidable): the sub-columns are not judged a second time
            if not home.ok:
                self.unsure("homepage_unreachable")
            self.add("info", f"未找到专栏，首页也无“{spec.label_zh}”的直接链接，未能查找该子栏目",
                     data.RULE_SUBCOLUMNS, **evidence)
        elif not column_read:
            # the column itself already failed (dead, soft 404) or could not be read (blocked): no second verdict
            self.add("info", f"专栏页无法读取，首页也无“{spec.label_zh}”的链接，未能查找该子栏目",
                     data.RULE_SUBCOLUMNS, **evidence)
        else:
            self.add("fail", f"未找到子栏目“{spec.label_zh}”（专栏页与首页均无链接）", data.RULE_SUBCOLUMNS,
                     fix=f"在政府信息公开专栏页中设置“{spec.label_zh}”子栏目，并链接到其页面", **evidence)

    async def _guide_contents(self, read: ColumnRead, link_text: str) -> None:
        """Art. 12 items in the guide: the guide page's own text, or the newest guide its list links."""
        page = read.page
        assert page is not None
        text, url, status = article_text(page), read.response.final_url, read.response.status
        gaps = guide_gaps(text)
        listed = [item for item in read.dated if item.url not in (read.url, read.response.final_url)]
        chosen = guide_article(listed) if gaps and listed else None
        if chosen is not None:
            article = await self.fetch(chosen.url)
            if article.failure is not None and article.failure.undecidable:
                self.unsure(article.failure.value)
                self.add("info", f"指南正文“{chosen.title}”{article.failure.label_zh}，未能核对指南内容", data.RULE_GUIDE,
                         **article.evidence(), link_text=chosen.title)
                return
            if not article.ok:
                why = article.problem
                self.add("warn", f"指南正文“{chosen.title}”无法打开（{why}），未能核对指南内容", data.RULE_GUIDE,
                         **article.evidence(), link_text=chosen.title)
                return
            text, url, status, link_text = article_text(article.page()), article.final_url, article.status, \
                chosen.title
            gaps = guide_gaps(text)
        self.guide_text = text
        self.metrics["guide_missing"] = gaps
        if gaps:
            self.add("warn", f"政府信息公开指南缺少：{'、'.join(gaps)}", data.RULE_GUIDE, url=url,
                     http_status=status, link_text=link_text, data={"missing": gaps, "chars": len(text)})
        else:
            self.add("info", "政府信息公开指南列明了办公地址、联系电话、办公时间或互联网联系方式", data.RULE_GUIDE,
                     url=url, http_status=status, link_text=link_text, data={"chars": len(text)})

    async def _request_channel(self, located: Located, column_url: str | None, column_read: bool) -> None:
        entry: dict[str, Any] = {**located.as_data(), "url": None, "state": "missing"}
        self.metrics["request_channel"] = entry
        candidate = located.candidate
        if candidate is None:
            home = self.home
            assert home is not None
            url, status = column_url or home.url, self._status_of(column_url)
            if self.guide_text and data.GUIDE_REQUEST_CHANNEL.search(self.guide_text):
                entry.update(state="in_guide")
                self.add("info", "未见单独的依申请公开栏目，指南中说明了申请渠道", data.RULE_REQUEST, url=url,
                         http_status=status)
            elif column_read:
                self.add("warn", "未找到依申请公开渠道（专栏页、首页与指南均未见）", data.RULE_REQUEST, url=url,
                         http_status=status, data={"names": list(data.REQUEST.names), "slugs": list(data.REQUEST.slugs)})
            else:  # the column was not read: where the channel usually is was not looked at
                self.add("info", "专栏页未能读取，首页未见依申请公开渠道，未能查找", data.RULE_REQUEST, url=url,
                         http_status=status)
            return
        response = await self.fetch(candidate.url)
        evidence = {**response.evidence(), "link_text": candidate.text, "data": {"found_on": located.found_on}}
        entry.update(url=candidate.url, link_text=candidate.text, http_status=response.status)
        if response.failure is not None and response.failure.undecidable:
            entry["state"] = "blocked"
            self.unsure(response.failure.value)
            self.add("info", f"依申请公开页面{response.failure.label_zh}", data.RULE_REQUEST, **evidence)
        elif not response.ok:
            entry["state"] = "dead"
            why = response.problem
            self.add("warn", f"依申请公开渠道无法打开（{why}）", data.RULE_REQUEST, **evidence)
        elif reason := soft_404_reason(response, self.home, self.settings.soft404_similarity):
            entry["state"] = "soft_404"
            self.add("warn", f"依申请公开渠道是软404：{reason}", data.RULE_REQUEST, **evidence)
        else:
            entry["state"] = "ok"
            self.add("info", "依申请公开渠道可以打开", data.RULE_REQUEST, **evidence)

    def _status_of(self, column_url: str | None) -> int | None:
        """HTTP status of the page a "not found" finding points at: the column page, else the homepage."""
        response = self.column_response if column_url else self.home
        return response.status if response is not None else None

    # --- verdict -------------------------------------------------------------------------------
    def _verdict(self) -> tuple[Status, str]:
        fails = [f.message for f in self.findings if f.severity is Severity.FAIL]
        warns = [f.message for f in self.findings if f.severity is Severity.WARN]
        if fails:
            more = f" 等 {len(fails)} 项" if len(fails) > 2 else ""
            return Status.FAIL, "；".join(fails[:2]) + more
        if self.inconclusive:
            reasons = "、".join(_REASONS_ZH.get(r, r) for r in self.inconclusive)
            return Status.INCONCLUSIVE, f"无法判定：{reasons}" + (f"；另有警告：{warns[0]}" if warns else "")
        if warns:
            return Status.WARN, "；".join(warns[:2])
        latest = self.metrics.get("latest_report_year")
        return Status.PASS, "专栏与指南、制度、法定主动公开内容、年报四个子栏目齐全" + (
            f"，最新年报为 {latest} 年度" if latest else "")


_REASONS_ZH = {
    "blocked": "被反爬虫网关拦截", "homepage_unreachable": "首页无法访问", "homepage_script_only": "首页由脚本生成",
    "script_only": "栏目列表由脚本加载且接口未知", "list_endpoint_failed": "栏目列表接口无法读取",
    "page_too_complex": "页面结构过于复杂，无法解析", "homepage_content": "首页正文为空或不是网页",
}
