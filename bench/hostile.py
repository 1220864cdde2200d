"""The hostile web as a user meets it: `gkaudit scan` over tests/sites/hostile, every check, peak RSS measured.

    python bench/hostile.py [--max-rss-mib 600]

Every fault of the fault matrix (decompression bombs, 100,000 nested <div>s, a 4.5 MB text page,
redirects to javascript:, parent-domain cookies, ...) is one site's homepage. The scan runs as a
separate process, so its peak RSS (getrusage of the child) is its own. Prints one JSON line: wall
time, peak RSS, status totals and any `error` result. Exit 0 when the scan completed with no
`error` and peak RSS stayed under --max-rss-mib; 1 otherwise. Timings are reported, never judged.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from gkaudit.simweb.web import SimWeb

HOSTILE = Path(__file__).resolve().parent.parent / "tests" / "sites" / "hostile"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-rss-mib", type=float, default=600.0)
    parser.add_argument("--timeout", default="3", help="gkaudit --timeout (seconds per request)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gkaudit-hostile-") as tmp, SimWeb(roots=[HOSTILE]) as web:
        sites = [{"id": host.replace(".", "-"), "name": host, "url": web.url(host), "kind": "district"}
                 for host in sorted(web.sites)]
        targets = Path(tmp) / "targets.yaml"
        targets.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
        output = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "gkaudit.cli", "scan", "--targets", str(targets), "--quiet",
                   "--format", "json", "--output", str(output), "--nameserver", web.nameserver,
                   "--allow-private", "--timeout", args.timeout, "--control-host", "", "--ipv6", "off"]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        wall = time.perf_counter() - started
        report = json.loads(output.read_text(encoding="utf-8")) if output.exists() else None
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    errors = [(s["id"], r["check"], r["summary"]) for s in (report or {}).get("sites", [])
              for r in s["results"] if r["status"] == "error"]
    print(json.dumps({"sites": len(sites), "exit_code": done.returncode, "wall_s": round(wall, 1),
                      "peak_rss_mib": round(peak, 1), "totals": (report or {}).get("totals"), "errors": errors,
                      "stderr": done.stderr.strip()[-500:] or None}, ensure_ascii=False))
    ok = report is not None and done.returncode in (0, 1) and not errors and peak < args.max_rss_mib
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
