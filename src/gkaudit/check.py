"""The Check contract: metadata, settings and one `async run(ctx)`, plus shorthands for results.

Every check imports this module; discovery (which checks exist) is gkaudit.registry.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError

from gkaudit.errors import ConfigError
from gkaudit.model import CheckResult, Evidence, Finding, Severity, Status
from gkaudit.settings import CheckSettings
from gkaudit.targets import SiteKind, Target

__all__ = ["ALL_KINDS", "Check", "CheckSettings", "finding", "status_from_findings"]

if TYPE_CHECKING:
    from gkaudit.context import SiteContext
    from gkaudit.net.response import Response

ALL_KINDS = frozenset(SiteKind)


class Check:
    """Metadata plus `run`. Subclasses set the class attributes and implement `run`.

    `run` must not print, build its own HTTP client or read the clock: it asks the context.
    It returns a CheckResult (use `self.result(...)`); an exception it raises becomes `error`.
    """

    id: ClassVar[str]
    title_zh: ClassVar[str]
    title_en: ClassVar[str]
    basis: ClassVar[str]
    description: ClassVar[str] = ""
    applies_to: ClassVar[frozenset[SiteKind]] = ALL_KINDS
    Settings: ClassVar[type[CheckSettings]] = CheckSettings
    # Where the check stands in reports: lower first. Checks others depend on (reachability: can the
    # homepage be read at all) come first, so a table reads left to right as cause, then consequence.
    order: ClassVar[int] = 50
    # The RULES.md section that explains this check's rules (e.g. "§7"), added to every finding's rule.
    rules_section: ClassVar[str] = ""

    async def run(self, ctx: SiteContext) -> CheckResult:
        raise NotImplementedError

    @property
    def title(self) -> str:
        return f"{self.title_zh} / {self.title_en}"

    def settings_for(self, target: Target) -> CheckSettings:
        """This check's settings with the target's overrides applied; ConfigError if they are invalid."""
        try:
            return self.Settings.model_validate(target.settings.get(self.id, {}))
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(p) for p in error["loc"])
            raise ConfigError(
                f"站点 {target.id} 的 settings.{self.id}.{field}: {error['msg']}"
            ) from None

    def result(self, status: Status, summary: str, findings: Iterable[Finding] = (),
               metrics: dict[str, Any] | None = None) -> CheckResult:
        """The result; each finding's rule gains `rules_section` unless it names a RULES.md section already."""
        cited = [cite_section(f, self.rules_section) for f in findings]
        return CheckResult(check=self.id, title=self.title, status=status, summary=summary,
                           basis=self.basis, findings=cited, metrics=metrics or {})

    def homepage_unreadable(self, home: Response) -> CheckResult:
        """`inconclusive` for a homepage that gave no usable page, with its evidence and classified reason."""
        return self.result(Status.INCONCLUSIVE, f"首页无法读取，无法判定: {home.problem}",
                           [finding("info", "首页无法读取", **home.evidence())],
                           {"reason": home.failure.value if home.failure else "http_status"})


def finding(severity: Severity | str, message: str, rule: str | None = None, fix: str | None = None,
            **evidence: Any) -> Finding:
    """Shorthand: finding("fail", "首页无法访问", rule=..., fix="…", url=..., http_status=...).

    A warn or fail finding names its rule (with the RULES.md section) and a short Chinese fix hint;
    without `fix`, `Check.result` takes the part of the message after “整改：” as the hint.
    """
    return Finding(severity=Severity(severity), message=message, rule=rule, fix=fix, evidence=Evidence(**evidence))


def cite_section(found: Finding, section: str) -> Finding:
    """`found` with `section` in its rule (when it names none yet) and, for a warn or fail finding without
    a fix, the “整改：” part of its message as the fix."""
    if section and found.rule and "RULES.md" not in found.rule:
        found.rule = f"{found.rule}（RULES.md {section}）"
    if found.fix is None and found.severity is not Severity.INFO and "整改：" in found.message:
        found.fix = found.message.split("整改：", 1)[1].strip() or None
    return found


def status_from_findings(findings: Iterable[Finding]) -> Status:
    """`fail` if any finding is a failure, `warn` if any warns, else `pass`."""
    severities = {f.severity for f in findings}
    if Severity.FAIL in severities:
        return Status.FAIL
    if Severity.WARN in severities:
        return Status.WARN
    return Status.PASS
