"""Tables as grids: HTML `<table>`s (rowspan/colspan filled out) and cell values read as numbers.

A `Grid` is a rectangle of `GridCell`s: a merged cell is copied into every position it covers, each
copy marked with the position of its origin, so a label written once across three columns reads the
same in all three, and a value written once across three columns is counted once. Pure functions:
no network here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from gkaudit.net.page import Page

_MAX_SPAN = 60  # a colspan="1000" typo must not build a huge grid


@dataclass(frozen=True)
class GridCell:
    """One position of a grid: the text of the cell covering it and where that cell starts."""

    text: str
    origin: tuple[int, int]

    def is_copy_from_left(self, column: int) -> bool:
        """This position repeats a cell that starts further left in the same row (a colspan)."""
        return self.origin[1] < column


@dataclass
class Grid:
    """A table as rows of cells, every row as long as the widest one (missing positions are empty)."""

    rows: list[list[GridCell]]
    source: str = "html"

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def text(self) -> str:
        """All distinct cell texts, row by row: what a reader of the table sees."""
        parts: list[str] = []
        for r, row in enumerate(self.rows):
            for c, cell in enumerate(row):
                if cell.origin == (r, c) and cell.text:
                    parts.append(cell.text)
        return " ".join(parts)

    def texts(self, row: int) -> list[str]:
        return [cell.text for cell in self.rows[row]]


def cell_text(node: LexborNode) -> str:
    """The text of a cell, nested `<p>`/`<span>`/`<br>` joined, white space (full-width too) collapsed."""
    text = node.text(separator="")
    return re.sub(r"\s+", "", text.replace("\u3000", " ").replace("\xa0", " "))


def build_grid(spans: list[list[tuple[str, int, int]]], source: str = "html") -> Grid:
    """A grid from rows of (text, rowspan, colspan) cells, filling merged positions with copies."""
    taken: dict[tuple[int, int], GridCell] = {}
    for r, row in enumerate(spans):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in taken:
                c += 1
            cell = GridCell(text, (r, c))
            for dr in range(max(1, min(rowspan, _MAX_SPAN))):
                for dc in range(max(1, min(colspan, _MAX_SPAN))):
                    taken.setdefault((r + dr, c + dc), cell)
            c += max(1, min(colspan, _MAX_SPAN))
    height = len(spans)
    width = max((c + 1 for (r, c) in taken if r < height), default=0)
    rows = [[taken.get((r, c), GridCell("", (r, c))) for c in range(width)] for r in range(height)]
    return Grid(rows, source)


def _span(node: LexborNode, name: str) -> int:
    value = (node.attributes.get(name) or "1").strip()
    digits = re.match(r"\d+", value)
    return int(digits.group(0)) if digits else 1


def _own_rows(table: LexborNode) -> list[LexborNode]:
    """The `<tr>`s of this table (inside thead/tbody/tfoot too), not those of tables nested in it."""
    rows = []
    for tr in table.css("tr"):
        ancestor = tr.parent
        while ancestor is not None and ancestor.tag != "table":
            ancestor = ancestor.parent
        if ancestor is not None and ancestor.mem_id == table.mem_id:
            rows.append(tr)
    return rows


def html_grid(table: LexborNode) -> Grid:
    spans: list[list[tuple[str, int, int]]] = []
    for tr in _own_rows(table):
        cells = [child for child in tr.iter() if child.tag in ("td", "th")]
        spans.append([(cell_text(cell), _span(cell, "rowspan"), _span(cell, "colspan")) for cell in cells])
    return build_grid(spans)


def html_grids(page: Page) -> list[Grid]:
    """Every non-empty table of a page as a grid, in document order; layout tables holding tables are left out."""
    grids = [html_grid(table) for table in page.tree.css("table")
             if not any(inner.mem_id != table.mem_id for inner in table.css("table"))]
    return [grid for grid in grids if grid.rows and grid.width]


# --- numbers -----------------------------------------------------------------------------------
_ZERO_MARKS = frozenset({"—", "——", "-", "－", "/", "／", "无", "–", "―", "\\", "0", "〇"})


@dataclass(frozen=True)
class Number:
    """A table cell read as a figure. `value` None: the text is not a number (see `raw`)."""

    raw: str
    value: float | None
    blank: bool = False

    @property
    def is_number(self) -> bool:
        return self.value is not None

    @property
    def is_integer(self) -> bool:
        return self.value is not None and float(self.value).is_integer()

    @property
    def as_int(self) -> int:
        return int(self.value) if self.value is not None else 0

    def shown(self) -> str:
        return self.raw if self.raw else "（空白）"


def read_number(text: str) -> Number:
    """A figure from a cell: `1,234`, full-width `１２`, `—`/`/`/`-`/blank as zero; `-3` and `1.5` kept as read."""
    raw = text.strip()
    normal = unicodedata.normalize("NFKC", raw).replace(" ", "")
    if not normal:
        return Number(raw, 0, blank=True)
    if normal in _ZERO_MARKS or raw in _ZERO_MARKS:
        return Number(raw, 0)
    normal = normal.replace(",", "").replace("，", "")
    normal = re.sub(r"(件|个|次|万元|元)$", "", normal)
    if re.fullmatch(r"[-−]?\d+(?:\.\d+)?", normal):
        return Number(raw, float(normal.replace("−", "-")))
    return Number(raw, None)


def placed_grid(cells: list[tuple[str, int, int, int, int]], source: str) -> Grid:
    """A grid from cells at known positions: (text, row, column, rowspan, colspan), e.g. from a PDF's ruling."""
    taken: dict[tuple[int, int], GridCell] = {}
    for text, r, c, rowspan, colspan in sorted(cells, key=lambda cell: (cell[1], cell[2])):
        cell = GridCell(text, (r, c))
        for dr in range(max(1, min(rowspan, _MAX_SPAN))):
            for dc in range(max(1, min(colspan, _MAX_SPAN))):
                taken.setdefault((r + dr, c + dc), cell)
    height = max((r + 1 for r, _ in taken), default=0)
    width = max((c + 1 for _, c in taken), default=0)
    return Grid([[taken.get((r, c), GridCell("", (r, c))) for c in range(width)] for r in range(height)], source)
