"""Parsing a fetched body into a Page: off the event loop, within a budget, pathological pages refused fast.

lexbor is quadratic in nesting depth (each block-level start tag scans the stack of open elements):
100,000 nested <div>s take minutes. Before parsing, a cheap scan of the tags estimates that cost;
a page past the limit is refused at once (`page_too_complex`) instead of burning a thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gkaudit.net.page import Page

# About 0.5 s of lexbor time on a quiet machine; real pages stay below a hundredth of it.
NESTING_COST_LIMIT = 100_000_000
_PRECHECK_FROM_TAGS = 10_000  # below this many '<', even the worst nesting parses in a few ms
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]{0,15})")
_VOID = frozenset("area base br col embed hr img input link meta source track wbr param keygen frame".split())
# closed implicitly by their next sibling: they do not deepen the tree however they are written
_RAW_TEXT = {name: re.compile(f"</{name}", re.I) for name in ("script", "style", "textarea", "xmp", "noscript", "title")}
_IMPLIED = frozenset("p li dt dd tr td th option optgroup rb rt rp colgroup caption tbody thead tfoot".split())


class PageTooComplex(Exception):
    """The page would take the parser too long (nesting too deep)."""


def nesting_cost(text: str) -> int:
    """Sum over start tags of the open-element depth there: proportional to lexbor's work on deep pages.

    Script, style and textarea contents are skipped (`i<n` in a loop is no tag)."""
    depth = cost = 0
    position = 0
    while (match := _TAG.search(text, position)) is not None:
        position = match.end()
        name = match.group(2).lower()
        if name in _VOID or name in _IMPLIED:
            continue
        if match.group(1):
            depth = depth - 1 if depth else 0
            continue
        cost += depth
        depth += 1
        if name in _RAW_TEXT:
            end = _RAW_TEXT[name].search(text, position)
            position = len(text) if end is None else end.start()
    return cost


def check_complexity(text: str) -> None:
    """Raise PageTooComplex for a page lexbor would take far too long on."""
    if text.count("<") < _PRECHECK_FROM_TAGS:
        return
    if (cost := nesting_cost(text)) > NESTING_COST_LIMIT:
        raise PageTooComplex(f"嵌套过深（估算解析代价 {cost:,}，上限 {NESTING_COST_LIMIT:,}）/ nesting too deep")


@dataclass
class Parsed:
    """A page parsed in a worker thread, with the redirect it asks for (meta refresh, script, frameset)."""

    page: Page
    meta_refresh: str | None = None
    script_redirect: str | None = None
    frame_target: str | None = None


def parse_body(url: str, body: bytes, content_type: str, status: int | None, redirects: bool) -> Parsed:
    """Decode, refuse a pathological page, parse, and do the CPU work every check would otherwise do on
    the event loop (the tree, visible text, links). Runs in a worker thread."""
    page = Page.from_bytes(url, body, content_type, status)
    check_complexity(page.text)
    _ = page.tree, page.visible_text, page.links
    if not redirects:
        return Parsed(page)
    return Parsed(page, page.meta_refresh(), page.script_redirect(), page.frame_target())
