"""Units of the annual_report check: table grids, numbers, the Table 3 model, arithmetic, sections, PDF."""

from __future__ import annotations

import pytest

import reportkit as rk
from gkaudit.checks.annual_report.arithmetic import carry_over_problems, table3_problems, table4_problems
from gkaudit.checks.annual_report.form import parse_table3, read_form
from gkaudit.checks.annual_report.pdf import PdfUnreadable, read_pdf
from gkaudit.checks.annual_report.sections import find_sections, format_generation
from gkaudit.checks.annual_report.tables import html_grids, read_number
from gkaudit.net.page import Page


def grids_of(html: str):  # type: ignore[no-untyped-def]
    return html_grids(Page("http://x.test/a.html", html))


def test_grid_fills_rowspan_and_colspan_and_joins_nested_markup() -> None:
    (grid,) = grids_of("""<table><thead><tr><th rowspan="2">项目</th><th colspan="2">法人</th></tr>
        <tr><th>商业<span>企业</span></th><th><p>其他</p></th></tr></thead>
        <tbody><tr><td>一、新收</td><td> 1 </td><td>2</td></tr></tbody></table>""")
    assert grid.texts(0) == ["项目", "法人", "法人"]
    assert grid.texts(1) == ["项目", "商业企业", "其他"]
    assert grid.rows[1][0].origin == (0, 0)  # a rowspan copy points at its origin
    assert grid.rows[0][2].is_copy_from_left(2)
    assert grid.texts(2) == ["一、新收", "1", "2"]


def test_layout_table_around_the_report_is_left_out() -> None:
    grids = grids_of("<table><tr><td>正文<table><tr><td>a</td><td>1</td></tr></table></td></tr></table>")
    assert [g.texts(0) for g in grids] == [["a", "1"]]


@pytest.mark.parametrize(("text", "value", "blank"), [
    ("12", 12, False), ("1,234", 1234, False), ("１２", 12, False), ("—", 0, False), ("/", 0, False),
    ("-", 0, False), ("", 0, True), ("  ", 0, True), ("-3", -3, False), ("1.5", 1.5, False), ("3件", 3, False),
])
def test_numbers_as_written_in_reports(text: str, value: float, blank: bool) -> None:
    number = read_number(text)
    assert number.value == value and number.blank is blank


def test_text_that_is_no_number_is_kept_as_such() -> None:
    assert read_number("详见说明").value is None


def _table3(f: rk.Figures | None = None, style: str = "trs"):  # type: ignore[no-untyped-def]
    html = rk.html_table(rk.table3_rows(f or rk.figures()), style, 3)
    table = parse_table3(grids_of(html)[0])
    assert table is not None and table.complete
    return table


@pytest.mark.parametrize("style", ["trs", "hanweb"])
def test_table3_model_reads_every_row_and_column(style: str) -> None:
    table = _table3(style=style)
    assert len(table.rows) == 25 and not table.unrecognised
    assert table.value("new", "natural") == 20 and table.value("new", "total") == 26
    assert table.value("withheld.4", "natural") == 1
    assert table.value("other.3", "natural") == 1
    assert table.value("carried_out", "business") == 1
    assert table3_problems(table) == []


def test_identity_printed_on_the_form_is_per_column() -> None:
    f = rk.figures()
    f["new"][1] += 1  # 商业企业: 一 grows; 总计 column follows (written as the sum)
    problems = [p for p in table3_problems(_table3(f)) if p.kind == "identity"]
    assert [(p.column, p.found, p.expected, p.printed) for p in problems] == [
        ("商业企业", 7, 6, True), ("总计", 30, 29, True)]


def test_column_total_and_results_total_are_inferred() -> None:
    html = rk.html_table(rk.table3_rows(rk.figures(), totals={"disclosed": 99}), "trs", 3)
    table = parse_table3(grids_of(html)[0])
    assert table is not None
    kinds = {(p.kind, p.row, p.printed) for p in table3_problems(table)}
    assert ("column_total", "（一）予以公开", False) in kinds
    assert ("results_total", "（七）总计", False) in kinds  # （一）'s 总计 now 99 in the 总计 column sum


def test_negative_and_fractional_values_are_problems() -> None:
    f = rk.figures()
    f["partly"][2] = "1.5"  # type: ignore[call-overload]
    problems = table3_problems(_table3(f))
    assert any(p.kind == "value" and "非整数" in p.detail and p.column == "科研机构" for p in problems)


def test_carry_over_compares_this_years_two_with_last_years_four() -> None:
    this_year, last_year = _table3(rk.figures((2, 1, 0, 0, 0, 0))), _table3(rk.figures((0,) * 6))
    problems = carry_over_problems(this_year, last_year, 2025)
    assert [(p.column, p.found, p.expected) for p in problems] == [("自然人", 2, 0), ("商业企业", 1, 0), ("总计", 3, 0)]
    assert carry_over_problems(this_year, _table3(rk.figures((2, 1, 0, 0, 0, 0))), 2025) == []


def test_table4_totals() -> None:
    grids = grids_of(rk.html_table(rk.table4_rows([1, 1, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), "hanweb", 3))
    form = read_form(grids)
    assert form.table4 is not None and set(form.table4.groups) == {"review", "direct_suit", "suit_after_review"}
    (problem,) = table4_problems(form.table4)
    assert (problem.row, problem.found, problem.expected) == ("行政复议", 3, 2)


@pytest.mark.parametrize("numbering", ["standard", "dot", "part", "paren"])
def test_six_sections_in_every_numbering(numbering: str) -> None:
    page = Page("http://x.test/a.html", rk.article(2025, "某区", numbering=numbering))
    sections = find_sections(page.visible_text)
    assert [hit.how for hit in sections.hits] == ["heading"] * 6


def test_missing_section_is_missing_only_when_its_name_is_absent() -> None:
    page = Page("http://x.test/a.html", rk.article(2025, "某区", drop_section=5))
    sections = find_sections(page.visible_text)
    assert [spec.number for spec in sections.missing] == [5]


def test_format_generation() -> None:
    old = Page("http://x.test/a.html", rk.article(2025, "某区", generation="2019", tables=True)).visible_text
    new = Page("http://x.test/a.html", rk.article(2025, "某区")).visible_text
    assert format_generation(old).name == "2019"
    assert format_generation(new).name == "2021"
    assert format_generation("一、总体情况").name is None


def test_pdf_tables_rebuilt_from_cell_boxes() -> None:
    text, grids, pages = read_pdf(rk.pdf_report(2025, "某区"), 40)
    assert pages == 1 and "收到和处理政府信息公开申请情况" in text
    form = read_form(grids)
    assert form.table3 is not None and form.table3.complete
    assert form.table3.value("total", "total") == 26
    assert form.table4 is not None and form.table2 is not None


def test_damaged_pdf_is_unreadable_not_an_exception() -> None:
    with pytest.raises(PdfUnreadable):
        read_pdf(b"%PDF-1.4 garbage", 5)


def _response(url: str, body: bytes, content_type: str = "application/octet-stream", **headers: str):  # type: ignore[no-untyped-def]
    from gkaudit.net.http import Response

    return Response(url=url, family="any", final_url=url, status=200, body=body,
                    headers={"content-type": content_type, **headers})


def test_attachment_type_from_bytes_disposition_type_or_url() -> None:
    from gkaudit.checks.annual_report.document import extension, sniffed

    assert sniffed(_response("http://x.test/module/download/downfile.jsp?id=1", b"%PDF-1.7 ...")) == ".pdf"
    assert sniffed(_response("http://x.test/f.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) == ".doc"
    assert sniffed(_response("http://x.test/down?id=2", b"...", **{"content-disposition":
                                                                  'attachment; filename="2025年报.xls"'})) == ".xls"
    assert sniffed(_response("http://x.test/a.html", b"<html>", "text/html")) is None
    assert extension("http://x.test/downfile.jsp?filename=%E5%B9%B4%E6%8A%A5.PDF&x=1") == ".pdf"
    assert extension("http://x.test/art/2026/3/20/art_1_2.html") is None


def test_section_name_variants() -> None:
    text = "一、概述 …… 二、主动公开情况 …… 三、依申请公开情况 …… 四、因政府信息公开申请行政复议、提起行政诉讼的情况 …… " \
           "五、存在问题及改进措施 …… 六、其他需要报告事项"
    assert [hit.how for hit in find_sections(text).hits] == ["heading"] * 6


def test_identity_broken_only_by_an_empty_cell_is_unfilled_not_contradictory() -> None:
    html = rk.html_table(rk.table3_rows(rk.figures(), totals={"total": ""}), "trs", 3)
    table = parse_table3(grids_of(html)[0])
    assert table is not None
    (identity,) = [p for p in table3_problems(table) if p.kind == "identity"]
    assert identity.column == "总计" and identity.blank and identity.severity == "warn"
    assert "空白" in identity.detail
    column = next(p for p in table3_problems(table) if p.kind == "column_total")
    assert "未填写" in column.detail


def test_key_points_reported_in_another_section_are_noted_not_warned() -> None:
    from gkaudit.checks.annual_report.document import ReportDocument
    from gkaudit.checks.annual_report.judge import judge_report

    text = ("一、总体情况 2025年政务公开工作要点落实情况良好。二、主动公开政府信息情况 三、收到和处理政府信息公开申请情况 "
            "四、政府信息公开行政复议、行政诉讼情况 五、存在的主要问题及改进情况 六、其他需要报告的事项 本年度未收取信息处理费。")
    document = ReportDocument("http://x.test/a.html", 200, "html", text, [], None, None)
    judgement = judge_report(document, 2025, True, require_key_points=True, require_fee_statement=True)
    messages = {f.severity.value: [] for f in judgement.findings}
    for f in judgement.findings:
        messages[f.severity.value].append(f.message)
    assert not any("工作要点" in m for m in messages.get("warn", []))
    assert any("不在第六部分" in m for m in messages["info"])
    assert any("第六部分报告了收取信息处理费" in m for m in messages["info"])
    assert judgement.inconclusive == ["table3_not_found"]


def test_attachments_are_read_one_at_a_time_and_a_stuck_one_does_not_block_the_lane(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading is pure Python under the GIL: one at a time per process holds one report's objects, not
    six. A reading past its budget makes that attachment unreadable (inconclusive), and the next reads run."""
    import asyncio
    import threading
    import time

    from gkaudit.checks.annual_report import document

    state = {"now": 0, "most": 0}
    lock = threading.Lock()
    release = threading.Event()

    def fake_read(body: bytes, max_pages: int) -> tuple[str, list, int]:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        try:
            if body == b"%PDF stuck":
                release.wait(10)
            else:
                time.sleep(0.05)
            return "年度报告正文" * 20, [], 1
        finally:
            with lock:
                state["now"] -= 1

    monkeypatch.setattr(document, "read_pdf", fake_read)
    monkeypatch.setattr(document, "DOCUMENT_BUDGET_S", 0.5)
    monkeypatch.setattr(document, "_DOCUMENTS", type(document._DOCUMENTS)(workers=1, max_threads=4))

    async def read(body: bytes):  # type: ignore[no-untyped-def]
        return await document._read_file(_response("http://x.test/r.pdf", body), ".pdf", "http://x.test/r.html",
                                         None, None, None, 5)

    async def main():  # type: ignore[no-untyped-def]
        return await asyncio.gather(read(b"%PDF stuck"), *(read(b"%PDF ok") for _ in range(4)))

    try:
        stuck, *fine = asyncio.run(main())
    finally:
        release.set()
    assert isinstance(stuck, document.Unreadable) and stuck.reason == "attachment_unreadable"
    assert "超过" in stuck.message
    assert all(isinstance(doc, document.ReportDocument) for doc in fine)
    assert state["most"] == 2  # the lane's one reading, beside the stuck one it gave up on
