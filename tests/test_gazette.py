"""The gazette check (政府公报): the municipal portal's column, this year's issues, a contents page."""

from __future__ import annotations

from datetime import date

import pytest

from gkaudit.model import Status

from conftest import SITES, scan_web, target_of

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def web():
    from gkaudit.simweb.web import SimWeb

    with SimWeb(roots=[SITES / "gazette"], today=TODAY) as running:
        yield running


def run(web, name: str, kind: str = "portal", now: date = TODAY):
    report = scan_web(web, [target_of(web, f"{name}.gb.test.gov.cn", kind=kind)], ["gazette"], now=now)
    return report.sites[0].results[0]


def test_current_issues_with_contents_pass(web):
    result = run(web, "good")
    assert result.status is Status.PASS, result.summary
    assert result.metrics["latest"]["title"] == "南京市人民政府公报2026年第10期"
    assert result.metrics["latest"]["date"] == "2026-11-15"
    assert result.metrics["current_year_issues"] == 3
    assert result.metrics["toc"] == {"state": "ok", "entries": 3}


def test_no_issue_this_year_fails_and_column_is_found_through_disclosure(web):
    result = run(web, "old")
    assert result.status is Status.FAIL, result.summary
    assert result.metrics["column"]["text"] == "市政府公报"
    assert result.metrics["latest"]["year"] == 2024
    assert any(f.severity.value == "fail" and "2026" in f.message for f in result.findings)


def test_early_january_still_accepts_last_years_issues(web):
    result = run(web, "good", now=date(2027, 1, 20))
    assert result.metrics["expected_year"] == 2026 and result.status is Status.PASS


def test_issue_without_contents_warns(web):
    result = run(web, "notoc")
    assert result.status is Status.WARN, result.summary
    assert result.metrics["toc"]["state"] == "missing"


def test_statistical_bulletin_is_not_a_gazette(web):
    result = run(web, "none")
    assert result.status is Status.FAIL
    assert result.metrics["column"] is None


def test_blocked_portal_is_inconclusive(web):
    assert run(web, "blocked").status is Status.INCONCLUSIVE


def test_districts_are_skipped(web):
    assert run(web, "none", kind="district").status is Status.SKIPPED


def test_the_three_newest_issues_are_opened(web):
    result = run(web, "good")
    assert [t["state"] for t in result.metrics["tocs"]] == ["ok", "ok", "ok"]
    old = run(web, "old")
    assert [t["state"] for t in old.metrics["tocs"]] == ["ok", "dead"]
    assert any("无法打开" in f.message and f.severity.value == "warn" for f in old.findings)
