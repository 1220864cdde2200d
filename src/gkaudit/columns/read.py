"""Read one column page the way an evaluator does: reachable, not a soft 404, not blank, script lists read.

Shared by the column checks (disclosure, plans). The network comes in as a `fetch` callable
(pass `ctx.fetch`), so checks keep their single door to the network; the browser as `render`
(pass `ctx.renderer`): a page filled by script that static reading cannot judge (an unknown loader,
a list endpoint that failed, an empty page with same-site scripts; with `--render always`, every
page) is opened in Chromium and its rendered DOM judged the same way.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from gkaudit.columns.chrome import MIN_BODY_CHARS, body_text, content_items, empty_containers
from gkaudit.columns.dates import date_from_articles
from gkaudit.columns.find import is_column_url
from gkaudit.columns.items import ListItem, list_items, pagination
from gkaudit.columns.listing import (
    ListLoader,
    article_text,
    child_columns,
    dated_items,
    endpoint_items,
    error_page_reason,
    find_list_loader,
    inline_records,
    is_home_url,
    same_as_home,
)
from gkaudit.columns.scripts import script_html
from gkaudit.net.domains import registrable_domain
from gkaudit.net.http import Response
from gkaudit.net.page import Page, url_host
from gkaudit.net.render import RENDERED_DETAIL, Rendered, Renderer

Fetch = Callable[[str], Awaitable[Response]]


class ColumnState(StrEnum):
    """What reading a column page established. Only `ok`, `blank`, `dead` and `soft_404` are verdicts."""

    OK = "ok"
    BLANK = "blank"
    DEAD = "dead"
    SOFT_404 = "soft_404"
    BLOCKED = "blocked"
    SCRIPT_UNKNOWN = "script_unknown"
    ENDPOINT_FAILED = "endpoint_failed"

    @property
    def decided(self) -> bool:
        """The page's state is known (as opposed to: we could not read it)."""
        return self in (ColumnState.OK, ColumnState.BLANK, ColumnState.DEAD, ColumnState.SOFT_404)

    @property
    def label_zh(self) -> str:
        return _LABELS[self]


_LABELS = {
    ColumnState.OK: "正常", ColumnState.BLANK: "空白栏目", ColumnState.DEAD: "无法打开",
    ColumnState.SOFT_404: "软404（错误页或跳回首页）", ColumnState.BLOCKED: "被反爬虫网关拦截",
    ColumnState.SCRIPT_UNKNOWN: "列表由脚本加载，接口未知", ColumnState.ENDPOINT_FAILED: "列表接口无法读取",
}


@dataclass
class ColumnRead:
    """The outcome of reading one column page (and its list endpoint, where a script fills the list)."""

    url: str
    state: ColumnState
    response: Response
    reason: str = ""
    items: list[ListItem] = field(default_factory=list)
    article_chars: int = 0
    children: list[str] = field(default_factory=list)
    loader: ListLoader | None = None
    endpoint: Response | None = None
    pages_read: int = 1
    rendered: Rendered | None = None
    render_failure: str | None = None

    @property
    def page(self) -> Page | None:
        """The page as judged: the rendered DOM where the browser read it, else the static page."""
        if self.rendered is not None:
            return self.rendered.page()
        return self.response.page() if self.response.ok else None

    @property
    def dated(self) -> list[ListItem]:
        return dated_items(self.items)

    def evidence(self) -> dict[str, Any]:
        """Evidence fields for `finding(**...)`: the fetch, and what was read in `data`."""
        evidence = self.response.evidence()
        evidence["data"] = self.data()
        if self.rendered is not None:
            evidence["detail"] = RENDERED_DETAIL
        return evidence

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"state": self.state.value, "items": len(self.items),
                                "dated_items": len(self.dated), "article_chars": self.article_chars}
        if self.children:
            data["child_columns"] = len(self.children)
        if self.loader is not None:
            data["loader"] = self.loader.as_evidence()
        if self.endpoint is not None:
            data["endpoint_status"] = self.endpoint.status
            data["endpoint_failure"] = self.endpoint.failure.value if self.endpoint.failure else None
        if self.pages_read > 1:
            data["pages_read"] = self.pages_read
        if self.rendered is not None:
            data.update(self.rendered.evidence_data())
        elif self.render_failure:
            data["render_failure"] = self.render_failure
        latest = max((i.date for i in self.items if i.date), default=None)
        if latest:
            data["latest_item"] = latest.isoformat()
        return data


def soft_404_reason(response: Response, home: Response | None, similarity: float = 0.9) -> str | None:
    """Why an answered page is a soft 404: redirected to the homepage, an error page, or the homepage itself."""
    home_urls = {home.url, home.final_url} if home is not None else set()
    if response.redirects and home_urls and is_home_url(response.final_url, home_urls) \
            and not is_home_url(response.url, home_urls):
        return f"跳转到首页 {response.final_url}"
    page = response.page()
    if reason := error_page_reason(page):
        return f"错误页面（HTTP {response.status}）：{reason}"
    if home is not None and home.ok and response.final_url != home.final_url \
            and same_as_home(page, home.page(), similarity):
        return f"标题与首页相同（“{page.title}”），内容即首页"
    return None


async def read_column(fetch: Fetch, url: str, home: Response | None = None, *, min_article_chars: int = 150,
                      allow_directory: bool = False, max_pages: int = 1, similarity: float = 0.9,
                      directory_names: Sequence[str] = (), now: date | None = None,
                      article_dates: int = 0, render: Renderer | None = None) -> ColumnRead:
    """Fetch `url` and judge it: dead, soft 404, blocked, a list (read through its endpoint if scripted), blank.

    `allow_directory`: a page of links to its own child columns counts as content (法定主动公开内容);
    `directory_names` are the category names that mark such links where URLs do not (see `child_columns`).
    `max_pages`: list pages to read in all (pagination followed for the rest). `now`: the scan date, so
    month-day list dates (`[11-28]`) are read. `article_dates`: for a list that shows no dates, read the
    date meta of up to that many linked articles. Blank (`ColumnState.BLANK`) only when sure: reachable,
    not filled by script, no entry and no text of its own beyond the site's chrome (gkaudit.columns.chrome).
    `render`: the scan's browser; pages static reading cannot judge are rendered (see the module doc).
    """
    read = await _read_static(fetch, url, home, min_article_chars=min_article_chars,
                              allow_directory=allow_directory, max_pages=max_pages, similarity=similarity,
                              directory_names=directory_names, now=now, article_dates=article_dates)
    if render is not None and _wants_browser(read, render):
        home_page = home.page() if home is not None and home.ok else None
        await _read_rendered(read, render, home_page, min_article_chars, allow_directory, directory_names, now)
    return read


async def _read_static(fetch: Fetch, url: str, home: Response | None, *, min_article_chars: int,
                       allow_directory: bool, max_pages: int, similarity: float, directory_names: Sequence[str],
                       now: date | None, article_dates: int) -> ColumnRead:
    response = await fetch(url)
    if response.failure is not None and response.failure.undecidable:  # answered, but cannot be read
        return ColumnRead(url, ColumnState.BLOCKED, response, f"{response.failure.label_zh}：{response.detail}")
    if response.failure is not None:
        return ColumnRead(url, ColumnState.DEAD, response, response.describe_failure())
    if response.status is None or response.status >= 400:
        return ColumnRead(url, ColumnState.DEAD, response, f"HTTP {response.status}")
    if reason := soft_404_reason(response, home, similarity):
        return ColumnRead(url, ColumnState.SOFT_404, response, reason)
    page = response.page()
    items = list_items(page, now=now)
    if not dated_items(items):
        items += inline_records(page, now)
    if article_dates and items and not dated_items(items):
        documents = [item for item in items if not is_column_url(item.url)]
        dated = {i.url: i for i in await date_from_articles(fetch, documents, article_dates)}
        items = [dated.get(item.url, item) for item in items]
    read = ColumnRead(url, ColumnState.OK, response, items=items, article_chars=len(article_text(page)))
    if allow_directory:
        read.children = child_columns(page, directory_names)
    directory = allow_directory and len(read.children) >= 2
    if read.dated or read.article_chars >= min_article_chars:
        if read.dated and max_pages > 1:
            await _more_pages(fetch, read, page, max_pages, now)
        read.reason = _content_reason(read, min_article_chars)
        return read
    loader = read.loader = find_list_loader(page)
    if loader is not None and loader.known:
        await _read_endpoint(fetch, read, loader, min_article_chars, now)
        if read.state is ColumnState.OK or not directory:
            return read
    if directory:
        read.state, read.reason = ColumnState.OK, _content_reason(read, min_article_chars)
        return read
    if loader is None:
        home_page = home.page() if home is not None and home.ok else None
        await _judge_without_loader(fetch, read, page, home_page, now)
        return read
    read.state = ColumnState.SCRIPT_UNKNOWN
    read.reason = f"列表由脚本加载（{loader.kind}），无法识别接口：{loader.clue[:120]}"
    return read


async def _judge_without_loader(fetch: Fetch, read: ColumnRead, page: Page, home: Page | None,
                                now: date | None) -> None:
    """No list and no long text: short own content is content; empty containers a script fills are not blank."""
    if _own_content(read, page, home, now, ""):
        return
    scripts = await script_html(fetch, page)
    if scripts.written and _own_content(read, scripts.page_with(page), home, now, "（由同站脚本写出）"):
        return
    empty = empty_containers(page)
    fillers = [u for u, text in scripts.texts.items() if _FILLS.search(text)] + scripts.skipped  # unread: unsure
    if empty and fillers:
        read.loader = ListLoader("external_script", None, f"空容器 {', '.join(empty[:3])}；脚本 {', '.join(fillers[:3])}")
        read.state = ColumnState.SCRIPT_UNKNOWN
        read.reason = f"栏目容器为空，由同站外部脚本填充（{', '.join(fillers[:2])}），静态读取无法判定"
        return
    read.state, read.reason = ColumnState.BLANK, "页面除网站公共头部、导航、页脚外无任何条目和正文"


def _own_content(read: ColumnRead, page: Page, home: Page | None, now: date | None, how: str) -> bool:
    own = content_items(page, now)
    text = body_text(page, home)
    if own:
        read.reason = f"列表有 {len(own)} 条（未标日期）{how}"
    elif len(text.replace(" ", "")) >= MIN_BODY_CHARS:
        read.reason = f"正文 {len(text)} 字（简短但有实际内容）{how}：{text[:60]}"
    else:
        return False
    read.article_chars = max(read.article_chars, len(text))
    return True


_FILLS = re.compile(r"document\s*\.\s*write|innerHTML|\.html\s*\(|\.append\s*\(|\$\.(?:ajax|get|post|getJSON)"
                    r"|XMLHttpRequest|\bfetch\s*\(|\.load\s*\(", re.I)


async def _read_endpoint(fetch: Fetch, read: ColumnRead, loader: ListLoader, min_article_chars: int,
                         now: date | None) -> ColumnRead:
    assert loader.endpoint is not None
    endpoint = await fetch(loader.endpoint)
    read.endpoint = endpoint
    if not endpoint.ok:
        why = endpoint.problem
        read.state, read.reason = ColumnState.ENDPOINT_FAILED, f"列表接口 {loader.endpoint} 无法读取：{why}"
        return read
    read.items = endpoint_items(loader, endpoint, now)
    article = 0 if loader.kind == "hanweb_jpage" else len(article_text(endpoint.page()))
    read.article_chars = max(read.article_chars, article)
    if read.dated or article >= min_article_chars:
        read.state = ColumnState.OK
        read.reason = f"经列表接口（{loader.kind}）读取：" + _content_reason(read, min_article_chars)
    elif [item for item in read.items if not is_column_url(item.url)]:
        read.state = ColumnState.OK
        read.reason = f"经列表接口（{loader.kind}）读取：列表有 {len(read.items)} 条（未标日期）"
    else:
        read.state, read.reason = ColumnState.BLANK, f"列表接口（{loader.kind}）返回的列表没有带日期的条目"
    return read


async def _more_pages(fetch: Fetch, read: ColumnRead, page: Page, max_pages: int, now: date | None) -> None:
    for url in pagination(page, limit=max_pages - 1).urls[: max_pages - 1]:
        response = await fetch(url)
        if not response.ok:
            break
        read.pages_read += 1
        known = {item.url for item in read.items}
        read.items += [item for item in list_items(response.page(), now=now) if item.url not in known]


def _content_reason(read: ColumnRead, min_article_chars: int) -> str:
    if read.dated:
        latest = max(i.date for i in read.dated if i.date)
        return f"列表有 {len(read.dated)} 条带日期的条目，最新 {latest.isoformat()}"
    if read.article_chars >= min_article_chars:
        return f"正文 {read.article_chars} 字"
    return f"栏目导航页，含 {len(read.children)} 个下级栏目"


# --- the rendered page -----------------------------------------------------------------------------
_UNDECIDED = (ColumnState.SCRIPT_UNKNOWN, ColumnState.ENDPOINT_FAILED)


def _wants_browser(read: ColumnRead, render: Renderer) -> bool:
    """Static reading could not judge the page (or `--render always`), and it is a page that answered."""
    if read.state in (ColumnState.DEAD, ColumnState.SOFT_404, ColumnState.BLOCKED) or render.mode == "never":
        return False
    if render.always or read.state in _UNDECIDED:
        return True
    if read.state is ColumnState.BLANK:  # empty containers and a same-site script may be a list built later
        page = read.response.page()
        return any(_same_site(script, page.url) for script in page.scripts)
    return False


async def _read_rendered(read: ColumnRead, render: Renderer, home: Page | None, min_article_chars: int,
                         allow_directory: bool, directory_names: Sequence[str], now: date | None) -> None:
    """Judge the page's rendered DOM; a page that cannot be rendered keeps the static verdict (and says why)."""
    rendered = await render.render(read.url)
    if not isinstance(rendered, Rendered):
        read.render_failure = rendered.reason
        if read.state in _UNDECIDED and rendered.kind != "disabled":
            read.reason += f"；未能用浏览器渲染：{rendered.reason}"
        return
    page = rendered.page()
    items = list_items(page, now=now)
    if not dated_items(items):
        items += inline_records(page, now)
    article = len(article_text(page))
    children = child_columns(page, directory_names) if allow_directory else []
    content = bool(dated_items(items)) or article >= min_article_chars or len(children) >= 2
    if not content and read.state is ColumnState.OK:  # `always`: the static page already had content
        read.render_failure = "浏览器渲染后的页面未见更多内容，沿用静态读取结果"
        return
    before = read.state
    read.rendered = rendered
    read.items, read.article_chars, read.children = items, article, children
    if content:
        read.state = ColumnState.OK
        read.reason = "经浏览器渲染读取：" + _content_reason(read, min_article_chars)
        return
    if _own_content(read, page, home, now, "（经浏览器渲染读取）"):  # short but real text, or undated entries
        read.state = ColumnState.OK
        return
    # Blank only when sure: static reading saw no script at work, and the browser confirms it — the page
    # settled, no same-site request failed, no script threw. A page static reading found script-filled
    # that still shows nothing stays undecided (its script may wait for a timer, a click, a header).
    failed = [r for r in rendered.failed_requests if _same_site(r.url, read.url)]
    if before in _UNDECIDED or not rendered.settled or failed or rendered.script_errors:
        why = (f"{len(failed)} 个同站请求失败（{failed[0].url}：{failed[0].failure or failed[0].status}）" if failed
               else "渲染时限内网络未静止" if not rendered.settled
               else f"脚本出错：{rendered.script_errors[0]}" if rendered.script_errors
               else "填充列表的脚本未写出内容")
        note = f"浏览器渲染后仍无内容（{why}），无法判定是否空白"
        if before in _UNDECIDED:
            read.reason += f"；{note}"
        else:
            read.state, read.reason = ColumnState.ENDPOINT_FAILED, note
        return
    read.state = ColumnState.BLANK
    read.reason = "经浏览器渲染后，页面除网站公共头部、导航、页脚外仍无任何条目和正文"


def _same_site(url: str, page_url: str) -> bool:
    return registrable_domain(url_host(url)) == registrable_domain(url_host(page_url))
