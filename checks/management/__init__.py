"""management: site-management rules — footer identifiers, page meta tags, homepage freshness.

Basis: 国办发〔2017〕47号 (footer identifiers; meta tags in its appendix) and 国办秘函〔2019〕19号
(单项否决: 首页栏目信息超过2周未更新). See RULES.md §4.

Semantics:
- Identifiers are read from the homepage HTML and, for those still missing, from its same-site
  external scripts — all of them up to `script_budget` bytes, libraries skipped (footers written by
  `document.write`, read by gkaudit.columns.scripts; GBK scripts decoded), then (unless `--render never`)
  from the homepage as headless Chromium renders it (footers filled by Ajax). Missing
  网站标识码, ICP备案号, 公安机关备案号, 党政机关网站标识 or 我为政府网站找错 is a `fail` —
  but only when the footer was read at all: a page showing none of them (a footer loaded by
  Ajax or an iframe) makes the identifier part `inconclusive`, never `fail`.
- 网站标识码 must be 10 characters (division code + 4 digits, or bm + 8 digits), start with
  `sitecode_prefix` when set (Nanjing: 3201), and equal <meta name="SiteIDCode"> and the
  jiucuo.js `sitecode`; a mismatch or a missing SiteName/SiteDomain/SiteIDCode meta is a `warn`.
- Freshness: the newest date (not after `--now`) among the homepage's dated list items; on a
  homepage without dates, the newest date on its news columns (动态/要闻/通知公告). Older than
  `stale_days` (default 14) is a `fail`; no date anywhere is `inconclusive` for this part.
- Columns (see freshness.py): the homepage's 动态/要闻 columns must show an item from the last
  2 weeks, its 通知公告/政策文件 columns from the last 6 months; an undated item counts as not
  updated. `columns_veto` (5) or more stale, or as many blank columns, is a `fail` (veto item);
  fewer is a `warn`. At most `max_columns` columns are read; an unreadable one is never stale.
  A column list built by script is read in the browser (see gkaudit.columns.read, `--render`).
- A self-declared IPv6 badge is reported as a claim (info); the ipv6 check measures it.
"""

from __future__ import annotations

from datetime import date, timedelta

from gkaudit.check import Check, CheckSettings, finding
from gkaudit.checks.management.freshness import ARTICLE_DATES, ColumnAge, column_ages
from gkaudit.checks.management.identifiers import Identifiers, read_identifiers, valid_sitecode
from gkaudit.columns.find import page_anchor_links, rank_links
from gkaudit.columns.items import ListItem, list_items
from gkaudit.columns.read import ColumnState, read_column
from gkaudit.columns.scripts import script_html
from gkaudit.context import SiteContext
from gkaudit.model import CheckResult, Finding, Severity, Status
from gkaudit.net.page import Page, url_host
from gkaudit.net.render import RENDERED_DETAIL, Rendered

BASIS = "国办发〔2017〕47号；国办秘函〔2019〕19号"
RULE_FOOTER = "国办发〔2017〕47号 网站标识（页脚须展示网站标识码、党政机关网站标识、ICP备案号、公安机关备案号）（RULES.md §4）"
RULE_FRESH = "国办秘函〔2019〕19号 单项否决：首页栏目信息超过2周未更新（RULES.md §4）"
RULE_COLUMNS = ("国办秘函〔2019〕19号 单项否决：栏目不更新（动态、要闻类2周、通知公告和政策文件类6个月未更新的栏目5个以上）"
                "、空白栏目5个以上（RULES.md §4）")
RULE_META = "国办发〔2017〕47号 附件：网页元数据（SiteName、SiteDomain、SiteIDCode）（RULES.md §4）"
FIXES = {  # what to put in the footer for each missing identifier
    "sitecode": "在页脚加上“网站标识码 XXXXXXXXXX”（10 位，由全国政府网站信息报送系统分配，南京为 3201 开头）",
    "icp": "在页脚加上 ICP 备案号（如“苏ICP备XXXXXXXX号”），并链接到 https://beian.miit.gov.cn/",
    "police": "在页脚加上公安机关备案号（“苏公网安备 XXXXXXXXXXXXXX号”），并链接到全国互联网安全管理服务平台",
    "conac": "在页脚嵌入党政机关网站标识（dcs.conac.cn 提供的 _ideConac 脚本）",
    "jiucuo": "在页脚嵌入“我为政府网站找错”入口：<script id=\"_jiucuo_\" sitecode=\"网站标识码\" "
              "src=\"https://zfwzgl.www.gov.cn/exposure/jiucuo.js\"></script>",
}
FIX_SITECODE_FORMAT = "网站标识码应为 10 位（地方为 6 位行政区划代码加 4 位数字），核对后改正页脚"
FIX_SITECODE_MATCH = "使找错脚本的 sitecode、页脚网站标识码与 <meta name=\"SiteIDCode\"> 三者一致"
FIX_FRESH = "及时更新首页动态、要闻等栏目（至少每 2 周有新信息），确保首页显示发布日期"
FIX_COLUMNS = {"stale": "更新所列栏目：动态、要闻类 2 周内、通知公告和政策文件类 6 个月内须有新信息；确无内容的栏目应合并或撤销",
               "blank": "为所列空白栏目补充内容，或从首页撤下、合并这些栏目"}
REQUIRED = {
    "sitecode": "网站标识码",
    "icp": "ICP备案号",
    "police": "公安机关备案号",
    "conac": "党政机关网站标识（_ideConac）",
    "jiucuo": "“我为政府网站找错”入口（jiucuo.js 或找错链接）",
}
NEWS_NAMES = ("工作动态", "政务动态", "要闻动态", "新闻动态", "今日要闻", "要闻", "通知公告", "新闻中心")
NEWS_SLUGS = ("gzdt", "zwdt", "ywdt", "xwdt", "jryw", "tzgg", "xwzx")


def meta_line(name: str, page: Page, ids: Identifiers) -> str:
    """The exact <meta> line a homepage should carry, filled from what the page shows."""
    value = {"SiteName": page.title.split("-")[0].split("_")[0].strip() or "网站名称",
             "SiteDomain": url_host(page.url) or "域名",
             "SiteIDCode": ids.sitecode or "网站标识码"}.get(name, "…")
    return f'<meta name="{name}" content="{value}">'


class ManagementSettings(CheckSettings):
    stale_days: int = 14
    sitecode_prefix: str = ""
    script_budget: int = 1_500_000
    news_pages: int = 2
    max_columns: int = 20
    columns_veto: int = 5


class Management(Check):
    id = "management"
    title_zh = "网站管理规范"
    title_en = "Site management rules"
    basis = BASIS
    description = __doc__ or ""
    Settings = ManagementSettings

    async def run(self, ctx: SiteContext) -> CheckResult:
        settings: ManagementSettings = ctx.settings  # type: ignore[assignment]
        response = await ctx.homepage()
        if response.failure is not None or not response.ok or response.content_problem:
            reason = response.problem
            return self.result(Status.INCONCLUSIVE, f"首页无法读取，无法判定: {reason}",
                               [finding("info", "首页无法读取", **response.evidence())],
                               {"reason": response.failure.value if response.failure else
                                ("homepage_content" if response.content_problem else "http_status")})
        page = response.page()
        ids = await self._identifiers(ctx, page, settings)  # the page, its same-site scripts, the rendered page
        findings = self._judge_identifiers(ids, page, settings)
        findings += self._judge_meta(page, ids)
        newest, newest_url = await self._newest_date(ctx, page, settings)
        findings += self._judge_freshness(ctx.now, newest, newest_url, settings)
        columns = await column_ages(ctx.fetch, page, response, ctx.now, settings.max_columns,
                                  render=ctx.renderer)
        findings += self._judge_columns(columns, settings)
        if ids.ipv6_badge:
            findings.append(finding("info", f"页面自称支持 IPv6（“{ids.ipv6_badge}”），以 ipv6 检查的实测为准",
                                    url=page.url, matched_text=ids.ipv6_badge))
        metrics = {
            "identifiers": {name: getattr(ids, name) for name in (*REQUIRED, "jiucuo_sitecode", "ipv6_badge")},
            "identifier_sources": ids.sources,
            "meta": {name: page.meta(name) for name in ("SiteName", "SiteDomain", "SiteIDCode")},
            "newest_date": newest.isoformat() if newest else None,
            "newest_date_url": newest_url,
            "days_since_update": (ctx.now - newest).days if newest else None,
            "columns": [column.as_evidence() for column in columns],
            "stale_columns": sum(column.stale for column in columns),
            "blank_columns": sum(column.blank for column in columns),
        }
        status, summary = self._verdict(findings, ids, newest, ctx.now)
        return self.result(status, summary, findings, metrics)

    async def _identifiers(self, ctx: SiteContext, page: Page, settings: ManagementSettings) -> Identifiers:
        ids = await ctx.offload(read_identifiers, page.text, page.url)  # regexes over the whole page
        if all(getattr(ids, name) for name in REQUIRED):
            return ids
        scripts = await script_html(ctx.fetch, page, settings.script_budget)
        for url, text in scripts.texts.items():
            ids.merge(await ctx.offload(read_identifiers, scripts.html[url], url), url)
            ids.merge(await ctx.offload(read_identifiers, text, url), url)
        if not all(getattr(ids, name) for name in REQUIRED) and ctx.renderer is not None \
                and ctx.renderer.mode != "never":  # "missing" only if the page as a browser shows it lacks it too
            rendered = await ctx.render(page.url)
            if isinstance(rendered, Rendered):
                found = await ctx.offload(read_identifiers, rendered.html, rendered.final_url)
                ids.merge(found, f"{RENDERED_DETAIL}: {rendered.final_url}")
        return ids

    def _judge_identifiers(self, ids: Identifiers, page: Page, settings: ManagementSettings) -> list[Finding]:
        missing = [name for name in REQUIRED if not getattr(ids, name)]
        if len(missing) == len(REQUIRED):
            return [finding("info", "页面及同站脚本中未读到任何页脚标识：页脚可能由 Ajax/iframe 加载，标识部分无法判定",
                            url=page.url, data={"undecided": "identifiers"})]
        found: list[Finding] = [
            finding("fail", f"页脚缺少{REQUIRED[name]}", rule=RULE_FOOTER, fix=FIXES[name], url=page.url,
                    detail="已读取页面及同站脚本")
            for name in missing]
        if ids.sitecode and not valid_sitecode(ids.sitecode):
            found.append(finding("fail", f"网站标识码 {ids.sitecode} 格式不符（应为10位）", rule=RULE_FOOTER,
                                 fix=FIX_SITECODE_FORMAT, url=page.url, matched_text=ids.sitecode))
        if ids.sitecode and settings.sitecode_prefix and not ids.sitecode.startswith(settings.sitecode_prefix):
            found.append(finding("warn", f"网站标识码 {ids.sitecode} 不以 {settings.sitecode_prefix} 开头",
                                 rule=RULE_FOOTER, fix=f"核对网站标识码：本地区网站应以 {settings.sitecode_prefix} 开头",
                                 url=page.url, matched_text=ids.sitecode))
        if ids.sitecode and ids.jiucuo_sitecode and ids.jiucuo_sitecode != ids.sitecode:
            found.append(finding("warn", f"找错脚本的 sitecode {ids.jiucuo_sitecode} 与页脚网站标识码 {ids.sitecode} 不一致",
                                 rule=RULE_FOOTER, fix=FIX_SITECODE_MATCH, url=page.url,
                                 matched_text=ids.jiucuo_sitecode))
        if not missing:
            found.append(finding("info", "页脚标识齐全：" + "，".join(
                f"{label.split('（')[0]} {getattr(ids, name)}" for name, label in REQUIRED.items()), url=page.url))
        return found

    def _judge_meta(self, page: Page, ids: Identifiers) -> list[Finding]:
        missing = [name for name in ("SiteName", "SiteDomain", "SiteIDCode") if not page.meta(name)]
        found: list[Finding] = []
        if missing:
            found.append(finding("warn", f"首页缺少元数据 {', '.join(missing)}", rule=RULE_META,
                                 fix="在首页 <head> 中加入：" + " ".join(meta_line(name, page, ids) for name in missing),
                                 url=page.url))
        meta_code = page.meta("SiteIDCode")
        if meta_code and ids.sitecode and meta_code != ids.sitecode:
            found.append(finding("warn", f"<meta SiteIDCode> {meta_code} 与页脚网站标识码 {ids.sitecode} 不一致",
                                 rule=RULE_META, fix=f"改为 {meta_line('SiteIDCode', page, ids)}，与页脚一致",
                                 url=page.url, matched_text=meta_code))
        return found

    async def _newest_date(self, ctx: SiteContext, page: Page,
                           settings: ManagementSettings) -> tuple[date | None, str | None]:
        """The newest plausible date on the homepage's lists, else on its news columns."""
        newest = _newest(page, ctx.now)
        if newest is not None:
            return newest, page.url
        best: tuple[date | None, str | None] = (None, None)
        for candidate in rank_links(page_anchor_links(page), NEWS_NAMES, NEWS_SLUGS)[: settings.news_pages]:
            column = await read_column(ctx.fetch, candidate.url, now=ctx.now, article_dates=ARTICLE_DATES,
                                       render=ctx.renderer)
            found = _newest_of(column.items, ctx.now)  # a list without dates: its articles' PubDate meta
            if found and (best[0] is None or found > best[0]):
                best = (found, column.response.final_url)
        return best

    def _judge_freshness(self, now: date, newest: date | None, url: str | None,
                         settings: ManagementSettings) -> list[Finding]:
        if newest is None:
            return [finding("info", "首页及其动态栏目均未显示日期，更新情况无法判定",
                            data={"undecided": "freshness"})]
        age = (now - newest).days
        if age > settings.stale_days:
            return [finding("fail", f"首页最新信息日期为 {newest}，已 {age} 天未更新（超过 {settings.stale_days} 天）",
                            rule=RULE_FRESH, fix=FIX_FRESH, url=url, matched_text=newest.isoformat())]
        return [finding("info", f"首页最新信息日期 {newest}（{age} 天前）", url=url, matched_text=newest.isoformat())]

    def _judge_columns(self, columns: list[ColumnAge], settings: ManagementSettings) -> list[Finding]:
        """Stale and blank columns: `columns_veto` or more of either is the veto item, fewer a deduction."""
        found: list[Finding] = []
        unread = [c for c in columns if c.state not in (ColumnState.OK, ColumnState.BLANK)]
        if unread:
            found.append(finding("info", f"{len(unread)} 个首页栏目无法读取，未计入更新统计："
                                 + "、".join(f"{c.label}（{c.state.label_zh}）" for c in unread[:6]),
                                 url=unread[0].url, data={"columns": [c.as_evidence() for c in unread]}))
        for kind, label, picked in (
            ("stale", "未按时更新", [c for c in columns if c.stale]),
            ("blank", "为空白栏目", [c for c in columns if c.blank]),
        ):
            if not picked:
                continue
            severity = "fail" if len(picked) >= settings.columns_veto else "warn"
            names = "、".join(f"{c.label}（{c.newest or '无日期'}）" if kind == "stale" else c.label
                             for c in picked[:6])
            found.append(finding(severity, f"{len(picked)} 个首页栏目{label}：{names}", rule=RULE_COLUMNS,
                                 fix=FIX_COLUMNS[kind], url=picked[0].url, data={"columns": [c.as_evidence() for c in picked]}))
        return found

    def _verdict(self, findings: list[Finding], ids: Identifiers, newest: date | None,
                 now: date) -> tuple[Status, str]:
        fails = [f for f in findings if f.severity is Severity.FAIL]
        warns = [f for f in findings if f.severity is Severity.WARN]
        undecided = [f.evidence.data["undecided"] for f in findings if f.evidence.data and "undecided" in f.evidence.data]
        if fails:
            return Status.FAIL, "；".join(f.message for f in fails[:3])
        if undecided:
            parts = {"identifiers": "页脚标识", "freshness": "更新情况"}
            return Status.INCONCLUSIVE, "无法判定：" + "、".join(parts[u] for u in undecided)
        if warns:
            return Status.WARN, "；".join(f.message for f in warns[:3])
        return Status.PASS, f"页脚标识齐全，网站标识码 {ids.sitecode}；最近更新 {newest}（{(now - newest).days} 天前）" \
            if newest else "页脚标识齐全"


def _newest(page: Page, now: date) -> date | None:
    """Newest date of a page's dated list items."""
    return _newest_of(list_items(page, now=now), now)


def _newest_of(items: list[ListItem], now: date) -> date | None:
    """Newest item date, ignoring dates after `now` or more than 20 years before it."""
    floor = now - timedelta(days=365 * 20)
    dates = [item.date for item in items if item.date and floor <= item.date <= now]
    return max(dates) if dates else None
