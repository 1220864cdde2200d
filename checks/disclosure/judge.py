"""Pure judgements of the disclosure check: which link is which sub-column, guide contents, report years."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from gkaudit.checks.disclosure import vocabulary as data
from gkaudit.columns.find import Candidate, page_anchor_links, rank_links
from gkaudit.columns.items import ListItem
from gkaudit.net.domains import registrable_domain
from gkaudit.net.page import Link, Page


def candidates_for(spec: data.ColumnSpec, links: Iterable[Link], min_score: int = 40,
                   host: str | None = None, within: str | None = None) -> list[Candidate]:
    """Links that may lead to the (sub-)column `spec`, best first; look-alikes left out.

    Left out: texts with a word of `spec.exclude`, "more" links and pagers (更多 …), and for the column
    itself the names of its sub-columns and of the statutory categories (机构职能 under …/xxgk/ is not
    the column). With `host`, a link to that host goes before an equal-scoring link elsewhere (a
    district homepage that also links the city's disclosure platform); with `within` (the column's
    URL), a link inside the column's own folder goes before one elsewhere (the site-wide menu).
    """
    kept = [link for link in links if not any(word in link.label for word in spec.exclude)
            and not data.NAVIGATION_TEXTS.match(link.label.replace(" ", ""))]
    if spec is data.COLUMN:
        sub_names = {name for sub in (*data.SUBCOLUMNS, data.REQUEST) for name in sub.names}
        kept = [link for link in kept if link.label.replace(" ", "") not in sub_names
                and not any(name in link.label for name in data.STATUTORY_CATEGORIES)]
    ranked = rank_links(kept, spec.names, spec.slugs, min_score=min_score)
    folder = within.rsplit("/", 1)[0] + "/" if within else None

    def preference(candidate: Candidate) -> int:
        bonus = 10 if host is not None and urlsplit(candidate.url).hostname == host else 0
        inside = folder is not None and candidate.url.startswith(folder) and candidate.url != within
        return -candidate.score - bonus - (15 if inside else 0)

    return sorted(ranked, key=preference) if host is not None or folder else ranked


def subcolumns_on(page: Page) -> list[str]:
    """Keys of the required sub-columns a page links well (score 60+): a column page proper shows two or more."""
    links = page_anchor_links(page)
    return [spec.key for spec in data.SUBCOLUMNS if candidates_for(spec, links, min_score=60)]


# --- guide contents ------------------------------------------------------------------------------
def guide_gaps(text: str) -> list[str]:
    """The Art. 12 items (labels) a guide's text does not show: address, phone, hours or online channel."""
    found = {
        "address": bool(data.GUIDE_ADDRESS.search(text)),
        "phone": bool(data.GUIDE_PHONE.search(text)),
        "hours_or_online": bool(data.GUIDE_HOURS.search(text) or data.GUIDE_ONLINE.search(text)),
    }
    return [label for key, label in data.GUIDE_ITEMS if not found[key]]


def guide_article(items: list[ListItem]) -> ListItem | None:
    """On a guide column that lists guides, the one to read: the newest item titled 指南, else the first."""
    guides = [item for item in items if "指南" in item.title]
    pool = guides or items
    if not pool:
        return None
    return max(pool, key=lambda item: (item.date or date.min, -pool.index(item)))


# --- annual reports ------------------------------------------------------------------------------
def report_year(title: str) -> int | None:
    """The year an annual-report title is about ("2025年…政府信息公开工作年度报告" -> 2025), else None."""
    title = title.replace(" ", "")
    if not data.REPORT_TITLE.search(title) or data.REPORT_EXCLUDE.search(title):
        return None
    if match := data.YEAR_IN_TITLE.search(title):
        return int(match.group(1))
    if match := data.CN_YEAR.search(title):
        return int("".join(data.CN_DIGITS[ch] for ch in match.group(1)))
    return None


@dataclass(frozen=True)
class ReportYears:
    """Annual reports found by year (the list item for each), and which year is due on the scan date."""

    by_year: dict[int, ListItem]
    due_year: int
    deadline: date

    @property
    def years(self) -> list[int]:
        return sorted(self.by_year, reverse=True)

    @property
    def latest(self) -> int | None:
        return max(self.by_year, default=None)

    @property
    def due_present(self) -> bool:
        return self.due_year in self.by_year


def due_report_year(now: date, is_government: bool) -> tuple[int, date]:
    """The latest report year that must be online on `now`, and that report's deadline.

    A department publishes year Y-1's report by 31 January of Y, a government by 31 March
    (条例第四十九条). Up to the deadline, the report for Y-2 is the latest one due.
    """
    month, day = data.GOVERNMENT_DEADLINE if is_government else data.DEPARTMENT_DEADLINE
    deadline = date(now.year, month, day)
    if now > deadline:
        return now.year - 1, deadline
    return now.year - 2, date(now.year - 1, month, day)


def report_years(items: Iterable[ListItem], now: date, is_government: bool) -> ReportYears:
    by_year: dict[int, ListItem] = {}
    for item in items:
        year = report_year(item.title)
        if year is not None and year <= now.year and year not in by_year:
            by_year[year] = item
    due, deadline = due_report_year(now, is_government)
    return ReportYears(by_year, due, deadline)


# --- where the column lives ---------------------------------------------------------------------
def foreign_column_host(url: str, *site_urls: str) -> str | None:
    """The host of `url` when it is neither on a registrable domain of `site_urls` nor a government
    (gov.cn) domain — a column the site does not serve, and no platform of its government — else None."""
    host = urlsplit(url).hostname or ""
    domain = registrable_domain(host)
    if domain in {registrable_domain(urlsplit(u).hostname or "") for u in site_urls}:
        return None
    return None if domain == "gov.cn" or domain.endswith(".gov.cn") else host
