"""The column scorer and sub-column vocabulary against the mis-picks seen on real sites."""

from __future__ import annotations

from gkaudit.checks.disclosure import vocabulary as data
from gkaudit.checks.disclosure.judge import candidates_for
from gkaudit.columns.find import page_anchor_links
from gkaudit.net.page import Page

BASE = "https://www.example.gov.cn/"


def best(spec: data.ColumnSpec, html: str, url: str = BASE, within: str | None = None) -> str | None:
    found = candidates_for(spec, page_anchor_links(Page(url, html)), within=within)
    return found[0].url if found else None


def test_a_category_page_under_xxgk_is_not_the_column() -> None:
    html = "<a href='/xxgk/jgzn/'>机构职能</a><a href='/xxgk/ldxx/'>领导信息</a>"
    assert best(data.COLUMN, html) is None
    assert best(data.COLUMN, html + "<a href='/zfxxgk/'>政府信息公开</a>") == BASE + "zfxxgk/"


def test_more_links_and_request_transfers_are_not_statutory_content() -> None:
    html = ("<h3>法定主动公开内容</h3><a href='/xxgk/fdzdgknr/'>更多>></a>"
            "<a href='/xxgk/ysqzzdgk/'>依申请转主动公开</a>")
    assert best(data.STATUTORY, html) is None
    assert best(data.STATUTORY, html + "<a href='/xxgk/fdzdgknr/'>法定主动公开内容</a>") == BASE + "xxgk/fdzdgknr/"


def test_economic_annual_reports_are_not_the_disclosure_report() -> None:
    html = ("<a href='/tjsj/tjnb/'>统计年报</a><a href='/jjnb/'>经济年报</a><a href='/nj/'>统计年鉴</a>"
            "<a href='/qynb/'>企业年报</a>")
    assert best(data.REPORT, html) is None
    assert best(data.REPORT, html + "<a href='/xxgk/nb/'>统计局政府信息公开年度报告</a>") == BASE + "xxgk/nb/"


def test_department_request_channel_is_recognised() -> None:
    assert best(data.REQUEST, "<a href='/bmsq/'>部门信息公开申请</a>") == BASE + "bmsq/"
    assert best(data.COLUMN, "<a href='/bmsq/'>部门信息公开申请</a>") is None


def test_links_inside_the_columns_own_navigation_come_first() -> None:
    column = BASE + "xxgk/index.html"
    html = ("<div class='nav'><a href='/zwgk/xxgkzn/'>政府信息公开指南</a></div>"
            "<div class='xxgk-left'><a href='/xxgk/xxgkzn/'>政府信息公开指南</a></div>")
    assert best(data.GUIDE, html, column) == BASE + "zwgk/xxgkzn/"
    assert best(data.GUIDE, html, column, within=column) == BASE + "xxgk/xxgkzn/"


def test_a_two_character_name_counts_only_as_the_whole_text() -> None:
    assert best(data.COLUMN, "<a href='/gk/'>公开</a>") == BASE + "gk/"
    assert best(data.COLUMN, "<a href='/zj/'>公开征求意见</a>") is None
