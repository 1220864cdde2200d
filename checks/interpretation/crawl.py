"""Gathering for the interpretation check: find and read the policy-document and interpretation columns.

Contract: `PolicyCrawler(ctx, settings)`; `await find(home)` ranks both columns on the homepage, then
on the disclosure column (`disclosure_url` or its homepage link) and its 法定主动公开内容 page;
`await read(url)` reads a column with `gkaudit.columns.read.read_column` (pagination, script lists);
`await page(url)` fetches a document or interpretation page. Every fetch counts against `max_fetches`.
"""

from __future__ import annotations

from typing import Any

from gkaudit.checks.disclosure import vocabulary as disclosure_data
from gkaudit.columns.find import Candidate, page_anchor_links, rank_links
from gkaudit.columns.read import ColumnRead, read_column
from gkaudit.context import SiteContext
from gkaudit.net.http import Response
from gkaudit.net.page import Page

POLICY_NAMES = ("政策文件", "行政规范性文件", "规范性文件", "政府文件", "区政府文件", "市政府文件", "政府规章",
                "区政府办文件", "市政府办公厅文件", "文件发布")
POLICY_SLUGS = ("zcwj", "gfxwj", "xzgfxwj", "zfwj", "qzfwj", "szfwj", "zfgz", "wjfb")
INTERP_NAMES = ("政策解读", "解读回应", "文件解读", "政策图解", "图文解读", "解读")
INTERP_SLUGS = ("zcjd", "wjjd", "jdhy", "tjjd", "jd")
MIN_SCORE = 60


def _best(page: Page, names: tuple[str, ...], slugs: tuple[str, ...], avoid: tuple[str, ...] = ()) -> Candidate | None:
    for candidate in rank_links(page_anchor_links(page), names, slugs, MIN_SCORE):
        if not any(word in candidate.text for word in avoid):
            return candidate
    return None


class PolicyCrawler:
    """Finds and reads the two columns for one site within a fetch budget."""

    def __init__(self, ctx: SiteContext, settings: Any) -> None:
        self.ctx = ctx
        self.settings = settings
        self.fetched: list[str] = []
        self.policy: Candidate | None = None
        self.interp: Candidate | None = None
        self.looked_at: list[str] = []
        self.home: Response | None = None

    @property
    def budget_left(self) -> bool:
        return len(self.fetched) < self.settings.max_fetches

    async def fetch(self, url: str) -> Response | None:
        if url not in self.fetched and not self.budget_left:
            return None
        if url not in self.fetched:
            self.fetched.append(url)
        return await self.ctx.fetch(url)

    async def find(self, home: Response) -> None:
        self.home = home
        pages = [home.page()]
        self.looked_at.append(home.url)
        self._rank(pages[0])
        if self.policy and self.interp:
            return
        column = self.ctx.target.disclosure_url
        if column is None:
            found = _best(pages[0], disclosure_data.COLUMN.names, disclosure_data.COLUMN.slugs,
                          disclosure_data.COLUMN.exclude)
            column = found.url if found else None
        for url in [column]:
            if url is None:
                continue
            page = await self._open(url)
            if page is None:
                continue
            self._rank(page)
            statutory = _best(page, disclosure_data.STATUTORY.names, disclosure_data.STATUTORY.slugs)
            if statutory and not (self.policy and self.interp):
                inner = await self._open(statutory.url)
                if inner is not None:
                    self._rank(inner)

    async def _open(self, url: str) -> Page | None:
        response = await self.fetch(url)
        if response is None or not response.ok:
            return None
        self.looked_at.append(url)
        return response.page()

    def _rank(self, page: Page) -> None:
        if self.policy is None:
            self.policy = _best(page, POLICY_NAMES, POLICY_SLUGS, ("解读",))
        if self.interp is None:
            self.interp = _best(page, INTERP_NAMES, INTERP_SLUGS)

    async def read(self, url: str) -> ColumnRead:
        """Read a column (pagination, script lists); a page of sub-columns is read through its first child."""
        self.fetched.append(url)

        async def fetch(target: str) -> Response:
            if target not in self.fetched:
                self.fetched.append(target)
            return await self.ctx.fetch(target)

        read = await read_column(fetch, url, self.home, max_pages=self.settings.max_list_pages, allow_directory=True,
                                 now=self.ctx.now, render=self.ctx.renderer)
        if not read.dated and read.children and self.budget_left:  # a directory of sub-columns: its first list
            child = await read_column(fetch, read.children[0], self.home, max_pages=self.settings.max_list_pages,
                                      now=self.ctx.now, render=self.ctx.renderer)
            if child.dated:
                return child
        return read

    async def page(self, url: str) -> Page | None:
        """A document or interpretation page, or None (unreadable, or the budget is spent)."""
        response = await self.fetch(url)
        return response.page() if response is not None and response.ok else None
