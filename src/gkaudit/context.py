"""SiteContext: everything a check may touch — the target, its settings, the network, the clock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from gkaudit.model import ScannerFacts
from gkaudit.net.cache import FetchCache
from gkaudit.net.dns import DnsAnswer, Family, Resolver
from gkaudit.net.dnsdirect import ask_server
from gkaudit.net.http import Fetcher, Response
from gkaudit.net.once import RecentlyUsed, once
from gkaudit.net.page import url_host
from gkaudit.net.probe import has_route
from gkaudit.net.render import Rendered, Renderer, RenderFailure
from gkaudit.net.tcp import TcpResult, tcp_connect
from gkaudit.settings import CheckSettings
from gkaudit.targets import Target

T = TypeVar("T")

MEMO_ENTRIES = 4096  # cross-site results kept (ScanEnv.memo): the hosts many sites link to stay


@dataclass
class ScanEnv:
    """What all sites of one scan share: network, clock, scanner facts, and a memo for cross-site results."""

    fetcher: Fetcher
    resolver: Resolver
    now: date
    scanner: ScannerFacts
    ipv6_control_url: str | None = None
    renderer: Renderer | None = None
    _memo: RecentlyUsed[Any, asyncio.Future[Any]] = field(default_factory=lambda: RecentlyUsed(MEMO_ENTRIES))

    async def memo(self, key: Any, compute: Callable[[], Awaitable[T]]) -> T:
        """Compute once per scan for `key` (e.g. the IPv6 state of a host linked from many sites), while
        it is among the MEMO_ENTRIES keys used last."""
        return await once(self._memo, key, compute)


@dataclass
class SiteContext:
    """One site as one check sees it. Checks get the network and the date only from here.

    `cache` holds the site's responses, shared by all its checks (with_settings keeps it); the runner
    clears it when the site is done, so memory does not grow with the number of sites.
    """

    target: Target
    env: ScanEnv
    settings: CheckSettings = field(default_factory=CheckSettings)
    cache: FetchCache = field(default_factory=FetchCache, repr=False)

    def with_settings(self, settings: CheckSettings) -> SiteContext:
        """The same site as one check sees it: with that check's validated settings."""
        return replace(self, settings=settings)

    @property
    def now(self) -> date:
        """The date rules are judged against (`--now`, default today)."""
        return self.env.now

    @property
    def scanner(self) -> ScannerFacts:
        return self.env.scanner

    @property
    def url(self) -> str:
        return self.target.url

    @property
    def host(self) -> str:
        return url_host(self.target.url)

    async def fetch(self, url: str, family: Family = "any", *, follow: bool = True,
                    verify: bool = True, method: str = "GET") -> Response:
        """One fetch through the scan's Fetcher, cached per site; `method="HEAD"` for link checks."""
        return await self.env.fetcher.fetch(url, family, follow=follow, verify=verify, method=method,
                                            cache=self.cache)

    async def homepage(self, family: Family = "any") -> Response:
        return await self.fetch(self.target.url, family)

    async def offload(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` off the event loop, within the parse budget: for any CPU work on page text
        (regexes over megabytes, a second parse). Raises PageTooComplex past the budget; the runner
        makes that `inconclusive` (reason page_too_complex)."""
        return await self.env.fetcher.offload(lambda: work(*args))

    @property
    def renderer(self) -> Renderer | None:
        """The scan's browser (None in scans built without one: then `render` always fails, saying so)."""
        return self.env.renderer

    async def render(self, url: str) -> Rendered | RenderFailure:
        """`url` as headless Chromium shows it, every request served by the Fetcher (see net/render.py)."""
        if self.env.renderer is None:
            return RenderFailure(url, "disabled", "本次扫描未启用浏览器渲染 / no renderer in this scan")
        return await self.env.renderer.render(url, cache=self.cache)

    async def resolve(self, name: str, rdtype: str) -> DnsAnswer:
        return await self.env.resolver.query(name, rdtype)

    async def memo(self, key: Any, compute: Callable[[], Awaitable[T]]) -> T:
        return await self.env.memo(key, compute)

    async def connect(self, address: str, port: int) -> TcpResult:
        """A bare TCP connect to an IP address (no DNS), behind the private-address guard."""
        return await tcp_connect(address, port, timeout=self.env.fetcher.options.timeout,
                                 allow_private=self.env.scanner.allow_private)

    def has_route(self, address: str) -> bool:
        """Whether this machine has a route to `address` (a UDP connect(); no packet leaves)."""
        return has_route(address)

    async def ask_nameserver(self, server: str, name: str, rdtype: str) -> DnsAnswer:
        """One query sent straight to the name server at IP `server` (port 53), bypassing the resolver."""
        return await ask_server(server, name, rdtype, timeout=min(3.0, self.env.fetcher.options.timeout),
                                allow_private=self.env.scanner.allow_private)
