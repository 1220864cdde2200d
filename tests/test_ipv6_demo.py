"""The simulated Nanjing of `gkaudit demo` shows the ipv6 check passing, warning and failing."""

from __future__ import annotations

from gkaudit.model import Status

from conftest import scan_web


def test_demo_sites_pass_warn_and_fail_ipv6(bundled_web) -> None:
    report = scan_web(bundled_web, bundled_web.targets(), ["ipv6"])
    results = {site.id: site.results[0] for site in report.sites}
    statuses = {site_id: result.status for site_id, result in results.items()}
    assert statuses["qinhuai"] is Status.PASS
    assert statuses["nanjing"] is Status.PASS
    assert statuses["tjj"] is Status.PASS
    assert statuses["gulou"] is Status.FAIL  # IPv4 only
    assert statuses["lishui"] is Status.INCONCLUSIVE  # anti-bot gateway on both families
    assert statuses["jiangning"] is Status.WARN

    jiangning = results["jiangning"].metrics
    assert jiangning["nameservers"]["zone"] == "jiangning.gov.cn" and jiangning["nameservers"]["with_aaaa"] == 1
    secondary, tertiary = jiangning["coverage"]["secondary"], jiangning["coverage"]["tertiary"]
    assert [h["host"] for h in secondary["failing_hosts"]] == ["zwfw.jiangning.gov.cn"]
    assert "data.jiangning.gov.cn" in [h["host"] for h in tertiary["failing_hosts"]]  # linked from /gzdt/
    assert jiangning["badge"]["claimed"] is True  # "本网站支持IPv6访问" beside a warn
    assert results["gulou"].metrics["aaaa"] == []
    # departments on *.nanjing.gov.cn share the portal's zone, which has two IPv6 name servers
    assert results["tjj"].metrics["nameservers"] | {"servers": None} == {
        "zone": "nanjing.gov.cn", "servers": None, "with_aaaa": 2}
