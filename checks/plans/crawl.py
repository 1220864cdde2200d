"""Gathering for the plans check: find the plan column(s), read them with pagination, fall back to site search.

Contract: `PlanCrawler(ctx, settings)`: `await find_columns(home)`, `chosen_columns()`, `await read_column(c)`,
`await search(keywords)`, `await complete_from_articles()`; results in `.items` (by URL), `.columns`,
`.searches`. Every fetch goes through `ctx.fetch` and counts against `settings.max_fetches`.
A `PlanItem.date_from` of "list" means the list entry (its text, or a TRS/Hanweb date in its URL).
Judging lives in plans.py; this module only collects `PlanItem`s and what went wrong where.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from gkaudit.checks.disclosure import vocabulary as disclosure_data
from gkaudit.checks.disclosure.judge import candidates_for
from gkaudit.checks.plans.titles import PlanTitle, classify_title, normalise
from gkaudit.columns.dates import meta_date
from gkaudit.columns.find import Candidate, is_column_url, page_anchor_links, rank_links
from gkaudit.columns.items import ListItem, list_items, pagination
from gkaudit.columns.listing import ListLoader, endpoint_items, find_list_loader, inline_records
from gkaudit.columns.scripts import pages_beyond_static
from gkaudit.columns.search import SearchForm, find_search_form
from gkaudit.context import SiteContext
from gkaudit.net.domains import registrable_domain
from gkaudit.net.http import Response
from gkaudit.net.page import Link, Page, url_host
from gkaudit.net.render import Rendered

PLAN_NAMES = ("规划信息", "发展规划", "规划计划", "国民经济和社会发展规划", "规划纲要", "十五五规划", "十四五规划",
              "专项规划", "国土空间规划", "区域规划")
PLAN_SLUGS = ("ghxx", "fzgh", "ghjh", "gmjjhshfzgh", "ghgy", "zxgh", "sswgh", "swwgh", "ssw", "sww", "guihua")
SUBCOLUMN_NAMES = ("发展规划", "总体规划", "规划纲要", "专项规划", "国土空间规划", "区域规划", "历史规划",
                   "十四五规划", "十五五规划", "五年规划", "其他规划")
# The disclosure column and its statutory-content sub-column are recognised as the disclosure check does
# (gkaudit.checks.disclosure.judge.candidates_for, with its look-alikes left out).
TOPIC_NAMES = ("专题专栏", "专题", "专栏")
TOPIC_SLUGS = ("ztzl", "zt", "zhuanti")
TOPIC_WORDS = ("十四五", "十五五", "第十四个五年", "第十五个五年")
TOPIC_ENDINGS = ("规划", "专题", "专栏", "纲要", "规划专题", "专题专栏")
#: A candidate must be named in its link text (a slug alone scores 40); bare 规划 is not a name (规划资源局).
MIN_COLUMN_SCORE = 60


@dataclass
class PlanItem:
    """One classified list entry: where it was listed, what its title says, its date and where that came from."""

    title: str
    url: str
    date: date | None
    source: str  # "column" | "search"
    listed_on: str
    info: PlanTitle
    date_from: str | None = None  # "list" | "pubdate"

    def as_evidence(self) -> dict[str, Any]:
        return {"title": self.title, "url": self.url, "date": self.date.isoformat() if self.date else None,
                "date_from": self.date_from, "type": self.info.plan_type,
                "generations": sorted(self.info.generations), "source": self.source, "listed_on": self.listed_on,
                **({"reason": self.info.reason} if not self.info.is_plan else {})}


@dataclass
class ColumnRead:
    """What reading one column gave: pages read, entries, and why it could not be read (if so)."""

    url: str
    text: str
    pages: list[str] = field(default_factory=list)
    entries: int = 0
    failure: str | None = None
    failure_evidence: dict[str, Any] = field(default_factory=dict)
    script_only: bool = False  # the list is filled by a script whose endpoint is unknown or unreadable
    loader: dict[str, Any] | None = None
    missing: bool = False  # the link leads nowhere (404/410): an observation, not a reason to give up
    unread: list[str] = field(default_factory=list)  # further pages left when a page budget ran out
    rendered: bool = False  # the list was read from the page as Chromium rendered it
    render_failure: str | None = None

    @property
    def readable(self) -> bool:
        return self.failure is None and not self.script_only

    @property
    def undecidable(self) -> bool:
        """Could not be read for reasons that say nothing about the site's content (blocked, 5xx, script)."""
        return not self.readable and not self.missing

    def as_evidence(self) -> dict[str, Any]:
        return {"url": self.url, "text": self.text, "pages": self.pages, "entries": self.entries,
                "failure": self.failure, "script_only": self.script_only, "missing": self.missing,
                "unread": self.unread, "loader": self.loader,
                **({"rendered": True} if self.rendered else {}),
                **({"render_failure": self.render_failure} if self.render_failure else {})}


@dataclass
class SearchRun:
    keyword: str
    url: str
    results: int = 0
    failure: str | None = None

    def as_evidence(self) -> dict[str, Any]:
        return {"keyword": self.keyword, "url": self.url, "results": self.results, "failure": self.failure}


def _same_site(url: str, hosts: str | set[str]) -> bool:
    """`url` is on the site: its host, or (a set) one of the hosts whose columns the crawl follows."""
    return url_host(url) in ({hosts} if isinstance(hosts, str) else hosts)


def _topic_candidates(links: list[Link]) -> list[Candidate]:
    """十四五/十五五 topic pages: short link texts naming a generation and ending in 规划/专题/专栏 (not news)."""
    found = []
    for link in links:
        text = normalise(link.label)
        if len(text) <= 20 and any(w in text for w in TOPIC_WORDS) and text.endswith(TOPIC_ENDINGS):
            found.append(Candidate(link.url, link.label, 80, ("专题页：文字含五年规划届次",)))
    return found


class PlanCrawler:
    """Collects plan items for one site within a fetch budget."""

    def __init__(self, ctx: SiteContext, settings: Any) -> None:
        self.ctx = ctx
        self.settings = settings
        self.host = ctx.host
        self.hosts = {ctx.host}  # plus the parent portal's host when the disclosure column lives there
        self.unreadable: list[tuple[str, Response | None]] = []  # disclosure pages that could not be read
        self.fetched: list[str] = []
        self.candidates: list[Candidate] = []
        self.items: dict[str, PlanItem] = {}
        self.columns: list[ColumnRead] = []
        self.searches: list[SearchRun] = []
        self.search_form: SearchForm | None = None
        self.budget_exhausted = False

    # --- fetching ------------------------------------------------------------------------------
    async def fetch(self, url: str) -> Response | None:
        """Fetch within the budget; None when the budget is spent."""
        if url not in self.fetched and len(self.fetched) >= self.settings.max_fetches:
            self.budget_exhausted = True
            return None
        if url not in self.fetched:
            self.fetched.append(url)
        return await self.ctx.fetch(url)

    async def page_of(self, url: str) -> Page | None:
        response = await self.fetch(url)
        if response is None or not response.ok or not response.is_html:
            return None
        return response.page()

    # --- finding the columns -------------------------------------------------------------------
    async def find_columns(self, home: Page) -> list[Candidate]:
        """Ranked plan-column candidates from the homepage, the disclosure column and the topic page."""
        pages = [home]
        links = page_anchor_links(home)
        disclosure_url = self.ctx.target.disclosure_url or await self._disclosure_link(home)
        if disclosure_url and (disclosure := await self._followed(disclosure_url)) is not None:
            pages.append(disclosure)
            ranked = [c.url for c in candidates_for(disclosure_data.STATUTORY, page_anchor_links(disclosure))
                      if _same_site(c.url, self.hosts)]
            statutory_url = ranked[0] if ranked else None
            if statutory_url and (statutory := await self._followed(statutory_url)) is not None:
                pages.append(statutory)
        topic_url = self._best(links, TOPIC_NAMES, TOPIC_SLUGS, MIN_COLUMN_SCORE)
        if topic_url and (topic := await self.page_of(topic_url)) is not None:
            pages.append(topic)
        skip = {p.url for p in pages} | {home.url}
        best: dict[str, Candidate] = {}
        for page in pages:
            page_links = [link for link in page_anchor_links(page) if _same_site(link.url, self.hosts)]
            for candidate in rank_links(page_links, PLAN_NAMES, PLAN_SLUGS) + _topic_candidates(page_links):
                if candidate.url in skip:
                    continue
                if candidate.url not in best or candidate.score > best[candidate.url].score:
                    best[candidate.url] = candidate
        self.candidates = sorted(best.values(), key=lambda c: -c.score)
        for page in pages:
            if self.search_form is None:
                self.search_form = find_search_form(page)
        return self.candidates

    def chosen_columns(self) -> list[Candidate]:
        """The candidates worth reading: named in their link text, at most `max_columns`."""
        strong = [c for c in self.candidates if c.score >= MIN_COLUMN_SCORE]
        return (strong or self.candidates[:1])[: self.settings.max_columns]

    def _best(self, links: list[Link], names: tuple[str, ...], slugs: tuple[str, ...],
              min_score: int = 40) -> str | None:
        ranked = rank_links([link for link in links if _same_site(link.url, self.hosts)], names, slugs, min_score)
        return ranked[0].url if ranked else None

    async def _disclosure_link(self, home: Page) -> str | None:
        """The disclosure column's link as the disclosure check finds it: on the homepage or in what its scripts
        write; on this host, or on the parent government's portal (same registrable domain: a department's
        column on a consolidated platform `www.<city>.gov.cn/gi_class/<dept>`)."""
        domain = registrable_domain(self.host)

        def best(page: Page) -> str | None:
            ranked = [c for c in candidates_for(disclosure_data.COLUMN, page_anchor_links(page),
                                                min_score=MIN_COLUMN_SCORE, host=self.host)
                      if registrable_domain(url_host(c.url)) == domain]
            return ranked[0].url if ranked else None

        if found := best(home):
            return found
        for page in (await pages_beyond_static(self.ctx.fetch, home))[0]:  # scripts: the per-scan cache has them
            if found := best(page):
                return found
        return None

    async def _followed(self, url: str) -> Page | None:
        """A disclosure page, read; its host joins the crawl's hosts. Unreadable: noted (a reason to be unsure)."""
        response = await self.fetch(url)
        if response is None or not response.ok or not response.is_html:
            self.unreadable.append((url, response))
            return None
        self.hosts.add(url_host(response.final_url))
        return response.page()

    # --- reading a column ----------------------------------------------------------------------
    async def read_column(self, candidate: Candidate) -> ColumnRead:
        """Read a column, its pagination and its plan sub-columns, up to `max_pages_per_column` pages."""
        read = ColumnRead(candidate.url, candidate.text)
        self.columns.append(read)
        base = candidate.url.rsplit("/", 1)[0] + "/"
        queue, seen = [candidate.url], {candidate.url}
        while queue and len(read.pages) < self.settings.max_pages_per_column:
            url = queue.pop(0)
            response = await self.fetch(url)
            if response is None:
                queue.insert(0, url)
                break
            if not response.ok:
                if not read.pages:  # the column itself is unreadable; a broken later page only ends paging
                    read.failure, read.failure_evidence = response.problem, response.evidence()
                    read.missing = response.failure is None and response.status in (404, 410)
                break
            page = response.page()
            read.pages.append(url)
            now = self.ctx.now
            entries = self._entries(list_items(page, now=now)) or self._entries(inline_records(page, now))
            if not entries and (loader := find_list_loader(page)) is not None:
                entries = await self._read_loader(read, loader, first=len(read.pages) == 1)
                if read.script_only:
                    entries = await self._read_rendered(read, url)
            read.entries += len(entries)
            for entry in entries:
                self._add(PlanItem(entry.title, entry.url, entry.date, "column", url, classify_title(entry.title),
                                   "list" if entry.date else None))
            more = pagination(page).urls + self._subcolumns(page, base)
            for next_url in more:
                if next_url not in seen and _same_site(next_url, self.hosts):
                    seen.add(next_url)
                    queue.append(next_url)
        read.unread = queue
        return read

    def _subcolumns(self, page: Page, base: str) -> list[str]:
        links = [link for link in page_anchor_links(page) if link.url.startswith(base) and link.url != page.url]
        return [c.url for c in rank_links(links, SUBCOLUMN_NAMES, (), min_score=60)]

    def _entries(self, items: list[ListItem]) -> list[ListItem]:
        """Same-site documents (and PDF attachments); links to columns are menus, not entries."""
        return [e for e in items
                if (_same_site(e.url, self.hosts) or e.url.endswith(".pdf")) and not is_column_url(e.url)]

    async def _read_loader(self, read: ColumnRead, loader: ListLoader, first: bool) -> list[ListItem]:
        """Entries of a script-filled list, read through its endpoint (gkaudit.columns.listing); none if unknown."""
        read.loader = loader.as_evidence()
        response = await self.fetch(loader.endpoint) if loader.endpoint else None
        if response is None or not response.ok:
            if first:
                read.script_only = True
                if response is not None:
                    read.failure_evidence = response.evidence()
            return []
        return self._entries(endpoint_items(loader, response, self.ctx.now))

    async def _read_rendered(self, read: ColumnRead, url: str) -> list[ListItem]:
        """Entries of a script-only list as Chromium renders it (within the fetch budget); none if it cannot be."""
        if self.ctx.renderer is None or self.ctx.renderer.mode == "never" or await self.fetch(url) is None:
            return []
        rendered = await self.ctx.render(url)
        if not isinstance(rendered, Rendered):
            read.render_failure = rendered.reason
            return []
        entries = self._entries(list_items(rendered.page(), now=self.ctx.now))
        if entries:
            read.script_only, read.rendered = False, True
        return entries

    def _add(self, item: PlanItem) -> None:
        known = self.items.get(item.url)
        if known is None or (not known.info.is_plan and item.info.is_plan):
            self.items[item.url] = item
        elif known.date is None and item.date is not None:
            self.items[item.url] = replace(known, date=item.date, date_from=item.date_from)

    # --- site search ---------------------------------------------------------------------------
    async def search(self, keywords: list[str]) -> list[SearchRun]:
        """Query the recognised site search once per keyword (at most `max_search_queries`)."""
        if self.search_form is None:
            return []
        runs = []
        for keyword in keywords[: self.settings.max_search_queries]:
            url = self.search_form.url_for(keyword)
            run = SearchRun(keyword, url)
            runs.append(run)
            response = await self.fetch(url)
            if response is None:
                run.failure = "超出抓取预算"
                break
            if not response.ok:
                run.failure = response.problem
                continue
            for entry in list_items(response.page(), now=self.ctx.now):
                if _same_site(entry.url, self.hosts):
                    run.results += 1
                    self._add(PlanItem(entry.title, entry.url, entry.date, "search", url,
                                       classify_title(entry.title), "list" if entry.date else None))
        self.searches += runs
        return runs

    # --- article pages -------------------------------------------------------------------------
    async def complete_from_articles(self) -> int:
        """For plan entries without a list date (or with a truncated title): read PubDate / ArticleTitle meta."""
        done = 0
        for url, item in list(self.items.items()):
            truncated = item.title.endswith(("…", "..."))
            if done >= self.settings.max_article_fetches:
                break
            if not (item.info.is_plan and item.date is None) and not truncated:
                continue
            if url.lower().endswith((".pdf", ".doc", ".docx", ".wps", ".zip")) or not _same_site(url, self.hosts):
                continue
            done += 1
            page = await self.page_of(url)
            if page is None:
                continue
            updated = item
            if truncated and (full := page.meta("ArticleTitle")):
                updated = replace(updated, title=full, info=classify_title(full))
            if updated.date is None and (day := meta_date(page)) is not None:
                updated = replace(updated, date=day, date_from="pubdate")
            self.items[url] = updated
        return done
