"""gkaudit.columns.dates: every date form real lists and articles write, the year inferred from --now."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from gkaudit.columns.dates import date_from_articles, find_dates, infer_year, meta_date, url_date
from gkaudit.columns.items import ListItem, list_items
from gkaudit.net.page import Page

NOW = date(2026, 12, 1)


@pytest.mark.parametrize(("text", "expected"), [
    ("[11-28]", date(2026, 11, 28)),
    ("11-28", date(2026, 11, 28)),
    ("11月28日", date(2026, 11, 28)),
    ("(11/28)", date(2026, 11, 28)),
    ("２０２６－１１－２８", date(2026, 11, 28)),
    ("二〇二六年十一月二十八日", date(2026, 11, 28)),
    ("二〇二五年三月九日", date(2025, 3, 9)),
    ("2026.11.28", date(2026, 11, 28)),
    ("2026/11/28", date(2026, 11, 28)),
    ("2026年11月28日", date(2026, 11, 28)),
    ("2026-1-5", date(2026, 1, 5)),
    ("[12-25]", date(2025, 12, 25)),  # after --now this year: it was last year's
])
def test_each_real_world_form(text: str, expected: date) -> None:
    assert find_dates(text, NOW) == [expected]


def test_month_day_forms_need_a_reference_day() -> None:
    assert find_dates("[11-28]") == []
    assert find_dates("2026-11-28") == [date(2026, 11, 28)]


@pytest.mark.parametrize("text", ["电话 025-83456789", "10:30-11:30", "2025-02-30", "13-45", "第 3.5 条", ""])
def test_not_dates(text: str) -> None:
    assert find_dates(text, NOW) == []


def test_never_a_future_date() -> None:
    assert infer_year(12, 2, NOW) == date(2025, 12, 2)
    assert infer_year(12, 1, NOW) == date(2026, 12, 1)
    assert infer_year(2, 29, date(2026, 3, 1)) is None  # no 29 February in 2026 or 2025


def test_url_and_meta_dates() -> None:
    assert url_date("https://a.gov.cn/xxgk/202608/t20260824_5898070.html") == date(2026, 8, 24)
    assert url_date("https://a.gov.cn/art/2026/8/4/art_12_34.html") == date(2026, 8, 4)
    assert url_date("https://a.gov.cn/a.html") is None
    for name in ("PubDate", "firstpublishtime", "publishdate"):
        page = Page("https://a.gov.cn/a.html", f'<meta name="{name}" content="2026-11-02 09:30:00">')
        assert meta_date(page) == date(2026, 11, 2), name


def test_list_items_read_month_day_dates_with_now() -> None:
    html = ("<ul><li><a href='/a/1.html'>关于开展安全生产检查的通知</a><span>[11-28]</span></li>"
            "<li><a href='/a/2.html'>全区经济运行情况通报</a><span>11月02日</span></li></ul>")
    page = Page("https://a.gov.cn/tzgg/", html)
    assert [i.date for i in list_items(page, now=NOW)] == [date(2026, 11, 28), date(2026, 11, 2)]
    assert [i.date for i in list_items(page)] == [None, None]


def test_articles_date_a_list_that_shows_none() -> None:
    class Answer:
        ok, is_html = True, True

        def __init__(self, url: str) -> None:
            self.url = url

        def page(self) -> Page:
            return Page(self.url, '<meta name="PubDate" content="2026-11-20">')

    fetched: list[str] = []

    async def fetch(url: str) -> Answer:
        fetched.append(url)
        return Answer(url)

    items = [ListItem(f"第{n}条通知标题", f"https://a.gov.cn/{n}.html") for n in range(5)]
    dated = asyncio.run(date_from_articles(fetch, items, limit=2))
    assert [i.date for i in dated] == [date(2026, 11, 20)] * 2 + [None] * 3
    assert len(fetched) == 2
