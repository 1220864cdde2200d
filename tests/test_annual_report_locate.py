"""annual_report finds the 年报 list where the disclosure check finds it, on every disclosure fixture site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gkaudit.model import Status
from gkaudit.simweb.web import SimWeb
from test_disclosure_sites import TODAY

from conftest import SITES, scan_web, target_of


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb(roots=[SITES / "disclosure"], today=TODAY) as simulated:
        yield simulated


def test_same_report_list_as_the_disclosure_check(web: SimWeb) -> None:
    targets = [target_of(web, host) for host in sorted(web.sites)]
    report = scan_web(web, targets, ["disclosure", "annual_report"], now=TODAY)
    compared = 0
    for site in report.sites:
        results = {r.check: r for r in site.results}
        disclosure, annual = results["disclosure"], results["annual_report"]
        entry = disclosure.metrics.get("subcolumns", {}).get("annual_report", {})
        if entry.get("state") == "ok":
            compared += 1
            assert annual.metrics["report_list_url"] == entry["url"], site.id
            assert annual.metrics["report_years"] == disclosure.metrics["report_years"], site.id
        # never a second fail for what the disclosure check already judged (a missing or dead 年报 column)
        if entry.get("state") in (None, "missing", "dead", "soft_404", "blank"):
            assert annual.status is not Status.FAIL, site.id
    assert compared >= 5
    # where disclosure could not read the column (script-only, blocked), neither can annual_report
    for site in report.sites:
        results = {r.check: r for r in site.results}
        if results["disclosure"].status is Status.INCONCLUSIVE:
            assert results["annual_report"].status is Status.INCONCLUSIVE, site.id
