"""The HTML report in a real headless Chromium: no console error, no request but the file, a non-blank page.

Every request is intercepted: the report file itself is served, everything else is aborted and
recorded (nothing leaves the machine). Skips, saying why, without Chromium or Playwright.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from gkaudit.model import ScanReport
from gkaudit.report.diff import diff_reports
from gkaudit.report.html import render_html

from conftest import scan_web

CHROMIUM = os.environ.get("GKAUDIT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install "
                                     "'gkaudit[render]'; never `playwright install`)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt-get install -y chromium, "
                                                         "or set GKAUDIT_CHROMIUM)")


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered rows of an 8-bit RGB/RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line[i] for i in range(stride) if channels == 3 or i % 4 != 3))
        previous = line
    return width, height, rows


def distinct_colours(rows: list[bytes], step: int = 7) -> int:
    colours = set()
    for row in rows[::step]:
        for x in range(0, len(row) - 2, 3 * step):
            colours.add(row[x:x + 3])
    return len(colours)


def test_png_decoder_sees_a_blank_page_as_blank() -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + b"\xff" * 30 for _ in range(10))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 10, 10, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    width, height, rows = png_pixels(png)
    assert (width, height) == (10, 10) and distinct_colours(rows, step=1) == 1


@pytest.fixture(scope="module")
def report_file(bundled_web, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """The year-end report of the demo web, with a trend (an earlier report) and a baseline comparison."""
    report: ScanReport = scan_web(bundled_web, bundled_web.targets(), [])
    earlier = report.model_copy(deep=True)
    earlier.scanner.now = report.scanner.now.replace(year=report.scanner.now.year - 1)
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_html(report, [earlier], diff_reports(earlier, report)), encoding="utf-8")
    return path


def test_the_report_opens_in_chromium_without_errors_or_requests(report_file: Path, tmp_path: Path) -> None:
    own = report_file.resolve().as_uri()
    requests: list[str] = []
    problems: list[str] = []
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS, headless=True,
            viewport={"width": 1100, "height": 1500})
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

            def route(handle) -> None:  # type: ignore[no-untyped-def]
                if handle.request.url == own:
                    handle.continue_()
                else:
                    requests.append(handle.request.url)
                    handle.abort()

            page.route("**/*", route)
            page.goto(own, wait_until="load")
            title = page.title()
            grid_cells = page.locator("table.grid td.cell").count()
            charts = page.locator("svg.chart").count()
            shot = page.screenshot(full_page=False)
            pdf = page.pdf(format="A4")
        finally:
            browser.close()
    assert requests == [], requests
    assert problems == [], problems
    assert "政务公开检查报告" in title
    assert grid_cells >= 9 * 5 and charts == 2  # per-check results and the trend
    width, height, rows = png_pixels(shot)
    assert (width, height) == (1100, 1500)
    assert distinct_colours(rows) > 5  # not a blank page: text, the coloured grid
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > 1  # printable, several A4 pages
