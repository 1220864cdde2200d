"""HTTPS: is it offered, is its certificate valid, does http lead to https; mixed content on https pages.

`mixed_content(page)` is pure. `https_state(fetch, site_url, home)` fetches the other scheme of the
site's URL (same host and port) once and says what it found; `fetch(url, verify)` is the context's door.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Response
from gkaudit.net.page import Page

VerifyFetch = Callable[[str, bool], Awaitable[Response]]
# Resources a browser loads by itself: active ones (script, style, frame) are blocked on https pages.
_RESOURCES = (("script[src]", "src", "active"), ("iframe[src]", "src", "active"), ("frame[src]", "src", "active"),
              ("link[rel=stylesheet][href]", "href", "active"), ("img[src]", "src", "passive"),
              ("audio[src]", "src", "passive"), ("video[src]", "src", "passive"), ("source[src]", "src", "passive"),
              ("embed[src]", "src", "active"), ("object[data]", "data", "active"))


def mixed_content(page: Page) -> list[dict[str, str]]:
    """http:// resources a https page loads (not links a visitor clicks), in document order, one per URL."""
    if urlsplit(page.url).scheme != "https":
        return []
    found: dict[str, dict[str, str]] = {}
    for selector, attr, kind in _RESOURCES:
        for node in page.tree.css(selector):
            url = page.resolve(node.attributes.get(attr) or "")
            if url and url.startswith("http://") and url not in found:
                found[url] = {"url": url, "tag": node.tag or "", "kind": kind}
    return list(found.values())


def swap_scheme(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("https" if parts.scheme == "http" else "http", parts.netloc, parts.path or "/",
                       parts.query, ""))


@dataclass
class HttpsState:
    """What the two schemes of the homepage showed."""

    site_scheme: str
    https_offered: bool | None = None  # None: could not tell
    certificate_valid: bool | None = None
    http_redirects_to_https: bool | None = None
    problems: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_metrics(self) -> dict[str, Any]:
        return {"site_scheme": self.site_scheme, "https_offered": self.https_offered,
                "certificate_valid": self.certificate_valid,
                "http_redirects_to_https": self.http_redirects_to_https}


async def https_state(fetch: VerifyFetch, site_url: str, home: Response) -> HttpsState:
    """Offered / valid / redirect, from the homepage fetch and one fetch of the other scheme."""
    scheme = urlsplit(site_url).scheme
    state = HttpsState(scheme)
    if urlsplit(home.final_url).scheme == "https" or scheme == "https":
        https_home = home if urlsplit(home.final_url).scheme == "https" else None
        if https_home is None or home.failure is FailureKind.TLS_ERROR:
            https_home = await fetch(site_url if scheme == "https" else swap_scheme(site_url), True)
        _judge_certificate(state, https_home)
        if scheme == "http":
            state.http_redirects_to_https = True  # the http homepage itself ended on https
        else:
            plain = await fetch(swap_scheme(site_url), True)
            state.evidence["http"] = plain.evidence()
            if plain.ok:
                state.http_redirects_to_https = urlsplit(plain.final_url).scheme == "https"
        return state
    secure = await fetch(swap_scheme(site_url), True)
    state.evidence["https"] = secure.evidence()
    if secure.failure is FailureKind.TLS_ERROR:
        unverified = await fetch(swap_scheme(site_url), False)
        state.https_offered = unverified.ok or unverified.failure is FailureKind.BLOCKED
        state.certificate_valid = False if state.https_offered else None  # no handshake at all: not offered
    elif secure.failure is FailureKind.BLOCKED:
        state.https_offered = True
    elif secure.ok:
        state.https_offered, state.certificate_valid = True, True
    elif secure.failure in (FailureKind.CONNECT_REFUSED, FailureKind.CONNECTION_ERROR, FailureKind.CONNECT_TIMEOUT,
                            FailureKind.READ_TIMEOUT) or (secure.status or 0) >= 400:
        state.https_offered = False
    state.http_redirects_to_https = False
    return state


def _judge_certificate(state: HttpsState, response: Response) -> None:
    state.evidence["https"] = response.evidence()
    if response.failure is FailureKind.TLS_ERROR:
        state.https_offered, state.certificate_valid = True, False
    elif response.failure is None and response.status is not None:
        state.https_offered, state.certificate_valid = True, True
