"""Units of the ipv6 check and the network pieces it added: address classes, registrable domains,
HTML similarity, the badge claim, per-level coverage, TCP connect, direct name-server queries,
IPv4-mapped addresses in IPv6-only fetches, and the route probe inside a network namespace."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from gkaudit.checks.ipv6.addresses import address_class
from gkaudit.checks.ipv6.badge import ipv6_claim
from gkaudit.checks.ipv6.links import level_coverage, looks_like_page
from gkaudit.checks.ipv6.similarity import html_similarity, normalise_html
from gkaudit.net.dns import Resolver, parse_nameserver
from gkaudit.net.dnsdirect import ask_server
from gkaudit.net.domains import is_internal, registrable_domain
from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Fetcher, FetchOptions
from gkaudit.net.tcp import tcp_connect
from gkaudit.simweb.web import SimWeb

from conftest import SITES


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb(roots=[SITES / "ipv6"]) as simulated:
        yield simulated


@pytest.mark.parametrize(("address", "kind"), [
    ("2400:3200::1", "native"), ("::1", "native"), ("::ffff:127.0.0.1", "mapped"), ("::ffff:7f00:1", "mapped"),
    ("64:ff9b::7f00:1", "nat64"), ("64:ff9b:1::a", "nat64"), ("64:ff9c::1", "native"), ("1.2.3.4", "ipv4"),
])
def test_address_class(address: str, kind: str) -> None:
    assert address_class(address) == kind


@pytest.mark.parametrize(("host", "domain"), [
    ("www.njqh.gov.cn", "njqh.gov.cn"), ("tjj.nanjing.gov.cn", "nanjing.gov.cn"),
    ("njna.nanjing.gov.cn", "nanjing.gov.cn"), ("nanjing.gov.cn", "nanjing.gov.cn"),
    ("www.nanjing.js.cn", "nanjing.js.cn"), ("a.b.example.com", "example.com"), ("WWW.Gov.CN.", "www.gov.cn"),
    ("localhost", "localhost"), ("127.0.0.1", "127.0.0.1"),
])
def test_registrable_domain(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain


def test_internal_means_the_domain_or_a_subdomain() -> None:
    assert is_internal("tjj.nanjing.gov.cn", "nanjing.gov.cn")
    assert is_internal("nanjing.gov.cn", "nanjing.gov.cn")
    assert not is_internal("xnanjing.gov.cn", "nanjing.gov.cn")
    assert not is_internal("www.gov.cn", "nanjing.gov.cn")


PAGE = """<html><head><title>区政府</title><script nonce="{nonce}">var t={ts};</script></head>
<body><a href="/list.jsp?jsessionid={sid}&amp;t={ts}">列表</a><p>更新于 {day} {clock}</p>
<input type="hidden" name="csrf" value="{token}">{body}</body></html>"""


def page(body: str = "", **values: str) -> str:
    defaults = {"nonce": "r4nd0m", "ts": "1764115200", "sid": "ABCDEF0123456789ABCDEF", "day": "2026-11-26",
                "clock": "08:15:00", "token": "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA"}
    return PAGE.format(body=body, **{**defaults, **values})


def test_similarity_ignores_nonces_sessions_timestamps_and_whitespace() -> None:
    other = page(nonce="other", ts="1764201600", sid="99999999999999999999FF", day="2026/11/27",
                 clock="23:59", token="cXV4YmF6YmFyZm9vOTg3NjU0MzIxMA")
    assert html_similarity(page(), other.replace("\n", "\n    ")) == 1.0
    assert normalise_html("<p>a</p>\n\n  <p>b</p>") == ["<p>a</p>", "<p>b</p>"]
    assert normalise_html("<div><a href='/x'>新闻</a></div>") == ["<div><a href='/x'>新闻</a></div>"]


def test_similarity_measures_the_share_that_differs() -> None:
    news = "".join(f"<li><a href='/n{i}.html'>第{i}条政务新闻的标题文字</a></li>" for i in range(40))
    changed = news.replace("第3条", "第三条").replace("第7条", "第七条")
    assert html_similarity(page(news), page(changed)) > 0.95  # a small edit stays within 10%
    half = news[: len(news) // 2]
    assert 0.5 < html_similarity(page(news), page(half)) < 0.9  # half the page gone is a mismatch
    assert html_similarity(page(news), "<html><body>维护中</body></html>") < 0.1
    assert html_similarity("", "") == 1.0


def test_similarity_is_the_share_of_blocks_in_common_in_order() -> None:
    """20% of 15,000 lines rewritten is 80% similar (difference 0.20 > 0.10), not 95%; order counts."""
    lines = [f"<p>第{i}行：关于做好政务公开工作的通知，发布单位办公室</p>" for i in range(15_000)]
    changed = [f"<p>第{i}行：旧版页面内容，已经过时的栏目</p>" if i % 5 == 0 else line for i, line in enumerate(lines)]
    similarity = html_similarity("\n".join(lines), "\n".join(changed))
    assert abs(similarity - 0.8) < 0.01
    assert html_similarity("".join(lines[:100]), "".join(reversed(lines[:100]))) < 0.1  # not a bag of characters
    assert html_similarity("<p>" + "a1" * 100_000 + "</p>", "<p>b</p>") < 0.5  # a long token run is no stall


def test_ipv6_claim() -> None:
    assert "已支持IPv6" in (ipv6_claim("<div class=footer>本网站已支持IPv6访问</div>") or "")
    assert ipv6_claim('<footer><img src="/img/ipv6-logo.png"></footer>') == '<img src="/img/ipv6-logo.png">'
    assert ipv6_claim("<p>网站标识码 3201040001</p><script>var ipv6=1</script>") is None
    news_then_footer = "<p>我区推进IPv6规模部署工作</p><div>……</div><footer>本网站支持IPv6</footer>"
    assert (ipv6_claim(news_then_footer) or "").endswith("本网站支持IPv6")


def test_looks_like_page() -> None:
    assert looks_like_page("http://a.gov.cn/col/") and looks_like_page("http://a.gov.cn/art/t1.html")
    assert looks_like_page("http://a.gov.cn/list.jsp?id=1")
    assert not looks_like_page("http://a.gov.cn/files/plan.pdf") and not looks_like_page("http://a.gov.cn/a.doc")


def test_level_coverage_counts_internal_links_of_tested_hosts_only() -> None:
    urls = ["http://www.x.gov.cn/", "http://www.x.gov.cn/a.html", "http://v4.x.gov.cn/",
            "http://dead.x.gov.cn/", "http://far.x.gov.cn/", "http://cdn.example.com/"]
    works = {"www.x.gov.cn": True, "v4.x.gov.cn": False, "dead.x.gov.cn": None, "cdn.example.com": False}
    states = {("http", h, None): {"works": w, "reason": None if w else "no_aaaa"} for h, w in works.items()}
    data = level_coverage(urls, "x.gov.cn", states, 0.9)
    assert (data["links"], data["internal_links"], data["tested_links"], data["ipv6_links"]) == (6, 5, 3, 2)
    assert (data["untested_links"], data["dead_links"], data["ratio"]) == (1, 1, round(2 / 3, 4))
    assert data["failing_hosts"] == [{"host": "v4.x.gov.cn", "links": 1, "reason": "no_aaaa"}]
    assert level_coverage([], "x.gov.cn", states, 0.9)["ratio"] is None


# --- the network pieces -------------------------------------------------------------------------

def test_tcp_connect_open_closed_and_guarded(web: SimWeb) -> None:
    port = web.sites["www.links.gov.cn"].port

    async def run() -> list:
        return await asyncio.gather(
            tcp_connect("::1", port, allow_private=True),
            tcp_connect("::1", web.sites["www.noaaaa.gov.cn"].port, allow_private=True),  # IPv4 only
            tcp_connect("::1", port),
            tcp_connect("www.links.gov.cn", port, allow_private=True),
        )

    ok, refused, guarded, name = asyncio.run(run())
    assert ok.ok and ok.connect_ms is not None and ok.as_dict()["reachable"] is True
    assert not refused.ok and refused.failure is FailureKind.CONNECT_REFUSED
    assert guarded.failure is FailureKind.PRIVATE_ADDRESS
    assert name.failure is FailureKind.UNSUPPORTED_URL  # it resolves nothing


def test_ask_server_queries_one_name_server_directly(web: SimWeb) -> None:
    server = parse_nameserver(web.nameserver)

    async def run() -> list:
        return await asyncio.gather(
            ask_server(server.host, "links.gov.cn", "NS", port=server.port, allow_private=True),
            ask_server(server.host, "nothere.links.gov.cn", "AAAA", port=server.port, allow_private=True),
            ask_server(server.host, "links.gov.cn", "NS", port=server.port),
        )

    ns, missing, guarded = asyncio.run(run())
    assert ns.ok and sorted(ns.records) == ["ns1.links.gov.cn", "ns2.links.gov.cn"]
    assert missing.failure is FailureKind.DNS_NXDOMAIN and "NXDOMAIN" in missing.detail
    assert guarded.failure is FailureKind.PRIVATE_ADDRESS


def test_ipv6_only_fetch_never_uses_an_ipv4_mapped_address(web: SimWeb) -> None:
    async def run():  # type: ignore[no-untyped-def]
        resolver = Resolver(parse_nameserver(web.nameserver), timeout=2.0)
        async with Fetcher(resolver, FetchOptions(timeout=3.0, allow_private=True)) as fetcher:
            return await fetcher.fetch(web.url("www.mapped.gov.cn"), "ipv6"), await fetcher.fetch(
                web.url("www.mapped.gov.cn"), "any")

    before = len(web.requests)
    v6, anyfamily = asyncio.run(run())
    assert v6.failure is FailureKind.NO_ADDRESS and "映射" in v6.detail
    assert anyfamily.ok  # the site itself is fine over IPv4
    assert [r.family for r in web.requests[before:]] == ["ipv4"]


# --- the route probe in a network namespace without routes -------------------------------------

def _netns_available() -> str | None:
    if os.name != "posix" or os.geteuid() != 0:
        return "needs root to create a network namespace (ip netns add)"
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is not installed"
    return None


@pytest.fixture
def netns() -> Iterator[str]:
    """A fresh network namespace with only a loopback interface (up) and no routes; deleted afterwards."""
    if reason := _netns_available():
        pytest.skip(reason)
    name = f"gkaudit-v6-{uuid.uuid4().hex[:8]}"
    created = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if created.returncode != 0:
        pytest.skip(f"ip netns add failed: {created.stderr.strip()}")
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True, capture_output=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
        assert name not in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout


def run_in(netns: str, code: str, *args: str) -> list[str]:
    done = subprocess.run(["ip", "netns", "exec", netns, sys.executable, "-c", code, *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def test_route_probe_reports_no_route_inside_a_namespace_without_routes(netns: str) -> None:
    code = ("from gkaudit.net.probe import has_route, ROUTE_PROBE_V6\n"
            "print(has_route(ROUTE_PROBE_V6), has_route('2001:db8::1'), has_route('::1'))")
    assert run_in(netns, code) == ["False", "False", "True"]  # loopback is routed, the world is not


SCAN_IN_NAMESPACE = """
import asyncio, sys
from dataclasses import replace
from gkaudit.registry import load_registry
from gkaudit.runner import run_scan
from gkaudit.simweb.options import simweb_scan_options
from gkaudit.simweb.web import SimWeb
from gkaudit.targets import Target
with SimWeb(roots=[sys.argv[1]]) as web:
    options = replace(simweb_scan_options(web), ipv6_control="http://[2400:3200::1]/")
    targets = [Target(id=h.split(".")[1], name=h, url=web.url(h), kind="district")
               for h in ("www.cname.gov.cn", "www.noaaaa.gov.cn")]
    report = asyncio.run(run_scan(targets, load_registry().select(["ipv6"]), options))
    print(report.scanner.ipv6_route, report.scanner.ipv6_usable, *(s.results[0].status.value for s in report.sites))
"""


def test_scan_in_a_namespace_without_routes_is_inconclusive(netns: str) -> None:
    route, usable, cname, noaaaa = run_in(netns, SCAN_IN_NAMESPACE, str(SITES / "ipv6"))
    assert (route, usable) == ("False", "False")
    assert cname == "inconclusive"  # has AAAA, but this machine cannot reach the IPv6 world
    assert noaaaa == "fail"  # the AAAA part is still judged
