"""The arithmetic of Tables 2-4: what adds up and what does not, as `Problem`s. Pure functions.

Two kinds of rule (RULES.md §6): the identity *printed on the form* — 第一项加第二项之和，等于第三项加
第四项之和, per column of Table 3 — and the *inferred* standard arithmetic that the form does not print:
总计 = the six columns; （三）-（六） = their numbered items; （七） = （一）+…+（六）; Table 4 总计 = its four
results; this year's 二 = last year's 四; every figure a non-negative integer (fees in 万元 may be decimal).
"""

from __future__ import annotations

from dataclasses import dataclass

from gkaudit.checks.annual_report.form import (
    COLUMN_ZH,
    COLUMNS,
    GROUPS,
    MEASURE_ZH,
    MEASURES,
    RESULTS,
    SIX,
    SUBITEMS,
    TABLE2_ZH,
    TABLE4_ZH,
    Table2,
    Table3,
    Table4,
    row_zh,
)
from gkaudit.checks.annual_report.tables import Number


@dataclass(frozen=True)
class Problem:
    """One figure that breaks a rule: where (table, row, column), the written and the computed figure."""

    kind: str        # identity | group_sum | results_total | column_total | table4_total | carry_over | value
    table: str       # 表二 | 表三 | 表四
    row: str
    column: str
    found: float | str  # the figure as written (or the cell text, for kind "value")
    expected: float | None  # what the rule computes from the other cells
    printed: bool    # the identity printed on the form (True) or inferred arithmetic (False)
    detail: str = ""
    blank: bool = False  # a cell it rests on was left empty: unfilled rather than contradictory

    @property
    def severity(self) -> str:
        """`fail` for the printed identity broken by figures written; everything else `warn`."""
        return "fail" if self.printed and not self.blank else "warn"

    def as_data(self) -> dict[str, object]:
        return {"kind": self.kind, "table": self.table, "row": self.row, "column": self.column,
                "found": self.found, "expected": self.expected, "printed_on_form": self.printed,
                "blank_cells": self.blank}


def _n(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _shown(number: Number) -> str:
    return "空白" if number.blank else _n(number.value or 0)


def _readable(numbers: list[Number]) -> bool:
    return all(n.is_number for n in numbers)


def group_value(table: Table3, group: str, column: int) -> Number | None:
    """（三）-（六）: the group's own row where the form has one, else the sum of its numbered items."""
    if group in table.rows:
        return table.rows[group][column]
    subs = [table.rows[f"{group}.{i}"][column] for i in range(1, len(SUBITEMS[group]) + 1)
            if f"{group}.{i}" in table.rows]
    if not subs:
        return None
    if not _readable(subs):
        return Number("", None)
    return Number("", float(sum(n.value or 0 for n in subs)))


def table3_problems(table: Table3) -> list[Problem]:
    """Every broken identity, sub-sum and column total of Table 3 (unreadable cells are left out of sums)."""
    problems: list[Problem] = []
    for index, (_, zh) in enumerate(COLUMNS):
        get = {key: numbers[index] for key, numbers in table.rows.items()}
        # the printed identity: 一 + 二 = 三（七）+ 四
        parts = [get.get(k) for k in ("new", "carried_in", "total", "carried_out")]
        if all(p is not None for p in parts) and _readable(parts):  # type: ignore[arg-type]
            new, carried_in, total, carried_out = (p.value or 0 for p in parts)  # type: ignore[union-attr]
            if new + carried_in != total + carried_out:
                shown = [_shown(p) for p in parts]  # type: ignore[arg-type]
                blank = any(p.blank for p in parts)  # type: ignore[union-attr]
                problems.append(Problem(
                    "identity", "表三", "一＋二 与 三（七）＋四", zh, new + carried_in, total + carried_out, True,
                    f"一（{shown[0]}）＋二（{shown[1]}）＝{_n(new + carried_in)}，"
                    f"（七）总计（{shown[2]}）＋四（{shown[3]}）＝{_n(total + carried_out)}"
                    + ("（含未填写的空白格）" if blank else ""), blank))
        # （三）-（六） against their numbered items, where the form gives the group its own row
        for group in GROUPS:
            subs = [get[f"{group}.{i}"] for i in range(1, len(SUBITEMS[group]) + 1) if f"{group}.{i}" in get]
            own = get.get(group)
            if own is not None and subs and _readable([own, *subs]):
                total_subs = sum(n.value or 0 for n in subs)
                if own.value != total_subs:
                    problems.append(Problem("group_sum", "表三", row_zh(group), zh, own.value or 0, total_subs,
                                            False, f"{row_zh(group)} 写 {_n(own.value or 0)}，其各项之和为 {_n(total_subs)}"))
        # （七）总计 = （一）+…+（六）
        results = [group_value(table, key, index) if key in GROUPS else get.get(key) for key in RESULTS]
        present = [n for n in results if n is not None]
        total = get.get("total")
        if total is not None and present and _readable([total, *present]):
            computed = sum(n.value or 0 for n in present)
            if total.value != computed:
                problems.append(Problem("results_total", "表三", row_zh("total"), zh, total.value or 0, computed,
                                        False, f"（七）总计写 {_n(total.value or 0)}，（一）至（六）之和为 {_n(computed)}"))
    for key, numbers in table.rows.items():  # 总计 column = the six columns
        six, total = numbers[:len(SIX)], numbers[len(SIX)]
        if _readable([*six, total]):
            computed = sum(n.value or 0 for n in six)
            if total.value != computed:
                written = "未填写（空白）" if total.blank else f"写 {_n(total.value or 0)}"
                problems.append(Problem("column_total", "表三", row_zh(key, table.labels.get(key)), COLUMN_ZH["total"],
                                        total.value or 0, computed, False,
                                        f"“总计”列{written}，自然人与五类法人或其他组织之和为 {_n(computed)}",
                                        total.blank))
    for key, column, number in table.numbers():
        problems += value_problems("表三", row_zh(key, table.labels.get(key)), COLUMN_ZH[column], number)
    return problems


def value_problems(table: str, row: str, column: str, number: Number, decimals: bool = False) -> list[Problem]:
    """A figure that is not a number, negative, or (unless `decimals`) not an integer."""
    if not number.is_number:
        return [Problem("value", table, row, column, number.raw, None, False, f"“{number.raw}”不是数字")]
    value = number.value or 0
    if value < 0:
        return [Problem("value", table, row, column, value, None, False, f"负数 {_n(value)}")]
    if not decimals and not number.is_integer:
        return [Problem("value", table, row, column, value, None, False, f"非整数 {_n(value)}")]
    return []


def table2_problems(table: Table2) -> list[Problem]:
    problems: list[Problem] = []
    for key, numbers in table.rows.items():
        for index, number in enumerate(numbers, start=1):
            problems += value_problems("表二", TABLE2_ZH[key], f"第{index}个数", number, decimals=key == "fees")
    return problems


def table4_problems(table: Table4) -> list[Problem]:
    problems: list[Problem] = []
    for group, measures in table.groups.items():
        for measure, number in measures.items():
            problems += value_problems("表四", TABLE4_ZH[group], MEASURE_ZH[measure], number)
        parts = [measures.get(key) for key, _ in MEASURES[:-1]]
        total = measures.get("total")
        if total is None or any(p is None for p in parts) or not _readable([total, *parts]):  # type: ignore[list-item]
            continue
        computed = sum(p.value or 0 for p in parts)  # type: ignore[union-attr]
        if total.value != computed:
            problems.append(Problem("table4_total", "表四", TABLE4_ZH[group], MEASURE_ZH["total"], total.value or 0,
                                    computed, False, f"总计写 {_n(total.value or 0)}，四项结果之和为 {_n(computed)}"))
    return problems


def carry_over_problems(this_year: Table3, last_year: Table3, year: int) -> list[Problem]:
    """This year's 二、上年结转 against last year's 四、结转下年度继续办理, per column."""
    if "carried_in" not in this_year.rows or "carried_out" not in last_year.rows:
        return []
    problems = []
    for index, (_, zh) in enumerate(COLUMNS):
        now, before = this_year.rows["carried_in"][index], last_year.rows["carried_out"][index]
        if _readable([now, before]) and now.value != before.value:
            problems.append(Problem("carry_over", "表三", row_zh("carried_in"), zh, now.value or 0, before.value, False,
                                    f"{year} 年报“二、上年结转”为 {_n(now.value or 0)}，{year - 1} 年报"
                                    f"“四、结转下年度继续办理”为 {_n(before.value or 0)}"))
    return problems


def all_blank(numbers: list[Number]) -> bool:
    """Every cell empty (not 0, not —): the table was not filled in."""
    return bool(numbers) and all(n.blank for n in numbers)
