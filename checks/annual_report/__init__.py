"""annual_report: the contents of the due 政府信息公开工作年度报告 — format, sections, tables, arithmetic.

Basis: 条例第四十九、五十条; 国办公开办函〔2021〕30号 (format); 国办函〔2020〕109号 (信息处理费);
宁政办发〔2021〕20号 item 15 (要点落实情况) — RULES.md §6.

Semantics:
- Where: the disclosure check's annual-report list (same column names, slugs, title/year patterns
  and deadlines: departments 31 January, governments 31 March, judged against `--now`). The due
  year's report is read — or a later one already published before its deadline (in February a
  government's due report is still Y-2's; a Y-1 report already out is the one read); the year
  before the one read too, for the carry-over only.
- No report for the due year (or no 年报 column) is the disclosure check's verdict: this check
  says `skipped` with that reason and never fails a second time for the same fact.
- Reading: the article page; where the report is an attachment (a PDF/DOCX/DOC/XLS/WPS/OFD link on
  the page, or the list linking the file), the attachment: PDF through pdfplumber (text layer and
  ruled tables), DOCX through python-docx; any other type, a PDF without text (a scan), a damaged
  file, a body over the Fetcher's size cap, an anti-bot page, a script-only or image-only page is
  `inconclusive` naming the cause.
- Sections: the six of the 2021 format, headings in any numbering (一、/一．/（一）/第一部分,
  full-width, spaces). A section is missing only when none of its accepted names appears at all;
  fewer than three recognised means the text read is not the report: `inconclusive`, not six fails.
- Format: the 2019 trial format (本年新制作数量/本年新公开数量/对外公开总数量, 政府集中采购) in a
  report for 2021 or later is outdated.
- Tables 2-4 are parsed from the HTML tables (rowspan/colspan, labels split over cells, `1,234`,
  full-width digits, —, /, - and blank meaning zero, nested <p>/<span>) or the PDF/DOCX tables.
  A table whose cells are all blank (not 0) is unfilled. Table 3 not found or its rows not
  recognised: `inconclusive` (the figures may be an image), never a guess.
- Arithmetic (each finding names table, row, column, both figures, the rule and a fix):
  *printed on the form* — 一 + 二 = （七）总计 + 四 per column of Table 3: broken is `fail` (`warn`
  where one of its four cells was left empty: unfilled rather than contradictory);
  *inferred* (RULES.md: not printed on the form) — 总计 column = the six columns, （三）-（六） = their
  items where the form gives them their own row, （七） = （一）+…+（六）, Table 4 总计 = its four
  results, this year's 二 = last year's 四, figures non-negative integers: broken is `warn`.
- Section 六 must mention the 政务公开工作要点 落实情况 (`require_key_points`, Nanjing's item 15; the
  national wording is unverified) and 信息处理费 (`require_fee_statement`): absent from the whole
  report is `warn`; reported in another section is noted (info).
- Published late: the article's PubDate meta (else a 发布时间 line, else the list date) after the
  deadline of its year is `warn`.
- Verdict: `fail` > `inconclusive` > `warn` > `pass`; `pass` carries the Table 3 figures in
  metrics `table3` ({row: {column: value}}).
"""

from __future__ import annotations

from typing import Any

from gkaudit.check import Check, CheckSettings, finding
from gkaudit.checks.annual_report.document import ReportDocument, Unreadable, read_report
from gkaudit.checks.annual_report.form import Table3, read_form
from gkaudit.checks.annual_report.judge import RULE_CARRY, Judgement, judge_report
from gkaudit.checks.annual_report.locate import ReportList, locate_reports
from gkaudit.checks.disclosure.judge import ReportYears
from gkaudit.checks.disclosure.vocabulary import RULE_REPORT
from gkaudit.columns.items import ListItem
from gkaudit.context import SiteContext
from gkaudit.model import CheckResult, Severity, Status

BASIS = "政府信息公开条例第四十九、五十条；国办公开办函〔2021〕30号；国办函〔2020〕109号；宁政办发〔2021〕20号 第15项"

_REASONS_ZH = {
    "not_recognised": "读到的内容不像年报正文", "table3_not_found": "未找到可读的表三",
    "table3_unrecognised": "表三的行未能识别", "blocked": "被反爬虫网关拦截", "too_large": "文件超过下载大小上限",
    "unreachable": "年报无法打开", "script_only": "正文由脚本加载", "image_only": "正文为图片",
    "attachment_type": "附件类型无法读取", "attachment_unreadable": "附件无法解析", "no_text_layer": "附件无文字层",
    "no_report_text": "未识别出报告内容", "homepage_unreachable": "首页无法读取",
    "page_too_complex": "页面结构过于复杂，无法解析", "homepage_content": "首页正文为空或不是网页",
}


def audited_year(years: ReportYears, this_year: int) -> int:
    """The report to read: the due year's, or a later one already out before its deadline (never this year's)."""
    early = [year for year in years.by_year if years.due_year < year < this_year]
    return max(early, default=years.due_year)


class AnnualReportSettings(CheckSettings):
    """Per-site overrides go under targets.yaml `settings.annual_report`."""

    max_list_pages: int = 3
    """List pages of the 年报 column read (pagination followed)."""
    max_pdf_pages: int = 40
    """Pages of a PDF report read."""
    check_carry_over: bool = True
    """Read last year's report to compare its 四 with this year's 二."""
    require_key_points: bool = True
    """Section 六 must report the 政务公开工作要点 落实情况 (宁政办发〔2021〕20号 item 15; Nanjing)."""
    require_fee_statement: bool = True
    """Section 六 must report 信息处理费 (国办函〔2020〕109号)."""


class AnnualReport(Check):
    id = "annual_report"
    title_zh = "年报内容"
    title_en = "Annual report contents"
    basis = BASIS
    order = 60  # reads the reports the disclosure column lists: after it in every report
    description = __doc__ or ""
    Settings = AnnualReportSettings

    async def run(self, ctx: SiteContext) -> CheckResult:
        settings: AnnualReportSettings = ctx.settings  # type: ignore[assignment]
        reports = await locate_reports(ctx, settings.max_list_pages)
        if reports.problem is not None or reports.years is None:
            return self._unlocated(reports)
        years = reports.years
        due = audited_year(years, ctx.now.year)
        metrics: dict[str, Any] = {"report_list_url": reports.url, "report_years": years.years, "report_year": due,
                                   "due_year": years.due_year, "due_deadline": years.deadline.isoformat()}
        item = years.by_year.get(due)
        if item is None:
            return self.result(Status.SKIPPED, f"未见 {due} 年度报告，是否按时公布由 disclosure 检查判定，无报告可核对",
                               [finding("info", f"年报栏目中未见 {due} 年度报告（找到年份："
                                                f"{'、'.join(map(str, years.years)) or '无'}）", RULE_REPORT,
                                        **reports.evidence)], {**metrics, "reason": "no_due_report"})
        document = await read_report(ctx.fetch, item, settings.max_pdf_pages)
        metrics.update(report_url=item.url, report_title=item.title)
        if isinstance(document, Unreadable):
            metrics.update(reason=document.reason, inconclusive_reasons=[document.reason])
            return self.result(Status.INCONCLUSIVE, f"无法判定：{document.message}（{due} 年度报告）",
                               [finding("info", f"{due} 年报“{item.title}”：{document.message}", RULE_REPORT,
                                        link_text=item.title, **document.evidence)], metrics)
        metrics.update(document=document.kind, attachment=document.attachment, notes=document.notes)
        previous, carry_note = None, None
        if settings.check_carry_over:
            previous, carry_note = await self._previous(ctx, years.by_year.get(due - 1), due, settings)
        judgement = judge_report(document, due, ctx.target.kind.is_government, previous=previous,
                                 require_key_points=settings.require_key_points,
                                 require_fee_statement=settings.require_fee_statement)
        if carry_note:
            judgement.add("info", carry_note, RULE_CARRY, {"url": item.url})
        metrics.update(judgement.metrics, inconclusive_reasons=judgement.inconclusive)
        status, summary = self._verdict(judgement, document, due)
        return self.result(status, summary, judgement.findings, metrics)

    def _unlocated(self, reports: ReportList) -> CheckResult:
        evidence = reports.evidence
        metrics = {"report_list_url": reports.url, "reason": reports.problem}
        if reports.problem in ("no_report_column", "report_column_blank", "report_column_dead",
                               "report_column_soft_404"):
            return self.result(Status.SKIPPED, f"{reports.message}，无报告可核对",
                               [finding("info", reports.message, RULE_REPORT, **evidence)], metrics)
        return self.result(Status.INCONCLUSIVE, f"无法判定：{reports.message}",
                           [finding("info", reports.message, RULE_REPORT, **evidence)], metrics)

    async def _previous(self, ctx: SiteContext, item: ListItem | None, due: int,
                        settings: AnnualReportSettings) -> tuple[Table3 | None, str | None]:
        """Last year's Table 3 for the carry-over, or why it could not be had (an info note)."""
        if item is None:
            return None, f"未见 {due - 1} 年度报告，未核对上年结转"
        document = await read_report(ctx.fetch, item, settings.max_pdf_pages)
        if isinstance(document, Unreadable):
            return None, f"{due - 1} 年报无法读取（{document.message}），未核对上年结转"
        table3 = read_form(document.grids).table3
        if table3 is None or "carried_out" not in table3.rows:
            return None, f"{due - 1} 年报中未识别出表三“四、结转下年度继续办理”，未核对上年结转"
        return table3, None

    @staticmethod
    def _verdict(judgement: Judgement, document: ReportDocument, year: int) -> tuple[Status, str]:
        fails = [f.message.split("；整改")[0] for f in judgement.findings if f.severity is Severity.FAIL]
        warns = [f.message.split("；整改")[0] for f in judgement.findings if f.severity is Severity.WARN]
        if fails:
            return Status.FAIL, _first_two(fails)
        if judgement.inconclusive:
            reasons = "、".join(_REASONS_ZH.get(r, r) for r in judgement.inconclusive)
            return Status.INCONCLUSIVE, f"无法判定：{year} 年报{reasons}" + (f"；另有警告：{warns[0]}" if warns else "")
        if warns:
            return Status.WARN, _first_two(warns)
        table3 = judgement.table3
        figures = ""
        if table3 is not None:
            figures = (f"：本年新收 {table3.value('new', 'total')} 件，上年结转 {table3.value('carried_in', 'total')} 件，"
                       f"办结 {table3.value('total', 'total')} 件，结转下年 {table3.value('carried_out', 'total')} 件")
        source = {"html": "网页", "pdf": "PDF 附件", "docx": "DOCX 附件"}.get(document.kind, document.kind)
        current = "，格式现行" if judgement.metrics.get("format") == "2021" else ""
        return Status.PASS, f"{year} 年报（{source}）六部分齐全{current}，表三数字相符{figures}"


def _first_two(messages: list[str]) -> str:
    return "；".join(messages[:2]) + (f" 等 {len(messages)} 项" if len(messages) > 2 else "")
