"""Pure helpers of the ipv6 check: address classes, registrable domains, HTML similarity, the badge claim.

No network here: everything takes strings and returns values, so each rule is tested on its own.
"""

from __future__ import annotations

import difflib
import ipaddress
import re

from selectolax.lexbor import LexborHTMLParser

# NAT64 prefixes: the well-known one (RFC 6052) and the local-use one (RFC 8215). A resolver doing
# DNS64 synthesises such answers for IPv4-only names; they are not the site's own IPv6.
NAT64_PREFIXES = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))

# Second-level public suffixes under .cn (CNNIC's categories and the provincial ones) and a few
# common elsewhere. A name below one of these has its registrable domain one label further in.
_CN_SECOND_LEVEL = (
    "gov com net org edu ac mil "
    "bj tj he sx nm ln jl hl sh js zj ah fj jx sd ha hb hn gd gx hi cq sc gz yn xz sn gs qh nx xj tw hk mo"
).split()
PUBLIC_SUFFIXES = frozenset(
    [f"{label}.cn" for label in _CN_SECOND_LEVEL]
    + ["com.hk", "gov.hk", "org.hk", "edu.hk", "com.tw", "gov.tw", "co.uk", "gov.uk", "ac.uk", "org.uk",
       "com.au", "gov.au", "co.jp", "go.jp"]
)


def address_class(address: str) -> str:
    """`native` (a real IPv6 address), `mapped` (::ffff:a.b.c.d, IPv4 in disguise) or `nat64` (synthesised)."""
    ip = ipaddress.ip_address(address)
    if not isinstance(ip, ipaddress.IPv6Address):
        return "ipv4"
    if ip.ipv4_mapped is not None:
        return "mapped"
    if any(ip in prefix for prefix in NAT64_PREFIXES):
        return "nat64"
    return "native"


def ip_literal_version(host: str) -> int | None:
    """4 or 6 when `host` is an IP literal (brackets allowed), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]")).version
    except ValueError:
        return None


def registrable_domain(host: str) -> str:
    """The domain a host's owner registered: `www.njqh.gov.cn` -> `njqh.gov.cn`, `a.b.example.com` -> `example.com`.

    Uses a short built-in list of multi-label public suffixes (gov.cn, com.cn, js.cn, …), not the full
    Public Suffix List. IP literals are returned unchanged.
    """
    host = host.lower().rstrip(".")
    if ip_literal_version(host) is not None:
        return host
    labels = host.split(".")
    if len(labels) <= 2:
        return host
    if ".".join(labels[-2:]) in PUBLIC_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def site_domain(host: str) -> str:
    """The domain whose subdomains count as the site's own (internal links).

    A site on `www.X` or directly on the registrable domain owns the registrable domain; any other
    host (a department on `tjj.nanjing.gov.cn`) shares its parent's: `nanjing.gov.cn`. Both cases
    give the registrable domain, so this is that; it exists to name the rule in one place.
    """
    return registrable_domain(host)


def is_internal(host: str, domain: str) -> bool:
    """True when `host` is `domain` or one of its subdomains."""
    host = host.lower().rstrip(".")
    return host == domain or host.endswith("." + domain)


# --- HTML similarity ---------------------------------------------------------------------------

_NOISE = [
    (re.compile(r"""\s(?:nonce|integrity)\s*=\s*(["'])[^"']*\1""", re.I), " "),
    (re.compile(r"""(?<![\w-])((?:jsessionid|phpsessid|aspsessionid\w*|sessionid|sid|token|csrf\w*|_csrf|"""
                r"""timestamp|ts|_t|t|v|rnd|rand|random)\s*[=:]\s*)(["']?)[^"'&;\s<>]+""", re.I), r"\1\2~"),
    (re.compile(r"\b[0-9a-f]{16,}\b", re.I), "~hex~"),
    (re.compile(r"(?=[A-Za-z0-9+_-]*\d)[A-Za-z0-9+_-]{24,}={0,2}"), "~tok~"),
    (re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"), "~date~"),
    (re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"), "~time~"),
    (re.compile(r"\b1[5-9]\d{8}(?:\d{3})?\b"), "~epoch~"),
]


def normalise_html(html: str) -> list[str]:
    """HTML as comparable lines: nonces, session tokens, timestamps and whitespace neutralised.

    Each tag and each text run becomes one line, so the comparison works per element.
    """
    text = html
    for pattern, replacement in _NOISE:
        text = pattern.sub(replacement, text)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\s+", " ", text)
    parts = re.split(r"(<[^>]*>)", text)
    return [part.strip() for part in parts if part.strip()]


def html_similarity(a: str, b: str, max_lines: int = 20_000) -> float:
    """Share (0..1) of normalised HTML the two pages have in common, weighted by characters.

    1.0 = identical after normalisation; `1 - similarity` is the "difference" the threshold limits.
    """
    lines_a, lines_b = normalise_html(a)[:max_lines], normalise_html(b)[:max_lines]
    total = sum(map(len, lines_a)) + sum(map(len, lines_b))
    if total == 0:
        return 1.0
    matcher = difflib.SequenceMatcher(None, lines_a, lines_b, autojunk=False)
    common = sum(sum(len(line) for line in lines_a[block.a:block.a + block.size])
                 for block in matcher.get_matching_blocks())
    return 2 * common / total


# --- the footer badge ---------------------------------------------------------------------------

_CLAIM = re.compile(r"(?:支持|已支持|全面支持|通过)?\s*IPv6(?:\s*(?:网站|访问|支持|认证|标识))?", re.I)


def ipv6_claim(html: str) -> str | None:
    """The page's own IPv6 claim ("支持IPv6" text, or an image/link named ipv6), or None.

    A claim is what the site says about itself, not evidence; the check reports it beside the measurement.
    """
    tree = LexborHTMLParser(html)
    tree.strip_tags(["script", "style", "noscript"])
    body = tree.body or tree.root
    text = re.sub(r"\s+", " ", body.text(separator=" ")) if body is not None else ""
    matches = list(_CLAIM.finditer(text))
    if matches:  # the last one: badges sit in the footer, news about IPv6 higher up
        match = matches[-1]
        start = max(0, match.start() - 12)
        return text[start:match.end() + 12].strip()
    for node in tree.css("img, a"):
        attrs = node.attributes
        for key in ("alt", "title", "src", "href"):
            value = attrs.get(key) or ""
            if "ipv6" in value.lower():
                return f"<{node.tag} {key}=\"{value[:80]}\">"
    return None
