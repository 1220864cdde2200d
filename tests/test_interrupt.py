"""SIGTERM / SIGINT during a scan: a valid report of what finished, `interrupted`, the rest listed; atomic files.

The web has fast sites and slow ones (every answer delayed a minute). The signal is sent once the
fast sites are in the result stream (about 2 s in), so the slow ones are certainly in flight.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from gkaudit.report.json import json_schema
from gkaudit.shard import shard_of
from gkaudit.simweb.web import SimWeb

from scalekit import build_sites, gkaudit, sim_args, start_gkaudit, streamed_ids, write_targets

FAST = ["fast1", "fast2", "fast3"]
SLOW = ["slow1", "slow2", "slow5"]  # with --workers 2, slow5 is the child's (shard 2/2), the others this process's


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimWeb]:
    specs = {name: {} for name in [*FAST, "fast4"]} | {name: {"latency_ms": 60_000} for name in SLOW}
    root = build_sites(tmp_path_factory.mktemp("interrupt") / "sites", specs)
    with SimWeb(roots=[root]) as simulated:
        yield simulated


def wait_for_streamed(folder: Path, ids: list[str], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while not set(ids) <= streamed_ids(folder):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "fast sites never reached the stream"
        time.sleep(0.2)


def interrupted_scan(web: SimWeb, tmp_path: Path, sig: int, *more: str) -> tuple[subprocess.Popen[str], str, Path]:
    targets = write_targets(tmp_path / "targets.yaml", web, [*FAST, *SLOW])
    output = tmp_path / "report.json"
    process = start_gkaudit("scan", "--targets", targets, *sim_args(web), "--timeout", "120", "--format", "json",
                            "--output", output, *more)
    wait_for_streamed(tmp_path, FAST, process)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    return process, stderr, output


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_signal_leaves_a_valid_interrupted_report(web: SimWeb, tmp_path: Path, sig: int, code: int,
                                                  workers: str) -> None:
    process, stderr, output = interrupted_scan(web, tmp_path, sig, "--workers", workers)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    report = json.loads(output.read_text(encoding="utf-8"))
    jsonschema.validate(report, json_schema())
    assert report["interrupted"] is True
    assert sorted(report["unfinished"]) == SLOW
    assert [site["id"] for site in report["sites"]] == FAST  # targets order, finished sites only
    assert sum(report["totals"].values()) == len(FAST)
    assert report["scanner"]["sites_at_once"] >= 1  # counted to the stop, not lost with it
    assert "--resume" in stderr and signal.Signals(sig).name in stderr
    assert (tmp_path / "report.json.partial.jsonl").is_file()  # kept for --resume
    assert not list(tmp_path.glob(".report.json.*.tmp")) and not list(tmp_path.glob(".gkaudit-workers-*"))


def test_resume_from_the_stream_skips_finished_sites(web: SimWeb, tmp_path: Path) -> None:
    _, _, output = interrupted_scan(web, tmp_path, signal.SIGTERM, "--workers", "1")
    stream = tmp_path / "report.json.partial.jsonl"
    before = {name: len(web.requests_for(f"{name}.scale.test")) for name in FAST}
    targets = write_targets(tmp_path / "resume.yaml", web, [*FAST, "fast4"])  # the slow ones dropped, one added
    done = gkaudit("scan", "--targets", targets, *sim_args(web), "--format", "json", "--output", output,
                   "--resume", stream, "--workers", "1")
    assert done.returncode == 0, done.stderr
    report = json.loads(output.read_text(encoding="utf-8"))
    jsonschema.validate(report, json_schema())
    assert [site["id"] for site in report["sites"]] == [*FAST, "fast4"]
    assert report["interrupted"] is False and report["unfinished"] == []
    assert {name: len(web.requests_for(f"{name}.scale.test")) for name in FAST} == before  # not fetched again
    assert not stream.exists() and not list(tmp_path.glob("*.new"))


def test_resume_of_another_scan_is_refused_in_one_line(web: SimWeb, tmp_path: Path) -> None:
    targets = write_targets(tmp_path / "t.yaml", web, ["fast1"])
    first = tmp_path / "first.json"
    assert gkaudit("scan", "--targets", targets, *sim_args(web), "--format", "json", "-o", first).returncode == 0
    args = [a for a in sim_args(web) if a != "reachability"] + ["ipv6"]  # --check ipv6 instead
    done = gkaudit("scan", "--targets", targets, *args, "--resume", first)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "not the same checks" in done.stderr
    junk = tmp_path / "junk.jsonl"
    junk.write_text("hello\n", encoding="utf-8")
    done = gkaudit("scan", "--targets", targets, *sim_args(web), "--resume", junk)
    assert done.returncode == 2 and "neither a gkaudit result stream nor a JSON report" in done.stderr


def test_a_killed_scan_leaves_no_stale_report(web: SimWeb, tmp_path: Path) -> None:
    """SIGKILL (a crash, the OOM killer): yesterday's report must not pass for today's."""
    output = tmp_path / "report.json"
    output.write_text('{"yesterday": true}', encoding="utf-8")
    targets = write_targets(tmp_path / "targets.yaml", web, [*FAST, *SLOW])
    process = start_gkaudit("scan", "--targets", targets, *sim_args(web), "--timeout", "120", "--format",
                            "json", "--output", output, "--workers", "1")
    wait_for_streamed(tmp_path, FAST, process)
    process.kill()
    process.communicate(timeout=30)
    assert not output.exists()
    assert streamed_ids(tmp_path) == set(FAST)  # what finished is on disk, ready for --resume


def test_a_finished_scan_replaces_the_report_and_removes_its_stream(web: SimWeb, tmp_path: Path) -> None:
    output = tmp_path / "report.json"
    output.write_text("old", encoding="utf-8")
    targets = write_targets(tmp_path / "targets.yaml", web, FAST)
    done = gkaudit("scan", "--targets", targets, *sim_args(web), "--format", "json", "--output", output)
    assert done.returncode == 0, done.stderr
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["interrupted"] is False and [s["id"] for s in report["sites"]] == FAST
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "targets.yaml"]


def test_check_command_interrupted_reports_its_site_unfinished(web: SimWeb, tmp_path: Path) -> None:
    output = tmp_path / "one.json"
    process = start_gkaudit("check", web.url("slow1.scale.test"), *sim_args(web), "--timeout", "120",
                            "--format", "json", "--output", output)
    stream = tmp_path / "one.json.partial.jsonl"
    deadline = time.monotonic() + 60
    while not (stream.exists() and stream.read_text(encoding="utf-8").endswith("\n")):  # the scan has begun
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    report = json.loads(output.read_text(encoding="utf-8"))
    jsonschema.validate(report, json_schema())
    assert report["interrupted"] is True and report["sites"] == [] and len(report["unfinished"]) == 1
    assert "--resume" not in stderr and not stream.exists()  # `check` has no --resume: nothing kept


def _children(pid: int) -> list[int]:
    """Pids whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def scan_with_a_child(web: SimWeb, tmp_path: Path) -> tuple[subprocess.Popen[str], Path, int]:
    """A --workers 2 scan once its fast sites are streamed: (the scan, its --output, its one child's pid).
    The child still has a slow site in flight: it is stopped or killed with work unfinished."""
    assert [site for site in SLOW if shard_of(site, 2) == 2], "no slow site in the child's slice"
    targets = write_targets(tmp_path / "targets.yaml", web, [*FAST, *SLOW])
    output = tmp_path / "report.json"
    process = start_gkaudit("scan", "--targets", targets, *sim_args(web), "--timeout", "120", "--format", "json",
                            "--output", output, "--workers", "2")
    wait_for_streamed(tmp_path, FAST, process)
    spawned = _children(process.pid)
    assert len(spawned) == 1, spawned  # one child (and no resource tracker): the other slice is this process's own
    assert b"gkaudit.workers" in Path(f"/proc/{spawned[0]}/cmdline").read_bytes()
    return process, output, spawned[0]


def assert_slow_sites_unfinished(process: subprocess.Popen[str], stderr: str, output: Path) -> None:
    """Ended by SIGTERM with a valid report: the fast sites done, the slow ones (the child's) unfinished."""
    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr
    report = json.loads(output.read_text(encoding="utf-8"))
    jsonschema.validate(report, json_schema())
    assert report["interrupted"] is True
    assert [site["id"] for site in report["sites"]] == FAST
    assert sorted(report["unfinished"]) == SLOW


def test_a_worker_that_dies_leaves_its_sites_unfinished(web: SimWeb, tmp_path: Path) -> None:
    """--workers 2: this process scans one slice, a child the other. The child is killed (SIGKILL, as the OOM
    killer does) mid-scan: the scan still ends on SIGTERM with a valid report, the child's slice unfinished."""
    process, output, child = scan_with_a_child(web, tmp_path)
    os.kill(child, signal.SIGKILL)
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert_slow_sites_unfinished(process, stderr, output)


def test_a_child_that_does_not_stop_is_killed_after_the_grace(web: SimWeb, tmp_path: Path) -> None:
    """--workers 2, the child frozen (SIGSTOP: it can handle no signal): SIGTERM to the scan still ends it,
    the child killed STOP_GRACE_S later, with a valid report and the child's unfinished sites listed."""
    from gkaudit.workers import STOP_GRACE_S

    process, output, child = scan_with_a_child(web, tmp_path)
    os.kill(child, signal.SIGSTOP)
    try:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=STOP_GRACE_S + 50)  # without the kill: a hang
    finally:
        if child in _children(process.pid):  # still there (the scan hung): not a reused pid
            os.kill(child, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert_slow_sites_unfinished(process, stderr, output)
