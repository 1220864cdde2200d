"""new_media: the site lists its 政务新媒体 accounts (a 新媒体矩阵 page or a homepage block).

Basis: 宁政办发〔2021〕20号 item 11; 国办发〔2018〕123号 (政务新媒体). See RULES.md §7: the listing itself is
common practice, not a rule; the accounts' update duty (2 weeks) is judged on the platforms, off-site.

Semantics:
- Where: a link named 政务新媒体 / 新媒体矩阵 / 新媒体 / 官方微信 / 官方微博 (slugs xmt, xmtjz, zwxmt) on the
  homepage is opened; the homepage itself is read too (QR-code blocks in the footer).
- What: an account is a short text block (li, dd, td, p, figure, an image's alt/title) naming a platform
  (微信/公众号, 微博, 抖音, 今日头条, 快手, 视频号, 哔哩哔哩, 小红书, 学习强国 …), or a link to a platform host
  (weibo.com, mp.weixin.qq.com, douyin.com, toutiao.com …). Its name is the text without platform words.
- The accounts live on other platforms: gkaudit never opens them and never guesses their activity;
  the result says so.
- Verdict: `pass` when at least one account is listed (names and platforms in metrics); `warn` when
  none is found on a readable homepage and matrix page; `inconclusive` when the homepage cannot be read,
  or the matrix page cannot be read or is filled by script.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from gkaudit.check import Check, CheckSettings, finding
from gkaudit.columns.dates import find_dates
from gkaudit.columns.find import page_anchor_links, rank_links
from gkaudit.columns.listing import find_list_loader
from gkaudit.context import SiteContext
from gkaudit.model import CheckResult, Status
from gkaudit.net.page import Page, clean_text, url_host

BASIS = "宁政办发〔2021〕20号 第11项；国办发〔2018〕123号（政务新媒体）"
RULE = "国办发〔2018〕123号：政务新媒体应在政府网站公开名录（新媒体矩阵为常见做法，非强制规定）"
NAMES = ("政务新媒体", "新媒体矩阵", "政务新媒体矩阵", "新媒体", "官方微信", "官方微博", "两微一端")
SLUGS = ("xmt", "xmtjz", "zwxmt", "xmtjz", "wxwb")
PLATFORMS = (("微信", ("微信公众号", "微信号", "公众号", "微信")), ("微博", ("新浪微博", "微博")),
             ("抖音", ("抖音号", "抖音")), ("今日头条", ("今日头条", "头条号")), ("快手", ("快手号", "快手")),
             ("视频号", ("视频号",)), ("哔哩哔哩", ("哔哩哔哩", "B站")), ("小红书", ("小红书",)),
             ("学习强国", ("学习强国",)), ("人民号", ("人民号",)), ("百家号", ("百家号",)), ("澎湃号", ("澎湃号",)))
PLATFORM_HOSTS = (("weibo.com", "微博"), ("weibo.cn", "微博"), ("mp.weixin.qq.com", "微信"), ("douyin.com", "抖音"),
                  ("toutiao.com", "今日头条"), ("kuaishou.com", "快手"), ("bilibili.com", "哔哩哔哩"))
_BLOCKS = "li, dd, td, p, figure, figcaption, div.item, div.ewm, span.name"
_NOISE = re.compile(r"[\s:：()（）\[\]【】“”\"'|·,，、/]+|二维码|扫码关注|扫一扫|关注|官方|账号|帐号|平台")
MAX_BLOCK_CHARS = 40
NOT_NAMES = frozenset({"我们", "本网", "本站", "网站", "更多", "移动端", "手机版"})


def _platforms_in(text: str) -> list[str]:
    return [name for name, words in PLATFORMS if any(w in text for w in words)]


def _name_of(text: str) -> str:
    for _, words in PLATFORMS:
        for word in words:
            text = text.replace(word, " ")
    return _NOISE.sub("", text)[:30]


def listed_accounts(page: Page) -> list[dict[str, Any]]:
    """Accounts a page lists: name, platforms, where seen. One per (name, platform set)."""
    found: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}

    def add(text: str, platforms: list[str], source: str) -> None:
        name = _name_of(text)
        if platforms and len(name) >= 2 and name not in NOT_NAMES:
            key = (name, tuple(platforms))
            found.setdefault(key, {"name": name, "platforms": platforms, "source": source, "page": page.url})

    for node in page.tree.css(_BLOCKS):
        text = clean_text(node.text(separator=" "))
        if not text or len(text) > MAX_BLOCK_CHARS:
            continue
        if any(_platforms_in(inner.text()) for inner in node.css(_BLOCKS) if inner.mem_id != node.mem_id):
            continue  # the inner block naming the platform is the account
        if node.css_first("a[href]") is not None and (find_dates(text) or len(text) > 20):
            continue  # a dated or long linked entry is a news item that mentions a platform
        add(text, _platforms_in(text), node.tag or "")
    for node in page.tree.css("img[alt], img[title]"):
        text = clean_text(node.attributes.get("alt") or node.attributes.get("title") or "")
        if len(text) <= MAX_BLOCK_CHARS:
            add(text, _platforms_in(text), "img")
    for link in page.links:
        host = url_host(link.url)
        for suffix, platform in PLATFORM_HOSTS:
            if host == suffix or host.endswith("." + suffix):
                named = len(_name_of(link.label)) >= 2
                add(link.label if named else f"{platform}账号 {host}{urlsplit(link.url).path}", [platform], "link")
    return list(found.values())


class NewMediaSettings(CheckSettings):
    max_pages: int = 2
    """Matrix pages opened (the best-ranked 新媒体 links)."""


class NewMedia(Check):
    id = "new_media"
    title_zh = "政务新媒体"
    title_en = "Government new-media accounts"
    basis = BASIS
    rules_section = "§7"
    description = __doc__ or ""
    Settings = NewMediaSettings

    async def run(self, ctx: SiteContext) -> CheckResult:
        settings: NewMediaSettings = ctx.settings  # type: ignore[assignment]
        home = await ctx.homepage()
        if not home.ok:
            return self.homepage_unreadable(home)
        page = home.page()
        accounts = listed_accounts(page)
        pages: list[dict[str, Any]] = []
        unreadable: list[str] = []
        for candidate in rank_links(page_anchor_links(page), NAMES, SLUGS, 60)[: settings.max_pages]:
            if url_host(candidate.url) != ctx.host:
                continue
            response = await ctx.fetch(candidate.url)
            entry: dict[str, Any] = {"url": candidate.url, "text": candidate.text, "status": response.status}
            pages.append(entry)
            if not response.ok:
                entry["problem"] = response.problem
                unreadable.append(f"{candidate.text}：{response.problem}")
                continue
            matrix = response.page()
            found = listed_accounts(matrix)
            entry["accounts"] = len(found)
            if not found and find_list_loader(matrix) is not None:
                entry["problem"] = "名录由脚本加载"
                unreadable.append(f"{candidate.text}：名录由脚本加载")
            known = {(a["name"], tuple(a["platforms"])) for a in accounts}
            accounts += [a for a in found if (a["name"], tuple(a["platforms"])) not in known]
        platforms = sorted({p for a in accounts for p in a["platforms"]})
        metrics = {"accounts": accounts, "platforms": platforms, "pages": pages, "activity_checked": False}
        off_site = "（账号在站外平台，gkaudit 不访问、不推断其更新情况）"
        if accounts:
            names = "、".join(f"{a['name']}（{'/'.join(a['platforms'])}）" for a in accounts[:6])
            return self.result(Status.PASS, f"列出 {len(accounts)} 个政务新媒体账号：{'、'.join(platforms)}",
                               [finding("info", f"网站列出的政务新媒体：{names}{off_site}",
                                        url=pages[0]["url"] if pages else home.url, data={"accounts": accounts})],
                               metrics)
        if unreadable:
            metrics["reason"] = "matrix_unreadable"
            return self.result(Status.INCONCLUSIVE, "新媒体页面无法读取：" + "；".join(unreadable),
                               [finding("info", "新媒体页面无法读取：" + "；".join(unreadable),
                                        url=pages[0]["url"])], metrics)
        return self.result(Status.WARN, "首页及新媒体页面未列出政务新媒体账号",
                           [finding("warn", "未找到政务新媒体名录（新媒体矩阵）。整改：在首页或“政务新媒体”页面公开本单位"
                                    "政务新媒体账号名称、平台及二维码。", rule=RULE, **home.evidence())], metrics)
