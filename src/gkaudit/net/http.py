"""Fetcher: the one place gkaudit speaks HTTP.

It pins address families through our resolver (Host header and TLS SNI stay the hostname),
keeps to politeness limits, retries only transient failures, caps size, time and redirects,
classifies every failure, refuses non-public addresses unless allowed, and fetches each
(URL, family) once per scan.
"""

from __future__ import annotations

import asyncio
import email.utils
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import certifi
import httpcore
import httpx

from gkaudit import __version__
from gkaudit.net.antibot import detect_antibot
from gkaudit.net.backend import PinnedBackend
from gkaudit.net.dns import Family, Resolver
from gkaudit.net.failures import FailureKind, NetError
from gkaudit.net.once import once
from gkaudit.net.page import Page, url_host

USER_AGENT = f"gkaudit/{__version__} (+government website disclosure audit; https://pypi.org/project/gkaudit/)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")


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


@dataclass(frozen=True)
class Hop:
    """One redirect: from where, to where, and how (http 3xx, meta refresh, script)."""

    url: str
    status: int | None
    kind: str
    location: str


@dataclass
class Response:
    """The outcome of one fetch, redirects followed. `failure` is set when no usable answer came back."""

    url: str
    family: Family
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    failure: FailureKind | None = None
    detail: str = ""
    redirects: list[Hop] = field(default_factory=list)
    address: str | None = None
    elapsed_ms: int = 0
    connect_ms: int | None = None
    first_byte_ms: int | None = None
    tls_verified: bool | None = None
    attempts: int = 1

    @property
    def ok(self) -> bool:
        """An answer came back with a status below 400."""
        return self.failure is None and self.status is not None and self.status < 400

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def is_html(self) -> bool:
        return self.content_type.split(";")[0].strip().lower() in HTML_TYPES

    def page(self) -> Page:
        """The body as a new parsed Page (empty when there is none).

        Not cached: responses live for the whole scan (they are shared by all checks), and a
        parsed tree is many times the size of its bytes. Keep the Page while you use it.
        """
        return Page.from_bytes(self.final_url, self.body, self.content_type, self.status)

    def evidence(self) -> dict[str, Any]:
        """The Evidence fields every check reports about one fetch (pass as **kwargs to `finding`)."""
        return {
            "url": self.url,
            "final_url": self.final_url if self.final_url != self.url else None,
            "http_status": self.status,
            "address": self.address,
            "failure": self.failure.value if self.failure else None,
            "detail": self.detail or None,
        }

    def metrics(self) -> dict[str, Any]:
        """Figures of one fetch for a CheckResult's metrics."""
        return {
            "status": self.status,
            "final_url": self.final_url,
            "elapsed_ms": self.elapsed_ms,
            "address": self.address,
            "tls_verified": self.tls_verified,
            "failure": self.failure.value if self.failure else None,
            "redirects": [{"from": h.url, "to": h.location, "kind": h.kind, "status": h.status}
                          for h in self.redirects],
            "attempts": self.attempts,
        }

    @property
    def problem(self) -> str:
        """Why this response is not usable, in one phrase: the classified failure, else its HTTP status."""
        return self.describe_failure() or f"HTTP {self.status}"

    def describe_failure(self) -> str:
        if self.failure is None:
            return ""
        return f"{self.failure.label_zh} ({self.failure.value}){': ' + self.detail if self.detail else ''}"


class Fetcher:
    """Shared by every check of a scan. Use as an async context manager, or call aclose()."""

    def __init__(self, resolver: Resolver, options: FetchOptions | None = None) -> None:
        self.resolver = resolver
        self.options = options or FetchOptions()
        self._clients: dict[tuple[Family, bool], httpx.AsyncClient] = {}
        self._cache: dict[tuple[str, str, Family, bool, bool], asyncio.Future[Response]] = {}
        self._global = asyncio.Semaphore(self.options.concurrency)
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._host_next: dict[str, float] = {}
        self.requests_sent = 0

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    async def fetch(self, url: str, family: Family = "any", *, follow: bool = True,
                    verify: bool = True, method: str = "GET") -> Response:
        """Fetch `url` over `family`, following redirects (HTTP, meta refresh, simple script) when `follow`.

        Never raises for network trouble: the Response carries a classified failure instead.
        Results are cached per scan; concurrent callers of the same request share one fetch.
        """
        return await once(self._cache, (method, url, family, follow, verify),
                          lambda: self._follow(url, family, follow, verify, method))

    async def _follow(self, url: str, family: Family, follow: bool, verify: bool, method: str) -> Response:
        started = time.monotonic()
        hops: list[Hop] = []
        seen = {url}
        current = url
        while True:
            response = await self._request_with_retries(current, family, verify, method)
            response.url, response.redirects = url, hops
            response.elapsed_ms = int((time.monotonic() - started) * 1000)
            if response.failure is not None or not follow:
                return response
            target, kind = self._redirect_target(response)
            if target is None:
                return response
            hops.append(Hop(current, response.status, kind, target))
            if target in seen or len(hops) > self.options.max_redirects:
                why = "重定向循环 / redirect loop" if target in seen else f"超过 {self.options.max_redirects} 次"
                response.failure, response.detail = FailureKind.TOO_MANY_REDIRECTS, f"{why}: {target}"
                return response
            seen.add(target)
            current = target

    def _redirect_target(self, response: Response) -> tuple[str | None, str]:
        """Where `response` sends the client next, and how; (None, "") when it is the destination.

        A `<meta refresh>` or script that points back at the page itself is a periodic reload
        (news portals refresh their homepage every few minutes), not a redirect. A `<frameset>`
        page leads to its main frame (domain forwarding wraps a whole site in one).
        """
        if response.status in (301, 302, 303, 307, 308) and "location" in response.headers:
            return urljoin(response.final_url, response.headers["location"].strip()), "http"
        if response.status == 200 and response.is_html and response.body:
            page = response.page()
            candidates = ((page.meta_refresh(), "meta"), (page.script_redirect(), "script"),
                          (page.frame_target(), "frame"))
            for target, kind in candidates:
                if target and urldefrag(target).url != urldefrag(response.final_url).url:
                    return target, kind
        return None, ""

    async def _request_with_retries(self, url: str, family: Family, verify: bool, method: str) -> Response:
        if problem := url_problem(url):
            return Response(url=url, family=family, final_url=url, failure=FailureKind.UNSUPPORTED_URL,
                            detail=problem)
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
        host = url_host(url)
        slot = self._host_slots.setdefault(host, asyncio.Semaphore(self.options.per_host))
        # Host slot and interval first, the global slot last: a request queued behind a busy or
        # slow host must not hold one of the few global slots that other hosts are waiting for.
        async with slot:
            wait = self._host_next.get(host, 0.0) - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            async with self._global:
                try:
                    return await self._request(url, family, verify, method)
                finally:
                    self._host_next[host] = time.monotonic() + self.options.per_host_interval

    async def _request(self, url: str, family: Family, verify: bool, method: str) -> Response:
        response = Response(url=url, family=family, final_url=url)  # url_problem() has vetted `url`
        parts = urlsplit(url)
        timings: dict[str, float] = {}
        started = time.monotonic()

        async def trace(event: str, info: dict[str, Any]) -> None:
            timings.setdefault(event, time.monotonic())

        client = self._client(family, verify)
        self.requests_sent += 1
        try:
            async with asyncio.timeout(self.options.timeout * 3):
                request = client.build_request(method, url, extensions={"trace": trace})
                http_response = await client.send(request, stream=True)
                try:
                    response.status = http_response.status_code
                    response.headers = {k.lower(): v for k, v in http_response.headers.items()}
                    response.address = _peer_address(http_response)
                    response.tls_verified = verify if parts.scheme == "https" else None
                    response.body = await self._read_capped(http_response)
                finally:
                    await http_response.aclose()
        except NetError as exc:
            response.failure, response.detail = exc.kind, exc.detail
        except TimeoutError:
            response.failure, response.detail = FailureKind.READ_TIMEOUT, f"超过 {self.options.timeout * 3:.0f} 秒"
        except httpx.HTTPError as exc:
            response.failure, response.detail = classify_httpx_error(exc)
        if (connect := timings.get("connection.connect_tcp.complete")) is not None:
            response.connect_ms = int((connect - timings.get("connection.connect_tcp.started", started)) * 1000)
        if (first := timings.get("http11.receive_response_headers.complete")) is not None:
            response.first_byte_ms = int((first - started) * 1000)
        if response.failure is None and response.status is not None:
            if reason := detect_antibot(response.status, response.headers, response.body):
                response.failure, response.detail = FailureKind.BLOCKED, reason
        return response

    async def _read_capped(self, http_response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in http_response.aiter_bytes():
            size += len(chunk)
            if size > self.options.max_bytes:
                raise NetError(FailureKind.TOO_LARGE, f"超过 {self.options.max_bytes} 字节上限")
            chunks.append(chunk)
        return b"".join(chunks)

    def _client(self, family: Family, verify: bool) -> httpx.AsyncClient:
        key = (family, verify)
        if key not in self._clients:
            ssl_context = self._ssl_context(verify)
            transport = httpx.AsyncHTTPTransport(verify=ssl_context, trust_env=False)
            # httpx has no public hook for the network backend; the pool it builds is replaced by one
            # whose backend resolves through our resolver, pinned to `family`, behind the address guard.
            transport._pool = httpcore.AsyncConnectionPool(
                ssl_context=ssl_context,
                max_connections=self.options.concurrency * 2,
                max_keepalive_connections=self.options.concurrency,
                keepalive_expiry=5.0,
                network_backend=PinnedBackend(self.resolver, family, self.options.allow_private),
            )
            timeout = httpx.Timeout(self.options.timeout, pool=None)
            self._clients[key] = httpx.AsyncClient(
                transport=transport, timeout=timeout, follow_redirects=False, trust_env=False,
                headers={"User-Agent": self.options.user_agent, "Accept-Language": "zh-CN,zh;q=0.9"},
            )
        return self._clients[key]

    def _ssl_context(self, verify: bool) -> ssl.SSLContext:
        if not verify:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
            context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            return context
        context = ssl.create_default_context(cafile=certifi.where())
        if self.options.ca_bundle:
            context.load_verify_locations(cafile=self.options.ca_bundle)
        return context


def url_problem(url: str) -> str | None:
    """Why `url` cannot be fetched (not absolute http(s), malformed host or port), or None if it can."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises for a port that is not a number in range
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"不是 http(s) 网址 / not an absolute http(s) URL: {url!r}"
        _ = httpx.URL(url).host  # IDNA labels ("xn--zz"), control characters
    except (ValueError, UnicodeError, httpx.InvalidURL) as exc:
        return f"网址格式错误 / malformed URL {url!r}: {exc}"
    return None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def classify_httpx_error(exc: httpx.HTTPError) -> tuple[FailureKind, str]:
    """Map an httpx exception to the failure taxonomy, looking through its causes."""
    text = str(exc) or type(exc).__name__
    causes: list[BaseException] = [exc]
    while (cause := causes[-1].__cause__ or causes[-1].__context__) is not None and len(causes) < 8:
        causes.append(cause)
    if isinstance(exc, httpx.RemoteProtocolError) and "location header" in text:  # a malformed redirect
        return FailureKind.UNSUPPORTED_URL, text
    if isinstance(exc, httpx.ConnectTimeout):
        return FailureKind.CONNECT_TIMEOUT, text
    if isinstance(exc, httpx.TimeoutException):
        return FailureKind.READ_TIMEOUT, text
    if any(isinstance(c, ssl.SSLError) for c in causes) or "SSL" in text or "CERTIFICATE" in text:
        return FailureKind.TLS_ERROR, text
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in text.lower():
        return FailureKind.CONNECT_REFUSED, text
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return FailureKind.UNSUPPORTED_URL, text
    return FailureKind.CONNECTION_ERROR, text


def _peer_address(http_response: httpx.Response) -> str | None:
    stream = http_response.extensions.get("network_stream")
    if stream is None:
        return None
    peer = stream.get_extra_info("server_addr")
    return str(peer[0]) if peer else None
