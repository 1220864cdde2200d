"""Earlier JSON reports read one site at a time, and the outline a comparison and the start order keep.

A 1,000-site report is some 42 MB of JSON and over 400 MiB once parsed into pydantic objects; a
national one (14,000 sites) would not fit a CI runner. `load_outline` streams the file (ijson, its C
backend): each item of `sites` is validated as a SiteReport and kept as its id, name, the status
and summary of each check and its time; the other top-level fields are validated as a ScanReport
without sites. Memory is one site's objects plus the outline (about 1 KB a site).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import ijson
from pydantic import ValidationError

from gkaudit.errors import ConfigError
from gkaudit.model import ScanReport, SiteReport, Status

_SCALARS = frozenset({"null", "boolean", "integer", "double", "number", "string"})


@dataclass(frozen=True)
class SiteOutline:
    id: str
    name: str
    results: dict[str, tuple[Status, str]]  # check id -> (status, summary)
    seconds: float  # its slowest check's duration: a site's checks run at once

    @classmethod
    def of(cls, site: SiteReport) -> SiteOutline:
        return cls(site.id, site.name, {r.check: (r.status, r.summary) for r in site.results},
                   max((r.duration_ms for r in site.results), default=0) / 1000)


@dataclass(frozen=True)
class ReportOutline:
    started_at: datetime
    sites: list[SiteOutline]

    @classmethod
    def of(cls, report: ScanReport) -> ReportOutline:
        return cls.from_sites(report.started_at, report.sites)

    @classmethod
    def from_sites(cls, started_at: datetime, sites: Iterable[SiteReport]) -> ReportOutline:
        """From sites streamed one at a time (a scan's result stream)."""
        return cls(started_at, [SiteOutline.of(site) for site in sites])

    def site_seconds(self) -> dict[str, float]:
        return {site.id: site.seconds for site in self.sites}


def load_outline(path: Path, option: str = "") -> ReportOutline:
    """The outline of a `--format json` report; ConfigError (exit 2) in one line otherwise, as load_report."""
    sites: list[SiteOutline] = []
    header = stream_report(path, option, lambda site: sites.append(SiteOutline.of(site)))
    return ReportOutline(header.started_at, sites)


def stream_report(path: Path, option: str = "", on_site: Callable[[SiteReport], None] | None = None) -> ScanReport:
    """The report's fields but its sites (validated as a ScanReport without sites); each site is validated
    and handed to `on_site` as it is read, so memory holds one site. ConfigError (exit 2) in one line."""
    where = f"{option} {path}".strip()
    header: dict[str, Any] = {}
    for key, value in _validated_items(path, where):
        if key != "sites":
            header[key] = value
        elif on_site is not None:
            on_site(value)
    return _validated(ScanReport, {**header, "sites": []}, "", where)


def iter_sites(path: Path, option: str = "") -> Iterator[SiteReport]:
    """The report's sites, validated, one at a time; ConfigError (exit 2) in one line."""
    return (value for key, value in _validated_items(path, f"{option} {path}".strip()) if key == "sites")


def _validated_items(path: Path, where: str) -> Iterator[tuple[str, Any]]:
    """The file's top-level items (`_top_level`), each site validated as a SiteReport."""
    count = 0
    with _reading(path, where) as items:
        for key, value in items:
            if key == "sites":
                value = _validated(SiteReport, value, f"sites.{count}", where)
                count += 1
            yield key, value


@contextmanager
def _reading(path: Path, where: str) -> Iterator[Iterator[tuple[str, Any]]]:
    """The top-level items of the file (`_top_level`), its read and JSON errors made ConfigErrors."""
    try:
        with path.open("rb") as raw:
            if raw.read(3) != b"\xef\xbb\xbf":  # a UTF-8 BOM, as utf-8-sig reads it
                raw.seek(0)
            yield _top_level(raw)
    except OSError as exc:
        raise ConfigError(f"{where}: 无法读取 / cannot read: {exc.strerror or exc}") from None
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]  # yajl adds a caret picture
        raise ConfigError(f"{where}: 不是 JSON / not JSON ({reason})") from None


def _validated(model: Any, value: Any, at: str, where: str) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join([at, *(str(part) for part in error["loc"])] if at else
                         [str(part) for part in error["loc"]]) or "(file)"
        raise ConfigError(f"{where}: 不是 gkaudit 的 JSON 报告 / not a gkaudit JSON report "
                          f"({field}: {error['msg']})") from None


def _top_level(raw: BinaryIO) -> Iterator[tuple[str, Any]]:
    """(key, value) for each top-level field of a JSON object, except that `sites` (an array) gives
    ("sites", item) for each of its items: no value bigger than one site is ever built."""
    events = ijson.parse(raw, use_float=True)
    first = next(events, None)
    if first is None or first[:2] != ("", "start_map"):
        raise ijson.JSONError("顶层不是对象 / the top level is not an object")
    key = ""
    for prefix, event, value in events:
        if prefix == "":
            if event == "map_key":
                key = value
            continue  # the document's end_map
        if key == "sites" and prefix == "sites":
            if event in ("start_array", "end_array"):
                continue
            raise ijson.JSONError('"sites" 不是数组 / "sites" is not an array')
        at = prefix  # the value starting here: "<key>" or "sites.item"
        if event in _SCALARS:
            yield key, value
            continue
        builder = ijson.ObjectBuilder()
        builder.event(event, value)
        for prefix, event, value in events:
            builder.event(event, value)
            if prefix == at and event in ("end_map", "end_array"):
                break
        yield key, builder.value
