"""The network layer against the engine fixture web: pinning, TLS, charsets, redirects, anti-bot,
size caps, the private-address guard and retries. Loopback only."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest

from gkaudit.model import Status
from gkaudit.net.dns import Nameserver, Resolver, parse_nameserver
from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Fetcher, FetchOptions
from gkaudit.simweb.web import SimWeb

from conftest import scan_web, target_of
from enginekit import (
    BADTLS,
    DUAL,
    ENGINE_SITES,
    GBK,
    JSL521,
    MAPPED,
    REFUSED,
    TLS,
    TS412,
    V4ONLY,
    V6ONLY,
    fetch,
    fetch_options,
)


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb(roots=[ENGINE_SITES]) as simulated:
        yield simulated


def new_records(web: SimWeb, before: int, host: str) -> list:
    return [r for r in web.requests[before:] if r.host.split(":")[0] == host]


# --- address-family pinning, Host and SNI -----------------------------------------------------

@pytest.mark.parametrize(("family", "address"), [("ipv4", "127.0.0.1"), ("ipv6", "::1")])
def test_dual_stack_fetch_is_pinned_to_the_family(web: SimWeb, family: str, address: str) -> None:
    before = len(web.requests)
    response = fetch(web, web.url(DUAL), family)  # type: ignore[arg-type]
    assert response.ok, response.describe_failure()
    assert response.address == address
    assert response.page().title == "双栈测试站"
    records = new_records(web, before, DUAL)
    assert [(r.family, r.path) for r in records] == [(family, "/")]
    assert records[0].host == f"{DUAL}:{web.sites[DUAL].port}"
    assert records[0].sni is None
    assert records[0].user_agent.startswith("gkaudit/")


@pytest.mark.parametrize(("family", "address"), [("ipv4", "127.0.0.1"), ("ipv6", "::1")])
def test_tls_verifies_over_both_families_with_sni_equal_to_hostname(web: SimWeb, family: str,
                                                                    address: str) -> None:
    before = len(web.requests)
    response = fetch(web, web.url(TLS), family)  # type: ignore[arg-type]
    assert response.ok, response.describe_failure()
    assert response.url.startswith("https://")
    assert response.address == address
    assert response.tls_verified is True
    records = new_records(web, before, TLS)
    assert [(r.family, r.sni) for r in records] == [(family, TLS)]
    assert records[0].host == f"{TLS}:{web.sites[TLS].port}"


def test_tls_is_really_verified_without_the_test_ca(web: SimWeb) -> None:
    response = fetch(web, web.url(TLS), "ipv4", ca_bundle=None)
    assert response.failure is FailureKind.TLS_ERROR


def test_wrong_host_certificate_is_tls_error_but_loads_unverified(web: SimWeb) -> None:
    response = fetch(web, web.url(BADTLS))
    assert response.failure is FailureKind.TLS_ERROR
    assert response.status is None
    unverified = fetch(web, web.url(BADTLS), verify=False)
    assert unverified.ok and unverified.tls_verified is False
    assert unverified.page().title == "证书不符"


def test_reachability_warns_on_a_certificate_for_another_host(web: SimWeb) -> None:
    report = scan_web(web, [target_of(web, BADTLS)], ["reachability"])
    result = report.sites[0].results[0]
    assert result.status is Status.WARN
    assert result.metrics["tls_verified"] is False
    assert result.findings[0].evidence.failure == "tls_error"


def test_single_family_sites_answer_only_on_their_family(web: SimWeb) -> None:
    before = len(web.requests)
    assert fetch(web, web.url(V4ONLY), "ipv6").failure is FailureKind.NO_ADDRESS
    assert fetch(web, web.url(V6ONLY), "ipv4").failure is FailureKind.NO_ADDRESS
    assert new_records(web, before, V4ONLY) == [] and new_records(web, before, V6ONLY) == []
    v4 = fetch(web, web.url(V4ONLY), "ipv4")
    v6 = fetch(web, web.url(V6ONLY), "ipv6")
    anyv6 = fetch(web, web.url(V6ONLY), "any")
    assert (v4.address, v6.address, anyv6.address) == ("127.0.0.1", "::1", "::1")
    assert v4.ok and v6.ok and anyv6.ok


def test_connect_refused_is_classified_and_not_retried(web: SimWeb) -> None:
    response = fetch(web, web.url(REFUSED), retries=3)
    assert response.failure is FailureKind.CONNECT_REFUSED
    assert response.attempts == 1


# --- charsets ---------------------------------------------------------------------------------

def test_gbk_page_with_charset_only_in_meta_decodes(web: SimWeb) -> None:
    response = fetch(web, web.url(GBK))
    assert response.ok
    assert "charset" not in response.content_type
    assert "鼓楼区".encode() not in response.body  # really served as GBK bytes
    page = response.page()
    assert page.charset == "gb18030"
    assert page.title == "南京市鼓楼区人民政府门户网站"
    assert "镕" in page.visible_text


# --- redirects --------------------------------------------------------------------------------

def test_http_302_chain_is_followed(web: SimWeb) -> None:
    response = fetch(web, web.url(DUAL, "/redir/a/"))
    assert response.ok
    assert response.final_url == web.url(DUAL, "/redir/c/")
    assert response.url == web.url(DUAL, "/redir/a/")
    assert [(h.kind, h.status) for h in response.redirects] == [("http", 302), ("http", 302)]
    assert response.page().title == "跳转终点"


def test_redirects_are_not_followed_when_asked_not_to(web: SimWeb) -> None:
    response = fetch(web, web.url(DUAL, "/redir/a/"), follow=False)
    assert response.status == 302 and response.failure is None
    assert response.final_url == web.url(DUAL, "/redir/a/")
    assert response.headers["location"] == "/redir/b/"


def test_meta_refresh_is_followed(web: SimWeb) -> None:
    response = fetch(web, web.url(DUAL, "/meta/"))
    assert response.ok
    assert response.final_url == web.url(DUAL, "/landing/")
    assert [h.kind for h in response.redirects] == ["meta"]
    assert response.page().title == "落地页"


def test_window_location_on_a_near_empty_page_is_followed(web: SimWeb) -> None:
    response = fetch(web, web.url(DUAL, "/js/"))
    assert response.ok
    assert response.final_url == web.url(DUAL, "/landing/")
    assert [h.kind for h in response.redirects] == ["script"]


def test_location_assignment_in_a_menu_script_of_a_real_page_is_not_followed(web: SimWeb) -> None:
    before = len(web.requests)
    response = fetch(web, web.url(DUAL, "/menu/"))
    assert response.ok
    assert response.final_url == web.url(DUAL, "/menu/")
    assert response.redirects == []
    assert [r.path for r in new_records(web, before, DUAL)] == ["/menu/"]


def test_meta_refresh_to_the_same_page_is_a_reload_not_a_redirect(web: SimWeb) -> None:
    response = fetch(web, web.url(DUAL, "/selfrefresh/"))
    assert response.failure is None, response.describe_failure()
    assert response.ok and response.redirects == []


def test_redirect_loop_is_too_many_redirects(web: SimWeb) -> None:
    before = len(web.requests)
    response = fetch(web, web.url(DUAL, "/loop/a/"))
    assert response.failure is FailureKind.TOO_MANY_REDIRECTS
    assert "loop" in response.detail
    assert [r.path for r in new_records(web, before, DUAL)] == ["/loop/a/", "/loop/b/"]


def test_more_redirects_than_allowed_is_too_many_redirects(web: SimWeb) -> None:
    # /chain/1/ -> 2 -> 3 -> 4 -> 5 -> /landing/: five hops.
    assert fetch(web, web.url(DUAL, "/chain/1/"), max_redirects=5).ok
    before = len(web.requests)
    response = fetch(web, web.url(DUAL, "/chain/1/"), max_redirects=4)
    assert response.failure is FailureKind.TOO_MANY_REDIRECTS
    assert "/landing/" not in [r.path for r in new_records(web, before, DUAL)]


# --- anti-bot gateways ------------------------------------------------------------------------

def test_412_with_ts_script_is_blocked_and_not_retried(web: SimWeb) -> None:
    before = len(web.requests)
    response = fetch(web, web.url(TS412))
    assert response.failure is FailureKind.BLOCKED
    assert response.status == 412
    assert len(new_records(web, before, TS412)) == 1


def test_521_with_jsluid_cookie_is_blocked(web: SimWeb) -> None:
    response = fetch(web, web.url(JSL521))
    assert response.failure is FailureKind.BLOCKED
    assert response.status == 521


def test_ordinary_403_page_is_not_blocked(web: SimWeb) -> None:
    response = fetch(web, web.url(DUAL, "/forbidden/"))
    assert response.failure is None
    assert response.status == 403 and not response.ok


def test_reachability_is_inconclusive_behind_an_antibot_gateway(web: SimWeb) -> None:
    report = scan_web(web, [target_of(web, TS412), target_of(web, JSL521)], ["reachability"])
    assert [s.results[0].status for s in report.sites] == [Status.INCONCLUSIVE, Status.INCONCLUSIVE]


# --- size and time caps -----------------------------------------------------------------------

def test_oversized_body_is_too_large(web: SimWeb) -> None:
    response = fetch(web, web.url(DUAL, "/big.html"), max_bytes=100_000)
    assert response.failure is FailureKind.TOO_LARGE
    assert response.status == 200
    assert len(response.body) <= 100_000


def test_body_under_the_cap_is_read_whole(web: SimWeb) -> None:
    response = fetch(web, web.url(DUAL, "/big.html"), max_bytes=3_000_000)
    assert response.ok
    assert len(response.body) == 3_000_000


def test_hanging_server_is_read_timeout(web: SimWeb) -> None:
    before = len(web.requests)
    response = fetch(web, web.url(DUAL, "/slow/"), timeout=0.5, retries=0)
    assert response.failure is FailureKind.READ_TIMEOUT
    assert response.attempts == 1
    assert len(new_records(web, before, DUAL)) == 1


def test_timeouts_are_retried(web: SimWeb) -> None:
    before = len(web.requests)
    response = fetch(web, web.url(DUAL, "/slow/"), timeout=0.3, retries=1)
    assert response.failure is FailureKind.READ_TIMEOUT
    assert response.attempts == 2
    assert len(new_records(web, before, DUAL)) == 2


def test_reset_connection_is_connection_error(web: SimWeb) -> None:
    response = fetch(web, web.url(DUAL, "/reset/"))
    assert response.failure is FailureKind.CONNECTION_ERROR
    assert response.status is None


# --- the private-address guard ----------------------------------------------------------------

def test_private_address_guard_refuses_loopback_before_any_request(web: SimWeb) -> None:
    before = len(web.requests)
    for host in (DUAL, TLS, V6ONLY):
        response = fetch(web, web.url(host), allow_private=False)
        assert response.failure is FailureKind.PRIVATE_ADDRESS, host
        assert response.attempts == 1
    assert web.requests[before:] == []


def test_private_address_guard_sees_through_ipv4_mapped_addresses(web: SimWeb) -> None:
    before = len(web.requests)
    port = web.sites[DUAL].port
    for url in (web.url(MAPPED), f"http://[::ffff:127.0.0.1]:{port}/", f"http://[::ffff:7f00:1]:{port}/",
                f"http://127.0.0.1:{port}/", f"http://[::1]:{port}/"):
        response = fetch(web, url, allow_private=False)
        assert response.failure is FailureKind.PRIVATE_ADDRESS, url
    assert web.requests[before:] == []



# --- retries ----------------------------------------------------------------------------------

def test_flaky_path_succeeds_after_retries(web: SimWeb) -> None:
    before = len(web.requests)
    response = fetch(web, web.url(DUAL, "/busy/"), retries=2)  # 503 twice, then the page
    assert response.ok
    assert response.attempts == 3
    assert response.page().title == "终于好了"
    assert [r.path for r in new_records(web, before, DUAL)] == ["/busy/"] * 3


def test_retries_give_up_with_the_last_answer(web: SimWeb) -> None:
    before = len(web.requests)
    response = fetch(web, web.url(DUAL, "/busy-long/"), retries=2)  # 503 five times
    assert response.status == 503 and response.failure is None and not response.ok
    assert response.attempts == 3
    assert len(new_records(web, before, DUAL)) == 3


def test_404_is_not_retried(web: SimWeb) -> None:
    before = len(web.requests)
    response = fetch(web, web.url(DUAL, "/missing/"), retries=3)
    assert response.status == 404 and response.attempts == 1
    assert [r.path for r in new_records(web, before, DUAL)] == ["/missing/"]


def test_each_url_is_fetched_once_per_scan(web: SimWeb) -> None:
    async def twice() -> tuple:
        async with Fetcher(Resolver(parse_nameserver(web.nameserver)), fetch_options(web)) as fetcher:
            url = web.url(DUAL, "/landing/")
            return await asyncio.gather(fetcher.fetch(url), fetcher.fetch(url), fetcher.fetch(url, "ipv6"))

    before = len(web.requests)
    first, second, v6 = asyncio.run(twice())
    assert first is second and first.ok and v6.ok
    assert sorted(r.family for r in new_records(web, before, DUAL)) == ["ipv4", "ipv6"]


def test_dns_timeout_is_classified_and_not_retried() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:  # receives queries, never answers
        silent.bind(("127.0.0.1", 0))
        resolver = Resolver(Nameserver("127.0.0.1", silent.getsockname()[1]), timeout=0.3)

        async def go():  # type: ignore[no-untyped-def]
            async with Fetcher(resolver, FetchOptions(retries=3, backoff=0.01)) as fetcher:
                return await fetcher.fetch("http://www.njqh.gov.cn/")

        response = asyncio.run(asyncio.wait_for(go(), timeout=30))
    assert response.failure is FailureKind.DNS_TIMEOUT
    assert response.attempts == 1


def test_requests_queued_for_a_busy_host_do_not_hold_global_slots(web: SimWeb) -> None:
    """Two requests to a hanging host with per_host=1 must not starve another host (concurrency=2)."""

    async def race() -> str:
        options = fetch_options(web, concurrency=2, per_host=1, timeout=1.0, retries=0)
        async with Fetcher(Resolver(parse_nameserver(web.nameserver)), options) as fetcher:
            slow = [asyncio.create_task(fetcher.fetch(web.url(DUAL, "/slow/") + f"?n={n}")) for n in range(2)]
            await asyncio.sleep(0.05)  # let the slow ones take their places first
            other = asyncio.create_task(fetcher.fetch(web.url(V4ONLY)))
            done, pending = await asyncio.wait([*slow, other], return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            return "other" if other in done else "slow"

    assert asyncio.run(asyncio.wait_for(race(), timeout=30)) == "other"


def test_reachability_with_a_bad_certificate_in_front_of_an_antibot_gateway(web: SimWeb) -> None:
    host = "badtls412.engine.test"
    report = scan_web(web, [target_of(web, host)], ["reachability"])
    result = report.sites[0].results[0]
    # The site answers (TLS works unverified, then the gateway challenges): not "unreachable".
    assert result.status is Status.WARN, result.summary
    assert result.metrics["tls_verified"] is False
    assert any(f.evidence.failure == "tls_error" for f in result.findings)


@pytest.mark.parametrize("url", [
    "http://www.njqh.gov.cn:8O8O/", "http://[::1/", "http://xn--zz.gov.cn/", "http://www.njqh.gov.cn/\x00",
    "ftp://www.njqh.gov.cn/", "/relative/path", "javascript:void(0)", "http://:80/",
])
def test_malformed_urls_are_unsupported_url_not_exceptions(web: SimWeb, url: str) -> None:
    response = fetch(web, url)
    assert response.failure is FailureKind.UNSUPPORTED_URL
    assert response.url == url


@pytest.mark.parametrize("path", ["/badloc/", "/badport/"])
def test_redirect_to_a_malformed_location_is_unsupported_url(web: SimWeb, path: str) -> None:
    response = fetch(web, web.url(DUAL, path))
    assert response.failure is FailureKind.UNSUPPORTED_URL
    assert "location" in response.detail.lower()
