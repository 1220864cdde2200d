"""The website_report check: last year's 政府网站工作年度报表 online by 31 January (国办函〔2018〕12号)."""

from __future__ import annotations

from datetime import date

import pytest

from gkaudit.checks.website_report import due_year, report_year
from gkaudit.model import Status

from conftest import SITES, scan_web, target_of

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def web():
    from gkaudit.simweb.web import SimWeb

    with SimWeb(roots=[SITES / "website_report"], today=TODAY) as running:
        yield running


def run(web, name: str, now: date = TODAY):
    report = scan_web(web, [target_of(web, f"{name}.bb.test.gov.cn")], ["website_report"], now=now)
    return report.sites[0].results[0]


def test_due_year_and_titles():
    assert due_year(date(2026, 1, 31), (1, 31)) == 2024
    assert due_year(date(2026, 2, 1), (1, 31)) == 2025
    assert report_year("南京市人民政府网站2025年度工作报表") == 2025
    assert report_year("2025年政府信息公开工作年度报告") is None
    assert report_year("2025年统计报表") is None
    assert report_year("南京市统计局网站2025年度工作报表") == 2025  # the issuer's name is not a 统计报表
    assert report_year("南京市统计局2025年统计年报报表") is None


@pytest.mark.parametrize("name", ["home", "column", "banner"])
def test_report_on_homepage_or_linked_column_passes(web, name):
    result = run(web, name)
    assert result.status is Status.PASS, result.summary
    assert result.metrics["latest"]["year"] == 2025 and result.metrics["due_year"] == 2025


def test_before_the_deadline_last_years_report_is_not_due(web):
    result = run(web, "old", now=date(2026, 1, 20))
    assert result.status is Status.PASS and result.metrics["due_year"] == 2024


@pytest.mark.parametrize("name", ["old", "none", "dead"])
def test_old_missing_or_dead_report_fails(web, name):
    result = run(web, name)
    assert result.status is Status.FAIL, result.summary
    assert any(f.severity.value == "fail" and "整改" in f.message for f in result.findings)


def test_blocked_homepage_is_inconclusive(web):
    assert run(web, "blocked").status is Status.INCONCLUSIVE


def test_a_text_less_banner_is_read_when_its_url_names_the_column(web):
    """南京市统计局 links its 网站工作年度报表 only by an image whose alt is a file name (`?id=wzgzndbg`): gkaudit
    used to call the report missing (a false fail); the banner beside it (`zfxxgkndbg`) is not the column."""
    result = run(web, "banner")
    assert result.metrics["looked_at"][1] == web.url("banner.bb.test.gov.cn", "/col/?id=wzgzndbg")
    assert result.metrics["latest"]["url"] == web.url("banner.bb.test.gov.cn", "/col/2025.html")
