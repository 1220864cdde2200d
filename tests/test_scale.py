"""Scale: the result stream, flat memory in the runner, --shard, gkaudit merge and --workers.

The round trip is the one the issue asks for: `scan --shard 1/3`, `2/3`, `3/3` of one targets
file cover every site once, and their `merge` has the same sites and statuses as one full scan.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import weakref
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
import pytest
import yaml

from gkaudit.errors import ConfigError
from gkaudit.files import atomic_writer
from gkaudit.model import ScannerFacts, ScanReport, SiteReport, ToolInfo
from gkaudit.registry import load_registry
from gkaudit.report.json import json_schema
from gkaudit.runner import run_scan, run_sites
from gkaudit.scan import worker_count
from gkaudit.shard import parse_shard, select_shard, shard_of
from gkaudit.simweb.options import simweb_scan_options
from gkaudit.simweb.web import SimWeb
from gkaudit.stream import SiteStream, StreamError, index_stream

from scalekit import build_sites, child_env, gkaudit, sim_args, statuses, write_targets

REPO_TARGETS = Path(__file__).parent.parent / "targets.yaml"
SPECS = {f"ok{n}": {} for n in range(6)} | {f"gone{n}": {"statuses": {"/": 404}} for n in range(3)} | {
    "forbidden": {"statuses": {"/": 403}}, "v4only": {"families": ["ipv4"]}}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimWeb]:
    root = build_sites(tmp_path_factory.mktemp("scale") / "sites", SPECS)
    with SimWeb(roots=[root]) as simulated:
        yield simulated


# --- --shard ------------------------------------------------------------------------------------

def test_shards_are_disjoint_and_cover_every_site() -> None:
    ids = [f"site{n:05d}" for n in range(3000)]
    ids += [s["id"] for s in yaml.safe_load(REPO_TARGETS.read_text(encoding="utf-8"))["sites"]]
    for count in (1, 2, 3, 7):
        seen: list[str] = []
        for k in range(1, count + 1):
            seen += [i for i in ids if shard_of(i, count) == k]
        assert sorted(seen) == sorted(ids)  # each id exactly once
    sizes = [sum(shard_of(i, 3) == k for i in ids) for k in (1, 2, 3)]
    assert min(sizes) > len(ids) / 3 * 0.8  # and the slices are of similar size


def test_shard_is_a_stable_hash_of_the_id() -> None:
    """Pinned (sha256("nanjing") = 83e4f9e7…): no Python version, PYTHONHASHSEED or machine moves a site."""
    assert int("83e4f9e795611247", 16) % 3 + 1 == shard_of("nanjing", 3) == 2
    assert [shard_of("nanjing", n) for n in (2, 3, 5)] == [2, 2, 5]
    assert [shard_of("qinhuai", n) for n in (2, 3, 5)] == [2, 1, 4]


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0", ""])
def test_bad_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(ConfigError, match="K/N"):
        parse_shard(text)


def test_select_shard_keeps_targets_order(web: SimWeb) -> None:
    targets = web.targets()
    for k in (1, 2, 3):
        part = select_shard(targets, k, 3)
        assert part == [t for t in targets if t in part]


# --- the result stream --------------------------------------------------------------------------

def header() -> ScanReport:
    now = datetime.now(UTC)
    return ScanReport(tool=ToolInfo(version="t"), started_at=now, finished_at=now,
                      scanner=ScannerFacts(resolver="r", now=date(2026, 12, 1), allow_private=True,
                                           checks=["reachability"]))


def site(site_id: str, status: str = "pass") -> SiteReport:
    return SiteReport.model_validate({"id": site_id, "name": site_id, "url": f"http://{site_id}/", "kind": "district",
                                      "results": [{"check": "reachability", "title": "t", "status": status,
                                                   "summary": "s", "basis": "b"}]})


def test_stream_round_trip_in_any_order(tmp_path: Path) -> None:
    stream = SiteStream(tmp_path / "s.jsonl", header())
    for site_id, status in (("b", "fail"), ("a", "pass"), ("c", "warn")):
        stream.write(site(site_id, status))
    stream.end(datetime.now(UTC), False, [])
    stream.close()
    index = index_stream(tmp_path / "s.jsonl")
    assert [s.id for s in index.sites(["a", "b", "c"])] == ["a", "b", "c"]
    assert index.totals["pass"] == index.totals["fail"] == index.totals["warn"] == 1
    assert index.end is not None and index.end["interrupted"] is False


def test_a_line_cut_short_by_a_crash_is_not_a_site(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    stream = SiteStream(path, header())
    stream.write(site("a"))
    stream.close()
    with path.open("a", encoding="utf-8") as out:
        out.write(site("b").model_dump_json()[:40])  # no newline: the write the crash interrupted
    assert list(index_stream(path).offsets) == ["a"]


def test_a_corrupt_stream_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    stream = SiteStream(path, header())
    stream.write(site("a"))
    stream.close()
    with path.open("a", encoding="utf-8") as out:
        out.write("garbage\n")
    with pytest.raises(StreamError, match=r"s\.jsonl:3: "):
        index_stream(path)
    (tmp_path / "x.jsonl").write_text("{}\n", encoding="utf-8")
    with pytest.raises(StreamError, match="not a gkaudit result stream"):
        index_stream(tmp_path / "x.jsonl")


def test_atomic_writer_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_writer(path) as out:
        out.write("half of a new rep")
        raise RuntimeError("disk full")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_the_runner_keeps_no_site_report(web: SimWeb) -> None:
    """Flat memory: each SiteReport is handed to the sink and dropped; nothing holds it after."""
    alive: list[weakref.ref[SiteReport]] = []

    class Sink:
        def begin(self, started_at: datetime, scanner: ScannerFacts) -> None:
            pass

        def site(self, report: SiteReport) -> None:
            alive.append(weakref.ref(report))

    checks = load_registry().select(["reachability"])
    run = asyncio.run(run_sites(web.targets(), checks, simweb_scan_options(web), Sink()))
    gc.collect()
    assert len(alive) == len(web.targets()) and run.unfinished == []
    assert [ref for ref in alive if ref() is not None] == []


def test_a_stop_before_the_scan_lists_every_site_unfinished(web: SimWeb) -> None:
    stop = asyncio.Event()
    stop.set()
    report = scan_web_stopped(web, stop)
    assert report.interrupted and report.sites == []
    assert report.unfinished == [t.id for t in web.targets()]


def scan_web_stopped(web: SimWeb, stop: asyncio.Event) -> ScanReport:
    checks = load_registry().select(["reachability"])
    return asyncio.run(run_scan(web.targets(), checks, simweb_scan_options(web), stop=stop))


# --- shard / merge / workers round trip --------------------------------------------------------

def scan_json(web: SimWeb, out: Path, *args: str) -> dict:
    targets = write_targets(out.parent / "targets.yaml", web)
    done = gkaudit("scan", "--targets", targets, *sim_args(web), "--format", "json", "--output", out, *args)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(report, json_schema())
    return report


def test_shards_merge_to_the_full_scan(web: SimWeb, tmp_path: Path) -> None:
    full = scan_json(web, tmp_path / "full.json", "--workers", "1")
    assert set(statuses(full)) == set(SPECS) and {"pass", "fail"} <= set(full["totals"])
    parts = [tmp_path / f"part{k}.json" for k in (1, 2, 3)]
    slices = [scan_json(web, part, "--shard", f"{k}/3", "--workers", "1") for k, part in enumerate(parts, 1)]
    ids = [site["id"] for s in slices for site in s["sites"]]
    assert sorted(ids) == sorted(SPECS)  # every site once
    assert [s["shard"] for s in slices] == ["1/3", "2/3", "3/3"]
    done = gkaudit("merge", *parts, "-o", tmp_path / "all.json")
    assert done.returncode == 0, done.stderr
    merged = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    jsonschema.validate(merged, json_schema())
    assert statuses(merged) == statuses(full)
    assert merged["totals"] == full["totals"] and merged["interrupted"] is False and merged["shard"] is None
    assert merged["scanner"]["checks"] == ["reachability"] and merged["scanner"]["online"] is True
    assert merged["scanner"]["sites_at_once"] == sum(s["scanner"]["sites_at_once"] for s in slices) >= 3


def test_workers_give_the_same_report_as_one_process(web: SimWeb, tmp_path: Path) -> None:
    one = scan_json(web, tmp_path / "one.json", "--workers", "1")
    two = scan_json(web, tmp_path / "two.json", "--workers", "2")
    assert list(statuses(two)) == [t.id for t in web.targets()]  # targets order, whichever worker ran it
    assert statuses(two) == statuses(one) and two["totals"] == one["totals"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.json", "targets.yaml", "two.json"]
    # facts counted to the end of each worker's scan reach the joined report (one site or more per worker)
    assert one["scanner"]["sites_at_once"] >= 1 and two["scanner"]["sites_at_once"] >= 2


def test_workers_are_dealt_the_sites_in_turn() -> None:
    from gkaudit.order import deal

    assert deal(list(range(7)), 3) == [[0, 3, 6], [1, 4], [2, 5]]  # sizes differ by one at most
    assert deal([0], 4) == [[0]]  # no empty slice, no idle process


def test_workers_import_gkaudit_from_where_the_scan_did_not_the_working_directory(web: SimWeb,
                                                                                tmp_path: Path) -> None:
    """Run from a folder holding a `gkaudit/` and a `yaml.py` (a checkout's parent, a stray script): the
    `gkaudit` command does not look there, and neither may its worker processes."""
    here = tmp_path / "here"
    (here / "gkaudit").mkdir(parents=True)
    (here / "yaml.py").write_text("raise ImportError('the yaml.py of the working directory')\n", encoding="utf-8")
    one = scan_json(web, tmp_path / "one.json", "--workers", "1")
    targets = write_targets(tmp_path / "targets.yaml", web)
    done = subprocess.run([sys.executable, "-P", "-m", "gkaudit.cli", "scan", "--targets", str(targets),
                           *sim_args(web), "--format", "json", "--output", str(tmp_path / "two.json"),
                           "--workers", "2"], capture_output=True, text=True, encoding="utf-8", cwd=here,
                          env=child_env(), timeout=120, check=False)  # -P: the command's own sys.path
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    two = json.loads((tmp_path / "two.json").read_text(encoding="utf-8"))
    assert statuses(two) == statuses(one) and not two["interrupted"]


def test_merge_refuses_a_site_twice_in_one_line(web: SimWeb, tmp_path: Path) -> None:
    part = tmp_path / "p.json"
    scan_json(web, part, "--shard", "1/2", "--workers", "1")
    done = gkaudit("merge", part, part, "-o", tmp_path / "all.json")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "duplicate site id" in done.stderr
    assert not (tmp_path / "all.json").exists()


def test_merge_names_a_missing_slice_and_refuses_a_non_report(web: SimWeb, tmp_path: Path) -> None:
    part = tmp_path / "p.json"
    scan_json(web, part, "--shard", "1/2", "--workers", "1")
    done = gkaudit("merge", part)
    assert done.returncode == 0 and "slice 2/2 is missing" in done.stderr
    assert json.loads(done.stdout)["sites"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"sites": []}', encoding="utf-8")
    done = gkaudit("merge", part, bad)
    assert done.returncode == 2 and "not a gkaudit JSON report" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_merge_carries_interrupted_and_unfinished(tmp_path: Path) -> None:
    first, second = header(), header()
    first.sites, first.totals = [site("a")], {"pass": 1}
    second.sites, second.interrupted, second.unfinished = [site("b", "fail")], True, ["c"]
    for name, report in (("1.json", first), ("2.json", second)):
        (tmp_path / name).write_text(report.model_dump_json(), encoding="utf-8")
    done = gkaudit("merge", tmp_path / "1.json", tmp_path / "2.json")
    merged = json.loads(done.stdout)
    assert merged["interrupted"] is True and merged["unfinished"] == ["c"]
    assert merged["totals"]["pass"] == 1 and merged["totals"]["fail"] == 1


def test_merge_refuses_slices_judged_on_different_days(tmp_path: Path) -> None:
    first, second = header(), header()
    second.scanner.now = date(2026, 12, 2)
    first.sites, second.sites = [site("a")], [site("b")]
    for name, report in (("1.json", first), ("2.json", second)):
        (tmp_path / name).write_text(report.model_dump_json(), encoding="utf-8")
    done = gkaudit("merge", tmp_path / "1.json", tmp_path / "2.json")
    assert done.returncode == 2 and "--now" in done.stderr


def test_workers_option_must_be_positive() -> None:
    done = gkaudit("scan", "--targets", REPO_TARGETS, "--workers", "0")
    assert done.returncode == 2 and "--workers" in done.stderr


def test_default_workers_keep_a_small_scan_in_one_process() -> None:
    assert worker_count(None, 3) == 1
    assert 1 <= worker_count(None, 1000) <= (os.cpu_count() or 1)
    assert worker_count(5, 3) == 5


def test_worker_progress_counts_each_finished_site_once(tmp_path: Path) -> None:
    from gkaudit.workers import _Progress

    path = tmp_path / "w.jsonl"
    watched = _Progress([path, tmp_path / "not-yet.jsonl"])
    assert watched.new_sites() == 0
    stream = SiteStream(path, header())
    stream.write(site("a"))
    stream.write(site("b"))
    stream.close()
    assert watched.new_sites() == 2
    with path.open("a", encoding="utf-8") as out:
        out.write(site("c").model_dump_json()[:30])  # half a line: not yet
    assert watched.new_sites() == 0
    with path.open("a", encoding="utf-8") as out:
        out.write(site("c").model_dump_json()[30:] + "\n" + '{"gkaudit_end": {}}\n')
    assert watched.new_sites() == 1


def test_merged_scanner_facts_keep_what_any_slice_could_not_do() -> None:
    from gkaudit.report.merge import merge_scanner

    day = date(2026, 12, 1)
    good = ScannerFacts(resolver="a", now=day, allow_private=False, online=True, ipv6_usable=True,
                        ipv6_reason="ok", checks=["reachability", "ipv6"])
    bad = ScannerFacts(resolver="b", now=day, allow_private=False, online=True, ipv6_usable=False,
                       ipv6_reason="no route", checks=["ipv6", "plans"])
    merged = merge_scanner([good, bad], ["s1.json", "s2.json"])
    assert merged.ipv6_usable is False and merged.ipv6_reason == "s2.json: no route"
    assert merged.online is True and merged.resolver == "a; b"
    assert merged.checks == ["reachability", "ipv6", "plans"]
    assert merge_scanner([good], ["s1.json"]).ipv6_reason == "ok"


def test_the_table_says_a_scan_was_interrupted_and_what_is_missing() -> None:
    from gkaudit.report.table import render_table

    report = header()
    report.sites, report.interrupted, report.unfinished = [site("a")], True, ["b", "c"]
    text = render_table(report)
    assert "扫描被中断 / interrupted：2 个站点未完成 / unfinished：b、c" in text
    assert "扫描被中断" not in render_table(header())
