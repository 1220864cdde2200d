"""PDF attachments: text and ruled tables through pdfplumber (merged cells rebuilt from the cell boxes).

pdfplumber (on pdfminer.six) reads the text layer and finds tables from their ruling lines; a scanned
PDF has no text layer and reads as empty text (the caller then says inconclusive, never "missing").
"""

from __future__ import annotations

import io
import logging
import math
import re
from bisect import bisect_left

from gkaudit.checks.annual_report.tables import Grid, placed_grid
from gkaudit.net.decode import inflated_size

_TOLERANCE = 1.5  # points: ruling lines this close are one line
# pdfminer inflates every compressed stream whole: a 500 KB PDF can hold a 1 GB content stream and
# hang the check (and the scan's exit) for minutes. Real annual reports inflate to a few MB.
MAX_INFLATED = 64_000_000
_STREAM = re.compile(rb"stream\r?\n")


class PdfUnreadable(Exception):
    """The bytes are not a PDF pdfplumber can open (damaged, encrypted, not a PDF)."""


def _edges(values: list[float]) -> list[float]:
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > _TOLERANCE:
            edges.append(value)
    return edges


def _index(edges: list[float], value: float) -> int:
    i = bisect_left(edges, value - _TOLERANCE)
    return min(i, len(edges) - 1)


class CharIndex:
    """A page's characters sorted by their vertical midpoint, to find those of a table cell fast.

    `within(box)` is exactly the characters pdfplumber's `Table.extract` gives a cell (midpoint in
    the box, left and top edges included), in page order; `Table.extract` instead tests every
    character of the page for every row and then every character of the row for each cell.
    """

    def __init__(self, chars: list[dict]) -> None:
        self.chars = chars
        mids = (((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, i) for i, c in enumerate(chars))
        # a NaN midpoint (an overflowing text matrix) is in no box for pdfplumber, and would break the sort
        self._mids = sorted(mid for mid in mids if not (math.isnan(mid[0]) or math.isnan(mid[1])))
        self._tops = [mid[0] for mid in self._mids]

    def within(self, box: tuple[float, float, float, float]) -> list[dict]:
        x0, top, x1, bottom = box
        rows = self._mids[bisect_left(self._tops, top):bisect_left(self._tops, bottom)]
        return [self.chars[i] for i in sorted(i for _, h_mid, i in rows if x0 <= h_mid < x1)]


def table_texts(rows: list, chars: CharIndex) -> list[list[str | None]]:
    """What pdfplumber's `table.extract()` returns for a table's `rows` (None for no cell, "" for an
    empty one), faster."""
    from pdfplumber.utils import extract_text

    texts: list[list[str | None]] = []
    for row in rows:
        row_texts: list[str | None] = []
        for cell in row.cells:
            found = chars.within(cell) if cell is not None else None
            row_texts.append(None if found is None else extract_text(found) if found else "")
        texts.append(row_texts)
    return texts


def table_grid(table: object, chars: CharIndex) -> Grid:
    """A pdfplumber Table as a grid: each cell box placed by its ruling lines, spans from its extent.
    `chars`: its page's characters (one index serves every table of the page)."""
    rows = table.rows  # type: ignore[attr-defined]  # a property that sorts the cells: read once
    texts = table_texts(rows, chars)
    boxes = [(box, text) for row, row_texts in zip(rows, texts, strict=False)
             for box, text in zip(row.cells, row_texts, strict=False) if box is not None]
    xs = _edges([v for box, _ in boxes for v in (box[0], box[2])])
    ys = _edges([v for box, _ in boxes for v in (box[1], box[3])])
    cells = []
    for (x0, top, x1, bottom), text in boxes:
        c0, c1, r0, r1 = _index(xs, x0), _index(xs, x1), _index(ys, top), _index(ys, bottom)
        cells.append((re.sub(r"\s+", "", text or ""), r0, c0, max(1, r1 - r0), max(1, c1 - c0)))
    return placed_grid(cells, "pdf")


def check_streams(body: bytes, cap: int = MAX_INFLATED) -> None:
    """PdfUnreadable when the PDF's compressed streams inflate to more than `cap` bytes in all."""
    total = 0
    for match in _STREAM.finditer(body):
        total += inflated_size(body, match.end(), cap - total)
        if total > cap:
            raise PdfUnreadable(f"PDF 内的压缩流解压后超过 {cap // 1_000_000} MB（解压炸弹）/ streams inflate past the cap")


def read_pdf(body: bytes, max_pages: int) -> tuple[str, list[Grid], int]:
    """The text, the table grids and the page count of a PDF (at most `max_pages` pages read)."""
    import pdfplumber  # imported here: only a report in PDF pays for loading it

    check_streams(body)

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    texts: list[str] = []
    grids: list[Grid] = []
    try:
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            pages = len(pdf.pages)
            for page in pdf.pages[:max_pages]:
                texts.append(page.extract_text() or "")
                if tables := page.find_tables():
                    chars = CharIndex(page.chars)
                    grids += [table_grid(table, chars) for table in tables]
    except Exception as exc:  # pdfminer raises many kinds on damaged or hostile input
        raise PdfUnreadable(f"{type(exc).__name__}: {exc}"[:200]) from None
    return "\n".join(texts), [grid for grid in grids if grid.rows], pages
