"""The recipes in docs/ run as written: their shell lines under bash -e, shards scanned and merged.

`gkaudit` on PATH is a shim that points `scan` at the simulated web (its DNS server, loopback
allowed, the reachability check only); every other word of each script is the recipe's own.
GitHub Actions expressions are filled in as the runner would; Kubernetes paths are moved into
a temp folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from gkaudit.model import ScanReport
from gkaudit.simweb.web import SimWeb
from gkaudit.stream import SiteStream

from scalekit import build_sites, gkaudit, sim_args, statuses, write_targets

DOCS = Path(__file__).parent.parent / "docs"
SPECS = {f"ok{n}": {} for n in range(5)} | {f"gone{n}": {"statuses": {"/": 404}} for n in range(3)}
NOW = "2026-12-01"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimWeb]:
    root = build_sites(tmp_path_factory.mktemp("recipes") / "sites", SPECS)
    with SimWeb(roots=[root]) as simulated:
        yield simulated


@pytest.fixture
def shim(web: SimWeb, tmp_path: Path) -> dict[str, str]:
    """An environment whose `gkaudit` scans the simulated web."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "gkaudit"
    extra = " ".join(a for a in sim_args(web) if a != "--quiet")
    script.write_text(f'#!/bin/bash\nif [ "$1" = scan ]; then set -- "$@" {extra}; fi\n'
                      f'exec {sys.executable} -m gkaudit.cli "$@"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1"}


def yaml_blocks(name: str) -> list[Any]:
    text = (DOCS / name).read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    assert blocks, f"{name} has no yaml block"
    return [doc for block in blocks for doc in yaml.safe_load_all(block)]


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """As GitHub runs a `run:` step: bash --noprofile --norc -eo pipefail."""
    assert "${{" not in script, script
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def full_scan(web: SimWeb, tmp_path: Path) -> dict[str, list[str]]:
    targets = write_targets(tmp_path / "full-targets.yaml", web)
    done = gkaudit("scan", "--targets", targets, *sim_args(web), "--now", NOW, "--format", "json",
                   "-o", tmp_path / "full.json")
    assert done.returncode == 1, done.stderr  # the 404 sites fail
    return statuses(json.loads((tmp_path / "full.json").read_text(encoding="utf-8")))


def fill(script: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: values[m[1]], script)


def run_steps(steps: list[dict[str, Any]], cwd: Path, env: dict[str, str], values: dict[str, str]) -> None:
    for step in steps:
        if "run" in step and not step["run"].startswith("pip install"):
            done = bash(fill(step["run"], values), cwd, env)
            assert done.returncode == 0, (step, done.stdout, done.stderr)


def test_github_actions_matrix_and_merge(web: SimWeb, tmp_path: Path, shim: dict[str, str]) -> None:
    workflow = yaml_blocks("ci-github-actions.md")[0]
    jobs = workflow["jobs"]
    date_dir = tmp_path / "date"
    date_dir.mkdir()
    output = date_dir / "github_output"
    run_steps(jobs["date"]["steps"], date_dir, {**shim, "GITHUB_OUTPUT": str(output)}, {})
    now = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").split())["now"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", now)
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    for shard in jobs["scan"]["strategy"]["matrix"]["shard"]:
        runner = tmp_path / f"scan-{shard}"
        runner.mkdir()
        write_targets(runner / "targets.yaml", web)  # the checkout
        values = {"matrix.shard": str(shard), "needs.date.outputs.now": NOW}
        run_steps(jobs["scan"]["steps"], runner, shim, values)
        upload = next(s for s in jobs["scan"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
        shutil.copy(runner / fill(upload["with"]["path"], values), artifacts)
    merger = tmp_path / "merge"
    shutil.copytree(artifacts, merger)  # download-artifact, merge-multiple
    run_steps(jobs["merge"]["steps"], merger, shim, {})
    merged = json.loads((merger / "compliance.json").read_text(encoding="utf-8"))
    assert statuses(merged) == full_scan(web, tmp_path)
    assert merged["interrupted"] is False and merged["scanner"]["now"] == NOW


def k8s_script(job: dict[str, Any], tmp_path: Path) -> tuple[str, dict[str, str]]:
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["/bin/bash", "-ec"]
    script = container["args"][0].replace("/reports", str(tmp_path / "reports"))
    script = script.replace("/config/targets.yaml", str(tmp_path / "targets.yaml"))
    env = {item["name"]: item["value"] for item in container.get("env", [])}
    return script, {**env, "NOW": NOW}


def test_kubernetes_indexed_job_and_merge(web: SimWeb, tmp_path: Path, shim: dict[str, str]) -> None:
    scan_job, merge_job = yaml_blocks("kubernetes.md")
    assert scan_job["spec"]["completionMode"] == "Indexed"
    (tmp_path / "reports").mkdir()
    write_targets(tmp_path / "targets.yaml", web)
    script, env = k8s_script(scan_job, tmp_path)
    for index in range(scan_job["spec"]["completions"]):
        done = subprocess.run(["bash", "-ec", script], env={**shim, **env, "JOB_COMPLETION_INDEX": str(index)},
                              cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
    script, env = k8s_script(merge_job, tmp_path)
    done = subprocess.run(["bash", "-ec", script], env={**shim, **env}, cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    merged = json.loads((tmp_path / "reports" / f"compliance-{NOW}.json").read_text(encoding="utf-8"))
    assert statuses(merged) == full_scan(web, tmp_path)
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [NOW, f"compliance-{NOW}.json"]
    assert sorted(p.name for p in (tmp_path / "reports" / NOW).iterdir()) == [
        "shard-1.json", "shard-2.json", "shard-3.json"]


def test_kubernetes_retried_pod_resumes_its_slice(web: SimWeb, tmp_path: Path, shim: dict[str, str]) -> None:
    """A pod killed mid-slice left shard-1.json.partial.jsonl: its retry scans only the sites not in it."""
    scan_job, _ = yaml_blocks("kubernetes.md")
    (tmp_path / "reports").mkdir()
    reports = tmp_path / "reports" / NOW
    write_targets(tmp_path / "targets.yaml", web)
    script, env = k8s_script(scan_job, tmp_path)
    run = {**shim, **env, "JOB_COMPLETION_INDEX": "0"}
    assert subprocess.run(["bash", "-ec", script], env=run, capture_output=True, check=False).returncode == 0
    report = ScanReport.model_validate_json((reports / "shard-1.json").read_text(encoding="utf-8"))
    assert len(report.sites) >= 2
    done, left = report.sites[:-1], report.sites[-1]
    stream = SiteStream(reports / "shard-1.json.partial.jsonl", report)  # what the killed pod had written
    for site in done:
        stream.write(site)
    stream.close()
    before = {s.id: len(web.requests_for(f"{s.id}.scale.test")) for s in report.sites}
    retried = subprocess.run(["bash", "-ec", script], env=run, capture_output=True, text=True, check=False)
    assert retried.returncode == 0, retried.stderr
    after = {s.id: len(web.requests_for(f"{s.id}.scale.test")) for s in report.sites}
    assert {i for i in after if after[i] != before[i]} == {left.id}  # only the unfinished site was fetched
    again = json.loads((reports / "shard-1.json").read_text(encoding="utf-8"))
    assert [s["id"] for s in again["sites"]] == [s.id for s in report.sites] and not again["interrupted"]
    assert not (reports / "shard-1.json.partial.jsonl").exists()
