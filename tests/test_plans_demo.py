"""The bundled simulated Nanjing shows every verdict of the plans check."""

from __future__ import annotations

from datetime import date

from gkaudit.model import Status

from conftest import scan_web


def test_demo_shows_pass_warn_fail_and_inconclusive(bundled_web) -> None:  # type: ignore[no-untyped-def]
    report = scan_web(bundled_web, bundled_web.targets(), ["plans"], now=date(2026, 11, 20))
    results = {site.id: site.result("plans") for site in report.sites}
    statuses = {site_id: res.status for site_id, res in results.items() if res is not None}
    assert statuses["nanjing"] is Status.PASS  # 规划信息 + “十五五”规划专题 on the 专题专栏 page
    assert statuses["qinhuai"] is Status.PASS  # full column, two pages
    assert statuses["gulou"] is Status.WARN  # GBK; outlines only
    assert statuses["jiangning"] is Status.FAIL  # 十四五 only
    assert statuses["jiangbei"] is Status.PASS  # list filled by script, found through site search
    assert statuses["fgw"] is Status.PASS  # department, special plans only
    assert statuses["tjj"] is Status.WARN  # department, no plan in its column
    assert statuses["lishui"] is Status.INCONCLUSIVE  # anti-bot 412
    assert statuses["gaochun"] is Status.INCONCLUSIVE  # connection refused
    assert results["jiangbei"].metrics["source"] == "search"
    assert len(results["nanjing"].metrics["columns"]) == 2
    assert results["qinhuai"].metrics["pages_read"] == 2
    assert results["jiangning"].metrics["outline"] == {"14": True, "15": False}
