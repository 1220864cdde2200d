"""Script-built navigation in the disclosure audit: when a page needs the browser, and what the browser saw."""

from __future__ import annotations

from gkaudit.check import finding
from gkaudit.checks.disclosure import vocabulary as data
from gkaudit.context import SiteContext
from gkaudit.model import Finding
from gkaudit.net.page import Page
from gkaudit.net.render import RENDERED_DETAIL, Rendered


class Renders:
    """The browser as one disclosure audit uses it: each page rendered at most once, each render reported.

    `await renders.page(page, what)`: `page` as Chromium shows it, or None (with an info finding saying
    why) when it cannot be rendered, was rendered before, or rendering is off (`--render never`).
    """

    def __init__(self, ctx: SiteContext, findings: list[Finding]) -> None:
        self.ctx = ctx
        self.findings = findings
        self.done: set[str] = set()

    @property
    def always(self) -> bool:
        return self.ctx.renderer is not None and self.ctx.renderer.always

    async def page(self, page: Page, what: str = "页面") -> Page | None:
        return await self.by_url(page.url, what, page.status)

    async def by_url(self, url: str, what: str = "页面", status: int | None = None) -> Page | None:
        """The page at `url` as Chromium shows it (the `render(url) -> Page | None` hook shape), reported."""
        if self.ctx.renderer is None or self.ctx.renderer.mode == "never" or url in self.done:
            return None
        self.done.add(url)
        rendered = await self.ctx.render(url)
        if not isinstance(rendered, Rendered):
            self.findings.append(finding("info", f"{what}由脚本生成，未能用浏览器渲染：{rendered.reason}",
                                         rule=data.RULE_COLUMN, url=url, http_status=status,
                                         data={"render_failure": rendered.kind}))
            return None
        result = rendered.page()
        self.done.add(result.url)
        self.findings.append(finding("info", f"{what}经浏览器渲染读取（{len(result.links)} 个链接）",
                                     rule=data.RULE_COLUMN, url=url, http_status=rendered.response.status,
                                     detail=RENDERED_DETAIL, data=rendered.evidence_data()))
        return result
