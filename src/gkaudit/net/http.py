"""Fetcher: the one place gkaudit speaks HTTP.

It pins address families through our resolver (Host header and TLS SNI stay the hostname),
keeps to politeness limits, retries only transient failures, caps size, time and redirects,
classifies every failure, refuses non-public addresses unless allowed, and fetches each
(URL, family) once per scan.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from gkaudit import __version__
from gkaudit.net.antibot import detect_antibot
from gkaudit.net.cache import FetchCache, HopResult, RequestKey
from gkaudit.net.classify import classify_httpx_error, parse_retry_after, url_problem
from gkaudit.net.client import ScanClient, build_client
from gkaudit.net.decode import CappedDecoder
from gkaudit.net.dns import Family, Resolver
from gkaudit.net.failures import FailureKind, NetError
from gkaudit.net.once import once
from gkaudit.net.page import Page, url_host
from gkaudit.net.parse import PageTooComplex, Parsed, parse_body
from gkaudit.net.polite import Politeness, RequestStart
from gkaudit.net.pool import ensure_open_files, sockets_needed
from gkaudit.net.response import Hop, Response
from gkaudit.net.standins import stand_in_answer, stand_in_keys
from gkaudit.net.workers import PoolExhausted, WorkerPool

T = TypeVar("T")
__all__ = ["USER_AGENT", "FetchOptions", "Fetcher", "Hop", "Response"]

USER_AGENT = f"gkaudit/{__version__} (+government website disclosure audit; https://pypi.org/project/gkaudit/)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RECENT_PAGES_PER_SLOT = 2  # parsed pages kept alive per request slot: a tree is a MiB, a reparse costs CPU
# A request's first use of the network: its connect, or its request line on a kept-alive connection.
FIRST_NETWORK_EVENTS = frozenset({"connection.connect_tcp.started", "http11.send_request_headers.started"})


@dataclass(frozen=True)
class FetchOptions:
    """Politeness and safety limits for one scan."""

    timeout: float = 10.0
    concurrency: int = 16
    per_host: int = 2
    per_host_interval: float = 0.2
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 30.0
    max_bytes: int = 5_000_000
    max_redirects: int = 10
    user_agent: str = USER_AGENT
    allow_private: bool = False
    ca_bundle: str | None = None
    parse_budget: float = 10.0  # seconds of parser time per page; past it the page is page_too_complex


class Fetcher:
    """Shared by every check of a scan. Use as an async context manager, or call aclose()."""

    def __init__(self, resolver: Resolver, options: FetchOptions | None = None) -> None:
        self.resolver = resolver
        self.options = options or FetchOptions()
        self._clients: dict[tuple[Family, bool], ScanClient] = {}
        self._cache = FetchCache()  # for callers outside a site (the scanner probe, tests)
        # idle keep-alive sockets of the sites in flight (net/pool.py) must fit the open-file limit
        ensure_open_files(sockets_needed(self.options.concurrency, self.options.per_host))
        self._polite = Politeness(self.options.concurrency, self.options.per_host,
                                  self.options.per_host_interval)
        self._parser = WorkerPool(workers=2)
        self._recent_pages: OrderedDict[int, Page] = OrderedDict()  # strong refs to the last parsed pages
        self.requests_sent = 0

    @property
    def saturated(self) -> bool:
        """All global request slots are busy and requests are queued for them (more sites would only wait)."""
        return self._polite.saturated

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
        self._parser.close()
        self._recent_pages.clear()

    async def fetch(self, url: str, family: Family = "any", *, follow: bool = True, verify: bool = True,
                    method: str = "GET", cache: FetchCache | None = None) -> Response:
        """Fetch `url` over `family`, following redirects (HTTP, meta refresh, simple script) when `follow`.

        Never raises for network trouble: the Response carries a classified failure instead.
        Results are kept in `cache` (a site's; default: this fetcher's own) and shared by concurrent
        callers. One request per (method, URL, family, verify) and cache: a followed fetch is built
        from cached single hops, and a request may be answered by another family's or a GET (net/standins.py).
        `elapsed_ms` is the time of the exchanges themselves (summed over hops), not time queued.
        """
        cache = cache if cache is not None else self._cache
        key = (method, url, family, verify)
        if not follow:
            return (await self._hop(cache, key)).response
        return await once(cache.chains, key, lambda: self._follow(cache, key))

    async def _follow(self, cache: FetchCache, key: RequestKey) -> Response:
        method, url, family, verify = key
        hops: list[Hop] = []
        seen = {url}
        current = url
        elapsed = 0
        timing: dict[str, Any] = {}  # a chain's connect, first byte and reuse are its first request's
        while True:
            hop = await self._hop(cache, (method, current, family, verify))
            response, target, kind = hop.response, hop.target, hop.kind
            timing = timing or response.connection_timing()
            elapsed += response.elapsed_ms
            if response.failure is not None:
                target = None
            if not hops and target is None and not _is_redirect_status(response):
                return response  # no redirect: the chain is its one hop, shared as is
            response = replace(response, url=url, redirects=list(hops), elapsed_ms=elapsed, **timing)
            if response.failure is not None:
                return response
            if target is None:
                if _is_redirect_status(response):  # nowhere to go: not an answer
                    response.failure = FailureKind.HTTP_STATUS
                    response.detail = f"HTTP {response.status} 没有可用的 Location / redirect without a usable Location"
                return response
            hops.append(Hop(current, response.status, kind, target))
            response.redirects = list(hops)
            if problem := url_problem(target):  # javascript:, mailto:, A:0, a broken host: the answer is this one
                response.failure = FailureKind.UNSUPPORTED_URL
                response.detail = f"重定向的 Location 无法访问 / redirect Location cannot be fetched: {problem}"
                return response
            if target in seen or len(hops) > self.options.max_redirects:
                why = "重定向循环 / redirect loop" if target in seen else f"超过 {self.options.max_redirects} 次"
                response.failure, response.detail = FailureKind.TOO_MANY_REDIRECTS, f"{why}: {target}"
                return response
            seen.add(target)
            current = target

    async def _hop(self, cache: FetchCache, key: RequestKey) -> HopResult:
        """One exchange for `key`, parsed, with where it redirects to; cached. Answered by a stand-in
        family's exchange where one is equivalent: the stand-ins already asked for when this request is
        first made (taken before it is entered in the cache), so two requests never wait for each other.
        """
        stand_ins = [] if key in cache.hops else [(k, cache.hops[k]) for k in stand_in_keys(key) if k in cache.hops]
        return await once(cache.hops, key, lambda: self._exchange(key, stand_ins))

    async def _exchange(self, key: RequestKey,
                        stand_ins: list[tuple[RequestKey, asyncio.Future[HopResult]]]) -> HopResult:
        method, url, family, verify = key
        for other, pending in stand_ins:
            try:
                candidate = await asyncio.shield(pending)
            except asyncio.CancelledError:
                if not pending.cancelled():
                    raise
                continue
            except Exception:  # that request broke in itself; make our own
                continue
            if answer := stand_in_answer(candidate, other, key):
                return answer
        response = await self._request_with_retries(url, family, verify, method)
        parsed = await self._parse(response, redirects=True)
        target, kind = self._redirect_target(response, parsed) if response.failure is None else (None, "")
        return HopResult(response, target, kind)

    async def _parse(self, response: Response, redirects: bool) -> Parsed | None:
        """Parse a text body in a worker thread within the budget; a page past it is `page_too_complex`."""
        if response.failure is not None or not response.body or not response.is_text:
            return None
        url, body, content_type, status = response.final_url, response.body, response.content_type, response.status
        wants_redirects = redirects and status == 200 and response.is_html
        try:
            parsed = await self._parser.run(lambda: parse_body(url, body, content_type, status, wants_redirects),
                                            self.options.parse_budget)
        except (PageTooComplex, PoolExhausted) as exc:
            response.failure, response.detail = FailureKind.PAGE_TOO_COMPLEX, str(exc)
            return None
        except TimeoutError:
            response.failure = FailureKind.PAGE_TOO_COMPLEX
            response.detail = f"解析超过 {self.options.parse_budget:g} 秒 / parsing took over the budget"
            return None
        response._page = weakref.ref(parsed.page)
        self._recent_pages[id(parsed.page)] = parsed.page
        while len(self._recent_pages) > RECENT_PAGES_PER_SLOT * self.options.concurrency:
            self._recent_pages.popitem(last=False)
        return parsed

    async def offload(self, work: Callable[[], T]) -> T:
        """Run CPU work on page text in the parse workers, within the parse budget (never on the event
        loop); PageTooComplex when it runs past the budget or every worker is stuck."""
        try:
            return await self._parser.run(work, self.options.parse_budget)
        except TimeoutError:
            raise PageTooComplex(f"处理页面文本超过 {self.options.parse_budget:g} 秒 / over the budget") from None
        except PoolExhausted as exc:
            raise PageTooComplex(str(exc)) from None

    def _redirect_target(self, response: Response, parsed: Parsed | None) -> tuple[str | None, str]:
        """Where `response` sends the client next, and how; (None, "") when it is the destination.

        A `<meta refresh>` or script that points back at the page itself is a periodic reload
        (news portals refresh their homepage every few minutes), not a redirect. A `<frameset>`
        page leads to its main frame (domain forwarding wraps a whole site in one).
        """
        if response.status in (301, 302, 303, 307, 308):
            location = response.headers.get("location", "").strip()
            if not location:
                return None, ""
            try:
                return urljoin(response.final_url, location), "http"
            except ValueError:  # "http://[::1/": the next request classifies it as unsupported_url
                return location, "http"
        if response.status == 200 and response.is_html and parsed is not None:
            candidates = ((parsed.meta_refresh, "meta"), (parsed.script_redirect, "script"),
                          (parsed.frame_target, "frame"))
            for target, kind in candidates:
                if target and urldefrag(target).url != urldefrag(response.final_url).url:
                    return target, kind
        return None, ""

    async def _request_with_retries(self, url: str, family: Family, verify: bool, method: str) -> Response:
        if problem := url_problem(url):
            return Response(url, family, url, failure=FailureKind.UNSUPPORTED_URL, detail=problem, method=method)
        attempt = 0
        while True:
            response = await self._polite_request(url, family, verify, method)
            response.attempts = attempt + 1
            delay = self._retry_delay(response, attempt)
            if delay is None:
                return response
            attempt += 1
            await asyncio.sleep(delay)

    def _retry_delay(self, response: Response, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when the failure is not transient or retries are spent."""
        if attempt >= self.options.retries:
            return None
        transient = (response.failure is not None and response.failure.transient) or (
            response.failure is None and response.status in RETRY_STATUSES)
        if not transient:
            return None
        backoff = self.options.backoff * (2 ** attempt)
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is not None:
            if retry_after > self.options.max_retry_after:
                return None
            return max(backoff, retry_after)
        return backoff

    async def _polite_request(self, url: str, family: Family, verify: bool, method: str) -> Response:
        async with self._polite.slot(url_host(url)) as start:
            response = await self._request(url, family, verify, method, start)
            if response.failure is not None and response.failure.before_contact:
                start.no_contact()  # the host never saw it: no politeness gap for its next request
            return response

    async def _request(self, url: str, family: Family, verify: bool, method: str, start: RequestStart) -> Response:
        """One exchange. Its time limit and `elapsed_ms` run from when it holds a global request slot
        (taken at its first network event), so time queued for a slot is never a timeout."""
        response = Response(url=url, family=family, final_url=url, method=method)  # url_problem() vetted `url`
        parts = urlsplit(url)
        timings: dict[str, float] = {}
        started = time.monotonic()
        limit = self.options.timeout * 3
        deadline = asyncio.timeout(limit)  # entered around the exchange below, where `trace` runs

        async def trace(event: str, info: dict[str, Any]) -> None:
            nonlocal started
            if event in FIRST_NETWORK_EVENTS and not start.connected:
                deadline.reschedule(None)  # waiting for a slot is not this request's time
                await start.connect()
                started = time.monotonic()
                deadline.reschedule(asyncio.get_running_loop().time() + limit)
            timings.setdefault(event, time.monotonic())
            if event == "http11.send_request_headers.started":
                start()  # politeness spacing counts from here

        client = self._client(family, verify)
        self.requests_sent += 1
        try:
            async with deadline:
                request = client.build_request(method, url, extensions={"trace": trace})
                client.host_cookies.add_header(request)
                http_response = await client.send(request, stream=True)
                client.host_cookies.extract(http_response)
                try:
                    response.status = http_response.status_code
                    response.headers = {k.lower(): v for k, v in http_response.headers.items()}
                    response.address = _peer_address(http_response)
                    response.tls_verified = verify if parts.scheme == "https" else None
                    response.body = await self._read_capped(http_response, response.headers)
                finally:
                    await http_response.aclose()
        except NetError as exc:
            response.failure, response.detail = exc.kind, exc.detail
        except TimeoutError:
            response.failure, response.detail = FailureKind.READ_TIMEOUT, f"超过 {limit:.0f} 秒"
        except httpx.HTTPError as exc:
            response.failure, response.detail = classify_httpx_error(exc)
        except httpx.InvalidURL as exc:  # a defence in depth: ScanClient keeps malformed Locations as data
            response.failure = FailureKind.UNSUPPORTED_URL
            response.detail = f"重定向目标不是可访问的网址 / redirect to a URL that cannot be fetched: {exc}"
        if (connect := timings.get("connection.connect_tcp.complete")) is not None:
            response.connect_ms = int((connect - timings.get("connection.connect_tcp.started", started)) * 1000)
        if (first := timings.get("http11.receive_response_headers.complete")) is not None:
            response.first_byte_ms = int((first - started) * 1000)
            response.reused_connection = "connection.connect_tcp.started" not in timings
        response.elapsed_ms = int((time.monotonic() - started) * 1000)
        if response.failure is None and response.status is not None:
            if reason := detect_antibot(response.status, response.headers, response.body):
                response.failure, response.detail = FailureKind.BLOCKED, reason
        return response

    async def _read_capped(self, http_response: httpx.Response, headers: dict[str, str]) -> bytes:
        """The decoded body; the size cap applies to the raw and to the decoded bytes, as they come."""
        decoder = CappedDecoder(headers.get("content-encoding", ""), self.options.max_bytes)
        async for chunk in http_response.aiter_raw():
            decoder.feed(chunk)
        return decoder.body()

    def _client(self, family: Family, verify: bool) -> ScanClient:
        key = (family, verify)
        if key not in self._clients:
            self._clients[key] = build_client(self.resolver, self.options, family, verify)
        return self._clients[key]


def _peer_address(http_response: httpx.Response) -> str | None:
    stream = http_response.extensions.get("network_stream")
    if stream is None:
        return None
    peer = stream.get_extra_info("server_addr")
    return str(peer[0]) if peer else None


def _is_redirect_status(response: Response) -> bool:
    return response.status is not None and 300 <= response.status < 400
