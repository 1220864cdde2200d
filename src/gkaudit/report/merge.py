"""`gkaudit merge`: slice reports (--shard K/N, one per machine or job) joined into one report.

Each input is validated against the report model (the JSON Schema's source) and must be of this
schema's major version; a site id in two inputs is refused (two slices overlapped, or one file
was given twice). Totals are recounted from the sites; `interrupted` and `unfinished` carry over.
Inputs are read one site at a time (report/outline.py), twice (ids and totals first, then the
sites as they are written), so memory holds one site and the ids, not a slice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from gkaudit import __version__
from gkaudit.errors import ConfigError
from gkaudit.files import atomic_writer
from gkaudit.model import (
    SCHEMA_VERSION,
    ScannerFacts,
    ScanReport,
    SiteReport,
    ToolInfo,
    add_totals,
    empty_totals,
)
from gkaudit.report.json import write_json
from gkaudit.report.outline import iter_sites, stream_report
from gkaudit.stream import SCANNER_COUNTS


def merge_scanner(facts: Sequence[ScannerFacts], names: Sequence[str]) -> ScannerFacts:
    """One set of scanner facts for slices scanned apart: a fact false anywhere is false, with that reason.

    The slices must have been judged on the same day (`now`): verdicts with deadlines depend on it.
    """
    days = sorted({f.now for f in facts})
    if len(days) > 1:
        raise ConfigError(f"{', '.join(names)}: 判定日期不同 / judged on different dates "
                          f"({', '.join(map(str, days))}); 请用同一个 --now 重新扫描 / scan with the same --now")
    checks: list[str] = []
    for fact in facts:
        checks += [c for c in fact.checks if c not in checks]
    merged = ScannerFacts(resolver="; ".join(dict.fromkeys(f.resolver for f in facts)), now=days[0],
                          allow_private=any(f.allow_private for f in facts), checks=checks)
    merged.ipv6_route = _all_true([f.ipv6_route for f in facts])
    for counted in SCANNER_COUNTS:  # slices run apart: their counts add up
        setattr(merged, counted, sum(getattr(f, counted) for f in facts))
    merged.online, merged.online_reason = _fact([(f.online, f.online_reason) for f in facts], names)
    merged.ipv6_usable, merged.ipv6_reason = _fact([(f.ipv6_usable, f.ipv6_reason) for f in facts], names)
    return merged


def _all_true(values: list[bool | None]) -> bool | None:
    if False in values:
        return False
    return True if True in values else None


def _fact(pairs: list[tuple[bool | None, str | None]], names: Sequence[str]) -> tuple[bool | None, str | None]:
    """False (with the first false slice's reason, named) if any slice says false, else True / None."""
    for (value, reason), name in zip(pairs, names, strict=True):
        if value is False:
            return False, (f"{name}: {reason}" if len(pairs) > 1 else reason)
    value = _all_true([v for v, _ in pairs])
    return value, next((r for v, r in pairs if v is value and r), None)


def _compatible(report: ScanReport, path: Path) -> None:
    """ConfigError (exit 2) unless `report` is of this schema's major version."""
    if report.schema_version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ConfigError(f"{path}: 报告格式 {report.schema_version} 与本版本 {SCHEMA_VERSION} 不兼容 / "
                          "incompatible schema version")


def plan_merge(paths: Sequence[Path]) -> tuple[ScanReport, list[str | None]]:
    """The merged report without its sites (see `merged_sites`): facts, totals, interrupted, unfinished;
    and the `shard` of each input. Each input is read one site at a time."""
    if not paths:
        raise ConfigError("merge: 至少给一个报告 / give at least one report")
    owner: dict[str, Path] = {}
    facts: list[ScannerFacts] = []
    totals = empty_totals()
    started, finished, unfinished, interrupted = [], [], [], False
    shards: list[str | None] = []
    for path in paths:
        def count(site: SiteReport, path: Path = path) -> None:
            if site.id in owner:
                raise ConfigError(f"merge: 站点 {site.id!r} 同时出现在 {owner[site.id]} 和 {path} / "
                                  "duplicate site id")
            owner[site.id] = path
            add_totals(totals, site)

        report = stream_report(path, on_site=count)
        _compatible(report, path)
        facts.append(report.scanner)
        shards.append(report.shard)
        started.append(report.started_at)
        finished.append(report.finished_at)
        unfinished += report.unfinished
        interrupted = interrupted or report.interrupted
    merged = ScanReport(tool=ToolInfo(version=__version__), started_at=min(started), finished_at=max(finished),
                        scanner=merge_scanner(facts, [str(p) for p in paths]), totals=totals,
                        interrupted=interrupted, unfinished=[i for i in dict.fromkeys(unfinished) if i not in owner])
    return merged, shards


def merged_sites(paths: Sequence[Path]) -> Iterator[SiteReport]:
    """The sites of every input, in input order, one site in memory at a time."""
    for path in paths:
        yield from iter_sites(path)


def missing_shards(shards: Sequence[str | None]) -> list[str]:
    """The K/N slices absent from inputs that are all slices of one N (e.g. ['2/3']); [] otherwise."""
    counts = {shard.split("/")[1] for shard in shards if shard}
    if None in shards or len(counts) != 1:
        return []
    count = int(counts.pop())
    present = {int(shard.split("/")[0]) for shard in shards if shard}
    return [f"{k}/{count}" for k in range(1, count + 1) if k not in present]


def merge_reports(paths: Sequence[Path], output: Path | None, out: TextIO) -> tuple[ScanReport, list[str]]:
    """Validate and merge `paths`; write the JSON report to `output` atomically (or to `out`).

    Returns the merged report (without its sites) and the K/N slices missing from the inputs.
    """
    merged, shards = plan_merge(paths)
    if output is not None:
        with atomic_writer(output) as target:
            write_json(merged, merged_sites(paths), target)
    else:
        write_json(merged, merged_sites(paths), out)
    return merged, missing_shards(shards)
