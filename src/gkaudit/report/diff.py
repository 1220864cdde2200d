"""Two reports compared: what got worse, what got fixed, what merely changed. Pure functions.

The regression order (documented in README "gkaudit diff"):
- ranked statuses: `pass` (0) < `warn` (1) < `fail` (2); `error` ranks as `fail` (as `--fail-on` does);
  `waived` ranks as `pass` (a waiver hides the result from the exit code), so a waiver that expires on a
  still failing site is a new failure;
- `inconclusive` and `skipped` are not ranked: a site that became unreadable is not proven worse, one
  that became readable is not proven fixed.
`new_failure`: fails (fail/error) now and did not fail in the baseline — whatever it was (pass, warn,
waived, inconclusive, skipped) or if it was absent (a new site or check); so pass → inconclusive →
fail over three nights is still caught. `worse`: pass/waived → warn. Both are regressions. `fixed`:
warn/fail/error → pass/waived; `improved`: fail/error → warn; any other change is `changed`
(to inconclusive or skipped, inconclusive → pass/warn, fail <-> error, pass <-> waived). Only statuses
count: timings (duration_ms, started_at, finished_at), summaries and metrics never do.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, Field

from gkaudit.model import ScanReport, Status
from gkaudit.report.outline import ReportOutline

RANK: dict[Status, int] = {Status.PASS: 0, Status.WAIVED: 0, Status.WARN: 1, Status.FAIL: 2, Status.ERROR: 2}
Kind = Literal["new_failure", "worse", "fixed", "improved", "changed"]
REGRESSIONS = ("new_failure", "worse")
KIND_LABELS_ZH: dict[str, str] = {
    "new_failure": "新增不合格", "worse": "变差", "fixed": "已修复", "improved": "好转", "changed": "状态变化",
}


class Change(BaseModel):
    site: str
    site_name: str
    check: str
    old: Status | None  # None: the result is new (new site or check)
    new: Status
    kind: Kind
    summary: str = ""


class SiteRef(BaseModel):
    id: str
    name: str


class ReportDiff(BaseModel):
    """The comparison `gkaudit diff` prints as json; changes in new-report order (removed sites last)."""

    old_started_at: str
    new_started_at: str
    changes: list[Change] = Field(default_factory=list)
    new_sites: list[SiteRef] = Field(default_factory=list)
    removed_sites: list[SiteRef] = Field(default_factory=list)

    @property
    def regressions(self) -> list[Change]:
        return [c for c in self.changes if c.kind in REGRESSIONS]

    @property
    def worse(self) -> bool:
        return bool(self.regressions)

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def unchanged(self) -> bool:
        return not (self.changes or self.new_sites or self.removed_sites)


def classify(old: Status | None, new: Status) -> Kind | None:
    """The kind of change from `old` to `new`, None when there is none worth reporting."""
    if old == new:
        return None
    if RANK.get(new) == 2 and RANK.get(old) != 2:  # fails now, did not fail in the baseline
        return "new_failure"
    if old is None:
        return None
    if old in RANK and new in RANK:
        before, after = RANK[old], RANK[new]
        if after > before:
            return "new_failure" if after == 2 else "worse"
        if after < before:
            return "fixed" if after == 0 else "improved"
        return "changed"  # fail <-> error, pass <-> waived
    return "changed"


def diff_reports(old: ScanReport | ReportOutline, new: ScanReport | ReportOutline) -> ReportDiff:
    """Compare by site id and check id; the order is the new report's, then removed sites in old order.
    Either side may be an outline (report/outline.py: what a big report's comparison keeps in memory)."""
    old = old if isinstance(old, ReportOutline) else ReportOutline.of(old)
    new = new if isinstance(new, ReportOutline) else ReportOutline.of(new)
    old_sites = {site.id: site for site in old.sites}
    new_ids = {site.id for site in new.sites}
    result = ReportDiff(old_started_at=old.started_at.isoformat(), new_started_at=new.started_at.isoformat())
    for site in new.sites:
        before = old_sites.get(site.id)
        if before is None:
            result.new_sites.append(SiteRef(id=site.id, name=site.name))
        for check, (status, summary) in site.results.items():
            previous = before.results.get(check) if before is not None else None
            old_status = previous[0] if previous is not None else None
            kind = classify(old_status, status)
            if kind is not None:
                result.changes.append(Change(site=site.id, site_name=site.name, check=check,
                                             old=old_status, new=status, kind=kind, summary=summary))
    result.removed_sites = [SiteRef(id=s.id, name=s.name) for s in old.sites if s.id not in new_ids]
    return result


def _label(status: Status | None) -> str:
    return "（无）" if status is None else f"{status.label_zh} {status.value}"


def headline(diff: ReportDiff) -> str:
    if diff.unchanged:
        return "与基线相比没有变化 / no change"
    counts = [f"{KIND_LABELS_ZH[k]} {len(diff.of_kind(k))}" for k in KIND_LABELS_ZH if diff.of_kind(k)]
    if diff.new_sites:
        counts.append(f"新增站点 {len(diff.new_sites)}")
    if diff.removed_sites:
        counts.append(f"移除站点 {len(diff.removed_sites)}")
    verdict = "有退步 / regressions" if diff.worse else "没有退步 / no regression"
    return f"{verdict}：" + "，".join(counts)


def render_diff_text(diff: ReportDiff) -> str:
    """Plain lines for a terminal: one per change, grouped by kind (regressions first)."""
    lines = [headline(diff)]
    for kind in KIND_LABELS_ZH:
        for change in diff.of_kind(kind):
            lines.append(f"  {KIND_LABELS_ZH[kind]:<6} {change.site} {change.check}: "
                         f"{_label(change.old)} → {_label(change.new)}  {change.site_name}")
    for site in diff.new_sites:
        lines.append(f"  新增站点   {site.id}  {site.name}")
    for site in diff.removed_sites:
        lines.append(f"  移除站点   {site.id}  {site.name}")
    return "\n".join(lines) + "\n"


def render_diff_markdown(diff: ReportDiff) -> str:
    lines = ["### 与基线对比 / compared with the baseline", "", headline(diff), ""]
    if diff.changes:
        lines += ["| 变化 | 站点 | 检查 | 之前 | 现在 |", "|---|---|---|---|---|"]
        for kind in KIND_LABELS_ZH:
            for c in diff.of_kind(kind):
                lines.append(f"| {KIND_LABELS_ZH[kind]} | {_md(c.site_name)} (`{c.site}`) | `{c.check}` "
                             f"| {_label(c.old)} | {_label(c.new)} |")
        lines.append("")
    for title, sites in (("新增站点", diff.new_sites), ("移除站点", diff.removed_sites)):
        if sites:
            lines.append(f"{title}：" + "、".join(f"{_md(s.name)} (`{s.id}`)" for s in sites))
            lines.append("")
    return "\n".join(lines)


def render_diff_json(diff: ReportDiff) -> str:
    document = diff.model_dump(mode="json")
    document["regression"] = diff.worse
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render_diff(diff: ReportDiff, output_format: str) -> str:
    renderers = {"table": render_diff_text, "markdown": render_diff_markdown, "json": render_diff_json}
    return renderers[output_format](diff)


def _md(text: str) -> str:
    return text.replace("|", "\\|")
