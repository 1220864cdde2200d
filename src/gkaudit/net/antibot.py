"""Recognise anti-bot gateways (RULES.md §5): their challenge pages mean `blocked`, not `missing`."""

from __future__ import annotations

import re

_SCRIPT = re.compile(rb"<script", re.I)
_WAF_WORDS = ("安全狗", "云锁", "创宇盾", "知道创宇", "访问被拦截", "Request Blocked", "Access Denied by WAF",
              "您的访问请求可能对网站造成安全威胁", "非法访问", "WebShieldSession")


def detect_antibot(status: int, headers: dict[str, str], body: bytes) -> str | None:
    """Why this response looks like an anti-bot challenge, or None. Headers must be lower-cased."""
    cookies = headers.get("set-cookie", "")
    small = len(body) < 64_000
    has_script = bool(_SCRIPT.search(body[:64_000]))
    if status in (412, 202) and small and (b"$_ts" in body or (status == 412 and has_script)):
        return f"HTTP {status} 与 $_ts 脚本：瑞数动态防护挑战页 (Botgate challenge)"
    if status == 521 and ("__jsluid" in cookies or b"document.cookie" in body):
        return "HTTP 521 与 __jsluid Cookie：加速乐挑战页 (Jiasule challenge)"
    if status in (403, 405, 418, 422, 468, 493) and small:
        text = body[:64_000].decode("utf-8", errors="replace")
        if word := next((w for w in _WAF_WORDS if w in text), None):
            return f"HTTP {status}，页面含“{word}”：Web 应用防火墙拦截 (WAF block)"
        if has_script and b"document.cookie" in body and len(body) < 8_000:
            return f"HTTP {status} 与设置 Cookie 的脚本：反爬虫挑战页 (script challenge)"
    return None
