"""The new-media check: the accounts a site lists (names, platforms); their activity is off-site, never guessed."""

from __future__ import annotations

from datetime import date

import pytest

from gkaudit.model import Status

from conftest import SITES, scan_web, target_of

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def web():
    from gkaudit.simweb.web import SimWeb

    with SimWeb(roots=[SITES / "new_media"], today=TODAY) as running:
        yield running


def run(web, name: str):
    report = scan_web(web, [target_of(web, f"{name}.xmt.test.gov.cn")], ["new_media"], now=TODAY)
    return report.sites[0].results[0]


def test_matrix_page_accounts_are_listed_with_platforms(web):
    result = run(web, "matrix")
    assert result.status is Status.PASS, result.summary
    accounts = {(a["name"], tuple(a["platforms"])) for a in result.metrics["accounts"]}
    assert accounts == {("秦淮发布", ("微信",)), ("秦淮发布", ("微博",)), ("秦淮发布", ("抖音",)),
                        ("秦淮区融媒体中心", ("今日头条",))}
    assert result.metrics["activity_checked"] is False
    assert "站外平台" in result.findings[0].message


def test_footer_qr_codes_count_and_news_items_do_not(web):
    result = run(web, "footer")
    assert result.status is Status.PASS, result.summary
    assert {a["name"] for a in result.metrics["accounts"]} == {"鼓楼发布"}
    assert result.metrics["platforms"] == ["微信", "微博"]


def test_no_listing_warns(web):
    result = run(web, "none")
    assert result.status is Status.WARN, result.summary
    assert result.metrics["accounts"] == []  # "我区开通政务服务微信小程序" is news, not an account


@pytest.mark.parametrize("name", ["script", "blocked"])
def test_script_matrix_or_blocked_homepage_is_inconclusive(web, name):
    assert run(web, name).status is Status.INCONCLUSIVE


def test_platform_links_count_even_without_a_name():
    from gkaudit.checks.new_media import listed_accounts
    from gkaudit.net.page import Page

    page = Page("http://x.gov.cn/", '<div class="share"><a href="https://weibo.com/njfb">微博</a>'
                                    '<a href="https://www.douyin.com/user/abc">南京发布抖音号</a></div>')
    accounts = {a["platforms"][0]: a["name"] for a in listed_accounts(page)}
    assert accounts["抖音"] == "南京发布"
    assert "weibo.com" in accounts["微博"]
