"""reachability: the homepage answers (国办秘函〔2019〕19号, 单项否决: 站点无法访问).

Semantics: one fetch of the target URL over any address family (IPv4 first, then IPv6),
redirects followed (HTTP, meta refresh, simple script). An answer with status < 400 passes,
unless its body is empty or binary (not a page a visitor can read: `warn`), or a page too complex
to parse in the time budget (`page_too_complex`: `warn`, the site answered). A 3xx without a
usable Location is `http_status`, a redirect to javascript:/mailto:/data: `unsupported_url`: fail.
A classified network failure or a status >= 400 fails. An anti-bot challenge is
`inconclusive`: the site answers, but not to a robot, so nothing can be judged. A TLS
certificate that does not verify is a warning when the page loads without verification (or
answers with an anti-bot challenge, which also proves the site is up).
A single visit over `slow_ms` is a warning (the veto counts 5% of a week's visits at 15 s;
one visit cannot decide it).
"""

from __future__ import annotations

from gkaudit.check import Check, CheckSettings, finding
from gkaudit.context import SiteContext
from gkaudit.model import CheckResult, Status
from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Response

BASIS = "国办秘函〔2019〕19号 单项否决“站点无法访问”"
RULE = f"{BASIS}（RULES.md §4）"
FIX_DOWN = "检查网站服务器、域名解析与防火墙，确保首页可从公网访问；恢复后复查"
FIX_STATUS = "修复首页地址的错误状态（确认首页文件存在、服务器配置正确），首页应返回 HTTP 200"
FIX_SLOW = "排查首页加载缓慢的原因（服务器负载、带宽、大图片或外部脚本），使首页在 15 秒内打开"
FIX_CERT = "更换为受信任机构签发、未过期且与域名匹配的 HTTPS 证书，并配置完整证书链"
FIX_TLS = "修复 HTTPS 配置（启用 TLS 1.2 及以上、正确的证书与加密套件），或保留可访问的 http 首页"


class ReachabilitySettings(CheckSettings):
    slow_ms: int = 15_000


class Reachability(Check):
    id = "reachability"
    title_zh = "首页可访问"
    title_en = "Homepage reachable"
    basis = BASIS
    description = __doc__ or ""
    Settings = ReachabilitySettings
    order = 0  # every other check reads the homepage: its reachability comes first

    async def run(self, ctx: SiteContext) -> CheckResult:
        settings: ReachabilitySettings = ctx.settings  # type: ignore[assignment]
        response = await ctx.homepage()
        metrics = response.metrics()
        if response.failure is FailureKind.TLS_ERROR:
            return await self._tls_invalid(ctx, response, metrics)
        if response.failure is FailureKind.BLOCKED:
            return self.result(Status.INCONCLUSIVE, f"首页被反爬虫网关拦截，无法判定: {response.detail}",
                               [finding("info", "反爬虫网关拦截了自动访问", **response.evidence())], metrics)
        if response.failure is FailureKind.PAGE_TOO_COMPLEX:  # it answered in full: reachable, but unreadable
            return self.result(Status.WARN, f"首页可访问，但{response.failure.label_zh}: {response.detail}",
                               [finding("warn", f"首页 HTTP {response.status}，但页面{response.failure.label_zh}"
                                        "（浏览器打开也可能卡死）", rule=BASIS, **response.evidence())], metrics)
        if response.failure is not None:
            return self.result(Status.FAIL, f"首页无法访问: {response.describe_failure()}",
                               [finding("fail", f"首页无法访问（{response.failure.label_zh}）", rule=RULE, fix=FIX_DOWN,
                                        **response.evidence())], metrics)
        if response.status is None or response.status >= 400:
            return self.result(Status.FAIL, f"首页返回 HTTP {response.status}",
                               [finding("fail", f"首页返回错误状态 HTTP {response.status}", rule=RULE, fix=FIX_STATUS,
                                        **response.evidence())], metrics)
        findings = [finding("info", f"首页可访问，HTTP {response.status}，用时 {response.elapsed_ms} ms",
                            **response.evidence())]
        status = Status.PASS
        if problem := response.content_problem:  # answered, but a visitor sees nothing or gets a file
            status = Status.WARN
            findings.append(finding("warn", f"首页有应答但不是可浏览的网页：{problem}", rule=BASIS,
                                    **response.evidence(), data={"bytes": len(response.body),
                                                                 "content_type": response.content_type}))
        if response.elapsed_ms > settings.slow_ms:
            status = Status.WARN
            findings.append(finding("warn", f"首页加载用时 {response.elapsed_ms} ms，超过 {settings.slow_ms} ms",
                                    rule=RULE, fix=FIX_SLOW, **response.evidence()))
        summary = f"HTTP {response.status}，{response.elapsed_ms} ms" + (
            f"，经 {len(response.redirects)} 次跳转" if response.redirects else "") + (
            f"；{response.content_problem}" if response.content_problem else "")
        return self.result(status, summary, findings, metrics)

    async def _tls_invalid(self, ctx: SiteContext, response: Response, metrics: dict) -> CheckResult:
        unverified = await ctx.fetch(ctx.url, verify=False)
        blocked = unverified.failure is FailureKind.BLOCKED  # the site answers, but not to a robot
        if unverified.ok or blocked:
            metrics.update(status=unverified.status, final_url=unverified.final_url, tls_verified=False)
            findings = [finding("warn", "HTTPS 证书无法验证（浏览器会提示不安全）", rule=RULE, fix=FIX_CERT,
                                **response.evidence())]
            if blocked:
                findings.append(finding("info", "不验证证书时，反爬虫网关拦截了自动访问", **unverified.evidence()))
            return self.result(Status.WARN, f"首页可访问，但证书无法验证: {response.detail[:120]}", findings,
                               metrics)
        return self.result(Status.FAIL, f"首页无法访问: {response.describe_failure()}",
                           [finding("fail", "TLS 握手失败，首页无法访问", rule=RULE, fix=FIX_TLS,
                                    **response.evidence())], metrics)

