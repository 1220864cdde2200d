"""A tiny PDF writer for test fixtures: ruled tables and CJK text, no font embedded, no third-party library.

Text uses the standard Adobe CJK font STSong-Light with the UniGB-UCS2-H encoding, which every PDF
reader (and pdfminer) maps back to Unicode; table cells are ruled rectangles, merged cells one rectangle.
Cells are given like HTML: rows of (text, rowspan, colspan).
"""

from __future__ import annotations

from pathlib import Path

PAGE_W, PAGE_H, MARGIN, ROW_H, FONT = 842.0, 1191.0, 36.0, 18.0, 7.0
Cell = tuple[str, int, int]


def _hex(text: str) -> str:
    return "<" + text.encode("utf-16-be").hex().upper() + ">"


class PdfWriter:
    """Pages of lines of text and ruled tables, written top to bottom."""

    def __init__(self) -> None:
        self.pages: list[list[str]] = [[]]
        self.y = PAGE_H - MARGIN

    def _room(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.pages.append([])
            self.y = PAGE_H - MARGIN

    def text(self, line: str, size: float = 9.0) -> None:
        self._room(size * 1.8)
        self.y -= size * 1.6
        self.pages[-1].append(f"BT /F1 {size} Tf {MARGIN} {self.y:.1f} Td {_hex(line)} Tj ET")

    def table(self, rows: list[list[Cell]], widths: list[float], split_at: int | None = None) -> None:
        """A ruled table; `split_at`: rows from there go on a new page (cut merged cells continue empty there)."""
        taken: set[tuple[int, int]] = set()
        placed: list[tuple[str, int, int, int, int]] = []
        for r, row in enumerate(rows):
            c = 0
            for text, rowspan, colspan in row:
                while (r, c) in taken:
                    c += 1
                placed.append((text, r, c, rowspan, colspan))
                taken.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(colspan))
                c += colspan
        if split_at is None:
            self._draw(placed, len(rows), widths)
            return
        first = [(t, r, c, min(rs, split_at - r), cs) for t, r, c, rs, cs in placed if r < split_at]
        rest = [(t, r - split_at, c, rs, cs) for t, r, c, rs, cs in placed if r >= split_at]
        rest += [("", 0, c, r + rs - split_at, cs) for t, r, c, rs, cs in placed if r < split_at < r + rs]
        self._draw(first, split_at, widths)
        self.pages.append([])
        self.y = PAGE_H - MARGIN
        self._draw(rest, len(rows) - split_at, widths)

    def _draw(self, placed: list[tuple[str, int, int, int, int]], height: int, widths: list[float]) -> None:
        rows = range(height)
        self._room(ROW_H * len(rows) + 4)
        top = self.y - 4
        xs = [MARGIN]
        for width in widths:
            xs.append(xs[-1] + width)
        ops = self.pages[-1]
        ops.append("0.5 w")
        for text, r, c, rowspan, colspan in placed:
            x0, x1 = xs[c], xs[c + colspan]
            y1 = top - r * ROW_H
            y0 = y1 - rowspan * ROW_H
            ops.append(f"{x0:.1f} {y0:.1f} {x1 - x0:.1f} {y1 - y0:.1f} re S")
            chars = max(1, int((x1 - x0 - 4) / FONT))
            lines = [text[i:i + chars] for i in range(0, len(text), chars)][: max(1, int(rowspan * ROW_H / (FONT + 1)))]
            for i, part in enumerate(lines):
                ops.append(f"BT /F1 {FONT} Tf {x0 + 2:.1f} {y1 - 2 - (i + 1) * (FONT + 1):.1f} Td {_hex(part)} Tj ET")
        self.y = top - ROW_H * len(rows) - 4

    def bytes(self) -> bytes:
        objects: list[bytes] = []
        kids = " ".join(f"{6 + 2 * i} 0 R" for i in range(len(self.pages)))
        objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
        objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(self.pages)} >>".encode())
        objects.append(b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
                       b"/DescendantFonts [4 0 R] >>")
        objects.append(b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
                       b"<< /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /DW 1000 /FontDescriptor 5 0 R >>")
        objects.append(b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
                       b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
        for i, ops in enumerate(self.pages):
            stream = "\n".join(ops).encode("ascii")
            objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                           f"/Resources << /Font << /F1 3 0 R >> >> /Contents {7 + 2 * i} 0 R >>".encode())
            objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        out = bytearray(b"%PDF-1.4\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
        out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
        out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
        return bytes(out)

    def save(self, path: Path) -> None:
        path.write_bytes(self.bytes())
