"""`gkaudit targets import FILE.csv`: targets.yaml from a national site registry export.

Columns (by header name, any order, extra columns ignored): 网站名称, 首页网址, 网站标识码, 主办单位,
网站类型. The file may be UTF-8 (with or without BOM) or GBK/GB18030 (what spreadsheet tools on
Chinese Windows save). Every row is validated and every bad row is reported with its line number.

Site kinds:
- 网站类型 部门网站 -> department;
- 政府门户网站 -> new_area when 主办单位 names a 新区/开发区/管理委员会; otherwise by the level in the
  网站标识码 (6-digit division code + 4 digits): a county-level code (…XX, not …00) -> district, a
  province or prefecture code (…00) -> portal; without a local code, by 主办单位 (区/县/旗人民政府 ->
  district, else portal).
Ids come from the host (punycode, `www.` dropped, e.g. www.njqh.gov.cn -> njqh-gov-cn); hosts
shared by several rows get a suffix from the URL path, so ids do not depend on row order. The
网站标识码 becomes `settings.management.sitecode_prefix`, so the footer's code is checked against the
registry.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from gkaudit.errors import ConfigError
from gkaudit.targets import SiteKind, parse_targets

COLUMNS = ("网站名称", "首页网址", "网站标识码", "主办单位", "网站类型")
SITE_TYPES = {"政府门户网站": "portal", "部门网站": SiteKind.DEPARTMENT}
SITECODE = re.compile(r"^(?:\d{10}|bm\d{8})$", re.IGNORECASE)
NEW_AREA = re.compile(r"新区|开发区|高新区|管理委员会|管委会")
COUNTY_GOVERNMENT = re.compile(r"(?:区|县|旗)人民政府$")


@dataclass
class Row:
    line: int
    name: str
    url: str
    sitecode: str
    organizer: str
    kind: SiteKind


def decode(data: bytes, source: str) -> str:
    """UTF-8 (BOM tolerated), else GB18030 (a superset of GBK); ConfigError when neither fits."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ConfigError(f"{source}: 既不是 UTF-8 也不是 GBK 编码 / neither UTF-8 nor GBK text")


def import_csv(path: Path) -> str:
    """The targets.yaml text for the CSV at `path`; ConfigError listing every bad row otherwise."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: 无法读取 / cannot read: {exc.strerror}") from None
    rows, problems = parse_rows(decode(data, str(path)), str(path))
    if not rows and not problems:
        raise ConfigError(f"{path}: 没有站点行 / no site rows")
    ids = site_ids(rows)
    first: dict[str, int] = {}
    for row, site_id in zip(rows, ids, strict=True):
        if site_id in first:
            problems.append(f"{path}:{row.line}: 与第 {first[site_id]} 行是同一站点 / same site as line "
                            f"{first[site_id]} ({row.url})")
        first.setdefault(site_id, row.line)
    problems.sort(key=lambda problem: int(problem.removeprefix(f"{path}:").split(":")[0]))
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise ConfigError(f"{path}: {len(problems)} 处错误 / {len(problems)} bad rows:\n{listed}")
    text = render_targets(rows, ids, path.name)
    parse_targets(text, str(path))  # what we write must load: a last guard, never expected to fire
    return text


def parse_rows(text: str, source: str) -> tuple[list[Row], list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return [], [f"{source}:1: 空文件 / empty file"]
    names = [cell.strip() for cell in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        return [], [f"{source}:1: 缺少列 / missing columns: {', '.join(missing)}"]
    where = {column: names.index(column) for column in COLUMNS}
    rows: list[Row] = []
    problems: list[str] = []
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        values = {column: (cells[i].strip() if i < len(cells) else "") for column, i in where.items()}
        row, errors = _row(start, values)
        problems += [f"{source}:{start}: {error}" for error in errors]
        if row is not None:
            rows.append(row)
    return rows, problems


def _row(line: int, values: dict[str, str]) -> tuple[Row | None, list[str]]:
    errors: list[str] = []
    name, url, code = values["网站名称"], values["首页网址"], values["网站标识码"]
    organizer, site_type = values["主办单位"], values["网站类型"]
    if not name:
        errors.append("网站名称为空 / empty site name")
    if url and "://" not in url:
        url = "http://" + url  # registry exports often give the bare host
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # e.g. an unclosed [ of an IPv6 literal
        parts, hostname = urlsplit(""), None
    if hostname and not parts.path and not parts.query:
        url += "/"
    if parts.scheme not in ("http", "https") or not hostname:
        errors.append(f"首页网址不是 http(s) 网址 / not an http(s) URL: {values['首页网址']!r}")
    if code and not SITECODE.match(code):
        errors.append(f"网站标识码应为 10 位 / sitecode must be 10 characters (6-digit division code + 4 "
                      f"digits, or bm + 8 digits): {code!r}")
    if site_type not in SITE_TYPES:
        errors.append(f"网站类型 {site_type!r} 未知 / unknown site type (expected 政府门户网站 or 部门网站)")
    if errors:
        return None, errors
    return Row(line, name, url, code, organizer, _kind(site_type, code, organizer)), []


def _kind(site_type: str, code: str, organizer: str) -> SiteKind:
    if SITE_TYPES[site_type] == SiteKind.DEPARTMENT:
        return SiteKind.DEPARTMENT
    if NEW_AREA.search(organizer):
        return SiteKind.NEW_AREA
    if code[:6].isdigit() and len(code) == 10:
        return SiteKind.DISTRICT if code[4:6] != "00" else SiteKind.PORTAL
    return SiteKind.DISTRICT if COUNTY_GOVERNMENT.search(organizer) else SiteKind.PORTAL


def host_id(url: str) -> str:
    """A stable id from the URL's host: punycode, lower case, `www.` dropped, other characters -> '-'."""
    parts = urlsplit(url)
    host = (parts.hostname or "site").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    host = host.removeprefix("www.")
    if parts.port:
        host += f"-{parts.port}"
    return re.sub(r"[^a-z0-9-]+", "-", host).strip("-") or "site"


def site_ids(rows: list[Row]) -> list[str]:
    """One id per row: the host's, plus a path suffix for every row of a host several rows share."""
    bases = [host_id(row.url) for row in rows]
    shared = Counter(bases)
    return [base if shared[base] == 1 else f"{base}-{_path_suffix(row.url)}"
            for row, base in zip(rows, bases, strict=True)]


def render_targets(rows: list[Row], ids: list[str], source_name: str) -> str:
    sites = []
    for row, site_id in zip(rows, ids, strict=True):
        site: dict[str, object] = {"id": site_id, "name": row.name, "url": row.url, "kind": row.kind.value,
                                   "tags": [row.kind.value]}
        if row.sitecode:
            site["settings"] = {"management": {"sitecode_prefix": row.sitecode}}
        sites.append(site)
    header = (f"# gkaudit targets imported from {source_name} (gkaudit targets import).\n"
              "# Check with `gkaudit targets --targets FILE`; ids derive from the hosts.\n")
    return header + yaml.safe_dump({"version": 1, "sites": sites}, allow_unicode=True, sort_keys=False,
                                   width=200)


def _path_suffix(url: str) -> str:
    """For rows sharing a host: a slug of the path (or a short hash when the path has no letters)."""
    parts = urlsplit(url)
    slug = re.sub(r"[^a-z0-9]+", "-", (parts.path + ("?" + parts.query if parts.query else "")).lower()).strip("-")
    return slug[:40].strip("-") or hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
