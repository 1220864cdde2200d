"""What same-site external scripts write into a page: headers, navigation and footers built by script.

Many government sites write their header (with the 政务公开 link) and footer (with the identifiers)
from `document.write(ln)` includes. `script_html(fetch, page)` fetches the page's same-site external
scripts — all of them, within a byte budget, well-known libraries skipped — decodes each with the
page charset rules (BOM, then UTF-8, then GB18030: GBK scripts exist) and extracts the HTML their
`document.write(ln)(…)`, `.innerHTML = …` and jQuery `.html(…)`/`.append(…)` calls write (string
literals joined by `+`, escaped quotes, `unescape("%3C…")`). The result is a `ScriptHtml`: per-script
text and HTML, and `page_with(page)` — the page with that HTML added, so link finders read it.

This is the second of the three places a link may be before gkaudit calls it missing (the static
page, its scripts, the rendered page). The third is `Rendered` below: a hook the browser fills.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from gkaudit.net.domains import registrable_domain
from gkaudit.net.page import Page, decode_html, url_host

Fetch = Callable[[str], Awaitable[Any]]
#: A browser hook (gkaudit.net.render): the page as a browser shows it, or None when no browser is available.
Rendered = Callable[[str], Awaitable[Page | None]]

DEFAULT_BUDGET = 1_500_000  # bytes of script read per page
_LIBRARIES = re.compile(
    r"(?:^|[/._-])(?:jquery|jq|bootstrap|layui|layer|vue|react|angular|echarts|swiper|html2canvas|jspdf|md5|"
    r"qrcode|raphael|lodash|moment|axios|require|sea|zepto|superslide|owl\.carousel|jplayer|pdf|base64|"
    r"cookie|polyfill|es5|es6|respond|html5shiv|modernizr|d3|three|highcharts|ueditor|kindeditor|ckeditor|"
    r"wxa11y|a11y|esdtools|share|bdshare|ta|ya|websta|sso)(?:[._-][\w.-]*)?\.js$", re.I)
_WRITER = re.compile(r"document\s*\.\s*write(?:ln)?\s*\(|\.\s*innerHTML\s*[+]?=|\.\s*(?:html|append|prepend|"
                     r"after|before)\s*\(", re.I)
_ESCAPES = {"n": "\n", "t": "\t", "r": "", "b": "", "f": "", "v": "", "0": ""}


def same_site(url: str, page_url: str) -> bool:
    """A script of the page's own site: the same host or the same registrable domain (`static.x.gov.cn`)."""
    host, home = url_host(url), url_host(page_url)
    return bool(host) and (host == home or registrable_domain(host) == registrable_domain(home))


def is_library(url: str) -> bool:
    """A well-known third-party library (jQuery, layui, …): it writes no part of the site's own page."""
    return bool(_LIBRARIES.search(urlsplit(url).path))


def _string(text: str, start: int) -> tuple[str, int]:
    """The JS string literal starting at `start` (a quote): its value and the index after it."""
    quote, out, i = text[start], [], start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "u" and re.match(r"[0-9a-fA-F]{4}", text[i + 2:i + 6]):
                out.append(chr(int(text[i + 2:i + 6], 16)))
                i += 6
                continue
            if nxt == "x" and re.match(r"[0-9a-fA-F]{2}", text[i + 2:i + 4]):
                out.append(chr(int(text[i + 2:i + 4], 16)))
                i += 4
                continue
            if nxt == "\n":
                i += 2
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        if ch == quote:
            return "".join(out), i + 1
        if ch == "\n" and quote != "`":
            return "".join(out), i
        out.append(ch)
        i += 1
    return "".join(out), i


def _argument(text: str, start: int) -> tuple[str, int]:
    """The strings of one call argument from `start` to its closing `)` (or `;`), concatenated.

    Non-string parts (variables, calls) contribute nothing; `unescape("…")` and `decodeURIComponent`
    contribute their decoded strings.
    """
    out: list[str] = []
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch in "\"'`":
            value, i = _string(text, i)
            out.append(value)
            continue
        if text.startswith("//", i) and (i == 0 or text[i - 1] != ":"):
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = len(text) if end < 0 else end + 2
            continue
        if match := re.match(r"(?:unescape|decodeURIComponent|decodeURI)\s*\(", text[i:]):
            inner, i = _argument(text, i + match.end())
            out.append(unquote(inner))
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return "".join(out), i + 1
            depth -= 1
        elif ch == ";" and depth == 0:
            return "".join(out), i + 1
        i += 1
    return "".join(out), i


def _uncommented(text: str) -> str:
    """The script without whole-line `//` comments (commented-out `document.writeln` lines are dead)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


def written_html(script: str) -> str:
    """The HTML a script writes into the page, in order (see the module docstring for the call forms)."""
    script = _uncommented(script)
    parts = []
    for match in _WRITER.finditer(script):
        value, _ = _argument(script, match.end())
        if "<" in value or not match.group(0).startswith("."):
            parts.append(value)
    return "".join(parts)


@dataclass
class ScriptHtml:
    """What the same-site scripts of one page hold: each script's text and the HTML it writes."""

    page_url: str
    texts: dict[str, str] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # not read: over the byte budget
    failed: list[str] = field(default_factory=list)  # not read: the fetch failed (a browser gets nothing either)
    libraries: list[str] = field(default_factory=list)

    @property
    def written(self) -> str:
        return "\n".join(self.html.values())

    def page_with(self, page: Page) -> Page:
        """`page` with the HTML its scripts write appended (links resolve against the page's own URL)."""
        if not self.written:
            return page
        return Page(page.url, page.text + "\n<div data-gkaudit-source='scripts'>" + self.written + "</div>",
                    page.charset, page.status)

    def source_of(self, needle: str) -> str | None:
        """The script whose text or written HTML contains `needle`."""
        for url in self.texts:
            if needle in self.html.get(url, "") or needle in self.texts[url]:
                return url
        return None

    def as_evidence(self) -> dict[str, Any]:
        return {"read": list(self.texts), "writing": [u for u, h in self.html.items() if h],
                "skipped": self.skipped, "failed": self.failed, "libraries": len(self.libraries)}


def script_text(body: bytes, content_type: str | None = None) -> str:
    """A script body decoded: BOM, header charset, UTF-8, else GB18030."""
    text, _ = decode_html(body, content_type)
    return text


async def script_html(fetch: Fetch, page: Page, budget: int = DEFAULT_BUDGET) -> ScriptHtml:
    """Fetch every same-site, non-library external script of `page` (within `budget` bytes) and read it."""
    found = ScriptHtml(page.url)
    wanted: list[str] = []
    for url in dict.fromkeys(page.scripts):
        if not same_site(url, page.url):
            continue
        (found.libraries if is_library(url) else wanted).append(url)
    responses = await asyncio.gather(*(fetch(url) for url in wanted))
    used = 0
    for url, response in zip(wanted, responses, strict=True):
        body = response.body if response.ok else b""
        if not body:
            found.failed.append(url)
            continue
        if used + len(body) > budget:
            found.skipped.append(url)
            continue
        used += len(body)
        text = script_text(body, response.content_type)
        found.texts[url] = text
        found.html[url] = written_html(text)
    return found


async def pages_beyond_static(fetch: Fetch, page: Page, render: Rendered | None = None,
                              budget: int = DEFAULT_BUDGET) -> tuple[list[Page], ScriptHtml]:
    """Where a link not in `page`'s static HTML may still be: the page with its scripts' HTML, then the page
    as a browser renders it (`render`, the hook gkaudit.net.render fills; None: no browser in this scan).

    Returns those pages (in that order; only those that add something) and what the scripts held.
    """
    scripts = await script_html(fetch, page, budget)
    pages = [scripts.page_with(page)] if scripts.written else []
    if render is not None and (rendered := await render(page.url)) is not None:
        pages.append(rendered)
    return pages, scripts
