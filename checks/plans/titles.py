"""Classify a list item's title as a plan document: its generation(s) and its type. Pure, no I/O.

Contract: `classify_title(title) -> PlanTitle`. `PlanTitle.is_plan` is True only for the plan
document itself (or the notice that publishes it: 关于印发《…规划》的通知). Documents *about* a
plan — 解读/图解, 中期评估/总结, 征求意见稿/草案, 公示/许可, 编制 news — are not plans: they get
`related=True` and a `reason`, are listed in the evidence, and are never counted towards a
requirement (a 解读 or an evaluation report is no substitute for the plan it talks about).

Generations are the five-year plan numbers (14 = 十四五, 2021–2025; 15 = 十五五, 2026–2030),
recognised from 十四五 / “十四五” / 第十四个五年 and from a year range covering exactly that period.
Types: outline (规划纲要), spatial (国土空间 and its predecessors), regional (区域…), special (any
other sectoral plan), other (annual 国民经济和社会发展计划, or a plan whose field cannot be told).
The vocabulary below is data: extend the tuples, not the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# --- vocabulary ----------------------------------------------------------------------------------
CN_DIGITS = "〇一二三四五六七八九十"
GENERATION_FIRST_YEAR = {n: 2021 + 5 * (n - 14) for n in range(11, 20)}
PLAN_TYPES = ("outline", "special", "spatial", "regional", "other")
TYPE_LABELS_ZH = {"outline": "规划纲要", "special": "专项规划", "spatial": "国土空间规划",
                  "regional": "区域规划", "other": "其他规划"}

#: Words that make a title a document *about* a plan, checked before anything else.
RELATED_MARKERS: tuple[tuple[str, str], ...] = (
    ("解读", "解读"), ("图解", "解读"), ("一图读懂", "解读"), ("答记者问", "解读"), ("问答", "解读"),
    ("中期评估", "评估"), ("评估报告", "评估"), ("实施评估", "评估"), ("总结", "总结"),
    ("征求意见", "征求意见稿"), ("意见建议", "征求意见稿"), ("草案", "草案"), ("送审稿", "草案"),
    ("执行情况", "执行情况报告"), ("完成情况", "执行情况报告"), ("进展情况", "执行情况报告"),
    ("公示", "公示"), ("许可", "规划许可"), ("批前", "公示"), ("听证", "公示"),
    ("编制", "编制工作"), ("招标", "采购招标"), ("采购", "采购招标"), ("中标", "采购招标"),
    ("环境影响", "规划环评"), ("座谈", "会议新闻"), ("调研", "会议新闻"), ("宣讲", "会议新闻"),
)
#: Publishing wrappers: 关于印发《X》的通知 is the publication of X.
WRAPPERS = (re.compile(r"(?:印发|发布|公布|公开|转发|出台)[^《]{0,12}《(?P<inner>[^》]{4,})》"),
            re.compile(r"^关于(?:印发|发布|公布|转发)(?P<inner>.{4,}?)的(?:通知|公告|通告)$"))
#: Trailing qualifiers stripped before the head-word test: (2021—2025年), (修订), (公开版), 全文…
TRAILING = re.compile(r"(?:[(\[（【][^()\[\]（）【】]{0,24}[)\]）】]|全文|文本|正文|调整完善|修改|修订|\.pdf|\.docx?|\s)+$", re.I)
#: A title is a plan only if it ends with one of these head words (after the trailing qualifiers).
PLAN_HEADS = ("规划纲要", "纲要", "规划", "规划修编", "规划调整")
ANNUAL_PLAN = re.compile(r"国民经济和社会发展计划$")
OUTLINE_NAME = re.compile(r"(?:国民经济和社会|经济社会)发展.*规划"
                          r"|五(?:年)?(?:经济社会发展|发展)?规划(?:和.{0,12}远景目标)?纲要$")
SPATIAL_MARKERS = ("国土空间", "土地利用总体规划", "城市总体规划", "控制性详细规划", "村庄规划", "分区规划")
REGIONAL_MARKERS = ("区域", "一体化", "都市圈", "城市群", "经济带", "协同发展", "跨界", "毗邻")
SPECIAL_MARKERS = ("专项规划", "专项")
#: Column names, not documents: a menu link 专项规划 or “十四五”规划 is not a plan (generation words removed first).
COLUMN_NAMES = frozenset({"规划", "发展规划", "专项规划", "国土空间规划", "区域规划", "总体规划", "规划纲要", "规划信息",
                          "规划计划", "五年规划", "其他规划", "历史规划", "规划文件", "相关规划", "国民经济和社会发展规划"})
YEAR_RANGE = re.compile(r"((?:19|20)\d{2})\s*(?:年)?\s*[-—–~～至到－]+\s*((?:19|20)\d{2})")
QUOTES = re.compile(r"[“”\"'‘’「」『』〝〞]")


def generation_label(number: int) -> str:
    """14 -> 十四五."""
    tens, units = divmod(number, 10)
    return ("十" if tens == 1 else f"{CN_DIGITS[tens]}十") + (CN_DIGITS[units] if units else "") + "五"


def generation_words(number: int) -> tuple[str, ...]:
    """Ways a title names generation `number`: 十四五, 第十四个五年."""
    ordinal = generation_label(number)[:-1]
    return (generation_label(number), f"第{ordinal}个五年", f"{ordinal}个五年")


def generation_of_year(year: int) -> int:
    """The five-year plan generation a calendar year belongs to (2026 -> 15)."""
    return 14 + (year - 2021) // 5


# --- result --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanTitle:
    """What a title says: a plan (with type and generations), a related document, or neither."""

    title: str
    is_plan: bool
    plan_type: str | None = None
    generations: frozenset[int] = field(default_factory=frozenset)
    related: bool = False
    reason: str = ""

    @property
    def generation_labels(self) -> list[str]:
        return [generation_label(n) for n in sorted(self.generations)]


def normalise(title: str) -> str:
    """Drop quotes and spaces, unify brackets and dashes: “十四五” -> 十四五."""
    text = QUOTES.sub("", title)
    text = re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")
    return text.replace("...", "…")


def find_generations(text: str) -> frozenset[int]:
    """Generations named in `text` by word or by a year range covering exactly one five-year period."""
    found = {n for n in GENERATION_FIRST_YEAR if any(w in text for w in generation_words(n))}
    for match in YEAR_RANGE.finditer(text):
        first, last = int(match.group(1)), int(match.group(2))
        if last - first == 4 and (first - 2021) % 5 == 0:
            found.add(generation_of_year(first))
    return frozenset(found)


def _head(text: str) -> str:
    """The title without its trailing qualifiers (years, 修订, 全文, file extensions)."""
    previous = None
    while previous != text:
        previous, text = text, TRAILING.sub("", text)
    return text


def classify_title(title: str) -> PlanTitle:
    """Classify one title (see the module docstring for the contract)."""
    text = normalise(title)
    inner = text.replace("《", "").replace("》", "")
    for wrapper in WRAPPERS:
        if match := wrapper.search(text):
            inner = match.group("inner").strip("《》")
            break
    generations = find_generations(text)
    for word, reason in RELATED_MARKERS:
        if word in text:
            is_about_plan = any(w in text for w in ("规划", "纲要", "国民经济和社会发展计划")) or bool(generations)
            return PlanTitle(title, False, generations=generations, related=is_about_plan,
                             reason=f"{reason}（含“{word}”），不是规划文本本身")
    head = _head(inner)
    if _strip_generations(head, generations) in COLUMN_NAMES:
        return PlanTitle(title, False, generations=generations, reason="栏目名称，不是规划文件")
    if ANNUAL_PLAN.search(head):
        return PlanTitle(title, True, "other", generations, reason="年度国民经济和社会发展计划")
    if not head.endswith(PLAN_HEADS):
        return PlanTitle(title, False, generations=generations, reason="标题不以“规划/纲要”结尾，不是规划文本")
    plan_type = _plan_type(head, generations)
    return PlanTitle(title, True, plan_type, generations, reason=TYPE_LABELS_ZH[plan_type])


def _plan_type(head: str, generations: frozenset[int]) -> str:
    if OUTLINE_NAME.search(head):
        return "outline"
    if any(m in head for m in SPATIAL_MARKERS):
        return "spatial"
    if any(m in head for m in REGIONAL_MARKERS):
        return "regional"
    if any(m in head for m in SPECIAL_MARKERS):
        return "special"
    if _names_a_field(head, generations):
        return "special"
    return "other"


def _strip_generations(head: str, generations: frozenset[int], mark: str = "") -> str:
    """`head` with its generation words and five-year ranges replaced by `mark`."""
    for number in generations:
        for word in generation_words(number):
            head = head.replace(word, mark)
    return YEAR_RANGE.sub(mark, head)


def _names_a_field(head: str, generations: frozenset[int]) -> bool:
    """Something is left between the place/generation words and 规划: e.g. 十四五 + 交通运输发展 + 规划."""
    rest = _strip_generations(head, generations, "|")
    tail = rest.rsplit("|", 1)[-1] if "|" in rest else rest
    tail = re.sub(r"(?:规划纲要|纲要|规划|规划修编|规划调整)$", "", tail)
    tail = re.sub(r"^(?:时期|期间|年)", "", tail)
    return len(tail) >= 2
