"""plans: the five-year plan outlines, special, spatial and regional plans are published (规划信息).

Basis: 宁政办发〔2021〕20号 item 4; 国办发〔2021〕12号; 条例 Art. 20(3) (RULES.md §3).

Semantics:
- Where: plan columns are found by link text and URL (规划信息, 发展规划, 规划计划, 国民经济和社会发展规划,
  十四五/十五五 topic pages) on the homepage, the disclosure column (`disclosure_url` or its homepage link)
  and its 法定主动公开内容 page, and the 专题专栏 page. Up to `max_columns` candidates named in their link
  text are read with their pagination (TRS `createPageHTML`, 下一页/numbered links) and plan sub-columns.
- What: each entry's title is classified (checks/plans/titles.py): generation (十四五 = 14, 十五五 = 15) and
  type (outline, special, spatial, regional, other). 解读, 中期评估, 总结, 征求意见稿, 公示/许可, 编制 news are
  *related* documents: listed, never counted. Entries without a list date get theirs from `PubDate`.
- Site search: when no column is found — or (`search_for_missing`) a required outline is missing — the
  site's own search is used if recognisable (TRS IGS, Hanweb jsearch), at most `max_search_queries`
  queries; plans found there are marked `source: search`.
- Required generations: `generations`, or by default the previous and the current one by `--now`; the
  current one only from `new_generation_grace_days` after its first 1 January (local outlines are
  adopted in the first quarter). In 2026 from 1 April: 十四五 and 十五五; in January 2026: 十四五 only;
  in 2031 from April: 十五五 and 十六五.
- Verdict: governments (portal, district, new_area) `fail` for each required generation without an
  outline; `warn` when the outlines are there but no special and no spatial plan was found
  (`warn_each_missing_type`: warn for each of the two that is missing). Departments `warn` without any
  plan at all and never fail for a missing outline. A column link answering 404/410 is a missing column
  (a warning), not a reason to give up.
- `inconclusive` (metrics.reason) instead of fail/warn when what is missing may sit where gkaudit could
  not look: the homepage cannot be read (`blocked`, `connect_refused`, …), a chosen column is blocked or
  errs (`column_unreadable`), its list is filled by a script whose endpoint is unknown or fails
  (`script_only`; Hanweb jpage/xxgk, iframe and TRS ?id= lists are read through gkaudit.columns.listing,
  other script lists in headless Chromium unless `--render never`), the
  disclosure column (or its 法定主动公开内容 page) could not be read and no plan column was
  (`disclosure_unreadable`), the page budget left pages unread (`page_budget`), or the site search failed
  with no column (`search_failed`).
- The disclosure column is found as the disclosure check finds it (homepage, then what its same-site
  scripts write) and followed also on the parent government's portal (same registrable domain: a
  department's column on `www.<city>.gov.cn/gi_class/<dept>`); plan columns on that host are then read too.
- Mid-term evaluations (中期评估) and 解读/图解 are *related* documents: listed, never counted — an
  evaluation or an explainer is no substitute for the plan it talks about.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from pydantic import Field, field_validator

from gkaudit.check import Check, CheckSettings, finding, status_from_findings
from gkaudit.checks.plans.crawl import PlanCrawler, PlanItem
from gkaudit.checks.plans.titles import (
    GENERATION_FIRST_YEAR,
    PLAN_TYPES,
    TYPE_LABELS_ZH,
    generation_label,
    generation_of_year,
)
from gkaudit.context import SiteContext
from gkaudit.model import CheckResult, Finding, Status

BASIS = "宁政办发〔2021〕20号 第4项；国办发〔2021〕12号；政府信息公开条例 第二十条第（三）项"
RULE = f"{BASIS}（RULES.md §3）"
FIX_DEAD = "修复规划栏目的链接，使其指向可正常打开的规划信息页面"
FIX_DEPARTMENT = "在法定主动公开内容的“规划信息”栏目发布本部门领域的专项规划（含历史规划）"
FIX_OUTLINE = ("在法定主动公开内容 › 规划信息栏目发布本级国民经济和社会发展{generation}规划纲要全文，标题写明“{short}”"
               "（历史规划保持公开）")
FIX_TYPES = "在规划信息栏目同时发布专项规划、国土空间总体规划等，标题写明规划类型"
LABEL_TO_NUMBER = {generation_label(n): n for n in GENERATION_FIRST_YEAR}


class PlansSettings(CheckSettings):
    generations: list[int] = Field(default_factory=list)  # empty: previous + current by --now
    new_generation_grace_days: int = 90
    max_fetches: int = 40
    max_columns: int = 3
    max_pages_per_column: int = 8
    max_article_fetches: int = 12
    max_search_queries: int = 3
    search_for_missing: bool = True
    warn_each_missing_type: bool = False

    @field_validator("generations", mode="before")
    @classmethod
    def _labels_to_numbers(cls, value: Any) -> Any:
        """Accept 14, "14", "十四五" or "“十四五”"."""
        if not isinstance(value, list):
            return value
        return [LABEL_TO_NUMBER.get(str(v).strip("“”\" "), v) for v in value]


def required_generations(settings: PlansSettings, today: date) -> tuple[list[int], int | None]:
    """The generations whose outline is required on `today`, and a current one still in its grace period."""
    if settings.generations:
        return sorted(set(settings.generations)), None
    current = generation_of_year(today.year)
    start = date(GENERATION_FIRST_YEAR.get(current, 2021 + 5 * (current - 14)), 1, 1)
    if today >= start + timedelta(days=settings.new_generation_grace_days):
        return [current - 1, current], None
    return [current - 1], current


class Plans(Check):
    id = "plans"
    title_zh = "规划信息公开"
    title_en = "Development plans published"
    basis = BASIS
    description = __doc__ or ""
    Settings = PlansSettings

    async def run(self, ctx: SiteContext) -> CheckResult:
        settings: PlansSettings = ctx.settings  # type: ignore[assignment]
        required, pending = required_generations(settings, ctx.now)
        home = await ctx.homepage()
        if not home.ok or home.content_problem:
            return self.result(Status.INCONCLUSIVE, f"首页无法读取，无法查找规划栏目：{home.problem}",
                               [finding("info", "首页无法读取，规划信息无法判定", **home.evidence())],
                               {"reason": home.failure.value if home.failure else
                                ("homepage_content" if home.content_problem else "http_status"),
                                "generations_required": required})
        crawler = PlanCrawler(ctx, settings)
        await crawler.find_columns(home.page())
        for candidate in crawler.chosen_columns():
            await crawler.read_column(candidate)
        readable = [c for c in crawler.columns if c.readable]
        missing = self._missing_outlines(crawler, required)
        if not readable or (settings.search_for_missing and missing and ctx.target.kind.is_government):
            keywords = [generation_label(n) for n in (missing or required)]
            await crawler.search(keywords)
        await crawler.complete_from_articles()
        return self._judge(ctx, settings, crawler, required, pending)

    @staticmethod
    def _plans(crawler: PlanCrawler) -> list[PlanItem]:
        return [item for item in crawler.items.values() if item.info.is_plan]

    def _missing_outlines(self, crawler: PlanCrawler, required: list[int]) -> list[int]:
        outlines = [i for i in self._plans(crawler) if i.info.plan_type == "outline"]
        return [n for n in required if not any(n in i.info.generations for i in outlines)]

    def _judge(self, ctx: SiteContext, settings: PlansSettings, crawler: PlanCrawler, required: list[int],
               pending: int | None) -> CheckResult:
        plans = self._plans(crawler)
        related = [i for i in crawler.items.values() if i.info.related]
        metrics = self._metrics(crawler, plans, related, required)
        findings: list[Finding] = [self._where_finding(crawler)]
        for column in (c for c in crawler.columns if c.missing):
            findings.append(finding("warn", f"规划栏目链接失效（{column.failure}）：{column.text}", rule=RULE, fix=FIX_DEAD,
                                    **column.failure_evidence))
        findings += self._plan_findings(plans, related)
        lacking = self._missing_outlines(crawler, required) if ctx.target.kind.is_government else []
        if (lacking or not plans) and (undecided := self._undecided(crawler, settings)) is not None:
            reason, message, evidence = undecided
            metrics["reason"] = reason
            findings.append(finding("info", message, **evidence))
            what = "、".join(f"“{generation_label(n)}”纲要" for n in lacking) or "规划"
            return self.result(Status.INCONCLUSIVE, f"{message}，无法判定{what}是否公开", findings, metrics)
        if ctx.target.kind.is_government:
            findings += self._government_verdict(crawler, plans, required, settings)
        elif not plans:
            findings.append(finding("warn", "未发现本部门领域的任何规划（专项规划等）", rule=RULE, fix=FIX_DEPARTMENT,
                                    detail="部门应公开本领域的专项规划；规划纲要由政府公开，部门不因缺纲要判不合格"))
        if pending is not None:
            found = any(pending in i.info.generations and i.info.plan_type == "outline" for i in plans)
            findings.append(finding("info", f"“{generation_label(pending)}”规划纲要尚在编制公开期内，暂不要求"
                                    f"（{'已发现' if found else '未发现'}）"))
        status = status_from_findings(findings)
        summary = self._summary(plans, required if ctx.target.kind.is_government else [], metrics)
        return self.result(status, summary, findings, metrics)

    @staticmethod
    def _undecided(crawler: PlanCrawler, settings: PlansSettings) -> tuple[str, str, dict[str, Any]] | None:
        """Why what was not found may still be there: a column unreadable or unread, a search that failed."""
        unreadable = [c for c in crawler.columns if c.undecidable]
        if unreadable:
            first = unreadable[0]
            reasons = "；".join(f"{c.url}：{'列表由脚本加载，无法读取' if c.script_only else c.failure}"
                                + (f"（未能用浏览器渲染：{c.render_failure}）" if c.render_failure else "")
                                for c in unreadable)
            return ("script_only" if first.script_only else "column_unreadable", f"规划栏目无法读取（{reasons}）",
                    {**first.failure_evidence, "url": first.url,
                     "data": {"columns": [c.as_evidence() for c in unreadable]}})
        if crawler.unreadable and not any(c.readable for c in crawler.columns):
            url, response = crawler.unreadable[0]
            why = response.problem if response is not None else "超出抓取预算"
            return ("disclosure_unreadable", f"政府信息公开专栏无法读取（{url}：{why}），未能在其中查找规划栏目",
                    {**(response.evidence() if response is not None else {}), "url": url,
                     "data": {"unreadable": [u for u, _ in crawler.unreadable]}})
        truncated = [c for c in crawler.columns if c.unread]
        if truncated:
            unread = [u for c in truncated for u in c.unread]
            return ("page_budget", f"规划栏目还有 {len(unread)} 页未读（已达抓取上限 max_pages_per_column="
                    f"{settings.max_pages_per_column}、max_fetches={settings.max_fetches}）",
                    {"url": unread[0], "data": {"unread": unread}})
        failed = [s for s in crawler.searches if s.failure]
        if failed and not any(c.readable for c in crawler.columns):
            return ("search_failed", "未找到规划栏目，站内搜索失败（" + "；".join(
                f"“{s.keyword}”：{s.failure}" for s in failed) + "）", {"url": failed[0].url})
        return None

    def _government_verdict(self, crawler: PlanCrawler, plans: list[PlanItem], required: list[int],
                            settings: PlansSettings) -> list[Finding]:
        findings = []
        where = self._where_text(crawler)
        for number in self._missing_outlines(crawler, required):
            label = generation_label(number)
            findings.append(finding("fail", f"未发现“{label}”规划纲要（国民经济和社会发展第{label[:-1]}个五年规划纲要）",
                                    rule=RULE, fix=FIX_OUTLINE.format(generation=f"第{label[:-1]}个五年", short=label), detail=f"查找范围：{where}",
                                    data={"generation": number, "searched": [c.url for c in crawler.columns]}))
        types = {i.info.plan_type for i in plans}
        missing_types = [t for t in ("special", "spatial") if t not in types]
        if findings:
            return findings
        if len(missing_types) == 2 or (settings.warn_each_missing_type and missing_types):
            names = "、".join(TYPE_LABELS_ZH[t] for t in missing_types)
            findings.append(finding("warn", f"已公开规划纲要，但未发现{names}", rule=RULE, fix=FIX_TYPES, detail=f"查找范围：{where}"))
        for plan_type in ("special", "spatial", "regional"):
            if plan_type not in types and not (findings and plan_type in missing_types):
                findings.append(finding("info", f"未发现{TYPE_LABELS_ZH[plan_type]}"))
        return findings

    @staticmethod
    def _where_text(crawler: PlanCrawler) -> str:
        parts = [f"栏目 {c.url}（{len(c.pages)} 页）" for c in crawler.columns]
        parts += [f"站内搜索“{s.keyword}”" for s in crawler.searches]
        if not parts:
            parts = ["未找到规划栏目"]
        if crawler.search_form is None:
            parts.append("首页未发现可识别的站内搜索")
        return "；".join(parts)

    @staticmethod
    def _where_finding(crawler: PlanCrawler) -> Finding:
        columns = list(crawler.columns)
        if columns:
            message = "规划栏目：" + "，".join(f"{c.text or c.url}（{Plans._column_state(c)}）" for c in columns)
        else:
            message = "未找到规划栏目（规划信息/发展规划/规划计划/十四五、十五五专题）"
        if crawler.searches:
            message += "；已使用站内搜索：" + "，".join(f"“{s.keyword}” {s.results} 条" for s in crawler.searches)
        return finding("info", message, url=columns[0].url if columns else None,
                       data={"candidates": [c.as_evidence() for c in crawler.candidates[:8]],
                             "columns": [c.as_evidence() for c in columns],
                             "search_form": crawler.search_form.as_evidence() if crawler.search_form else None,
                             "searches": [s.as_evidence() for s in crawler.searches]})

    @staticmethod
    def _column_state(column: Any) -> str:
        if column.script_only:
            return "列表由脚本加载，无法直接读取"
        if column.failure:
            return f"无法读取：{column.failure}"
        return f"{len(column.pages)} 页，{column.entries} 条"

    @staticmethod
    def _plan_findings(plans: list[PlanItem], related: list[PlanItem]) -> list[Finding]:
        findings = []
        for item in sorted(plans, key=lambda i: (PLAN_TYPES.index(i.info.plan_type or "other"), i.title)):
            labels = "、".join(item.info.generation_labels) or "未标明届次"
            origin = "（来自站内搜索）" if item.source == "search" else ""
            findings.append(finding("info", f"{TYPE_LABELS_ZH[item.info.plan_type or 'other']}｜{labels}｜"
                                    f"{item.title}{origin}", url=item.url, matched_text=item.title,
                                    data=item.as_evidence()))
        if related:
            findings.append(finding("info", f"相关文件 {len(related)} 件（解读、评估、征求意见等，不计为规划文本）",
                                    data={"related": [i.as_evidence() for i in related]}))
        return findings

    @staticmethod
    def _metrics(crawler: PlanCrawler, plans: list[PlanItem], related: list[PlanItem],
                 required: list[int]) -> dict[str, Any]:
        by_generation: dict[str, Counter[str]] = {}
        for item in plans:
            for key in [str(n) for n in sorted(item.info.generations)] or ["none"]:
                by_generation.setdefault(key, Counter())[item.info.plan_type or "other"] += 1
        sources = sorted({i.source for i in plans})
        return {
            "source": "+".join(sources) if sources else "none",
            "generations_required": required,
            "outline": {str(n): any(n in i.info.generations and i.info.plan_type == "outline" for i in plans)
                        for n in required},
            "counts": {t: sum(1 for i in plans if i.info.plan_type == t) for t in PLAN_TYPES},
            "by_generation": {k: dict(v) for k, v in by_generation.items()},
            "related": len(related),
            "columns": [c.url for c in crawler.columns if c.readable],
            "pages_read": sum(len(c.pages) for c in crawler.columns),
            "fetches": len(crawler.fetched),
            "budget_exhausted": crawler.budget_exhausted,
            "searches": len(crawler.searches),
            "plans": [i.as_evidence() for i in plans],
        }

    @staticmethod
    def _summary(plans: list[PlanItem], required: list[int], metrics: dict[str, Any]) -> str:
        """Outline presence per required generation (governments only), then counts by type."""
        outline = "，".join(f"{generation_label(n)}纲要{'有' if metrics['outline'][str(n)] else '无'}"
                            for n in required)
        counts = "，".join(f"{TYPE_LABELS_ZH[t]} {n}" for t, n in metrics["counts"].items() if n)
        origin = "（含站内搜索结果）" if "search" in metrics["source"] else ""
        text = (f"共 {len(plans)} 件规划" + (f"（{counts}）" if counts else "") + origin) if plans else "未发现规划文件"
        return f"{outline}；{text}" if outline else text
