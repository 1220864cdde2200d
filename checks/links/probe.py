"""Probing links: HEAD first (or the GET already made), GET when HEAD is refused; every outcome classified.

Contract: `await probe(fetch, url)` -> `LinkResult`; `fetch(url, method)` is the context's door
(`ctx.fetch(url, method=...)`). A link is `broken` only on a definite answer (HTTP >= 400 to GET, or a
classified network failure: no such domain, refused, timed out, TLS error). An anti-bot challenge, a
private address the scanner refuses, or an unsupported URL is `unchecked`, never broken.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Response

Fetch = Callable[[str, str], Awaitable[Response]]

# HEAD answers that say "ask me with GET" rather than "this page is gone".
HEAD_REFUSED = frozenset({400, 403, 405, 406, 429, 500, 501, 502, 503})
UNCHECKED = frozenset({FailureKind.BLOCKED, FailureKind.PRIVATE_ADDRESS, FailureKind.UNSUPPORTED_URL,
                       FailureKind.TOO_LARGE})


@dataclass
class LinkResult:
    """What probing one link found. `state`: ok, broken, unchecked."""

    url: str
    text: str
    state: str
    status: int | None = None
    failure: str | None = None
    detail: str = ""
    method: str = "HEAD"
    final_url: str | None = None
    internal: bool = True
    found_on: str = ""
    content_type: str = ""

    @property
    def kind(self) -> str:
        """The failure class for reports: http_404, dns_nxdomain, connect_refused …"""
        if self.failure:
            return self.failure
        return f"http_{self.status}" if self.status is not None else "unknown"

    def as_evidence(self) -> dict[str, Any]:
        return {"url": self.url, "text": self.text, "state": self.state, "status": self.status,
                "kind": self.kind, "method": self.method, "found_on": self.found_on,
                "final_url": self.final_url if self.final_url != self.url else None,
                "detail": self.detail[:160] or None}


def _result(url: str, text: str, response: Response, method: str) -> LinkResult:
    result = LinkResult(url, text, "ok", response.status, method=method, final_url=response.final_url,
                        content_type=response.content_type)
    if response.failure is not None:
        result.failure, result.detail = response.failure.value, response.detail
        result.state = "unchecked" if response.failure in UNCHECKED else "broken"
    elif response.status is None or response.status >= 400:
        result.state = "broken"
    return result


async def probe(fetch: Fetch, url: str, text: str = "", *, get: bool = False) -> LinkResult:
    """HEAD `url` (or GET straight away when `get`); repeat with GET when HEAD is refused or fails."""
    if not get:
        head = await fetch(url, "HEAD")  # answered by the GET when the site's checks already read the page
        result = _result(url, text, head, head.method)
        retry = head.method == "HEAD" and result.state == "broken" and (
            head.failure is not None or head.status in HEAD_REFUSED)
        if not retry:
            return result
    return _result(url, text, await fetch(url, "GET"), "GET")
