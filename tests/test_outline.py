"""Earlier reports read one site at a time: the same comparison as from the whole report, memory flat."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gkaudit.errors import ConfigError
from gkaudit.model import ScanReport, Status
from gkaudit.report.diff import diff_reports
from gkaudit.report.load import load_report
from gkaudit.report.outline import ReportOutline, load_outline

from conftest import scan_web


@pytest.fixture(scope="module")
def report(bundled_web) -> ScanReport:  # type: ignore[no-untyped-def]
    return scan_web(bundled_web, bundled_web.targets(), [])  # every check: sites as big as they come


def test_the_outline_of_a_file_is_the_outline_of_the_report(report: ScanReport, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"\xef\xbb\xbf" + report.model_dump_json(indent=2).encode())  # a BOM, as Windows editors add
    assert load_outline(path) == ReportOutline.of(load_report(path))
    worse = report.model_copy(deep=True)
    worse.sites[0].results[0].status = Status.FAIL
    assert diff_reports(load_outline(path), worse) == diff_reports(report, worse)


@pytest.mark.parametrize(("text", "says"), [
    ("[1, 2]", "不是 JSON"), ('{"sites": {}}', "不是 JSON"), ('{"sites": [', "不是 JSON"),
    ('{"sites": [{"id": 1}]}', "sites.0"), ('{"tool": {"version": "1"}, "sites": []}', "not a gkaudit JSON report"),
])
def test_a_bad_file_is_one_clear_line(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_outline(path, "--baseline")
    assert says in str(caught.value) and str(caught.value).startswith("--baseline ") and "\n" not in str(caught.value)


def copies(report: ScanReport, path: Path, count: int, prefix: str) -> list[dict]:
    """Write `report` with `count` copies of its sites (ids `<prefix>NNNN`) to `path`; returns its sites."""
    document = json.loads(report.model_dump_json())
    sites = document["sites"]
    document["sites"] = [{**sites[n % len(sites)], "id": f"{prefix}{n:04d}"} for n in range(count)]
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return sites


def grown_mib(imports: str, statement: str, *args: object) -> tuple[int, int]:
    """Run `imports`, then `statement` (it sets `value`) in a fresh interpreter with `args` as sys.argv[1:];
    returns (value, MiB the peak grew by while the statement ran). VmHWM, not ru_maxrss: a child's
    ru_maxrss starts at its parent's (this test process's) peak."""
    probe = (f"import sys; from pathlib import Path; {imports}; "
             "kib = lambda key: int(next(l for l in open('/proc/self/status') if l.startswith(key)).split()[1]); "
             f"rss = kib('VmRSS'); {statement}; print(value, (kib('VmHWM') - rss) // 1024)")
    done = subprocess.run([sys.executable, "-c", probe, *map(str, args)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    value, grown = map(int, done.stdout.split())
    return value, grown


def test_a_big_report_is_read_without_holding_it(report: ScanReport, tmp_path: Path) -> None:
    """300 copies of the demo's sites (some 20 MB; a whole report as objects is about 7 times its file):
    reading the outline grows the process by a small fraction of the file."""
    path = tmp_path / "big.json"
    copies(report, path, 300, "site")
    count, grown = grown_mib("from gkaudit.report.outline import load_outline",
                             "value = len(load_outline(Path(sys.argv[1])).sites)", path)
    file_mib = path.stat().st_size / 2**20
    assert count == 300 and file_mib > 10
    assert grown < file_mib / 2, (grown, file_mib)


def test_merge_reads_its_inputs_one_site_at_a_time(report: ScanReport, tmp_path: Path) -> None:
    """Two slices of 150 copies each (some 20 MB in all) merge without either slice held whole."""
    paths = [tmp_path / f"{part}.json" for part in range(2)]
    for part, path in enumerate(paths):
        sites = copies(report, path, 150, f"p{part}-")  # the same sites in each: the demo's
    out = tmp_path / "all.json"
    results, grown = grown_mib("from gkaudit.report.merge import merge_reports",
                               "merged, _ = merge_reports([Path(p) for p in sys.argv[2:]], Path(sys.argv[1]), "
                               "sys.stdout); value = sum(merged.totals.values())", out, *paths)
    slice_mib = paths[0].stat().st_size / 2**20
    assert results == 2 * sum(len(sites[n % len(sites)]["results"]) for n in range(150))  # every result counted
    assert grown < slice_mib / 2, (grown, slice_mib)
    assert len(load_outline(out).sites) == 300
