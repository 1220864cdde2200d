"""DOCX attachments through python-docx: paragraphs and tables (merged cells repeat their text).

Only the Office Open XML format (.docx); the old binary .doc, .wps, .xls have no well-kept pure
reader here and are reported as unreadable by type.
"""

from __future__ import annotations

import io
import re
import zipfile

from gkaudit.checks.annual_report.tables import Grid, GridCell

MAX_UNZIPPED = 64_000_000  # a real report unzips to a few MB; a zip bomb to gigabytes


class DocxUnreadable(Exception):
    """The bytes are not a .docx python-docx can open."""


def check_unzipped_size(body: bytes, cap: int = MAX_UNZIPPED) -> None:
    """DocxUnreadable when the archive's members declare more than `cap` bytes in all (zipfile never
    inflates a member past its declared size, so the declaration bounds the work)."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # python-docx reports the damage itself
    if total > cap:
        raise DocxUnreadable(f"解压后 {total} 字节，超过上限 {cap}（解压炸弹）/ unzips past the cap")


def read_docx(body: bytes) -> tuple[str, list[Grid]]:
    """The text (paragraphs, then table cells) and the table grids of a .docx file."""
    import docx  # python-docx; imported here: only a report in DOCX pays for loading it

    check_unzipped_size(body)

    try:
        document = docx.Document(io.BytesIO(body))
        paragraphs = [p.text for p in document.paragraphs]
        grids = []
        for table in document.tables:
            rows: list[list[GridCell]] = []
            for r, row in enumerate(table.rows):
                cells, previous = [], None
                for c, cell in enumerate(row.cells):  # a merged cell comes back once per position it covers
                    text = re.sub(r"\s+", "", cell.text)
                    origin = previous if previous is not None and cell._tc is previous[0] else (cell._tc, (r, c))
                    cells.append(GridCell(text, origin[1]))
                    previous = origin
                rows.append(cells)
            grids.append(Grid(rows, "docx"))
    except Exception as exc:  # zipfile, lxml and python-docx errors on damaged input
        raise DocxUnreadable(f"{type(exc).__name__}: {exc}"[:200]) from None
    text = "\n".join(paragraphs + [grid.text() for grid in grids])
    return text, grids
