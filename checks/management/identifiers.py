"""Footer identifiers of a government site (国办发〔2017〕47号): read them from page HTML and scripts.

Pure functions over text. Footers written by `document.write(unescape("%3C…"))` are read too:
the script text is unescaped before matching, so a footer that exists only in a script still counts.
Forms real footers use (each has a test): 标识码 with or without a colon; ICP numbers with 号, without
it (`鄂ICP备05009168`), with `-1`/`-2号`, a space after 备; police numbers `苏公网安备 …号`,
`苏公网安备:…`, `郑公网安备…` (a city's prefix), `…公备…`, split over lines; the 找错 entry as the
`jiucuo.js` script, a `jiucuo.html`/`jiucuo.php` link, a jiucuo image with an `onclick`, or an
element with id `_jiucuo_` that a script fills.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from gkaudit.checks.ipv6.badge import ipv6_claim

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
SITECODE_TEXT = re.compile(r"网站标识码\s*[:：]?\s*(?:&nbsp;|\s)*([A-Za-z]{2}\d{8}|\d{10})(?![0-9])")
SITECODE_JIUCUO = re.compile(r"""sitecode\s*=\s*["']?([A-Za-z0-9]{6,16})["']?""", re.I)
SITECODE_FORMAT = re.compile(r"^(\d{10}|bm\d{8})$", re.I)
ICP = re.compile(rf"[{PROVINCES}]\s*ICP\s*备\s*\d{{6,12}}(?:\s*号)?(?:\s*-\s*\d{{1,3}}(?:\s*号)?)?")
#: The prefix is a province's or a city's one-character name (郑公网安备); some footers abbreviate 公网安备 as 公备.
POLICE = re.compile(r"([\u4e00-\u9fff])\s*公(?:网安)?备\s*[:：]?\s*(\d{14})\s*号?")
CONAC = re.compile(r"_ideConac|dcs\.conac\.cn|conac\.cn/sitename", re.I)
#: The 找错 entry, most specific form first: the script, a link to the page, an image or placeholder.
JIUCUO = (re.compile(r"jiucuo\.js", re.I), re.compile(r"jiucuo\.(?:html?|php)|/exposure/jiucuo", re.I),
          re.compile(r"jiucuo\.(?:png|gif|jpe?g)|\bid\s*=\s*[\"']?_?jiucuo_?[\"'\s>]|我为政府网站找错", re.I))


@dataclass
class Identifiers:
    """What a page (with its scripts) shows; each value is the matched text, or None when absent."""

    sitecode: str | None = None
    jiucuo_sitecode: str | None = None
    icp: str | None = None
    police: str | None = None
    conac: str | None = None
    jiucuo: str | None = None
    ipv6_badge: str | None = None
    sources: dict[str, str] = field(default_factory=dict)

    def merge(self, other: Identifiers, source: str) -> None:
        """Fill what is still missing from `other` (e.g. an external footer script), noting where from."""
        for name in ("sitecode", "jiucuo_sitecode", "icp", "police", "conac", "jiucuo", "ipv6_badge"):
            if getattr(self, name) is None and getattr(other, name) is not None:
                setattr(self, name, getattr(other, name))
                self.sources[name] = source


def readable(text: str) -> str:
    """HTML or script text with `%3C`-escapes and `&nbsp;` undone, so escaped footers match."""
    text = text.replace("&nbsp;", " ").replace("\\u003c", "<").replace("\\/", "/")
    return unquote(text) if "%3C" in text or "%3c" in text else text


def read_identifiers(text: str, source: str = "page") -> Identifiers:
    """Every footer identifier found in `text` (HTML or JavaScript)."""
    plain = readable(text)
    found = Identifiers()
    if match := SITECODE_TEXT.search(plain):
        found.sitecode = match.group(1)
    jiucuo_tag = re.search(r"<script[^>]*jiucuo[^>]*>", plain, re.I)
    if jiucuo_tag and (match := SITECODE_JIUCUO.search(jiucuo_tag.group(0))):
        found.jiucuo_sitecode = match.group(1)
    if match := ICP.search(plain):
        found.icp = _as_written(match.group(0))
    if match := POLICE.search(plain):
        found.police = _as_written(match.group(0))
    if match := CONAC.search(plain):
        found.conac = match.group(0)
    if match := next((m for m in (p.search(plain) for p in JIUCUO) if m), None):
        found.jiucuo = match.group(0)
    found.ipv6_badge = ipv6_claim(text)
    found.sources = {name: source for name in ("sitecode", "jiucuo_sitecode", "icp", "police", "conac",
                                               "jiucuo", "ipv6_badge") if getattr(found, name)}
    return found


def _as_written(text: str) -> str:
    """A matched identifier as the footer writes it, runs of white space (line breaks) made one space."""
    return re.sub(r"\s+", " ", text).strip()


def valid_sitecode(code: str) -> bool:
    """10 characters: a 6-digit division code + 4 digits, or `bm` + 8 digits for central bodies."""
    return bool(SITECODE_FORMAT.match(code))
