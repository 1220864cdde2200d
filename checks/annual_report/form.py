"""Grids mapped onto Tables 2-4 of the 2021 format (国办公开办函〔2021〕30号) as a typed model.

Rows are recognised by their label text wherever the CMS put it (a label written once across three
columns, or split over two cells: 三、本年度办理结果 | （三）不予公开 | 1．属于国家秘密); columns by
the header words (自然人, 商业企业, …, 总计; 结果维持, …). Pure functions: no network, no judgement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gkaudit.checks.annual_report.sections import squeeze
from gkaudit.checks.annual_report.tables import Grid, GridCell, Number, read_number

# --- Table 3: requests ----------------------------------------------------------------------------
COLUMNS: tuple[tuple[str, str], ...] = (
    ("natural", "自然人"), ("business", "商业企业"), ("research", "科研机构"), ("nonprofit", "社会公益组织"),
    ("legal", "法律服务机构"), ("other_org", "其他"), ("total", "总计"),
)
COLUMN_ZH = dict(COLUMNS)
SIX = tuple(key for key, _ in COLUMNS[:-1])

ROWS: tuple[tuple[str, str], ...] = (
    ("new", "本年新收"), ("carried_in", "上年结转"), ("carried_out", "结转下年"), ("partly", "部分公开"),
    ("withheld", "不予公开"), ("unavailable", "无法提供"), ("rejected", "不予处理"), ("other", "其他处理"),
    ("total", "总计"), ("disclosed", "予以公开"),
)
ROW_ZH = {
    "new": "一、本年新收政府信息公开申请数量", "carried_in": "二、上年结转政府信息公开申请数量",
    "disclosed": "（一）予以公开", "partly": "（二）部分公开", "withheld": "（三）不予公开",
    "unavailable": "（四）无法提供", "rejected": "（五）不予处理", "other": "（六）其他处理",
    "total": "（七）总计", "carried_out": "四、结转下年度继续办理",
}
SUBITEMS: dict[str, tuple[str, ...]] = {
    "withheld": (r"国家秘密", r"法律行政法规禁止", r"三安全一稳定|危及", r"第三方", r"内部事务", r"过程性",
                 r"执法案卷", r"行政查询"),
    "unavailable": (r"不掌握", r"另行制作|现成信息", r"不明确"),
    "rejected": (r"信访|举报|投诉", r"重复申请", r"公开出版物", r"大量反复", r"重新出具|确认"),
    "other": (r"不补正", r"缴纳费用|收费通知", r"其他"),
}
GROUPS = tuple(SUBITEMS)  # （三）-（六）: the rows with numbered sub-items
RESULTS = ("disclosed", "partly", *GROUPS)  # （一）-（六）, whose sum is （七）总计
REQUIRED = ("new", "carried_in", "total", "carried_out")
_LEADING_NUMBER = re.compile(r"^[（(]?(\d{1,2})[)）]?[.．、，,]?")


def row_zh(key: str, label: str | None = None) -> str:
    """The row as the form names it: 一、本年新收…, （三）不予公开 第1项 (and the label as written)."""
    group, _, sub = key.partition(".")
    name = ROW_ZH.get(group, group)
    if sub:
        name = f"{name} {sub}．{label}" if label else f"{name} 第{sub}项"
    return name


@dataclass
class Table3:
    """Table 3 as read: for each row key, the seven figures in COLUMNS order; the labels as written."""

    rows: dict[str, list[Number]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    unrecognised: list[str] = field(default_factory=list)
    source: str = "html"

    @property
    def missing_rows(self) -> list[str]:
        return [key for key in REQUIRED if key not in self.rows]

    @property
    def complete(self) -> bool:
        return not self.missing_rows

    def value(self, key: str, column: str) -> int:
        return self.rows[key][[c for c, _ in COLUMNS].index(column)].as_int

    def figures(self) -> dict[str, dict[str, float | None]]:
        """The figures for metrics: {row key: {column key: value}}."""
        return {key: {column: number.value for (column, _), number in zip(COLUMNS, numbers, strict=True)}
                for key, numbers in self.rows.items()}

    def numbers(self) -> list[tuple[str, str, Number]]:
        return [(key, column, number) for key, numbers in self.rows.items()
                for (column, _), number in zip(COLUMNS, numbers, strict=True)]


def _header_columns(grid: Grid) -> tuple[int, dict[str, int]] | None:
    """The header row of Table 3 (the one naming 商业企业) and the column index of each of the seven columns."""
    for r, row in enumerate(grid.rows):
        texts = [cell.text for cell in row]
        if not any("商业企业" in t for t in texts):
            continue
        where: dict[str, int] = {}
        business = next(c for c, t in enumerate(texts) if "商业企业" in t)
        for c, text in enumerate(texts):
            for key, word in COLUMNS:
                if key in where or word not in text or (key == "other_org" and c <= business):
                    continue
                where[key] = c
        for key, word in (("natural", "自然人"), ("total", "总计")):  # header cells of rowspan 2 may sit above
            for above in range(r - 1, -1, -1):
                if key not in where:
                    hits = [c for c, cell in enumerate(grid.rows[above]) if word in cell.text]
                    if hits:
                        where[key] = hits[0] if key == "natural" else hits[-1]
        if len(where) == len(COLUMNS):
            return r, where
    return None


def _classify(labels: list[str]) -> str | None:
    """The row key of a data row from its label cells, left to right: a row, then a numbered sub-item."""
    distinct = [t for i, t in enumerate(labels) if t and (i == 0 or t != labels[i - 1])]
    for i, text in enumerate(distinct):
        key = next((k for k, word in ROWS if word in text), None)
        if key is None:
            continue
        rest = [t for t in distinct[i + 1:] if t != text]
        if key in SUBITEMS and rest:
            return _subitem(key, rest[0])
        return key
    return None


def _subitem(group: str, text: str) -> str | None:
    if match := _LEADING_NUMBER.match(text):
        number = int(match.group(1))
        if 1 <= number <= len(SUBITEMS[group]):
            return f"{group}.{number}"
    for number, pattern in enumerate(SUBITEMS[group], start=1):
        if re.search(pattern, text):
            return f"{group}.{number}"
    return None


def parse_table3(grid: Grid) -> Table3 | None:
    """Table 3 from a grid that holds it (None when this grid has no 商业企业…总计 header)."""
    header = _header_columns(grid)
    if header is None:
        return None
    top, where = header
    first = min(where.values())
    table = Table3(source=grid.source)
    for row in grid.rows[top + 1:]:
        labels = [cell.text for cell in row[:first]]
        key = _classify(labels)
        numbers = [read_number(row[where[column]].text) if where[column] < len(row) else read_number("")
                   for column, _ in COLUMNS]
        label = "".join(dict.fromkeys(t for t in labels if t))
        if key is None:
            if label and not re.search("办理结果", label) and any(n.raw for n in numbers):
                table.unrecognised.append(label)
            continue
        if key not in table.rows:
            table.rows[key] = numbers
            table.labels[key] = labels[-1] if labels else label
    return table


# --- Table 2: proactive disclosure ----------------------------------------------------------------
TABLE2_ROWS: tuple[tuple[str, str, str], ...] = (
    ("rules", "规章", r"^规章"), ("normative", "行政规范性文件", r"规范性文件"), ("licensing", "行政许可", r"行政许可"),
    ("penalty", "行政处罚", r"行政处罚"), ("enforcement", "行政强制", r"行政强制"),
    ("fees", "行政事业性收费", r"行政事业性收费|收费"),
)
TABLE2_ZH = {key: zh for key, zh, _ in TABLE2_ROWS}


@dataclass
class Table2:
    """Table 2 as read: for each item row, its figures in order (a value spread over merged cells once)."""

    rows: dict[str, list[Number]] = field(default_factory=dict)


def _values_after_label(row: list[GridCell]) -> tuple[str, list[Number]]:
    label = row[0].text if row else ""
    values = [read_number(cell.text) for c, cell in enumerate(row[1:], start=1)
              if not cell.is_copy_from_left(c) and cell.text != label]
    return label, values


def parse_table2(grid: Grid) -> Table2:
    table = Table2()
    for row in grid.rows:
        label, values = _values_after_label(row)
        if not values or not any(v.is_number for v in values):
            continue
        for key, _, pattern in TABLE2_ROWS:
            if key not in table.rows and re.search(pattern, label):
                table.rows[key] = values
                break
    return table


# --- Table 4: review and litigation ---------------------------------------------------------------
MEASURES: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"), ("total", "总计"),
)
TABLE4_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("direct_suit", "行政诉讼（未经复议直接起诉）", "未经复议"), ("suit_after_review", "行政诉讼（复议后起诉）", "复议后起诉"),
    ("review", "行政复议", "行政复议"),
)
TABLE4_ZH = {key: zh for key, zh, _ in TABLE4_GROUPS}
MEASURE_ZH = dict(MEASURES)


@dataclass
class Table4:
    """Table 4 as read: {group: {measure: figure}}."""

    groups: dict[str, dict[str, Number]] = field(default_factory=dict)


def parse_table4(grid: Grid) -> Table4 | None:
    counts = [sum("结果维持" in cell.text for cell in row) for row in grid.rows]
    if not counts or max(counts) < 2:
        return None
    header = max(r for r, n in enumerate(counts) if n == max(counts))
    table = Table4()
    for row in grid.rows[header + 1:]:
        numbers = [read_number(cell.text) for cell in row]
        if sum(1 for n in numbers if n.is_number and not n.blank) < 5:
            continue
        for c, number in enumerate(numbers):
            measure = next((k for k, word in MEASURES if word in grid.rows[header][c].text), None)
            above = [grid.rows[r][c].text for r in range(header + 1)]
            group = next((k for k, _, word in TABLE4_GROUPS if any(word in t for t in above)), None)
            if measure and group:
                table.groups.setdefault(group, {}).setdefault(measure, number)
        break
    return table if table.groups else None


# --- the whole form --------------------------------------------------------------------------------
@dataclass
class Form:
    """The tables a report holds (None: not found) and how many grids were looked at."""

    table2: Table2 | None = None
    table3: Table3 | None = None
    table4: Table4 | None = None
    grids: int = 0


def _is_table3(text: str) -> bool:
    return "本年新收" in text or ("商业企业" in text and "自然人" in text)


def _joined(grids: list[Grid], index: int) -> Grid:
    """A table split over pages (PDF) or blocks: following grids of the same width with no header of their own."""
    rows = list(grids[index].rows)
    for grid in grids[index + 1:]:
        text = squeeze(grid.text())
        if grid.width != grids[index].width or "商业企业" in text or "结果维持" in text or "第二十条" in text:
            break
        offset, last = len(rows), rows[-1]
        carried = {}  # a label cell cut by the page break: its empty rest on the next page takes its text
        for c, cell in enumerate(grid.rows[0] if grid.rows else []):
            if not cell.text and c < len(last) and last[c].text and read_number(last[c].text).value is None:
                carried[cell.origin] = last[c].text
        rows += [[GridCell(carried.get(cell.origin, cell.text), (cell.origin[0] + offset, cell.origin[1]))
                  for cell in row] for row in grid.rows]
    return Grid(rows, grids[index].source)


def read_form(grids: list[Grid]) -> Form:
    """Tables 2-4 from a report's grids: each the first grid that carries its header words."""
    form = Form(grids=len(grids))
    for index, grid in enumerate(grids):
        text = squeeze(grid.text())
        if form.table3 is None and _is_table3(text):
            form.table3 = parse_table3(_joined(grids, index))
        elif form.table4 is None and "结果维持" in text and "复议" in text:
            form.table4 = parse_table4(grid)
        elif form.table2 is None and ("第二十条" in text or "本年制发件数" in text or "本年新制作数量" in text):
            table2 = parse_table2(grid)
            form.table2 = table2 if table2.rows else None
    return form
