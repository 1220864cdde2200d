"""Findings about one report read: sections, format, tables, arithmetic, section 六, publication date.

Severity policy (stated in the check's docstring): a missing section and a broken identity *printed*
on Table 3 are `fail`; the inferred arithmetic, the format, section 六's items, lateness and the
carry-over are `warn`; a report that cannot be judged (tables not recognised) is `inconclusive`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gkaudit.check import finding
from gkaudit.checks.annual_report.arithmetic import (
    Problem,
    all_blank,
    carry_over_problems,
    table2_problems,
    table3_problems,
    table4_problems,
)
from gkaudit.checks.annual_report.document import ReportDocument
from gkaudit.checks.annual_report.form import ROW_ZH, Form, Table3, read_form
from gkaudit.checks.annual_report.locate import report_deadline
from gkaudit.checks.annual_report.sections import (
    KEY_POINTS,
    PROCESSING_FEE,
    find_sections,
    format_generation,
    mentions,
    squeeze,
)
from gkaudit.checks.disclosure.vocabulary import RULE_REPORT
from gkaudit.model import Finding

FORMAT = "国办公开办函〔2021〕30号"
RULE_SECTIONS = (f"{FORMAT}：年度报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
                 "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六部分")
RULE_IDENTITY = f"{FORMAT} 表三（表上印明）：第一项加第二项之和，等于第三项加第四项之和"
RULE_ARITHMETIC = (f"{FORMAT} 表三（推定的标准算术，表上未印）：总计＝六列之和；（三）＝1-8 项之和，（四）-（六）同；"
                   "（七）总计＝（一）至（六）之和")
RULE_TABLE4 = f"{FORMAT} 表四（推定，表上未印）：总计＝结果维持＋结果纠正＋其他结果＋尚未审结"
RULE_VALUES = f"{FORMAT}（推定）：表中数字为非负整数（收费金额以万元计，可有小数）"
RULE_CARRY = f"{FORMAT} 表三（推定）：本年“二、上年结转”＝上年“四、结转下年度继续办理”"
RULE_TABLES = f"{FORMAT}：按格式填报表二（主动公开）、表三（依申请公开）、表四（复议诉讼）"
RULE_OUTDATED = (f"{FORMAT}：2021年度起使用新格式；国办公开办函〔2019〕60号试行格式（本年新制作数量、"
                 "本年新公开数量、对外公开总数量、第二十条第（九）项政府集中采购）已停用")
RULE_KEY_POINTS = "宁政办发〔2021〕20号 第15项：各区、各部门在政府信息公开工作年度报告中报告政务公开工作要点落实情况"
RULE_FEE = "国办函〔2020〕109号：年度报告中报告收取信息处理费的情况"

FIX_DEFAULT = f"按{FORMAT}的格式与要求修改年度报告并重新发布"
FIXES = {
    RULE_SECTIONS: f"按{FORMAT}的六部分结构补齐年度报告",
    RULE_TABLES: "按格式逐格填写表二至表四的数字，无数据填 0；不要以图片代替表格",
    RULE_OUTDATED: f"按{FORMAT}的新格式重新编制表二至表四",
    RULE_KEY_POINTS: "在第六部分“其他需要报告的事项”中说明政务公开工作要点落实情况",
    RULE_FEE: "在第六部分“其他需要报告的事项”中说明收取信息处理费的情况",
    RULE_REPORT: "次年起按期公布年度报告（部门 1 月 31 日前，县级以上人民政府 3 月 31 日前），页面注明发布日期",
}

_HINTS = {
    "identity": "核对本列“一、本年新收”“二、上年结转”“（七）总计”“四、结转下年度继续办理”，使一＋二＝（七）＋四；"
                "无数据的格填 0",
    "group_sum": "核对该类各项数字，使其与合计一致",
    "results_total": "（七）总计应为（一）至（六）各项之和",
    "column_total": "“总计”列应为自然人与五类法人或其他组织之和",
    "table4_total": "总计应为结果维持、结果纠正、其他结果、尚未审结之和",
    "carry_over": "本年“上年结转”应与上年度报告“结转下年度继续办理”一致，或在报告中说明差异",
    "value": "表中应填非负整数，无数据填 0",
}


@dataclass
class Judgement:
    """What one report showed: findings, reasons it could not be judged, metrics, and Table 3 as read."""

    findings: list[Finding] = field(default_factory=list)
    inconclusive: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    table3: Table3 | None = None

    def add(self, severity: str, message: str, rule: str, evidence: dict[str, Any], **extra: Any) -> None:
        """A finding citing `rule` with its RULES.md section; a warn or fail one carries its fix: the
        “整改：” part of its message, else the hint of its rule."""
        fix = None
        if severity != "info":
            fix = message.split("整改：", 1)[1] if "整改：" in message else FIXES.get(rule, FIX_DEFAULT)
        cited = rule if "RULES.md" in rule else f"{rule}（RULES.md §6）"
        self.findings.append(finding(severity, message, rule=cited, fix=fix, **{**evidence, **extra}))


def problem_finding(judgement: Judgement, problem: Problem, evidence: dict[str, Any], year: int) -> None:
    severity = problem.severity
    rule = {"identity": RULE_IDENTITY, "table4_total": RULE_TABLE4, "value": RULE_VALUES,
            "carry_over": RULE_CARRY}.get(problem.kind, RULE_ARITHMETIC)
    where = f"{problem.table}“{problem.row}”行“{problem.column}”列" if problem.kind != "identity" \
        else f"{problem.table}“{problem.column}”列"
    message = f"{year} 年报{where}：{problem.detail}；整改：{_HINTS[problem.kind]}"
    judgement.add(severity, message, rule, evidence, matched_text=problem.row, data=problem.as_data())


def judge_report(document: ReportDocument, year: int, is_government: bool, *, require_key_points: bool,
                 require_fee_statement: bool, previous: Table3 | None = None) -> Judgement:
    """Judge one report read from the site; `previous` is last year's Table 3 for the carry-over."""
    judgement = Judgement()
    evidence = document.evidence()
    sections = find_sections(document.text)
    judgement.metrics["sections"] = {hit.spec.title: hit.how for hit in sections.hits}
    if sections.found < 3:
        judgement.inconclusive.append("not_recognised")
        judgement.add("info", f"{year} 年报：只识别出 {sections.found} 个部分标题，读到的不像年报正文（可能为图片或格式特殊），"
                              "未判定各部分", RULE_SECTIONS, evidence, data={"chars": len(document.text)})
    else:
        for spec in sections.missing:
            judgement.add("fail", f"{year} 年报缺少第{'一二三四五六'[spec.number - 1]}部分“{spec.title}”；"
                                  f"整改：按{FORMAT}的六部分结构补齐", RULE_SECTIONS, evidence,
                          data={"section": spec.number, "found": judgement.metrics["sections"]})
        loose = [hit.spec.title for hit in sections.hits if hit.how == "mentioned"]
        if loose:
            judgement.add("info", f"{year} 年报以下部分无规范编号标题，按文字识别：{'、'.join(loose)}", RULE_SECTIONS, evidence)
    _format(judgement, document, year, evidence)
    form = read_form(document.grids)
    _tables(judgement, form, document, year, evidence)
    if previous is not None and judgement.table3 is not None:
        carry = carry_over_problems(judgement.table3, previous, year)
        judgement.metrics["carry_over_checked"] = True
        for problem in carry:
            problem_finding(judgement, problem, evidence, year)
    _section_six(judgement, document, sections, year, evidence, require_key_points, require_fee_statement)
    _timeliness(judgement, document, year, is_government, evidence)
    return judgement


def _format(judgement: Judgement, document: ReportDocument, year: int, evidence: dict[str, Any]) -> None:
    generation = format_generation(document.text)
    judgement.metrics["format"] = generation.name
    if generation.name == "2019" and year >= 2021:
        judgement.add("warn", f"{year} 年报仍用 2019 年试行格式（见“{'、'.join(generation.marks_2019)}”）；"
                              f"整改：按{FORMAT}的格式重新编制表二至表四", RULE_OUTDATED, evidence,
                      matched_text=generation.marks_2019[0], data={"marks_2019": list(generation.marks_2019)})
    elif generation.name is None:
        judgement.add("info", f"{year} 年报：未能从表二的栏目名判断格式版本", RULE_OUTDATED, evidence)


def _tables(judgement: Judgement, form: Form, document: ReportDocument, year: int, evidence: dict[str, Any]) -> None:
    judgement.metrics["tables_found"] = {"table2": form.table2 is not None, "table3": form.table3 is not None,
                                         "table4": form.table4 is not None, "grids": form.grids}
    table3 = form.table3
    if table3 is None:
        judgement.inconclusive.append("table3_not_found")
        judgement.add("info", f"{year} 年报中未找到可读的表三（收到和处理政府信息公开申请情况），未核对数字"
                              f"（共读到 {form.grids} 个表格；表格可能为图片）", RULE_TABLES, evidence)
        return
    if not table3.complete:
        judgement.inconclusive.append("table3_unrecognised")
        missing = "、".join(ROW_ZH[key] for key in table3.missing_rows)
        judgement.add("info", f"{year} 年报表三未能识别这些行：{missing}，未核对表三的数字", RULE_TABLES, evidence,
                      data={"rows_found": list(table3.rows), "unrecognised": table3.unrecognised[:10]})
        return
    judgement.table3 = table3
    judgement.metrics["table3"] = table3.figures()
    judgement.metrics["table3_source"] = table3.source
    numbers = [n for _, _, n in table3.numbers()]
    if all_blank(numbers):
        judgement.add("warn", f"{year} 年报表三全部空白，未填写；整改：逐格填写数字，无数据填 0", RULE_TABLES, evidence)
    problems = table3_problems(table3)
    if form.table4 is not None:
        judgement.metrics["table4"] = {group: {m: n.value for m, n in measures.items()}
                                       for group, measures in form.table4.groups.items()}
        cells = [n for measures in form.table4.groups.values() for n in measures.values()]
        if all_blank(cells):
            judgement.add("warn", f"{year} 年报表四全部空白，未填写；整改：逐格填写数字，无数据填 0", RULE_TABLES, evidence)
        problems += table4_problems(form.table4)
    else:
        judgement.add("info", f"{year} 年报中未找到可读的表四（行政复议、行政诉讼），未核对", RULE_TABLES, evidence)
    if form.table2 is not None:
        judgement.metrics["table2"] = {key: [n.value for n in values] for key, values in form.table2.rows.items()}
        if all_blank([n for values in form.table2.rows.values() for n in values]):
            judgement.add("warn", f"{year} 年报表二全部空白，未填写；整改：逐格填写数字，无数据填 0", RULE_TABLES, evidence)
        problems += table2_problems(form.table2)
    judgement.metrics["problems"] = len(problems)
    for problem in problems:
        problem_finding(judgement, problem, evidence, year)
    if not problems:
        judgement.add("info", f"{year} 年报表三（及表四）各项数字相符：一＋二＝（七）＋四，各列与各项合计一致",
                      RULE_IDENTITY, evidence, data={"table3": table3.figures()})


def _section_six(judgement: Judgement, document: ReportDocument, sections: Any, year: int,
                 evidence: dict[str, Any], key_points: bool, fee: bool) -> None:
    whole = squeeze(document.text)
    six = sections.text_of(6, whole)
    checks = [("key_points", key_points, KEY_POINTS, "政务公开工作要点落实情况", RULE_KEY_POINTS),
              ("processing_fee", fee, PROCESSING_FEE, "收取信息处理费的情况", RULE_FEE)]
    for key, wanted, pattern, what, rule in checks:
        if not wanted:
            continue
        matched = mentions(pattern, six) if six else None
        elsewhere = None if matched else mentions(pattern, whole)
        judgement.metrics[key] = matched or elsewhere
        if matched:
            judgement.add("info", f"{year} 年报第六部分报告了{what}（“{matched[:30]}”）", rule, evidence, matched_text=matched)
        elif elsewhere:
            judgement.add("info", f"{year} 年报报告了{what}（“{elsewhere[:30]}”），但不在第六部分“其他需要报告的事项”中",
                          rule, evidence, matched_text=elsewhere)
        else:
            judgement.add("warn", f"{year} 年报未见{what}；整改：在第六部分“其他需要报告的事项”中说明{what}", rule, evidence)


def _timeliness(judgement: Judgement, document: ReportDocument, year: int, is_government: bool,
                evidence: dict[str, Any]) -> None:
    deadline = report_deadline(year, is_government)
    published: date | None = document.pub_date
    judgement.metrics.update(published=published.isoformat() if published else None, deadline=deadline.isoformat(),
                             date_source=document.date_source)
    who = "县级以上人民政府" if is_government else "政府部门"
    if published is None:
        judgement.add("info", f"{year} 年报：页面无 PubDate 等发布日期，未核对是否按时公布", RULE_REPORT, evidence)
    elif published > deadline:
        judgement.add("warn", f"{year} 年报发布于 {published.isoformat()}（{document.date_source}），晚于{who}的截止日期 "
                              f"{deadline.isoformat()}；整改：次年起按期公布", RULE_REPORT, evidence,
                      matched_text=published.isoformat())
    else:
        judgement.add("info", f"{year} 年报按时公布：{published.isoformat()}（截止 {deadline.isoformat()}）", RULE_REPORT,
                      evidence)
