"""The interaction check (互动回应): channels, published messages and reply times, on loopback fixtures."""

from __future__ import annotations

from datetime import date

import pytest

from gkaudit.checks.interaction import add_months
from gkaudit.checks.interaction.messages import read_messages
from gkaudit.model import Status
from gkaudit.net.page import Page

from conftest import SITES, scan_web, target_of

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def web():
    from gkaudit.simweb.web import SimWeb

    with SimWeb(roots=[SITES / "interaction"], today=TODAY) as running:
        yield running


def run(web, name: str):
    report = scan_web(web, [target_of(web, f"{name}.hd.test.gov.cn")], ["interaction"], now=TODAY)
    return report.sites[0].results[0]


def test_add_months_keeps_month_ends():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 20), 3) == date(2027, 2, 20)


def test_message_rows_with_status_words_and_swapped_header():
    page = Page("http://x.gov.cn/lyxd/", """<table><tr><th>标题</th><th>回复时间</th><th>留言时间</th></tr>
        <tr><td><a href="a.html">咨询公积金提取</a></td><td>2026-03-10</td><td>2026-02-01</td></tr>
        <tr><td><a href="b.html">咨询医保报销</a></td><td></td><td>2026-03-01</td></tr></table>
        <ul><li><a href="c.html">建议增加绿地</a><span>2026-01-05</span><em>办理中</em></li>
        <li><a href="d.html">重复的留言内容</a><span>2026-01-06</span><em>不予受理</em></li></ul>""")
    found = {m.url.rsplit("/", 1)[1]: m for m in read_messages(page)}
    assert (found["a.html"].asked, found["a.html"].replied, found["a.html"].state) == (
        date(2026, 2, 1), date(2026, 3, 10), "answered")
    assert found["b.html"].state == "unknown"
    assert found["c.html"].state == "open" and found["c.html"].status_text == "办理中"
    assert found["d.html"].state == "invalid"


def test_news_list_is_not_a_message_list():
    page = Page("http://x.gov.cn/gzdt/", '<ul><li><a href="a.html">区政府召开常务会议</a><span>2026-11-01</span></li></ul>')
    assert read_messages(page) == []


def test_working_channel_and_timely_replies_pass(web):
    result = run(web, "good")
    assert result.status is Status.PASS, result.summary
    counts = result.metrics["counts"]
    assert counts["answered"] == 5 and counts["open"] == 0 and counts["invalid"] == 1
    assert result.metrics["lists"][0]["pages"] == [web.url("good.hd.test.gov.cn", "/hdjl/lyxd/"),
                                                   web.url("good.hd.test.gov.cn", "/hdjl/lyxd/index_1.html")]
    texts = {c["text"] for c in result.metrics["channels"] if c["state"] == "working"}
    assert "区长信箱" in texts
    assert "网上信访" not in texts and "网上信访" in result.metrics["excluded_links"]
    assert result.metrics["oldest_open"] is None


def test_four_month_old_unanswered_message_fails_with_its_url(web):
    result = run(web, "stale")
    assert result.status is Status.FAIL, result.summary
    oldest = result.metrics["oldest_open"]
    assert oldest["url"] == web.url("stale.hd.test.gov.cn", "/zxzx/t3.html")
    assert oldest["age_days"] == 122 and oldest["asked"] == "2026-07-21"
    failing = [f for f in result.findings if f.severity.value == "fail"]
    assert len(failing) == 1 and failing[0].evidence.url == oldest["url"]
    assert "3个月" in (failing[0].rule or "") and "整改" in failing[0].message


def test_late_reply_and_open_message_over_two_months_warn(web):
    result = run(web, "slow")
    assert result.status is Status.WARN, result.summary
    assert result.metrics["counts"]["late_replies"] == 1
    assert result.metrics["slowest_reply_days"] == 75  # the header names 回复时间 first
    assert result.metrics["oldest_open"]["age_days"] == 70
    warned = sorted(f.evidence.url for f in result.findings if f.severity.value == "warn")
    assert warned == [web.url("slow.hd.test.gov.cn", "/hdjl/xjgk/000.html"),
                      web.url("slow.hd.test.gov.cn", "/hdjl/xjgk/001.html")]


def test_only_petition_and_discipline_links_fail(web):
    result = run(web, "nochannel")
    assert result.status is Status.FAIL
    assert result.metrics["channels"] == []
    assert set(result.metrics["excluded_links"]) == {"网上信访", "纪检监察举报"}


def test_dead_interaction_page_fails(web):
    result = run(web, "deadhub")
    assert result.status is Status.FAIL
    assert result.metrics["channels"][0]["state"] == "dead"


def test_unpublished_messages_warn(web):
    result = run(web, "unpublished")
    assert result.status is Status.WARN
    assert result.metrics["lists"] == []


@pytest.mark.parametrize(("name", "reason"), [("scriptlist", "list_unreadable"), ("fewlinks", "navigation_unreadable")])
def test_unreadable_lists_and_navigation_are_inconclusive(web, name, reason):
    result = run(web, name)
    assert result.status is Status.INCONCLUSIVE, result.summary
    assert reason in result.metrics["reason"]


def test_anti_bot_gateway_is_inconclusive(web):
    result = run(web, "blocked")
    assert result.status is Status.INCONCLUSIVE
    assert result.metrics["reason"] == "blocked"


def test_image_banner_links_are_channels():
    from gkaudit.checks.interaction.crawl import CHANNEL_NAMES, CHANNEL_SLUGS, _rank

    page = Page("http://x.gov.cn/", '<a href="/xx/"><img src="/b.png" alt="区长信箱"></a>'
                                    '<a href="/xf/"><img src="/c.png" alt="网上信访"></a>')
    assert [c.url for c in _rank(page, CHANNEL_NAMES, CHANNEL_SLUGS)] == ["http://x.gov.cn/xx/"]


def test_hanweb_message_list_is_read_through_its_endpoint(web):
    result = run(web, "hanweb")
    assert result.status is Status.FAIL, result.summary  # 100 days open
    assert result.metrics["lists"][0]["pages"][-1].startswith(web.url("hanweb.hd.test.gov.cn",
                                                                      "/module/web/jpage/dataproxy.jsp"))
    assert result.metrics["oldest_open"]["url"] == web.url("hanweb.hd.test.gov.cn", "/art/2026/7/1/art_2201_12.html")


def test_list_without_statuses_is_completed_from_the_message_pages(web):
    result = run(web, "plainlist")
    assert result.status is Status.FAIL, result.summary
    assert result.metrics["oldest_open"]["url"] == web.url("plainlist.hd.test.gov.cn", "/hdjl/xjxd/2.html")
    assert result.metrics["counts"]["answered"] == 1


def test_messages_whose_state_nothing_shows_are_inconclusive(web):
    result = run(web, "silent")
    assert result.status is Status.INCONCLUSIVE, result.summary
    assert "message_states_unknown" in result.metrics["reason"]


def test_month_day_dates_take_their_year_from_now():
    page = Page("http://x.gov.cn/lyxd/", '<ul><li><a href="a.html">咨询老年卡办理</a><span>[07-20]</span><em>未回复</em></li></ul>')
    (message,) = read_messages(page, now=date(2026, 11, 20))
    assert message.asked == date(2026, 7, 20) and message.state == "open"
