"""The fault matrix: every hostile answer of tests/sites/hostile x every check, through one real scan.

Each hostile site's homepage is one fault (redirects to javascript:/mailto:/data:/tel:/A:0/a punycode host that is not IDNA/nowhere,
parent-domain and non-ASCII cookies, unusable charsets, non-ASCII Retry-After, numbers with
thousands of digits, layered decompression bombs, 100,000 nested <div>s, a 4.5 MB text page, a
foreign <base href>, empty and binary 200s); `links.hostile.gov.cn` links its columns to such
answers and `pdfbomb.hostile.gov.cn` publishes its annual report as a PDF bomb. Whatever
they send, no check may end in `error` (a broken check reads as a compliance failure in CI),
the scan completes, and the control site still passes. No timing is asserted: pytest's own
timeout, generous, bounds the run.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from gkaudit.model import ScanReport, Status
from gkaudit.registry import load_registry
from gkaudit.simweb.web import SimWeb
from gkaudit.targets import Target

from conftest import SITES, scan_web, target_of

HOSTILE = SITES / "hostile"
CONTROL = "www.hostile.gov.cn"
CONTENT_CHECKS = ("disclosure", "plans", "management", "annual_report")


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


def _site(report: ScanReport, host: str):  # type: ignore[no-untyped-def]
    return next(s for s in report.sites if s.url.startswith(f"http://{host}:"))


@pytest.mark.parametrize(("host", "failure"), [
    ("redir-js.hostile.gov.cn", "unsupported_url"), ("redir-mailto.hostile.gov.cn", "unsupported_url"),
    ("redir-data.hostile.gov.cn", "unsupported_url"), ("redir-tel.hostile.gov.cn", "unsupported_url"),
    ("redir-a0.hostile.gov.cn", "unsupported_url"), ("redir-badhost.hostile.gov.cn", "unsupported_url"),
    ("redir-punycode.hostile.gov.cn", "unsupported_url"),
    ("redir-empty.hostile.gov.cn", "http_status"), ("redir-none.hostile.gov.cn", "http_status"),
    ("bomb-gzip2.hostile.gov.cn", "too_large"), ("bomb-deflate.hostile.gov.cn", "too_large"),
])
def test_hostile_homepages_are_classified_failures(hostile_scan, host: str, failure: str) -> None:
    _, report, _ = hostile_scan
    site = _site(report, host)
    reachability = site.result("reachability")
    assert reachability.status is Status.FAIL
    assert reachability.metrics["failure"] == failure
    for check in CONTENT_CHECKS:  # nothing to read: cannot judge, never fail
        assert site.result(check).status is Status.INCONCLUSIVE


@pytest.mark.parametrize("host", ["empty.hostile.gov.cn", "binary.hostile.gov.cn"])
def test_an_empty_or_binary_homepage_is_not_a_pass(hostile_scan, host: str) -> None:
    _, report, _ = hostile_scan
    site = _site(report, host)
    assert site.result("reachability").status is Status.WARN
    assert "warn" in [f.severity.value for f in site.result("reachability").findings]
    for check in CONTENT_CHECKS:
        assert site.result(check).status is Status.INCONCLUSIVE


def test_a_pathologically_nested_homepage_is_classified_fast(hostile_scan) -> None:
    _, report, _ = hostile_scan
    site = _site(report, "deep.hostile.gov.cn")
    assert site.result("reachability").status is Status.WARN
    assert site.result("reachability").metrics["failure"] == "page_too_complex"
    for check in CONTENT_CHECKS:
        assert site.result(check).status is Status.INCONCLUSIVE
        assert "page_too_complex" in site.result(check).summary


@pytest.mark.parametrize("host", ["charset-undefined.hostile.gov.cn", "charset-idna.hostile.gov.cn",
                                  "digits.hostile.gov.cn", "cookies.hostile.gov.cn"])
def test_odd_but_readable_homepages_are_read(hostile_scan, host: str) -> None:
    _, report, _ = hostile_scan
    assert _site(report, host).result("reachability").status is Status.PASS


def test_a_foreign_base_href_does_not_move_the_site(hostile_scan) -> None:
    web, report, _ = hostile_scan
    disclosure = _site(report, "base.hostile.gov.cn").result("disclosure")
    assert disclosure.status is not Status.PASS
    assert disclosure.metrics["column_url"].startswith("http://base.hostile.gov.cn:")
    assert any("base href" in f.message and f.severity.value == "warn" for f in disclosure.findings)
    assert any(r.path == "/xxgk/" for r in web.requests_for("base.hostile.gov.cn"))


def test_links_to_hostile_answers_are_classified(hostile_scan) -> None:
    _, report, _ = hostile_scan
    site = _site(report, "links.hostile.gov.cn")
    assert site.result("reachability").status is Status.PASS
    assert all(r.status is not Status.ERROR for r in site.results)


def test_no_cookie_crosses_to_another_site(hostile_scan) -> None:
    web, _, _ = hostile_scan
    sent = [(r.host, r.cookie) for r in web.requests if r.cookie]
    assert sent, "the cookie site's own cookie should come back to it"
    assert all(host.split(":")[0] == "cookies.hostile.gov.cn" for host, _ in sent)
    assert all("leak" not in cookie and "bad" not in cookie for _, cookie in sent)


def test_memory_stays_bounded_under_the_hostile_web(hostile_scan) -> None:
    _, _, growth_mb = hostile_scan
    assert growth_mb < 300  # the bombs decode to 200 MB each; capped, they never exist in memory


def test_the_cli_scan_of_the_hostile_web_stays_under_600_mib() -> None:
    """bench/hostile.py runs `gkaudit scan` as its own process and measures that process's peak RSS."""
    script = Path(__file__).resolve().parent.parent / "bench" / "hostile.py"
    done = subprocess.run([sys.executable, str(script), "--max-rss-mib", "600"], capture_output=True, text=True,
                          timeout=600)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["errors"] == [] and result["exit_code"] in (0, 1), result
    assert result["peak_rss_mib"] < 600, result
    assert done.returncode == 0, result


def test_a_pdf_bomb_report_is_an_unreadable_attachment(hostile_scan) -> None:
    _, report, _ = hostile_scan
    annual = _site(report, "pdfbomb.hostile.gov.cn").result("annual_report")
    assert annual.status is Status.INCONCLUSIVE
    assert "解压炸弹" in annual.summary
