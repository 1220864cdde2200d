"""links: broken links on the homepage and its second-level pages, mixed content, and HTTPS.

Basis: 国办秘函〔2019〕19号 扣分项（首页及其他页面存在错链、断链）; 国办发〔2017〕47号 (安全防护).
See RULES.md §4, §7. Whether HTTPS is required is [unverified]: `require_https` is a *gkaudit default*.

Semantics:
- Links: every http(s) link of the homepage, then of up to `max_pages` same-site second-level pages
  (the homepage's own links, opened with GET, as other checks open them: one fetch per scan), at most
  `max_links` probes in all. Each link is probed with HEAD, and with GET when HEAD is refused
  (400/403/405/5xx) or fails. A link to another host is probed once per scan, and what it answered
  is shared by every site that links to it (the ICP and police registration links of every footer,
  the city portal). Broken = HTTP >= 400 or a classified network failure (dns_nxdomain,
  connect_refused, timeouts, tls_error); an anti-bot challenge or a refused private address is
  `unchecked`, never broken.
- Internal links are the site's registrable domain and its subdomains (as the ipv6 check counts
  them); links to other hosts are probed and listed apart (info): their failure is not the site's page.
- Mixed content: http:// scripts, styles, frames (active) and images/media (passive) on the https
  homepage and the pages read.
- HTTPS: on an https site, whether the certificate verifies and whether http:// leads to https://; on
  an http site, whether https:// on the same host answers (and verifies).
- Verdict: `warn` (deductions, never a veto) for any broken internal link, mixed content, an invalid
  certificate, https not offered or http not redirected (`require_https`); `pass` otherwise;
  `inconclusive` when the homepage cannot be read. Broken links never `fail` the site: the points per
  link are [unverified].
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from gkaudit.check import Check, CheckSettings, finding, status_from_findings
from gkaudit.checks.links.https import HttpsState, https_state, mixed_content
from gkaudit.checks.links.probe import LinkResult, probe
from gkaudit.context import SiteContext
from gkaudit.model import CheckResult, Finding
from gkaudit.net.domains import is_internal, site_domain
from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Response
from gkaudit.net.page import Link, Page, url_host

BASIS = "国办秘函〔2019〕19号 扣分项（错链、断链）；国办发〔2017〕47号"
RULE_LINKS = "国办秘函〔2019〕19号 扣分项：首页及其他页面存在错链、断链（每处扣分分值未经核实）"
RULE_HTTPS = "国办发〔2017〕47号 安全防护：政府网站宜采用 HTTPS（是否强制未经核实，gkaudit 默认要求）"
DOWNLOADS = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|wps|zip|rar|7z|jpe?g|png|gif|mp4|apk)$", re.I)  # probed, never read
RULE_MIXED = "HTTPS 页面加载 http 资源（混合内容）会被浏览器拦截或提示不安全"


@dataclass(frozen=True)
class PageRead:
    """What the check keeps of a page it read: its links and mixed content, not its parsed tree (a tree
    is a megabyte or more, and the probes that follow take seconds under the per-host politeness)."""

    url: str
    links: list[Link]
    mixed: list[dict[str, str]]

    @classmethod
    def of(cls, page: Page) -> PageRead:
        return cls(page.url, page.links, mixed_content(page))


class LinksSettings(CheckSettings):
    max_links: int = 120
    """*gkaudit default*: link probes per site (homepage first, then second-level pages)."""
    max_pages: int = 8
    """*gkaudit default*: same-site second-level pages whose links are probed too."""
    concurrency: int = 6
    """Probes in flight per site (the Fetcher's per-host politeness still applies)."""
    check_external: bool = True
    """Probe links to other hosts (reported apart, never a warning)."""
    require_https: bool = True
    """*gkaudit default*: warn when HTTPS is not offered or http:// does not lead to https://."""


class Links(Check):
    id = "links"
    title_zh = "链接可用与HTTPS"
    title_en = "Broken links and HTTPS"
    basis = BASIS
    rules_section = "§7"
    description = __doc__ or ""
    Settings = LinksSettings

    async def run(self, ctx: SiteContext) -> CheckResult:
        settings: LinksSettings = ctx.settings  # type: ignore[assignment]
        home = first = await ctx.homepage()
        bad_certificate = home.failure is FailureKind.TLS_ERROR
        if bad_certificate:  # judge the page a visitor sees after clicking through the warning
            home = await ctx.fetch(ctx.url, verify=False)
        if not home.ok:
            return self.homepage_unreadable(home)
        results, pages = await self._probe_all(ctx, PageRead.of(home.page()), settings)
        if bad_certificate:  # the certificate finding covers every link to this host
            for result in results:
                if result.failure == FailureKind.TLS_ERROR.value and url_host(result.url) == ctx.host:
                    result.state = "unchecked"
        findings = self._judge_links(results)
        mixed = {p.url: p.mixed for p in pages if p.mixed}
        findings += self._judge_mixed(mixed)
        https = await https_state(lambda url, verify: ctx.fetch(url, verify=verify), ctx.url, first)
        findings += self._judge_https(https, settings)
        internal = [r for r in results if r.internal]
        broken = [r for r in internal if r.state == "broken"]
        external_broken = [r for r in results if not r.internal and r.state == "broken"]
        metrics: dict[str, Any] = {
            "pages_read": [p.url for p in pages], "probed": len(results),
            "internal": {"probed": len(internal), "broken": len(broken),
                         "unchecked": sum(r.state == "unchecked" for r in internal)},
            "external": {"probed": len(results) - len(internal), "broken": len(external_broken)},
            "broken": [r.as_evidence() for r in broken],
            "external_broken": [r.as_evidence() for r in external_broken],
            "mixed_content": [{"page": url, **item} for url, items in mixed.items() for item in items],
            "https": https.as_metrics(),
        }
        status = status_from_findings(findings)
        summary = (f"探测 {len(results)} 个链接（{len(pages)} 个页面），本站断链 {len(broken)} 个"
                   f"，外站不可达 {len(external_broken)} 个；HTTPS：{_https_phrase(https)}")
        return self.result(status, summary, findings, metrics)

    async def _probe_all(self, ctx: SiteContext, home: PageRead,
                         settings: LinksSettings) -> tuple[list[LinkResult], list[PageRead]]:
        domain = site_domain(ctx.host)
        gate = asyncio.Semaphore(max(1, settings.concurrency))
        queue: dict[str, tuple[str, str]] = {}  # url -> (text, found on)
        for link in home.links:
            queue.setdefault(link.url, (link.label, home.url))
        second = [link.url for link in home.links if url_host(link.url) == ctx.host and link.url != home.url
                  and link.url.rstrip("/") != ctx.url.rstrip("/")
                  and not DOWNLOADS.search(urlsplit(link.url).path)][: settings.max_pages]

        async def fetch(url: str, method: str) -> Response:
            return await ctx.fetch(url, method=method)

        read: dict[str, PageRead] = {}  # second-level pages, read as soon as their GET is back

        async def read_page(url: str) -> None:
            response = await ctx.fetch(url)  # after its probe: the cached answer, its page still parsed
            if response.ok and response.is_html:
                read[url] = PageRead.of(response.page())

        async def one(url: str, text: str, found_on: str) -> LinkResult:
            host = url_host(url)
            async with gate:
                if host == ctx.host:
                    result = await probe(fetch, url, text, get=url in second)
                else:  # the links many sites share (beian.miit.gov.cn, the city portal): once per scan
                    shared = await ctx.memo(("links.probe", url), lambda: probe(fetch, url))
                    result = replace(shared, text=text)
            result.internal, result.found_on = is_internal(host, domain), found_on
            if url in second:
                await read_page(url)
            return result

        def wanted(url: str) -> bool:
            return settings.check_external or is_internal(url_host(url), domain)

        first = [(u, t, f) for u, (t, f) in queue.items() if wanted(u)][: settings.max_links]
        results = list(await asyncio.gather(*(one(*args) for args in first)))
        for url in second:
            if url not in read:  # not probed (past max_links), or not a page (then the cached answer)
                await read_page(url)
        pages = [home] + [read[url] for url in second if url in read]
        more: dict[str, tuple[str, str]] = {}
        for extra in pages[1:]:
            for link in extra.links:
                if link.url not in queue and link.url not in more and wanted(link.url):
                    more[link.url] = (link.label, extra.url)
        budget = settings.max_links - len(results)
        rest = list(more.items())[: max(0, budget)]
        results += await asyncio.gather(*(one(u, t, f) for u, (t, f) in rest))
        return results, pages

    @staticmethod
    def _judge_links(results: list[LinkResult], max_findings: int = 20) -> list[Finding]:
        """One finding per broken link, at most `max_findings` of each kind; the rest are counted (all in metrics)."""
        findings: list[Finding] = []
        more: list[Finding] = []
        broken = [r for r in results if r.state == "broken"]
        shown = [r for r in broken if r.internal][:max_findings] + [r for r in broken if not r.internal][:max_findings]
        for kind, rest in (("本站断链", [r for r in broken if r.internal][max_findings:]),
                           ("外站不可达链接", [r for r in broken if not r.internal][max_findings:])):
            if rest:
                severity = "warn" if kind == "本站断链" else "info"
                more.append(finding(severity, f"另有 {len(rest)} 个{kind}未逐条列出，见 metrics。", rule=RULE_LINKS
                                        if severity == "warn" else None,
                                    fix="逐条修正或删除 metrics 中列出的断链" if severity == "warn" else None,
                                    data={"urls": [r.url for r in rest[:200]]}))
        for result in shown:
            if result.internal:
                findings.append(finding("warn", f"断链：“{result.text[:30] or result.url}”（{result.kind}），"
                                        f"位于 {result.found_on}。整改：修正或删除该链接。", rule=RULE_LINKS,
                                        url=result.url, http_status=result.status, failure=result.failure,
                                        link_text=result.text or None, data=result.as_evidence()))
            else:
                findings.append(finding("info", f"外站链接不可达：“{result.text[:30] or result.url}”（{result.kind}），"
                                        "不计入本站断链，请人工复核", url=result.url, http_status=result.status,
                                        failure=result.failure, link_text=result.text or None,
                                        data=result.as_evidence()))
        return findings + more

    @staticmethod
    def _judge_mixed(mixed: dict[str, list[dict[str, str]]]) -> list[Finding]:
        findings = []
        for page_url, items in mixed.items():
            active = [i for i in items if i["kind"] == "active"]
            findings.append(finding("warn", f"HTTPS 页面加载 {len(items)} 个 http 资源（其中主动内容 {len(active)} 个）。"
                                    "整改：资源改用 https:// 或相对地址。", rule=RULE_MIXED, url=page_url,
                                    matched_text=items[0]["url"], data={"resources": items[:20]}))
        return findings

    @staticmethod
    def _judge_https(state: HttpsState, settings: LinksSettings) -> list[Finding]:
        evidence = state.evidence.get("https") or {}
        if state.certificate_valid is False:
            return [finding("warn", "HTTPS 证书无法验证（过期、域名不符或签发机构不受信任）。整改：更换有效证书。",
                            rule=RULE_HTTPS, **evidence)]
        if not settings.require_https:
            return []
        if state.https_offered is False:
            return [finding("warn", "网站未提供 HTTPS 访问。整改：部署有效证书并启用 HTTPS。", rule=RULE_HTTPS,
                            **evidence)]
        if state.site_scheme == "http" and state.https_offered and not state.http_redirects_to_https:
            return [finding("warn", "HTTPS 可用，但 http:// 首页未跳转到 https://。整改：设置 http 到 https 的跳转。",
                            rule=RULE_HTTPS, **evidence)]
        if state.site_scheme == "https" and state.http_redirects_to_https is False:
            return [finding("warn", "http:// 首页仍可访问且未跳转到 https://。整改：设置 http 到 https 的跳转。",
                            rule=RULE_HTTPS, **(state.evidence.get("http") or {}))]
        return []


def _https_phrase(state: HttpsState) -> str:
    if state.certificate_valid is False:
        return "证书无效"
    if state.https_offered is False:
        return "未提供"
    if state.https_offered is None:
        return "无法判定"
    return "可用" + ("，http 已跳转" if state.http_redirects_to_https else "")
