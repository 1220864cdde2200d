"""Finding a column's link: score a page's anchors by names and URL slugs, best first.

Pure functions over a `Page`: no network here. The checks decide what to fetch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from gkaudit.net.page import Link, Page


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


_TOKEN_BREAKS = re.compile(r"[/_.\-]")


@lru_cache(maxsize=4096)
def url_tokens(url: str) -> tuple[str, ...]:
    """Lower-case path segments and query values of a URL (`/a/xxgkzn/?id=gkzd` -> a, xxgkzn, gkzd).

    Remembered for the URLs used last: every column a check looks for scores every link of a page."""
    parts = urlsplit(url)
    tokens = [t for t in _TOKEN_BREAKS.split(parts.path.lower()) if t]
    tokens += [v.lower() for pair in parts.query.split("&") for v in pair.split("=")[1:] if v]
    return tuple(tokens)


def score_link(link: Link, names: Sequence[str], slugs: Sequence[str]) -> tuple[int, list[str]]:
    """Score how well a link names a column: exact text beats contained text; a slug in the URL adds.

    A name of two characters or fewer (西安's nav item 公开) counts only as the whole link text.
    """
    text = link.label.replace(" ", "")
    score, reasons = 0, []
    for name in names:
        if text == name:
            score, reasons = score + 100, [*reasons, f"文字等于“{name}”"]
            break
        if len(name) > 2 and name in text and len(text) <= len(name) + 8:
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


_SUBMENU_MARKS = ("sub", "drop", "second", "child", "erji", "undis", "hide")


def in_submenu(page: Page, url: str) -> bool:
    """The first anchor to `url` sits in a nested list or a hidden / drop-down block."""
    for node, link in page.anchors():
        if link.url != url:
            continue
        lists, ancestor = 0, node.parent
        while ancestor is not None and ancestor.tag not in ("body", "html"):
            if ancestor.tag in ("ul", "ol"):
                lists += 1
            marks = f"{ancestor.attributes.get('class') or ''} {ancestor.attributes.get('style') or ''}".lower()
            if "display:none" in marks.replace(" ", "") or any(m in marks for m in _SUBMENU_MARKS):
                return True
            ancestor = ancestor.parent
        return lists >= 2
    return False


def image_anchor_links(page: Page) -> list[Link]:
    """Anchors without text whose image names them (`<a href><img alt="区长信箱"></a>`), as links labelled by the alt.

    Banner links (政府公报, 领导信箱) are often images; ranking only anchor texts would miss them.
    """
    found = []
    for node, link in page.anchors():
        if link.label:
            continue
        image = node.css_first("img[alt], img[title]")
        if image is not None:
            alt = (image.attributes.get("alt") or image.attributes.get("title") or "").strip()
            if alt:
                found.append(Link(link.url, alt))
    return found
