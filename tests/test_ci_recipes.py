"""The CI recipes in docs/ci run as written: their shell steps under `bash -eo pipefail` against the demo web.

The GitHub workflow's Audit and Verdict steps and the GitLab job's script are taken from the YAML
and run in a folder holding the demo web's targets.yaml; GKAUDIT_* variables point gkaudit at the
simulated web. Exit codes 2, 3, 130 and 143 come from a stand-in `gkaudit` first on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gkaudit.model import ScanReport, Status
from gkaudit.simweb.options import CONTROL_HOST
from gkaudit.simweb.web import SimWeb

CI = Path(__file__).resolve().parents[1] / "docs" / "ci"
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]  # GitHub's `shell: bash`; GitLab's is alike


def github_steps() -> dict[str, dict]:
    workflow = yaml.safe_load((CI / "github-actions.yml").read_text(encoding="utf-8"))
    return {step.get("name", ""): step for step in workflow["jobs"]["audit"]["steps"]}


def gitlab_job() -> dict:
    return yaml.safe_load((CI / "gitlab-ci.yml").read_text(encoding="utf-8"))["gkaudit-nightly"]


@pytest.fixture
def workdir(bundled_web: SimWeb, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A checkout with the demo targets.yaml, and the environment that points gkaudit at the demo web."""
    sites = [t.model_dump(mode="json", exclude_defaults=True) for t in bundled_web.targets()]
    (tmp_path / "targets.yaml").write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GKAUDIT_", "GITHUB_", "CI_"))}
    env.update({
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "GKAUDIT_TARGETS": "targets.yaml", "GKAUDIT_NAMESERVER": bundled_web.nameserver,
        "GKAUDIT_ALLOW_PRIVATE": "1", "GKAUDIT_CONTROL_HOST": CONTROL_HOST,
        "GKAUDIT_IPV6_CONTROL": bundled_web.url(CONTROL_HOST), "GKAUDIT_TIMEOUT": "5",
        "GKAUDIT_NOW": bundled_web.today.isoformat(), "NO_COLOR": "1",
        "GITHUB_OUTPUT": str(tmp_path / "github_output"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    })
    if bundled_web.ca_bundle:
        env["GKAUDIT_CA_BUNDLE"] = bundled_web.ca_bundle
    return tmp_path, env


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BASH, "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=300, check=False)


def github_run(cwd: Path, env: dict[str, str]) -> tuple[int, int]:
    """The Audit step then the Verdict step, as GitHub runs them: (audit step exit, verdict exit)."""
    steps = github_steps()
    output = Path(env["GITHUB_OUTPUT"])
    output.write_text("", encoding="utf-8")
    audit = bash(steps["Audit"]["run"], cwd, env)
    recorded = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line)
    verdict = bash(steps["Verdict"]["run"], cwd, {**env, "AUDIT_EXIT": recorded.get("exit_code", "")})
    assert "Traceback" not in audit.stderr + verdict.stderr, audit.stderr
    return audit.returncode, verdict.returncode


def gitlab_run(cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return bash("\n".join(gitlab_job()["script"]), cwd, env)


def make_baseline_better(cwd: Path) -> str:
    """previous/compliance.json where one of today's failures was a pass; returns that site id."""
    report = ScanReport.model_validate_json((cwd / "previous" / "compliance.json").read_text(encoding="utf-8"))
    result = next(r for s in report.sites for r in s.results if r.status is Status.FAIL)
    site = next(s for s in report.sites if result in s.results)
    result.status = Status.PASS
    (cwd / "previous" / "compliance.json").write_text(report.model_dump_json(), encoding="utf-8")
    return site.id


def keep_as_previous(cwd: Path) -> None:
    shutil.rmtree(cwd / "previous", ignore_errors=True)
    shutil.copytree(cwd / "reports", cwd / "previous")


def test_github_workflow_first_run_then_no_change_then_a_regression(workdir: tuple[Path, dict[str, str]]) -> None:
    cwd, env = workdir
    assert github_run(cwd, env) == (0, 0)  # first run: failures reported, not fatal
    for name in ("compliance.json", "compliance.csv", "junit.xml", "summary.md", "report.html"):
        assert (cwd / "reports" / name).is_file(), name
    assert "exit_code=1" in Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8")
    assert "| 站点 |" in Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    keep_as_previous(cwd)
    assert github_run(cwd, env) == (0, 0)  # same web against its own report: no change
    assert "与基线对比" in (cwd / "reports" / "summary.md").read_text(encoding="utf-8")
    assert len(list((cwd / "reports" / "history").glob("*.json"))) == 1
    assert "趋势" in (cwd / "reports" / "report.html").read_text(encoding="utf-8")
    site = make_baseline_better(cwd)
    assert github_run(cwd, env) == (0, 1)  # something got worse: the verdict fails the job
    assert site in (cwd / "reports" / "summary.md").read_text(encoding="utf-8")


def test_gitlab_job_first_run_then_a_regression(workdir: tuple[Path, dict[str, str]]) -> None:
    cwd, env = workdir
    first = gitlab_run(cwd, env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "first run" in first.stdout and "| 站点 |" in first.stdout
    keep_as_previous(cwd)
    make_baseline_better(cwd)
    worse = gitlab_run(cwd, env)
    assert worse.returncode == 1 and "got worse" in worse.stdout


@pytest.mark.parametrize("code", [2, 3, 130, 143])
def test_other_exit_codes_fail_the_job_with_that_code(workdir: tuple[Path, dict[str, str]], code: int) -> None:
    cwd, env = workdir
    stand_in = cwd / "bin"
    stand_in.mkdir()
    fake = stand_in / "gkaudit"
    fake.write_text(f"#!/bin/sh\nexit {code}\n", encoding="utf-8")
    fake.chmod(0o755)
    env = {**env, "PATH": f"{stand_in}{os.pathsep}{env['PATH']}"}
    audit, verdict = github_run(cwd, env)
    assert (audit, verdict) == (0, code)  # the audit step records the code; upload steps still run
    assert gitlab_run(cwd, env).returncode == code


def test_the_fetch_steps_are_valid_bash() -> None:
    fetch = github_steps()["Fetch the last report"]["run"]
    assert subprocess.run(["bash", "-n", "-c", fetch], check=False).returncode == 0
    for line in gitlab_job()["before_script"]:
        assert subprocess.run(["bash", "-n", "-c", line], check=False).returncode == 0


def test_recipes_schedule_keep_and_publish() -> None:
    workflow = yaml.safe_load((CI / "github-actions.yml").read_text(encoding="utf-8"))
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on:` as True
    assert triggers["schedule"][0]["cron"]
    steps = github_steps()
    assert steps["Keep the reports"]["if"] == "always()" and steps["Verdict"]["if"] == "always()"
    job = gitlab_job()
    assert job["artifacts"]["when"] == "always" and job["artifacts"]["reports"]["junit"] == "reports/junit.xml"
    assert any("schedule" in rule["if"] for rule in job["rules"])


def test_the_dockerfile_brings_chromium_and_never_downloads_browsers() -> None:
    text = (CI / "Dockerfile").read_text(encoding="utf-8")
    assert "chromium" in text and "GKAUDIT_CHROMIUM=/usr/bin/chromium" in text
    assert "playwright install" not in "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert '[render]' in text and 'ENTRYPOINT ["gkaudit"]' in text
    runs = [line.removeprefix("RUN ") for line in text.replace("\\\n", " ").splitlines() if line.startswith("RUN ")]
    assert len(runs) == 2
    for command in runs:
        assert subprocess.run(["bash", "-n", "-c", command], check=False).returncode == 0
