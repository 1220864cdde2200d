"""Page and charset decoding: what every check reads a page through."""

from __future__ import annotations

import codecs
from datetime import date

import pytest

from gkaudit.columns.dates import find_dates
from gkaudit.net.page import Page, absolute_url, decode_html, normalise_charset

TITLE = "南京市鼓楼区人民政府"
GBK_PAGE = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            f"<title>{TITLE}</title></head><body>镕</body></html>")


# --- decode_html ------------------------------------------------------------------------------

def test_utf8_bom_wins_over_everything() -> None:
    body = codecs.BOM_UTF8 + "<title>秦淮区</title>".encode()
    text, codec = decode_html(body, "text/html; charset=gbk")
    assert codec == "utf-8"
    assert text == "<title>秦淮区</title>"


def test_utf16_bom() -> None:
    body = codecs.BOM_UTF16_LE + "<p>江宁</p>".encode("utf-16-le")
    assert decode_html(body) == ("<p>江宁</p>", "utf-16-le")


def test_header_charset_is_used() -> None:
    body = "<title>溧水区</title>".encode("gbk")
    text, codec = decode_html(body, "text/html; charset=GBK")
    assert codec == "gb18030" and "溧水区" in text


def test_meta_charset_is_used_without_header_charset() -> None:
    text, codec = decode_html(GBK_PAGE.encode("gbk"), "text/html")
    assert codec == "gb18030"
    assert TITLE in text and "镕" in text  # 镕 is outside GB2312: the label is read as GB18030


def test_html5_meta_charset() -> None:
    body = f'<meta charset="gbk"><title>{TITLE}</title>'.encode("gbk")
    assert decode_html(body)[1] == "gb18030"


def test_wrong_header_charset_utf8_on_gbk_bytes_falls_back() -> None:
    text, codec = decode_html(GBK_PAGE.encode("gbk"), "text/html; charset=utf-8")
    assert codec == "gb18030"
    assert TITLE in text


def test_undeclared_gbk_bytes_are_still_read() -> None:
    text, codec = decode_html(f"<p>{TITLE}</p>".encode("gbk"))
    assert codec == "gb18030" and TITLE in text


def test_undeclared_utf8() -> None:
    assert decode_html(f"<p>{TITLE}</p>".encode()) == (f"<p>{TITLE}</p>", "utf-8")


@pytest.mark.parametrize("label", ["GB2312", "gb2312", "GBK", "x-gbk", "cp936", "GB18030", " gbk "])
def test_chinese_labels_normalise_to_gb18030(label: str) -> None:
    assert normalise_charset(label) == "gb18030"


@pytest.mark.parametrize(("label", "codec"), [("UTF-8", "utf-8"), ("utf8", "utf-8"), ("bogus-cs", None),
                                              ("", None), (None, None), ("base64", None), ("zlib", None),
                                              ("rot13", None)])
def test_other_labels(label: str | None, codec: str | None) -> None:
    assert normalise_charset(label) == codec


def test_unknown_declared_charset_is_ignored() -> None:
    text, codec = decode_html(f"<p>{TITLE}</p>".encode(), "text/html; charset=x-nonsense")
    assert codec == "utf-8" and TITLE in text


# --- Page -------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html><html><head>
<META NAME="SiteName" CONTENT=" 南京市人民政府 ">
<meta property="og:title" content="og">
<title>  政府信息
 公开  </title>
<style>.x { color: red }</style>
<script>var hidden = "脚本里的字 2020-01-01";</script>
<script src="/js/common.js"></script>
</head><body>
<div>发布日期：2025-03-07 <span>更新于 2025年3月9日</span> 旧 2024/12/31 坏 2025-02-30</div>
<a href="/zwgk/index.html">政务公开</a>
<a href="../hdjl/">互动交流</a>
<a href="HTTP://WWW.Example.GOV.CN/a?b=1#frag">外链</a>
<a href="javascript:void(0)">菜单</a>
<a href="mailto:x@y.cn">信箱</a>
<a href="#top">顶部</a>
<a href="/zwgk/index.html">重复</a>
<a href="/img/" title="图片新闻"><img src="x.png"></a>
<area href="/map/">
<noscript>请启用脚本</noscript>
</body></html>"""


def page(html: str = HTML, url: str = "http://www.nanjing.gov.cn/col/index.html") -> Page:
    return Page(url, html)


def test_title_is_cleaned() -> None:
    assert page().title == "政府信息 公开"


def test_meta_lookup_is_case_insensitive() -> None:
    p = page()
    assert p.meta("sitename") == "南京市人民政府"
    assert p.meta("SITENAME") == "南京市人民政府"
    assert p.meta("og:title") == "og"
    assert p.meta("keywords") is None


def test_links_are_absolute_distinct_and_http_only() -> None:
    links = page().links
    assert [link.url for link in links] == [
        "http://www.nanjing.gov.cn/zwgk/index.html",
        "http://www.nanjing.gov.cn/hdjl/",
        "http://www.example.gov.cn/a?b=1",
        "http://www.nanjing.gov.cn/img/",
        "http://www.nanjing.gov.cn/map/",
    ]
    assert links[0].text == "政务公开"
    assert links[3].text == "" and links[3].label == "图片新闻"
    assert links[2].host == "www.example.gov.cn"


def test_anchors_keep_duplicates() -> None:
    texts = [link.text for _, link in page().anchors()]
    assert texts.count("政务公开") == 1 and "重复" in texts


def test_base_href_is_honoured() -> None:
    html = '<html><head><base href="https://cdn.nanjing.gov.cn/site/"></head><body>' \
           '<a href="page.html">p</a><a href="/root.html">r</a><script src="a.js"></script></body></html>'
    p = page(html)
    assert p.base_url == "https://cdn.nanjing.gov.cn/site/"
    assert [link.url for link in p.links] == ["https://cdn.nanjing.gov.cn/site/page.html",
                                               "https://cdn.nanjing.gov.cn/root.html"]
    assert p.scripts == ["https://cdn.nanjing.gov.cn/site/a.js"]


def test_relative_base_href_resolves_against_the_page() -> None:
    p = page('<base href="/sub/"><a href="x.html">x</a>', url="http://h.gov.cn/a/b.html")
    assert p.links[0].url == "http://h.gov.cn/sub/x.html"


def test_visible_text_has_no_scripts_or_styles() -> None:
    text = page().visible_text
    assert "发布日期：2025-03-07" in text and "政务公开" in text
    assert "脚本里的字" not in text
    assert "color" not in text
    assert "请启用脚本" not in text


def test_page_dates_come_from_visible_text_only() -> None:
    assert find_dates(page().visible_text) == [date(2025, 3, 7), date(2025, 3, 9), date(2024, 12, 31)]


def test_scripts_and_inline_scripts() -> None:
    p = page()
    assert p.scripts == ["http://www.nanjing.gov.cn/js/common.js"]
    assert any("hidden" in s for s in p.inline_scripts)


def test_from_bytes_decodes_and_keeps_status() -> None:
    p = Page.from_bytes("http://h/", GBK_PAGE.encode("gbk"), "text/html", status=404)
    assert (p.title, p.charset, p.status) == (TITLE, "gb18030", 404)


def test_empty_page() -> None:
    p = Page.from_bytes("http://h/", b"")
    assert p.title == "" and p.links == [] and p.visible_text == "" and p.meta_refresh() is None


@pytest.mark.parametrize(("content", "target"), [
    ("0; url=/new/", "http://h.gov.cn/new/"),
    ("0;URL='http://other.gov.cn/x'", "http://other.gov.cn/x"),
    ('3; url="index/index.html"', "http://h.gov.cn/index/index.html"),
    ("5", None),
    ("0; url=javascript:void(0)", None),
])
def test_meta_refresh_targets(content: str, target: str | None) -> None:
    quote = "'" if '"' in content else '"'
    html = f'<html><head><meta http-equiv="REFRESH" content={quote}{content}{quote}></head></html>'
    assert page(html, "http://h.gov.cn/").meta_refresh() == target


@pytest.mark.parametrize("script", [
    'window.location.href = "/index/";',
    "location.href='/index/'",
    'window.location = "/index/"',
    'top.location.replace("/index/")',
    "self.location.assign('/index/')",
])
def test_script_redirect_forms(script: str) -> None:
    html = f"<html><body><script>{script}</script></body></html>"
    assert page(html, "http://h.gov.cn/").script_redirect() == "http://h.gov.cn/index/"


def test_script_redirect_ignored_on_a_page_with_content() -> None:
    body = "<p>" + "政务公开工作动态。" * 60 + "</p>"
    html = f'<html><body>{body}<script>location.href = "/elsewhere/";</script></body></html>'
    assert page(html).script_redirect() is None


def test_computed_location_is_not_a_redirect() -> None:
    html = "<html><body><script>location.href=location.pathname+location.search</script></body></html>"
    assert page(html).script_redirect() is None


# --- helpers ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "dates"), [
    ("2025-01-31", [date(2025, 1, 31)]),
    ("2025/1/3 与 2025.12.01", [date(2025, 1, 3), date(2025, 12, 1)]),
    ("2025年1月31日", [date(2025, 1, 31)]),
    ("2025 年 1 月 31 日", [date(2025, 1, 31)]),
    ("2025-02-30 and 2025-13-01", []),
    ("电话 025-83456789", []),
    ("", []),
])
def test_find_dates(text: str, dates: list[date]) -> None:
    assert find_dates(text) == dates


@pytest.mark.parametrize(("href", "expected"), [
    ("a.html", "http://h.gov.cn/dir/a.html"),
    ("\\dir2\\b.html", "http://h.gov.cn/dir2/b.html"),
    ("//other.gov.cn", "http://other.gov.cn/"),
    ("#x", None),
    ("tel:12345", None),
    ("ftp://h.gov.cn/f", None),
    ("  ", None),
])
def test_absolute_url(href: str, expected: str | None) -> None:
    assert absolute_url("http://h.gov.cn/dir/index.html", href) == expected


def test_meta_refresh_inside_noscript_is_not_a_redirect() -> None:
    html = ('<html><head><noscript><meta http-equiv="refresh" content="0;url=/nojs.html"></noscript>'
            "<title>首页</title></head><body><p>内容</p></body></html>")
    assert page(html, "http://h.gov.cn/").meta_refresh() is None
    both = ('<html><head><noscript><meta http-equiv="refresh" content="0;url=/nojs.html"></noscript>'
            '<meta http-equiv="refresh" content="0;url=/index/"></head></html>')
    assert page(both, "http://h.gov.cn/").meta_refresh() == "http://h.gov.cn/index/"


@pytest.mark.parametrize("href", ["http://[::1/", "http://www.njqh.gov.cn:8O8O/", "http://www.njqh.gov.cn:99999/",
                                  "http://[zz::]/"])
def test_malformed_links_are_dropped_not_raised(href: str) -> None:
    assert absolute_url("http://h.gov.cn/", href) is None
    p = page(f'<a href="{href}">坏</a><a href="/ok/">好</a>', "http://h.gov.cn/")
    assert [link.url for link in p.links] == ["http://h.gov.cn/ok/"]


@pytest.mark.parametrize("base", ["http://[::1/", "javascript:void(0)", "mailto:x@y.cn"])
def test_unusable_base_href_falls_back_to_the_page_url(base: str) -> None:
    p = page(f'<base href="{base}"><a href="x.html">x</a>', "http://h.gov.cn/a/b.html")
    assert p.base_url == "http://h.gov.cn/a/b.html"
    assert [link.url for link in p.links] == ["http://h.gov.cn/a/x.html"]


def test_a_bytes_codec_declared_as_charset_is_ignored() -> None:
    body = f'<meta charset="hex"><title>{TITLE}</title>'.encode()
    assert decode_html(body, "text/html; charset=base64") == (body.decode(), "utf-8")
