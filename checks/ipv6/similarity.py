"""How alike the IPv4 and IPv6 homepages are: normalised HTML, compared line by line.

Pure functions over strings; the check decides the threshold.
"""

from __future__ import annotations

import difflib
import re

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
