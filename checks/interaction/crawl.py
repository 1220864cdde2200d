"""Gathering for the interaction check: the 咨询/建言/留言 channels and the published message lists.

Contract: `InteractionCrawler(ctx, settings)`; `await gather(home)` fills `.channels`, `.lists`,
`.messages` and `.unreadable` (why a list could not be read). Every fetch goes through `ctx.fetch`
and counts against `settings.max_fetches`. Judging lives in __init__.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gkaudit.checks.interaction.messages import Message, complete_from_detail, read_messages
from gkaudit.columns.find import Candidate, image_anchor_links, page_anchor_links, rank_links
from gkaudit.columns.items import pagination
from gkaudit.columns.listing import endpoint_page, find_list_loader, hanweb_records_page, page_script_text
from gkaudit.columns.read import soft_404_reason
from gkaudit.context import SiteContext
from gkaudit.net.domains import is_internal, site_domain
from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Response
from gkaudit.net.page import Page, url_host

HUB_NAMES = ("互动交流", "政民互动", "互动回应", "公众参与", "互动")
HUB_SLUGS = ("hdjl", "zmhd", "hdhy", "gzcy", "hudong")
CHANNEL_NAMES = ("在线咨询", "政务咨询", "咨询投诉", "网上咨询", "我要咨询", "咨询建言", "建言献策", "我要建言",
                 "书记信箱", "区长信箱", "市长信箱", "县长信箱", "领导信箱", "主任信箱", "局长信箱", "部门信箱",
                 "留言板", "网民留言", "我要留言", "在线留言", "12345", "民意征集", "政民互动", "咨询")
CHANNEL_SLUGS = ("zxzx", "zwzx", "jyxc", "ldxx", "qzxx", "szxx", "sjxx", "zrxx", "jzxx", "lyb", "liuyan", "zxts",
                 "wyzx", "wyly", "12345")
LIST_NAMES = ("留言选登", "咨询选登", "信件选登", "来信选登", "留言公开", "信件公开", "来信公开", "回复选登",
              "咨询回复", "答复公开", "办理公开", "留言列表", "信件列表", "咨询列表", "网民留言")
LIST_SLUGS = ("lyxd", "xjxd", "zxxd", "lxxd", "lygk", "xjgk", "dfgk", "hfxd", "lylb", "xjlb")
# 网上信访 and 纪检举报 are not consultation channels (国办秘函〔2019〕19号).
NOT_CHANNEL = ("信访", "举报", "纪检", "纪委", "监委", "监察")
MIN_SCORE = 60  # named in the link text: a slug alone (40) is not enough


@dataclass
class Channel:
    """A 咨询/建言/留言 channel link and what opening it showed."""

    url: str
    text: str
    kind: str  # channel | hub | list
    status: int | None = None
    state: str = "unread"  # working, dead, soft_404, blocked, unread
    reason: str = ""
    off_site: bool = False
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_evidence(self) -> dict[str, Any]:
        return {"url": self.url, "text": self.text, "kind": self.kind, "state": self.state,
                "status": self.status, "off_site": self.off_site, "reason": self.reason or None}


@dataclass
class MessageList:
    url: str
    text: str
    pages: list[str] = field(default_factory=list)
    messages: int = 0
    problem: str | None = None  # why it could not be read (blocked, script, dead)
    undecided: bool = False  # the problem says nothing about the site (blocked, script-only)

    def as_evidence(self) -> dict[str, Any]:
        return {"url": self.url, "text": self.text, "pages": self.pages, "messages": self.messages,
                "problem": self.problem}


def _excluded(candidate: Candidate) -> bool:
    return any(word in candidate.text for word in NOT_CHANNEL)


def _rank(page: Page, names: tuple[str, ...], slugs: tuple[str, ...]) -> list[Candidate]:
    links = page_anchor_links(page) + image_anchor_links(page)
    return [c for c in rank_links(links, names, slugs, MIN_SCORE) if not _excluded(c)]


class InteractionCrawler:
    """Collects channels and messages for one site within a fetch budget."""

    def __init__(self, ctx: SiteContext, settings: Any) -> None:
        self.ctx = ctx
        self.settings = settings
        self.fetched: list[str] = []
        self.channels: list[Channel] = []
        self.lists: list[MessageList] = []
        self.messages: dict[str, Message] = {}
        self.excluded: list[str] = []
        self.home: Response | None = None

    async def fetch(self, url: str) -> Response | None:
        if url not in self.fetched and len(self.fetched) >= self.settings.max_fetches:
            return None
        if url not in self.fetched:
            self.fetched.append(url)
        return await self.ctx.fetch(url)

    async def gather(self, home: Response) -> None:
        self.home = home
        page = home.page()
        self.excluded = [link.label for link in page.links if any(w in link.label for w in NOT_CHANNEL)
                         and len(link.label) <= 12]
        hubs = _rank(page, HUB_NAMES, HUB_SLUGS)[:2]
        self._add(_rank(page, CHANNEL_NAMES, CHANNEL_SLUGS), "channel")
        self._add(hubs, "hub")
        self._add(_rank(page, LIST_NAMES, LIST_SLUGS), "list")
        for channel in list(self.channels):
            if channel.kind == "hub" or channel.kind == "channel":
                opened = await self._open(channel)
                if opened is not None and is_internal(url_host(channel.url), site_domain(self.ctx.host)):
                    self._add(_rank(opened, CHANNEL_NAMES, CHANNEL_SLUGS), "channel")
                    self._add(_rank(opened, LIST_NAMES, LIST_SLUGS), "list")
                    if read_messages(opened, now=self.ctx.now):
                        self._add([Candidate(channel.url, channel.text, 0)], "list")
            if len(self.fetched) >= self.settings.max_fetches:
                break
        for channel in self.channels:
            if channel.state == "unread" and channel.kind == "channel":
                await self._open(channel)
        for channel in [c for c in self.channels if c.kind == "list"][: self.settings.max_lists]:
            await self._read_list(channel)
        await self._complete_details()

    def _add(self, candidates: list[Candidate], kind: str) -> None:
        known = {(c.url, c.kind == "list") for c in self.channels}
        for candidate in candidates:
            key = (candidate.url, kind == "list")
            if key in known or len(self.channels) >= self.settings.max_channels:
                continue
            off_site = url_host(candidate.url) != self.ctx.host
            self.channels.append(Channel(candidate.url, candidate.text, kind, off_site=off_site))
            known.add(key)

    async def _open(self, channel: Channel) -> Page | None:
        """Open a channel or hub page; the page when it works, else None (state says why)."""
        response = await self.fetch(channel.url)
        if response is None:
            channel.reason = "抓取预算已用完"
            return None
        channel.status, channel.evidence = response.status, response.evidence()
        if response.failure is FailureKind.BLOCKED:
            channel.state, channel.reason = "blocked", f"被反爬虫网关拦截：{response.detail}"
            return None
        if not response.ok:
            channel.state, channel.reason = "dead", response.problem
            return None
        if reason := soft_404_reason(response, self.home):
            channel.state, channel.reason = "soft_404", reason
            return None
        channel.state = "working"
        return response.page()

    async def _read_list(self, channel: Channel) -> None:
        listed = MessageList(channel.url, channel.text)
        self.lists.append(listed)
        urls = [channel.url]
        while urls and len(listed.pages) < self.settings.max_list_pages:
            url = urls.pop(0)
            response = await self.fetch(url)
            if response is None:
                listed.problem, listed.undecided = "抓取预算已用完", True
                return
            if not response.ok:
                blocked = response.failure is FailureKind.BLOCKED
                listed.problem, listed.undecided = response.problem, blocked or (response.status or 0) >= 500
                if channel.state == "unread":
                    channel.state = "blocked" if blocked else "dead"
                return
            channel.state = "working" if channel.state == "unread" else channel.state
            page = response.page()
            listed.pages.append(url)
            messages = read_messages(page, named_list=channel.kind == "list" and channel.text != "", now=self.ctx.now)
            if not messages and len(listed.pages) == 1:
                await self._read_scripted(listed, page)
                return
            for message in messages:
                self.messages.setdefault(message.url, message)
            listed.messages += len(messages)
            if len(listed.pages) == 1:
                urls = pagination(page, limit=self.settings.max_list_pages).urls

    async def _read_scripted(self, listed: MessageList, page: Page) -> None:
        """A list filled by script: Hanweb records inlined in the page, or a known endpoint; else undecided."""
        messages = []
        if (inline := hanweb_records_page(page_script_text(page), page.base_url)) is not None:
            messages = read_messages(inline, now=self.ctx.now)
        loader = find_list_loader(page) if not messages else None
        if loader is not None and loader.known:
            response = await self.fetch(loader.endpoint)  # type: ignore[arg-type]
            if response is not None and response.ok:
                listed.pages.append(loader.endpoint)  # type: ignore[arg-type]
                messages = read_messages(endpoint_page(loader, response), now=self.ctx.now)
        if messages:
            for message in messages:
                self.messages.setdefault(message.url, message)
            listed.messages += len(messages)
        elif loader is not None:
            how = "接口无法读取" if loader.known else "接口未知"
            listed.problem = f"留言列表由脚本加载（{loader.kind}，{how}），无法读出留言日期与状态"
            listed.undecided = True

    async def _complete_details(self) -> None:
        """Open the pages of messages whose list row shows no status, up to `max_detail_pages`."""
        # oldest first: the veto concerns the longest-waiting message
        pending = sorted((m for m in self.messages.values() if m.state == "unknown"),
                         key=lambda m: m.asked or date.max)[: self.settings.max_detail_pages]
        for message in pending:
            response = await self.fetch(message.url)
            if response is not None and response.ok:
                complete_from_detail(message, response.page(), self.ctx.now)
