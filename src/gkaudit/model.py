"""The JSON contract: statuses, findings, results and reports.

Everything a renderer or a CI job reads is defined here. Bump SCHEMA_VERSION on any
incompatible change to these models.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.2"  # 1.1: interrupted, unfinished, shard; 1.2: Finding.fix, CheckResult.waived_status, .waiver


class Status(StrEnum):
    """The verdict of one check on one site."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"
    SKIPPED = "skipped"
    WAIVED = "waived"

    @property
    def label_zh(self) -> str:
        return STATUS_LABELS_ZH[self]


STATUS_LABELS_ZH: dict[Status, str] = {
    Status.PASS: "通过",
    Status.WARN: "警告",
    Status.FAIL: "不合格",
    Status.INCONCLUSIVE: "无法判定",
    Status.ERROR: "检查出错",
    Status.SKIPPED: "不适用",
    Status.WAIVED: "豁免",
}


class Severity(StrEnum):
    """How much one finding weighs: `fail` findings make a check fail, `warn` ones warn."""

    INFO = "info"
    WARN = "warn"
    FAIL = "fail"


class Evidence(BaseModel):
    """What a site owner needs to verify a finding. Every field is optional; fill what applies."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    matched_text: str | None = None
    link_text: str | None = None
    address: str | None = None
    dns: dict[str, list[str]] | None = None
    failure: str | None = None
    detail: str | None = None
    data: dict[str, Any] | None = None


class Finding(BaseModel):
    """One observation of a check, with its evidence and the rule it rests on."""

    model_config = ConfigDict(extra="forbid")

    severity: Severity
    message: str
    evidence: Evidence = Field(default_factory=Evidence)
    rule: str | None = None
    fix: str | None = None  # a short Chinese hint: what to add or change on the site


class WaiverInfo(BaseModel):
    """The waiver from targets.yaml that applied to a result; `expired` ones hide nothing."""

    model_config = ConfigDict(extra="forbid")

    reason: str
    expires: date
    expired: bool = False


class CheckResult(BaseModel):
    """The outcome of one check on one site."""

    model_config = ConfigDict(extra="forbid")

    check: str
    title: str
    status: Status
    summary: str
    basis: str
    findings: list[Finding] = Field(default_factory=list)
    metrics: dict[str, Any] = Field(default_factory=dict)
    duration_ms: int = 0
    # A waived result keeps what the check found: its own status here, its findings above.
    waived_status: Status | None = None
    waiver: WaiverInfo | None = None

    @property
    def effective_status(self) -> Status:
        """What the check found, waiver or not (the underlying status of a `waived` result)."""
        return self.waived_status or self.status


class SiteReport(BaseModel):
    """All results for one target site, in the order the checks were registered."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    url: str
    kind: str
    parent: str | None = None
    tags: list[str] = Field(default_factory=list)
    results: list[CheckResult] = Field(default_factory=list)

    def result(self, check_id: str) -> CheckResult | None:
        return next((r for r in self.results if r.check == check_id), None)


class ToolInfo(BaseModel):
    name: str = "gkaudit"
    version: str


class ScannerFacts(BaseModel):
    """Facts about the machine that ran the scan; they qualify every network verdict."""

    resolver: str
    now: date
    allow_private: bool
    ipv6_route: bool | None = None
    ipv6_usable: bool | None = None
    ipv6_reason: str | None = None
    online: bool | None = None
    online_reason: str | None = None
    checks: list[str] = Field(default_factory=list)
    render: str | None = None  # --render: auto, never or always
    render_reason: str | None = None  # why no page could be rendered (no Chromium, no Playwright, never)
    browsers_started: int = 0  # headless Chromium instances started (at most one per scan)
    pages_rendered: int = 0
    pages_not_rendered: int = 0  # pages that needed the browser when none was available
    sites_at_once: int = 0  # the most sites audited at the same time (slices merged: their sum)


class ScanReport(BaseModel):
    """The whole scan. This is what `--format json` writes and `gkaudit schema` describes."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    tool: ToolInfo
    started_at: datetime
    finished_at: datetime
    scanner: ScannerFacts
    sites: list[SiteReport] = Field(default_factory=list)
    totals: dict[str, int] = Field(default_factory=dict)
    interrupted: bool = Field(default=False, description="the scan was stopped (SIGINT/SIGTERM) before every "
                                                         "site finished; `unfinished` lists the rest")
    unfinished: list[str] = Field(default_factory=list, description="ids of the selected sites with no result")
    shard: str | None = Field(default=None, description="K/N when this report is one slice (--shard) of a scan")

    def count_statuses(self) -> dict[str, int]:
        counts = empty_totals()
        for site in self.sites:
            add_totals(counts, site)
        return counts


def empty_totals() -> dict[str, int]:
    return {status.value: 0 for status in Status}


def add_totals(counts: dict[str, int], site: SiteReport) -> None:
    """Add one site's result statuses to `counts` (as ScanReport.totals holds them)."""
    for result in site.results:
        counts[result.status.value] += 1
