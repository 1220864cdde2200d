"""The benchmark runs and reports on itself (never timed: only that it works and says what it measured)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent.parent / "bench" / "run.py"
KEYS = {"wall_s", "bound_s", "ratio", "peak_rss_mib", "cpu_s", "requests", "sites"}


def test_bench_json_reports_wall_bound_ratio_memory_cpu_and_requests() -> None:
    completed = subprocess.run([sys.executable, str(BENCH), "--sites", "5", "--json"],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert KEYS <= result.keys()
    assert result["sites"] == 5 and result["requests"] > 5 * 5  # every site was really crawled
    assert result["bound_s"] > 0 and result["wall_s"] > 0 and result["peak_rss_mib"] > 0
    assert abs(result["ratio"] - result["wall_s"] / result["bound_s"]) < 0.01
    # One request per (URL, family) on the sites' hosts; the one known exception: columns/read.py hands
    # a page to the Renderer, whose own fetch of the document does not see the site's cache yet.
    assert result["duplicate_site_requests"] <= 1
    assert result["render"] == "never" and result["simweb_cpu_s"] > 0 and 1 <= result["sites_at_once"] <= 5
    assert abs(result["cpu_floor_s"] - (result["cpu_s"] + result["simweb_cpu_s"]) / result["cores"]) < 0.01
    bounds = result["bounds"]
    assert result["bound_s"] == max(bounds["global_s"], bounds["per_host_s"], bounds["per_site_chain_s"])


def test_bench_rejects_bad_arguments_in_one_line() -> None:
    completed = subprocess.run([sys.executable, str(BENCH), "--sites", "0"], capture_output=True, text=True,
                               timeout=60)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr


def test_bench_second_night_scans_with_the_first_report_as_baseline() -> None:
    completed = subprocess.run([sys.executable, str(BENCH), "--sites", "3", "--nights", "2", "--json",
                                "--check", "reachability"], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["nights"] == 2 and len(result["earlier_nights"]) == 1
    first = result["earlier_nights"][0]
    assert first["bound_s"] > 0 and abs(first["ratio"] * first["bound_s"] - first["wall_s"]) < 0.01  # rounded wall
    assert 3 <= result["requests"] < 3 * 20  # the last night's requests alone, not both nights'
