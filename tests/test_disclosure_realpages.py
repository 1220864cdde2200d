"""The disclosure check on real pages (tests/realpages), served by simweb from a folder built in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gkaudit.checks.disclosure import vocabulary as data
from gkaudit.checks.disclosure.judge import candidates_for
from gkaudit.columns.find import page_anchor_links
from gkaudit.model import CheckResult
from gkaudit.net.page import Page
from gkaudit.simweb.web import SimWeb

from conftest import REALPAGES, scan_web, target_of

TJJ = "tjj.nanjing.gov.cn"
HANDAN = "hdzfxxgk.hd.gov.cn"
HANDAN_MENU = {
    "guide": ("http://hdzfxxgk.hd.gov.cn/zfxxgkzn/", "政府信息公开指南"),
    "system": ("http://hdzfxxgk.hd.gov.cn/zfwj/zdwj/", "政府信息公开制度"),
    "statutory": ("http://hdzfxxgk.hd.gov.cn/fdgknr/", "法定主动公开内容"),
    "annual_report": ("http://hdzfxxgk.hd.gov.cn/zfxxgknb/", "政府信息公开年报"),
}
HANDAN_REQUEST = "http://hdzfxxgk.hd.gov.cn/ysqgk/"


def fixture_site(root: Path, folder: str, host: str, files: dict[str, str]) -> None:
    """A simweb site in `root/folder` serving real-page copies at the given paths."""
    site = root / folder
    (site / "www").mkdir(parents=True)
    (site / "site.yaml").write_text(f"host: {host}\ndescription: real page copy\n", encoding="utf-8")
    for path, name in files.items():
        target = site / "www" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REALPAGES / name, target)


@pytest.fixture
def real_web(tmp_path: Path, make_web) -> SimWeb:  # type: ignore[no-untyped-def]
    fixture_site(tmp_path, "tjj", TJJ, {"index.html": "nanjing_tjj_home.html"})
    fixture_site(tmp_path, "handan", HANDAN, {"index.html": "handan_xxgk_home.html",
                                              "zfxxgkzn/index.html": "handan_xxgk_guide.html"})
    return make_web(tmp_path)


def run(web: SimWeb, host: str, kind: str, **fields: object) -> CheckResult:
    report = scan_web(web, [target_of(web, host, kind, **fields)], ["disclosure"], now="2026-09-01")
    return report.sites[0].results[0]


def test_tjj_homepage_links_all_four_subcolumns_and_the_request_channel(real_web: SimWeb) -> None:
    result = run(real_web, TJJ, "department")
    subs = result.metrics["subcolumns"]
    expected = {
        "statutory": ("/njstjj/?id=xxgkgknr", "法定主动公开内容"),
        "guide": ("/njstjj/?id=xxgkzn", "政府信息公开指南"),
        "system": ("/njstjj/?id=xxgkzd", "政府信息公开制度"),
        "annual_report": ("/njstjj/?id=xxgknb", "政府信息公开年度报告"),
    }
    for key, (path, text) in expected.items():
        assert subs[key]["url"] == real_web.url(TJJ, path), key
        assert subs[key]["link_text"] == text
        assert subs[key]["found_on"] == "homepage"  # the column page /zwgk/ is not part of this copy
    channel = result.metrics["request_channel"]
    assert channel["url"] == real_web.url(TJJ, "/njstjj/xxgkzl/ysqgk/")
    assert channel["link_text"] == "申请公开政府信息"
    top = result.metrics["column_candidates"][0]
    assert (top["url"], top["text"]) == ("https://tjj.nanjing.gov.cn/zwgk/", "政府信息公开")
    # the ?id= pages are not in this copy: they are dead here, and said so with their URL and status
    dead = [f for f in result.findings if "无法打开" in f.message and f.evidence.url == subs["guide"]["url"]]
    assert dead and dead[0].evidence.http_status == 404 and dead[0].evidence.link_text == "政府信息公开指南"


def test_tjj_page_links_by_pure_ranking() -> None:
    page = Page.from_bytes("https://tjj.nanjing.gov.cn/", (REALPAGES / "nanjing_tjj_home.html").read_bytes())
    links = page_anchor_links(page)
    found = {spec.key: candidates_for(spec, links)[0].url for spec in (*data.SUBCOLUMNS, data.REQUEST)}
    assert found == {
        "guide": "https://tjj.nanjing.gov.cn/njstjj/?id=xxgkzn",
        "system": "https://tjj.nanjing.gov.cn/njstjj/?id=xxgkzd",
        "statutory": "https://tjj.nanjing.gov.cn/njstjj/?id=xxgkgknr",
        "annual_report": "https://tjj.nanjing.gov.cn/njstjj/?id=xxgknb",
        "request": "https://tjj.nanjing.gov.cn/njstjj/xxgkzl/ysqgk/",
    }


@pytest.mark.parametrize("name", ["handan_xxgk_home.html", "handan_xxgk_guide.html"])
def test_handan_menu_entries_despite_the_jsp_directive(name: str) -> None:
    raw = (REALPAGES / name).read_bytes()
    assert raw.lstrip().startswith(b"<%@ page") or b"<%--" in raw[:200]
    page = Page.from_bytes("http://hdzfxxgk.hd.gov.cn/", raw)
    links = page_anchor_links(page)
    for spec in data.SUBCOLUMNS:
        best = candidates_for(spec, links)[0]
        url, text = HANDAN_MENU[spec.key]
        assert best.url == url, spec.key
        assert best.text.replace(" ", "").startswith(text)  # "政府信息<br>公开指南" reads as one name
    assert candidates_for(data.REQUEST, links)[0].url == HANDAN_REQUEST


@pytest.mark.parametrize("column_path", ["/", "/zfxxgkzn/"])
def test_handan_pages_served_as_the_column(real_web: SimWeb, column_path: str) -> None:
    result = run(real_web, HANDAN, "portal", disclosure_url=real_web.url(HANDAN, column_path))
    assert result.metrics["column_source"] == "target"
    subs = result.metrics["subcolumns"]
    for key, (url, _text) in HANDAN_MENU.items():
        assert subs[key]["url"] == url, key
        assert subs[key]["found_on"] == "column"
    assert result.metrics["request_channel"]["url"] == HANDAN_REQUEST
