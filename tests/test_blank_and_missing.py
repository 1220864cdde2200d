"""Blank and missing only when sure, on loopback fixtures written for this (tests/sites/static10).

- 短文区 (www.duanwen.gov.cn): a guide of three short lines is content, not 空白栏目; lists that write
  their dates as [11-28], 11月28日, full-width and Chinese numerals are dated (fresh, not stale).
- 脚本市 (www.jiaoben.gov.cn, served GBK): navigation and footer exist only in same-site
  document.write scripts, the footer in the 15th script; the 制度 column is an empty list that a
  same-site script fills: "filled by script" (inconclusive), never blank.
"""

from __future__ import annotations

from datetime import date

import pytest

from gkaudit.columns.chrome import body_text, has_own_content
from gkaudit.model import CheckResult, Severity, Status
from gkaudit.net.page import Page
from gkaudit.simweb.web import SimWeb

from conftest import SITES, scan_web, target_of

NOW = date(2026, 12, 1)
SHORT = "www.duanwen.gov.cn"
SCRIPTED = "www.jiaoben.gov.cn"


@pytest.fixture(scope="module")
def web():  # type: ignore[no-untyped-def]
    with SimWeb(roots=[SITES / "static10"], today=NOW) as running:
        yield running


@pytest.fixture(scope="module")
def results(web: SimWeb) -> dict[str, dict[str, CheckResult]]:
    targets = [target_of(web, SHORT, "district"), target_of(web, SCRIPTED, "portal")]
    report = scan_web(web, targets, ["disclosure", "management"], now=NOW)
    return {site.url: {r.check: r for r in site.results} for site in report.sites}


def fails(result: CheckResult) -> list[str]:
    return [f.message for f in result.findings if f.severity is Severity.FAIL]


def test_a_short_real_guide_is_not_blank(web: SimWeb, results: dict[str, dict[str, CheckResult]]) -> None:
    disclosure = results[web.url(SHORT)]["disclosure"]
    guide = disclosure.metrics["subcolumns"]["guide"]
    assert guide["state"] == "ok", guide
    assert disclosure.metrics.get("guide_missing") == []
    assert disclosure.status is Status.PASS, disclosure.summary
    assert not fails(disclosure)


def test_month_day_full_width_and_chinese_dates_are_read(web: SimWeb,
                                                          results: dict[str, dict[str, CheckResult]]) -> None:
    disclosure = results[web.url(SHORT)]["disclosure"].metrics["subcolumns"]
    assert disclosure["system"]["latest_item"] == "2026-11-28"  # ２０２６－１１－２８
    assert disclosure["statutory"]["latest_item"] == "2026-11-28"  # 二〇二六年十一月二十八日
    management = results[web.url(SHORT)]["management"]
    assert management.metrics["newest_date"] == "2026-11-28"  # [11-28] on the homepage
    news = next(c for c in management.metrics["columns"] if c["label"] == "要闻动态")
    assert news["newest"] == "2026-11-28" and not news["stale"]  # 11-28 on the column page
    notices = next(c for c in management.metrics["columns"] if c["label"] == "通知公告")
    assert notices["newest"] == "2026-11-25" and not notices["stale"]  # no list dates: the articles' meta
    assert management.status is Status.PASS, management.summary


def test_navigation_written_by_a_script_is_read(web: SimWeb, results: dict[str, dict[str, CheckResult]]) -> None:
    disclosure = results[web.url(SCRIPTED)]["disclosure"]
    assert disclosure.metrics["column_url"] == web.url(SCRIPTED, "/zwgk/")
    assert disclosure.metrics["column_source"] == "scripts"
    assert disclosure.metrics["subcolumns"]["guide"]["state"] == "ok"


def test_a_list_filled_by_a_same_site_script_is_inconclusive(web: SimWeb,
                                                             results: dict[str, dict[str, CheckResult]]) -> None:
    disclosure = results[web.url(SCRIPTED)]["disclosure"]
    system = disclosure.metrics["subcolumns"]["system"]
    assert system["state"] == "script_unknown", system
    assert system["loader"]["kind"] == "external_script"
    assert disclosure.status is Status.INCONCLUSIVE, disclosure.summary
    assert "script_only" in disclosure.metrics["inconclusive_reasons"]
    assert not fails(disclosure)


def test_footer_in_the_fifteenth_script_gbk(web: SimWeb, results: dict[str, dict[str, CheckResult]]) -> None:
    management = results[web.url(SCRIPTED)]["management"]
    ids = management.metrics["identifiers"]
    assert ids["sitecode"] == "3299000002"
    assert ids["icp"] == "苏ICP备09011111"
    assert ids["police"] == "苏公网安备:32990002000002号"
    assert ids["conac"] and ids["jiucuo"]
    assert set(management.metrics["identifier_sources"].values()) == {web.url(SCRIPTED, "/js/foot.js")}
    assert not fails(management)


def test_chrome_is_not_content() -> None:
    home = Page("https://a.gov.cn/", "<div class='header'><a href='/'>首页</a></div><p>欢迎访问某区人民政府网站</p>"
                "<div class='footer'>主办：某区人民政府办公室 联系电话：025-12345678</div>")
    blank = Page("https://a.gov.cn/zd/", "<title>制度_某区</title><div class='header'><a href='/'>首页</a></div>"
                 "<div class='position'>当前位置：首页 > 制度</div><h2>制度</h2><ul class='list'></ul>"
                 "<p>暂无信息</p><p>欢迎访问某区人民政府网站</p><div class='footer'>主办：某区人民政府办公室</div>")
    assert body_text(blank, home) == ""
    assert not has_own_content(blank, home)
    short = Page("https://a.gov.cn/zn/", "<div class='header'>首页</div><p>办公地址：某区人民路1号</p>"
                 "<div class='footer'>主办：某区人民政府办公室</div>")
    assert has_own_content(short, home)


def test_plans_follow_a_disclosure_column_on_the_parent_portal(web: SimWeb) -> None:
    report = scan_web(web, [target_of(web, "fgw.shiyi.gov.cn", "department")], ["plans"], now=NOW)
    plans = report.sites[0].results[0]
    assert web.url("www.shiyi.gov.cn", "/gi_class/fgw/ghxx/") in plans.metrics["columns"]
    titles = {p["title"]: p for p in plans.metrics["plans"]}
    assert titles["示一市“十四五”现代物流业发展专项规划"]["date"] == "2026-03-18"  # [03-18] with --now
    assert plans.status is not Status.FAIL and not fails(plans)


def test_plans_with_an_unreadable_disclosure_column_are_inconclusive(web: SimWeb) -> None:
    report = scan_web(web, [target_of(web, "www.duankai.gov.cn", "district")], ["plans"], now=NOW)
    plans = report.sites[0].results[0]
    assert plans.status is Status.INCONCLUSIVE, plans.summary
    assert plans.metrics["reason"] == "disclosure_unreadable"
    assert web.url("www.duankai.gov.cn", "/xxgk/") in plans.summary
    assert not fails(plans)
