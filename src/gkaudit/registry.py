"""Which checks exist: the built-ins, entry-point plugins and `--checks-dir` files, by id.

Adding a module or package with a Check subclass to `checks/` (the package gkaudit.checks), shipping
one under the entry-point group "gkaudit.checks", or passing `--checks-dir DIR` (a `*.py` file or a
package folder per check) is all it takes to add a check.
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
from typing import Any

from gkaudit.check import Check
from gkaudit.errors import ConfigError

ENTRY_POINT_GROUP = "gkaudit.checks"


class Registry:
    """Checks by id, in registration order (built-ins by `order`, then module name; then plugins)."""

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
    return sorted(found, key=lambda check: check.order)  # stable: module name within one order


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
    """Checks from every `*.py` file and every package folder (with `__init__.py`) in `directory`.

    Names starting with `_` are helpers, not checks. A package's own modules import each other
    relatively (`from .judge import …`), as the built-in check packages do.
    """
    if not directory.is_dir():
        raise ConfigError(f"--checks-dir {directory}: 不是目录 / not a directory")
    found: list[Check] = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(("_", ".")):
            continue
        if path.is_dir() and (path / "__init__.py").is_file():
            found += checks_in_module(_load_user_module(path.name, path / "__init__.py", package_dir=path))
        elif path.suffix == ".py" and path.is_file():
            found += checks_in_module(_load_user_module(path.stem, path))
    return found


def _load_user_module(stem: str, path: Path, package_dir: Path | None = None) -> Any:
    """Import one user check module or package from its file; ConfigError with one line if it breaks."""
    name = f"gkaudit_user_checks.{stem}"
    locations = [str(package_dir)] if package_dir is not None else None
    spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=locations)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{path}: 无法加载检查 / cannot load check")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise ConfigError(f"{path}: 无法加载检查 / cannot load check: {type(exc).__name__}: {exc}") from None
    return module


def load_registry(checks_dir: Path | None = None) -> Registry:
    """Built-ins, then entry-point plugins, then `--checks-dir` files."""
    registry = Registry(builtin_checks())
    for check in entry_point_checks():
        registry.add(check)
    if checks_dir is not None:
        for check in directory_checks(checks_dir):
            registry.add(check)
    return registry
