"""Units of the disclosure check: list loaders, endpoint records, soft-404 signs, guide gaps, report years."""

from __future__ import annotations

from datetime import date

import pytest

from gkaudit.checks.disclosure import vocabulary as data
from gkaudit.checks.disclosure.judge import (
    candidates_for,
    due_report_year,
    guide_article,
    guide_gaps,
    report_year,
    report_years,
)
from gkaudit.columns.items import ListItem
from gkaudit.columns.listing import (
    child_columns,
    error_page_reason,
    find_list_loader,
    hanweb_records,
    inline_records,
    same_as_home,
)
from gkaudit.net.page import Link, Page

BASE = "http://www.example.gov.cn/col/col9/index.html"


def page(body: str, url: str = BASE, title: str = "栏目") -> Page:
    return Page(url, f"<html><head><title>{title}</title></head><body>{body}</body></html>")


@pytest.mark.parametrize(("title", "year"), [
    ("南京市统计局2025年政府信息公开工作年度报告", 2025),
    ("2024年度秦淮区政府信息公开年报", 2024),
    ("南京市二〇二三年政府信息公开工作年度报告", 2023),
    ("南京市统计局 2025 年 政府信息公开 工作年度报告", 2025),
    ("2019年度区政府信息公开工作报告", 2019),
    ("2025年南京市统计局政府网站工作年度报表", None),
    ("南京市统计局2025年部门决算", None),
    ("政府信息公开工作年度报告", None),  # no year: not counted
    ("2025年度报告", 2025),  # read inside the annual-report column
    ("南京市2025年统计年报", None),
])
def test_report_year_from_titles(title: str, year: int | None) -> None:
    assert report_year(title) == year


@pytest.mark.parametrize(("now", "government", "due"), [
    (date(2026, 1, 31), False, 2024), (date(2026, 2, 1), False, 2025),
    (date(2026, 3, 31), True, 2024), (date(2026, 4, 1), True, 2025), (date(2026, 12, 31), True, 2025),
])
def test_due_report_year(now: date, government: bool, due: int) -> None:
    assert due_report_year(now, government)[0] == due


def test_report_years_keep_the_first_item_per_year_and_ignore_future_years() -> None:
    items = [ListItem("2025年政府信息公开工作年度报告", "u1"), ListItem("2025年政府信息公开工作年度报告（更正）", "u2"),
             ListItem("2027年政府信息公开工作年度报告", "u3"), ListItem("2023年政府信息公开年报", "u4")]
    years = report_years(items, date(2026, 5, 1), is_government=True)
    assert years.years == [2025, 2023] and years.by_year[2025].url == "u1" and years.due_present


def test_guide_gaps() -> None:
    full = "办公地址：南京市北京东路41号 办公时间：工作日上午8:30 联系电话：025-68789000"
    assert guide_gaps(full) == []
    assert guide_gaps("办公地址：南京市北京东路41号 电子邮箱：gk@nanjing.gov.cn") == ["联系电话"]
    assert guide_gaps("本指南说明主动公开的范围。") == ["办公地址", "联系电话", "办公时间或互联网联系方式"]


def test_guide_article_prefers_the_newest_guide() -> None:
    items = [ListItem("2024年版政府信息公开指南", "a", date(2024, 1, 2)), ListItem("通知", "b", date(2025, 6, 1)),
             ListItem("2025年版政府信息公开指南", "c", date(2025, 1, 3))]
    assert guide_article(items).url == "c"  # type: ignore[union-attr]


def test_column_candidates_leave_out_subcolumn_links() -> None:
    links = [Link("http://x.gov.cn/xxgk/xxgkzn/", "政府信息公开指南"), Link("http://x.gov.cn/xxgk/", "政府信息公开")]
    assert [c.url for c in candidates_for(data.COLUMN, links)] == ["http://x.gov.cn/xxgk/"]
    services = [Link("http://x.gov.cn/bszn/", "办事指南")]
    assert candidates_for(data.GUIDE, services) == []


def test_loader_hanweb_jpage_from_params() -> None:
    loader = find_list_loader(page('<div id="4104"></div><script>var param_4104 = {col:1, webid:"7", '
                                   'columnid: 104, unitid: "4104"}; $("#4104").jpage({dataUrl: '
                                   '"/module/web/jpage/dataproxy.jsp", proxyParam: param_4104});</script>'))
    assert loader is not None and loader.kind == "hanweb_jpage"
    assert loader.endpoint == ("http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=7"
                               "&path=/&columnid=104&unitid=4104&permissiontype=0")


def test_loader_hanweb_jpage_from_nextgroup_url() -> None:
    loader = find_list_loader(page('<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/'
                                   'jpage/dataproxy.jsp?page=1&amp;webid=1&amp;columnid=9"></a>]]></nextgroup>'
                                   '</datastore></script>'))
    assert loader is not None
    assert loader.endpoint == "http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?page=1&webid=1&columnid=9"


def test_loader_hanweb_xxgk_iframe_and_unknown() -> None:
    xxgk = find_list_loader(page('<iframe src="/module/xxgk/subjectinfo.jsp?area=014000335"></iframe>'))
    assert xxgk is not None and xxgk.kind == "hanweb_xxgk"
    assert xxgk.endpoint == "http://www.example.gov.cn/module/xxgk/subjectinfo.jsp?area=014000335"
    frame = find_list_loader(page('<iframe src="/list/frame.html"></iframe>'))
    assert frame is not None and frame.kind == "iframe" and frame.endpoint == "http://www.example.gov.cn/list/frame.html"
    unknown = find_list_loader(page('<ul id="list"></ul><script>$.post("/api/list", {c: 9}, render);</script>'))
    assert unknown is not None and unknown.kind == "unknown" and unknown.endpoint is None
    assert "$.post" in unknown.clue


def test_blank_page_with_badge_scripts_is_not_script_driven() -> None:
    body = ('<ul class="list"></ul><script>document.write(unescape("%3Cspan id=\'_ideConac\'%3E"));</script>'
            '<script id="_jiucuo_" sitecode="3201040001" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>'
            '<script>$(window).load(function(){ $(".nav").show(); });</script>')
    assert find_list_loader(page(body)) is None


def test_trs_loader_needs_the_query_parameter() -> None:
    script = '<script>var id = getQueryString("id"); $("#l").load("/a/xxgkzl/" + id + "/index.html .list");</script>'
    with_id = find_list_loader(page(script, "http://www.example.gov.cn/a/?id=xxgkzd"))
    assert with_id is not None and with_id.endpoint == "http://www.example.gov.cn/a/xxgkzl/xxgkzd/index.html"
    without = find_list_loader(page(script, "http://www.example.gov.cn/a/"))
    assert without is not None and without.kind == "unknown"


def test_hanweb_records_and_inline_datastore() -> None:
    xml = ('<datastore><recordset><record><![CDATA[<li><a href="/art/2025/1/2/art_9_1.html" title="2024年政府信息公开工作'
           '年度报告">2024年…</a><span>2025-01-02</span></li>]]></record></recordset></datastore>')
    items = hanweb_records(xml, BASE)
    assert items == [ListItem("2024年政府信息公开工作年度报告", "http://www.example.gov.cn/art/2025/1/2/art_9_1.html",
                              date(2025, 1, 2))]
    assert inline_records(page(f'<script type="text/xml">{xml}</script>')) == items


def test_error_page_and_same_as_home() -> None:
    assert error_page_reason(page("<h1>抱歉，您访问的页面不存在</h1>", title="提示")) is not None
    assert error_page_reason(page("<p>联系电话：025-84040404</p>", title="指南")) is None
    home = page("<p>首页 新闻 通知 公告</p>", title="某区人民政府")
    assert same_as_home(page("<p>首页 新闻 通知 公告</p>", title="某区人民政府"), home)
    assert not same_as_home(page("<p>政府信息公开指南 全文</p>", title="某区人民政府"), home)


def test_child_columns_are_links_below_the_page_folder() -> None:
    directory = page('<a href="./jgzn/">机构职能</a><a href="./ghxx/">规划信息</a><a href="/other/">其他</a>',
                     "http://www.example.gov.cn/xxgkzl/fdzdgknr/index.html")
    assert child_columns(directory) == ["http://www.example.gov.cn/xxgkzl/fdzdgknr/jgzn/",
                                        "http://www.example.gov.cn/xxgkzl/fdzdgknr/ghxx/"]


def test_child_columns_by_category_names_for_numbered_columns() -> None:
    body = ('<a href="/col/col1031/index.html">机构职能</a><a href="/col/col1032/index.html">规划信息</a>'
            '<a href="http://czj.example.gov.cn/yjs/">财政预决算</a><a href="/col/col9/index.html">网站首页</a>')
    named = child_columns(page(body), data.STATUTORY_CATEGORIES)
    assert named == ["http://www.example.gov.cn/col/col1031/index.html", "http://www.example.gov.cn/col/col1032/index.html",
                     "http://czj.example.gov.cn/yjs/"]
    assert child_columns(page(body.split("<a href=\"http")[0]), data.STATUTORY_CATEGORIES) == []  # two are not enough
