"""A page as a browser shows it: headless Chromium whose every request is served by the Fetcher.

`Renderer(fetcher, options)` is one per scan. `await renderer.render(url)` returns a `Rendered`
(the DOM after scripts ran, as a `Page`, and the log of what the page asked for) or a
`RenderFailure` (why not: rendering disabled or unavailable, the page unreadable, the time budget
spent, the browser broke). It never raises for trouble on the page.

Contract:
- The browser never touches the network: `route('**/*')` hands every request to the Fetcher (same
  family as static reads, the private-address guard, the pinned resolver, politeness, the per-scan
  cache, `--allow-private`); a Fetcher failure aborts the request and is logged. Images, media,
  fonts and stylesheets are refused unfetched: the DOM does not need them. Other methods than
  GET/HEAD are refused (the Fetcher sends no request bodies) and logged.
- One browser per scan, started on the first render, closed by `aclose()` (the runner does, also
  on SIGTERM/SIGINT); at most `max_pages` pages at once; each page within `page_budget_s`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from gkaudit.net.browser import INSTALL_HINT, Browser, find_chromium, unavailable_reason
from gkaudit.net.cache import FetchCache
from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Fetcher, Response
from gkaudit.net.page import Page

RenderMode = Literal["auto", "never", "always"]
RENDER_MODES = ("auto", "never", "always")
SKIPPED_TYPES = frozenset({"image", "media", "font", "stylesheet", "manifest", "texttrack", "beacon", "ping"})
_DROPPED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding", "connection",
                              "keep-alive", "strict-transport-security", "alt-svc"})
_ABORT_REASONS = {
    FailureKind.DNS_NXDOMAIN: "namenotresolved", FailureKind.DNS_TIMEOUT: "namenotresolved",
    FailureKind.DNS_ERROR: "namenotresolved", FailureKind.NO_ADDRESS: "addressunreachable",
    FailureKind.CONNECT_REFUSED: "connectionrefused", FailureKind.CONNECT_TIMEOUT: "timedout",
    FailureKind.READ_TIMEOUT: "timedout", FailureKind.PRIVATE_ADDRESS: "blockedbyclient",
    FailureKind.UNSUPPORTED_URL: "blockedbyclient", FailureKind.BLOCKED: "accessdenied",
}
RENDERED_DETAIL = "浏览器渲染（Chromium）/ rendered in Chromium"


@dataclass(frozen=True)
class RenderOptions:
    """How a scan uses the browser. `chromium` None: found at first use (GKAUDIT_CHROMIUM, then PATH)."""

    mode: RenderMode = "auto"
    chromium: str | None = None
    page_budget_s: float = 20.0
    max_pages: int = 3
    settle_s: float = 0.3


@dataclass(frozen=True)
class Subrequest:
    """One request the rendered page made, as the Fetcher answered it (or why it was refused)."""

    url: str
    resource_type: str
    method: str
    status: int | None = None
    failure: str | None = None

    def as_evidence(self) -> dict[str, Any]:
        return {"url": self.url, "type": self.resource_type, "method": self.method, "status": self.status,
                "failure": self.failure}


@dataclass
class Rendered:
    """The page after its scripts ran. `settled`: the network went quiet within the time budget."""

    url: str
    final_url: str
    html: str
    response: Response
    requests: list[Subrequest] = field(default_factory=list)
    settled: bool = True
    elapsed_ms: int = 0
    script_errors: list[str] = field(default_factory=list)  # uncaught exceptions of the page's scripts

    def page(self) -> Page:
        return Page(self.final_url, self.html, status=self.response.status)

    @property
    def failed_requests(self) -> list[Subrequest]:
        """Requests the page's scripts or frames needed that got no usable answer (refused types excluded)."""
        return [r for r in self.requests if r.resource_type not in SKIPPED_TYPES
                and (r.failure is not None or (r.status is not None and r.status >= 400))]

    def evidence_data(self) -> dict[str, Any]:
        """What `data` of a finding from this render carries: that it was rendered, and what the page loaded."""
        return {"rendered": True, "browser": "chromium", "settled": self.settled, "elapsed_ms": self.elapsed_ms,
                "requests": len(self.requests),
                "failed_requests": [r.as_evidence() for r in self.failed_requests[:8]],
                **({"script_errors": self.script_errors[:3]} if self.script_errors else {})}


@dataclass(frozen=True)
class RenderFailure:
    """Why a page was not rendered. `kind`: disabled, unavailable, document, timeout, browser."""

    url: str
    kind: str
    reason: str

    def __bool__(self) -> bool:  # `if rendered:` reads as "it rendered"
        return False


class Renderer:
    """The browser of one scan. Use as an async context manager, or call `aclose()`."""

    def __init__(self, fetcher: Fetcher, options: RenderOptions | None = None) -> None:
        self.fetcher = fetcher
        self.options = options or RenderOptions()
        self.launches = 0
        self.rendered = 0
        self.wanted = 0  # pages that needed the browser while none was available (auto without Chromium)
        self._browser: Browser | None = None
        self._context: Any = None
        self._starting: asyncio.Future[Any] | None = None
        self._slots = asyncio.Semaphore(max(1, self.options.max_pages))
        self._logs: dict[Any, list[Subrequest]] = {}
        self._closed = False
        self._unavailable: str | None = None
        if self.options.mode != "never":
            self._unavailable = unavailable_reason(chromium=self.options.chromium)

    async def __aenter__(self) -> Renderer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def mode(self) -> RenderMode:
        return self.options.mode

    @property
    def always(self) -> bool:
        return self.options.mode == "always"

    @property
    def unavailable(self) -> str | None:
        """Why this scan cannot render (disabled, no Playwright, no Chromium), or None when it can."""
        if self.options.mode == "never":
            return "已用 --render never 关闭浏览器渲染 / rendering disabled (--render never)"
        return self._unavailable

    async def render(self, url: str, cache: FetchCache | None = None) -> Rendered | RenderFailure:
        """The page at `url` as Chromium shows it, within the page budget; a RenderFailure says why not."""
        if (why := self.unavailable) is not None:
            kind = "disabled" if self.options.mode == "never" else "unavailable"
            self.wanted += kind == "unavailable"
            return RenderFailure(url, kind, why)
        document = await self.fetcher.fetch(url, cache=cache)  # the static read's own fetch (the site's cache)
        if not document.ok:
            return RenderFailure(url, "document", f"页面无法读取 / page not readable: {document.problem}")
        if not document.is_html:
            return RenderFailure(url, "document", f"不是网页 / not a web page: {document.content_type}")
        async with self._slots:
            try:
                context = await self._ensure_context()
            except Exception as exc:
                self._unavailable = f"Chromium 无法启动 / Chromium failed to start: {_one_line(exc)}; {INSTALL_HINT}"
                return RenderFailure(url, "unavailable", self._unavailable)
            return await self._render_page(context, url, document)

    async def aclose(self) -> None:
        """Close the browser (if it was started); no Chromium process of this scan survives it."""
        self._closed = True
        starting, self._starting = self._starting, None
        if starting is not None and not starting.done():
            starting.cancel()
        if self._browser is not None:
            browser, self._browser, self._context = self._browser, None, None
            await browser.close()

    # --- the browser ---------------------------------------------------------------------------
    async def _ensure_context(self) -> Any:
        if self._closed:
            raise RuntimeError("renderer closed")
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._launch())
        return await asyncio.shield(self._starting)

    async def _launch(self) -> Any:
        chromium = self.options.chromium or find_chromium()
        if chromium is None:
            raise RuntimeError("Chromium not found")
        self._browser = Browser(chromium)
        self.launches += 1
        context = await self._browser.start()
        await context.route("**/*", self._serve)
        self._context = context
        return context

    async def _render_page(self, context: Any, url: str, document: Response) -> Rendered | RenderFailure:
        started = time.monotonic()
        budget = self.options.page_budget_s
        try:
            page = await context.new_page()
        except Exception as exc:  # the browser crashed or was closed under us
            return RenderFailure(url, "browser", f"浏览器无法打开新页面 / no new page: {_one_line(exc)}")
        log: list[Subrequest] = []
        self._logs[page] = log
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(_one_line(error)[:200]))
        settled = True
        try:
            try:
                await page.goto(document.final_url, wait_until="load", timeout=budget * 1000)
            except Exception as exc:
                if "Timeout" not in type(exc).__name__:
                    return RenderFailure(url, "browser", f"浏览器打开页面失败 / navigation failed: {_one_line(exc)}")
                settled = False
            remaining = budget - (time.monotonic() - started)
            if settled:
                try:
                    await page.wait_for_load_state("networkidle", timeout=max(0.1, remaining) * 1000)
                    await asyncio.sleep(self.options.settle_s)  # DOM updates queued by the last responses
                except Exception:
                    settled = False
            try:
                html = await asyncio.wait_for(page.content(), timeout=5)
            except Exception as exc:
                return RenderFailure(url, "timeout", f"渲染超时（{budget:.0f} 秒）/ render budget spent: "
                                                     f"{_one_line(exc)}")
            self.rendered += 1
            return Rendered(url, page.url, html, document, list(log), settled,
                            int((time.monotonic() - started) * 1000), list(errors))
        finally:
            self._logs.pop(page, None)
            try:
                await asyncio.wait_for(page.close(), timeout=5)
            except Exception:
                pass

    async def _serve(self, route: Any) -> None:
        """Answer one browser request through the Fetcher (or refuse it), and log it for its page."""
        request = route.request
        log = self._log_for(request)
        entry = dict(url=request.url, resource_type=request.resource_type, method=request.method)
        try:
            if request.resource_type in SKIPPED_TYPES:
                log.append(Subrequest(**entry, failure="skipped"))
                await route.abort("blockedbyclient")
                return
            if request.method not in ("GET", "HEAD"):
                log.append(Subrequest(**entry, failure=f"method_not_supported: {request.method}"))
                await route.abort("blockedbyclient")
                return
            response = await self.fetcher.fetch(request.url, method=request.method)
            if response.status is None or (response.failure is not None and response.failure is not FailureKind.BLOCKED):
                kind = response.failure or FailureKind.CONNECTION_ERROR
                log.append(Subrequest(**entry, status=response.status, failure=kind.value))
                await route.abort(_ABORT_REASONS.get(kind, "failed"))
                return
            log.append(Subrequest(**entry, status=response.status,
                                  failure=response.failure.value if response.failure else None))
            headers = {k: v for k, v in response.headers.items() if k not in _DROPPED_HEADERS}
            # redirects were followed by the Fetcher: the browser gets the destination's answer
            status = 200 if response.redirects and response.status < 300 else response.status
            await route.fulfill(status=status, headers=headers, body=response.body)
        except Exception:  # the page closed meanwhile, or the browser went away: nothing left to answer
            return

    def _log_for(self, request: Any) -> list[Subrequest]:
        try:
            return self._logs.get(request.frame.page, [])
        except Exception:  # a request without a frame (a worker): logged nowhere, still served by the Fetcher
            return []


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]
