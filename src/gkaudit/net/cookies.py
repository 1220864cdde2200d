"""Cookies per host: what one host sets is sent back to that host only, never to another site of the scan.

Sites of one scan share parent domains (www.nanjing.gov.cn, www.njqh.gov.cn ... and
`Domain=nanjing.gov.cn` would reach every district under it), so a cookie with a `Domain`
attribute naming anything but the host that set it is refused, and cookies are only returned to
the exact host that set them. A cookie whose name or value is not printable ASCII is dropped: it
cannot be sent in a header and real browsers mangle it anyway.
"""

from __future__ import annotations

import http.cookiejar
from typing import Any


def _hosts(request: Any) -> set[str]:
    return {http.cookiejar.request_host(request).lower(), http.cookiejar.eff_request_host(request)[1].lower()}


def _printable_ascii(text: str | None) -> bool:
    return text is None or (text.isascii() and text.isprintable())


class HostOnlyPolicy(http.cookiejar.DefaultCookiePolicy):
    """A cookie policy that keeps every cookie to the exact host that set it."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        if not (_printable_ascii(cookie.name) and _printable_ascii(cookie.value)):
            return False
        if cookie.domain_specified and cookie.domain.lstrip(".").lower() not in _hosts(request):
            return False
        return super().set_ok(cookie, request)

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        if cookie.domain.lstrip(".").lower() not in _hosts(request):
            return False
        return super().return_ok(cookie, request)


def host_only_cookies() -> http.cookiejar.CookieJar:
    """An empty cookie jar under HostOnlyPolicy. Hand httpx the jar itself: given an httpx.Cookies,
    a client copies it into a jar with the default (leaky) policy."""
    return http.cookiejar.CookieJar(policy=HostOnlyPolicy())
