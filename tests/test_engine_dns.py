"""The resolver against the simulated DNS server, and how its answers reach the fetcher."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from gkaudit.model import Status
from gkaudit.net.dns import DnsAnswer, Resolver, parse_nameserver
from gkaudit.net.failures import FailureKind, NetError
from gkaudit.simweb.web import SimWeb

from conftest import scan_web, target_of
from enginekit import CNAMED, DUAL, ENGINE_SITES, FALLBACK, IDN, V4ONLY, fetch, unicode_url


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb(roots=[ENGINE_SITES]) as simulated:
        yield simulated


def query(web: SimWeb, name: str, rdtype: str) -> DnsAnswer:
    async def go() -> DnsAnswer:
        return await Resolver(parse_nameserver(web.nameserver), timeout=2).query(name, rdtype)

    return asyncio.run(go())


def addresses(web: SimWeb, host: str, family: str) -> list[str]:
    async def go() -> list[str]:
        return await Resolver(parse_nameserver(web.nameserver), timeout=2).addresses(host, family)  # type: ignore[arg-type]

    return asyncio.run(go())


def test_a_and_aaaa(web: SimWeb) -> None:
    assert query(web, DUAL, "A").records == ("127.0.0.1",)
    assert query(web, DUAL, "AAAA").records == ("::1",)
    assert query(web, V4ONLY, "AAAA").records == () and query(web, V4ONLY, "AAAA").ok


def test_cname_chain_is_walked(web: SimWeb) -> None:
    answer = query(web, CNAMED, "AAAA")
    assert answer.records == ("::1",)
    assert answer.cname_chain == ("edge.cdn.engine.test", "node.cdn.engine.test")


def test_names_are_case_and_dot_insensitive(web: SimWeb) -> None:
    assert query(web, DUAL.upper() + ".", "A").records == ("127.0.0.1",)


def test_ns_records(web: SimWeb) -> None:
    assert query(web, "empty.engine.test", "NS").records == ("ns1.engine.test",)


def test_nxdomain(web: SimWeb) -> None:
    answer = query(web, "nosuch.engine.test", "A")
    assert answer.failure is FailureKind.DNS_NXDOMAIN and not answer.ok


@pytest.mark.parametrize(("family", "expected"), [("any", ["::1", "127.0.0.1"]), ("ipv4", ["127.0.0.1"]),
                                                  ("ipv6", ["::1"])])
def test_addresses_by_family(web: SimWeb, family: str, expected: list[str]) -> None:
    assert addresses(web, DUAL, family) == expected


def test_addresses_of_literals(web: SimWeb) -> None:
    assert addresses(web, "[::1]", "any") == ["::1"]
    assert addresses(web, "127.0.0.1", "ipv4") == ["127.0.0.1"]
    with pytest.raises(NetError) as info:
        addresses(web, "127.0.0.1", "ipv6")
    assert info.value.kind is FailureKind.NO_ADDRESS


@pytest.mark.parametrize(("host", "kind"), [("empty.engine.test", FailureKind.NO_ADDRESS),
                                            ("nosuch.engine.test", FailureKind.DNS_NXDOMAIN)])
def test_addresses_failures(web: SimWeb, host: str, kind: FailureKind) -> None:
    with pytest.raises(NetError) as info:
        addresses(web, host, "any")
    assert info.value.kind is kind


def test_fetch_through_a_cname(web: SimWeb) -> None:
    response = fetch(web, web.url(CNAMED), "ipv6")
    assert response.ok and response.address == "::1"
    assert response.page().title == "经 CDN"


def test_fetch_of_an_unknown_name_is_nxdomain(web: SimWeb) -> None:
    port = web.sites[DUAL].port
    response = fetch(web, f"http://nosuch.engine.test:{port}/", retries=2)
    assert response.failure is FailureKind.DNS_NXDOMAIN and response.attempts == 1


def test_any_family_falls_back_to_ipv6_when_ipv4_refuses(web: SimWeb) -> None:
    assert fetch(web, web.url(FALLBACK), "ipv4").failure is FailureKind.CONNECT_REFUSED
    response = fetch(web, web.url(FALLBACK), "any")
    assert response.ok and response.address == "::1"


def test_a_huge_homepage_fails_reachability_as_too_large_without_hanging(web: SimWeb) -> None:
    target = target_of(web, DUAL).model_copy(update={"url": web.url(DUAL, "/big.html")})
    report = scan_web(web, [target], ["reachability"], max_bytes=50_000)
    result = report.sites[0].results[0]
    assert result.status is Status.FAIL
    assert result.metrics["failure"] == "too_large"


def test_a_chinese_domain_is_resolved_and_sent_as_punycode(web: SimWeb) -> None:
    before = len(web.requests)
    response = fetch(web, unicode_url(web, IDN), "ipv6")
    assert response.ok and response.address == "::1"
    assert response.page().title == "中文域名"
    assert [r.host for r in web.requests[before:]] == [f"{IDN}:{web.sites[IDN].port}"]
