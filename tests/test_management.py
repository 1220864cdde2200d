"""The site-management check: footer identifiers (also script-written), meta tags, homepage freshness."""

from __future__ import annotations

from datetime import date

import pytest

from gkaudit.checks.management.identifiers import read_identifiers, valid_sitecode
from gkaudit.model import Status

from conftest import REALPAGES, SITES, scan_web, target_of

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def web():
    from gkaudit.simweb.web import SimWeb

    with SimWeb(roots=[SITES / "management"], today=TODAY) as running:
        yield running


def run(web, host: str):
    report = scan_web(web, [target_of(web, host)], ["management"], now=TODAY)
    return report.sites[0].results[0]


@pytest.mark.parametrize(("page", "expected"), [
    ("nanjing_tjj_home.html", {"sitecode": "3201000016", "jiucuo_sitecode": "3201000016",
                               "icp": "苏ICP备05004952号-7", "police": "苏公网安备 32010502010154号",
                               "conac": "_ideConac", "ipv6_badge": None}),
    ("guangzhou_article.html", {"sitecode": "4401000004", "icp": "粤ICP备2022092331号-1",
                                "police": "粤公网安备 44010602000929号", "ipv6_badge": '<img alt="IPV6标识">'}),
    ("handan_xxgk_home.html", {"sitecode": "1304000009", "jiucuo_sitecode": "1304000009",
                               "icp": "冀ICP备05029117号-1", "police": "冀公网安备 13042002000523号"}),
])
def test_identifiers_on_real_pages(page, expected):
    found = read_identifiers((REALPAGES / page).read_text(encoding="utf-8"))
    for name, value in expected.items():
        assert getattr(found, name) == value, name
    assert found.jiucuo == "jiucuo.js"


def test_sitecode_format():
    assert valid_sitecode("3201000016")
    assert valid_sitecode("bm01000001")
    assert not valid_sitecode("320100001")
    assert not valid_sitecode("32010000160")


def test_complete_and_fresh_site_passes_and_reports_ipv6_claim(web):
    result = run(web, "complete.test.gov.cn")
    assert result.status is Status.PASS, result.summary
    assert result.metrics["identifiers"]["sitecode"] == "3201150099"
    assert result.metrics["newest_date"] == "2026-11-24"
    assert result.metrics["days_since_update"] == 2
    assert any("IPv6" in f.message for f in result.findings)


def test_missing_police_number_fails_with_rule(web):
    result = run(web, "nopolice.test.gov.cn")
    assert result.status is Status.FAIL
    failing = [f for f in result.findings if f.severity.value == "fail"]
    assert [f.message for f in failing] == ["页脚缺少公安机关备案号"]
    assert failing[0].rule and "47号" in failing[0].rule
    assert failing[0].evidence.url == web.url("nopolice.test.gov.cn")


def test_footer_written_by_same_site_script_counts(web):
    result = run(web, "scriptfooter.test.gov.cn")
    assert result.status is Status.PASS, result.summary
    assert result.metrics["identifier_sources"]["police"].endswith("/js/foot.js")
    assert result.metrics["identifiers"]["conac"] == "_ideConac"


def test_footer_loaded_by_ajax_is_inconclusive_not_missing(web):
    result = run(web, "ajaxfooter.test.gov.cn")
    assert result.status is Status.INCONCLUSIVE
    assert "页脚标识" in result.summary
    assert not any(f.message.startswith("页脚缺少") for f in result.findings)


def test_stale_homepage_fails_the_veto_item(web):
    result = run(web, "stale.test.gov.cn")
    assert result.status is Status.FAIL
    assert result.metrics["days_since_update"] == 40
    assert "40 天未更新" in result.summary


def test_navigation_homepage_is_judged_by_its_news_column(web):
    result = run(web, "navigation.test.gov.cn")
    assert result.status is Status.PASS, result.summary
    assert result.metrics["newest_date_url"].endswith("/gzdt/")
    assert result.metrics["days_since_update"] == 5


def test_sitecode_meta_mismatch_warns(web):
    result = run(web, "mismatch.test.gov.cn")
    assert result.status is Status.WARN
    assert "3201159999" in result.summary


def test_no_dates_anywhere_is_inconclusive(web):
    result = run(web, "nodates.test.gov.cn")
    assert result.status is Status.INCONCLUSIVE
    assert "更新情况" in result.summary


def test_judged_against_now(web):
    later = scan_web(web, [target_of(web, "complete.test.gov.cn")], ["management"], now=date(2026, 12, 31))
    assert later.sites[0].results[0].status is Status.FAIL


def test_five_stale_columns_are_the_veto_item(web):
    result = run(web, "columnsveto.test.gov.cn")
    assert result.status is Status.FAIL
    assert result.metrics["stale_columns"] == 5  # 今日要闻 (3 days) is current
    stale = {c["label"] for c in result.metrics["columns"] if c["stale"]}
    assert stale == {"工作动态", "部门动态", "乡镇动态", "通知公告", "政策文件"}  # 政策文件: undated items
    veto = next(f for f in result.findings if f.message.startswith("5 个首页栏目未按时更新"))
    assert veto.severity.value == "fail" and "19号" in (veto.rule or "")


def test_a_few_stale_columns_warn_and_unruled_columns_are_not_judged(web):
    result = run(web, "columnssome.test.gov.cn")
    assert result.status is Status.WARN, result.summary
    by_label = {c["label"]: c for c in result.metrics["columns"]}
    assert set(by_label) == {"工作动态", "通知公告", "政策文件", "部门动态"}  # 专题专栏 has no update rule
    assert by_label["通知公告"]["stale"] and by_label["部门动态"]["stale"]  # 190 > 183 days, 16 > 14 days
    assert not by_label["政策文件"]["stale"] and not by_label["工作动态"]["stale"]
    assert "2 个首页栏目未按时更新" in result.summary


def test_five_blank_columns_fail(web):
    result = run(web, "columnsblank.test.gov.cn")
    assert result.status is Status.FAIL
    assert result.metrics["blank_columns"] == 5
    assert any(f.message.startswith("5 个首页栏目为空白栏目") for f in result.findings)
