"""Helpers for the engine tests: the engine fixture web (tests/sites/engine) and one-shot fetches.

Every address used here is loopback: the simulated web's DNS server and its HTTP listeners.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from gkaudit.net.dns import Family, Resolver, parse_nameserver
from gkaudit.net.http import Fetcher, FetchOptions, Response
from gkaudit.simweb.web import SimWeb

ENGINE_SITES = Path(__file__).parent / "sites" / "engine"

DUAL = "dual.engine.test"
V4ONLY = "v4.engine.test"
V6ONLY = "v6.engine.test"
TLS = "tls.engine.test"
BADTLS = "badtls.engine.test"
GBK = "gbk.engine.test"
TS412 = "ts412.engine.test"
JSL521 = "jsl521.engine.test"
REFUSED = "refused.engine.test"
MAPPED = "mapped.engine.test"
CNAMED = "cnamed.engine.test"
FALLBACK = "fallback.engine.test"
IDN = "xn--1lq2az70af0nbwai50ag4l.xn--zfr164b"  # 南京市人民政府.政务


def fetch_options(web: SimWeb, **overrides: Any) -> FetchOptions:
    """Fast, loopback-allowed options trusting the simweb CA; `overrides` replace any field."""
    base: dict[str, Any] = {"timeout": 3.0, "per_host_interval": 0.0, "backoff": 0.01, "allow_private": True,
                            "ca_bundle": web.ca_bundle}
    return FetchOptions(**{**base, **overrides})


async def fetch_async(web: SimWeb, url: str, family: Family = "any", *, verify: bool = True,
                      follow: bool = True, **overrides: Any) -> Response:
    resolver = Resolver(parse_nameserver(web.nameserver), timeout=2.0)
    async with Fetcher(resolver, fetch_options(web, **overrides)) as fetcher:
        return await fetcher.fetch(url, family, verify=verify, follow=follow)


def fetch(web: SimWeb, url: str, family: Family = "any", **kwargs: Any) -> Response:
    """One fetch through a fresh Fetcher pointed at `web` (synchronously)."""
    return asyncio.run(asyncio.wait_for(fetch_async(web, url, family, **kwargs), timeout=30))


def paths_requested(web: SimWeb, host: str, path: str | None = None) -> list[str]:
    """Paths the simulated web saw for `host` (optionally only `path`)."""
    return [r.path for r in web.requests_for(host) if path is None or r.path == path]


def unicode_url(web: SimWeb, host: str, path: str = "/") -> str:
    """The URL of a fixture site with its hostname in Unicode (as users write Chinese domains)."""
    return f"http://{host.encode('ascii').decode('idna')}:{web.sites[host].port}{path}"
