"""Matching a policy document to its interpretation by title: 《X》解读, 关于《X》的政策解读, X的解读.

Pure functions on strings. A document title is reduced to its core name (the text inside 《》, else
the title without 关于印发…的通知 wrappers); an interpretation title likewise, without 解读 words.
Two cores match when equal, or when the shorter (at least `MIN_CORE` characters) is inside the longer.
"""

from __future__ import annotations

import re

MIN_CORE = 6
_BOOK = re.compile(r"《([^》]{2,80})》")
_DOC_WRAPPER = re.compile(r"^(?:关于)?(?:印发|转发|发布|公布|出台)?|(?:的)?(?:通知|决定|通告|公告)$")
_INTERP_WORDS = re.compile(r"(?:一图读懂|一图看懂|图解|政策解读|文件解读|解读材料|解读|问答|答记者问|新闻发布会)")
_PUNCT = re.compile(r"[\s“”\"'‘’（）()〔〕\[\]【】、，,：:—\-·.。]")
INTERPRETATION_WORDS = ("解读", "图解", "一图读懂", "一图看懂", "答记者问", "问答")


def _squash(text: str) -> str:
    return _PUNCT.sub("", text)


def _normalise(text: str) -> str:
    """Squashed text without the issuer (…关于), 印发/转发 and a trailing 的通知/的决定."""
    core = _squash(text)
    core = re.sub(r"^.{0,24}?关于", "", core)
    for _ in range(2):
        core = _DOC_WRAPPER.sub("", core)
    return core


def document_core(title: str) -> str:
    """The name a document is known by: 《…》 if present, else the title without wrapper words."""
    match = _BOOK.search(title)
    return _normalise(match.group(1) if match else title)


def interpretation_core(title: str) -> str:
    """The document name an interpretation names: 《…》 if present, else the title without 解读 words."""
    if match := _BOOK.search(title):
        return _normalise(match.group(1))
    core = _squash(_INTERP_WORDS.sub("", title))
    core = re.sub(r"^(?:关于|对)", "", core)
    core = re.sub(r"的$", "", core)
    return _normalise(core)


def is_interpretation_title(title: str) -> bool:
    return any(word in title for word in INTERPRETATION_WORDS)


def cores_match(document: str, interpretation: str) -> bool:
    """Whether two cores name the same document."""
    if not document or not interpretation:
        return False
    if document == interpretation:
        return True
    short, long_ = sorted((document, interpretation), key=len)
    return len(short) >= MIN_CORE and short in long_
