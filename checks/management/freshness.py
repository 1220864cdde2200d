"""Column updates (国办秘函〔2019〕19号 单项否决 “栏目不更新”): which homepage columns are stale or blank.

Only columns whose update duty the indicator states are judged, recognised by their link text:
动态/要闻 columns must show an item from the last 2 weeks, 通知公告/政策文件 columns from the last
6 months. Dates are read by gkaudit.columns.dates (month-day forms with the year from `--now`); a list
that shows none is dated from the `PubDate` meta of up to 3 of its articles; an item still without a
date counts as not updated, as the indicator says. A column page that cannot be read (blocked, a list
filled by script) is listed as unread, never as stale or blank.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from selectolax.lexbor import LexborNode

from gkaudit.columns.find import is_column_url
from gkaudit.columns.read import ColumnState, read_column
from gkaudit.net.http import Response
from gkaudit.net.page import Link, Page, clean_text, url_host
from gkaudit.net.render import Renderer


@dataclass(frozen=True)
class ColumnRule:
    """A kind of column and how recently it must have been updated."""

    kind: str
    label_zh: str
    words: tuple[str, ...]
    max_age_days: int


RULES = (
    ColumnRule("news", "动态、要闻类", ("动态", "要闻", "新闻", "快讯", "头条"), 14),
    ColumnRule("notices", "通知公告、政策文件类", ("通知公告", "公告", "通知", "政策文件", "规范性文件", "政策法规"), 183),
)
ARTICLE_DATES = 3  # a list that shows no dates: read the date meta of this many of its articles
MAX_LABEL_CHARS = 8  # column names are short; longer texts are article titles that mention 动态/通知


MORE = re.compile(r"^(更多|more|查看更多|\+|>>)+\s*(>>|>|»|\+)*$", re.I)


def rule_for(label: str) -> ColumnRule | None:
    """The update rule of a column named `label`, or None when the indicator sets none for it."""
    text = label.replace(" ", "")
    if not text or len(text) > MAX_LABEL_CHARS or MORE.match(text):
        return None
    return next((rule for rule in RULES if any(word in text for word in rule.words)), None)


def column_label(node: LexborNode, link: Link) -> str:
    """A link's column name: its text, or for a “更多>>” link the title of the block it closes."""
    if not MORE.match(link.label.replace(" ", "")):
        return link.label
    parent = node.parent
    if parent is None:
        return link.label
    text = clean_text(parent.text(separator=" ")).replace(clean_text(node.text()), " ")
    return clean_text(text)


@dataclass
class ColumnAge:
    """One judged column: its rule, what reading it gave, its newest date and whether it is overdue."""

    url: str
    label: str
    rule: ColumnRule
    state: ColumnState
    items: int = 0
    newest: date | None = None
    stale: bool = False
    rendered: bool = False

    @property
    def blank(self) -> bool:
        """No entries at all (a list of undated entries is not blank: it is not updated)."""
        return self.state is ColumnState.BLANK and not self.items

    def as_evidence(self) -> dict[str, Any]:
        return {"url": self.url, "label": self.label, "kind": self.rule.kind, "state": self.state.value,
                "items": self.items, "newest": self.newest.isoformat() if self.newest else None, "stale": self.stale,
                "max_age_days": self.rule.max_age_days, **({"rendered": True} if self.rendered else {})}


def homepage_columns(page: Page, limit: int) -> list[tuple[str, str, ColumnRule]]:
    """Same-host column links of the homepage that carry an update rule: (url, label, rule), one per URL."""
    host = url_host(page.url)
    found: dict[str, tuple[str, str, ColumnRule]] = {}
    for node, link in page.anchors():
        label = column_label(node, link)
        rule = rule_for(label)
        if rule is None or link.host != host or link.url in found or not is_column_url(link.url) \
                or link.url.rstrip("/") == page.url.rstrip("/"):
            continue
        found[link.url] = (link.url, label, rule)
    return list(found.values())[:limit]


async def column_ages(fetch: Callable[[str], Awaitable[Response]], page: Page, home: Response, now: date,
                      limit: int, render: Renderer | None = None) -> list[ColumnAge]:
    """Read each rule-bearing homepage column (concurrently, within the fetcher's limits) and date it.

    `render`: the scan's browser, for columns whose list a script builds (see columns.read).
    """

    async def judge(url: str, label: str, rule: ColumnRule) -> ColumnAge:
        read = await read_column(fetch, url, home, now=now, article_dates=ARTICLE_DATES, render=render)
        dates = [item.date for item in read.items if item.date and item.date <= now]
        age = ColumnAge(url, label, rule, read.state, len(read.items), max(dates) if dates else None,
                        rendered=read.rendered is not None)
        if read.state is ColumnState.OK or (read.state is ColumnState.BLANK and read.items):
            age.stale = age.newest is None or (now - age.newest).days > rule.max_age_days
        return age

    return list(await asyncio.gather(*(judge(*column) for column in homepage_columns(page, limit))))
