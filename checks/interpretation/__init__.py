"""interpretation: policy documents are published with their interpretation (政策解读, “三同步”).

Basis: 宁政办发〔2021〕20号 item 2; 国办发〔2017〕47号 (解读回应). See RULES.md §7.

Semantics:
- Columns: the policy-document column (政策文件, 规范性文件, 政府文件 …) and the interpretation column
  (政策解读, 解读回应 …) are found by link text on the homepage, then on the disclosure column
  (`disclosure_url` or its homepage link) and its 法定主动公开内容 page. Both are read with the shared
  column reader (pagination, script lists read through known endpoints), up to `max_list_pages` pages.
- For the latest `latest_documents` dated documents (entries that are themselves 解读 are left out), an
  interpretation counts as linked when (1) an interpretation title names the document (《X》解读,
  关于《X》的政策解读, X的解读; see match.py), or (2) the document's page links a 解读/图解, or (3) an
  interpretation's page links back to the document. Pages are opened only for documents still unmatched,
  within `max_fetches`.
- Timing: an interpretation dated more than `max_lag_days` after its document is reported (warn). The
  national limit is [unverified]; 5 calendar days (about 3 working days, as Zhengzhou's local rule) is a
  *gkaudit default*.
- Stale: an interpretation column whose newest item is older than `stale_days` (183, *gkaudit default*,
  “6 months”) warns.
- Verdict: `fail` when not one of at least `min_documents_for_fail` documents has an interpretation and
  no interpretation column exists; `warn` for each unlinked document (by URL), each late interpretation,
  a stale column, or a missing interpretation column; `inconclusive` when the homepage, the policy column
  (blocked, script-only list) cannot be read, or no policy column is found; else `pass`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from gkaudit.check import Check, CheckSettings, finding, status_from_findings
from gkaudit.checks.interpretation.crawl import INTERP_NAMES, PolicyCrawler
from gkaudit.checks.interpretation.match import (
    cores_match,
    document_core,
    interpretation_core,
    is_interpretation_title,
)
from gkaudit.columns.find import is_column_url
from gkaudit.columns.items import ListItem
from gkaudit.columns.read import ColumnRead
from gkaudit.context import SiteContext
from gkaudit.model import CheckResult, Finding, Status
from gkaudit.net.page import Page

BASIS = "宁政办发〔2021〕20号 第2项（政策解读）；国办发〔2017〕47号"
RULE_LINK = "宁政办发〔2021〕20号 第2项：政策文件与解读材料同步起草、同步审签、同步发布，并相互关联"
RULE_LAG = "政策解读应与文件同步发布（期限为 gkaudit 默认值，国家层面的具体期限未经核实）"
RULE_STALE = "国办秘函〔2019〕19号：栏目长期不更新（6个月为 gkaudit 默认值）"


class InterpretationSettings(CheckSettings):
    latest_documents: int = 10
    """How many of the newest policy documents are judged."""
    max_lag_days: int = 5
    """*gkaudit default*: days an interpretation may follow its document (about 3 working days)."""
    stale_days: int = 183
    """*gkaudit default*: an interpretation column with no item this recent is stale (“6 months”)."""
    min_documents_for_fail: int = 3
    """*gkaudit default*: fail only when at least this many documents all lack an interpretation."""
    max_list_pages: int = 3
    max_fetches: int = 40


@dataclass
class Pairing:
    document: ListItem
    interpretation: str | None = None
    interp_date: date | None = None
    how: str | None = None  # title, document_page, back_link

    def as_evidence(self) -> dict[str, Any]:
        doc = self.document
        return {"title": doc.title, "url": doc.url, "date": doc.date.isoformat() if doc.date else None,
                "interpretation": self.interpretation, "how": self.how,
                "interpretation_date": self.interp_date.isoformat() if self.interp_date else None}


class Interpretation(Check):
    id = "interpretation"
    title_zh = "政策解读"
    title_en = "Policy interpretations"
    basis = BASIS
    rules_section = "§7"
    description = __doc__ or ""
    Settings = InterpretationSettings

    async def run(self, ctx: SiteContext) -> CheckResult:
        settings: InterpretationSettings = ctx.settings  # type: ignore[assignment]
        home = await ctx.homepage()
        if not home.ok:
            return self._undecided("homepage_unreadable", f"首页无法读取，无法判定: {home.problem}",
                                   [finding("info", "首页无法读取", **home.evidence())])
        crawler = PolicyCrawler(ctx, settings)
        await crawler.find(home)
        metrics: dict[str, Any] = {"policy_column": crawler.policy.as_evidence() if crawler.policy else None,
                                   "interpretation_column": crawler.interp.as_evidence() if crawler.interp else None,
                                   "looked_at": crawler.looked_at}
        if crawler.policy is None:
            return self._undecided("policy_column_not_found", "未找到政策文件栏目，无法核对政策解读",
                                   [finding("info", "首页及政府信息公开专栏中未找到政策文件/规范性文件栏目",
                                            url=home.url)], metrics)
        policy = await crawler.read(crawler.policy.url)
        metrics["policy_read"] = policy.data()
        if not policy.state.decided or policy.state.value != "ok":
            return self._undecided("policy_column_unreadable", f"政策文件栏目无法读取：{policy.reason}",
                                   [finding("info", f"政策文件栏目无法读取（{policy.state.label_zh}）：{policy.reason}",
                                            **policy.evidence())], metrics)
        interp = await crawler.read(crawler.interp.url) if crawler.interp else None
        if interp is not None:
            metrics["interpretation_read"] = interp.data()
        documents = sorted((i for i in policy.dated if not is_interpretation_title(i.title)),
                           key=lambda i: i.date or date.min, reverse=True)[: settings.latest_documents]
        interps = self._interpretations(policy, interp)
        pairings = [Pairing(doc) for doc in documents]
        self._match_titles(pairings, interps)
        await self._match_pages(crawler, pairings, interps)
        findings = self._judge(ctx.now, pairings, interp, crawler, settings)
        linked = sum(p.interpretation is not None for p in pairings)
        metrics.update(documents=[p.as_evidence() for p in pairings], coverage={
            "documents": len(pairings), "linked": linked,
            "ratio": round(linked / len(pairings), 3) if pairings else None},
            unlinked=[p.document.url for p in pairings if p.interpretation is None],
            late=[p.document.url for p in pairings if _lag(p) is not None and _lag(p) > settings.max_lag_days],
            fetches=len(crawler.fetched))
        status = status_from_findings(findings)
        if not pairings:
            return self._undecided("no_dated_documents", "政策文件栏目中没有带日期的文件，无法核对",
                                   findings, metrics)
        summary = f"最新 {len(pairings)} 件政策文件中 {linked} 件有关联解读"
        if metrics["unlinked"]:
            summary += f"，{len(metrics['unlinked'])} 件未关联"
        return self.result(status, summary, findings, metrics)

    def _undecided(self, reason: str, summary: str, findings: list[Finding],
                   metrics: dict[str, Any] | None = None) -> CheckResult:
        return self.result(Status.INCONCLUSIVE, summary, findings, {**(metrics or {}), "reason": reason})

    @staticmethod
    def _interpretations(policy: ColumnRead, interp: ColumnRead | None) -> list[ListItem]:
        found = [i for i in policy.items if is_interpretation_title(i.title)]
        if interp is not None and interp.state.value == "ok":
            found += interp.items
        return list({i.url: i for i in found}.values())

    @staticmethod
    def _match_titles(pairings: list[Pairing], interps: list[ListItem]) -> None:
        cores = [(item, interpretation_core(item.title)) for item in interps]
        for pairing in pairings:
            core = document_core(pairing.document.title)
            for item, other in cores:
                if cores_match(core, other):
                    pairing.interpretation, pairing.interp_date, pairing.how = item.url, item.date, "title"
                    break

    @staticmethod
    async def _match_pages(crawler: PolicyCrawler, pairings: list[Pairing], interps: list[ListItem]) -> None:
        """Documents still unmatched: a 解读 link on the document's page, or an interpretation linking back."""
        by_url = {item.url: item for item in interps}
        for pairing in [p for p in pairings if p.interpretation is None]:
            page = await crawler.page(pairing.document.url)
            if page is None:
                continue
            link = _interpretation_link(page)
            if link is not None:
                item = by_url.get(link)
                pairing.interpretation, pairing.how = link, "document_page"
                pairing.interp_date = item.date if item else None
        unmatched = {p.document.url: p for p in pairings if p.interpretation is None}
        claimed = {p.interpretation for p in pairings}
        for item in interps:
            if not unmatched or not crawler.budget_left:
                break
            if item.url in claimed:
                continue
            page = await crawler.page(item.url)
            if page is None:
                continue
            for link in page.links:
                if link.url in unmatched:
                    pairing = unmatched.pop(link.url)
                    pairing.interpretation, pairing.interp_date, pairing.how = item.url, item.date, "back_link"

    @staticmethod
    def _judge(now: date, pairings: list[Pairing], interp: ColumnRead | None, crawler: PolicyCrawler,
               settings: InterpretationSettings) -> list[Finding]:
        findings: list[Finding] = []
        linked = [p for p in pairings if p.interpretation]
        if crawler.interp is None:
            severity = "fail" if not linked and len(pairings) >= settings.min_documents_for_fail else "warn"
            findings.append(finding(severity, "未找到政策解读栏目，且最新政策文件均无关联解读" if severity == "fail"
                                    else "未找到政策解读栏目。整改：开设“政策解读”栏目，集中发布解读材料。",
                                    rule=RULE_LINK, url=crawler.home.url if crawler.home else None))
            if severity == "fail":
                findings[-1].message += "。整改：为政策文件同步发布解读，并开设“政策解读”栏目。"
        elif interp is not None and interp.state.value != "ok":
            findings.append(finding("info", f"政策解读栏目无法读取（{interp.state.label_zh}）：{interp.reason}",
                                    **interp.evidence()))
        elif interp is not None:
            newest = max((i.date for i in interp.items if i.date and i.date <= now), default=None)
            if newest is None or newest < now - timedelta(days=settings.stale_days):
                when = newest.isoformat() if newest else "无日期"
                findings.append(finding("warn", f"政策解读栏目最新一条为 {when}，超过 {settings.stale_days} 天未更新。"
                                        "整改：及时发布新出台政策的解读。", rule=RULE_STALE, **interp.evidence()))
        for pairing in pairings:
            doc = pairing.document
            if pairing.interpretation is None:
                findings.append(finding("warn", f"政策文件“{doc.title[:40]}”（{doc.date}）未找到关联的解读。"
                                        "整改：同步发布解读，并在文件页与解读页互相链接。", rule=RULE_LINK,
                                        url=doc.url, data=pairing.as_evidence()))
            elif (lag := _lag(pairing)) is not None and lag > settings.max_lag_days:
                findings.append(finding("warn", f"“{doc.title[:40]}”的解读晚于文件 {lag} 天发布"
                                        f"（gkaudit 默认上限 {settings.max_lag_days} 天）。整改：解读与文件同步发布。",
                                        rule=RULE_LAG, url=pairing.interpretation, data=pairing.as_evidence()))
        if linked:
            findings.append(finding("info", f"{len(linked)} 件政策文件有关联解读", url=crawler.policy.url
                                    if crawler.policy else None, data={"linked": [p.as_evidence() for p in linked]}))
        return findings


def _lag(pairing: Pairing) -> int | None:
    if pairing.interp_date is None or pairing.document.date is None:
        return None
    return (pairing.interp_date - pairing.document.date).days


def _interpretation_link(page: Page) -> str | None:
    """The first link on a document page whose text names an interpretation (解读, 图解 …)."""
    for link in page.links:
        if is_interpretation_title(link.label) and link.url != page.url and len(link.label) <= 60 \
                and not is_column_url(link.url) and link.label.replace(" ", "") not in INTERP_NAMES:
            return link.url
    return None
