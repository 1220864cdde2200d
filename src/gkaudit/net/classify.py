"""Classifying what the network hands back: URLs we cannot fetch, Retry-After values, httpx exceptions."""

from __future__ import annotations

import email.utils
import ssl
import time
from urllib.parse import urlsplit

import httpx

from gkaudit.net.failures import FailureKind


def url_problem(url: str) -> str | None:
    """Why `url` cannot be fetched (not absolute http(s), malformed host or port), or None if it can."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises for a port that is not a number in range
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"不是 http(s) 网址 / not an absolute http(s) URL: {url!r}"
        _ = httpx.URL(url).host  # IDNA labels ("xn--zz"), control characters
    except (ValueError, UnicodeError, httpx.InvalidURL) as exc:
        return f"网址格式错误 / malformed URL {url!r}: {exc}"
    return None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit() also accepts "١٢٠" and "²"
        return float(value) if len(value) < 12 else float("inf")
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def classify_httpx_error(exc: httpx.HTTPError) -> tuple[FailureKind, str]:
    """Map an httpx exception to the failure taxonomy, looking through its causes."""
    text = str(exc) or type(exc).__name__
    causes: list[BaseException] = [exc]
    while (cause := causes[-1].__cause__ or causes[-1].__context__) is not None and len(causes) < 8:
        causes.append(cause)
    if isinstance(exc, httpx.RemoteProtocolError) and "location header" in text:  # a malformed redirect
        return FailureKind.UNSUPPORTED_URL, text
    if isinstance(exc, httpx.ConnectTimeout):
        return FailureKind.CONNECT_TIMEOUT, text
    if isinstance(exc, httpx.TimeoutException):
        return FailureKind.READ_TIMEOUT, text
    if any(isinstance(c, ssl.SSLError) for c in causes) or "SSL" in text or "CERTIFICATE" in text:
        return FailureKind.TLS_ERROR, text
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in text.lower():
        return FailureKind.CONNECT_REFUSED, text
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return FailureKind.UNSUPPORTED_URL, text
    return FailureKind.CONNECTION_ERROR, text
