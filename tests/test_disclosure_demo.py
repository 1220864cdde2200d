"""The bundled simulated Nanjing shows every verdict of the disclosure check."""

from __future__ import annotations

from gkaudit.model import Status

from conftest import scan_web


def test_demo_sites_disclosure(bundled_web) -> None:  # type: ignore[no-untyped-def]
    report = scan_web(bundled_web, bundled_web.targets(), ["disclosure"])
    results = {site.id: site.results[0] for site in report.sites}
    statuses = {site_id: result.status for site_id, result in results.items()}
    assert statuses["nanjing"] is Status.PASS
    assert statuses["qinhuai"] is Status.PASS
    assert statuses["tjj"] is Status.PASS  # real homepage; TRS ?id= lists read through the id list pages
    assert statuses["gulou"] is Status.WARN  # GBK pages; guide without a phone number
    assert statuses["fgw"] is Status.WARN  # no on-request channel
    assert statuses["jiangning"] is Status.FAIL  # latest annual report three years old
    assert statuses["jiangbei"] is Status.FAIL  # 制度 is a 200 error page
    assert statuses["lishui"] is Status.INCONCLUSIVE  # anti-bot gateway
    assert statuses["gaochun"] is Status.INCONCLUSIVE  # homepage refuses connections: not "missing"
    assert results["lishui"].metrics["inconclusive_reasons"] == ["blocked"]
    assert results["gaochun"].metrics["inconclusive_reasons"] == ["homepage_unreachable"]
    assert results["gulou"].metrics["guide_missing"] == ["联系电话"]
    assert results["jiangbei"].metrics["subcolumns"]["system"]["state"] == "soft_404"
    tjj = results["tjj"].metrics["subcolumns"]
    assert {tjj[key]["loader"]["kind"] for key in ("guide", "system", "annual_report")} == {"trs_id"}
