"""Start order: with --baseline, the longest sites of last time start first, each followed by a short one;
the report keeps targets order."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from gkaudit.model import CheckResult, ScanReport, SiteReport, Status
from gkaudit.order import start_slices
from gkaudit.report.outline import SiteOutline
from gkaudit.scan import scan_and_report
from gkaudit.simweb.options import simweb_scan_options
from gkaudit.simweb.web import SimWeb

from conftest import target_of


def site(site_id: str, *durations_ms: int) -> SiteReport:
    results = [CheckResult(check=f"c{n}", title="检查", status=Status.PASS, summary="ok", basis="RULES.md",
                           duration_ms=ms) for n, ms in enumerate(durations_ms)]
    return SiteReport(id=site_id, name=site_id, url=f"http://{site_id}.gov.cn/", kind="district", results=results)


def test_a_sites_time_is_its_slowest_check() -> None:
    assert [SiteOutline.of(s).seconds for s in (site("a", 300, 1_200, 50), site("b"))] == [1.2, 0.0]


def test_the_longest_left_then_the_shortest_left_unknown_sites_longest(bundled_web: SimWeb) -> None:
    targets = bundled_web.targets()[:6]
    ids = [t.id for t in targets]
    seconds = {ids[0]: 1.0, ids[1]: 9.0, ids[2]: 1.0, ids[4]: 3.0, ids[5]: 5.0}  # ids[3]: not in the old report
    # by length: 3 (unknown), 1, 5, 4, then 0 and 2 (equal: targets order)
    [one] = start_slices(targets, seconds, 1)
    assert [t.id for t in one] == [ids[3], ids[2], ids[1], ids[0], ids[5], ids[4]]
    assert start_slices(targets, {}, 1) == [list(targets)]


def test_each_process_gets_long_and_short_sites_alike(bundled_web: SimWeb) -> None:
    """Dealt by rank, then alternated within each slice: never all the long sites in one process."""
    targets = bundled_web.targets()[:8]
    seconds = {t.id: float(8 - n) for n, t in enumerate(targets)}  # targets[0] the longest
    first, second = start_slices(targets, seconds, 2)
    assert [seconds[t.id] for t in first] == [8, 2, 6, 4] and [seconds[t.id] for t in second] == [7, 1, 5, 3]
    assert [len(part) for part in start_slices(targets, {}, 3)] == [3, 3, 2]  # no times: dealt in targets order


def test_scan_with_a_baseline_starts_its_slowest_site_first(bundled_web: SimWeb, tmp_path: Path) -> None:
    targets = [target_of(bundled_web, host) for host in sorted(bundled_web.sites)[:3]]
    old = ScanReport.model_validate({"tool": {"version": "0"}, "started_at": "2026-12-01T00:00:00Z",
                                     "finished_at": "2026-12-01T01:00:00Z",
                                     "scanner": {"resolver": "system", "now": "2026-12-01", "allow_private": True},
                                     "sites": [site(targets[0].id, 100).model_dump(),
                                               site(targets[1].id, 200).model_dump(),
                                               site(targets[2].id, 9_000).model_dump()]})
    baseline = tmp_path / "old.json"
    baseline.write_text(old.model_dump_json(), encoding="utf-8")
    options = simweb_scan_options(bundled_web)
    options = replace(options, site_concurrency=1, control_host=None)  # one site at a time: the start order shows
    before = len(bundled_web.requests)
    scan_and_report(targets, options, check_ids=["reachability"], checks_dir=None, output_format="json",
                    output=tmp_path / "new.json", fail_on="fail", quiet=True, baseline=baseline)
    first_seen: list[str] = []
    for record in bundled_web.requests[before:]:
        host = record.host.split(":")[0].lower()
        if host not in first_seen:
            first_seen.append(host)
    hosts = [t.url.split("/")[2].split(":")[0].lower() for t in targets]
    assert [h for h in first_seen if h in hosts] == [hosts[2], hosts[0], hosts[1]]  # longest, shortest, the other
    report = ScanReport.model_validate_json((tmp_path / "new.json").read_text(encoding="utf-8"))
    assert [s.id for s in report.sites] == [t.id for t in targets]  # the report keeps targets order
