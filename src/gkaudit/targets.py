"""targets.yaml: the sites to audit, as pydantic models, and a loader whose errors name file, line and field."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gkaudit.errors import ConfigError


class SiteKind(StrEnum):
    PORTAL = "portal"
    DISTRICT = "district"
    NEW_AREA = "new_area"
    DEPARTMENT = "department"

    @property
    def is_government(self) -> bool:
        """Portals, districts and new areas are governments; their duties differ from departments'."""
        return self is not SiteKind.DEPARTMENT


class Waiver(BaseModel):
    """A recorded exception: `check` is not judged on this site until `expires`."""

    model_config = ConfigDict(extra="forbid")

    check: str
    reason: str = Field(min_length=1)
    expires: date

    def active_on(self, day: date) -> bool:
        return day <= self.expires


class Target(BaseModel):
    """One site to audit."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    name: str = Field(min_length=1)
    url: str
    kind: SiteKind
    parent: str | None = None
    tags: list[str] = Field(default_factory=list)
    disclosure_url: str | None = None
    settings: dict[str, dict[str, Any]] = Field(default_factory=dict)
    waivers: list[Waiver] = Field(default_factory=list)

    @field_validator("url", "disclosure_url")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"不是 http(s) 网址 / not an absolute http(s) URL: {value!r}")
        return value

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    def waiver_for(self, check_id: str, day: date) -> Waiver | None:
        return next((w for w in self.waivers if w.check == check_id and w.active_on(day)), None)


class TargetsFile(BaseModel):
    """The whole targets.yaml."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    sites: list[Target]

    @model_validator(mode="after")
    def _unique_ids_and_known_parents(self) -> TargetsFile:
        if problem := site_conflict([(site.id, site.parent) for site in self.sites]):
            raise ValueError(problem[2])
        return self


def site_conflict(sites: list[tuple[Any, Any]]) -> tuple[int, str, str] | None:
    """The first duplicate id or unknown parent among (id, parent) pairs: (index, field, message), or None."""
    seen: set[Any] = set()
    for index, (site_id, _) in enumerate(sites):
        if site_id in seen:
            return index, "id", f"重复的站点 id / duplicate site id {site_id!r}"
        seen.add(site_id)
    for index, (site_id, parent) in enumerate(sites):
        if parent is not None and parent not in seen:
            return index, "parent", f"站点 {site_id!r} 的 parent {parent!r} 不存在 / unknown parent"
    return None


def target_for_url(url: str, kind: SiteKind = SiteKind.DISTRICT, name: str | None = None) -> Target:
    """An ad-hoc target for `gkaudit check URL`; its id is the host in ASCII (a Chinese domain as punycode)."""
    host = urlsplit(url).hostname or "site"
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_host = host
    site_id = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in ascii_host.lower()).strip("-")
    return Target(id=site_id or "site", name=name or host, url=url, kind=kind)


def load_targets(path: Path, known_checks: Collection[str] | None = None) -> TargetsFile:
    """Parse and validate a targets file; any problem raises ConfigError with file:line and field.

    With `known_checks`, every check id named in `settings` and `waivers` must be one of them
    (a misspelt waiver would otherwise silently waive nothing).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: 无法读取 / cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: 不是 UTF-8 文本 / not UTF-8 text") from None
    return parse_targets(text, str(path), known_checks)


class _TargetsLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings, so pydantic validates them with file, line and field
    (PyYAML's own timestamp constructor raises a bare ValueError for `2025-13-01`)."""


_TargetsLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_targets(text: str, source: str = "targets.yaml",
                  known_checks: Collection[str] | None = None) -> TargetsFile:
    try:
        root = yaml.compose(text, Loader=_TargetsLoader)
        data = yaml.load(text, Loader=_TargetsLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{where}: YAML 语法错误 / YAML syntax error: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: 顶层应为映射，含 sites 列表 / top level must be a mapping with 'sites'")
    try:
        loaded = TargetsFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        raw_sites = data.get("sites")
        if not loc and isinstance(raw_sites, list):  # a whole-file rule: point at the offending site
            pairs = [(s.get("id"), s.get("parent")) if isinstance(s, dict) else (None, None) for s in raw_sites]
            if problem := site_conflict(pairs):
                loc = ("sites", problem[0], problem[1])
        line = _line_of(root, loc)
        field = ".".join(str(part) for part in loc) or "(file)"
        message = error["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{source}:{line}: 字段 / field '{field}': {message}") from None
    if known_checks is not None and (unknown := _unknown_check_reference(loaded, known_checks)):
        loc, check_id = unknown
        field = ".".join(str(part) for part in loc)
        known = ", ".join(sorted(known_checks))
        raise ConfigError(f"{source}:{_line_of(root, loc)}: 字段 / field '{field}': 未知的检查 / unknown check "
                          f"{check_id!r}; 可用 / known: {known}")
    return loaded


def _unknown_check_reference(loaded: TargetsFile, known: Collection[str]) -> tuple[tuple[Any, ...], str] | None:
    """The location and id of the first check named in `settings` or `waivers` that is not in `known`."""
    for index, site in enumerate(loaded.sites):
        for check_id in site.settings:
            if check_id not in known:
                return ("sites", index, "settings", check_id), check_id
        for number, waiver in enumerate(site.waivers):
            if waiver.check not in known:
                return ("sites", index, "waivers", number, "check"), waiver.check
    return None


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the YAML node at `loc`, or of its nearest existing ancestor."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
            key = next((k for k, v in node.value if k.value == part), None)
            if child is None:
                return line
            node, line = child, (key.start_mark.line + 1 if key is not None else child.start_mark.line + 1)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
