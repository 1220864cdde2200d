"""The annual_report check through the simulated web: one site per case, written by tests/reportkit.py."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import reportkit as rk
from gkaudit.model import CheckResult, Severity, Status
from gkaudit.simweb.web import SimWeb

from conftest import scan_web, target_of

TODAY = date(2026, 5, 20)  # a district's 2025 report is due by 2026-03-31
ORG = "样板区人民政府"


def _docx(year: int) -> bytes:
    import docx

    document = docx.Document()
    texts = rk.section_texts(year, ORG, True, True)
    for n, title in enumerate(rk.SECTION_TITLES, start=1):
        document.add_paragraph(f"{'一二三四五六'[n - 1]}、{title}")
        document.add_paragraph(texts[n - 1])
        if n == 3:
            rows = rk.table3_rows(rk.figures((0,) * 6))
            table = document.add_table(rows=len(rows), cols=10)
            taken: set[tuple[int, int]] = set()
            for r, row in enumerate(rows):
                c = 0
                for text, rowspan, colspan in row:
                    while (r, c) in taken:
                        c += 1
                    cell = table.cell(r, c)
                    if rowspan > 1 or colspan > 1:
                        cell = cell.merge(table.cell(r + rowspan - 1, c + colspan - 1))
                    cell.text = text
                    taken.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(colspan))
                    c += colspan
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _site(root: Path, host: str, files: dict[str, str | bytes], **manifest: str) -> None:
    folder = root / host
    extra = "".join(f"{key}: {value}\n" for key, value in manifest.items())
    (folder / "www").mkdir(parents=True)
    (folder / "site.yaml").write_text(f"host: {host}\n{extra}", encoding="utf-8")
    pages: dict[str, str | bytes] = {"index.html": rk.homepage(ORG), "xxgk/index.html": rk.column_page(ORG)}
    pages.setdefault("xxgk/ndbg/index.html", rk.report_list(ORG, [(2025, "./t2025.html", "2026-03-20"),
                                                                    (2024, "./t2024.html", "2025-03-18")]))
    pages.update(files)
    pages.setdefault("xxgk/ndbg/t2024.html", rk.article(2024, ORG, rk.figures((0, 0, 0, 0, 0, 0)),
                                                       pubdate="2025-03-18"))
    for path, body in pages.items():
        file = folder / "www" / path
        file.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            file.write_bytes(body)
        else:
            file.write_text(body, encoding="utf-8")


def _broken_identity() -> rk.Figures:
    f = rk.figures()
    f["carried_out"][0] += 1  # 自然人: 一 + 二 = 22, （七）+ 四 = 23
    return f


def _inferred_only() -> rk.Figures:
    f = rk.figures()
    f["total"][0] += 1        # （七）总计 no longer the sum of （一）-（六） …
    f["carried_out"][0] -= 1  # … but 一 + 二 = （七）+ 四 still holds
    return f


def _carry_mismatch() -> rk.Figures:
    return rk.figures((3, 1, 0, 0, 0, 0))  # last year's 四 is (0, …): 二 should be 0


CASES: dict[str, dict[str, str | bytes]] = {
    "www.nbhege.gov.cn": {"xxgk/ndbg/t2025.html": rk.article(2025, ORG, rk.figures((0, 0, 0, 0, 0, 0)))},
    "www.nbhanweb.gov.cn": {"xxgk/ndbg/t2025.html": rk.article(2025, ORG, rk.figures((0,) * 6), style="hanweb",
                                                              numbering="part")},
    "www.nbcuowu.gov.cn": {"xxgk/ndbg/t2025.html": rk.article(2025, ORG, _broken_identity())},
    "www.nbtuiding.gov.cn": {"xxgk/ndbg/t2025.html": rk.article(2025, ORG, _inferred_only())},
    "www.nbjiushi.gov.cn": {"xxgk/ndbg/t2025.html": rk.article(2025, ORG, rk.figures((0,) * 6), generation="2019")},
    "www.nbquebu.gov.cn": {"xxgk/ndbg/t2025.html": rk.article(2025, ORG, rk.figures((0,) * 6), drop_section=5)},
    "www.nbyaodian.gov.cn": {"xxgk/ndbg/t2025.html": rk.article(2025, ORG, rk.figures((0,) * 6), key_points=False)},
    "www.nbchidao.gov.cn": {"xxgk/ndbg/t2025.html": rk.article(2025, ORG, rk.figures((0,) * 6), pubdate="2026-04-15")},
    "www.nbjiezhuan.gov.cn": {"xxgk/ndbg/t2025.html": rk.article(2025, ORG, _carry_mismatch())},
    "www.nbtupian.gov.cn": {"xxgk/ndbg/t2025.html": rk.article(2025, ORG, tables=False)},
    "www.nbgbk.gov.cn": {"xxgk/ndbg/t2025.html": rk.article(2025, ORG, rk.figures((0,) * 6), style="hanweb",
                                                           charset="gb2312")},
    "www.nbpdf.gov.cn": {
        "xxgk/ndbg/t2025.html": rk.attachment_page(2025, ORG, "./W020260320.pdf", "pdf"),
        "xxgk/ndbg/W020260320.pdf": rk.pdf_report(2025, ORG, rk.figures((0,) * 6)),
    },
    "www.nbdocx.gov.cn": {
        "xxgk/ndbg/t2025.html": rk.attachment_page(2025, ORG, "./W020260321.docx", "docx"),
        "xxgk/ndbg/W020260321.docx": b"",
    },
    "www.nbdoc.gov.cn": {
        "xxgk/ndbg/t2025.html": rk.attachment_page(2025, ORG, "./W020260322.doc", "doc"),
        "xxgk/ndbg/W020260322.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
    },
    "www.nbweigong.gov.cn": {"xxgk/ndbg/index.html": rk.report_list(ORG, [(2024, "./t2024.html", "2025-03-18")])},
    "www.nbkongbiao.gov.cn": {"xxgk/ndbg/t2025.html": rk.article(2025, ORG, rk.blank_figures())},
    "www.nbjiaoben.gov.cn": {"xxgk/ndbg/t2025.html": rk.script_article(2025, ORG)},
    "www.nbfanpa.gov.cn": {"xxgk/ndbg/t2025.html": "<html><head><title>请稍候</title></head>"
                                                   "<body><script>var $_ts={};$_ts.nsd=1;</script></body></html>"},
    "www.nbdawenjian.gov.cn": {"xxgk/ndbg/t2025.html": rk.attachment_page(2025, ORG, "./W020260323.pdf", "pdf")},
    "www.nbzhilian.gov.cn": {
        "xxgk/ndbg/index.html": rk.report_list(ORG, [(2025, "./W020260324.pdf", "2026-03-20"),
                                                     (2024, "./t2024.html", "2025-03-18")]),
        "xxgk/ndbg/W020260324.pdf": rk.pdf_report(2025, ORG, rk.figures((0,) * 6), split_table3_at=8),
    },
}
MANIFESTS = {
    "www.nbgbk.gov.cn": {"encoding": "gbk"},
    "www.nbfanpa.gov.cn": {"statuses": '{"/xxgk/ndbg/t2025.html": 412}'},
    "www.nbdawenjian.gov.cn": {"huge": '{"/xxgk/ndbg/W020260323.pdf": 6000000}'},
}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimWeb]:
    root = tmp_path_factory.mktemp("annual_report_sites")
    CASES["www.nbdocx.gov.cn"]["xxgk/ndbg/W020260321.docx"] = _docx(2025)
    for host, files in CASES.items():
        _site(root, host, files, **MANIFESTS.get(host, {}))
    with SimWeb(roots=[root], today=TODAY) as simulated:
        yield simulated


def run(web: SimWeb, host: str, kind: str = "district", now: date = TODAY) -> CheckResult:
    report = scan_web(web, [target_of(web, host, kind)], ["annual_report"], now=now)
    return report.sites[0].results[0]


def severe(result: CheckResult, severity: str) -> list[str]:
    return [f.message for f in result.findings if f.severity is Severity(severity)]


def test_correct_report_passes_with_table3_figures(web: SimWeb) -> None:
    result = run(web, "www.nbhege.gov.cn")
    assert result.status is Status.PASS, result.summary
    table3 = result.metrics["table3"]
    assert table3["new"] == {"natural": 20, "business": 5, "research": 1, "nonprofit": 0, "legal": 0,
                             "other_org": 0, "total": 26}
    assert table3["carried_out"]["total"] == 0 + 26 - 26
    assert result.metrics["report_year"] == 2025
    assert result.metrics["format"] == "2021"
    assert result.metrics["carry_over_checked"] is True
    assert set(result.metrics["sections"].values()) == {"heading"}
    assert result.metrics["table2"]["licensing"] == [1234]
    assert result.metrics["table4"]["review"]["total"] == 1
    assert "本年新收 26 件" in result.summary
    for item in result.findings:
        assert item.rule and item.evidence.url, item.message


def test_hanweb_markup_with_full_width_digits_and_dashes_passes(web: SimWeb) -> None:
    result = run(web, "www.nbhanweb.gov.cn")
    assert result.status is Status.PASS, result.summary
    assert result.metrics["table3"]["new"]["natural"] == 20
    assert result.metrics["table3"]["withheld.1"]["natural"] == 0


def test_table3_that_does_not_add_up_fails_naming_the_column(web: SimWeb) -> None:
    result = run(web, "www.nbcuowu.gov.cn")
    assert result.status is Status.FAIL, result.summary
    fails = [f for f in result.findings if f.severity is Severity.FAIL]
    assert {f.evidence.data["column"] for f in fails} == {"自然人", "总计"}
    natural = next(f for f in fails if f.evidence.data["column"] == "自然人")
    assert natural.evidence.data["found"] == 22 and natural.evidence.data["expected"] == 23
    assert "表三“自然人”列" in natural.message and "整改" in natural.message
    assert "第一项加第二项之和" in (natural.rule or "")
    assert "自然人" in result.summary


def test_inferred_arithmetic_only_warns(web: SimWeb) -> None:
    result = run(web, "www.nbtuiding.gov.cn")
    assert result.status is Status.WARN, result.summary
    kinds = {f.evidence.data["kind"] for f in result.findings if f.severity is Severity.WARN and f.evidence.data}
    assert "results_total" in kinds
    assert "推定" in next(f.rule for f in result.findings if f.severity is Severity.WARN)


def test_2019_format_in_a_2025_report_warns_as_outdated(web: SimWeb) -> None:
    result = run(web, "www.nbjiushi.gov.cn")
    assert result.status is Status.WARN, result.summary
    assert result.metrics["format"] == "2019"
    assert any("2019 年试行格式" in m for m in severe(result, "warn"))


def test_missing_section_fails(web: SimWeb) -> None:
    result = run(web, "www.nbquebu.gov.cn")
    assert result.status is Status.FAIL
    assert severe(result, "fail") == [m for m in severe(result, "fail") if "存在的主要问题及改进情况" in m]
    assert len(severe(result, "fail")) == 1


def test_missing_key_points_warns(web: SimWeb) -> None:
    result = run(web, "www.nbyaodian.gov.cn")
    assert result.status is Status.WARN
    assert any("工作要点落实情况" in m for m in severe(result, "warn"))
    assert result.metrics["processing_fee"]


def test_late_publication_warns(web: SimWeb) -> None:
    result = run(web, "www.nbchidao.gov.cn")
    assert result.status is Status.WARN
    assert result.metrics["published"] == "2026-04-15" and result.metrics["deadline"] == "2026-03-31"
    assert result.metrics["date_source"] == "meta PubDate"


def test_carry_over_mismatch_warns(web: SimWeb) -> None:
    result = run(web, "www.nbjiezhuan.gov.cn")
    assert result.status is Status.WARN, result.summary
    carry = [f for f in result.findings if f.evidence.data and f.evidence.data.get("kind") == "carry_over"]
    assert {f.evidence.data["column"] for f in carry} == {"自然人", "商业企业", "总计"}


def test_report_without_readable_tables_is_inconclusive(web: SimWeb) -> None:
    result = run(web, "www.nbtupian.gov.cn")
    assert result.status is Status.INCONCLUSIVE
    assert "table3_not_found" in result.metrics["inconclusive_reasons"]


def test_gbk_page_is_read(web: SimWeb) -> None:
    result = run(web, "www.nbgbk.gov.cn")
    assert result.status is Status.PASS, result.summary


def test_pdf_attachment_is_read(web: SimWeb) -> None:
    result = run(web, "www.nbpdf.gov.cn")
    assert result.status is Status.PASS, result.summary
    assert result.metrics["document"] == "pdf"
    assert result.metrics["attachment"].endswith("W020260320.pdf")
    assert result.metrics["table3_source"] == "pdf"
    assert result.metrics["table3"]["total"]["total"] == 26


def test_docx_attachment_is_read(web: SimWeb) -> None:
    result = run(web, "www.nbdocx.gov.cn")
    assert result.metrics["document"] == "docx"
    assert result.metrics["table3"]["total"]["total"] == 26
    assert result.status is Status.PASS, result.summary


def test_doc_attachment_is_inconclusive_naming_the_type(web: SimWeb) -> None:
    result = run(web, "www.nbdoc.gov.cn")
    assert result.status is Status.INCONCLUSIVE
    assert result.metrics["reason"] == "attachment_type"
    assert "DOC" in result.summary


def test_no_due_report_is_skipped_not_failed_again(web: SimWeb) -> None:
    result = run(web, "www.nbweigong.gov.cn")
    assert result.status is Status.SKIPPED
    assert result.metrics["reason"] == "no_due_report"
    assert "disclosure" in result.summary
    both = scan_web(web, [target_of(web, "www.nbweigong.gov.cn")], ["disclosure", "annual_report"], now=TODAY)
    statuses = {r.check: r.status for r in both.sites[0].results}
    assert statuses["annual_report"] is Status.SKIPPED


def test_unfilled_table3_warns(web: SimWeb) -> None:
    result = run(web, "www.nbkongbiao.gov.cn")
    assert result.status is Status.WARN, result.summary
    assert any("表三全部空白" in m for m in severe(result, "warn"))


def test_script_only_article_is_inconclusive(web: SimWeb) -> None:
    result = run(web, "www.nbjiaoben.gov.cn")
    assert result.status is Status.INCONCLUSIVE
    assert result.metrics["reason"] == "script_only"


def test_blocked_article_is_inconclusive(web: SimWeb) -> None:
    result = run(web, "www.nbfanpa.gov.cn")
    assert result.status is Status.INCONCLUSIVE
    assert result.metrics["reason"] == "blocked"


def test_attachment_over_the_size_cap_is_inconclusive(web: SimWeb) -> None:
    result = run(web, "www.nbdawenjian.gov.cn")
    assert result.status is Status.INCONCLUSIVE
    assert result.metrics["reason"] == "too_large"
    assert result.findings[0].evidence.failure == "too_large"


def test_pdf_linked_from_the_list_with_table3_across_two_pages(web: SimWeb) -> None:
    result = run(web, "www.nbzhilian.gov.cn")
    assert result.status is Status.PASS, result.summary
    assert result.metrics["document"] == "pdf"
    assert result.metrics["table3"]["withheld.4"]["natural"] == 1  # a row after the page break
    assert result.metrics["date_source"] == "列表日期"


def test_department_deadline_is_31_january(web: SimWeb) -> None:
    result = run(web, "www.nbhege.gov.cn", kind="department")
    assert result.status is Status.WARN
    assert result.metrics["deadline"] == "2026-01-31"
    assert any("晚于政府部门的截止日期 2026-01-31" in m for m in severe(result, "warn"))


def test_a_report_out_before_its_deadline_is_the_one_read(web: SimWeb) -> None:
    result = run(web, "www.nbhege.gov.cn", now=date(2026, 2, 15))
    assert result.metrics["due_year"] == 2024
    assert result.metrics["report_year"] == 2025
    assert result.status is Status.PASS, result.summary
