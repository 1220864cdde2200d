"""Recognise a site's own search (TRS IGS `/igs/front/search.jhtml`, Hanweb `jsearch`/`jrobot`) and build queries.

Pure functions over a `Page`: no network. A form counts only when its engine is recognisable, so
that a query URL can be built without running the page's scripts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from gkaudit.net.page import Page

#: engine -> (URL pattern of its search endpoint, the usual name of its keyword field)
ENGINES: dict[str, tuple[re.Pattern[str], str]] = {
    "trs_igs": (re.compile(r"/igs/front/search\.jhtml", re.I), "searchWord"),
    "hanweb_jsearch": (re.compile(r"/jsearch/search\.do|/jrobot/search\.do|/jsearch/", re.I), "q"),
}
_SCRIPT_URL = re.compile(r"""["']([^"'\s]*(?:/igs/front/search\.jhtml|/jsearch/search\.do|/jrobot/search\.do)"""
                         r"""[^"'\s]*)["']""", re.I)
_TEXT_TYPES = ("", "text", "search")


@dataclass(frozen=True)
class SearchForm:
    """A recognised site search: where to send a query, which fixed parameters go with it, and the keyword field."""

    engine: str
    action: str
    params: tuple[tuple[str, str], ...]
    query_field: str

    def url_for(self, keyword: str) -> str:
        """The result page URL for `keyword`: fixed parameters in page order, then the keyword (UTF-8)."""
        pairs = [(k, v) for k, v in self.params if k != self.query_field] + [(self.query_field, keyword)]
        parts = urlsplit(self.action)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(pairs), ""))

    def as_evidence(self) -> dict[str, object]:
        return {"engine": self.engine, "action": self.action, "query_field": self.query_field}


def engine_of(url: str) -> str | None:
    """`trs_igs`, `hanweb_jsearch` or None for a search endpoint URL."""
    for engine, (pattern, _field) in ENGINES.items():
        if pattern.search(urlsplit(url).path):
            return engine
    return None


def find_search_form(page: Page) -> SearchForm | None:
    """The first recognisable site search on `page`: a <form>, else a search URL written in a script."""
    for form in page.tree.css("form"):
        action = page.resolve(form.attributes.get("action") or "")
        if action is None or (engine := engine_of(action)) is None:
            continue
        params = list(parse_qsl(urlsplit(action).query, keep_blank_values=True))
        query_field = ENGINES[engine][1]
        text_fields = []
        for node in form.css("input[name], select[name]"):
            name = node.attributes.get("name") or ""
            kind = (node.attributes.get("type") or "").lower()
            if node.tag == "input" and kind in _TEXT_TYPES:
                text_fields.append(name)
            elif kind not in ("submit", "button", "image", "reset"):
                params.append((name, node.attributes.get("value") or ""))
        if text_fields and query_field not in text_fields:
            query_field = text_fields[0]
        return SearchForm(engine, action, tuple(params), query_field)
    for script in page.inline_scripts:
        if match := _SCRIPT_URL.search(script):
            url = page.resolve(match.group(1))
            if url is None or (engine := engine_of(url)) is None:
                continue
            params = tuple(parse_qsl(urlsplit(url).query, keep_blank_values=True))
            return SearchForm(engine, url, params, ENGINES[engine][1])
    return None
