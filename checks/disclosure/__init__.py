"""disclosure: the 政府信息公开专栏 and its four required sub-columns, alive and current.

Basis: 国办公开办函〔2019〕61号; 政府信息公开条例 Art. 12, 24, 28, 49 (RULES.md §2).

Semantics:
- The column is found on the homepage by link text and URL slug, scored and ranked (the chosen link
  and the runners-up are in the evidence); a target's `disclosure_url` (targets.yaml) takes precedence.
  One hop is allowed: a 政务公开 page that links the 政府信息公开 column proper.
- Each sub-column — guide 指南, system 制度, statutory content 法定主动公开内容, annual report 年报 — and the
  on-request channel 依申请公开 are looked for on the column page, then on the homepage.
- A sub-column counts when its page answers (status < 400), is not a soft 404 (redirect to the
  homepage, an error page served with 200, the homepage's own title and text) and is not blank (a
  list with dated items, or at least `min_article_chars` of article text; for 法定主动公开内容 also a
  page of at least two child columns). A list filled by script is read through its endpoint where
  the CMS pattern is known (Hanweb dataproxy.jsp, Hanweb /module/xxgk/, TRS `?id=` shells, iframes);
  any other script-built page (and, with `--render always`, every column page) is judged as headless
  Chromium renders it, the homepage and column page are rendered before a link is called missing, and
  such findings say `rendered` in their evidence. Without a browser they stay inconclusive.
- The guide must show the office's address, phone, and hours or an online channel (Art. 12): a gap is a warn.
- Annual reports are recognised by year in their titles. On `--now` date N in year Y, a department
  must show year Y-1's report after 31 January, a government (portal, district, new_area) after
  31 March; before the deadline, year Y-2's is the latest due.
- Verdict: fail when the column or a required sub-column is missing, dead, a soft 404 or blank, or
  the due annual report is absent; inconclusive (with the reason in metrics `inconclusive_reasons`)
  when a page that decides it could not be read (anti-bot gateway, unreadable homepage, script-only
  list with an unknown endpoint); warn for guide gaps or no working on-request channel; else pass.
  A failure outranks an inconclusive part; an inconclusive part outranks a warning. A column that is
  missing, dead or unreadable is one verdict: its sub-columns are then reported (info) where the
  homepage links them, never called missing a second time.
"""

from __future__ import annotations

from gkaudit.check import Check, CheckSettings
from gkaudit.checks.disclosure.audit import DisclosureAudit
from gkaudit.checks.disclosure.vocabulary import BASIS
from gkaudit.context import SiteContext
from gkaudit.model import CheckResult


class DisclosureSettings(CheckSettings):
    """Per-site overrides go under targets.yaml `settings.disclosure`."""

    min_article_chars: int = 150
    """Article text (characters) that makes a page without a dated list non-blank."""
    max_list_pages: int = 3
    """List pages read in the annual-report column (pagination followed)."""
    soft404_similarity: float = 0.9
    """How alike a page must be to the homepage (same title) to count as the homepage served again."""
    check_guide_contents: bool = True
    """Check the guide for address, phone, hours or online channel (Art. 12)."""


class Disclosure(Check):
    id = "disclosure"
    title_zh = "政府信息公开专栏"
    title_en = "Disclosure column"
    basis = BASIS
    description = __doc__ or ""
    Settings = DisclosureSettings

    async def run(self, ctx: SiteContext) -> CheckResult:
        settings: DisclosureSettings = ctx.settings  # type: ignore[assignment]
        audit = DisclosureAudit(ctx, settings)
        status, summary = await audit.execute()
        return self.result(status, summary, audit.findings, audit.metrics)
