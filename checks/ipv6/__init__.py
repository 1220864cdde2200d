"""ipv6: the site really works over IPv6, page by page (宁政办发〔2021〕20号 第9项; YD/T 3118-2016).

What is measured, in order:
1. Address records: AAAA of the site host, CNAMEs followed (the chain is reported), A beside.
   An IPv4-mapped answer (::ffff:a.b.c.d) does not count; a NAT64 answer (64:ff9b::/96,
   64:ff9b:1::/48) is synthesised by a DNS64 resolver, not the site's own, and does not count.
2. Name servers: the NS set of the host's zone (found by walking up to the registrable domain),
   which of them have a native AAAA, and (information only) whether each IPv6 name server answers
   an SOA query for the zone over IPv6 on port 53.
3. Reachability: a TCP connect to each native AAAA on the URL's port, then the homepage fetched over
   IPv6 only (Host and SNI = the hostname), redirects followed; hops that leave the host or land
   on an IPv4 literal are reported.
4. Same site: the IPv4 and IPv6 homepages have the same final status and their normalised HTML
   (nonces, session tokens, timestamps, whitespace neutralised) differs by at most `max_difference`:
   difference = 1 − 2·L/(n4+n6) over the pages' blocks (HTML from one block-level tag to the next;
   L = their longest common subsequence), so 20% of the blocks rewritten is a difference of 0.20.
   internet.nl uses the same 10% with a looser, order-blind character measure; see
   gkaudit.checks.ipv6.similarity for both exactly. The comparison runs off the event loop; past
   SIMILARITY_BUDGET_S seconds it is reported as not evaluated (information), never guessed.
5. Link coverage (二级/三级): see gkaudit.checks.ipv6.links; the share of internal links whose
   host works over IPv6, per level, with the failing hosts.
6. Latency: IPv4 and IPv6 connect, first-byte and total times side by side (information).
The footer's own "支持IPv6" claim, if any, is reported beside the measurement (a claim, not evidence).

Verdict: `fail` without a native AAAA, or when the homepage does not load over IPv6 (no HTTP
answer, or status >= 400); `inconclusive` when the scanner has no working IPv6 (`--ipv6 off`, no
route, failed control fetch: see the report's scanner facts), has no route to the site's AAAA
addresses (a UDP connect(), no packet sent), or an anti-bot gateway answers — the AAAA part is
still judged; `warn` for a status or content mismatch, an AAAA address that does not
accept connections while another does, coverage below a threshold, or fewer than
`min_v6_nameservers` IPv6 name servers; `pass` otherwise.

Settings and their defaults — gkaudit's defaults, not regulation ([unverified] in RULES.md §1):
max_difference 0.10 (as internet.nl), min_secondary_coverage 0.95, min_tertiary_coverage 0.85,
min_v6_nameservers 2 (as internet.nl), max_pages 10, max_hosts 40, time_budget_s 60, check_links true.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field

from gkaudit.check import Check, CheckSettings, finding, status_from_findings
from gkaudit.checks.ipv6.addresses import address_class
from gkaudit.checks.ipv6.badge import ipv6_claim
from gkaudit.checks.ipv6.links import LEVEL_ZH, link_coverage
from gkaudit.checks.ipv6.similarity import html_similarity
from gkaudit.context import SiteContext
from gkaudit.model import CheckResult, Finding, Status
from gkaudit.net.dns import DnsAnswer
from gkaudit.net.domains import ip_literal_version, registrable_domain, site_domain
from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Response
from gkaudit.net.page import url_host

BASIS = "宁政办发〔2021〕20号 第9项（区级以上门户网站支持IPv6）；YD/T 3118-2016"
RULE = f"{BASIS}（RULES.md §1）"
FIX_AAAA = "为网站域名添加 AAAA 记录，指向能提供同一网站的 IPv6 地址（自有双栈服务器或 CDN 的 IPv6 服务）"
FIX_NS = "为域名的权威 DNS 服务器配置 IPv6 地址（至少 2 台可经 IPv6 应答），或改用支持 IPv6 的 DNS 服务商"
FIX_TCP = "检查所列 IPv6 地址的服务器与防火墙，确保 80/443 端口经 IPv6 可连接；不用的地址从 AAAA 记录中删除"
FIX_HOME = "使首页经 IPv6 可正常打开（HTTP 200）：检查 IPv6 监听、证书与防火墙；不要把 IPv6 访问重定向到 IPv4 地址"
FIX_SAME = "使 IPv6 与 IPv4 访问得到同一网站（同一状态码与内容）：检查 CDN/反向代理的 IPv6 回源配置"
FIX_LINKS = "让首页及二、三级页面链接的本单位主机名也支持 IPv6（为其添加 AAAA 记录并实现 IPv6 访问）"
DEFAULT_NOTE = "（gkaudit 默认阈值，非法规要求）"
SIMILARITY_BUDGET_S = 20.0


class Ipv6Settings(CheckSettings):
    max_difference: float = Field(0.10, ge=0, le=1, description="IPv4/IPv6 首页规范化 HTML 允许的差异比例")
    min_secondary_coverage: float = Field(0.95, ge=0, le=1, description="二级内部链接 IPv6 支持率下限")
    min_tertiary_coverage: float = Field(0.85, ge=0, le=1, description="三级内部链接 IPv6 支持率下限")
    min_v6_nameservers: int = Field(2, ge=0, le=13, description="至少几个名称服务器有 AAAA")
    max_pages: int = Field(10, ge=0, le=200, description="读取多少个二级页面以收集三级链接")
    max_hosts: int = Field(40, ge=1, le=500, description="最多探测多少个链接主机")
    time_budget_s: float = Field(60.0, gt=0, le=600, description="链接覆盖率的时间预算（秒）")
    check_links: bool = True


class Ipv6(Check):
    id = "ipv6"
    title_zh = "IPv6 支持度"
    title_en = "IPv6 support"
    basis = BASIS
    description = __doc__ or ""
    Settings = Ipv6Settings

    async def run(self, ctx: SiteContext) -> CheckResult:
        s: Ipv6Settings = ctx.settings  # type: ignore[assignment]
        host, url = ctx.host, ctx.url
        aaaa, a = await self._address_records(ctx, host)
        classes = {address: address_class(address) for address in aaaa.records}
        native = [address for address, kind in classes.items() if kind == "native"]
        scanner = ctx.scanner
        metrics: dict[str, Any] = {
            "host": host, "aaaa": list(aaaa.records), "a": list(a.records),
            "cname_chain": list(aaaa.cname_chain or a.cname_chain), "aaaa_classes": classes,
            "scanner_ipv6": {"usable": scanner.ipv6_usable, "route": scanner.ipv6_route,
                             "reason": scanner.ipv6_reason},
        }
        findings = [self._address_finding(host, aaaa, a, classes, native)]
        metrics["nameservers"], ns_findings = await self._nameservers(ctx, host, s, scanner.ipv6_usable is True)
        findings += ns_findings
        inconclusive: str | None = None
        if native and scanner.ipv6_usable is not True:
            inconclusive = f"扫描机没有可用的 IPv6，IPv6 访问无法实测: {scanner.ipv6_reason or '未探测'}"
            metrics["reason"] = "scanner_no_ipv6"
            findings.append(finding("info", inconclusive, detail=scanner.ipv6_reason))
        elif native and not any(ctx.has_route(address) for address in native):
            inconclusive = f"扫描机没有到 {', '.join(native)} 的 IPv6 路由，IPv6 访问无法实测"
            metrics["reason"] = "scanner_no_route"
            findings.append(finding("info", inconclusive))
        elif native:
            inconclusive = await self._measure(ctx, s, url, host, native, metrics, findings)
        home = await ctx.homepage()
        status = status_from_findings(findings)
        if status is not Status.FAIL and inconclusive:
            status = Status.INCONCLUSIVE
        if claim := await ctx.offload(ipv6_claim, home.page().text if home.body else ""):  # a second parse
            metrics["badge"] = {"claimed": True, "text": claim}
            findings.append(finding("info", f"页面自称支持 IPv6（“{claim}”），实测结论：{status.label_zh}",
                                    url=home.final_url, matched_text=claim))
        else:
            metrics["badge"] = {"claimed": False, "text": None}
        return self.result(status, self._summary(status, native, metrics, inconclusive), findings, metrics)

    # --- 1. address records ----------------------------------------------------------------------
    async def _address_records(self, ctx: SiteContext, host: str) -> tuple[DnsAnswer, DnsAnswer]:
        version = ip_literal_version(host)
        if version is not None:
            literal = (host.strip("[]"),)
            return (DnsAnswer(host, "AAAA", literal if version == 6 else ()),
                    DnsAnswer(host, "A", literal if version == 4 else ()))
        aaaa, a = await asyncio.gather(ctx.resolve(host, "AAAA"), ctx.resolve(host, "A"))
        return aaaa, a

    def _address_finding(self, host: str, aaaa: DnsAnswer, a: DnsAnswer, classes: dict[str, str],
                         native: list[str]) -> Finding:
        dns = {"AAAA": list(aaaa.records), "A": list(a.records), "CNAME": list(aaaa.cname_chain or a.cname_chain)}
        if native:
            return finding("info", f"{host} 有 IPv6 地址（AAAA）: {', '.join(native)}", dns=dns)
        mapped = [x for x, kind in classes.items() if kind == "mapped"]
        nat64 = [x for x, kind in classes.items() if kind == "nat64"]
        if mapped:
            why = f"AAAA 只有 IPv4 映射地址 {', '.join(mapped)}（实为 IPv4，不算 IPv6）"
        elif nat64:
            why = f"AAAA 只有 NAT64 合成地址 {', '.join(nat64)}（由解析器合成，不是网站自己的 IPv6）"
        elif aaaa.failure is not None:
            why = f"AAAA 查询失败: {aaaa.detail or aaaa.failure.label_zh}"
        else:
            why = "没有 AAAA 记录"
        return finding("fail", f"{host} 没有可用的 IPv6 地址：{why}", rule=RULE, fix=FIX_AAAA, dns=dns,
                       failure=aaaa.failure.value if aaaa.failure else FailureKind.NO_ADDRESS.value)

    # --- 2. name servers -------------------------------------------------------------------------
    async def _nameservers(self, ctx: SiteContext, host: str, s: Ipv6Settings,
                           ask_v6: bool) -> tuple[dict[str, Any], list[Finding]]:
        zone, names = await self._zone_ns(ctx, host)
        if zone is None:
            return ({"zone": None, "servers": [], "with_aaaa": None},
                    [finding("info", f"未能查到 {host} 所在区的 NS 记录，名称服务器的 IPv6 情况未评估")])
        answers = await asyncio.gather(*(asyncio.gather(ctx.resolve(n, "AAAA"), ctx.resolve(n, "A"))
                                         for n in names))
        servers = []
        for name, (v6, v4) in zip(names, answers, strict=True):
            native = [x for x in v6.records if address_class(x) == "native"]
            servers.append({"name": name, "aaaa": list(v6.records), "a": list(v4.records),
                            "has_aaaa": bool(native), "answers_over_ipv6": None, "detail": None})
        if ask_v6:
            asked = [srv for srv in servers if srv["has_aaaa"]]
            replies = await asyncio.gather(*(ctx.ask_nameserver(
                next(x for x in srv["aaaa"] if address_class(x) == "native"), zone, "SOA") for srv in asked))
            for srv, reply in zip(asked, replies, strict=True):
                srv["answers_over_ipv6"] = reply.ok
                srv["detail"] = reply.detail or None
        with_aaaa = sum(srv["has_aaaa"] for srv in servers)
        data = {"zone": zone, "servers": servers, "with_aaaa": with_aaaa}
        dns = {"NS": names}
        findings = []
        if with_aaaa < s.min_v6_nameservers:
            findings.append(finding(
                "warn", f"区 {zone} 的 {len(names)} 个名称服务器中只有 {with_aaaa} 个有 IPv6 地址，"
                f"少于 {s.min_v6_nameservers} 个{DEFAULT_NOTE}", rule=RULE, fix=FIX_NS, dns=dns, data={"servers": servers}))
        else:
            findings.append(finding("info", f"区 {zone} 有 {with_aaaa} 个名称服务器有 IPv6 地址", dns=dns))
        if ask_v6 and with_aaaa:
            told = "；".join(f"{srv['name']} {'应答' if srv['answers_over_ipv6'] else '未应答'}"
                            for srv in servers if srv["has_aaaa"])
            findings.append(finding("info", f"经 IPv6 向名称服务器查询 {zone} SOA（仅供参考，不影响结论）: {told}",
                                    data={"servers": servers}))
        return data, findings

    async def _zone_ns(self, ctx: SiteContext, host: str) -> tuple[str | None, list[str]]:
        """The closest enclosing name with an NS set, not above the registrable domain."""
        if ip_literal_version(host) is not None:
            return None, []
        top, name = registrable_domain(host), host
        while True:
            answer = await ctx.resolve(name, "NS")
            if answer.records and not answer.cname_chain:
                return name, sorted(answer.records)
            if name == top or "." not in name:
                return None, []
            name = name.split(".", 1)[1]

    # --- 3-6. measurements over IPv6 -------------------------------------------------------------
    async def _measure(self, ctx: SiteContext, s: Ipv6Settings, url: str, host: str, native: list[str],
                       metrics: dict[str, Any], findings: list[Finding]) -> str | None:
        """Connect, fetch, compare, cover links; append findings; return an inconclusive reason or None."""
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        tcp = await asyncio.gather(*(ctx.connect(address, port) for address in native))
        metrics["addresses"] = [result.as_dict() for result in tcp]
        down = [r for r in tcp if not r.ok]
        if down and len(down) < len(tcp):
            findings.append(finding("warn", "部分 IPv6 地址不接受连接: " + ", ".join(
                f"[{r.address}]:{r.port}（{r.failure.label_zh if r.failure else ''}）" for r in down),
                rule=RULE, fix=FIX_TCP, data={"addresses": metrics["addresses"]}))
        v6, v4 = await asyncio.gather(ctx.homepage("ipv6"), ctx.homepage("ipv4"))
        if v6.failure is FailureKind.TLS_ERROR:  # a certificate problem is reachability's business
            findings.append(finding("info", "证书无法验证，改为不验证证书比较（证书问题见 reachability 检查）",
                                    **v6.evidence()))
            v6, v4 = await asyncio.gather(ctx.fetch(url, "ipv6", verify=False), ctx.fetch(url, "ipv4", verify=False))
        metrics["homepage_ipv6"], metrics["homepage_ipv4"] = v6.metrics(), v4.metrics()
        metrics["latency"] = _latency(v4, v6, tcp)
        findings.append(finding("info", "时延（仅供参考）: " + _latency_text(metrics["latency"]),
                                data=metrics["latency"]))
        self._redirect_findings(host, v6, findings)
        if v6.failure is not None and v6.failure.undecidable:
            findings.append(finding("info", f"IPv6 首页有应答（说明 IPv6 可连通），但{v6.failure.label_zh}",
                                    **v6.evidence()))
            return f"IPv6 首页{v6.failure.label_zh}，无法比较内容和链接: {v6.detail}"
        if v6.failure is not None or v6.status is None or v6.status >= 400:
            why = v6.problem
            literal = next((h.location for h in v6.redirects
                            if ip_literal_version(urlsplit(h.location).hostname or "") == 4), None)
            message = (f"首页经 IPv6 访问时被重定向到 IPv4 地址 {literal}，无法经 IPv6 打开" if literal
                       else f"首页无法经 IPv6 访问: {why}")
            findings.append(finding("fail", message, rule=RULE, fix=FIX_HOME, **v6.evidence()))
            return None
        findings.append(finding("info", f"首页经 IPv6 可访问，HTTP {v6.status}，地址 {v6.address}",
                                **v6.evidence()))
        await self._same_site(s, v4, v6, metrics, findings)
        if s.check_links:
            await self._coverage(ctx, s, host, v4 if v4.ok else v6, metrics, findings)
        return None

    def _redirect_findings(self, host: str, v6: Response, findings: list[Finding]) -> None:
        for hop in v6.redirects:
            target = url_host(hop.location)
            if ip_literal_version(target) == 4:
                findings.append(finding("info", f"IPv6 访问被重定向到 IPv4 地址: {hop.location}",
                                        url=hop.url, final_url=hop.location, http_status=hop.status))
            elif target != host:
                findings.append(finding("info", f"IPv6 访问首页时跳转到其他主机 {target}: {hop.location}",
                                        url=hop.url, final_url=hop.location, http_status=hop.status))

    async def _same_site(self, s: Ipv6Settings, v4: Response, v6: Response, metrics: dict[str, Any],
                         findings: list[Finding]) -> None:
        if v4.status is None:
            metrics["same_site"] = None
            findings.append(finding("info", f"IPv4 首页无法访问，无法比较两者内容: {v4.describe_failure()}",
                                    **v4.evidence()))
            return
        page4, page6 = v4.page(), v6.page()
        try:  # pure CPU on two whole pages: in a thread, so no other site's requests wait for it
            async with asyncio.timeout(SIMILARITY_BUDGET_S):
                similarity = round(await asyncio.to_thread(html_similarity, page4.text, page6.text), 4)
        except TimeoutError:
            metrics["same_site"] = None
            findings.append(finding("info", f"IPv4/IPv6 首页内容比较超过 {SIMILARITY_BUDGET_S:.0f} 秒，未评估",
                                    url=v6.url))
            return
        data = {"status_ipv4": v4.status, "status_ipv6": v6.status, "final_url_ipv4": v4.final_url,
                "final_url_ipv6": v6.final_url, "title_ipv4": page4.title, "title_ipv6": page6.title,
                "similarity": similarity, "difference": round(1 - similarity, 4),
                "max_difference": s.max_difference}
        data["same"] = v4.status == v6.status and 1 - similarity <= s.max_difference
        metrics["same_site"] = data
        if v4.status != v6.status:
            findings.append(finding("warn", f"IPv4 与 IPv6 首页状态不同: HTTP {v4.status} / HTTP {v6.status}",
                                    rule=RULE, fix=FIX_SAME, url=v6.url, data=data))
        if 1 - similarity > s.max_difference:
            findings.append(finding(
                "warn", f"IPv6 首页与 IPv4 首页内容不一致：相似度 {similarity:.1%}，差异超过 "
                f"{s.max_difference:.0%}{DEFAULT_NOTE}；标题 IPv4“{data['title_ipv4']}” / IPv6“{data['title_ipv6']}”",
                rule=RULE, fix=FIX_SAME, url=v6.url, data=data))
        else:
            findings.append(finding("info", f"IPv4 与 IPv6 首页内容一致，相似度 {similarity:.1%}", data=data))

    async def _coverage(self, ctx: SiteContext, s: Ipv6Settings, host: str, home: Response,
                        metrics: dict[str, Any], findings: list[Finding]) -> None:
        thresholds = {"secondary": s.min_secondary_coverage, "tertiary": s.min_tertiary_coverage}
        coverage = await link_coverage(ctx, home.final_url, home.page().links, site_domain(host), max_pages=s.max_pages,
                                       max_hosts=s.max_hosts, seconds=s.time_budget_s, thresholds=thresholds)
        metrics["coverage"] = coverage
        for level in ("secondary", "tertiary"):
            data = coverage[level]
            name = LEVEL_ZH[level]
            if data["ratio"] is None:
                findings.append(finding("info", f"没有可评估的{name}内部链接", data=data))
                continue
            failing = "、".join(f"{h['host']}（{h['links']} 个链接）" for h in data["failing_hosts"])
            text = (f"{name}内部链接 IPv6 支持率 {data['ratio']:.1%}（{data['ipv6_links']}/{data['tested_links']}）"
                    + (f"；不支持 IPv6 的主机: {failing}" if failing else ""))
            if data["ratio"] < data["threshold"]:
                findings.append(finding("warn", f"{text}；低于 {data['threshold']:.0%}{DEFAULT_NOTE}",
                                        rule=RULE, fix=FIX_LINKS, data=data))
            else:
                findings.append(finding("info", text, data=data))
        if coverage["untested_hosts"]:
            findings.append(finding("info", f"受上限或时间预算所限，{len(coverage['untested_hosts'])} 个链接主机未测: "
                                    + "、".join(coverage["untested_hosts"][:10])))

    def _summary(self, status: Status, native: list[str], metrics: dict[str, Any], inconclusive: str | None) -> str:
        if not native:
            return "没有可用的 IPv6 地址（AAAA）"
        if status is Status.FAIL and "homepage_ipv6" in metrics:
            return "有 AAAA 记录，但首页无法经 IPv6 访问"
        if inconclusive:
            return f"有 AAAA 记录；{inconclusive}"
        parts = ["首页经 IPv6 可访问"]
        if same := metrics.get("same_site"):
            parts.append(f"内容相似度 {same['similarity']:.1%}")
        for level in ("secondary", "tertiary"):
            data = metrics.get("coverage", {}).get(level)
            if data and data["ratio"] is not None:
                parts.append(f"{LEVEL_ZH[level]}链接 {data['ratio']:.0%}（{data['ipv6_links']}/{data['tested_links']}）")
        return "，".join(parts)


def _latency(v4: Response, v6: Response, tcp: list) -> dict[str, Any]:
    """IPv4 and IPv6 times side by side, and IPv6/IPv4 ratios where both are known (information only).

    A fetch answered on a kept-alive connection has no connect time and a warm first byte: its times
    are compared only with another such fetch, never with a fresh connection's.
    """
    rows = {family: {"connect_ms": r.connect_ms, "first_byte_ms": r.first_byte_ms, "total_ms": r.elapsed_ms,
                     "reused_connection": r.reused_connection} for family, r in (("ipv4", v4), ("ipv6", v6))}
    comparable = v4.reused_connection == v6.reused_connection
    ratio = {key: round(rows["ipv6"][key] / rows["ipv4"][key], 2) for key in ("connect_ms", "first_byte_ms", "total_ms")
             if comparable and rows["ipv4"][key] and rows["ipv6"][key] is not None}
    return {**rows, "ipv6_to_ipv4": ratio, "tcp_connect_ms": {r.address: r.connect_ms for r in tcp}}


def _latency_text(latency: dict[str, Any]) -> str:
    def row(family: str) -> str:
        r = latency[family]
        connect = "复用已有连接" if r.get("reused_connection") else f"连接 {r['connect_ms']} ms"
        return f"{family} {connect} / 首字节 {r['first_byte_ms']} ms / 总计 {r['total_ms']} ms"
    differ = latency["ipv4"].get("reused_connection") != latency["ipv6"].get("reused_connection")
    note = "（一个复用已有连接、一个新建连接：不作比较）" if differ else ""
    return f"{row('ipv4')}；{row('ipv6')}{note}"
