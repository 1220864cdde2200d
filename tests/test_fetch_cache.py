"""The per-site fetch cache: one request per (URL, family) however it is asked, released when the site is done."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from gkaudit.check import Check
from gkaudit.model import Status
from gkaudit.net.dns import Resolver, parse_nameserver
from gkaudit.net.http import Fetcher
from gkaudit.runner import run_scan
from gkaudit.simweb.options import simweb_scan_options
from gkaudit.simweb.web import SimWeb

from conftest import target_of
from enginekit import DUAL, ENGINE_SITES, V6ONLY, fetch_options


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb(roots=[ENGINE_SITES]) as simulated:
        yield simulated


def new_records(web: SimWeb, before: int, host: str) -> list[tuple[str, str]]:
    return [(r.family, r.path) for r in web.requests[before:] if r.host.split(":")[0] == host]


def run(web: SimWeb, calls, **options) -> list:  # type: ignore[no-untyped-def]
    async def go() -> list:
        async with Fetcher(Resolver(parse_nameserver(web.nameserver)), fetch_options(web, **options)) as fetcher:
            return await calls(fetcher)

    return asyncio.run(asyncio.wait_for(go(), timeout=30))


def test_any_and_ipv4_asked_together_make_one_ipv4_request(web: SimWeb) -> None:
    url = web.url(DUAL, "/landing/")
    before = len(web.requests)
    any_, v4, v6, any_again = run(web, lambda f: asyncio.gather(
        f.fetch(url), f.fetch(url, "ipv4"), f.fetch(url, "ipv6"), f.fetch(url, follow=False)))
    assert sorted(new_records(web, before, DUAL)) == [("ipv4", "/landing/"), ("ipv6", "/landing/")]
    assert any_.ok and v4.ok and v6.ok and v4.family == "ipv4" and any_again.ok
    assert v4.body is any_.body  # the same answer, not a copy


def test_ipv4_first_then_any_reuses_it(web: SimWeb) -> None:
    url = web.url(DUAL, "/landing/")
    before = len(web.requests)

    async def calls(f: Fetcher) -> list:
        first = await f.fetch(url, "ipv4")
        return [first, await f.fetch(url)]

    _, any_ = run(web, calls)
    assert new_records(web, before, DUAL) == [("ipv4", "/landing/")]
    assert any_.ok and any_.family == "any"


def test_any_over_ipv6_only_host_does_not_stand_in_for_ipv4(web: SimWeb) -> None:
    url = web.url(V6ONLY)
    before = len(web.requests)
    any_, v4, v6 = run(web, lambda f: asyncio.gather(f.fetch(url), f.fetch(url, "ipv4"), f.fetch(url, "ipv6")))
    assert any_.ok and v6.ok and v4.failure is not None  # IPv4 still really tried, and really fails
    assert new_records(web, before, V6ONLY) == [("ipv6", "/")]  # 'any' (over v6) answered 'ipv6'


def test_follow_reuses_the_no_follow_first_hop(web: SimWeb) -> None:
    url = web.url(DUAL, "/redir/a/")
    before = len(web.requests)

    async def calls(f: Fetcher) -> list:
        hop = await f.fetch(url, follow=False)
        chain = await f.fetch(url)
        return [hop, chain, await f.fetch(web.url(DUAL, "/redir/c/"), follow=False)]

    hop, chain, last = run(web, calls)
    assert hop.status == 302 and chain.ok and chain.url == url and len(chain.redirects) == 2
    assert last is not None and last.ok
    assert [p for _, p in new_records(web, before, DUAL)] == ["/redir/a/", "/redir/b/", "/redir/c/"]


def test_a_head_after_the_get_is_answered_by_it_without_a_request(web: SimWeb) -> None:
    page, meta = web.url(DUAL, "/landing/"), web.url(DUAL, "/meta/")
    before = len(web.requests)

    async def calls(f: Fetcher) -> list:
        got = await f.fetch(page, "ipv4")
        await f.fetch(meta)
        return [got, await f.fetch(page, method="HEAD"), await f.fetch(page, "ipv4", method="HEAD"),
                await f.fetch(meta, method="HEAD")]

    got, head_any, head_v4, head_meta = run(web, calls)
    assert sorted(new_records(web, before, DUAL)) == [("ipv4", "/landing/"), ("ipv4", "/meta/")]
    assert head_any.status == head_v4.status == got.status == 200 and head_any.method == "GET"
    assert head_any.body == b"" and head_any.headers == got.headers and head_any.family == "any"
    # a HEAD has no page: the GET's meta refresh is not followed for it
    assert head_meta.status == 200 and head_meta.final_url == meta and not head_meta.redirects


def test_a_head_asked_first_or_after_a_failed_get_is_sent(web: SimWeb) -> None:
    page, huge = web.url(DUAL, "/menu/"), web.url(DUAL, "/big.html")
    before = len(web.requests)

    async def calls(f: Fetcher) -> list:
        head = await f.fetch(page, method="HEAD")
        get = await f.fetch(page)
        too_large = await f.fetch(huge)
        return [head, get, too_large, await f.fetch(huge, method="HEAD")]

    head, get, too_large, head_huge = run(web, calls, max_bytes=1_000_000)
    records = [(r.method, r.path) for r in web.requests[before:] if r.host.split(":")[0] == DUAL]
    assert records == [("HEAD", "/menu/"), ("GET", "/menu/"), ("GET", "/big.html"), ("HEAD", "/big.html")]
    assert head.method == "HEAD" and get.method == "GET" and get.ok
    assert too_large.failure is not None and head_huge.ok and head_huge.method == "HEAD"


class Holder(Check):
    """Keeps weak references to what it fetched and its context, to see what outlives the site."""

    id = "holder"
    title_zh = "持有者"
    title_en = "Holder"
    basis = "测试"
    seen: list = []  # noqa: RUF012 - a test probe

    async def run(self, ctx):  # type: ignore[no-untyped-def]
        response = await ctx.homepage()
        Holder.seen.append((weakref.ref(response), ctx.cache))
        return self.result(Status.PASS, "ok")


def test_a_sites_responses_are_released_when_it_is_done(web: SimWeb) -> None:
    Holder.seen = []
    targets = [target_of(web, DUAL), target_of(web, V6ONLY)]
    report = asyncio.run(run_scan(targets, [Holder()], simweb_scan_options(web)))
    assert [s.results[0].status for s in report.sites] == [Status.PASS, Status.PASS]
    gc.collect()
    assert len(Holder.seen) == 2
    assert all(ref() is None and len(cache) == 0 for ref, cache in Holder.seen)
