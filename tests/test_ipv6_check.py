"""The ipv6 check against the IPv6 fixture web (tests/sites/ipv6), one case of issue 3 per test.

Loopback only: every AAAA the fixtures hand out that is ever connected to is ::1 (the NAT64 case is
never connected to, by design of the check).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from gkaudit.model import CheckResult, ScanReport, Status
from gkaudit.registry import load_registry
from gkaudit.runner import run_scan
from gkaudit.simweb.options import simweb_scan_options
from gkaudit.simweb.web import SimWeb

from conftest import SITES, target_of

IPV6_SITES = SITES / "ipv6"
SITE_HOSTS = ["www.noaaaa.gov.cn", "www.deadv6.gov.cn", "www.mapped.gov.cn", "www.nat64.gov.cn",
              "www.v6diff.gov.cn", "www.v6literal.gov.cn", "www.cname.gov.cn", "www.links.gov.cn",
              "www.nsone.gov.cn", "www.v6away.gov.cn"]


def scan(web: SimWeb, hosts: list[str], *, settings: dict[str, Any] | None = None, **options: Any) -> ScanReport:
    """Scan `hosts` with the ipv6 check; `options` replace ScanOptions fields (ipv6, ipv6_control)."""
    targets = [target_of(web, host, settings={"ipv6": settings} if settings else {}) for host in hosts]
    scan_options = replace(simweb_scan_options(web), **options)
    return asyncio.run(run_scan(targets, load_registry().select(["ipv6"]), scan_options))


def result_of(report: ScanReport, host: str) -> CheckResult:
    site = next(s for s in report.sites if s.name == host)
    result = site.result("ipv6")
    assert result is not None
    return result


def messages(result: CheckResult, severity: str | None = None) -> list[str]:
    return [f.message for f in result.findings if severity is None or f.severity.value == severity]


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb(roots=[IPV6_SITES]) as simulated:
        yield simulated


@pytest.fixture(scope="module")
def report(web: SimWeb) -> ScanReport:
    return scan(web, SITE_HOSTS)


def test_scanner_ipv6_is_usable_through_the_control_host(report: ScanReport, web: SimWeb) -> None:
    assert report.scanner.ipv6_route is True
    assert report.scanner.ipv6_usable is True
    assert web.url("www.gov.cn") in (report.scanner.ipv6_reason or "")


def test_no_aaaa_fails_and_the_badge_claim_is_reported_beside_it(report: ScanReport) -> None:
    result = result_of(report, "www.noaaaa.gov.cn")
    assert result.status is Status.FAIL
    assert result.metrics["aaaa"] == [] and result.metrics["a"] == ["127.0.0.1"]
    assert "addresses" not in result.metrics  # nothing to connect to
    assert any("没有 AAAA 记录" in m for m in messages(result, "fail"))
    assert result.metrics["badge"]["claimed"] is True
    claim = next(f for f in result.findings if f.evidence.matched_text)
    assert "IPv6" in claim.evidence.matched_text and "不合格" in claim.message


def test_aaaa_with_nothing_listening_on_v6_fails(report: ScanReport) -> None:
    result = result_of(report, "www.deadv6.gov.cn")
    assert result.status is Status.FAIL
    assert result.metrics["aaaa"] == ["::1"]
    [address] = result.metrics["addresses"]
    assert address["address"] == "::1" and address["reachable"] is False
    assert address["failure"] == "connect_refused"
    assert result.metrics["homepage_ipv6"]["failure"] == "connect_refused"
    assert result.summary == "有 AAAA 记录，但首页无法经 IPv6 访问"


def test_ipv4_mapped_aaaa_does_not_count_and_is_never_used(report: ScanReport, web: SimWeb) -> None:
    result = result_of(report, "www.mapped.gov.cn")
    assert result.status is Status.FAIL
    assert result.metrics["aaaa_classes"] == {"::ffff:127.0.0.1": "mapped"}
    assert any("IPv4 映射地址" in m for m in messages(result, "fail"))
    assert [r for r in web.requests_for("www.mapped.gov.cn") if r.family == "ipv6"] == []


def test_nat64_aaaa_is_flagged_as_synthesised(report: ScanReport) -> None:
    result = result_of(report, "www.nat64.gov.cn")
    assert result.status is Status.FAIL
    assert result.metrics["aaaa_classes"] == {"64:ff9b::7f00:1": "nat64"}
    assert any("NAT64" in m for m in messages(result, "fail"))
    assert "addresses" not in result.metrics


def test_v6_serving_different_content_warns_with_titles_and_similarity(report: ScanReport) -> None:
    result = result_of(report, "www.v6diff.gov.cn")
    assert result.status is Status.WARN
    same = result.metrics["same_site"]
    assert same["status_ipv4"] == same["status_ipv6"] == 200
    assert same["similarity"] < 0.9 and same["same"] is False
    assert same["difference"] == pytest.approx(1 - same["similarity"], abs=1e-4)
    [warning] = [f for f in result.findings if f.severity.value == "warn"]
    assert "内容不同区政府" in warning.message and "系统维护中" in warning.message
    assert f"{same['similarity']:.1%}" in warning.message
    assert warning.evidence.data["title_ipv6"] == "系统维护中"


def test_v6_redirect_to_an_ipv4_literal_fails(report: ScanReport, web: SimWeb) -> None:
    result = result_of(report, "www.v6literal.gov.cn")
    assert result.status is Status.FAIL
    literal = f"http://127.0.0.1:{web.sites['www.v6literal.gov.cn'].port}/"
    [fail] = messages(result, "fail")
    assert literal in fail and "IPv4" in fail
    hops = result.metrics["homepage_ipv6"]["redirects"]
    assert [h["to"] for h in hops] == [literal]
    assert any(literal in m for m in messages(result, "info"))


def test_cname_chain_to_a_dual_stack_host_passes(report: ScanReport, web: SimWeb) -> None:
    result = result_of(report, "www.cname.gov.cn")
    assert result.status is Status.PASS, messages(result)
    assert result.metrics["cname_chain"] == ["www.cname.gov.cn.w.cdnsim.net", "edge.cdnsim.net"]
    assert result.metrics["aaaa"] == ["::1"]
    assert result.metrics["same_site"]["similarity"] == 1.0
    finding = next(f for f in result.findings if f.evidence.dns)
    assert finding.evidence.dns["CNAME"] == ["www.cname.gov.cn.w.cdnsim.net", "edge.cdnsim.net"]
    v6 = [r for r in web.requests_for("www.cname.gov.cn") if r.family == "ipv6"]
    assert v6 and all(r.host == f"www.cname.gov.cn:{web.sites['www.cname.gov.cn'].port}" for r in v6)


def test_link_coverage_per_level_with_exact_ratios(report: ScanReport) -> None:
    result = result_of(report, "www.links.gov.cn")
    assert result.status is Status.WARN
    coverage = result.metrics["coverage"]
    assert coverage["domain"] == "links.gov.cn"
    secondary, tertiary = coverage["secondary"], coverage["tertiary"]
    # 二级: self, p1, p2, v6/ work; v4/ and v4/more.html do not; nxd.links.gov.cn is dead on IPv4 too;
    # other.example.org is not internal.
    assert (secondary["links"], secondary["internal_links"], secondary["tested_links"],
            secondary["ipv6_links"], secondary["dead_links"]) == (8, 7, 6, 4, 1)
    assert secondary["ratio"] == round(4 / 6, 4)
    assert secondary["failing_hosts"] == [{"host": "v4.links.gov.cn", "links": 2, "reason": "no_aaaa"}]
    # 三级 (from p1.html and p2.html): p3 and v6/y.html work; v4/x.html and v4b/ do not.
    assert (tertiary["links"], tertiary["internal_links"], tertiary["ipv6_links"]) == (5, 4, 2)
    assert tertiary["ratio"] == 0.5
    assert sorted(h["host"] for h in tertiary["failing_hosts"]) == ["v4.links.gov.cn", "v4b.links.gov.cn"]
    assert [p["url"].rsplit("/", 1)[1] for p in coverage["pages_sampled"]] == ["p1.html", "p2.html"]
    hosts = {h["host"]: h for h in coverage["hosts"]}
    assert hosts["other.example.org"]["internal"] is False and hosts["other.example.org"]["works"] is False
    assert hosts["nxd.links.gov.cn"]["works"] is None
    assert hosts["v6.links.gov.cn"]["works"] is True
    warnings = messages(result, "warn")
    assert any("二级内部链接 IPv6 支持率 66.7%（4/6）" in m and "v4.links.gov.cn（2 个链接）" in m for m in warnings)
    assert any("三级内部链接 IPv6 支持率 50.0%（2/4）" in m for m in warnings)
    assert result.metrics["nameservers"]["with_aaaa"] == 2


def test_link_coverage_thresholds_are_settings(web: SimWeb) -> None:
    report = scan(web, ["www.links.gov.cn"], settings={"min_secondary_coverage": 0.66, "min_tertiary_coverage": 0.5})
    result = result_of(report, "www.links.gov.cn")
    assert result.status is Status.PASS, messages(result, "warn")
    assert result.metrics["coverage"]["secondary"]["threshold"] == 0.66


def test_link_coverage_is_bounded_by_pages_and_hosts(web: SimWeb) -> None:
    report = scan(web, ["www.links.gov.cn"], settings={"max_pages": 1, "max_hosts": 2})
    coverage = result_of(report, "www.links.gov.cn").metrics["coverage"]
    assert [p["url"].rsplit("/", 1)[1] for p in coverage["pages_sampled"]] == ["p1.html"]
    assert [h["host"] for h in coverage["hosts"]] == ["www.links.gov.cn", "v6.links.gov.cn"]
    assert coverage["hosts_skipped_by_limit"] == 3  # v4, nxd, other.example.org (v4b is only on p2)
    secondary, tertiary = coverage["secondary"], coverage["tertiary"]
    assert (secondary["tested_links"], secondary["ipv6_links"], secondary["untested_links"]) == (4, 4, 3)
    assert (tertiary["links"], tertiary["tested_links"], tertiary["untested_links"]) == (3, 2, 1)
    assert "v4.links.gov.cn" in coverage["untested_hosts"]


def test_fewer_than_two_v6_name_servers_warns(report: ScanReport) -> None:
    result = result_of(report, "www.nsone.gov.cn")
    assert result.status is Status.WARN
    ns = result.metrics["nameservers"]
    assert ns["zone"] == "nsone.gov.cn" and ns["with_aaaa"] == 1
    servers = {s["name"]: s for s in ns["servers"]}
    assert servers["ns1.nsone.gov.cn"]["has_aaaa"] is True and servers["ns2.nsone.gov.cn"]["has_aaaa"] is False
    assert servers["ns1.nsone.gov.cn"]["answers_over_ipv6"] is not None  # asked (information only)
    assert servers["ns2.nsone.gov.cn"]["answers_over_ipv6"] is None
    [warning] = messages(result, "warn")
    assert "只有 1 个" in warning and "gkaudit 默认阈值" in warning


def test_v6_redirect_leaving_the_host_is_reported(report: ScanReport) -> None:
    result = result_of(report, "www.v6away.gov.cn")
    assert any("跳转到其他主机 v6.links.gov.cn" in m for m in messages(result, "info"))
    assert result.metrics["homepage_ipv6"]["final_url"].startswith("http://v6.links.gov.cn:")
    assert result.status is Status.WARN  # the page it lands on is another site


def test_json_result_carries_the_measurements(report: ScanReport) -> None:
    data = report.model_dump(mode="json")
    site = next(s for s in data["sites"] if s["name"] == "www.links.gov.cn")
    metrics = site["results"][0]["metrics"]
    assert metrics["aaaa"] == ["::1"] and metrics["cname_chain"] == []
    assert metrics["addresses"][0]["reachable"] is True
    assert 0 <= metrics["same_site"]["similarity"] <= 1
    assert metrics["coverage"]["secondary"]["failing_hosts"][0]["host"] == "v4.links.gov.cn"
    assert set(metrics["latency"]) >= {"ipv4", "ipv6", "ipv6_to_ipv4"}
    assert set(metrics["latency"]["ipv6"]) == {"connect_ms", "first_byte_ms", "total_ms", "reused_connection"}


# --- the scanner's own IPv6 -----------------------------------------------------------------------

def test_ipv6_off_makes_measurements_inconclusive_but_judges_aaaa(web: SimWeb) -> None:
    before = len(web.requests)
    report = scan(web, ["www.links.gov.cn", "www.noaaaa.gov.cn"], ipv6="off")
    assert report.scanner.ipv6_usable is False and "--ipv6 off" in (report.scanner.ipv6_reason or "")
    links = result_of(report, "www.links.gov.cn")
    assert links.status is Status.INCONCLUSIVE
    assert links.metrics["reason"] == "scanner_no_ipv6" and links.metrics["aaaa"] == ["::1"]
    assert "--ipv6 off" in links.summary
    assert result_of(report, "www.noaaaa.gov.cn").status is Status.FAIL
    assert [r for r in web.requests[before:] if r.family == "ipv6"] == []


def test_failed_control_fetch_makes_measurements_inconclusive(web: SimWeb) -> None:
    control = web.url("www.noaaaa.gov.cn")  # IPv4 only: the IPv6 control fetch fails
    report = scan(web, ["www.cname.gov.cn"], ipv6_control=control)
    assert report.scanner.ipv6_usable is False
    assert control in (report.scanner.ipv6_reason or "")
    assert result_of(report, "www.cname.gov.cn").status is Status.INCONCLUSIVE


def test_ipv4_mapped_control_does_not_prove_ipv6(web: SimWeb) -> None:
    report = scan(web, ["www.cname.gov.cn"], ipv6_control=web.url("www.mapped.gov.cn"))
    assert report.scanner.ipv6_usable is False
    assert "no_address" in (report.scanner.ipv6_reason or "")


def test_control_answering_an_error_status_still_proves_ipv6(web: SimWeb) -> None:
    report = scan(web, ["www.cname.gov.cn"], ipv6_control=web.url("www.gov.cn", "/missing/"))
    assert report.scanner.ipv6_usable is True and "HTTP 404" in (report.scanner.ipv6_reason or "")


def test_no_route_makes_measurements_inconclusive(web: SimWeb, monkeypatch: pytest.MonkeyPatch) -> None:
    probed: list[str] = []

    def no_route(address: str = "2400:3200::1", port: int = 53) -> bool:
        probed.append(address)
        return False

    monkeypatch.setattr("gkaudit.runner.has_route", no_route)
    before = len(web.requests)
    report = scan(web, ["www.cname.gov.cn", "www.noaaaa.gov.cn"])
    assert "::1" in probed  # the route to the control host's AAAA is what was asked
    assert report.scanner.ipv6_route is False and report.scanner.ipv6_usable is False
    assert "路由" in (report.scanner.ipv6_reason or "")
    assert result_of(report, "www.cname.gov.cn").status is Status.INCONCLUSIVE
    assert result_of(report, "www.noaaaa.gov.cn").status is Status.FAIL
    assert [r for r in web.requests[before:] if r.family == "ipv6"] == []


def test_ipv6_on_measures_without_probing(web: SimWeb, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gkaudit.runner.has_route", lambda *args, **kwargs: False)
    report = scan(web, ["www.cname.gov.cn"], ipv6="on")
    assert report.scanner.ipv6_usable is True
    assert result_of(report, "www.cname.gov.cn").status is Status.PASS


def test_no_route_to_the_sites_own_address_is_inconclusive(web: SimWeb, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gkaudit.context.has_route", lambda address: address != "::1")
    report = scan(web, ["www.cname.gov.cn"])
    assert report.scanner.ipv6_usable is True  # the runner's own probe is untouched
    result = result_of(report, "www.cname.gov.cn")
    assert result.status is Status.INCONCLUSIVE and result.metrics["reason"] == "scanner_no_route"
    assert "::1" in result.summary


def test_https_over_ipv6_keeps_host_and_sni_and_link_hosts_are_probed_once_per_scan(web: SimWeb) -> None:
    before = len(web.requests)
    report = scan(web, ["www.tls6.gov.cn", "www.links.gov.cn"])
    result = result_of(report, "www.tls6.gov.cn")
    assert result.status is Status.PASS, messages(result)
    assert result.metrics["homepage_ipv6"]["tls_verified"] is True
    v6 = [r for r in web.requests[before:] if r.family == "ipv6" and r.host.startswith("www.tls6.gov.cn")]
    assert v6 and all(r.sni == "www.tls6.gov.cn" for r in v6)
    # both sites link v6.links.gov.cn (different URLs): its IPv6 state is measured once, shared
    shared = [r for r in web.requests[before:] if r.family == "ipv6" and r.host.startswith("v6.links.gov.cn")]
    assert len(shared) == 1
    hosts = {h["host"]: h for h in result.metrics["coverage"]["hosts"]}
    assert hosts["v6.links.gov.cn"]["works"] is True and hosts["v6.links.gov.cn"]["internal"] is False


@pytest.mark.parametrize(("ipv6", "status", "exit_code"), [("auto", "pass", 0), ("off", "inconclusive", 0)])
def test_cli_check_with_ipv6_option(web: SimWeb, ipv6: str, status: str, exit_code: int) -> None:
    from typer.testing import CliRunner

    from gkaudit.cli import app

    args = ["check", web.url("www.cname.gov.cn"), "--check", "ipv6", "--format", "json", "--quiet",
            "--nameserver", web.nameserver, "--allow-private", "--control-host", "www.gov.cn",
            "--ipv6", ipv6, "--ipv6-control", web.url("www.gov.cn")]
    outcome = CliRunner().invoke(app, args)
    assert outcome.exit_code == exit_code, outcome.output
    data = json.loads(outcome.stdout)
    assert data["sites"][0]["results"][0]["status"] == status
    assert data["sites"][0]["results"][0]["metrics"]["cname_chain"] == ["www.cname.gov.cn.w.cdnsim.net",
                                                                        "edge.cdnsim.net"]
    assert data["scanner"]["ipv6_usable"] is (ipv6 == "auto")


def test_latency_of_a_reused_connection_is_not_compared_with_a_fresh_one() -> None:
    """Keep-alive: a homepage answered on a kept connection has no connect time and a warm first byte."""
    from gkaudit.checks.ipv6 import _latency, _latency_text
    from gkaudit.net.response import Response

    def answer(family: str, reused: bool, connect: int | None, first: int) -> Response:
        return Response(url="http://x.test/", family=family, final_url="http://x.test/", status=200,  # type: ignore[arg-type]
                        elapsed_ms=first + 5, connect_ms=connect, first_byte_ms=first, reused_connection=reused)

    mixed = _latency(answer("ipv4", True, None, 3), answer("ipv6", False, 40, 90), [])
    assert mixed["ipv6_to_ipv4"] == {}
    assert "复用已有连接" in _latency_text(mixed) and "不作比较" in _latency_text(mixed)
    fresh = _latency(answer("ipv4", False, 20, 50), answer("ipv6", False, 40, 100), [])
    assert fresh["ipv6_to_ipv4"] == {"connect_ms": 2.0, "first_byte_ms": 2.0, "total_ms": 1.91}
    assert "不作比较" not in _latency_text(fresh)
