"""What a column page holds: its list (also when a script fills it), its article text, and soft-404 signs.

Pure functions over pages and bodies; no network here (gkaudit.columns.read does the fetching).
Known script loaders (RULES.md §5), each read through its list endpoint:

- `hanweb_jpage`: Hanweb 大汉 `/module/web/jpage/dataproxy.jsp` — XML `<record><![CDATA[<li>…]]></record>`;
  records already inlined in the page's `<script type="text/xml"><datastore>` are read without a fetch;
- `hanweb_xxgk`: Hanweb `/module/xxgk/search.jsp` (or subjectinfo.jsp …) list loaders — an HTML table;
- `trs_id`: TRS `…/?id=xxgkzn` shell pages whose script builds the list URL from the `id` parameter
  (`"/njstjj/xxgkzl/" + id + "/index.html"`);
- `iframe`: the list sits in a same-site `<iframe src>`.

A page filled by script in any other way is `unknown`: the caller says inconclusive, never "blank".
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs, urlsplit

from gkaudit.columns.items import ListItem, list_items
from gkaudit.net.http import Response
from gkaudit.net.page import Page, clean_text, decode_html


@dataclass(frozen=True)
class ListLoader:
    """How a script fills a page's list: the loader kind, the endpoint to read (None if unknown), the clue."""

    kind: str
    endpoint: str | None
    clue: str

    @property
    def known(self) -> bool:
        return self.endpoint is not None

    def as_evidence(self) -> dict[str, str | None]:
        return {"kind": self.kind, "endpoint": self.endpoint, "clue": self.clue[:200]}


_DATAPROXY_URL = re.compile(r"""([^\s"'<>()]*?/module/web/jpage/dataproxy\.jsp\?[^\s"'<>()]+)""")
_XXGK_URL = re.compile(r"""([^\s"'<>()]*?/module/xxgk/\w+\.jsp(?:\?[^\s"'<>()]*)?)""")
_PARAM = r"""\b{name}\b["']?\s*[:=]\s*["']?([\w%./\-]+)"""
_LOADER_HINTS = re.compile(
    r"\$\.(?:ajax|get|post|getJSON)\s*\(|\.load\s*\(\s*[\"'`]|\bfetch\s*\(|XMLHttpRequest|\baxios\b|\.jpage\s*\("
    r"|new\s+Vue\s*\(|createApp\s*\(|ReactDOM|laytpl|art-template|\bdataproxy\b", re.I)
_APP_MOUNTS = "#app, [v-cloak], [ng-app], #root:empty"
_READS_QUERY = re.compile(r"location\.search|location\.href|getQueryString|getUrlParam|getParam|URLSearchParams"
                          r"|GetQueryString|getQueryVariable", re.I)
_CONCAT = re.compile(r"""(["'])([^"'\s]*)\1\s*\+\s*([A-Za-z_$][\w$]*)\s*\+\s*(["'])([^"']*)\4""")


def _param(text: str, name: str) -> str | None:
    match = re.search(_PARAM.format(name=name), text, re.I)
    return match.group(1) if match else None


def page_script_text(page: Page) -> str:
    """All inline script text of a page (including `<script type="text/xml">` datastores), joined."""
    return "\n".join(page.inline_scripts)


def find_list_loader(page: Page) -> ListLoader | None:
    """The script loader that fills this page's list, if any: a known endpoint to read, or `unknown`.

    Returns None when nothing on the page suggests a script-filled list (ordinary badge or
    statistics scripts do not count).
    """
    scripts = page_script_text(page)
    raw = html.unescape(page.text)
    if "dataproxy.jsp" in raw:
        if match := _DATAPROXY_URL.search(raw):
            url = page.resolve(match.group(1))
            if url:
                return ListLoader("hanweb_jpage", url, match.group(1))
        ids = {name: _param(raw, name) for name in ("webid", "columnid", "unitid")}
        if all(ids.values()):
            query = (f"page=1&appid=1&webid={ids['webid']}&path=/&columnid={ids['columnid']}"
                     f"&unitid={ids['unitid']}&permissiontype=0")
            return ListLoader("hanweb_jpage", page.resolve(f"/module/web/jpage/dataproxy.jsp?{query}"),
                              "jpage: " + ", ".join(f"{k}={v}" for k, v in ids.items()))
        return ListLoader("hanweb_jpage", None, "dataproxy.jsp 出现在页面中，但缺少 webid/columnid/unitid 参数")
    if "/module/xxgk/" in raw:
        match = _XXGK_URL.search(raw)
        if match and "?" in match.group(1):
            return ListLoader("hanweb_xxgk", page.resolve(match.group(1)), match.group(1))
        params = {name: _param(scripts, name) for name in ("divid", "infotypeId", "jdid", "area")}
        if match and params["infotypeId"] and params["jdid"]:
            query = "&".join(f"{k}={v}" for k, v in params.items() if v)
            return ListLoader("hanweb_xxgk", page.resolve(f"{match.group(1)}?{query}"),
                              f"{match.group(1)}: {query}")
        return ListLoader("hanweb_xxgk", None, match.group(1) if match else "/module/xxgk/")
    for node in page.tree.css("iframe[src]"):
        url = page.resolve(node.attributes.get("src") or "")
        if url and urlsplit(url).hostname == urlsplit(page.url).hostname:
            return ListLoader("iframe", url, f"<iframe src={node.attributes.get('src')}>")
    if trs := _trs_id_loader(page, scripts):
        return trs
    if match := _LOADER_HINTS.search(scripts):
        start = max(0, match.start() - 40)
        return ListLoader("unknown", None, clean_text(scripts[start:match.end() + 80]))
    if mount := page.tree.css_first(_APP_MOUNTS):
        if page.scripts:
            return ListLoader("unknown", None, f"前端框架挂载点 <{mount.tag} id={mount.attributes.get('id')}>，"
                                               f"脚本 {', '.join(page.scripts[:3])}")
    return None


def looks_script_rendered(page: Page) -> bool:
    """Few links and a script that builds the page: its navigation cannot be read without a browser."""
    return len(page.links) < 5 and find_list_loader(page) is not None


def _trs_id_loader(page: Page, scripts: str) -> ListLoader | None:
    """TRS shell pages `…/?id=CODE`: a script reads the query parameter and builds the list URL from it."""
    query = parse_qs(urlsplit(page.url).query)
    if not query or not _READS_QUERY.search(scripts):
        return None
    for match in _CONCAT.finditer(scripts):
        # jQuery `.load("url selector")`: the URL ends at the first space
        prefix, variable, suffix = match.group(2), match.group(3), match.group(5).split(" ")[0]
        # the variable must come from the query: assigned from a query reader, or named like a parameter
        assigned = re.search(rf"\b{re.escape(variable)}\s*=\s*[^;\n]*?(?:{_READS_QUERY.pattern})[^;\n]*?"
                             rf"""["'](\w+)["']""", scripts)
        name = assigned.group(1) if assigned else variable
        values = query.get(name)
        if values and (prefix or suffix):
            url = page.resolve(f"{prefix}{values[0]}{suffix}")
            if url:
                return ListLoader("trs_id", url, match.group(0))
    return ListLoader("trs_id", None, "页面读取网址参数，但未找到由参数拼出的列表地址") \
        if "id" in query and not page_has_content(page) else None


_RECORD = re.compile(r"<record(?:\s[^>]*)?>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</record>", re.S | re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d{1,9})\s*</totalrecord>", re.I)


def endpoint_items(loader: ListLoader, response: Response, now: date | None = None) -> list[ListItem]:
    """The entries a list endpoint returned: Hanweb jpage records, or the list of an HTML fragment."""
    if loader.kind == "hanweb_jpage":
        text, _ = decode_html(response.body, response.content_type)
        return hanweb_records(text, response.final_url, now)
    return list_items(response.page(), now=now)


def hanweb_records(text: str, base_url: str, now: date | None = None) -> list[ListItem]:
    """List items from Hanweb jpage XML (`<record><![CDATA[<li>…</li>]]></record>`), inline or fetched."""
    page = hanweb_records_page(text, base_url)
    return list_items(page, now=now) if page is not None else []


def hanweb_records_page(text: str, base_url: str) -> Page | None:
    """The records of Hanweb jpage XML joined into one list page (for readers that need the rows), or None."""
    fragments = _RECORD.findall(text)
    if not fragments:
        return None
    return Page(base_url, "<html><body><ul>" + "\n".join(fragments) + "</ul></body></html>")


def endpoint_page(loader: ListLoader, response: Response) -> Page:
    """The list a loader's endpoint returned, as a page: Hanweb jpage records joined, else the fragment itself."""
    if loader.kind == "hanweb_jpage":
        text, _ = decode_html(response.body, response.content_type)
        return hanweb_records_page(text, response.final_url) or Page(response.final_url, "")
    return response.page()


def hanweb_total(text: str) -> int | None:
    match = _TOTAL.search(text)
    return int(match.group(1)) if match else None


def inline_records(page: Page, now: date | None = None) -> list[ListItem]:
    """Records a Hanweb page already carries in its `<script type="text/xml">` datastore."""
    return hanweb_records(page_script_text(page), page.base_url, now)


# --- article text and page content -------------------------------------------------------------
_ARTICLE_SELECTORS = ("#zoom", ".TRS_Editor", ".article-content", ".article", "article", ".zw", "#zw",
                      ".content", "#content", ".main-txt", ".bt_content", ".xxgk_content", ".news_content")
_CHROME = re.compile(r"foot|copyright|bottom|header|nav|menu", re.I)


def article_text(page: Page) -> str:
    """The body text of an article page: a known content container, else the page's non-chrome paragraphs."""
    best = ""
    for selector in _ARTICLE_SELECTORS:
        for node in page.tree.css(selector):
            text = clean_text(node.text(separator=" "))
            if len(text) > len(best):
                best = text
    if best:
        return best
    paragraphs = []
    for node in page.tree.css("p"):
        ancestor, chrome = node.parent, False
        while ancestor is not None and ancestor.tag not in ("body", "html"):
            marks = f"{ancestor.attributes.get('class') or ''} {ancestor.attributes.get('id') or ''}"
            if _CHROME.search(marks) or ancestor.tag in ("footer", "header", "nav"):
                chrome = True
                break
            ancestor = ancestor.parent
        if not chrome:
            paragraphs.append(clean_text(node.text(separator=" ")))
    return " ".join(p for p in paragraphs if p)


def dated_items(items: list[ListItem]) -> list[ListItem]:
    return [item for item in items if item.date is not None]


def page_has_content(page: Page, min_article_chars: int = 150) -> bool:
    """A list with dated items, or article text of at least `min_article_chars` characters."""
    return bool(dated_items(list_items(page))) or len(article_text(page)) >= min_article_chars


def child_columns(page: Page, names: Sequence[str] = (), min_named: int = 3) -> list[str]:
    """Links to the child columns of a directory page such as 法定主动公开内容.

    A child is a same-site link to a folder below this page's own folder (`…/fdzdgknr/ghxx/`), or —
    where the CMS numbers its columns (`/col/col1031/`) — a link whose text contains one of `names`
    (category names such as 机构职能, 规划信息), counted only when at least `min_named` such links exist.
    """
    folder = urlsplit(page.url).path.rsplit("/", 1)[0] + "/"
    host = urlsplit(page.url).hostname
    found: list[str] = []
    for link in page.links:
        parts = urlsplit(link.url)
        if parts.hostname == host and parts.path.startswith(folder) and parts.path != folder \
                and parts.path.endswith("/") and link.label and link.url not in found:
            found.append(link.url)
    if names:
        named = [link.url for link in page.links
                 if link.url not in found and any(name in link.label for name in names) and len(link.label) <= 12]
        if len(set(named)) >= min_named:
            found += list(dict.fromkeys(named))
    return found


# --- soft 404 ------------------------------------------------------------------------------------
_ERROR_WORDS = re.compile(r"(?<!\d)404(?!\d)|页面不存在|页面未找到|找不到(?:该|此|您要的|您所)?(?:访问的)?页面|页面已(?:被)?删除|"
                          r"访问的页面不存在|您访问的(?:页面|栏目)|栏目不存在|not\s*found|无法找到该页", re.I)
_HOME_PATHS = frozenset({"/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/default.html",
                         "/index/index.html"})


def error_page_reason(page: Page, max_text_chars: int = 600) -> str | None:
    """Why a page answered with 200 is an error page (title, heading or short text says 404), or None."""
    heading = page.tree.css_first("h1, h2")
    head = " ".join(filter(None, [page.title, clean_text(heading.text()) if heading is not None else ""]))
    if match := _ERROR_WORDS.search(head):
        return f"标题/大标题含“{match.group(0)}”"
    text = page.visible_text
    if len(text) <= max_text_chars and (match := _ERROR_WORDS.search(text)):
        return f"页面文字很短且含“{match.group(0)}”"
    return None


def same_as_home(page: Page, home: Page, threshold: float = 0.9) -> bool:
    """The page has the homepage's title and (nearly) its text: the server answered with the homepage."""
    if not home.title or page.title != home.title:
        return False
    a, b = page.visible_text, home.visible_text
    if not a or not b:
        return a == b
    shorter, longer = sorted((len(a), len(b)))
    if shorter / longer < threshold:
        return False
    words_a, words_b = set(a.split()), set(b.split())
    overlap = len(words_a & words_b) / max(1, len(words_a | words_b))
    return overlap >= threshold


def is_home_url(url: str, home_urls: set[str]) -> bool:
    """`url` is the homepage: one of its known URLs, or the site root / index page on the same host."""
    if url in home_urls:
        return True
    parts = urlsplit(url)
    hosts = {urlsplit(u).hostname for u in home_urls}
    return parts.hostname in hosts and parts.path in _HOME_PATHS and not parts.query
