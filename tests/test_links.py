"""The links check: broken links (HEAD, then GET), links to other hosts apart, mixed content, HTTPS."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date

import pytest

from gkaudit.checks.links.https import mixed_content
from gkaudit.checks.links.probe import probe
from gkaudit.model import Status
from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Response
from gkaudit.net.page import Page

from conftest import SITES, scan_web, target_of

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def web():
    from gkaudit.simweb.web import SimWeb

    with SimWeb(roots=[SITES / "links"], today=TODAY) as running:
        yield running


def run(web, name: str, **settings):
    target = target_of(web, f"{name}.lk.test.gov.cn", settings={"links": settings} if settings else {})
    report = scan_web(web, [target], ["links"], now=TODAY)
    return report.sites[0].results[0]


def fake_fetch(answers: dict[str, Response], calls: list[str]):
    async def fetch(url: str, method: str) -> Response:
        calls.append(method)
        return replace(answers[method], method=method)  # as the Fetcher: the request really sent
    return fetch


def test_head_refused_is_retried_with_get():
    calls: list[str] = []
    answers = {"HEAD": Response("http://x.gov.cn/a", "any", "http://x.gov.cn/a", status=405),
               "GET": Response("http://x.gov.cn/a", "any", "http://x.gov.cn/a", status=200)}
    result = asyncio.run(probe(fake_fetch(answers, calls), "http://x.gov.cn/a"))
    assert calls == ["HEAD", "GET"] and result.state == "ok" and result.method == "GET"


def test_a_head_answered_by_the_pages_get_is_not_asked_again():
    refused = Response("http://x.gov.cn/a", "any", "http://x.gov.cn/a", status=403, method="GET")
    calls: list[str] = []

    async def fetch(url: str, method: str) -> Response:
        calls.append(method)
        return refused  # the Fetcher answered the HEAD with the GET another check already made

    result = asyncio.run(probe(fetch, "http://x.gov.cn/a"))
    assert calls == ["HEAD"] and result.state == "broken" and result.method == "GET" and result.status == 403


def test_head_404_is_broken_without_get_and_blocked_is_unchecked():
    calls: list[str] = []
    answers = {"HEAD": Response("http://x.gov.cn/a", "any", "http://x.gov.cn/a", status=404)}
    result = asyncio.run(probe(fake_fetch(answers, calls), "http://x.gov.cn/a"))
    assert calls == ["HEAD"] and result.state == "broken" and result.kind == "http_404"
    blocked = Response("http://x.gov.cn/a", "any", "http://x.gov.cn/a", status=412, failure=FailureKind.BLOCKED)
    result = asyncio.run(probe(fake_fetch({"HEAD": blocked, "GET": blocked}, []), "http://x.gov.cn/a"))
    assert result.state == "unchecked"


def test_mixed_content_lists_resources_not_links():
    page = Page("https://x.gov.cn/", '<script src="http://x.gov.cn/a.js"></script><img src="http://y.cn/b.png">'
                                     '<a href="http://z.cn/">外链</a><img src="/c.png">')
    assert [(m["url"], m["kind"]) for m in mixed_content(page)] == [("http://x.gov.cn/a.js", "active"),
                                                                      ("http://y.cn/b.png", "passive")]
    assert mixed_content(Page("http://x.gov.cn/", '<script src="http://x.gov.cn/a.js"></script>')) == []


def test_https_site_without_broken_links_passes_and_reports_other_hosts_apart(web):
    result = run(web, "good")
    assert result.status is Status.PASS, result.summary
    assert result.metrics["internal"]["broken"] == 0
    assert [b["url"] for b in result.metrics["external_broken"]] == ["http://nowhere.example.org/"]
    assert result.metrics["external_broken"][0]["kind"] == "dns_nxdomain"
    assert result.metrics["https"]["certificate_valid"] is True
    assert len(result.metrics["pages_read"]) == 4  # the homepage and three second-level pages


def test_broken_links_on_homepage_and_second_level_pages_warn(web):
    result = run(web, "broken", require_https=False)
    assert result.status is Status.WARN, result.summary
    broken = {b["url"]: b for b in result.metrics["broken"]}
    home = web.url("broken.lk.test.gov.cn")
    assert set(broken) == {web.url("broken.lk.test.gov.cn", "/gone/"), web.url("sub.lk.test.gov.cn", "/old/"),
                           web.url("broken.lk.test.gov.cn", "/gzdt/missing.html")}
    assert broken[web.url("broken.lk.test.gov.cn", "/gone/")]["found_on"] == home
    assert broken[web.url("broken.lk.test.gov.cn", "/gzdt/missing.html")]["found_on"].endswith("/gzdt/")
    assert all(b["kind"] == "http_404" for b in broken.values())
    assert all("整改" in f.message for f in result.findings if f.severity.value == "warn")


def test_a_link_to_another_host_is_probed_once_per_scan_for_every_site_linking_to_it(web):
    before = len(web.requests)
    targets = [target_of(web, f"{name}.lk.test.gov.cn", settings={"links": {"require_https": False}})
               for name in ("broken", "twin")]
    report = scan_web(web, targets, ["links"], now=TODAY)
    old = web.url("sub.lk.test.gov.cn", "/old/")
    found = {site.id: {b["url"]: b for b in site.results[0].metrics["broken"]} for site in report.sites}
    assert found["broken-lk-test-gov-cn"][old]["text"] == "子站"  # each site's own link text
    assert found["twin-lk-test-gov-cn"][old]["text"] == "老子站"
    assert all(site[old]["kind"] == "http_404" for site in found.values())
    asked = [(r.method, r.path) for r in web.requests[before:] if r.host.split(":")[0] == "sub.lk.test.gov.cn"]
    assert asked.count(("HEAD", "/old/")) == 1, asked


def test_http_site_without_https_warns(web):
    result = run(web, "broken", max_links=1)
    assert result.metrics["https"]["https_offered"] is False
    assert any("未提供 HTTPS" in f.message for f in result.findings)
    assert result.metrics["probed"] == 1  # the budget


def test_mixed_content_warns(web):
    result = run(web, "mixed")
    assert result.status is Status.WARN
    assert [m["url"] for m in result.metrics["mixed_content"]] == ["http://mixed.lk.test.gov.cn/js/old.js",
                                                                   "http://img.example.org/logo.png"]


def test_invalid_certificate_warns_once_not_as_broken_links(web):
    result = run(web, "badcert")
    assert result.status is Status.WARN, result.summary
    assert result.metrics["https"]["certificate_valid"] is False
    assert result.metrics["internal"]["broken"] == 0


def test_blocked_homepage_is_inconclusive(web):
    assert run(web, "blocked").status is Status.INCONCLUSIVE


def test_http_homepage_redirected_to_https_counts_as_redirect(web):
    result = run(web, "redirect")
    assert result.metrics["https"] == {"site_scheme": "http", "https_offered": True, "certificate_valid": True,
                                       "http_redirects_to_https": True}
    assert result.status is Status.PASS, result.summary


def test_findings_are_capped_and_the_rest_counted():
    from gkaudit.checks.links import Links
    from gkaudit.checks.links.probe import LinkResult

    results = [LinkResult(f"http://x.gov.cn/{i}", f"链接{i}", "broken", 404) for i in range(25)]
    findings = Links._judge_links(results, max_findings=20)
    assert len(findings) == 21 and findings[-1].message.startswith("另有 5 个本站断链")
    assert len(findings[-1].evidence.data["urls"]) == 5


def test_no_parsed_tree_is_held_while_links_are_probed(web, monkeypatch):
    """The probes wait on the per-host politeness for seconds: the check keeps each page's links, not
    its tree (a megabyte or more). With the Fetcher keeping no recent pages, no tree is alive at any probe."""
    import gc

    import gkaudit.checks.links as links_check
    import gkaudit.net.http as http

    monkeypatch.setattr(http, "RECENT_PAGES_PER_SLOT", 0)
    real_probe = links_check.probe
    alive: list[int] = []

    async def counting_probe(fetch, url, text="", *, get=False):
        gc.collect()
        alive.append(sum(1 for o in gc.get_objects() if isinstance(o, Page) and "tree" in o.__dict__))
        return await real_probe(fetch, url, text, get=get)

    monkeypatch.setattr(links_check, "probe", counting_probe)
    result = run(web, "broken")
    assert len(result.metrics["pages_read"]) >= 3  # the homepage and second-level pages were read
    assert alive and max(alive) == 0, alive
