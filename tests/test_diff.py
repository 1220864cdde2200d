"""`gkaudit diff` and `scan --baseline`: what got worse, what got fixed; timings never count."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from gkaudit.model import ScanReport, Status
from gkaudit.report.diff import classify, diff_reports, render_diff
from test_cli import gkaudit, sim_args

from conftest import scan_web


@pytest.fixture(scope="module")
def runs(bundled_web) -> tuple[ScanReport, ScanReport]:  # type: ignore[no-untyped-def]
    """Two scans of the same simulated web."""
    targets = bundled_web.targets()
    return scan_web(bundled_web, targets, []), scan_web(bundled_web, targets, [])


def with_status(report: ScanReport, site_id: str, check: str, status: Status) -> ScanReport:
    changed = report.model_copy(deep=True)
    site = next(s for s in changed.sites if s.id == site_id)
    result = site.result(check)
    assert result is not None
    result.status = status
    return changed


@pytest.mark.parametrize(("old", "new", "kind"), [
    ("pass", "fail", "new_failure"), ("warn", "error", "new_failure"), ("inconclusive", "fail", "new_failure"),
    ("skipped", "fail", "new_failure"), ("fail", "inconclusive", "changed"), ("inconclusive", "warn", "changed"),
    ("pass", "warn", "worse"), ("fail", "pass", "fixed"), ("fail", "waived", "fixed"),
    ("fail", "warn", "improved"), ("pass", "inconclusive", "changed"), ("fail", "error", "changed"),
    ("waived", "fail", "new_failure"), ("skipped", "pass", "changed"), ("pass", "pass", None),
    (None, "fail", "new_failure"), (None, "pass", None),
])
def test_the_regression_order(old: str | None, new: str, kind: str | None) -> None:
    assert classify(Status(old) if old else None, Status(new)) == kind


def test_two_runs_of_the_same_web_are_no_change(runs: tuple[ScanReport, ScanReport]) -> None:
    first, second = runs
    assert first.started_at != second.started_at
    assert any(a.duration_ms != b.duration_ms for sa, sb in zip(first.sites, second.sites, strict=True)
               for a, b in zip(sa.results, sb.results, strict=True))  # timings differ, and do not count
    diff = diff_reports(first, second)
    assert diff.unchanged and not diff.worse
    assert "no change" in render_diff(diff, "table")


def test_one_changed_status_names_its_site_and_check(runs: tuple[ScanReport, ScanReport]) -> None:
    old, _ = runs
    site = old.sites[0]
    check = site.results[0].check
    assert site.results[0].status is Status.PASS
    new = with_status(old, site.id, check, Status.FAIL)
    diff = diff_reports(old, new)
    assert [(c.site, c.check, c.kind) for c in diff.changes] == [(site.id, check, "new_failure")]
    assert diff.worse
    for fmt in ("table", "markdown", "json"):
        text = render_diff(diff, fmt)
        assert site.id in text and check in text
    assert json.loads(render_diff(diff, "json"))["regression"] is True
    back = diff_reports(new, old)
    assert [c.kind for c in back.changes] == ["fixed"] and not back.worse


def test_new_and_removed_sites(runs: tuple[ScanReport, ScanReport]) -> None:
    old, _ = runs
    new = old.model_copy(deep=True)
    gone = new.sites.pop(0)
    added = new.sites[0].model_copy(deep=True, update={"id": "newsite", "name": "新站点"})
    new.sites.append(added)
    diff = diff_reports(old, new)
    assert [s.id for s in diff.removed_sites] == [gone.id]
    assert [s.id for s in diff.new_sites] == ["newsite"]
    failing_new = [r.check for r in added.results if r.status in (Status.FAIL, Status.ERROR)]
    assert [c.check for c in diff.changes if c.site == "newsite"] == failing_new
    assert "新增站点" in render_diff(diff, "table") and gone.id in render_diff(diff, "markdown")


def write(path: Path, report: ScanReport) -> Path:
    path.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    return path


def test_the_diff_command_exits_1_for_a_regression_only(runs: tuple[ScanReport, ScanReport],
                                                       tmp_path: Path) -> None:
    old, same = runs
    site = old.sites[0]
    worse = with_status(same, site.id, site.results[0].check, Status.FAIL)
    worse.started_at += timedelta(days=1)
    a, b, c = write(tmp_path / "a.json", old), write(tmp_path / "b.json", same), write(tmp_path / "c.json", worse)
    done = gkaudit("diff", a, b)
    assert done.returncode == 0 and "no change" in done.stdout, done.stderr
    done = gkaudit("diff", a, c)
    assert done.returncode == 1 and site.id in done.stdout
    done = gkaudit("diff", c, a, "-f", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["changes"][0]["kind"] == "fixed"
    assert gkaudit("diff", a, c, "-f", "markdown").stdout.count("|") > 4


def test_the_diff_command_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"sites": []}', encoding="utf-8")
    done = gkaudit("diff", bad, bad)
    assert done.returncode == 2 and "not a gkaudit JSON report" in done.stderr
    done = gkaudit("diff", tmp_path / "missing.json", bad)
    assert done.returncode == 2 and "missing.json" in done.stderr


def test_scan_baseline_fails_on_regression_only(bundled_web, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A scan against its own report: exit 0 (no change); against one where a failure was a pass: exit 1."""
    targets = tmp_path / "targets.yaml"
    sites = [t.model_dump(mode="json", exclude_defaults=True) for t in bundled_web.targets()]
    targets.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
    scan = ["scan", "--targets", targets, "--check", "reachability", *sim_args(bundled_web)]
    first = gkaudit(*scan, "-f", "json", "-o", tmp_path / "base.json", timeout=120)
    assert first.returncode == 1, first.stderr  # the demo web has an unreachable site
    base = ScanReport.model_validate_json((tmp_path / "base.json").read_text(encoding="utf-8"))
    failing = next(s for s in base.sites if s.results[0].status is Status.FAIL)
    better = write(tmp_path / "better.json", with_status(base, failing.id, "reachability", Status.PASS))
    done = gkaudit(*scan, "--baseline", tmp_path / "base.json", "--fail-on", "regression", timeout=120)
    assert done.returncode == 0, done.stderr
    assert "no change" in done.stderr
    done = gkaudit(*scan, "--baseline", better, "--fail-on", "regression", "-f", "markdown", timeout=120)
    assert done.returncode == 1, done.stderr
    assert "新增不合格" in done.stderr and failing.id in done.stderr
    assert "与基线对比" in done.stdout  # the markdown summary carries the comparison


def test_fail_on_regression_needs_a_baseline() -> None:
    done = gkaudit("demo", "--fail-on", "regression")
    assert done.returncode == 2 and "--baseline" in done.stderr
