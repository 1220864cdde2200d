"""The plans check against the fixture sites in tests/sites/plans (simulated today: 2026-11-20)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from gkaudit.model import ScanReport, Severity, Status
from gkaudit.simweb.web import SimWeb

from conftest import SITES, scan_web, target_of

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb(roots=[SITES / "plans"], today=TODAY) as simweb:
        yield simweb


@pytest.fixture(scope="module")
def report(web: SimWeb) -> ScanReport:
    return scan_web(web, web.targets(), ["plans"])


def result(report: ScanReport, site_id: str):  # type: ignore[no-untyped-def]
    site = next(s for s in report.sites if s.id == site_id)
    return site.result("plans")


def plan_titles(res) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {p["title"]: p for p in res.metrics["plans"]}


def test_full_column_with_two_pages_passes(report: ScanReport) -> None:
    res = result(report, "ghfull")
    assert res.status is Status.PASS, res.summary
    assert res.metrics["source"] == "column"
    assert res.metrics["generations_required"] == [14, 15]
    assert res.metrics["outline"] == {"14": True, "15": True}
    assert res.metrics["counts"] == {"outline": 2, "special": 3, "spatial": 1, "regional": 1, "other": 0}
    assert res.metrics["pages_read"] == 2  # index.html and index_1.html (createPageHTML)
    assert res.metrics["related"] == 2  # 一图读懂 and 中期评估 are listed, not counted
    assert res.metrics["columns"][0].endswith("/ghqrmzf/xxgkzl/fdzdgknr/ghxx/")
    titles = plan_titles(res)
    # the list truncates the long name; the full title comes from the title attribute
    assert "南京市江心洲区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要" in titles
    assert all("党风廉政" not in t and "宣贯会" not in t for t in titles)


def test_date_from_pubdate_when_the_list_shows_none(report: ScanReport) -> None:
    entry = plan_titles(result(report, "ghfull"))["关于印发《江心洲区“十四五”生态环境保护规划》的通知"]
    assert entry["date"] == "2021-10-20"
    assert entry["date_from"] == "pubdate"
    assert entry["type"] == "special" and entry["generations"] == [14]


def test_truncated_title_is_completed_from_article_title(report: ScanReport) -> None:
    entry = plan_titles(result(report, "ghfull"))["江心洲区“十四五”现代农业发展规划"]
    assert entry["type"] == "special" and entry["date"] == "2022-04-18" and entry["date_from"] == "pubdate"


def test_candidates_and_each_plan_are_in_the_evidence(report: ScanReport) -> None:
    res = result(report, "ghfull")
    where = res.findings[0]
    candidates = where.evidence.data["candidates"]
    assert candidates[0]["text"] == "规划信息" and candidates[0]["score"] >= 100
    plan_findings = [f for f in res.findings if f.evidence.data and f.evidence.data.get("type") == "outline"]
    assert len(plan_findings) == 2
    assert all(f.evidence.url and f.evidence.url.endswith(".html") for f in plan_findings)


def test_no_search_when_the_column_answers(web: SimWeb, report: ScanReport) -> None:
    assert not any("/igs/" in r.path for r in web.requests_for("www.ghfull.gov.cn"))
    assert result(report, "ghfull").metrics["searches"] == 0


def test_only_fourteenth_fails_the_fifteenth(report: ScanReport) -> None:
    res = result(report, "ghonly14")
    assert res.status is Status.FAIL
    assert res.metrics["outline"] == {"14": True, "15": False}
    fails = [f for f in res.findings if f.severity is Severity.FAIL]
    assert len(fails) == 1 and "十五五" in fails[0].message
    assert "编制工作推进会" not in str(res.metrics["plans"])  # news about drafting is not a plan


def test_only_fourteenth_passes_when_only_fourteenth_is_required(web: SimWeb) -> None:
    target = target_of(web, "www.ghonly14.gov.cn", "district", settings={"plans": {"generations": ["十四五"]}})
    res = scan_web(web, [target], ["plans"]).sites[0].result("plans")
    assert res.metrics["generations_required"] == [14]
    assert res.status is Status.PASS  # 十四五 outline and a special plan: passes 十四五
    assert res.metrics["outline"] == {"14": True}


def test_early_in_a_new_period_only_the_previous_generation_is_required(web: SimWeb) -> None:
    target = target_of(web, "www.ghonly14.gov.cn", "district")
    res = scan_web(web, [target], ["plans"], now=date(2026, 1, 20)).sites[0].result("plans")
    assert res.metrics["generations_required"] == [14]
    assert res.status is Status.PASS
    assert any("十五五" in f.message and "暂不要求" in f.message for f in res.findings)


def test_plans_found_only_through_site_search(web: SimWeb, report: ScanReport) -> None:
    res = result(report, "ghsearch")
    assert res.status is Status.PASS, res.summary
    assert res.metrics["source"] == "search"
    assert res.metrics["columns"] == []
    assert "站内搜索" in res.summary
    assert all(p["source"] == "search" for p in res.metrics["plans"])
    assert all("elsewhere" not in p["url"] for p in res.metrics["plans"])  # other sites' results are ignored
    searched = [r.path for r in web.requests_for("www.ghsearch.gov.cn") if "/igs/front/search.jhtml" in r.path]
    assert len(searched) == 2 and all("code=9f2c" in p and "siteId=31" in p for p in searched)
    assert any("站内搜索" in f.message for f in res.findings)


def test_department_with_special_plans_only_passes(report: ScanReport) -> None:
    res = result(report, "ghdept")
    assert res.status is Status.PASS
    assert res.metrics["counts"]["outline"] == 0 and res.metrics["counts"]["special"] == 2
    assert not any(f.severity is Severity.FAIL for f in res.findings)


def test_the_same_site_as_a_government_fails_without_outline(web: SimWeb) -> None:
    target = target_of(web, "fgw.ghdept.gov.cn", "district")
    res = scan_web(web, [target], ["plans"]).sites[0].result("plans")
    assert res.status is Status.FAIL


def test_department_without_any_plan_warns_never_fails(report: ScanReport) -> None:
    res = result(report, "ghdeptnone")
    assert res.status is Status.WARN
    assert any("部门" in f.message for f in res.findings if f.severity is Severity.WARN)


def test_gbk_hanweb_column_with_outlines_only_warns(report: ScanReport) -> None:
    res = result(report, "ghgbk")
    assert res.status is Status.WARN
    assert res.metrics["pages_read"] == 2  # 下一页 followed
    assert res.metrics["outline"] == {"14": True, "15": True}
    assert "江东区国民经济和社会发展第十五个五年规划纲要" in plan_titles(res)  # decoded from GBK
    warn = next(f for f in res.findings if f.severity is Severity.WARN)
    assert "专项规划" in warn.message and "国土空间规划" in warn.message


def test_gbk_column_warns_per_missing_type_when_strict(web: SimWeb) -> None:
    target = target_of(web, "www.ghgbk.gov.cn", "district", settings={"plans": {"warn_each_missing_type": True}})
    res = scan_web(web, [target], ["plans"]).sites[0].result("plans")
    assert res.status is Status.WARN


def test_blocked_site_is_inconclusive(report: ScanReport) -> None:
    res = result(report, "ghblocked")
    assert res.status is Status.INCONCLUSIVE
    assert res.metrics["reason"] == "blocked"


def test_unreadable_column_is_inconclusive_with_its_status(report: ScanReport) -> None:
    res = result(report, "ghbroken")
    assert res.status is Status.INCONCLUSIVE
    assert res.metrics["reason"] == "column_unreadable"
    assert any(f.evidence.http_status == 403 for f in res.findings)


def test_script_filled_column_is_inconclusive(report: ScanReport) -> None:
    res = result(report, "ghscript")
    assert res.status is Status.INCONCLUSIVE
    assert res.metrics["reason"] == "script_only"


def test_page_budget_is_respected(web: SimWeb) -> None:
    target = target_of(web, "www.ghfull.gov.cn", "district", settings={"plans": {"max_pages_per_column": 1,
                                                                                 "search_for_missing": False}})
    res = scan_web(web, [target], ["plans"]).sites[0].result("plans")
    assert res.metrics["pages_read"] == 1
    assert res.metrics["outline"] == {"14": False, "15": True}  # the 十四五 outline is on page 2, unread
    assert res.status is Status.INCONCLUSIVE  # not a fail: the column was not read to its end
    assert res.metrics["reason"] == "page_budget"
    assert any(f.evidence.url and f.evidence.url.endswith("/ghxx/index_1.html") for f in res.findings)


def test_column_link_to_a_404_is_missing_not_inconclusive(report: ScanReport) -> None:
    res = result(report, "ghmissing")
    assert res.status is Status.FAIL
    broken = [f for f in res.findings if f.severity is Severity.WARN and "链接失效" in f.message]
    assert broken and broken[0].evidence.http_status == 404


def test_plan_subcolumns_are_read(report: ScanReport) -> None:
    res = result(report, "ghsub")
    assert res.status is Status.PASS, res.summary
    assert res.metrics["pages_read"] == 4  # 规划计划 and its three sub-columns, not 政策文件
    assert res.metrics["counts"]["outline"] == 2 and res.metrics["counts"]["spatial"] == 1


def test_hanweb_script_list_is_read_through_its_endpoint(report: ScanReport) -> None:
    res = result(report, "ghhanweb")
    assert res.status is Status.PASS, res.summary
    assert res.metrics["outline"] == {"14": True, "15": True} and res.metrics["counts"]["spatial"] == 1
    column = res.findings[0].evidence.data["columns"][0]
    assert column["loader"]["kind"] == "hanweb_jpage" and not column["script_only"]


def test_unknown_script_list_without_search_is_inconclusive(report: ScanReport) -> None:
    res = result(report, "ghunknown")
    assert res.status is Status.INCONCLUSIVE
    assert res.metrics["reason"] == "script_only"
    assert "脚本" in res.summary
