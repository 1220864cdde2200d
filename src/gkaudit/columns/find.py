"""Page tools shared by the column checks (disclosure, plans): find a column's link, read its list, page on.

Pure functions over a `Page`: no network here. The checks decide what to fetch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from gkaudit.net.page import Link, Page, absolute_url, clean_text, find_dates


@dataclass(frozen=True)
class Candidate:
    """A link that may lead to a column, with its score and why it scored."""

    url: str
    text: str
    score: int
    reasons: tuple[str, ...] = ()

    def as_evidence(self) -> dict[str, object]:
        return {"url": self.url, "text": self.text, "score": self.score, "reasons": list(self.reasons)}


_COLUMN_PATH = re.compile(r"(?:/|/index(?:_\d+)?\.s?html?|/index\.(?:jsp|php|aspx?))$", re.I)


def is_column_url(url: str) -> bool:
    """A link to a column (…/ or …/index_1.html), not to a document: menus are not list entries."""
    return bool(_COLUMN_PATH.search(urlsplit(url).path))


def url_tokens(url: str) -> list[str]:
    """Lower-case path segments and query values of a URL (`/a/xxgkzn/?id=gkzd` -> [a, xxgkzn, gkzd])."""
    parts = urlsplit(url)
    tokens = [t for t in re.split(r"[/_.\-]", parts.path.lower()) if t]
    tokens += [v.lower() for pair in parts.query.split("&") for v in pair.split("=")[1:] if v]
    return tokens


def score_link(link: Link, names: Sequence[str], slugs: Sequence[str]) -> tuple[int, list[str]]:
    """Score how well a link names a column: exact text beats contained text; a slug in the URL adds."""
    text = link.label.replace(" ", "")
    score, reasons = 0, []
    for name in names:
        if text == name:
            score, reasons = score + 100, [*reasons, f"文字等于“{name}”"]
            break
        if name in text and len(text) <= len(name) + 8:
            score, reasons = score + 60, [*reasons, f"文字含“{name}”"]
            break
    tokens = url_tokens(link.url)
    for slug in slugs:
        slug = slug.lower()
        if slug in tokens:
            score, reasons = score + 40, [*reasons, f"网址含 {slug}"]
            break
        if any(token.startswith(slug) for token in tokens):
            score, reasons = score + 20, [*reasons, f"网址以 {slug} 开头"]
            break
    if score and len(text) > 24:  # an article title that merely mentions the column
        score, reasons = score - 50, [*reasons, "文字过长，像文章标题"]
    return score, reasons


def rank_links(links: Iterable[Link], names: Sequence[str], slugs: Sequence[str],
               min_score: int = 40) -> list[Candidate]:
    """Links scoring at least `min_score`, best first (ties: document order), one per URL."""
    best: dict[str, Candidate] = {}
    order: dict[str, int] = {}
    for index, link in enumerate(links):
        score, reasons = score_link(link, names, slugs)
        if score < min_score:
            continue
        order.setdefault(link.url, index)
        if link.url not in best or score > best[link.url].score:
            best[link.url] = Candidate(link.url, link.label, score, tuple(reasons))
    return sorted(best.values(), key=lambda c: (-c.score, order[c.url]))


def page_anchor_links(page: Page) -> list[Link]:
    """All anchors of a page in document order, duplicates kept (menus repeat a URL under other texts)."""
    return [link for _, link in page.anchors()]


@dataclass(frozen=True)
class ListItem:
    """One entry of a column's list: title, link and date (None when the entry shows no date)."""

    title: str
    url: str
    date: date | None = None


_ITEM_CONTAINERS = "li, tr, dd, p, div.item, div.list-item"


def list_items(page: Page, min_title_chars: int = 4) -> list[ListItem]:
    """Dated or undated entries of a list page: an element holding one content link (and maybe a date).

    Navigation links (short texts such as 首页, 更多, 下一页) are left out. An entry's date is the
    first date written in its element, outside the link text; failing that, the date in a TRS or
    Hanweb article URL.
    """
    items: dict[str, ListItem] = {}
    for node in page.tree.css(_ITEM_CONTAINERS):
        anchors = node.css("a[href]")
        if not anchors or len(anchors) > 2:
            continue
        anchor = max(anchors, key=lambda a: len(clean_text(a.text())))
        title = clean_text(anchor.attributes.get("title") or "") or clean_text(anchor.text())
        url = absolute_url(page.base_url, anchor.attributes.get("href") or "")
        if url is None or len(title) < min_title_chars or _is_navigation(title):
            continue
        rest = clean_text(node.text(separator=" ")).replace(clean_text(anchor.text()), " ")
        dates = find_dates(rest)
        item = ListItem(title, url, dates[0] if dates else url_date(url))
        if url not in items or (items[url].date is None and item.date is not None):
            items[url] = item
    return list(items.values())


_URL_DATES = (
    re.compile(r"/t(20\d{2})(\d{2})(\d{2})_\d+"),  # TRS: …/202608/t20260824_5898070.html
    re.compile(r"/art/(20\d{2})/(\d{1,2})/(\d{1,2})/art_"),  # Hanweb: …/art/2026/8/24/art_123_456.html
)


def url_date(url: str) -> date | None:
    """The publication date a TRS or Hanweb article URL carries, or None."""
    for pattern in _URL_DATES:
        if match := pattern.search(url):
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
    return None


_NAVIGATION = re.compile(r"^(首页|上一页|下一页|尾页|末页|更多|more|返回|打印|关闭|\d+|>>|<<|更多>>)$", re.I)


def _is_navigation(text: str) -> bool:
    return bool(_NAVIGATION.match(text.replace(" ", "")))


@dataclass
class Pagination:
    """Further list pages of a column, in order, as far as the page itself tells."""

    urls: list[str] = field(default_factory=list)
    total_pages: int | None = None


_TRS_PAGER = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")


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
