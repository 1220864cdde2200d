"""The site's own "支持IPv6" claim (footer text or badge): a claim to report, never evidence.

Read by both the ipv6 check (beside the measurement) and the management check (footer identifiers).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

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
