"""Link coverage of the ipv6 check: 二级 (homepage) and 三级 (one level deeper) internal links over IPv6.

Semantics (documented in the check's description too):
- 二级 links: every distinct http(s) link on the homepage. 三级 links: every distinct link on a
  bounded sample of same-host second-level pages (`max_pages`, in homepage order) not already a 二级 link.
- Internal: the link's host is the site's registrable domain or a subdomain of it; only internal
  links make up the ratio. Other hosts are listed with their IPv6 state and never lower it.
- A host "works over IPv6" when it has a native AAAA (not IPv4-mapped, not NAT64) and an IPv6-only
  fetch of the first URL linked on it (redirects not followed) gets an HTTP answer below 500
  (an anti-bot challenge counts: the host answered over IPv6). A host that does not answer that
  URL over IPv4 either is a dead link, not an IPv6 gap: it is listed ("dead_link") but not counted.
- Host states are computed once per scan while among the results used last (many sites link the
  same hosts: ScanEnv.memo, MEMO_ENTRIES); at most `max_hosts` hosts are probed (internal first),
  within the time budget; links on other hosts are "untested".
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from gkaudit.checks.ipv6.addresses import address_class
from gkaudit.context import SiteContext
from gkaudit.net.domains import ip_literal_version, is_internal
from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Response
from gkaudit.net.page import Link, url_host

T = TypeVar("T")
LEVEL_ZH = {"secondary": "二级", "tertiary": "三级"}
PAGE_SUFFIXES = ("", ".html", ".htm", ".shtml", ".jhtml", ".jsp", ".php", ".asp", ".aspx", ".do")
ANSWERED_FAILURES = (None, FailureKind.BLOCKED, FailureKind.HTTP_STATUS, FailureKind.PAGE_TOO_COMPLEX)


def host_key(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port): the unit whose IPv6 state is measured once per scan."""
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def looks_like_page(url: str) -> bool:
    """A URL that probably returns HTML (a folder or a page suffix), worth reading for 三级 links."""
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    suffix = "." + last.rsplit(".", 1)[1].lower() if "." in last else ""
    return suffix in PAGE_SUFFIXES


async def within(awaitables: list[Awaitable[T]], seconds: float) -> list[T | None]:
    """Results in order; None for those not done within `seconds`.

    Each awaitable is shielded: a budget running out never cancels a fetch or memo another check shares.
    """
    if not awaitables:
        return []
    tasks = [asyncio.ensure_future(asyncio.shield(a)) for a in awaitables]
    done, pending = await asyncio.wait(tasks, timeout=seconds)
    for task in pending:
        task.cancel()
    return [task.result() if task in done and not task.cancelled() else None for task in tasks]


async def probe_host(ctx: SiteContext, url: str) -> dict[str, Any]:
    """The IPv6 state of the host of `url` (see the module doc). Depends on nothing site-specific."""
    host = host_key(url)[1]
    state: dict[str, Any] = {"host": host, "url": url, "aaaa": [], "works": False, "reason": None,
                             "status": None, "address": None}
    version = ip_literal_version(host)
    if version == 4:
        state["reason"] = "ipv4_literal"
    elif version is None:
        answer = await ctx.resolve(host, "AAAA")
        state["aaaa"] = list(answer.records)
        if not any(address_class(a) == "native" for a in answer.records):
            state["reason"] = answer.failure.value if answer.failure else (
                "no_native_aaaa" if answer.records else "no_aaaa")
    if state["reason"] is None:
        response = await ctx.fetch(url, "ipv6", follow=False)
        state.update(status=response.status, address=response.address, works=answers(response))
        if state["works"]:
            return state
        state["reason"] = response.failure.value if response.failure else f"http_{response.status}"
    if not answers(await ctx.fetch(url, "ipv4", follow=False)):
        state.update(works=None, reason=f"dead_link ({state['reason']})")  # broken on IPv4 too: not IPv6's fault
    return state


def answers(response: Response) -> bool:
    """An HTTP answer below 500 came back (an anti-bot challenge counts: the host answered)."""
    return (response.status is not None and response.status < 500
            and response.failure in ANSWERED_FAILURES)


async def collect_links(ctx: SiteContext, home_url: str, home_links: list[Link], max_pages: int,
                        seconds: float) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """二级 URLs, 三级 URLs, and what was read of each sampled second-level page."""
    home_urls = {home_url, ctx.url}
    home_host = url_host(home_url)
    secondary = [link.url for link in home_links]
    sample = [u for u in secondary if host_key(u)[1] == home_host and u not in home_urls
              and looks_like_page(u)][:max_pages]
    responses = await within([ctx.fetch(u) for u in sample], seconds)
    seen = set(secondary) | home_urls
    tertiary: list[str] = []
    pages: list[dict[str, Any]] = []
    for url, response in zip(sample, responses, strict=True):
        entry: dict[str, Any] = {"url": url, "status": None, "links": 0, "failure": "budget"}
        if response is not None:
            entry.update(status=response.status, failure=response.failure.value if response.failure else None)
            if response.ok and response.is_html:
                links = response.page().links
                entry["links"] = len(links)
                for link in links:
                    if link.url not in seen:
                        seen.add(link.url)
                        tertiary.append(link.url)
        pages.append(entry)
    return secondary, tertiary, pages


def level_coverage(urls: list[str], domain: str, states: dict[tuple, dict[str, Any]],
                   threshold: float) -> dict[str, Any]:
    """The share of a level's internal links whose host works over IPv6, with the failing hosts."""
    internal = [u for u in urls if is_internal(host_key(u)[1], domain)]
    tested = [u for u in internal if host_key(u) in states and states[host_key(u)]["works"] is not None]
    working = [u for u in tested if states[host_key(u)]["works"]]
    failing = Counter(host_key(u)[1] for u in tested if not states[host_key(u)]["works"])
    reasons = {host_key(u)[1]: states[host_key(u)]["reason"] for u in tested}
    return {
        "links": len(urls),
        "internal_links": len(internal),
        "tested_links": len(tested),
        "ipv6_links": len(working),
        "ratio": round(len(working) / len(tested), 4) if tested else None,
        "threshold": threshold,
        "failing_hosts": [{"host": h, "links": n, "reason": reasons[h]} for h, n in failing.most_common()],
        "untested_links": sum(1 for u in internal if host_key(u) not in states),
        "dead_links": sum(1 for u in internal if host_key(u) in states and states[host_key(u)]["works"] is None),
    }


async def link_coverage(ctx: SiteContext, home_url: str, home_links: list[Link], domain: str, *,
                        max_pages: int, max_hosts: int, seconds: float,
                        thresholds: dict[str, float]) -> dict[str, Any]:
    """Collect both levels, probe their hosts (bounded), and measure coverage per level.

    It takes the homepage's address and links, not its Page: a parsed tree is a megabyte or more, and
    the probes take seconds."""
    secondary, tertiary, pages = await collect_links(ctx, home_url, home_links, max_pages, seconds * 0.4)
    first_url: dict[tuple, str] = {}
    for url in secondary + tertiary:
        first_url.setdefault(host_key(url), url)
    keys = sorted(first_url, key=lambda k: not is_internal(k[1], domain))  # stable: internal hosts first
    probed, skipped = keys[:max_hosts], keys[max_hosts:]
    results = await within([ctx.memo(("ipv6.link_host", *k), lambda u=first_url[k]: probe_host(ctx, u))
                            for k in probed], seconds * 0.6)
    states = {k: r for k, r in zip(probed, results, strict=True) if r is not None}
    levels = {"secondary": secondary, "tertiary": tertiary}
    coverage = {name: level_coverage(urls, domain, states, thresholds[name]) for name, urls in levels.items()}
    counts = {name: Counter(host_key(u) for u in urls) for name, urls in levels.items()}
    hosts = [{**states[k], "internal": is_internal(k[1], domain),
              "links": {name: counts[name][k] for name in levels}} for k in probed if k in states]
    untested = [k[1] for k in keys if k not in states]
    return {"domain": domain, **coverage, "pages_sampled": pages, "hosts": hosts,
            "untested_hosts": sorted(set(untested)), "hosts_skipped_by_limit": len(skipped)}
