"""Hostile input, unit by unit: charset labels Python cannot use, odd Retry-After values, huge numbers
in pages, decompression bombs, cookies across sites. No traffic: everything here is in memory."""

from __future__ import annotations

import http.cookiejar
import tracemalloc
import zlib

import httpx
import pytest

from gkaudit.columns.dates import find_dates
from gkaudit.columns.items import pagination
from gkaudit.columns.listing import hanweb_total
from gkaudit.net.classify import parse_retry_after
from gkaudit.net.cookies import host_only_cookies
from gkaudit.net.decode import CappedDecoder
from gkaudit.net.failures import FailureKind, NetError
from gkaudit.net.page import Page, decode_html, normalise_charset

PAGE = "<html><head><title>南京市人民政府</title></head><body>政务公开</body></html>"


@pytest.mark.parametrize("label", ["undefined", "punycode", "idna", "unicode_escape", "raw-unicode-escape",
                                   "charmap", "utf-7", "base64", "zlib", "rot13", "hex", "uu", "bz2", "x-nonsense",
                                   "utf\x00-8", ""])
def test_unusable_charset_labels_are_unknown(label: str) -> None:
    assert normalise_charset(label) is None


@pytest.mark.parametrize("label", ["undefined", "punycode", "idna", "unicode_escape", "base64", "zlib"])
def test_unusable_charset_falls_back_like_an_unknown_one(label: str) -> None:
    body = PAGE.encode("utf-8")
    assert decode_html(body, f"text/html; charset={label}") == (PAGE, "utf-8")
    meta = f'<meta charset="{label}">{PAGE}'
    assert decode_html(meta.encode("utf-8"), "text/html")[1] == "utf-8"
    gbk = f'<meta charset="{label}">{PAGE}'.encode("gbk")
    assert decode_html(gbk, f"text/html; charset={label}")[1] == "gb18030"


@pytest.mark.parametrize("value", ["١٢٠", "²", "１２０", "9" * 5000, "-1", "1e9", "Wed, 99 Foo 2025 99:99:99 GMT",
                                   "Fri, 31 Dec 99999 23:59:59 GMT", "\x00", "𝟙𝟚"])
def test_retry_after_never_raises(value: str) -> None:
    result = parse_retry_after(value)
    assert result is None or result >= 0


def test_retry_after_ascii_digits_still_read() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("9" * 5000) == float("inf")  # beyond --max-retry-after: no retry


def test_thousands_of_digits_in_a_pager_or_total_do_not_raise() -> None:
    digits = "9" * 5000
    page = Page("http://a.gov.cn/list/index.html",
                f"<script>createPageHTML({digits}, 0, 'index', 'html');</script><a href='index_1.html'>下一页</a>")
    assert pagination(page).total_pages is None
    assert hanweb_total(f"<totalrecord>{digits}</totalrecord>") is None
    assert find_dates(Page("http://a.gov.cn/", f"<p>2025-{digits}-01 {digits}年</p>").visible_text) == []


# --- decompression --------------------------------------------------------------------------

def _gzip(data: bytes) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return z.compress(data) + z.flush()


def _feed_all(decoder: CappedDecoder, body: bytes) -> None:
    for start in range(0, len(body), 65536):
        decoder.feed(body[start:start + 65536])


@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip", "deflate", "x-gzip, deflate"])
def test_small_bodies_decode_on_every_layer(encoding: str) -> None:
    body = PAGE.encode() * 10
    for layer in [e.strip() for e in encoding.split(",")]:
        if layer == "deflate":
            body = zlib.compress(body)
        else:
            body = _gzip(body)
    decoder = CappedDecoder(encoding, 1_000_000)
    _feed_all(decoder, body)
    assert decoder.body() == PAGE.encode() * 10


def test_raw_deflate_without_zlib_header_decodes() -> None:
    z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    decoder = CappedDecoder("deflate", 1000)
    decoder.feed(z.compress(b"hello") + z.flush())
    assert decoder.body() == b"hello"


def test_a_layered_bomb_is_too_large_and_memory_stays_bounded() -> None:
    inner = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    chunk = b"\0" * 1_000_000
    stream = b"".join(inner.compress(chunk) for _ in range(200)) + inner.flush()  # 200 MB of zeros
    bomb = _gzip(stream)
    assert len(bomb) < 100_000
    tracemalloc.start()
    try:
        decoder = CappedDecoder("gzip, gzip", 5_000_000)
        with pytest.raises(NetError) as raised:
            _feed_all(decoder, bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert raised.value.kind is FailureKind.TOO_LARGE
    assert peak < 30_000_000  # the cap (5 MB) plus buffers, not the gigabyte


def test_corrupt_encoding_is_classified() -> None:
    with pytest.raises(NetError) as raised:
        CappedDecoder("gzip", 1000).feed(b"not gzip at all")
    assert raised.value.kind is FailureKind.CONNECTION_ERROR


# --- cookies --------------------------------------------------------------------------------

def _set(cookies: http.cookiejar.CookieJar, url: str, *set_cookie: str) -> None:
    request = httpx.Request("GET", url)
    response = httpx.Response(200, headers=[(b"set-cookie", v.encode()) for v in set_cookie], request=request)
    httpx.Cookies(cookies).extract_cookies(response)


def _sent(cookies: http.cookiejar.CookieJar, url: str) -> str:
    request = httpx.Request("GET", url)
    httpx.Cookies(cookies).set_cookie_header(request)
    return request.headers.get("cookie", "")


def test_cookies_stay_with_the_host_that_set_them() -> None:
    cookies = host_only_cookies()
    _set(cookies, "http://www.nanjing.gov.cn/", "own=1; Path=/", "parent=1; Domain=nanjing.gov.cn; Path=/",
         "dotted=1; Domain=.nanjing.gov.cn", "self=1; Domain=www.nanjing.gov.cn")
    assert _sent(cookies, "http://www.nanjing.gov.cn/a") in ("own=1; self=1", "self=1; own=1")
    for other in ("http://www.njqh.nanjing.gov.cn/", "http://nanjing.gov.cn/", "http://a.www.nanjing.gov.cn/"):
        assert _sent(cookies, other) == ""


def test_host_only_cookie_of_a_parent_host_is_not_sent_to_its_subdomains() -> None:
    cookies = host_only_cookies()
    _set(cookies, "http://nanjing.gov.cn/", "own=1")
    assert _sent(cookies, "http://nanjing.gov.cn/") == "own=1"
    assert _sent(cookies, "http://www.nanjing.gov.cn/") == ""


def test_non_ascii_cookies_are_dropped() -> None:
    cookies = host_only_cookies()
    _set(cookies, "http://a.gov.cn/", "name=值", "名=1", "ok=1")
    assert _sent(cookies, "http://a.gov.cn/") == "ok=1"


def test_a_thousand_content_encoding_layers_are_refused_not_recursed() -> None:
    with pytest.raises(NetError) as raised:
        CappedDecoder(", ".join(["gzip"] * 1000), 5_000_000)
    assert raised.value.kind is FailureKind.TOO_LARGE


def test_unknown_codings_pass_through() -> None:
    decoder = CappedDecoder("identity, br", 100)
    decoder.feed(b"raw")
    assert decoder.body() == b"raw"


# --- bombs inside report attachments (annual_report reads PDF and DOCX) ---------------------------

def _pdf_with_stream(stream: bytes) -> bytes:
    return (b"%%PDF-1.4\n1 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
            + b"\nendstream\nendobj\n%EOF\n")


def test_a_pdf_whose_streams_inflate_to_gigabytes_is_refused_fast() -> None:
    from gkaudit.checks.annual_report.pdf import PdfUnreadable, check_streams

    z = zlib.compressobj(9)
    bomb = b"".join(z.compress(b"0 0 Td (x) Tj " * 70_000) for _ in range(100)) + z.flush()  # ~100 MB
    tracemalloc.start()
    try:
        with pytest.raises(PdfUnreadable):
            check_streams(_pdf_with_stream(bomb), cap=20_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000
    check_streams(_pdf_with_stream(zlib.compress(b"BT (ok) Tj ET" * 1000)), cap=20_000_000)  # a normal one


def test_a_docx_that_unzips_to_gigabytes_is_refused() -> None:
    import io
    import zipfile

    from gkaudit.checks.annual_report.word import DocxUnreadable, check_unzipped_size

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * 30_000_000)
    with pytest.raises(DocxUnreadable):
        check_unzipped_size(buffer.getvalue(), cap=20_000_000)
    check_unzipped_size(buffer.getvalue(), cap=40_000_000)
