"""Benchmark: scan N simulated sites with every check; report wall time against the bound the run itself sets.

    python bench/run.py --sites 100 --latency-ms 50 [--json]

The sites are copies of the bundled simulated Nanjing sites under new hostnames, served by simweb
on loopback (nothing leaves this machine). The scan runs as a separate `gkaudit scan` process, so
its peak RSS and CPU time are its own. simweb logs every request it serves (arrival and finish on
the monotonic clock); from that log the benchmark computes the lower bound no scanner obeying the
same limits could beat, the largest of:
- global:  requests x latency / concurrency (every answer is delayed by `latency`);
- per host: its n requests under the per-host rules: max((n-1) x interval + latency,
  ceil(n / per_host) x latency);
- per site: its longest dependency chain x latency. A URL cannot be asked before a page linking
  to it was read, so the chain of a request is its depth in the site's link graph (hrefs, srcs,
  path literals in scripts, redirects of the fixture files, breadth-first from "/"); a request
  the graph does not explain counts as depth 1 (this keeps the bound a lower bound).
It prints wall, bound, ratio (wall / bound), peak RSS, CPU seconds and requests (a table, or with
`--json` one JSON object: wall_s, bound_s, ratio, peak_rss_mib, cpu_s, requests, sites, and
details). Peak RSS is that of the scan's whole process tree (its --workers included), sampled
from /proc every 0.2 s; details: the three bounds, peak_rss_while_crawling_mib (the same until the
last request was served, i.e. before the report is assembled), largest_process_rss_mib,
duplicate_requests, simweb_cpu_s (the CPU the simulated web spent serving: it shares the
machine's cores with the scan), cpu_floor_s ((cpu_s + simweb_cpu_s) / cores: no run that spends
that CPU can end sooner, whatever the network bound), sites_at_once, totals). The table run
also appends its result to bench/results/. Timings are never asserted.
`--nights N` scans N times, each night with the previous night's report as `--baseline` (so its
slowest sites start first, as in a nightly CI job); the figures are the last night's, the earlier
nights' wall, bound and ratio are in `earlier_nights`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yaml

from gkaudit.net.http import FetchOptions
from gkaudit.simweb.http_server import RequestRecord
from gkaudit.simweb.options import CONTROL_HOST
from gkaudit.simweb.web import BUNDLED_SITES, SimWeb

TEMPLATES = ["00_nanjing", "10_qinhuai", "11_gulou", "14_jiangning", "15_jiangbei", "20_tjj", "21_fgw"]
LINK = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"'#]+)|["'](/[\w./?=&%-]+)["']""", re.I)


def build_sites(root: Path, count: int, latency_ms: int) -> dict[str, str]:
    """Copy bundled sites to `root` as siteNNNN.bench.gov.cn (plus the control host); host -> template."""
    shutil.copytree(BUNDLED_SITES / "90_govcn", root / "90_govcn")
    templates = {}
    for index in range(count):
        template = BUNDLED_SITES / TEMPLATES[index % len(TEMPLATES)]
        folder = root / f"{index:05d}_{template.name.split('_', 1)[1]}"
        shutil.copytree(template, folder)
        manifest = yaml.safe_load((folder / "site.yaml").read_text(encoding="utf-8"))
        manifest["host"] = host = f"site{index:04d}.bench.gov.cn"
        manifest["latency_ms"] = latency_ms
        target = manifest.setdefault("target", {})
        target["id"] = f"site{index:04d}"
        target.pop("parent", None)
        (folder / "site.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
        templates[host] = template.name
    return templates


def link_depths(template: Path) -> dict[str, int]:
    """Breadth-first depth ("/" = 1) of every path the template site's files link to (see module doc)."""
    manifest = yaml.safe_load((template / "site.yaml").read_text(encoding="utf-8")) or {}
    www = template / "www"
    edges: dict[str, set[str]] = defaultdict(set)
    files: dict[str, Path] = {}
    for file in www.rglob("*"):
        if file.is_file():
            rel = "/" + file.relative_to(www).as_posix()
            files[rel] = file
            if rel.endswith("/index.html"):
                files[rel[: -len("index.html")]] = file
    for key, rel in (manifest.get("routes") or {}).items():
        if (www / rel).is_file():
            files[key] = www / rel
    for path, file in files.items():
        if file.suffix not in (".html", ".htm", ".js", ".json", ".jsp", ".shtml", ".txt"):
            continue
        text = file.read_text(encoding="utf-8", errors="replace").replace("{{base}}", "")
        for match in LINK.finditer(text):
            href = (match.group(1) or match.group(2) or "").strip()
            if href and not href.startswith(("http:", "https:", "//", "javascript:", "mailto:", "{{")):
                target = urlsplit(urljoin(path, href))
                edges[path].add(target.path + (f"?{target.query}" if target.query else ""))
    for source, target in (manifest.get("redirects") or {}).items():
        edges[source].add(urlsplit(str(target).replace("{{base}}", "")).path)
    depths = {"/": 1}
    frontier = ["/"]
    while frontier:
        following = []
        for path in frontier:
            for target in edges.get(path, ()):
                if target not in depths:
                    depths[target] = depths[path] + 1
                    following.append(target)
        frontier = following
    return depths


def lower_bound(records: list[RequestRecord], latency: float, concurrency: int, fetch: FetchOptions,
                templates: dict[str, str]) -> dict[str, float]:
    """The three lower bounds of the module doc, in seconds, and their maximum."""
    by_host = Counter(r.host.split(":")[0].lower() for r in records)
    per_host = max((max((n - 1) * fetch.per_host_interval + latency, math.ceil(n / fetch.per_host) * latency)
                    for n in by_host.values()), default=0.0)
    depth_maps = {name: link_depths(BUNDLED_SITES / name) for name in set(templates.values())}
    chains: dict[str, int] = defaultdict(int)
    for record in records:
        host = record.host.split(":")[0].lower()
        depths = depth_maps.get(templates.get(host, ""), {})
        depth = depths.get(record.path) or depths.get(record.path.split("?")[0]) or 1
        chains[host] = max(chains[host], depth)
    bounds = {"global_s": len(records) * latency / concurrency, "per_host_s": per_host,
              "per_site_chain_s": max(chains.values(), default=0) * latency}
    return {**{k: round(v, 3) for k, v in bounds.items()}, "bound_s": round(max(bounds.values()), 3),
            "longest_chain": max(chains.values(), default=0)}


def _cpu(who: int) -> float:
    """User + system CPU seconds so far of this process (RUSAGE_SELF: simweb) or its ended children."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def tree_rss_mib(root: int) -> float:
    """Resident memory of process `root` and all its descendants (--workers), in MiB, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier and pid not in tree]
        tree.update(frontier)
    total = 0.0
    for pid in tree:
        try:
            line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS:"))
            total += int(line.split()[1]) / 1024
        except (OSError, StopIteration, ValueError):
            continue
    return total


def run_sampled(command: list[str]) -> tuple[subprocess.CompletedProcess[str], list[tuple[float, float]]]:
    """Run `command`, sampling the resident memory of its process tree (monotonic time, MiB) every 0.2 s."""
    samples: list[tuple[float, float]] = []
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        while process.poll() is None:
            samples.append((time.monotonic(), tree_rss_mib(process.pid)))
            time.sleep(0.2)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(command, process.returncode, out.read(), err.read()), samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=50, help="added to every simulated answer")
    parser.add_argument("--concurrency", type=int, default=16, help="gkaudit --concurrency (its default)")
    parser.add_argument("--check", action="append", default=[], help="only this check (repeatable)")
    parser.add_argument("--workers", type=int, default=None, help="gkaudit --workers (default: its own)")
    parser.add_argument("--render", choices=["never", "auto", "always"], default="never",
                        help="gkaudit --render (default never: the crawler alone; auto adds Chromium, whose "
                             "processes count in the peak RSS of the tree)")
    parser.add_argument("--nights", type=int, default=1,
                        help="scan N times, each with the previous report as --baseline (as a nightly job does: "
                             "the slowest sites start first); the figures are the last night's")
    parser.add_argument("--json", action="store_true", help="print one JSON object, write nothing")
    args = parser.parse_args()
    if args.sites < 1 or args.latency_ms < 0 or args.concurrency < 1 or args.nights < 1:
        parser.error("--sites, --concurrency and --nights must be at least 1, --latency-ms at least 0")

    with tempfile.TemporaryDirectory(prefix="gkaudit-bench-") as tmp:
        root = Path(tmp) / "sites"
        root.mkdir()
        templates = build_sites(root, args.sites, args.latency_ms)
        with SimWeb(roots=[root], keepalive=True) as web:  # as real sites
            targets = Path(tmp) / "targets.yaml"
            sites = [t.model_dump(mode="json", exclude_defaults=True) for t in web.targets()]
            targets.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
            command = [sys.executable, "-m", "gkaudit.cli", "scan", "--targets", str(targets), "--quiet",
                       "--format", "json", "--output", str(Path(tmp) / "report.json"),
                       "--nameserver", web.nameserver, "--allow-private", "--control-host", CONTROL_HOST,
                       "--ipv6-control", web.url(CONTROL_HOST), "--concurrency", str(args.concurrency),
                       "--render", args.render]
            command += [arg for check in args.check for arg in ("--check", check)]
            command += ["--workers", str(args.workers)] if args.workers else []
            earlier: list[dict[str, float]] = []
            for night in range(1, args.nights + 1):
                if night > 1:  # last night's report: its slowest sites start first, as in a nightly job
                    shutil.copy(Path(tmp) / "report.json", Path(tmp) / "baseline.json")
                before = len(web.requests)
                cpu_before = _cpu(resource.RUSAGE_CHILDREN)
                served_before = _cpu(resource.RUSAGE_SELF)
                started = time.perf_counter()
                completed, rss = run_sampled(command + (["--baseline", str(Path(tmp) / "baseline.json")]
                                                        if night > 1 else []))
                wall = time.perf_counter() - started
                cpu, simweb_cpu = _cpu(resource.RUSAGE_CHILDREN) - cpu_before, _cpu(resource.RUSAGE_SELF) - served_before
                records = list(web.requests)[before:]
                if completed.returncode not in (0, 1):
                    print(completed.stderr, file=sys.stderr)
                    return completed.returncode
                bound = lower_bound(records, args.latency_ms / 1000, args.concurrency, FetchOptions(), templates)
                earlier.append({"wall_s": round(wall, 2), "bound_s": bound["bound_s"],
                                "ratio": round(wall / bound["bound_s"], 3) if bound["bound_s"] else None})
            earlier.pop()  # the last night is the result itself
        report = json.loads((Path(tmp) / "report.json").read_text(encoding="utf-8"))
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cores = len(os.sched_getaffinity(0))
    distinct = Counter((r.family, r.host, r.path, r.method) for r in records)
    span = max(r.finished for r in records) - min(r.arrived for r in records) if records else 0.0
    last = max((r.finished for r in records), default=0.0)
    during = [mib for at, mib in rss if at <= last]  # while requests were still being served
    result = {
        "wall_s": round(wall, 2), "bound_s": bound["bound_s"],
        "ratio": round(wall / bound["bound_s"], 3) if bound["bound_s"] else None,
        "peak_rss_mib": round(max(max((mib for _, mib in rss), default=0.0), usage.ru_maxrss / 1024), 1),
        "largest_process_rss_mib": round(usage.ru_maxrss / 1024, 1), "cpu_s": round(cpu, 2),
        "requests": len(records), "sites": args.sites,
        "latency_ms": args.latency_ms, "concurrency": args.concurrency, "workers": args.workers,
        "render": args.render, "nights": args.nights, "earlier_nights": earlier, "bounds": bound,
        "peak_rss_while_crawling_mib": round(max(during, default=0.0), 1), "traffic_span_s": round(span, 2), "duplicate_requests": sum(n - 1 for n in distinct.values()),
        "duplicate_site_requests": sum(n - 1 for key, n in distinct.items()  # the control host: once per worker
                                       if key[1].split(":")[0].lower() in templates),
        "simweb_cpu_s": round(simweb_cpu, 2), "cores": cores,
        "cpu_floor_s": round((cpu + simweb_cpu) / cores, 2),
        "sites_at_once": report["scanner"].get("sites_at_once"),
        "checks": report["scanner"]["checks"], "totals": report["totals"], "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print("| sites | latency | wall | bound | ratio | peak RSS | CPU | requests | duplicates |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {args.sites} | {args.latency_ms} ms | {result['wall_s']} s | {result['bound_s']} s | "
          f"{result['ratio']} | {result['peak_rss_mib']} MiB | {result['cpu_s']} s | {len(records)} | "
          f"{result['duplicate_requests']} |")
    print(f"bounds: {bound}")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"{time.strftime('%Y%m%d%H%M%S')}-{args.sites}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
