"""The result stream: one JSON Lines file per scan, a line per site written the moment the site finishes.

    {"gkaudit_stream": 1, "report": {ScanReport without sites}}      the header (scanner facts, checks)
    {SiteReport}                                                      one line per finished site
    {"gkaudit_end": {"finished_at", "interrupted", "unfinished",       only when the scan ended cleanly
                     "counts"}}                                       (scanner facts counted to the end)

The final report is assembled from this file, never from memory: `StreamIndex` keeps one byte
offset per site and the status totals, and `sites()` reads the sites back one at a time, in the
order asked for. A line cut short by a crash (the last one, without its newline) is ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gkaudit.errors import ConfigError
from gkaudit.model import ScannerFacts, ScanReport, SiteReport, Status, ToolInfo, empty_totals

STREAM_MARK = "gkaudit_stream"
END_MARK = "gkaudit_end"
STATUS_VALUES = frozenset(s.value for s in Status)
# scanner facts counted while the scan runs, so absent from the header written at its start
SCANNER_COUNTS = ("browsers_started", "pages_rendered", "pages_not_rendered", "sites_at_once")


def scanner_counts(scanner: ScannerFacts) -> dict[str, int]:
    return {name: getattr(scanner, name) for name in SCANNER_COUNTS}


class StreamError(ConfigError):
    """A result stream that cannot be read back (exit 2): not a gkaudit stream, or corrupt."""


class SiteStream:
    """Append-only writer; every line is flushed as it is written, so a killed scan loses no finished site."""

    def __init__(self, path: Path, header: ScanReport) -> None:
        self.path = path
        self._file = path.open("w", encoding="utf-8", newline="\n")
        skeleton = header.model_copy(update={"sites": [], "totals": {}})
        self._line(json.dumps({STREAM_MARK: 1, "report": json.loads(skeleton.model_dump_json())},
                              ensure_ascii=False))

    def write(self, site: SiteReport) -> None:
        self._line(site.model_dump_json())

    def copy(self, raw_line: str) -> None:
        """Copy a site line from another stream unchanged (resume)."""
        self._line(raw_line.rstrip("\n"))

    def end(self, finished_at: datetime, interrupted: bool, unfinished: list[str],
            counts: dict[str, int] | None = None) -> None:
        self._line(json.dumps({END_MARK: {"finished_at": finished_at.isoformat(), "interrupted": interrupted,
                                          "unfinished": unfinished, "counts": counts or {}}}))

    def close(self) -> None:
        self._file.close()

    def _line(self, text: str) -> None:
        self._file.write(text + "\n")
        self._file.flush()


@dataclass
class StreamIndex:
    """What one stream holds, without holding the sites: header, end line, offset per site id, totals."""

    path: Path
    header: ScanReport
    end: dict[str, Any] | None = None
    offsets: dict[str, int] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=empty_totals)

    @property
    def check_ids(self) -> list[str]:
        return self.header.scanner.checks

    def sites(self, ids: Iterable[str] | None = None) -> Iterator[SiteReport]:
        """The sites `ids` (default: all, in file order), parsed one at a time."""
        wanted = list(self.offsets) if ids is None else ids
        with self.path.open("r", encoding="utf-8") as stream:
            for site_id in wanted:
                stream.seek(self.offsets[site_id])
                yield SiteReport.model_validate_json(stream.readline())

    def raw_lines(self) -> Iterator[tuple[str, str]]:
        """(site id, the site's line as written), in file order."""
        with self.path.open("r", encoding="utf-8") as stream:
            for site_id, offset in self.offsets.items():
                stream.seek(offset)
                yield site_id, stream.readline()


def index_stream(path: Path) -> StreamIndex:
    """Read a stream once, keeping offsets and totals; StreamError names the file and line of any problem."""
    try:
        stream = path.open("r", encoding="utf-8")
    except OSError as exc:
        raise StreamError(f"{path}: 无法读取 / cannot read: {exc.strerror}") from None
    with stream:
        first = stream.readline()
        header = _header(path, first)
        index = StreamIndex(path, header)
        counted: dict[str, dict[str, int]] = {}
        offset = len(first.encode("utf-8"))
        number = 1
        while line := stream.readline():
            number += 1
            start, offset = offset, offset + len(line.encode("utf-8"))
            if not line.endswith("\n"):
                break  # the line a crash cut short: that site did not finish
            try:
                data = json.loads(line)
            except ValueError:
                raise StreamError(f"{path}:{number}: 不是 JSON 行 / not a JSON line") from None
            if not isinstance(data, dict):
                raise StreamError(f"{path}:{number}: 不是站点结果 / not a site result")
            if END_MARK in data:
                index.end = data[END_MARK]
                continue
            site_id, statuses = _site_summary(path, number, data)
            index.offsets.pop(site_id, None)  # a site written twice: the later line wins
            index.offsets[site_id] = start
            index.urls[site_id] = str(data.get("url"))
            counted[site_id] = statuses
    for statuses in counted.values():
        for status, count in statuses.items():
            index.totals[status] += count
    return index


def _header(path: Path, line: str) -> ScanReport:
    try:
        data = json.loads(line)
        if not isinstance(data, dict) or STREAM_MARK not in data:
            raise ValueError
        return ScanReport.model_validate(data["report"])
    except (ValueError, KeyError, ValidationError):
        raise StreamError(f"{path}:1: 不是 gkaudit 结果流 / not a gkaudit result stream") from None


def _site_summary(path: Path, number: int, data: dict[str, Any]) -> tuple[str, dict[str, int]]:
    site_id, results = data.get("id"), data.get("results")
    if not isinstance(site_id, str) or not isinstance(results, list):
        raise StreamError(f"{path}:{number}: 不是站点结果 / not a site result")
    statuses: dict[str, int] = {}
    for result in results:
        status = result.get("status") if isinstance(result, dict) else None
        if status not in STATUS_VALUES:
            raise StreamError(f"{path}:{number}: 未知状态 / unknown status {status!r}")
        statuses[status] = statuses.get(status, 0) + 1
    return site_id, statuses


class StreamSink:
    """The runner's sink for a streamed scan: opens the stream at `begin` (after the scanner probe) with the
    header, first copies the sites carried over from `resumed`, then appends each site as it finishes."""

    def __init__(self, path: Path, tool: ToolInfo, shard: str | None = None,
                 resumed: StreamIndex | None = None, keep: Iterable[str] = ()) -> None:
        self.path, self.tool, self.shard = path, tool, shard
        self.resumed, self.keep = resumed, set(keep)
        self.stream: SiteStream | None = None

    def begin(self, started_at: datetime, scanner: ScannerFacts) -> None:
        if self.resumed is not None:  # the scan began when the interrupted one did
            started_at = self.resumed.header.started_at
        header = ScanReport(tool=self.tool, started_at=started_at, finished_at=started_at, scanner=scanner,
                            shard=self.shard)
        # Written beside, then renamed over `path`: the stream resumed from may be `path` itself, and a
        # scan killed before this point must leave it whole.
        fresh = self.path.with_name(self.path.name + ".new")
        self.stream = SiteStream(fresh, header)
        if self.resumed is not None:
            for site_id, line in self.resumed.raw_lines():
                if site_id in self.keep:
                    self.stream.copy(line)
        os.replace(fresh, self.path)  # the open file follows the rename
        self.stream.path = self.path

    def site(self, report: SiteReport) -> None:
        assert self.stream is not None, "begin() first"
        self.stream.write(report)

    def copy(self, raw_line: str) -> None:
        """A site line of another stream (a worker's), unchanged."""
        assert self.stream is not None, "begin() first"
        self.stream.copy(raw_line)

    def end(self, finished_at: datetime, interrupted: bool, unfinished: list[str],
            counts: dict[str, int] | None = None) -> None:
        """The end line; `counts`: the scanner facts only known at the end (SCANNER_COUNTS)."""
        assert self.stream is not None, "begin() first"
        self.stream.end(finished_at, interrupted, unfinished, counts)
        self.stream.close()
