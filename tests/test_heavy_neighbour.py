"""A site with a huge homepage that differs between IPv4 and IPv6 must not slow or change its neighbours.

Twenty normal simulated sites are scanned alone, then beside one site whose 15,000-line homepage
has every fifth line different over IPv6. The normal sites' statuses are the same and nothing times
out (statuses asserted, never times); the heavy site's pages differ by 20%, so its ipv6 check warns.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from gkaudit.model import ScanReport, Status
from gkaudit.simweb.web import BUNDLED_SITES, SimWeb

from conftest import scan_web

CHECKS = ["reachability", "ipv6", "disclosure", "plans", "management"]
LINES = 15_000


def copy_bundled(root: Path, count: int) -> None:
    """`count` copies of the bundled demo sites under new hostnames; infrastructure (control host, CDN) as it is."""
    templates = []
    for template in sorted(p for p in BUNDLED_SITES.iterdir() if (p / "site.yaml").is_file()):
        if yaml.safe_load((template / "site.yaml").read_text(encoding="utf-8")).get("demo", True):
            templates.append(template)
        else:
            shutil.copytree(template, root / template.name)
    for n in range(count):
        template = templates[n % len(templates)]
        folder = root / f"{n:02d}_{template.name}"
        shutil.copytree(template, folder)
        manifest = yaml.safe_load((folder / "site.yaml").read_text(encoding="utf-8"))
        manifest["host"] = f"copy{n}.{manifest['host']}"
        target = manifest.setdefault("target", {})
        target["id"] = f"copy{n}"
        target.pop("parent", None)
        (folder / "site.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")


def heavy_site(root: Path) -> None:
    folder = root / "99_heavy"
    lines = [f"<p>第{i}行：关于做好政务公开工作的通知，发布单位办公室</p>" for i in range(LINES)]
    changed = [f"<p>第{i}行：旧版页面内容，已经过时的栏目</p>" if i % 5 == 0 else line for i, line in enumerate(lines)]
    for www, body in (("www", lines), ("www6", changed)):
        (folder / www).mkdir(parents=True)
        page = "<html><head><title>大页面测试站</title></head><body>\n" + "\n".join(body) + "\n</body></html>"
        (folder / www / "index.html").write_text(page, encoding="utf-8")
    manifest = {"host": "www.heavy.gov.cn", "ipv6": {"www": "www6"},
                "target": {"id": "heavy", "name": "大页面测试站", "kind": "district"}}
    (folder / "site.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")


def statuses(report: ScanReport) -> dict[tuple[str, str], Status]:
    return {(site.id, result.check): result.status for site in report.sites for result in site.results}


def test_a_huge_differing_homepage_leaves_its_neighbours_alone(tmp_path: Path) -> None:
    normal_root, heavy_root = tmp_path / "normal", tmp_path / "heavy"
    normal_root.mkdir()
    copy_bundled(normal_root, count=20)
    heavy_site(heavy_root)
    with SimWeb(roots=[normal_root, heavy_root]) as web:
        targets = web.targets()
        normal = [t for t in targets if t.id != "heavy"]
        assert len(normal) == 20 and len(targets) == len(normal) + 1
        alone = scan_web(web, normal, CHECKS)
        beside = scan_web(web, targets, CHECKS)
    before, after = statuses(alone), statuses(beside)
    assert {key: after[key] for key in before} == before
    for site in beside.sites:
        for result in site.results:
            assert result.metrics.get("reason") != "check_timeout", (site.id, result.check)
    heavy = next(s for s in beside.sites if s.id == "heavy")
    ipv6 = next(r for r in heavy.results if r.check == "ipv6")
    same = ipv6.metrics["same_site"]
    assert ipv6.status is Status.WARN and abs(same["difference"] - 0.2) < 0.02, ipv6.summary
