"""Scan options for the simulated web, shared by `gkaudit demo`, the tests and the benchmark."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from gkaudit.net.dns import parse_nameserver
from gkaudit.net.http import FetchOptions
from gkaudit.net.render import RenderOptions
from gkaudit.runner import ScanOptions
from gkaudit.simweb.web import SimWeb

CONTROL_HOST = "www.gov.cn"


def simweb_scan_options(web: SimWeb, now: str | date | None = None, render: RenderOptions | None = None,
                        **fetch: object) -> ScanOptions:
    """Options that point every lookup and fetch at `web`: its DNS server, its control host, its CA.

    A web without the control host (most test webs) skips the online probe. `render`: the browser
    settings (default: `--render auto`, Chromium found on PATH or GKAUDIT_CHROMIUM).
    """
    day = date.fromisoformat(now) if isinstance(now, str) else (now or web.today)
    fetch_options = replace(FetchOptions(timeout=5.0, per_host_interval=0.0, backoff=0.05, allow_private=True,
                                         ca_bundle=web.ca_bundle), **fetch)  # type: ignore[arg-type]
    return ScanOptions(now=day, fetch=fetch_options, nameserver=parse_nameserver(web.nameserver),
                       dns_timeout=2.0,
                       control_host=CONTROL_HOST if CONTROL_HOST in web.sites else None,
                       ipv6_control=web.url(CONTROL_HOST) if CONTROL_HOST in web.sites else "http://[::1]:9/",
                       render=render or RenderOptions())
