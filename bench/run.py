"""Benchmark: scan N simulated sites with every check, report wall time, requests and peak memory.

    python bench/run.py --sites 100 --latency-ms 50

The sites are copies of the bundled simulated Nanjing sites under new hostnames, served by
simweb on loopback (nothing leaves this machine). The scan runs as a separate `gkaudit scan`
process so its peak RSS is measured alone. Results are printed as a Markdown table (and
appended to bench/results/ as JSON); the README quotes them. Timings are never asserted.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

from gkaudit.simweb.options import CONTROL_HOST
from gkaudit.simweb.web import BUNDLED_SITES, SimWeb

TEMPLATES = ["00_nanjing", "10_qinhuai", "11_gulou", "14_jiangning", "15_jiangbei", "20_tjj", "21_fgw"]


def build_sites(root: Path, count: int, latency_ms: int) -> None:
    """Copy bundled sites to `root` under hostnames siteNNN.bench.gov.cn (plus the control host)."""
    shutil.copytree(BUNDLED_SITES / "90_govcn", root / "90_govcn")
    for index in range(count):
        template = BUNDLED_SITES / TEMPLATES[index % len(TEMPLATES)]
        folder = root / f"{index:03d}_{template.name.split('_', 1)[1]}"
        shutil.copytree(template, folder)
        manifest = yaml.safe_load((folder / "site.yaml").read_text(encoding="utf-8"))
        manifest["host"] = f"site{index:03d}.bench.gov.cn"
        manifest["latency_ms"] = latency_ms
        target = manifest.setdefault("target", {})
        target["id"] = f"site{index:03d}"
        target.pop("parent", None)
        (folder / "site.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=50, help="added to every simulated answer")
    parser.add_argument("--concurrency", type=int, default=16, help="gkaudit --concurrency (its default)")
    parser.add_argument("--check", action="append", default=[], help="only this check (repeatable)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gkaudit-bench-") as tmp:
        root = Path(tmp) / "sites"
        root.mkdir()
        build_sites(root, args.sites, args.latency_ms)
        with SimWeb(roots=[root]) as web:
            targets = Path(tmp) / "targets.yaml"
            sites = [t.model_dump(mode="json", exclude_defaults=True) for t in web.targets()]
            targets.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
            command = [sys.executable, "-m", "gkaudit.cli", "scan", "--targets", str(targets), "--quiet",
                       "--format", "json", "--output", str(Path(tmp) / "report.json"),
                       "--nameserver", web.nameserver, "--allow-private", "--control-host", CONTROL_HOST,
                       "--ipv6-control", web.url(CONTROL_HOST), "--concurrency", str(args.concurrency)]
            command += [arg for check in args.check for arg in ("--check", check)]
            started = time.perf_counter()
            completed = subprocess.run(command, capture_output=True, text=True)
            wall = time.perf_counter() - started
            requests = len(web.requests)
        if completed.returncode not in (0, 1):
            print(completed.stderr, file=sys.stderr)
            return completed.returncode
        report = json.loads((Path(tmp) / "report.json").read_text(encoding="utf-8"))
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = {
        "date": date.today().isoformat(), "sites": args.sites, "latency_ms": args.latency_ms,
        "concurrency": args.concurrency, "checks": report["scanner"]["checks"],
        "wall_s": round(wall, 2), "per_site_ms": round(wall * 1000 / args.sites), "http_requests": requests,
        "peak_rss_mib": round(peak_mib, 1), "totals": report["totals"],
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
    }
    print("| sites | latency/answer | checks | wall time | per site | HTTP requests | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.sites} | {args.latency_ms} ms | {', '.join(result['checks'])} | {result['wall_s']} s "
          f"| {result['per_site_ms']} ms | {requests} | {result['peak_rss_mib']} MiB |")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    name = re.sub(r"[^0-9]", "", time.strftime("%Y%m%d%H%M%S"))
    (out / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
