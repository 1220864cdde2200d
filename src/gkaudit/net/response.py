"""Response: the outcome of one fetch, as every check sees it — status, headers, body, classified failure."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from gkaudit.net.dns import Family
from gkaudit.net.failures import FailureKind
from gkaudit.net.page import Page

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
_TEXT_HINTS = ("text/", "xml", "json", "javascript", "ecmascript")


@dataclass(frozen=True)
class Hop:
    """One redirect: from where, to where, and how (http 3xx, meta refresh, script)."""

    url: str
    status: int | None
    kind: str
    location: str


@dataclass
class Response:
    """The outcome of one fetch, redirects followed. `failure` is set when no usable answer came back."""

    url: str
    family: Family
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    failure: FailureKind | None = None
    detail: str = ""
    redirects: list[Hop] = field(default_factory=list)
    address: str | None = None
    elapsed_ms: int = 0
    connect_ms: int | None = None
    first_byte_ms: int | None = None
    reused_connection: bool = False  # answered on a kept-alive connection: no connect, a warm first byte
    tls_verified: bool | None = None
    attempts: int = 1
    method: str = "GET"  # the request really sent (a HEAD may be answered by the same URL's GET)
    _page: weakref.ref[Page] | None = field(default=None, repr=False, compare=False)

    def connection_timing(self) -> dict[str, Any]:
        """How this request's connection went: what a followed chain reports of its first request."""
        return {"connect_ms": self.connect_ms, "first_byte_ms": self.first_byte_ms,
                "reused_connection": self.reused_connection}

    @property
    def ok(self) -> bool:
        """An answer came back with a status below 400."""
        return self.failure is None and self.status is not None and self.status < 400

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def is_html(self) -> bool:
        return self.content_type.split(";")[0].strip().lower() in HTML_TYPES

    @property
    def is_text(self) -> bool:
        """A body worth parsing as a page: HTML, any text, XML, JSON or script (not images, PDFs, archives)."""
        kind = self.content_type.split(";")[0].strip().lower()
        return self.is_html or any(hint in kind for hint in _TEXT_HINTS)

    def page(self) -> Page:
        """The body as a parsed Page (empty when there is none, or when it is `page_too_complex`).

        The Fetcher parses each text body once, in a worker thread, and keeps the Page only while
        it is in use or recent: responses live for the whole scan, and a parsed tree is many times
        the size of its bytes. A Page no longer kept is parsed again (it parsed within budget once).
        """
        if self._page is not None and (page := self._page()) is not None:
            return page
        if self.failure is FailureKind.PAGE_TOO_COMPLEX:
            return Page(self.final_url, "", "utf-8", self.status)
        return Page.from_bytes(self.final_url, self.body, self.content_type, self.status)

    def evidence(self) -> dict[str, Any]:
        """The Evidence fields every check reports about one fetch (pass as **kwargs to `finding`)."""
        return {
            "url": self.url,
            "final_url": self.final_url if self.final_url != self.url else None,
            "http_status": self.status,
            "address": self.address,
            "failure": self.failure.value if self.failure else None,
            "detail": self.detail or None,
        }

    def metrics(self) -> dict[str, Any]:
        """Figures of one fetch for a CheckResult's metrics."""
        return {
            "status": self.status,
            "final_url": self.final_url,
            "elapsed_ms": self.elapsed_ms,
            "address": self.address,
            "tls_verified": self.tls_verified,
            "failure": self.failure.value if self.failure else None,
            "redirects": [{"from": h.url, "to": h.location, "kind": h.kind, "status": h.status}
                          for h in self.redirects],
            "attempts": self.attempts,
        }

    @property
    def content_problem(self) -> str:
        """Why an answer with a body cannot be a web page — empty, or binary — in one phrase; "" if it can be.

        Binary: a type that is not text, or NUL bytes in the first 4 KB (a UTF-16 page has a BOM)."""
        if self.failure is not None or self.status is None:
            return ""
        if not self.body.strip():
            return "正文为空 / empty body"
        utf16 = self.body[:2] in (b"\xff\xfe", b"\xfe\xff")
        if not self.is_text or (not utf16 and b"\x00" in self.body[:4096]):
            return f"正文不是网页而是二进制数据（{self.content_type or '无类型'}）/ binary body, not a page"
        return ""

    @property
    def problem(self) -> str:
        """Why this response is not usable, in one phrase: the classified failure, else an empty or
        binary body, else its HTTP status."""
        return self.describe_failure() or self.content_problem or f"HTTP {self.status}"

    def describe_failure(self) -> str:
        if self.failure is None:
            return ""
        return f"{self.failure.label_zh} ({self.failure.value}){': ' + self.detail if self.detail else ''}"
