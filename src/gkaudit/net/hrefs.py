"""Resolving hrefs to absolute URLs: `absolute_url` (the rules) and `HrefResolver` (the same, fast, per base).

A real homepage carries hundreds of links, and `urljoin` parses the base again for each one: it
was most of a page's parse time. `HrefResolver` asks `absolute_url` twice about its base, then
resolves the plain hrefs menus are made of (`/a/b.html`, `b.html?id=3`, `http://host/a`) by
joining strings. Anything else (dot segments, `//host`, `?q` alone, odd characters, brackets,
user info) goes to `absolute_url` itself, so the answer is always the one `absolute_url` gives
(tests/test_hrefs.py compares the two over a grammar of hrefs and bases).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urljoin, urlparse, urlsplit, urlunsplit

_NOT_WEB = re.compile(r"^(javascript|mailto|tel|data|about):", re.I)
# Characters a fast href's path may hold: unreserved, sub-delims but ";" (path parameters), ":", "@", "%".
_PATH = r"[A-Za-z0-9._~!$&'()*+,=:@%/-]*"
_QUERY = r"(?:\?[!-\"$-~]*)?"  # printable ASCII but "#" (the fragment has been cut off already)
_ROOTED = re.compile(rf"/(?!/){_PATH}{_QUERY}")
_RELATIVE = re.compile(rf"[A-Za-z0-9_~!$&'()*+,=@%-][A-Za-z0-9._~!$&'()*+,=@%/-]*{_QUERY}")  # no ":": a scheme
# ASCII only: under Unicode rules (?i) lets "ſ" match "s" and \d takes "٨٠" for a port
_ABSOLUTE = re.compile(rf"(?i:(https?))://([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)(?::(\d{{1,5}}))?(/{_PATH})?({_QUERY})",
                       re.ASCII)


def _web_href(href: str) -> str | None:
    """`href` trimmed, backslashes as slashes; None for one that leads to no web page (javascript:,
    mailto:, tel:, data:, about:, a bare fragment, nothing)."""
    href = href.strip().replace("\\", "/")
    if not href or href.startswith("#") or _NOT_WEB.match(href):
        return None
    return href


def absolute_url(base: str, href: str) -> str | None:
    """Resolve `href` against `base`; None for javascript:, mailto:, tel:, bare fragments and malformed URLs."""
    if (web := _web_href(href)) is None:
        return None
    try:
        parts = urlsplit(urljoin(base, web))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        _ = parts.port  # raises for a port that is not a number in range
        if ":" in parts.hostname:
            ipaddress.IPv6Address(parts.hostname)
    except ValueError:  # real pages carry broken hrefs ("http://[::1/", ":8O8O"): drop them, do not fail
        return None
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))


def _has_dot_segment(path: str) -> bool:
    return any(segment in (".", "..") for segment in path.split("/"))


class HrefResolver:
    """`resolve(href) == absolute_url(base, href)` for every href, with the common ones done by string joins."""

    def __init__(self, base: str) -> None:
        self.base = base
        rooted = absolute_url(base, "/x")  # scheme://host[:port]/x when the base can take paths at all
        relative = absolute_url(base, "x")  # the base's directory + x
        self._origin = rooted[:-2] if rooted and rooted.endswith("/x") else None
        self._directory = relative[:-1] if relative and relative.endswith("/x") else None
        try:
            urlparse(base)  # urljoin parses the base even for an absolute href, and gives up on one it rejects
            self._base_parses = True
        except ValueError:
            self._base_parses = False

    def resolve(self, href: str) -> str | None:
        """The absolute URL `href` leads to from the base, or None (see `absolute_url`)."""
        if (text := _web_href(href)) is None:
            return None
        fast = self._join(text.partition("#")[0]) if self._base_parses else None
        return fast if fast is not None else absolute_url(self.base, href)

    def _join(self, text: str) -> str | None:
        """The plain cases by string joins; None: let absolute_url decide."""
        path, mark, query = text.partition("?")
        suffix = mark + query if query else ""  # "a?" is "a": an empty query is dropped
        tail = path + suffix
        if text.startswith("/"):
            if self._origin is not None and _ROOTED.fullmatch(text) and not _has_dot_segment(path):
                return self._origin + tail
            return None
        if _RELATIVE.fullmatch(text):
            if self._directory is not None and "//" not in path and not _has_dot_segment(path):
                return self._directory + tail
            return None
        if (match := _ABSOLUTE.fullmatch(text)) is not None:
            scheme, host, port, rest = match.group(1), match.group(2), match.group(3), match.group(4) or "/"
            if port is not None and int(port) > 65535:
                return None
            netloc = f"{host}:{port}" if port is not None else host
            return f"{scheme.lower()}://{netloc.lower()}{rest}{suffix}"
        return None
