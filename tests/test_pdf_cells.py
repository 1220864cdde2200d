"""The PDF cell texts gkaudit reads must be exactly pdfplumber's own `Table.extract()`: only faster."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest

import reportkit as rk
from gkaudit.checks.annual_report.pdf import CharIndex, table_texts

BUNDLED_PDF = (Path(__file__).resolve().parents[1] / "src" / "gkaudit" / "simweb" / "sites" / "00_nanjing" / "www"
               / "njsrmzf" / "xxgkzl" / "zfxxgkndbg" / "W020260325512.pdf")


def _pdfs() -> list[tuple[str, bytes]]:
    return [("bundled", BUNDLED_PDF.read_bytes()),
            ("made", rk.pdf_report(2025, "南京市某区人民政府")),
            ("split", rk.pdf_report(2025, "南京市某区人民政府", split_table3_at=9))]


@pytest.mark.parametrize(("name", "body"), _pdfs(), ids=[name for name, _ in _pdfs()])
def test_cell_texts_are_pdfplumbers_own(name: str, body: bytes) -> None:
    tables = 0
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        for page in pdf.pages:
            chars = CharIndex(page.chars)
            for table in page.find_tables():
                assert table_texts(table.rows, chars) == table.extract()
                tables += 1
    assert tables >= 3


def test_a_character_on_a_cell_edge_goes_where_pdfplumber_puts_it() -> None:
    """Midpoints on the left/top edge are inside, on the right/bottom edge outside (half-open boxes)."""
    chars = [{"x0": 9.0, "x1": 11.0, "top": 9.0, "bottom": 11.0, "text": "a"},   # midpoint (10, 10): a corner
             {"x0": 19.0, "x1": 21.0, "top": 14.0, "bottom": 16.0, "text": "b"},  # (20, 15): the right edge
             {"x0": 14.0, "x1": 16.0, "top": 19.0, "bottom": 21.0, "text": "c"}]  # (15, 20): the bottom edge
    assert [c["text"] for c in CharIndex(chars).within((10.0, 10.0, 20.0, 20.0))] == ["a"]
    assert [c["text"] for c in CharIndex(chars).within((10.0, 10.0, 20.01, 20.01))] == ["a", "b", "c"]


def test_the_index_agrees_with_a_brute_force_scan_nan_midpoints_included() -> None:
    """pdfminer gives an overflowing text matrix NaN coordinates: such a character is in no cell."""
    import random

    def inside(char: dict, box: tuple[float, float, float, float]) -> bool:  # pdfplumber's char_in_bbox
        v_mid, h_mid = (char["top"] + char["bottom"]) / 2, (char["x0"] + char["x1"]) / 2
        return box[0] <= h_mid < box[2] and box[1] <= v_mid < box[3]

    rng = random.Random(7)
    chars = []
    for n in range(400):
        x, y = rng.uniform(0, 100), rng.uniform(0, 100)
        if n % 10 == 0:
            y = float("nan")
        chars.append({"x0": x, "x1": x + 2, "top": y, "bottom": y + 2, "text": str(n)})
    index = CharIndex(chars)
    for _ in range(300):
        x0, top = rng.uniform(0, 90), rng.uniform(0, 90)
        box = (x0, top, x0 + rng.uniform(1, 30), top + rng.uniform(1, 30))
        assert index.within(box) == [c for c in chars if inside(c, box)]
