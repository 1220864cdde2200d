"""Footer identifiers in the forms real footers write them: one case per form seen in practice."""

from __future__ import annotations

import pytest

from gkaudit.checks.management.identifiers import read_identifiers
from gkaudit.columns.scripts import is_library, written_html


@pytest.mark.parametrize(("html", "icp"), [
    ("<a>苏ICP备05004952号-3</a>", "苏ICP备05004952号-3"),
    ("<a>鄂ICP备05009168 </a>", "鄂ICP备05009168"),  # no 号
    ("<a>苏ICP备05004952-2号</a>", "苏ICP备05004952-2号"),
    ("<a>苏ICP备05004952号-2号</a>", "苏ICP备05004952号-2号"),
    ("<a>鲁ICP备 05038584号</a>", "鲁ICP备 05038584号"),
])
def test_icp_forms(html: str, icp: str) -> None:
    assert read_identifiers(html).icp == icp


@pytest.mark.parametrize(("html", "police"), [
    ("苏公网安备 32011502010999号", "苏公网安备 32011502010999号"),
    ("苏公网安备:32011502010999号", "苏公网安备:32011502010999号"),
    ("苏公网安备：32011502010999", "苏公网安备：32011502010999"),
    ("郑公网安备 41010502003158号", "郑公网安备 41010502003158号"),  # a city's prefix
    ("京公备 11010502030143号", "京公备 11010502030143号"),
    ("鲁公网安备\n                    37020202000341号", "鲁公网安备 37020202000341号"),
])
def test_police_forms(html: str, police: str) -> None:
    assert read_identifiers(html).police == police


@pytest.mark.parametrize("html", [
    "<script id='_jiucuo_' sitecode='3201150099' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>",
    "<a href='https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=6101000007'><img src='x.png'></a>",
    "<a href='http://pucha.kaipuyun.cn/exposure/jiucuo.php?site_code=3201000001'>找错</a>",
    "<img src='static/picture/jiucuo.png' onclick=\"Link('3702000025')\">",
    "<span id='_jiucuo_'></span>",  # a placeholder a script fills
    "<a onclick='openErr()'>我为政府网站找错</a>",
])
def test_jiucuo_forms(html: str) -> None:
    assert read_identifiers(html).jiucuo


def test_no_jiucuo_in_plain_footer() -> None:
    assert read_identifiers("<p>主办单位：某区人民政府 联系我们</p>").jiucuo is None


@pytest.mark.parametrize(("html", "code"), [
    ("网站标识码：4201110038", "4201110038"),
    ("政府网站标识码 3702000025", "3702000025"),
    ("网站标识码: 4303000006", "4303000006"),
    ("网站标识码bm01000001", "bm01000001"),
])
def test_sitecode_forms(html: str, code: str) -> None:
    assert read_identifiers(html).sitecode == code


def test_written_html_joins_strings_and_skips_comments() -> None:
    script = ("document.writeln(\"<a href=\\'/zwgk/\\' title=\\'政务公开\\'>\" + '政务' + \"公开</a>\");\n"
              "//document.writeln(\"<a href='/old/'>旧栏目</a>\");\n"
              "document.write(unescape(\"%3Cspan%3E网站标识码：3100000044%3C/span%3E\"));\n"
              "el.innerHTML = '<p>' + name + '</p>';\n"
              "var x = 'not written';")
    html = written_html(script)
    assert "<a href='/zwgk/' title='政务公开'>政务公开</a>" in html
    assert "旧栏目" not in html and "not written" not in html
    assert "<span>网站标识码：3100000044</span>" in html and "<p></p>" in html


@pytest.mark.parametrize(("url", "library"), [
    ("https://a.gov.cn/static/js/jquery.min.1.12.4.js", True),
    ("https://a.gov.cn/js/layui.js", True),
    ("https://a.gov.cn/static/js/header.js", False),
    ("https://a.gov.cn/static/js/foot.js", False),
    ("https://a.gov.cn/static/js/ssoajax.js", False),
])
def test_libraries_are_skipped(url: str, library: bool) -> None:
    assert is_library(url) is library


def test_the_render_hook_is_consulted_after_the_scripts() -> None:
    import asyncio

    from gkaudit.columns.scripts import pages_beyond_static
    from gkaudit.net.page import Page

    asked: list[str] = []

    async def fetch(url: str) -> object:
        raise AssertionError(f"no script to fetch: {url}")

    async def render(url: str) -> Page:
        asked.append(url)
        return Page(url, "<a href='/xxgk/'>政府信息公开</a>")

    page = Page("https://a.gov.cn/", "<div id='app'></div>")
    pages, scripts = asyncio.run(pages_beyond_static(fetch, page, render))
    assert asked == ["https://a.gov.cn/"] and scripts.texts == {}
    assert [link.url for p in pages for link in p.links] == ["https://a.gov.cn/xxgk/"]
