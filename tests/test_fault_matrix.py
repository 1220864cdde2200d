"""The fault matrix: every hostile answer of tests/sites/hostile x every check, through one real scan.

Each hostile site's homepage is one fault (redirects to javascript:/mailto:/data:/tel:/A:0/nowhere,
parent-domain and non-ASCII cookies, unusable charsets, non-ASCII Retry-After, numbers with
thousands of digits, layered decompression bombs, 100,000 nested <div>s, a foreign <base href>,
empty and binary 200s); `links.hostile.gov.cn` links its columns to such answers. Whatever
they send, no check may end in `error` (a broken check reads as a compliance failure in CI),
the scan completes, and the control site still passes. No timing is asserted: pytest's own
timeout, generous, bounds the run.
"""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from gkaudit.model import ScanReport, Status
from gkaudit.registry import load_registry
from gkaudit.simweb.web import SimWeb
from gkaudit.targets import Target

from conftest import SITES, scan_web, target_of

HOSTILE = SITES / "hostile"
CONTROL = "www.hostile.gov.cn"


@pytest.fixture(scope="module")
def hostile_scan() -> tuple[SimWeb, ScanReport, float]:
    with SimWeb(roots=[Path(HOSTILE)]) as web:
        targets: list[Target] = [target_of(web, host) for host in sorted(web.sites)]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        report = scan_web(web, targets, load_registry().ids(), timeout=3.0, retries=1)
        growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        yield web, report, growth_mb


def test_every_fault_times_every_check_is_classified_never_error(hostile_scan) -> None:
    web, report, _ = hostile_scan
    assert len(report.sites) == len(web.sites)
    errors = [(site.id, r.check, r.summary) for site in report.sites for r in site.results if r.status is Status.ERROR]
    assert errors == []
    for site in report.sites:
        assert {r.check for r in site.results} == set(load_registry().ids())


def test_the_control_site_still_passes(hostile_scan) -> None:
    _, report, _ = hostile_scan
    control = next(s for s in report.sites if s.url.startswith(f"http://{CONTROL}:"))
    assert control.result("reachability").status is Status.PASS
    assert control.result("disclosure").status is Status.PASS


def test_no_cookie_crosses_to_another_site(hostile_scan) -> None:
    web, _, _ = hostile_scan
    sent = [(r.host, r.cookie) for r in web.requests if r.cookie]
    assert sent, "the cookie site's own cookie should come back to it"
    assert all(host.split(":")[0] == "cookies.hostile.gov.cn" for host, _ in sent)
    assert all("leak" not in cookie and "bad" not in cookie for _, cookie in sent)


def test_memory_stays_bounded_under_the_hostile_web(hostile_scan) -> None:
    _, _, growth_mb = hostile_scan
    assert growth_mb < 300  # the bombs decode to 200 MB each; capped, they never exist in memory
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 < 600
