"""The text of a report: its six sections, its format generation, and the items section 六 must report.

Pure functions over the report's text (RULES.md §6). Headings are tolerated in every numbering seen
in practice: 一、/一．/一. /（一）/(一)/第一部分, full-width or half-width, with spaces anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NUMERALS = "一二三四五六"


@dataclass(frozen=True)
class SectionSpec:
    number: int
    title: str
    keys: tuple[str, ...]   # regexes: any one in the heading (or, failing a heading, anywhere) names it


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(1, "总体情况", (r"总体情况", r"基本情况", r"总体概况", r"概述")),
    SectionSpec(2, "主动公开政府信息情况", (r"主动公开政府信息(?:的)?情况", r"主动公开政府信息", r"主动公开(?:工作)?情况")),
    SectionSpec(3, "收到和处理政府信息公开申请情况", (r"收到和处理政府信息公开申请", r"收到(?:和|及)处理.{0,4}申请",
                                                     r"依申请公开(?:政府信息)?(?:工作)?(?:的)?情况")),
    SectionSpec(4, "政府信息公开行政复议、行政诉讼情况", (r"行政复议[、，,和及与]?(?:提起)?行政诉讼",)),
    SectionSpec(5, "存在的主要问题及改进情况", (r"存在(?:的)?(?:主要)?问题", r"主要问题(?:及|和)改进", r"问题(?:及|和)改进")),
    SectionSpec(6, "其他需要报告的事项", (r"其他需要报告的事项", r"其他需要报告")),
)


def squeeze(text: str) -> str:
    """The text without any white space (half- and full-width): headings are matched on this."""
    return re.sub(r"[\s\u3000\xa0]+", "", text)


def _heading(number: int) -> str:
    n = _NUMERALS[number - 1]
    return rf"(?:第{n}部分[、，,:：.．]?|(?<![（(]){n}[、．.，,:：]|[（(]{n}[)）])"


@dataclass
class SectionHit:
    spec: SectionSpec
    position: int | None          # where the section starts in the squeezed text; None: not found
    how: str                      # "heading" (numbered heading), "mentioned" (its name only), "missing"
    matched: str = ""


@dataclass
class Sections:
    hits: list[SectionHit] = field(default_factory=list)

    @property
    def missing(self) -> list[SectionSpec]:
        return [hit.spec for hit in self.hits if hit.how == "missing"]

    @property
    def found(self) -> int:
        return sum(1 for hit in self.hits if hit.how != "missing")

    def text_of(self, number: int, squeezed: str) -> str:
        """The squeezed text of section `number`: from its heading to the next found heading (or the end)."""
        hit = self.hits[number - 1]
        if hit.position is None:
            return ""
        later = [h.position for h in self.hits if h.position is not None and h.position > hit.position]
        return squeezed[hit.position:min(later, default=len(squeezed))]


def find_sections(text: str) -> Sections:
    """Where each of the six sections starts: a numbered heading with its name, else its name anywhere.

    A section counts as missing only when its name (any of its accepted variants) appears nowhere.
    Numbered headings are searched in order, each after the previous one found.
    """
    squeezed = squeeze(text)
    hits: list[SectionHit] = []
    after = 0
    for spec in SECTIONS:
        names = "|".join(spec.keys)
        pattern = re.compile(rf"{_heading(spec.number)}[^。；;]{{0,12}}?(?:{names})")
        match = pattern.search(squeezed, after) or pattern.search(squeezed)
        if match:
            hits.append(SectionHit(spec, match.start(), "heading", match.group(0)))
            after = max(after, match.end())
            continue
        loose = re.search(names, squeezed)
        if loose:
            hits.append(SectionHit(spec, loose.start(), "mentioned", loose.group(0)))
        else:
            hits.append(SectionHit(spec, None, "missing"))
    return Sections(hits)


# --- format generation -----------------------------------------------------------------------------
MARKS_2019 = (r"本年新制作数量", r"本年新公开数量", r"对外公开总数量", r"政府集中采购")
MARKS_2021 = (r"本年制发件数", r"本年废止件数", r"现行有效件数", r"本年处理决定数量", r"本年收费金额")
MARKS_2021_TABLE3 = (r"逾期不补正", r"逾期未按收费通知", r"逾期未缴纳")


@dataclass(frozen=True)
class Generation:
    """Which format the report follows: "2021" (国办公开办函〔2021〕30号), "2019" (the trial format), or None."""

    name: str | None
    marks_2019: tuple[str, ...]
    marks_2021: tuple[str, ...]


def format_generation(text: str) -> Generation:
    """Decided on Table 2's column names: the 2019 trial format's 本年新制作数量/本年新公开数量/对外公开总数量
    and 政府集中采购 (two or more, none of 2021's) make a 2019 report; 2021's 本年制发件数, 现行有效件数, …
    make a 2021 one. Without Table 2, the 2021 sub-items of Table 3 （六） (逾期不补正 …) decide.
    """
    squeezed = squeeze(text)
    old = tuple(m for m in MARKS_2019 if re.search(m, squeezed))
    new = tuple(m for m in MARKS_2021 if re.search(m, squeezed))
    if len(old) >= 2 and not new:
        return Generation("2019", old, new)
    if new:
        return Generation("2021", old, new)
    later = tuple(m for m in MARKS_2021_TABLE3 if re.search(m, squeezed))
    return Generation("2021" if later else None, old, later)


# --- what section 六 must report -------------------------------------------------------------------
KEY_POINTS = re.compile(r"(?:政务公开)?工作要点.{0,40}?(?:落实|完成|推进|执行)|(?:落实|完成|推进).{0,30}?工作要点")
PROCESSING_FEE = re.compile(r"信息处理费")


def mentions(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(squeeze(text))
    return match.group(0) if match else None
