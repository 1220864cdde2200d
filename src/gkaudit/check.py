"""The Check contract and the registry of checks.

A check is a subclass of `Check` with metadata and one `async run(ctx)`; adding a file with one
to `checks/` (the package gkaudit.checks), shipping one under the entry-point group
"gkaudit.checks", or passing `--checks-dir DIR` is all it takes to add a check.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import sys
from collections.abc import Iterable
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError

from gkaudit.errors import ConfigError
from gkaudit.model import CheckResult, Evidence, Finding, Severity, Status
from gkaudit.settings import CheckSettings
from gkaudit.targets import SiteKind, Target

__all__ = ["ALL_KINDS", "Check", "CheckSettings", "Registry", "finding", "load_registry",
           "status_from_findings"]

if TYPE_CHECKING:
    from gkaudit.context import SiteContext

ENTRY_POINT_GROUP = "gkaudit.checks"
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
        return CheckResult(check=self.id, title=self.title, status=status, summary=summary,
                           basis=self.basis, findings=list(findings), metrics=metrics or {})


def finding(severity: Severity | str, message: str, rule: str | None = None, **evidence: Any) -> Finding:
    """Shorthand: finding("fail", "首页无法访问", url=..., http_status=...)."""
    return Finding(severity=Severity(severity), message=message, rule=rule, evidence=Evidence(**evidence))


def status_from_findings(findings: Iterable[Finding]) -> Status:
    """`fail` if any finding is a failure, `warn` if any warns, else `pass`."""
    severities = {f.severity for f in findings}
    if Severity.FAIL in severities:
        return Status.FAIL
    if Severity.WARN in severities:
        return Status.WARN
    return Status.PASS


class Registry:
    """Checks by id, in registration order (built-ins sorted by module name, then plugins)."""

    def __init__(self, checks: Iterable[Check] = ()) -> None:
        self._checks: dict[str, Check] = {}
        for check in checks:
            self.add(check)

    def add(self, check: Check) -> None:
        for attr in ("id", "title_zh", "title_en", "basis"):
            if not getattr(check, attr, None):
                raise ConfigError(f"检查 {type(check).__name__} 缺少 {attr} / check is missing {attr}")
        if check.id in self._checks and type(self._checks[check.id]) is not type(check):
            raise ConfigError(f"检查 id 重复 / duplicate check id {check.id!r}")
        self._checks[check.id] = check

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)

    def ids(self) -> list[str]:
        return list(self._checks)

    def get(self, check_id: str) -> Check:
        try:
            return self._checks[check_id]
        except KeyError:
            known = ", ".join(self._checks) or "(none)"
            raise ConfigError(f"未知的检查 / unknown check {check_id!r}; 可用 / known: {known}") from None

    def select(self, check_ids: Iterable[str]) -> list[Check]:
        wanted = list(dict.fromkeys(check_ids))
        return [self.get(i) for i in wanted] if wanted else list(self)


def checks_in_module(module: Any) -> list[Check]:
    """Instances of every concrete Check subclass defined in `module`."""
    found = []
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if issubclass(obj, Check) and obj is not Check and obj.__module__ == module.__name__ \
                and not inspect.isabstract(obj) and getattr(obj, "id", None):
            found.append(obj())
    return found


def builtin_checks() -> list[Check]:
    import gkaudit.checks as package

    found: list[Check] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"{package.__name__}.{info.name}")
        except Exception as exc:  # a broken check module: one clear line, not a traceback from every command
            raise ConfigError(f"内置检查 / built-in check module {info.name!r} 无法加载 / cannot load: "
                              f"{type(exc).__name__}: {exc}") from None
        found += checks_in_module(module)
    return found


def entry_point_checks() -> list[Check]:
    found: list[Check] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = entry.load()
        except Exception as exc:
            raise ConfigError(f"无法加载插件检查 / cannot load check plugin {entry.name!r}: {exc}") from None
        if inspect.isclass(obj) and issubclass(obj, Check):
            found.append(obj())
        elif isinstance(obj, Check):
            found.append(obj)
        elif inspect.ismodule(obj):
            found += checks_in_module(obj)
    return found


def directory_checks(directory: Path) -> list[Check]:
    """Checks from every `*.py` file in `directory` (files starting with `_` are helpers, not checks)."""
    if not directory.is_dir():
        raise ConfigError(f"--checks-dir {directory}: 不是目录 / not a directory")
    found: list[Check] = []
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = f"gkaudit_user_checks.{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise ConfigError(f"{path}: 无法加载检查 / cannot load check: {type(exc).__name__}: {exc}") from None
        found += checks_in_module(module)
    return found


def load_registry(checks_dir: Path | None = None) -> Registry:
    """Built-ins, then entry-point plugins, then `--checks-dir` files."""
    registry = Registry(builtin_checks())
    for check in entry_point_checks():
        registry.add(check)
    if checks_dir is not None:
        for check in directory_checks(checks_dir):
            registry.add(check)
    return registry
