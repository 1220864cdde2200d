"""Labelled real pages (tests/realpages/LABELS.json) served byte-exact through simweb: every label holds.

Each page is served at its own host's root with its includes at their paths. For every label the
static reading must give exactly the labelled href / identifier (null: gkaudit finds none there);
identifiers and links that exist only in scripts must be found through the page's scripts; and no
check may `fail` from a misreading. The only fails allowed are the copy's own limits: a linked page
that is not part of the copy (dead here), and old dates on an archived page (not updated).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from typing import Any
from urllib.parse import urljoin

import pytest

from gkaudit.checks.disclosure import vocabulary as data
from gkaudit.checks.disclosure.judge import candidates_for
from gkaudit.checks.management.identifiers import read_identifiers
from gkaudit.columns.find import page_anchor_links
from gkaudit.model import CheckResult, Severity
from gkaudit.net.page import Page
from gkaudit.simweb.web import SimWeb

from conftest import REALPAGES, scan_web, target_of

LABELS: list[dict[str, Any]] = json.loads((REALPAGES / "LABELS.json").read_text(encoding="utf-8"))
PAGES = [label for label in LABELS if label["kind"] == "html"]
BY_FILE = {label["file"]: label for label in LABELS}
SUBCOLUMN_LABELS = {"guide": data.GUIDE, "system": data.SYSTEM, "statutory": data.STATUTORY,
                    "annual_report": data.REPORT, "on_request": data.REQUEST}
#: Links the labels' `notes` give as written by a script (the static HTML has none): found through the scripts.
SCRIPT_COLUMNS = {"mhxqwer_xhyshanghai.gov.cn.html": "https://www.shanghai.gov.cn/nw2319/index.html"}
NOW = "2026-12-01"


@pytest.mark.parametrize("label", LABELS, ids=lambda label: label["file"])
def test_copies_are_byte_exact(label: dict[str, Any]) -> None:
    body = (REALPAGES / label["file"]).read_bytes()
    assert len(body) == label["bytes"]
    assert hashlib.sha256(body).hexdigest() == label["sha256"]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("realpages")
    for index, label in enumerate(PAGES):
        site = root / f"{index:02d}_{label['host']}"
        (site / "www").mkdir(parents=True)
        (site / "site.yaml").write_text(f"host: {label['host']}\nraw: true\n", encoding="utf-8")
        shutil.copyfile(REALPAGES / label["file"], site / "www" / "index.html")
        for include in label.get("includes", []):
            target = site / "www" / include["path"].lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REALPAGES / include["file"], target)
    with SimWeb(roots=[root]) as running:
        yield running


@pytest.fixture(scope="module")
def results(web: SimWeb) -> dict[str, dict[str, CheckResult]]:
    kinds = {"district": "district", "portal": "portal"}
    targets = [target_of(web, label["host"], kinds[label["site_kind"]]) for label in PAGES]
    report = scan_web(web, targets, ["disclosure", "management", "plans"], now=NOW)
    by_host = {site.url: {r.check: r for r in site.results} for site in report.sites}
    return {label["file"]: by_host[web.url(label["host"])] for label in PAGES}


def static_page(web: SimWeb, label: dict[str, Any]) -> Page:
    return Page.from_bytes(web.url(label["host"]), (REALPAGES / label["file"]).read_bytes())


def resolved(web: SimWeb, label: dict[str, Any], href: str) -> str:
    return urljoin(web.url(label["host"]), href)


@pytest.mark.parametrize("label", PAGES, ids=lambda label: label["file"])
def test_static_reading_matches_every_label(web: SimWeb, label: dict[str, Any]) -> None:
    page = static_page(web, label)
    assert page.meta("SiteIDCode") == label["siteidcode"]
    links = page_anchor_links(page)
    column = candidates_for(data.COLUMN, links)
    expected = label["disclosure"]["column_href"]
    if expected is None:
        assert column == [], [c.as_evidence() for c in column[:2]]
    else:
        assert column and column[0].url == resolved(web, label, expected), [c.as_evidence() for c in column[:3]]
    for key, spec in SUBCOLUMN_LABELS.items():
        found = candidates_for(spec, links)
        href = label["disclosure"][key]
        if href is None:
            assert found == [], (key, [c.as_evidence() for c in found[:2]])
        else:
            assert found and found[0].url == resolved(web, label, href), key
    ids = read_identifiers(page.text)
    footer = label["footer"]
    for name in ("sitecode", "icp", "police"):
        assert getattr(ids, name) == footer[name], name
    for name in ("conac", "jiucuo"):
        assert bool(getattr(ids, name)) is (footer[name] is not None), name
    assert bool(ids.ipv6_badge) is label["ipv6_claim"]
    assert [a.label for a in links if any(w in a.label for w in ("规划", "十四五", "十五五"))] == label["plans"]


@pytest.mark.parametrize("label", PAGES, ids=lambda label: label["file"])
def test_the_checks_read_every_label(web: SimWeb, results: dict[str, dict[str, CheckResult]],
                                     label: dict[str, Any]) -> None:
    checks = results[label["file"]]
    disclosure, management = checks["disclosure"].metrics, checks["management"].metrics
    href = label["disclosure"]["column_href"]
    expected = resolved(web, label, href) if href else SCRIPT_COLUMNS.get(label["file"])
    assert disclosure["column_url"] == expected
    if href is None and expected:
        assert disclosure["column_source"] == "scripts"
    footer, found = label["footer"], management["identifiers"]
    for name in ("sitecode", "icp", "police"):
        assert found[name] == (footer[name] or footer.get("js_values", {}).get(name)), name
    for name in ("conac", "jiucuo"):
        assert found[name], name
    for name in footer["js_only"]:
        include = next(i for i in label["includes"] if i["file"] == footer["js_values"]["file"])
        assert management["identifier_sources"][name] == resolved(web, label, include["path"]), name
    assert bool(found["ipv6_badge"]) is label["ipv6_claim"]
    assert checks["plans"].metrics["plans"] == []


def allowed_fail(message: str, evidence: Any) -> bool:
    """A fail the copy itself explains: a linked page absent from the copy, or an archived page's old dates."""
    absent = evidence.http_status == 404 or (evidence.failure is not None)
    return (absent and "无法打开" in message) or "未更新" in message


@pytest.mark.parametrize("label", PAGES, ids=lambda label: label["file"])
def test_no_fail_from_a_misreading(results: dict[str, dict[str, CheckResult]], label: dict[str, Any]) -> None:
    for check_id, result in results[label["file"]].items():
        for item in result.findings:
            if item.severity is Severity.FAIL:
                assert allowed_fail(item.message, item.evidence), (check_id, item.message, item.evidence)
            # nothing here is worth a warning either: what was not read is not called absent
            assert item.severity is not Severity.WARN, (check_id, item.message)
