"""Page: bytes -> text (charset rules) -> selectolax tree, with title, meta and absolute links (dates: gkaudit.columns.dates)."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from gkaudit.net.domains import registrable_domain
from gkaudit.net.hrefs import HrefResolver, absolute_url
from gkaudit.net.trees import LIVE_TREES

# GB2312 and GBK are subsets of GB18030; decoding as GB18030 reads every page written in either.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
                    "cp936": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_\-]+)", re.I)
# Codecs Python knows that are not charsets a page can be written in (they raise, or turn markup
# into something else): they count as unknown, like a misspelt label. UTF-7 is no web charset either.
_NOT_CHARSETS = frozenset({"undefined", "punycode", "idna", "unicode-escape", "raw-unicode-escape", "charmap",
                           "utf-7", "mbcs", "oem"})
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def normalise_charset(name: str | None) -> str | None:
    """A Python text codec for a declared charset, GB2312/GBK mapped to GB18030; None if unknown.

    Python's bytes-to-bytes codecs (base64, zlib, rot13...) and pseudo-codecs (undefined, punycode,
    idna, unicode_escape...) are not charsets and count as unknown.
    """
    if not name:
        return None
    name = name.strip().lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):  # ValueError: a NUL in the label
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode an HTML body: BOM, then the header charset, then <meta>, then UTF-8, then GB18030.

    A declared charset that does not decode the bytes cleanly is passed over (servers often
    send `charset=utf-8` for GBK pages). Returns the text and the codec used.
    """
    candidates: list[str] = []
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, errors="replace"), codec
    if content_type and (match := _HEADER_CHARSET.search(content_type)):
        candidates.append(match.group(1))
    if match := _META_CHARSET.search(body[:8192]):
        candidates.append(match.group(1).decode("ascii", "replace"))
    candidates += ["utf-8", "gb18030"]
    codecs_tried = [c for c in (normalise_charset(name) for name in candidates) if c]
    for codec in dict.fromkeys(codecs_tried):
        try:
            return body.decode(codec), codec
        except (UnicodeError, ValueError, LookupError):  # any codec trouble: try the next one
            continue
    fallback = codecs_tried[0] if codecs_tried else "utf-8"
    try:
        return body.decode(fallback, errors="replace"), fallback
    except (UnicodeError, ValueError, LookupError):
        return body.decode("utf-8", errors="replace"), "utf-8"


@dataclass(frozen=True)
class Link:
    """An absolute link found on a page, with its visible text (or title attribute)."""

    url: str
    text: str
    title: str = ""

    @property
    def host(self) -> str:
        return url_host(self.url)

    @property
    def label(self) -> str:
        return self.text or self.title


_JS_REDIRECT = re.compile(
    r"""(?:window\.|self\.|top\.|document\.)?location(?:\.href)?\s*=\s*["']([^"']+)["']"""
    r"""|location\.(?:replace|assign)\(\s*["']([^"']+)["']\s*\)""",
)
_REFRESH = re.compile(r"""^\s*(\d+(?:\.\d+)?)?\s*[;,]?\s*(?:url\s*=\s*)?["']?([^"']*)["']?\s*$""", re.I)


def _inside(node: LexborNode, tag: str) -> bool:
    """True if `node` has an ancestor element named `tag`."""
    parent = node.parent
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


_MAIN_FRAME_NAMES = {"main", "mainframe", "content", "contentframe", "body", "center", "right"}


def _frame_share(size: str) -> float:
    """How much of a frameset a rows/cols entry takes: `*` all that is left, `80%` 80, `120` pixels a little."""
    size = size.strip()
    if size.endswith("*"):
        return 1000.0
    if size.endswith("%"):
        try:
            return float(size[:-1])
        except ValueError:
            return 0.0
    try:
        return float(size) / 100
    except ValueError:
        return 0.0


_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def url_host(url: str) -> str:
    """The lower-cased host of `url` ("" when it has none)."""
    return (urlsplit(url).hostname or "").lower()


T = TypeVar("T")


class lazy(Generic[T]):
    """functools.cached_property without its lock: on Python 3.11 that lock is one per property for
    every instance, so a parse thread computing one page's tree would stall the event loop reading
    any other page's. Two threads may compute the same value at once; the first one stored is kept."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.__doc__ = func.__doc__
        self.name = func.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = self.func(instance)
        return instance.__dict__.setdefault(self.name, value)  # type: ignore[no-any-return]


class Page:
    """A decoded HTML page. Parsing is lazy; all URLs it hands out are absolute.

    The tree may be let go between uses (net/trees.py bounds the trees a process keeps) and is then
    parsed again from `text`: never keep a tree or its nodes beyond the use at hand.
    """

    def __init__(self, url: str, text: str, charset: str = "utf-8", status: int | None = 200) -> None:
        self.url = url
        self.text = text
        self.charset = charset
        self.status = status
        self._resolved: dict[str, str | None] = {}  # href -> absolute URL (resolve)
        self._tree: LexborHTMLParser | None = None

    @classmethod
    def from_bytes(cls, url: str, body: bytes, content_type: str | None = None,
                   status: int | None = 200) -> Page:
        text, charset = decode_html(body, content_type)
        return cls(url, text, charset, status)

    @property
    def tree(self) -> LexborHTMLParser:
        tree = self._tree
        if tree is None:
            tree = self._tree = LexborHTMLParser(self.text)
        LIVE_TREES.touch(self)
        return tree

    def release_tree(self) -> None:
        """Drop this page's references to its tree (and to its nodes); the next use parses it again."""
        self._tree = None
        self.__dict__.pop("_anchors", None)

    @lazy
    def declared_base(self) -> str | None:
        """The page's `<base href>`, absolute, or None when it has none (or an unusable one)."""
        base = self.tree.css_first("base[href]")
        href = base.attributes.get("href") if base is not None else None
        return absolute_url(self.url, href) if href else None

    @lazy
    def foreign_base(self) -> str | None:
        """A `<base href>` on another registrable domain than the page itself (hijacked or copied
        template), or None. It does not move the site: links are resolved against the page URL."""
        base = self.declared_base
        if base is None or registrable_domain(url_host(base)) == registrable_domain(url_host(self.url)):
            return None
        return base

    @lazy
    def base_url(self) -> str:
        """What relative links resolve against: `<base href>` on the site's own domain, else the page URL."""
        return self.declared_base if self.declared_base and not self.foreign_base else self.url

    @lazy
    def title(self) -> str:
        node = self.tree.css_first("title")
        return clean_text(node.text()) if node is not None else ""

    def meta(self, name: str) -> str | None:
        """The content of <meta name=NAME> (case-insensitive), or None."""
        wanted = name.lower()
        for node in self.tree.css("meta"):
            attrs = node.attributes
            key = (attrs.get("name") or attrs.get("property") or "").lower()
            if key == wanted:
                return (attrs.get("content") or "").strip()
        return None

    @lazy
    def links(self) -> list[Link]:
        """Every distinct http(s) link in document order, with its text."""
        seen: dict[str, Link] = {}
        for node in self.tree.css("a[href], area[href]"):
            url = self.resolve(node.attributes.get("href") or "")
            if url is None or url in seen:
                continue
            seen[url] = Link(url, clean_text(node.text()), clean_text(node.attributes.get("title") or ""))
        return list(seen.values())

    def anchors(self) -> list[tuple[LexborNode, Link]]:
        """Every <a> with its resolved link, duplicates kept (menus repeat links with other texts)."""
        return list(self._anchors)

    @lazy
    def _anchors(self) -> list[tuple[LexborNode, Link]]:
        found = []
        for node in self.tree.css("a[href]"):
            url = self.resolve(node.attributes.get("href") or "")
            if url is not None:
                link = Link(url, clean_text(node.text()), clean_text(node.attributes.get("title") or ""))
                found.append((node, link))
        return found

    def resolve(self, href: str) -> str | None:
        """`absolute_url(self.base_url, href)`, remembered per href (menus repeat the same links)."""
        if href not in self._resolved:
            self._resolved[href] = self._hrefs.resolve(href)
        return self._resolved[href]

    @lazy
    def _hrefs(self) -> HrefResolver:
        return HrefResolver(self.base_url)

    @lazy
    def visible_text(self) -> str:
        """Text a reader sees: body text without scripts and styles."""
        tree = LexborHTMLParser(self.text)
        tree.strip_tags(["script", "style", "noscript", "template"])
        body = tree.body or tree.root
        return clean_text(body.text(separator=" ")) if body is not None else ""

    @lazy
    def scripts(self) -> list[str]:
        """Absolute URLs of external scripts."""
        urls = []
        for node in self.tree.css("script[src]"):
            url = self.resolve(node.attributes.get("src") or "")
            if url:
                urls.append(url)
        return urls

    @lazy
    def inline_scripts(self) -> list[str]:
        return [node.text() for node in self.tree.css("script") if not node.attributes.get("src")]

    def meta_refresh(self) -> str | None:
        """Target of a `<meta http-equiv=refresh>` redirect, absolute, or None.

        One inside `<noscript>` is skipped: a browser with scripts on, as a visitor's is, ignores it.
        """
        for node in self.tree.css("meta"):
            if (node.attributes.get("http-equiv") or "").lower() != "refresh" or _inside(node, "noscript"):
                continue
            match = _REFRESH.match(node.attributes.get("content") or "")
            if match and match.group(2):
                return self.resolve(match.group(2))
        return None

    def frame_target(self) -> str | None:
        """The main frame of a `<frameset>` page (domain forwarding, old portals), absolute, or None.

        The main frame is the one named main/content/body, else the one the frameset gives the
        remaining space (`*`) or the largest share, else the first with a real address.
        """
        frameset = self.tree.css_first("frameset")
        frames = [node for node in self.tree.css("frameset frame[src]")]
        if frameset is None or not frames:
            return None
        targets = [self.resolve(node.attributes.get("src") or "") for node in frames]
        named = [t for node, t in zip(frames, targets, strict=True)
                 if t and (node.attributes.get("name") or "").lower() in _MAIN_FRAME_NAMES]
        if named:
            return named[0]
        sizes = (frameset.attributes.get("rows") or frameset.attributes.get("cols") or "").split(",")
        if len(sizes) == len(targets):
            ranked = sorted(range(len(sizes)), key=lambda i: _frame_share(sizes[i]), reverse=True)
            for index in ranked:
                if targets[index]:
                    return targets[index]
        return next((t for t in targets if t), None)

    def script_redirect(self, max_visible_chars: int = 300) -> str | None:
        """Target of a simple `window.location = "…"` redirect on an otherwise near-empty page.

        Only pages with little visible text count: a real homepage that merely contains a
        location assignment in some menu script is not a redirect.
        """
        if len(self.visible_text) > max_visible_chars:
            return None
        for script in self.inline_scripts:
            if match := _JS_REDIRECT.search(script):
                target = match.group(1) or match.group(2)
                return self.resolve(target)
        return None
