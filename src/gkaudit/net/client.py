"""The httpx client the Fetcher sends through: one per (family, verify), on our pool, resolver and cookies.

httpx has no public hook for the network backend; the pool its transport builds is replaced by
ours (one small pool per origin, net/pool.py) whose backend resolves through our resolver, pinned
to the family, behind the address guard. Redirects are never followed here (the Fetcher follows
them hop by hop), and cookies are kept per host (net/cookies.py).
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any

import certifi
import httpx

from gkaudit.net.backend import PinnedBackend
from gkaudit.net.cookies import ClientJar, HostCookies
from gkaudit.net.decode import ACCEPT_ENCODING
from gkaudit.net.dns import Family, Resolver
from gkaudit.net.pool import PerOriginPool, pool_limits

if TYPE_CHECKING:
    from gkaudit.net.http import FetchOptions


class ScanClient(httpx.AsyncClient):
    """httpx builds the next request of every 3xx, even when not following it, and raises for a Location
    it cannot parse (`javascript:`, `A:0`, `http://[::1/`, a punycode host that is not IDNA) — losing
    the answer. Here the 3xx comes back as it is; the Fetcher classifies its Location (unsupported_url)
    with the Location as evidence. Its own jar stays empty: the cookies are kept per host in
    `host_cookies`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cookies = ClientJar()  # httpx has no public way to give a client a jar that skips its work
        self.host_cookies = HostCookies()

    def _build_redirect_request(self, request: httpx.Request, response: httpx.Response) -> httpx.Request:
        try:
            return super()._build_redirect_request(request, response)
        except (httpx.InvalidURL, httpx.RemoteProtocolError, UnicodeError):
            return None  # type: ignore[return-value]  # read only when following, which the Fetcher never asks


def build_client(resolver: Resolver, options: FetchOptions, family: Family, verify: bool) -> ScanClient:
    """A client whose connections go to `family` addresses only, verifying certificates when `verify`."""
    context = ssl_context(verify, options.ca_bundle)
    transport = httpx.AsyncHTTPTransport(verify=context, trust_env=False)
    per_origin, max_origins = pool_limits(options.concurrency, options.per_host)
    transport._pool = PerOriginPool(  # type: ignore[assignment]
        ssl_context=context, per_origin=per_origin, max_origins=max_origins, keepalive_expiry=5.0,
        network_backend=PinnedBackend(resolver, family, options.allow_private),
    )
    return ScanClient(
        transport=transport, timeout=httpx.Timeout(options.timeout, pool=None), follow_redirects=False,
        trust_env=False, headers={"User-Agent": options.user_agent, "Accept-Language": "zh-CN,zh;q=0.9",
                                  "Accept-Encoding": ACCEPT_ENCODING},
    )


def ssl_context(verify: bool, ca_bundle: str | None = None) -> ssl.SSLContext:
    """Verifying: certifi's roots (and `ca_bundle`'s); not: anything goes, old protocols and ciphers too."""
    if not verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        return context
    context = ssl.create_default_context(cafile=certifi.where())
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context
