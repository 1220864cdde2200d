"""Helpers for the scale tests: a simulated web of many small sites, and gkaudit run as a child process.

Sites are written to a temp folder (one manifest each, host NAME.scale.test); `latency_ms` makes
a site slow, `statuses: {"/": 404}` makes it fail. Everything is served on loopback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from gkaudit.simweb.web import SimWeb

from enginekit import ENGINE_SITES

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title></head>
<body><h1>{name}</h1><p>政务公开 信息公开 通知公告</p></body></html>
"""


def build_sites(root: Path, specs: dict[str, dict[str, Any]]) -> Path:
    """A fixture folder per site name (its manifest fields from `specs`), plus the control host."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ENGINE_SITES / "govcn", root / "govcn", dirs_exist_ok=True)
    for name, fields in specs.items():
        folder = root / name
        (folder / "www").mkdir(parents=True, exist_ok=True)
        manifest = {"host": f"{name}.scale.test", "target": {"id": name, "name": f"{name} 站", "kind": "district"},
                    **fields}
        (folder / "site.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
        (folder / "www" / "index.html").write_text(PAGE.format(name=name), encoding="utf-8")
    return root


def write_targets(path: Path, web: SimWeb, ids: list[str] | None = None) -> Path:
    """A targets file of the web's sites (all, or `ids` in that order)."""
    targets = {t.id: t for t in web.targets()}
    chosen = [targets[i] for i in ids] if ids is not None else list(targets.values())
    sites = [t.model_dump(mode="json", exclude_defaults=True) for t in chosen]
    path.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def sim_args(web: SimWeb) -> list[str]:
    return ["--nameserver", web.nameserver, "--allow-private", "--control-host", "www.gov.cn", "--ipv6", "off",
            "--quiet", "--check", "reachability"]


def child_env() -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}


def gkaudit(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m gkaudit.cli ARGS`; its output never carries a traceback."""
    done = subprocess.run([sys.executable, "-m", "gkaudit.cli", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout, env=child_env(), check=False)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


def start_gkaudit(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "gkaudit.cli", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", env=child_env())


def streamed_ids(folder: Path) -> set[str]:
    """Ids of the sites already written to any result stream under `folder` (workers' included)."""
    found: set[str] = set()
    for path in folder.rglob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            data = json.loads(line) if line.startswith("{") and line.endswith("}") else {}
            if "results" in data:
                found.add(data["id"])
    return found


def statuses(report: dict[str, Any]) -> dict[str, list[str]]:
    """site id -> the statuses of its results, in check order."""
    return {site["id"]: [r["status"] for r in site["results"]] for site in report["sites"]}
