"""Reading published messages (留言选登 / 咨询回复 lists): question date, reply date, status.

Pure functions over a `Page`: no network here. List entries come from gkaudit.columns.items
(`list_items`); this module reads what a message row adds: a second date (the reply) and a
status word (已回复 / 未回复 …), and the header of a table that says which date is which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from selectolax.lexbor import LexborNode

from gkaudit.columns.dates import find_dates
from gkaudit.columns.items import list_items
from gkaudit.net.page import Page, clean_text

INVALID = re.compile(r"不予受理|无效留言|重复留言|已撤回|不予处理|不属于受理范围")
OPEN = re.compile(r"未回复|待回复|未答复|待答复|未办结|办理中|处理中|待处理|未处理|受理中|待受理|待办理|未办理|正在办理"
                  r"|转办中|已转办|已受理|暂未回复|尚未回复|等待回复|暂无回复")
ANSWERED = re.compile(r"已回复|已答复|已办结|已反馈|已处理|已回应|办结|已解答|已解决")
ASK_HEADER = re.compile(r"(?:留言|提问|来信|咨询|提交|写信|发布)(?:时间|日期)")
REPLY_HEADER = re.compile(r"(?:回复|答复|办结|反馈|回应)(?:时间|日期)")
# On a message's own page: a labelled reply date, or words saying there is none yet.
DETAIL_REPLY = re.compile(r"(?:回复|答复|办结|反馈)(?:时间|日期)\s*[:：]?\s*(20\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})")
DETAIL_ASK = re.compile(r"(?:留言|提问|来信|咨询|提交|写信)(?:时间|日期)\s*[:：]?\s*(20\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})")
DETAIL_OPEN = re.compile(r"暂未回复|尚未回复|暂无回复|暂无答复|等待回复|正在办理|未回复|待回复|办理中")


@dataclass
class Message:
    """One published message: when it was asked, when (if) it was answered, its state.

    `state`: answered, open, invalid (不予受理, 重复 … — not a valid message), unknown (no status, one date).
    """

    title: str
    url: str
    asked: date | None
    replied: date | None = None
    state: str = "unknown"
    status_text: str = ""
    listed_on: str = ""

    def as_evidence(self) -> dict[str, Any]:
        return {"title": self.title, "url": self.url, "asked": self.asked.isoformat() if self.asked else None,
                "replied": self.replied.isoformat() if self.replied else None, "state": self.state,
                "status_text": self.status_text or None, "listed_on": self.listed_on}


def _row_texts(page: Page) -> dict[str, tuple[str, bool]]:
    """Each content link's row text (the `tr`/`li` holding it) and whether its table's header puts reply first."""
    rows: dict[str, tuple[str, bool]] = {}
    for node in page.tree.css("tr, li, dd, div.item, div.list-item"):
        anchors = node.css("a[href]")
        if not anchors or len(anchors) > 2:
            continue
        for anchor in anchors:
            url = page.resolve(anchor.attributes.get("href") or "")
            if url and url not in rows:
                rows[url] = (clean_text(node.text(separator=" ")), _reply_first(node))
    return rows


def _reply_first(row: LexborNode) -> bool:
    """True when the row's table header names the reply date before the question date."""
    table = row.parent
    while table is not None and table.tag != "table":
        table = table.parent
    if table is None or row.tag != "tr":
        return False
    header = table.css_first("tr")
    if header is None:
        return False
    cells = [clean_text(cell.text()) for cell in header.css("th, td")]
    ask = next((i for i, c in enumerate(cells) if ASK_HEADER.search(c)), None)
    reply = next((i for i, c in enumerate(cells) if REPLY_HEADER.search(c)), None)
    return ask is not None and reply is not None and reply < ask


def read_messages(page: Page, named_list: bool = False, now: date | None = None) -> list[Message]:
    """Message rows of a list page: entries with a date and a status word or a second (reply) date.

    Rows with one date and no status are kept as `unknown` when the page has other message rows, or
    when `named_list` (the page was linked as 留言选登/信件公开 …): their pages may tell. With `now`, month-day
    dates (`[07-20]`) are read too (gkaudit.columns.dates).
    """
    rows = _row_texts(page)
    found: list[Message] = []
    for item in list_items(page, now=now):
        text, reply_first = rows.get(item.url, ("", False))
        rest = text.replace(item.title, " ")
        dates = find_dates(rest, now)
        if not dates:
            continue
        if reply_first and len(dates) >= 2:
            dates = [dates[1], dates[0], *dates[2:]]
        message = Message(item.title, item.url, dates[0], listed_on=page.url)
        if match := INVALID.search(rest):
            message.state, message.status_text = "invalid", match.group(0)
        elif match := OPEN.search(rest):
            message.state, message.status_text = "open", match.group(0)
        elif len(dates) >= 2:
            message.state, message.replied = "answered", max(dates[1], dates[0])
            if match := ANSWERED.search(rest):
                message.status_text = match.group(0)
        elif match := ANSWERED.search(rest):
            message.state, message.status_text = "answered", match.group(0)
        found.append(message)
    if not named_list and not any(m.state != "unknown" for m in found):
        return []  # a dated list without statuses or reply dates is news, not a message list
    return found


def complete_from_detail(message: Message, page: Page, now: date | None = None) -> None:
    """Fill the reply date (or the open state) from the message's own page, where the list did not show it."""
    text = page.visible_text
    if message.asked is None and (match := DETAIL_ASK.search(text)):
        message.asked = next(iter(find_dates(match.group(1), now)), None)
    if match := DETAIL_REPLY.search(text):
        replied = next(iter(find_dates(match.group(1), now)), None)
        if replied is not None:
            message.replied, message.state = replied, "answered"
            return
    if message.state == "unknown" and DETAIL_OPEN.search(text):
        message.state = "open"
