"""The interpretation check (政策解读): documents matched to interpretations by title, page links and back links."""

from __future__ import annotations

from datetime import date

import pytest

from gkaudit.checks.interpretation.match import cores_match, document_core, interpretation_core
from gkaudit.model import Status

from conftest import SITES, scan_web, target_of

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def web():
    from gkaudit.simweb.web import SimWeb

    with SimWeb(roots=[SITES / "interpretation"], today=TODAY) as running:
        yield running


def run(web, name: str):
    report = scan_web(web, [target_of(web, f"{name}.jd.test.gov.cn")], ["interpretation"], now=TODAY)
    return report.sites[0].results[0]


@pytest.mark.parametrize(("document", "interpretation", "same"), [
    ("关于印发《南京市促进数字经济发展若干措施》的通知", "《南京市促进数字经济发展若干措施》政策解读", True),
    ("关于印发《南京市养老服务补贴办法》的通知", "关于《南京市养老服务补贴办法》的政策解读", True),
    ("南京市人民政府关于加强安全生产工作的意见", "南京市人民政府关于加强安全生产工作的意见的解读", True),
    ("关于印发《南京市养老服务补贴办法》的通知", "《南京市公共停车场管理办法》解读", False),
    ("关于印发《办法》的通知", "《某某区办法》解读", False),  # a core under six characters must be equal
])
def test_title_cores(document, interpretation, same):
    assert cores_match(document_core(document), interpretation_core(interpretation)) is same


def test_every_document_linked_three_ways_passes(web):
    result = run(web, "good")
    assert result.status is Status.PASS, result.summary
    how = {d["url"].rsplit("/", 1)[1]: d["how"] for d in result.metrics["documents"]}
    assert how == {"t20261110_1.html": "title", "t20261021_2.html": "document_page",
                   "t20260921_3.html": "title", "t20260901_4.html": "back_link"}
    assert result.metrics["coverage"] == {"documents": 4, "linked": 4, "ratio": 1.0}


def test_unlinked_document_is_reported_by_url_and_late_interpretation_warns(web):
    result = run(web, "missing")
    assert result.status is Status.WARN, result.summary
    unlinked = web.url("missing.jd.test.gov.cn", "/qrmzf/xxgkzl/zcwj/t2.html")
    assert result.metrics["unlinked"] == [unlinked]
    assert [f.evidence.url for f in result.findings if "未找到关联的解读" in f.message] == [unlinked]
    assert result.metrics["late"] == [web.url("missing.jd.test.gov.cn", "/qrmzf/xxgkzl/zcwj/t3.html")]
    assert any("gkaudit 默认" in f.message and "20 天" in f.message for f in result.findings)
    assert result.metrics["looked_at"][-1].endswith("/qrmzf/xxgkzl/")  # found through the disclosure column


def test_no_interpretation_anywhere_fails(web):
    result = run(web, "none")
    assert result.status is Status.FAIL, result.summary
    assert result.metrics["coverage"]["linked"] == 0
    assert len(result.metrics["unlinked"]) == 3


def test_stale_interpretation_column_warns(web):
    result = run(web, "stale")
    assert result.status is Status.WARN, result.summary
    assert result.metrics["unlinked"] == []
    assert any("超过 183 天未更新" in f.message for f in result.findings)


@pytest.mark.parametrize(("name", "reason"), [("script", "policy_column_unreadable"),
                                              ("nocolumn", "policy_column_not_found")])
def test_unreadable_or_missing_policy_column_is_inconclusive(web, name, reason):
    result = run(web, name)
    assert result.status is Status.INCONCLUSIVE, result.summary
    assert result.metrics["reason"] == reason


def test_policy_directory_is_read_through_its_first_sub_column(web):
    result = run(web, "directory")
    assert result.metrics["coverage"] == {"documents": 1, "linked": 1, "ratio": 1.0}
    assert result.metrics["documents"][0]["how"] == "document_page"
    assert result.status is Status.WARN  # no interpretation column


@pytest.mark.parametrize(("document", "interpretation"), [
    ("南京市人民政府关于印发南京市河长制工作规定的通知", "《关于印发南京市河长制工作规定的通知》的解读"),
    ("市政府关于加强安全生产工作的意见", "《关于加强安全生产工作的意见》政策解读"),
    ("南京市人民政府办公厅关于印发《南京市促进消费若干措施》的通知", "一图读懂《南京市促进消费若干措施》"),
])
def test_issuer_and_wrappers_do_not_hide_a_match(document, interpretation):
    assert cores_match(document_core(document), interpretation_core(interpretation))
