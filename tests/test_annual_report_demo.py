"""The bundled simulated Nanjing shows every verdict of the annual_report check (tests/make_demo_reports.py)."""

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
    assert statuses["nanjing"] is Status.PASS, results["nanjing"].summary  # a PDF attachment
    assert results["nanjing"].metrics["document"] == "pdf"
    assert statuses["jiangbei"] is Status.WARN  # published on 10 May: late
    assert results["jiangbei"].metrics["published"].endswith("-05-10")
    assert statuses["tjj"] is Status.WARN  # the 2019 trial format
    assert results["tjj"].metrics["format"] == "2019"
    assert statuses["fgw"] is Status.INCONCLUSIVE  # a .doc attachment
    assert results["fgw"].metrics["reason"] == "attachment_type"
