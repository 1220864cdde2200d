"""targets.yaml: the sites to audit, as pydantic models, and a loader whose errors name file, line and field."""

from __future__ import annotations

import gc
import pickle
import re
from collections.abc import Collection, Mapping
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gkaudit.errors import ConfigError
from gkaudit.memory import release_free_memory
from gkaudit.yamlload import decode_utf8, load_yaml, one_line


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
        """The waiver of `check_id` active on `day` (the longest-running one), or None."""
        active = [w for w in self.waivers if w.check == check_id and w.active_on(day)]
        return max(active, key=lambda w: w.expires, default=None)

    def expired_waiver_for(self, check_id: str, day: date) -> Waiver | None:
        """The most recently expired waiver of `check_id`, when none is active on `day`."""
        if self.waiver_for(check_id, day) is not None:
            return None
        return max((w for w in self.waivers if w.check == check_id), key=lambda w: w.expires, default=None)


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


def site_conflicts(sites: list[tuple[Any, Any]]) -> list[tuple[int, str, str]]:
    """Every duplicate id and unknown parent among (id, parent) pairs: (index, field, message)."""
    found: list[tuple[int, str, str]] = []
    seen: set[Any] = set()
    for index, (site_id, _) in enumerate(sites):
        try:
            if site_id in seen:
                found.append((index, "id", f"重复的站点 id / duplicate site id {site_id!r}"))
            seen.add(site_id)
        except TypeError:  # an unhashable id (a list): its own field error says so
            continue
    for index, (site_id, parent) in enumerate(sites):
        try:
            known = parent is None or parent in seen
        except TypeError:
            continue
        if not known:
            found.append((index, "parent", f"站点 {site_id!r} 的 parent {parent!r} 不存在 / unknown parent"))
    return found


def site_conflict(sites: list[tuple[Any, Any]]) -> tuple[int, str, str] | None:
    """The first duplicate id or unknown parent among (id, parent) pairs, or None."""
    conflicts = site_conflicts(sites)
    return conflicts[0] if conflicts else None


def with_scheme(url: str) -> str:
    """A bare host (`www.njqh.gov.cn`, `www.njqh.gov.cn/xxgk/`) as an http URL; a URL with a scheme unchanged.

    http, not https: the site's own redirect to https is followed, while an http-only site asked over
    https would look unreachable (a false 不合格).
    """
    url = url.strip()
    host, slash, path = url.partition("/")
    if "://" in url or not re.fullmatch(r"[\w-]+(\.[\w-]+)+(:\d{1,5})?", host):
        return url  # a URL, or not a host name at all: the caller's URL check rejects it
    return f"http://{host}/{path}" if slash else f"http://{host}/"


def target_for_url(url: str, kind: SiteKind = SiteKind.DISTRICT, name: str | None = None) -> Target:
    """An ad-hoc target for `gkaudit check URL`; its id is the host in ASCII (a Chinese domain as punycode)."""
    host = urlsplit(url).hostname or "site"
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_host = host
    site_id = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in ascii_host.lower()).strip("-")
    return Target(id=site_id or "site", name=name or host, url=url, kind=kind)


CheckSettingsModels = Mapping[str, type[BaseModel]]


def load_targets(path: Path, known_checks: Collection[str] | CheckSettingsModels | None = None) -> TargetsFile:
    """Parse and validate a targets file; any problem raises ConfigError, one line per problem, each
    with file:line and field.

    With `known_checks`, every check id named in `settings` and `waivers` must be one of them
    (a misspelt waiver would otherwise silently waive nothing); given as {check id: Settings model},
    each site's `settings` for a check are validated against that model too.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: 无法读取 / cannot read: {exc.strerror}") from None
    return _compacted(parse_targets(decode_utf8(raw, str(path)), str(path), known_checks))


def _compacted(loaded: TargetsFile) -> TargetsFile:
    """`loaded` copied into fresh memory, the parse's leftovers handed back to the OS.

    The YAML parser's short-lived objects (nodes, marks, events: ~8 KB per site) are interleaved
    with the targets, and CPython frees an arena only when all of it is free, so while the targets
    lived they kept that memory resident for the whole scan (5,000 sites: +38 MiB in the main
    process). Serialised, dropped, collected and rebuilt, the targets alone stay (+6 MiB).
    """
    blob = pickle.dumps(loaded)
    del loaded
    gc.collect()  # the loader and its nodes hold each other: only the cycle collector frees them
    release_free_memory()
    copy: TargetsFile = pickle.loads(blob)  # rebuilt after the old arenas are gone, not in their gaps
    return copy


def parse_targets(text: str, source: str = "targets.yaml",
                  known_checks: Collection[str] | CheckSettingsModels | None = None) -> TargetsFile:
    data, root = load_yaml(text, source)
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: 顶层应为映射，含 sites 列表 / top level must be a mapping with 'sites'")
    problems: list[tuple[tuple[Any, ...], str]] = []
    loaded: TargetsFile | None = None
    try:
        loaded = TargetsFile.model_validate(data)
    except ValidationError as exc:
        raw_sites = data.get("sites")
        for error in exc.errors():
            if error["loc"] or not isinstance(raw_sites, list):
                problems.append((tuple(error["loc"]), error["msg"].removeprefix("Value error, ")))
        if isinstance(raw_sites, list):  # whole-file rules, pointed at the offending sites
            pairs = [(s.get("id"), s.get("parent")) if isinstance(s, dict) else (None, None) for s in raw_sites]
            problems += [(("sites", index, field), message) for index, field, message in site_conflicts(pairs)]
    if known_checks is not None:
        problems += _check_references(data.get("sites"), known_checks)
    if problems:
        lines = sorted({(_line_of(root, loc), _field(loc), _site_named(data, loc), message)
                        for loc, message in problems}, key=lambda item: (item[0], item[1]))
        raise ConfigError("\n".join(f"{source}:{line}: 字段 / field '{field}'{site}: {one_line(message)}"
                                    for line, field, site, message in lines))
    assert loaded is not None
    return loaded


def _site_named(data: dict[Any, Any], loc: tuple[Any, ...]) -> str:
    """' (站点 ID)' when `loc` lies inside a site that has a readable id, else ''."""
    sites = data.get("sites")
    if len(loc) > 2 and loc[0] == "sites" and isinstance(loc[1], int) and isinstance(sites, list) \
            and loc[1] < len(sites) and isinstance(sites[loc[1]], dict) and isinstance(sites[loc[1]].get("id"), str):
        return f" (站点 / site {one_line(sites[loc[1]]['id'])})"
    return ""


def _field(loc: tuple[Any, ...]) -> str:
    return one_line(".".join(str(part) for part in loc)) or "(file)"


def _check_references(raw_sites: Any, known: Collection[str] | CheckSettingsModels) -> list[tuple[tuple[Any, ...], str]]:
    """Check ids in `settings` and `waivers` that are not in `known`, and settings their model rejects."""
    if not isinstance(raw_sites, list):
        return []
    names = ", ".join(sorted(known))
    problems: list[tuple[tuple[Any, ...], str]] = []
    for index, site in enumerate(raw_sites):
        if not isinstance(site, dict):
            continue
        settings = site.get("settings")
        for check_id, values in (settings.items() if isinstance(settings, dict) else ()):
            loc = ("sites", index, "settings", check_id)
            if not isinstance(check_id, str) or check_id not in known:
                problems.append((loc, f"未知的检查 / unknown check {check_id!r}; 可用 / known: {names}"))
            elif isinstance(known, Mapping) and isinstance(values, dict):
                try:
                    known[check_id].model_validate(values)
                except ValidationError as exc:
                    problems += [((*loc, *error["loc"]), error["msg"]) for error in exc.errors()]
        waivers = site.get("waivers")
        for number, waiver in enumerate(waivers if isinstance(waivers, list) else ()):
            check_id = waiver.get("check") if isinstance(waiver, dict) else None
            if isinstance(check_id, str) and check_id not in known:
                problems.append((("sites", index, "waivers", number, "check"),
                                 f"未知的检查 / unknown check {check_id!r}; 可用 / known: {names}"))
    return problems


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
