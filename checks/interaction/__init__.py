"""interaction: a working 咨询/建言/留言 channel, and published messages answered in time (互动回应).

Basis: 国办秘函〔2019〕19号 单项否决“互动回应差” (no working consultation/suggestion channel, or a valid
message unanswered over 3 months within the past year) and its deduction (messages and replies not
published within 2 months); 宁政办发〔2021〕20号 items 3 and 12. See RULES.md §4, §7.

Semantics:
- Channels are links named 在线咨询, 政务咨询, 建言献策, 区长/市长/领导信箱, 留言板, 12345 … on the homepage
  and on its 互动交流/政民互动 page (one hop). Links naming 信访, 举报, 纪检 do not count (网上信访 and 纪检举报
  are not consultation channels). A channel works when its page answers (< 400) and is not a soft 404; a
  channel on another host (a city 12345 platform) counts, and is marked off-site.
- Published messages are read from 留言选登/咨询回复/信件公开 lists linked there (or a channel page that is
  itself such a list), up to `max_list_pages` pages each: a row's first date is the question, a second date
  the reply (a table header naming 回复时间 first swaps them); status words 已回复/已办结 vs 未回复/办理中;
  不予受理/重复/无效 rows are not valid messages. Rows with one date and no status are completed from the
  message's own page (up to `max_detail_pages`). A list filled by script is read where the loader is known
  (Hanweb records inline or from dataproxy.jsp, Hanweb xxgk, TRS `?id=`, iframes: gkaudit.columns.listing).
- Verdict: `fail` (veto) when no channel is found on a readable homepage with at least
  `min_homepage_links` links, when every channel found is dead or a soft 404, or when a valid message asked
  within the past `window_days` is still unanswered `unanswered_months` (3) months later. `warn`
  (deduction) when a reply came more than `reply_months` (2) months after the question, when an open
  message is older than that, or when no message list is published. `inconclusive` when the homepage or
  the channels cannot be read (anti-bot gateway, unreachable) or the list is filled by script / shows no
  dates and statuses. A fail outranks inconclusive, which outranks warn.
"""

from __future__ import annotations

from datetime import date

from gkaudit.check import Check, CheckSettings, finding
from gkaudit.checks.interaction.crawl import Channel, InteractionCrawler
from gkaudit.checks.interaction.messages import Message
from gkaudit.context import SiteContext
from gkaudit.model import CheckResult, Finding, Severity, Status

BASIS = "国办秘函〔2019〕19号 单项否决“互动回应差”及扣分项；宁政办发〔2021〕20号 第3、12项"
RULE_CHANNEL = "国办秘函〔2019〕19号 单项否决：未提供有效的咨询建言渠道（网上信访、纪检举报渠道除外）"
RULE_UNANSWERED = "国办秘函〔2019〕19号 单项否决：1年内政务咨询类栏目存在超过3个月未回应的有效留言"
RULE_PUBLISH = "国办秘函〔2019〕19号 扣分项：未在2个月内公开留言及答复"
REASONS_ZH = {"channel_unreadable": "咨询渠道页面无法读取（反爬虫拦截或抓取预算用尽）",
              "navigation_unreadable": "首页导航可能由脚本生成，未读到链接",
              "list_unreadable": "留言列表无法读取（脚本加载或被拦截）",
              "no_dated_messages": "留言列表中读不出留言日期与回复状态",
              "message_states_unknown": "留言是否已答复，列表与留言页面均未显示"}


class InteractionSettings(CheckSettings):
    unanswered_months: int = 3
    """Months a valid message may stay unanswered (the veto line, 国办秘函〔2019〕19号)."""
    reply_months: int = 2
    """Months within which a reply must be published (the deduction line)."""
    window_days: int = 365
    """Only messages asked within this many days before --now are judged (the veto's “1年内”)."""
    min_homepage_links: int = 20
    """*gkaudit default*: a homepage with fewer links is not trusted to show its navigation (no fail)."""
    max_channels: int = 12
    max_lists: int = 3
    max_list_pages: int = 3
    max_detail_pages: int = 5
    max_fetches: int = 24


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


class Interaction(Check):
    id = "interaction"
    title_zh = "互动回应"
    title_en = "Consultation channel and replies"
    basis = BASIS
    rules_section = "§7"
    description = __doc__ or ""
    Settings = InteractionSettings

    async def run(self, ctx: SiteContext) -> CheckResult:
        settings: InteractionSettings = ctx.settings  # type: ignore[assignment]
        home = await ctx.homepage()
        if not home.ok:
            return self.homepage_unreadable(home)
        crawler = InteractionCrawler(ctx, settings)
        await crawler.gather(home)
        findings: list[Finding] = []
        undecided: list[str] = []
        links = len(home.page().links)
        self._judge_channels(crawler, links, settings, findings, undecided, home.evidence())
        judged = self._judge_messages(crawler, ctx.now, settings, findings, undecided)
        metrics = {
            "channels": [c.as_evidence() for c in crawler.channels],
            "excluded_links": crawler.excluded,
            "lists": [m.as_evidence() for m in crawler.lists],
            "fetches": len(crawler.fetched),
            **judged,
        }
        if undecided:
            metrics["reason"] = undecided
        return self._verdict(findings, undecided, metrics)

    def _judge_channels(self, crawler: InteractionCrawler, links: int, settings: InteractionSettings,
                        findings: list[Finding], undecided: list[str], home_evidence: dict) -> None:
        channels = [c for c in crawler.channels if c.kind in ("channel", "list")]
        working = [c for c in channels if c.state == "working"]
        for channel in working:
            where = "（站外平台）" if channel.off_site else ""
            findings.append(finding("info", f"咨询建言渠道“{channel.text}”可用{where}", url=channel.url,
                                    http_status=channel.status, link_text=channel.text))
        if working:
            return
        unread = [c for c in crawler.channels if c.state in ("blocked", "unread")]
        broken = [c for c in crawler.channels if c.state in ("dead", "soft_404")]
        if unread:  # a channel gkaudit could not open may be the one that works
            undecided.append("channel_unreadable")
            for channel in unread:
                findings.append(finding("info", f"渠道页面“{channel.text}”无法读取：{channel.reason or '未读取'}",
                                        url=channel.url, link_text=channel.text, **_fetch_fields(channel)))
            return
        for channel in broken:
            findings.append(finding("fail", f"咨询建言渠道“{channel.text}”无法使用（{channel.reason}）。"
                                    "整改：修复该渠道页面，确保公众可提交咨询建言。", rule=RULE_CHANNEL,
                                    url=channel.url, link_text=channel.text, **_fetch_fields(channel)))
        if broken:
            return
        hubs = [c for c in crawler.channels if c.kind == "hub"]
        if links < settings.min_homepage_links:
            undecided.append("navigation_unreadable")
            findings.append(finding("info", f"首页仅有 {links} 个链接，导航可能由脚本生成，无法确认是否设有咨询渠道",
                                    url=crawler.home.url if crawler.home else None))
            return
        excluded = "；首页另有不计入的链接：" + "、".join(crawler.excluded[:5]) if crawler.excluded else ""
        hub_note = f"（已查看“{hubs[0].text}”页面）" if hubs else ""
        findings.append(finding("fail", f"首页未找到咨询、建言或留言渠道{hub_note}{excluded}。"
                                "整改：在首页或互动交流栏目开设在线咨询/领导信箱等咨询建言渠道。",
                                rule=RULE_CHANNEL, **home_evidence))

    def _judge_messages(self, crawler: InteractionCrawler, now: date, settings: InteractionSettings,
                        findings: list[Finding], undecided: list[str]) -> dict:
        for listed in crawler.lists:
            if listed.problem and listed.undecided:
                undecided.append("list_unreadable")
                findings.append(finding("info", f"留言列表“{listed.text}”无法判定：{listed.problem}", url=listed.url))
        start = date.fromordinal(now.toordinal() - settings.window_days)
        valid = [m for m in crawler.messages.values()
                 if m.state != "invalid" and m.asked is not None and start <= m.asked <= now]
        open_ = sorted((m for m in valid if m.state == "open"), key=lambda m: m.asked or now)
        answered = [m for m in valid if m.state == "answered"]
        late = [m for m in answered if m.replied and m.replied > add_months(m.asked, settings.reply_months)]  # type: ignore[arg-type]
        counts = {"messages": len(crawler.messages), "valid_in_window": len(valid), "answered": len(answered),
                  "open": len(open_), "unknown": sum(m.state == "unknown" for m in valid),
                  "invalid": sum(m.state == "invalid" for m in crawler.messages.values()), "late_replies": len(late)}
        if not crawler.lists:
            if any(c.state == "working" for c in crawler.channels):
                findings.append(finding("warn", "未找到公开的留言及答复（留言选登、咨询回复等栏目）。"
                                        "整改：在2个月内公开留言及答复内容。", rule=RULE_PUBLISH))
        elif crawler.lists and not crawler.messages and "list_unreadable" not in undecided:
            undecided.append("no_dated_messages")
            findings.append(finding("info", "留言列表中未读出留言日期与回复状态，回复时效无法判定",
                                    url=crawler.lists[0].url))
        unknown = [m for m in valid if m.state == "unknown"]
        if unknown and len(unknown) == len(valid):
            undecided.append("message_states_unknown")
            findings.append(finding("info", f"{len(unknown)} 条留言的列表与页面均未显示是否已答复，回复时效无法判定",
                                    url=unknown[0].url, data={"messages": [m.as_evidence() for m in unknown[:10]]}))
        elif unknown:
            findings.append(finding("info", f"另有 {len(unknown)} 条留言未能读出答复状态，未计入判定",
                                    data={"messages": [m.as_evidence() for m in unknown[:10]]}))
        for message in open_:
            assert message.asked is not None
            days = (now - message.asked).days
            if add_months(message.asked, settings.unanswered_months) <= now:
                findings.append(finding("fail", f"有效留言“{message.title[:40]}”自 {message.asked} 起 {days} 天未回复，"
                                        f"超过 {settings.unanswered_months} 个月。整改：尽快答复并公开答复内容。",
                                        rule=RULE_UNANSWERED, url=message.url, matched_text=message.status_text or None,
                                        data=message.as_evidence()))
            elif add_months(message.asked, settings.reply_months) <= now:
                findings.append(finding("warn", f"留言“{message.title[:40]}”自 {message.asked} 起 {days} 天未回复，"
                                        f"超过 {settings.reply_months} 个月。整改：尽快答复并公开。",
                                        rule=RULE_PUBLISH, url=message.url, data=message.as_evidence()))
        for message in late:
            delay = (message.replied - message.asked).days  # type: ignore[operator]
            findings.append(finding("warn", f"留言“{message.title[:40]}”{message.asked} 提出，{message.replied} 才答复"
                                    f"（{delay} 天），超过 {settings.reply_months} 个月。整改：在2个月内答复并公开。",
                                    rule=RULE_PUBLISH, url=message.url, data=message.as_evidence()))
        if valid:
            findings.append(finding("info", f"读到 {len(valid)} 条一年内的有效留言：已答复 {len(answered)}，"
                                    f"未答复 {len(open_)}", url=crawler.lists[0].url if crawler.lists else None,
                                    data=counts))
        oldest = open_[0] if open_ else None
        return {"counts": counts, "oldest_open": _oldest(oldest, now),
                "slowest_reply_days": max(((m.replied - m.asked).days for m in answered  # type: ignore[operator]
                                           if m.replied and m.asked), default=None)}

    def _verdict(self, findings: list[Finding], undecided: list[str], metrics: dict) -> CheckResult:
        severities = {f.severity for f in findings}
        counts = metrics.get("counts", {})
        oldest = metrics.get("oldest_open")
        tail = f"；最早未答复留言 {oldest['asked']}（{oldest['age_days']} 天）" if oldest else ""
        if Severity.FAIL in severities:
            first = next(f for f in findings if f.severity is Severity.FAIL)
            return self.result(Status.FAIL, first.message.split("。整改")[0] + tail, findings, metrics)
        if undecided:
            why = "；".join(REASONS_ZH.get(r, r) for r in dict.fromkeys(undecided))
            return self.result(Status.INCONCLUSIVE, f"无法判定：{why}", findings, metrics)
        summary = f"渠道可用；留言 {counts.get('valid_in_window', 0)} 条，已答复 {counts.get('answered', 0)}{tail}"
        if Severity.WARN in severities:
            warns = sum(f.severity is Severity.WARN for f in findings)
            return self.result(Status.WARN, f"{summary}；{warns} 项扣分问题", findings, metrics)
        return self.result(Status.PASS, summary, findings, metrics)


def _fetch_fields(channel: Channel) -> dict:
    evidence = dict(channel.evidence)
    evidence.pop("url", None)
    return evidence


def _oldest(message: Message | None, now: date) -> dict | None:
    if message is None or message.asked is None:
        return None
    return {**message.as_evidence(), "age_days": (now - message.asked).days}
