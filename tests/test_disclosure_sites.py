"""The disclosure check on simulated sites (tests/sites/disclosure): one fixture per case of issue 4."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from datetime import date

import pytest

from gkaudit.checks.disclosure import vocabulary as data
from gkaudit.model import CheckResult, Severity, Status
from gkaudit.simweb.web import SimWeb

from conftest import SITES, scan_web, target_of

TODAY = date(2026, 5, 20)


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb(roots=[SITES / "disclosure"], today=TODAY) as simulated:
        yield simulated


def run(web: SimWeb, host: str, kind: str = "district", now: date | str | None = None, **fields: object) -> CheckResult:
    report = scan_web(web, [target_of(web, host, kind, **fields)], ["disclosure"], now=now or TODAY)
    return report.sites[0].results[0]


def messages(result: CheckResult, severity: str) -> list[str]:
    return [f.message for f in result.findings if f.severity is Severity(severity)]


def test_compliant_district_passes_with_evidence(web: SimWeb) -> None:
    result = run(web, "www.hegui.gov.cn")
    assert result.status is Status.PASS, result.summary
    metrics = result.metrics
    assert metrics["column_url"] == web.url("www.hegui.gov.cn", "/xxgk/")
    assert metrics["column_source"] == "homepage"
    assert metrics["column_candidates"][0]["text"] == "政务公开"
    slugs = {"guide": "xxgkzn", "system": "xxgkzd", "statutory": "fdzdgknr", "annual_report": "zfxxgkndbg"}
    for key, slug in slugs.items():
        entry = metrics["subcolumns"][key]
        assert entry["state"] == "ok", key
        assert entry["found_on"] == "column"
        assert entry["url"] == web.url("www.hegui.gov.cn", f"/xxgk/{slug}/")
    assert metrics["request_channel"]["state"] == "ok"
    assert metrics["report_years"] == [2025, 2024, 2023]
    assert metrics["latest_report_year"] == 2025
    assert metrics["guide_missing"] == []
    assert metrics["inconclusive_reasons"] == []
    # every finding names URL, status and rule; the sub-column findings name their link text too
    for item in result.findings:
        assert item.rule and item.evidence.url and item.evidence.http_status == 200, item.message
    guide = next(f for f in result.findings if f.message.startswith("政府信息公开指南："))
    assert guide.evidence.link_text == "政府信息公开指南"


def test_column_only_in_a_submenu_is_found_and_noted(web: SimWeb) -> None:
    result = run(web, "www.caidan.gov.cn")
    assert result.status is Status.PASS, result.summary
    assert result.metrics["column_url"] == web.url("www.caidan.gov.cn", "/zfxxgk/")
    assert result.metrics["column_in_submenu"] is True
    assert any("二级菜单" in message for message in messages(result, "info"))


def test_blank_subcolumn_fails(web: SimWeb) -> None:
    result = run(web, "www.kongbai.gov.cn")
    assert result.status is Status.FAIL
    assert result.metrics["subcolumns"]["system"]["state"] == "blank"
    assert result.metrics["subcolumns"]["guide"]["state"] == "ok"
    failure = next(f for f in result.findings if f.severity is Severity.FAIL)
    assert "政府信息公开制度" in failure.message and "空白栏目" in failure.message
    assert failure.rule == data.RULE_BLANK
    assert failure.evidence.url == web.url("www.kongbai.gov.cn", "/xxgk/xxgkzd/")
    assert failure.evidence.http_status == 200
    assert failure.evidence.link_text == "政府信息公开制度"


def test_soft_404s_fail_redirect_error_page_and_homepage_copy(web: SimWeb) -> None:
    host = "www.ruancuo.gov.cn"
    result = run(web, host)
    assert result.status is Status.FAIL
    subs = result.metrics["subcolumns"]
    assert subs["guide"]["state"] == "soft_404"  # 302 to /
    assert subs["system"]["state"] == "soft_404"  # 200 with 404 页面不存在
    assert subs["statutory"]["state"] == "soft_404"  # the homepage again
    assert subs["annual_report"]["state"] == "ok"
    guide = next(f for f in result.findings if f.message.startswith("政府信息公开指南软404"))
    assert guide.evidence.final_url == web.url(host, "/")
    assert "跳转到首页" in guide.message
    statutory = next(f for f in result.findings if f.message.startswith("法定主动公开内容软404"))
    assert "标题与首页相同" in statutory.message


def test_guide_without_contact_details_and_no_request_channel_warn(web: SimWeb) -> None:
    result = run(web, "www.quexiang.gov.cn")
    assert result.status is Status.WARN, result.summary
    assert result.metrics["guide_missing"] == ["办公地址", "联系电话", "办公时间或互联网联系方式"]
    warns = messages(result, "warn")
    assert any("指南缺少：办公地址、联系电话、办公时间或互联网联系方式" in m for m in warns)
    assert any("未找到依申请公开渠道" in m for m in warns)
    assert result.metrics["request_channel"]["state"] == "missing"
    channel = next(f for f in result.findings if "依申请公开渠道" in f.message)
    assert channel.rule == data.RULE_REQUEST and channel.evidence.http_status == 200
    assert channel.evidence.url == web.url("www.quexiang.gov.cn", "/xxgk/")
    gap = next(f for f in result.findings if "指南缺少" in f.message)
    assert gap.rule == data.RULE_GUIDE and gap.evidence.url.endswith("/xxgk/xxgkzn/")


@pytest.mark.parametrize(("kind", "now", "status", "due"), [
    ("department", "2026-01-20", Status.PASS, 2024),   # before 31 January: 2025's report not yet due
    ("department", "2026-01-31", Status.PASS, 2024),   # the deadline day itself is still in time
    ("department", "2026-02-15", Status.FAIL, 2025),   # after 31 January: 2025's report missing
    ("district", "2026-02-15", Status.PASS, 2024),     # a government has until 31 March
    ("district", "2026-04-01", Status.FAIL, 2025),     # after 31 March: missing
])
def test_annual_report_deadline_department_vs_district(web: SimWeb, kind: str, now: str, status: Status,
                                                       due: int) -> None:
    result = run(web, "www.nianbao.gov.cn", kind, now=now)
    assert result.status is status, result.summary
    assert result.metrics["report_due_year"] == due
    assert result.metrics["report_years"] == [2024, 2023, 2022]  # 二〇二二年度 read too
    assert result.metrics["latest_report_year"] == 2024
    if status is Status.FAIL:
        failure = next(f for f in result.findings if f.severity is Severity.FAIL)
        assert f"未见 {due} 年度" in failure.message and failure.rule == data.RULE_REPORT
        assert failure.evidence.data["years"] == [2024, 2023, 2022]
    else:
        assert any("尚未到期" in m for m in messages(result, "info"))


def test_hanweb_script_lists_are_read_through_their_endpoints(web: SimWeb) -> None:
    host = "www.dahan.gov.cn"
    result = run(web, host)
    assert result.status is Status.PASS, result.summary
    subs = result.metrics["subcolumns"]
    assert subs["annual_report"]["loader"]["kind"] == "hanweb_jpage"
    assert subs["annual_report"]["loader"]["endpoint"] == web.url(
        host, "/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=104&unitid=4104&permissiontype=0")
    assert subs["system"]["loader"]["kind"] == "hanweb_xxgk"
    assert "loader" not in subs["guide"]  # records inlined in the page's datastore: no fetch needed
    assert result.metrics["report_years"] == [2025, 2024, 2023]
    assert result.metrics["guide_missing"] == []  # read from the newest guide article the list links
    paths = {r.path for r in web.requests_for(host)}
    assert any(p.startswith("/module/web/jpage/dataproxy.jsp") for p in paths)
    assert any(p.startswith("/module/xxgk/search.jsp") for p in paths)


def test_trs_id_shell_pages_are_read_through_the_id_list(web: SimWeb) -> None:
    host = "www.tuoersi.gov.cn"
    result = run(web, host, "department", now="2026-05-20")
    assert result.status is Status.PASS, result.summary
    guide = result.metrics["subcolumns"]["guide"]
    assert guide["url"] == web.url(host, "/site/?id=xxgkzn")
    assert guide["loader"] == {"kind": "trs_id", "endpoint": web.url(host, "/site/xxgkzl/xxgkzn/index.html"),
                               "clue": '"/site/xxgkzl/" + id + "/index.html .list"'}
    assert result.metrics["report_years"] == [2025, 2024]


def test_script_only_column_with_unknown_loader_is_inconclusive(web: SimWeb) -> None:
    result = run(web, "www.jiaoben.gov.cn")
    assert result.status is Status.INCONCLUSIVE, result.summary
    assert result.metrics["inconclusive_reasons"] == ["script_only"]
    assert result.metrics["subcolumns"]["annual_report"]["state"] == "script_unknown"
    assert not messages(result, "fail")  # never called missing or blank
    note = next(f for f in result.findings if f.message.startswith("政府信息公开工作年度报告无法判定"))
    assert "前端框架" in note.message and note.evidence.data["loader"]["kind"] == "unknown"


def test_gbk_column_pages_are_read(web: SimWeb) -> None:
    host = "www.bianma.gov.cn"
    connection = http.client.HTTPConnection("127.0.0.1", web.sites[host].port, timeout=10)
    connection.request("GET", "/xxgk/xxgkzn/", headers={"Host": host})
    body = connection.getresponse().read()
    connection.close()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # really GBK on the wire, declared only in <meta>
    assert "办公地址".encode("gbk") in body
    result = run(web, host)
    assert result.status is Status.PASS, result.summary
    assert result.metrics["guide_missing"] == []  # 办公地址/联系电话/办公时间 read from GBK bytes
    assert result.metrics["report_years"] == [2025, 2024, 2023]


def test_homepage_without_column_link_fails(web: SimWeb) -> None:
    result = run(web, "www.wulan.gov.cn")
    assert result.status is Status.FAIL
    fails = [f for f in result.findings if f.severity is Severity.FAIL]
    assert len(fails) == 1  # the sub-columns are not called missing a second time
    failure = fails[0]
    assert failure.message == "首页未见“政府信息公开”专栏入口"
    assert failure.rule == data.RULE_COLUMN and failure.evidence.http_status == 200
    assert result.metrics["column_url"] is None


def test_target_disclosure_url_is_used_when_navigation_does_not_link_it(web: SimWeb) -> None:
    host = "www.wulan.gov.cn"
    result = run(web, host, disclosure_url=web.url(host, "/xxgk/"))
    assert result.status is Status.PASS, result.summary
    assert result.metrics["column_source"] == "target"
    assert result.metrics["column_url"] == web.url(host, "/xxgk/")


def test_anti_bot_gateway_on_a_subcolumn_is_inconclusive_not_missing(web: SimWeb) -> None:
    result = run(web, "www.wangguan.gov.cn")
    assert result.status is Status.INCONCLUSIVE, result.summary
    assert result.metrics["inconclusive_reasons"] == ["blocked"]
    assert result.metrics["subcolumns"]["annual_report"]["state"] == "blocked"
    assert "report_due_year" not in result.metrics  # the reports were not judged
    assert not messages(result, "fail")


def test_dead_column_is_one_failure_not_four_missing_subcolumns(web: SimWeb) -> None:
    host = "www.wulan.gov.cn"
    result = run(web, host, disclosure_url=web.url(host, "/gone/xxgkzl/"))
    assert result.status is Status.FAIL
    fails = [f for f in result.findings if f.severity is Severity.FAIL]
    assert len(fails) == 1 and fails[0].message == "政府信息公开专栏无法打开（HTTP 404）"
    assert fails[0].evidence.http_status == 404 and fails[0].rule == data.RULE_COLUMN
    assert all(result.metrics["subcolumns"][key]["state"] == "missing" for key in ("guide", "system"))


def test_one_hop_from_a_zwgk_landing_page_to_the_column(web: SimWeb) -> None:
    host = "www.ertiao.gov.cn"
    result = run(web, host)
    assert result.status is Status.PASS, result.summary
    assert result.metrics["column_hop_from"] == web.url(host, "/xxgk/")
    assert result.metrics["column_url"] == web.url(host, "/xxgk/zfxxgk/")
    assert result.metrics["subcolumns"]["guide"]["url"] == web.url(host, "/xxgk/zfxxgk/xxgkzn/")


def test_script_rendered_homepage_is_inconclusive(web: SimWeb) -> None:
    result = run(web, "www.danye.gov.cn")
    assert result.status is Status.INCONCLUSIVE, result.summary
    assert result.metrics["inconclusive_reasons"] == ["homepage_script_only"]
    assert not messages(result, "fail")
