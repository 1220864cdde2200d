"""The entries of a column's list page (title, link, date) and its further pages.

Pure functions over a `Page`: no network here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from gkaudit.columns.dates import find_dates, url_date
from gkaudit.net.page import Page, clean_text


@dataclass(frozen=True)
class ListItem:
    """One entry of a column's list: title, link and date (None when the entry shows no date)."""

    title: str
    url: str
    date: date | None = None


_ITEM_CONTAINERS = "li, tr, dd, p, div.item, div.list-item"


def list_items(page: Page, min_title_chars: int = 4, now: date | None = None) -> list[ListItem]:
    """Dated or undated entries of a list page: an element holding one content link (and maybe a date).

    Navigation links (short texts such as 首页, 更多, 下一页) are left out. An entry's date is the
    first date written in its element, outside the link text (month-day forms such as `[11-28]` only
    with `now`, see gkaudit.columns.dates); failing that, the date in a TRS or Hanweb article URL.
    """
    items: dict[str, ListItem] = {}
    for node in page.tree.css(_ITEM_CONTAINERS):
        anchors = node.css("a[href]")
        if not anchors or len(anchors) > 2:
            continue
        anchor = max(anchors, key=lambda a: len(clean_text(a.text())))
        title = clean_text(anchor.attributes.get("title") or "") or clean_text(anchor.text())
        url = page.resolve(anchor.attributes.get("href") or "")
        if url is None or len(title) < min_title_chars or _is_navigation(title):
            continue
        rest = clean_text(node.text(separator=" ")).replace(clean_text(anchor.text()), " ")
        dates = find_dates(rest, now)
        item = ListItem(title, url, dates[0] if dates else url_date(url))
        if url not in items or (items[url].date is None and item.date is not None):
            items[url] = item
    return list(items.values())


_NAVIGATION = re.compile(r"^(首页|上一页|下一页|尾页|末页|更多|more|返回|打印|关闭|\d+|>>|<<|更多>>)$", re.I)


def _is_navigation(text: str) -> bool:
    return bool(_NAVIGATION.match(text.replace(" ", "")))


@dataclass
class Pagination:
    """Further list pages of a column, in order, as far as the page itself tells."""

    urls: list[str] = field(default_factory=list)
    total_pages: int | None = None


_TRS_PAGER = re.compile(r"createPageHTML\(\s*(\d{1,6})\s*,\s*(\d{1,6})\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")


def pagination(page: Page, limit: int = 20) -> Pagination:
    """Next pages of a list: TRS `createPageHTML(n, cur, "index", "html")` scripts, then 下一页/numbered links."""
    for script in page.inline_scripts:
        if match := _TRS_PAGER.search(script):
            total, _current, stem, ext = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
            base = page.url.rsplit("/", 1)[0] + "/"
            urls = [f"{base}{stem}_{n}.{ext}" for n in range(1, min(total, limit + 1))]
            return Pagination(urls, total)
    urls: list[str] = []
    for link in page.links:
        label = link.label.replace(" ", "")
        if (label in ("下一页", "下页", "后页") or label.isdigit()) and link.url != page.url:
            if link.url not in urls:
                urls.append(link.url)
    return Pagination(urls[:limit])
