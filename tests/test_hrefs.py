"""HrefResolver must give exactly what absolute_url gives, for every href and base: it only saves time."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from gkaudit.net.hrefs import HrefResolver, absolute_url

from conftest import REALPAGES, SITES

BUNDLED = Path(__file__).resolve().parents[1] / "src" / "gkaudit" / "simweb" / "sites"

BASES = [
    "http://www.nanjing.gov.cn/", "http://www.nanjing.gov.cn", "https://WWW.Nanjing.GOV.cn:8443/a/b/c.html",
    "http://h.gov.cn/a/b/", "http://h.gov.cn/a//b/c.html", "http://h.gov.cn/a/./b/../c/d.html",
    "http://h.gov.cn/a/b;p?q=1#f", "http://h.gov.cn:99999/a.html", "http://[::1]:8080/x/y.html",
    "http://user@h.gov.cn/a/", "ftp://h.gov.cn/a/", "", "/relative/only", "http:///nohost/",
    "http://h.gov.cn/中文/页.html", "http://h.gov.cn/a?x", "HTTP://H.GOV.CN/A/B",
    "http://[::1/", "http://a＃b/",  # bases urlparse rejects: urljoin gives up even on an absolute href
]
PREFIXES = ["", "/", "//", "./", "../", "http://", "HTTPS://", "http://x.gov.cn", "https://x.gov.cn:8080",
            "http://x.gov.cn:70000", "http://x.gov.cn:", "http://[::1]", "http://u@x.gov.cn", "javascript:",
            "mailto:", " ", "\\", "?", "#", "a:", "x.gov.cn.", "http://x.gov.cn.",
            "httpſ://x.gov.cn", "http://x.gov.cn:٨٠", "http://x.gov.cn:８０"]  # Unicode look-alikes
PATHS = ["", "a", "a/b.html", "a//b", "a/./b", "a/../b", ".", "..", "a/", "中文.html", "a;p", "a b",
         "%2e%2e/x", "a:b", "@x", "-", "a\tb", "a.b.c/", "/", "~u/"]
TAILS = ["", "?", "?id=3&p=2", "?a=/b?c", "#frag", "?q#f", "#", "?x y", "?中"]


def _hrefs() -> list[str]:
    return ["".join(parts) for parts in itertools.product(PREFIXES, PATHS, TAILS)]


@pytest.mark.parametrize("base", BASES)
def test_every_href_of_the_grammar_resolves_as_absolute_url_does(base: str) -> None:
    resolver = HrefResolver(base)
    wrong = [(href, resolver.resolve(href), absolute_url(base, href)) for href in _hrefs()
             if resolver.resolve(href) != absolute_url(base, href)]
    assert not wrong, wrong[:5]


def test_the_hrefs_of_real_and_bundled_pages_resolve_as_absolute_url_does() -> None:
    real = list(REALPAGES.glob("*.htm*"))
    files = [*real, *BUNDLED.rglob("*.htm*"), *SITES.rglob("*.htm*")]
    assert len(real) >= 9 and len(files) > 20
    href = re.compile(r"""(?:href|src)\s*=\s*["']([^"']*)["']""", re.I)
    checked = 0
    for file in files:
        text = file.read_bytes().decode("utf-8", "replace")
        for base in ("http://www.example.gov.cn/col/col1/index.html", "https://example.gov.cn/"):
            resolver = HrefResolver(base)
            for value in href.findall(text):
                assert resolver.resolve(value) == absolute_url(base, value), (file.name, base, value)
                checked += 1
    assert checked > 1000


def test_the_fast_joins_really_are_taken() -> None:
    """The plain hrefs are joined without urljoin (else the resolver saves nothing)."""
    resolver = HrefResolver("http://h.gov.cn/a/b.html")
    assert resolver._join("/x/y.html?id=1") == "http://h.gov.cn/x/y.html?id=1"
    assert resolver._join("c/d.html") == "http://h.gov.cn/a/c/d.html"
    assert resolver._join("HTTP://Other.GOV.cn:8080") == "http://other.gov.cn:8080/"
    assert resolver._join("../c.html") is None  # dot segments: absolute_url decides
