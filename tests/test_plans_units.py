"""Units behind the plans check: required generations by date, site-search recognition, simweb query routes."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest

from gkaudit.checks.plans import PlansSettings, required_generations
from gkaudit.columns.search import find_search_form
from gkaudit.net.page import Page
from gkaudit.simweb.http_server import SiteResponder
from gkaudit.simweb.manifest import FixtureSite, SiteManifest


@pytest.mark.parametrize(("today", "required", "pending"), [
    (date(2026, 11, 20), [14, 15], None),
    (date(2026, 4, 1), [14, 15], None),
    (date(2026, 1, 20), [14], 15),
    (date(2025, 6, 1), [13, 14], None),
    (date(2031, 2, 1), [15], 16),
    (date(2031, 6, 1), [15, 16], None),
])
def test_required_generations_follow_the_date(today: date, required: list[int], pending: int | None) -> None:
    assert required_generations(PlansSettings(), today) == (required, pending)


def test_required_generations_from_settings() -> None:
    settings = PlansSettings.model_validate({"generations": ["“十五五”", 14, "十四五"]})
    assert required_generations(settings, date(2026, 1, 2)) == ([14, 15], None)
    assert required_generations(PlansSettings(new_generation_grace_days=0), date(2026, 1, 1)) == ([14, 15], None)


def test_trs_igs_form_is_recognised() -> None:
    page = Page("http://www.example.gov.cn/", """<form action="/igs/front/search.jhtml" target="_blank">
        <input type="hidden" name="code" value="abc"><input type="hidden" name="siteId" value="7">
        <input type="text" name="searchWord"><input type="submit" value="搜索"></form>""")
    form = find_search_form(page)
    assert form is not None and form.engine == "trs_igs" and form.query_field == "searchWord"
    url = form.url_for("十五五")
    assert urlsplit(url).path == "/igs/front/search.jhtml"
    assert parse_qsl(urlsplit(url).query) == [("code", "abc"), ("siteId", "7"), ("searchWord", "十五五")]


def test_hanweb_jsearch_form_is_recognised() -> None:
    page = Page("http://www.example.gov.cn/col/col1/index.html", """<form action="/jsearch/search.do?webid=3">
        <input name="appid" type="hidden" value="1"><input name="q" type="text" value="请输入">
        <input type="image" src="/s.png"></form>""")
    form = find_search_form(page)
    assert form is not None and form.engine == "hanweb_jsearch" and form.query_field == "q"
    assert dict(parse_qsl(urlsplit(form.url_for("规划")).query)) == {"webid": "3", "appid": "1", "q": "规划"}


def test_search_url_in_a_script_is_recognised_and_unknown_forms_are_not() -> None:
    scripted = Page("http://www.example.gov.cn/", """<form action="/search/"><input name="kw"></form>
        <script>function go(){window.open("/igs/front/search.jhtml?code=x1&searchWord="+v);}</script>""")
    form = find_search_form(scripted)
    assert form is not None and form.engine == "trs_igs"
    assert dict(parse_qsl(urlsplit(form.url_for("十四五")).query)) == {"code": "x1", "searchWord": "十四五"}
    assert find_search_form(Page("http://x.gov.cn/", '<form action="/search/"><input name="kw"></form>')) is None


def test_simweb_routes_match_decoded_query_parameters_in_any_order(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "www" / "s").mkdir(parents=True)
    (tmp_path / "www" / "s" / "r.html").write_text("<p>十五五</p>", encoding="utf-8")
    manifest = SiteManifest(host="a.gov.cn", routes={"/igs/front/search.jhtml?code=1&searchWord=十五五": "s/r.html"})
    site = FixtureSite(tmp_path, manifest)
    responder = SiteResponder(site, {"a.gov.cn": site}, date(2026, 1, 1))
    encoded = "/igs/front/search.jhtml?searchWord=%E5%8D%81%E4%BA%94%E4%BA%94&code=1"
    assert responder.respond("ipv4", "GET", encoded).status == 200
    assert responder.respond("ipv4", "GET", "/igs/front/search.jhtml?code=1&searchWord=x").status == 404
