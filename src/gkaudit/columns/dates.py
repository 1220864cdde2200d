"""Every date form real government pages write, in one place: lists, URLs, article meta.

Forms read (RULES.md §4, §5): `2026-11-28`, `2026/11/28`, `2026.11.28`, `2026年11月28日`, full-width
`２０２６－１１－２８`, Chinese numerals `二〇二六年十一月二十八日`; with a reference day `now`, also the
month-day forms lists show (`[11-28]`, `11-28`, `11月28日`, `11/28`), whose year is inferred: this
year, or last year when that day would be after `now` (a list never shows a future date). Article
dates come from the `PubDate` / `firstpublishtime` / `publishdate` meta, else the TRS / Hanweb URL.
The checks import only this module for dates; nothing else parses them.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gkaudit.columns.items import ListItem
    from gkaudit.net.page import Page

_FULL_WIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９－／．［］（）："}
_FULL_WIDTH[ord("　")] = ord(" ")
_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
_CN_DATE = re.compile(r"([〇○零Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
                      r"\s*([一二三四五六七八九十]{1,3})\s*[日号]")
_FULL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)\s*[日号]?")
_MONTH_DAY = re.compile(r"(?<![\d\-/.:年])(\d{1,2})\s*(?:[-/]|月)\s*(\d{1,2})(?![\d\-/.:])\s*([日号])?")
_URL_DATES = (
    re.compile(r"/t(20\d{2})(\d{2})(\d{2})_\d+"),  # TRS: …/202608/t20260824_5898070.html
    re.compile(r"/art/(20\d{2})/(\d{1,2})/(\d{1,2})/art_"),  # Hanweb: …/art/2026/8/24/art_123_456.html
)
#: Article meta that carries the publication date, in order of trust.
DATE_META = ("PubDate", "firstpublishtime", "firstpublishedtime", "publishdate", "ArticlePubDate", "publishtime")


def _cn_number(text: str) -> int:
    """十一 -> 11, 二十八 -> 28, 三十 -> 30, 九 -> 9."""
    if "十" not in text:
        return _CN_DIGIT[text]
    tens, _, ones = text.partition("十")
    return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)


def normalise(text: str) -> str:
    """Full-width digits and separators to ASCII, Chinese-numeral dates to `2026年11月28日`."""
    text = text.translate(_FULL_WIDTH)

    def arabic(match: re.Match[str]) -> str:
        year = "".join(str(_CN_DIGIT[c]) for c in match.group(1))
        try:
            return f"{year}年{_cn_number(match.group(2))}月{_cn_number(match.group(3))}日"
        except KeyError:
            return match.group(0)

    return _CN_DATE.sub(arabic, text) if "年" in text else text


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def infer_year(month: int, day: int, now: date) -> date | None:
    """The latest date with this month and day not after `now` (this year, else last year)."""
    this_year = _make(now.year, month, day)
    if this_year is not None and this_year <= now:
        return this_year
    return _make(now.year - 1, month, day)


def find_dates(text: str, now: date | None = None) -> list[date]:
    """Every plausible date written in `text`, in order; month-day forms only when `now` is given."""
    text = normalise(text)
    found: list[tuple[int, date]] = []
    taken: list[tuple[int, int]] = []
    for match in _FULL_DATE.finditer(text):
        if (day := _make(*(int(g) for g in match.groups()))) is not None:
            found.append((match.start(), day))
        taken.append(match.span())
    if now is not None:
        for match in _MONTH_DAY.finditer(text):
            if any(start <= match.start() < end for start, end in taken):
                continue
            month, day_of_month = int(match.group(1)), int(match.group(2))
            if "月" not in match.group(0) and (match.group(3) or not 1 <= month <= 12):
                continue
            if (day := infer_year(month, day_of_month, now)) is not None:
                found.append((match.start(), day))
    return [day for _, day in sorted(found, key=lambda pair: pair[0])]


def first_date(text: str, now: date | None = None) -> date | None:
    dates = find_dates(text, now)
    return dates[0] if dates else None


def url_date(url: str) -> date | None:
    """The publication date a TRS or Hanweb article URL carries, or None."""
    for pattern in _URL_DATES:
        if match := pattern.search(url):
            return _make(*(int(g) for g in match.groups()))
    return None


def meta_date(page: Page) -> date | None:
    """An article's publication date from its meta (`PubDate`, `firstpublishtime`, `publishdate` …)."""
    for name in DATE_META:
        value = page.meta(name)
        if value and (day := first_date(value)) is not None:
            return day
    return None


def not_after(dates: Sequence[date | None], now: date) -> list[date]:
    """The dates that are real (not None) and not after `now` (a future date is a typo or a plan)."""
    return [d for d in dates if d is not None and d <= now]


Fetch = Callable[[str], Awaitable[Any]]


async def date_from_articles(fetch: Fetch, items: list[ListItem], limit: int = 3) -> list[ListItem]:
    """Items of a list that shows no dates, dated from their articles' meta: at most `limit` fetches.

    Only entries without a date are fetched (the first `limit`); the others are returned unchanged.
    """
    undated = [item for item in items if item.date is None][:limit]

    async def dated(item: ListItem) -> ListItem:
        response = await fetch(item.url)
        if not response.ok or not response.is_html:
            return item
        day = meta_date(response.page())
        return replace(item, date=day) if day is not None else item

    found = {item.url: item for item in await asyncio.gather(*(dated(item) for item in undated))}
    return [found.get(item.url, item) for item in items]
