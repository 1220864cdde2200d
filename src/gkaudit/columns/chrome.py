"""A page's own content apart from the site's chrome (header, navigation, footer) — what "blank" is judged on.

Chrome is (1) `<header>`, `<nav>`, `<footer>` elements and elements whose id or class names a header,
navigation, menu, footer, top bar, breadcrumb or copyright block — unless they hold an article
container; and (2) every text the homepage shows too (the site's repeated blocks), line by line.
What is left — `body_text` — is the page's own text; `content_items` its own list entries.
Placeholders such as 暂无信息 are not content. Pure functions over pages; no network here.
"""

from __future__ import annotations

import re
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

from gkaudit.columns.find import is_column_url
from gkaudit.columns.items import ListItem, list_items
from gkaudit.net.page import Page, clean_text

_CHROME_TAGS = ("header", "nav", "footer")
_CHROME_NAME = re.compile(
    r"^(?:[a-z0-9]+[-_])*(?:header|head|nav|navbar|navigation|subnav|footer|foot|top|topbar|menu|submenu|bottom|"
    r"copyright|crumbs?|breadcrumbs?|position|location|dqwz|weizhi|sitemap|skip)(?:[-_][a-z0-9]+)*\d*$", re.I)
_ARTICLE = "#zoom, .TRS_Editor, article, .article, .article-content, #content, .content, .zw, #zw, .news_content"
PLACEHOLDERS = re.compile(r"暂无(?:相关)?(?:信息|内容|数据|记录|文章)|没有(?:相关)?(?:信息|内容|数据|记录)|"
                          r"(?:栏目|页面|网站)?(?:正在)?建设中|敬请期待|无相关信息|无记录")
MIN_BODY_CHARS = 10  # a real sentence; shorter leftovers are labels (当前位置, 打印, 关闭)
_SKIPPED_TAGS = ["script", "style", "noscript", "template", "select", "option"]


def _is_chrome(node: LexborNode) -> bool:
    if node.tag in _CHROME_TAGS:
        return True
    attrs = node.attributes
    names = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".split()
    return any(_CHROME_NAME.match(name) for name in names)


def _strip_chrome(tree: LexborHTMLParser) -> None:
    """Remove chrome blocks from `tree` in place (outermost first; a block holding an article stays)."""
    root = tree.body or tree.root
    if root is None:
        return
    marked = [node for node in root.traverse(include_text=False)
              if _is_chrome(node) and node.css_first(_ARTICLE) is None]
    for node in marked:
        if not any(_is_chrome(up) and up.css_first(_ARTICLE) is None for up in _ancestors(node)):
            node.decompose()


def _ancestors(node: LexborNode) -> list[LexborNode]:
    found, parent = [], node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        found.append(parent)
        parent = parent.parent
    return found


def _lines(tree: LexborHTMLParser) -> list[str]:
    root = tree.body or tree.root
    if root is None:
        return []
    return [line for line in (clean_text(t) for t in root.text(separator="\n").split("\n")) if line]


def _tree(page: Page) -> LexborHTMLParser:
    tree = LexborHTMLParser(page.text)
    tree.strip_tags(_SKIPPED_TAGS)
    return tree


def home_lines(home: Page | None) -> frozenset[str]:
    """Every line of text the homepage shows (its repeated blocks are the site's chrome)."""
    return frozenset(_lines(_tree(home))) if home is not None else frozenset()


def body_text(page: Page, home: Page | None = None, shared: frozenset[str] | None = None) -> str:
    """The page's own text: no chrome blocks, no line the homepage also shows, no title, no placeholder."""
    tree = _tree(page)
    _strip_chrome(tree)
    shared = home_lines(home) if shared is None else shared
    title_parts = {part.strip() for part in re.split(r"[_\-|–—]", page.title) if part.strip()}
    kept = [line for line in _lines(tree) if line not in shared and line not in title_parts]
    return PLACEHOLDERS.sub(" ", clean_text(" ".join(kept))).strip()


def content_items(page: Page, now: date | None = None) -> list[ListItem]:
    """List entries outside the chrome that lead to documents (menus lead to columns, and are not entries)."""
    tree = _tree(page)
    _strip_chrome(tree)
    bare = Page(page.url, tree.html or "", page.charset, page.status)
    return [item for item in list_items(bare, now=now) if item.date is not None or not is_column_url(item.url)]


_CONTAINER_NAME = re.compile(r"list|content|con\b|main|box|data|news|article|info|items?|wrap|zw|txt", re.I)


def empty_containers(page: Page) -> list[str]:
    """Content containers with nothing in them (`<ul class="list"></ul>`, `<div id="content"></div>`):
    what a script fills. Returned as short descriptions for evidence."""
    found = []
    for node in _tree(page).css("ul, ol, tbody, table, div, section, dl"):
        attrs = node.attributes
        name = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".strip()
        lists = node.tag in ("ul", "ol", "tbody", "dl")
        if (lists or _CONTAINER_NAME.search(name)) and not clean_text(node.text()) and node.css_first("img") is None:
            found.append(f"<{node.tag}{' ' + name if name else ''}>")
    return found


def has_own_content(page: Page, home: Page | None = None, now: date | None = None,
                    min_chars: int = MIN_BODY_CHARS) -> bool:
    """Not blank: an entry of its own, or at least `min_chars` of text beyond the site's chrome."""
    return bool(content_items(page, now)) or len(re.sub(r"\s", "", body_text(page, home))) >= min_chars
