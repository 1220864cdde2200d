"""Open one annual report: its article page, and the attachment that holds the report where there is one.

Returns a `ReportDocument` (text, table grids, publication date, where each came from) or an
`Unreadable` naming why not (anti-bot gateway, dead link, script-only page, attachment of a type
gkaudit cannot read, a PDF without a text layer, a body over the Fetcher's size cap). Fetches go
through the `fetch` callable the check passes in (ctx.fetch): one door to the network.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from gkaudit.checks.annual_report.form import read_form
from gkaudit.checks.annual_report.pdf import PdfUnreadable, read_pdf
from gkaudit.checks.annual_report.sections import find_sections
from gkaudit.checks.annual_report.tables import Grid, html_grids
from gkaudit.checks.annual_report.word import DocxUnreadable, read_docx
from gkaudit.columns.dates import find_dates, meta_date
from gkaudit.columns.items import ListItem
from gkaudit.columns.listing import article_text, find_list_loader
from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Response
from gkaudit.net.page import Page
from gkaudit.net.workers import PoolExhausted, WorkerPool

T = TypeVar("T")

# One attachment read at a time per process: pdfminer's objects for a report are some 10 MiB while it
# is read, and the reading is pure Python under the GIL, so reading more at once only holds more
# memory. A reading past its budget is abandoned (its thread replaced, so it cannot block the lane)
# and the attachment unreadable: inconclusive, never a verdict on a report nobody could read.
_DOCUMENTS = WorkerPool(workers=1, max_threads=4)
DOCUMENT_BUDGET_S = 60.0  # reading one attachment
DOCUMENT_WAIT_S = 240.0  # queueing and reading: within the check's own time limit (300 s)


async def _read_in_lane(read: Callable[[], T]) -> T:
    """`read()` in the document lane; TimeoutError past DOCUMENT_BUDGET_S of reading or DOCUMENT_WAIT_S in all."""
    async with asyncio.timeout(DOCUMENT_WAIT_S):
        return await _DOCUMENTS.run(read, DOCUMENT_BUDGET_S)

Fetch = Callable[[str], Awaitable[Response]]

# attachment types by file extension; readable: pdf and docx
ATTACHMENT_TYPES = {".pdf": "PDF", ".docx": "DOCX", ".doc": "DOC", ".wps": "WPS", ".xls": "XLS", ".xlsx": "XLSX",
                    ".ofd": "OFD", ".zip": "ZIP", ".rar": "RAR", ".jpg": "图片", ".png": "图片"}
_CONTENT_TYPES = {"application/pdf": ".pdf",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
                  "application/msword": ".doc", "application/vnd.ms-excel": ".xls"}
_PREFERENCE = (".pdf", ".docx")


@dataclass
class ReportDocument:
    """A report as read: where from (`kind` html/pdf/docx), its text and grids, and its publication date."""

    url: str
    http_status: int | None
    kind: str
    text: str
    grids: list[Grid]
    pub_date: date | None
    date_source: str | None
    attachment: str | None = None
    notes: list[str] = field(default_factory=list)

    def evidence(self) -> dict[str, Any]:
        return {"url": self.attachment or self.url, "http_status": self.http_status}


@dataclass
class Unreadable:
    """Why a report could not be read; `reason` is a stable key for metrics."""

    reason: str
    message: str
    evidence: dict[str, Any]


def extension(url: str, content_type: str = "") -> str | None:
    """The attachment extension of a URL (its path, or a `filename=` in its query) or content type, else None."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in _CONTENT_TYPES:
        return _CONTENT_TYPES[kind]
    parts = urlsplit(url)
    for text in (unquote(parts.path).lower(), *(unquote(v).lower() for v in re.findall(r"=([^&]+)", parts.query))):
        if found := next((ext for ext in ATTACHMENT_TYPES if text.endswith(ext)), None):
            return found
    return None


def sniffed(response: Response) -> str | None:
    """The file type its first bytes, its Content-Disposition, its content type or its URL say, or None (a page)."""
    head = response.body[:8]
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith(b"PK\x03\x04") and b"word/" in response.body[:4096]:
        return ".docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .doc, .xls, .wps
        return extension(response.final_url) or ".doc"
    disposition = response.headers.get("content-disposition", "")
    if match := re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)", disposition, re.I):
        if found := extension("/" + match.group(1)):
            return found
    return extension(response.final_url, response.content_type)


def attachments(page: Page) -> list[tuple[str, str, str]]:
    """(url, extension, link text) of the attachment links of an article page, readable types first."""
    found = []
    for link in page.links:
        ext = extension(link.url)
        if ext is not None and ext not in (".jpg", ".png"):
            found.append((link.url, ext, link.label))
    return sorted(found, key=lambda a: _PREFERENCE.index(a[1]) if a[1] in _PREFERENCE else len(_PREFERENCE))


def publication_date(page: Page) -> tuple[date | None, str | None]:
    """The article's date: its `PubDate` meta (国办发〔2017〕47号), else a 发布时间 line in the page."""
    if (day := meta_date(page)) is not None:  # PubDate, firstpublishtime, publishdate … (gkaudit.columns.dates)
        return day, "meta PubDate"
    text = page.visible_text
    for mark in ("发布时间", "发布日期", "时间："):
        if (at := text.find(mark)) >= 0 and (dates := find_dates(text[at:at + 40])):
            return dates[0], mark
    return None, None


def _failure(response: Response, what: str) -> Unreadable:
    if response.failure is not None and response.failure.undecidable:  # blocked, page_too_complex
        return Unreadable(response.failure.value, f"{what}{response.failure.label_zh}：{response.detail}",
                          response.evidence())
    if response.failure is FailureKind.TOO_LARGE:
        return Unreadable("too_large", f"{what}超过下载大小上限：{response.detail}", response.evidence())
    return Unreadable("unreachable", f"{what}无法打开（{response.problem}）", response.evidence())


async def read_report(fetch: Fetch, item: ListItem, max_pdf_pages: int) -> ReportDocument | Unreadable:
    """Read the report behind a list entry: the article page, else (or in addition) its PDF/DOCX attachment."""
    response = await fetch(item.url)
    if not response.ok:
        return _failure(response, "年报页面")
    ext = sniffed(response)
    if ext is not None:  # the list links the file itself
        return await _read_file(response, ext, item.url, None, item.date, "列表日期" if item.date else None,
                                max_pdf_pages)
    page = response.page()
    text, grids = article_text(page), html_grids(page)
    pub_date, source = publication_date(page)
    if pub_date is None and item.date is not None:
        pub_date, source = item.date, "列表日期"
    has_table3 = read_form(grids).table3 is not None
    if find_sections(text).found >= 4 and has_table3:
        return ReportDocument(item.url, response.status, "html", text, grids, pub_date, source)
    files = attachments(page)
    if files:
        url, file_ext, label = files[0]
        attached = await fetch(url)
        if not attached.ok:
            return _failure(attached, f"年报附件“{label or url}”")
        document = await _read_file(attached, sniffed(attached) or file_ext,
                                    item.url, url, pub_date, source, max_pdf_pages)
        if isinstance(document, ReportDocument) and text:
            document.text = f"{text}\n{document.text}"
            document.grids = grids + document.grids
        return document
    if find_sections(text).found >= 4:
        return ReportDocument(item.url, response.status, "html", text, grids, pub_date, source,
                              notes=["正文中未找到表格"])
    if len(text) < 300 and find_list_loader(page) is not None:
        return Unreadable("script_only", "年报页面正文由脚本加载，静态读取看不到报告内容", response.evidence())
    if len(text) < 300 and page.tree.css_first("img") is not None:
        return Unreadable("image_only", "年报正文似为图片，无法读取文字", response.evidence())
    return Unreadable("no_report_text", f"年报页面正文仅 {len(text)} 字，未识别出报告内容，也无附件",
                      response.evidence())


async def _read_file(response: Response, ext: str, page_url: str, attachment: str | None,
                     pub_date: date | None, date_source: str | None, max_pdf_pages: int) -> ReportDocument | Unreadable:
    name = ATTACHMENT_TYPES.get(ext, ext.lstrip(".").upper())
    evidence = response.evidence()
    try:
        if ext == ".pdf":
            text, grids, pages = await _read_in_lane(lambda: read_pdf(response.body, max_pdf_pages))
            notes = [f"PDF 共 {pages} 页，只读前 {max_pdf_pages} 页"] if pages > max_pdf_pages else []
        elif ext == ".docx":
            text, grids = await _read_in_lane(lambda: read_docx(response.body))
            notes = []
        else:
            return Unreadable("attachment_type", f"年报为 {name} 附件，gkaudit 无法读取此类型（请另行人工核对）",
                              {**evidence, "data": {"type": name}})
    except (PdfUnreadable, DocxUnreadable, PoolExhausted) as exc:
        return Unreadable("attachment_unreadable", f"年报 {name} 附件无法解析：{exc}", {**evidence, "data": {"type": name}})
    except TimeoutError:
        return Unreadable("attachment_unreadable", f"年报 {name} 附件未能读完（解析超过 {DOCUMENT_BUDGET_S:.0f} 秒，"
                          f"或排队超过 {DOCUMENT_WAIT_S:.0f} 秒）",
                          {**evidence, "data": {"type": name}})
    if len(text.strip()) < 50:
        return Unreadable("no_text_layer", f"年报 {name} 附件没有可读的文字（可能为扫描件）",
                          {**evidence, "data": {"type": name}})
    return ReportDocument(page_url, response.status, ext.lstrip("."), text, grids, pub_date, date_source,
                          attachment=attachment or response.final_url, notes=notes)
