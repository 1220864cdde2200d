"""The bundled simulated Nanjing: 秦淮区's annual report is right, 鼓楼区's Table 3 does not add up."""

from __future__ import annotations

from gkaudit.model import Severity, Status

from conftest import scan_web


def test_demo_sites_annual_report(bundled_web) -> None:  # type: ignore[no-untyped-def]
    report = scan_web(bundled_web, bundled_web.targets(), ["annual_report"])
    results = {site.id: site.results[0] for site in report.sites}
    statuses = {site_id: result.status for site_id, result in results.items()}
    assert statuses["qinhuai"] is Status.PASS, results["qinhuai"].summary
    assert results["qinhuai"].metrics["carry_over_checked"] is True
    assert results["qinhuai"].metrics["table3"]["new"]["total"] == 26
    assert statuses["gulou"] is Status.FAIL  # GBK pages, Hanweb tables; 自然人 column: 22 ≠ 24
    columns = {f.evidence.data["column"] for f in results["gulou"].findings if f.severity is Severity.FAIL}
    assert columns == {"自然人", "总计"}
    assert statuses["jiangning"] is Status.SKIPPED  # no due report: the disclosure check's fail, not ours
    assert statuses["lishui"] is Status.INCONCLUSIVE  # anti-bot gateway
    assert statuses["gaochun"] is Status.INCONCLUSIVE  # connection refused
    assert statuses["nanjing"] is Status.INCONCLUSIVE  # the listed report page answers 404
    assert results["nanjing"].metrics["reason"] == "unreachable"
