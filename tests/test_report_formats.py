"""Every output format from one scan of the demo web: CSV, JUnit, markdown, HTML, and how -f/-o pair up."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from gkaudit.errors import ConfigError
from gkaudit.model import SCHEMA_VERSION, Evidence, Finding, ScanReport, Severity, Status, WaiverInfo
from gkaudit.report.csv import COLUMNS, render_csv
from gkaudit.report.formats import pair_outputs
from gkaudit.report.html import render_html
from gkaudit.report.junit import render_junit
from gkaudit.report.markdown import render_markdown
from test_cli import gkaudit

from conftest import scan_web


@pytest.fixture(scope="module")
def demo_report(bundled_web) -> ScanReport:  # type: ignore[no-untyped-def]
    return scan_web(bundled_web, bundled_web.targets(), [])


def pairs(report: ScanReport) -> int:
    return sum(len(site.results) for site in report.sites)


def test_csv_has_a_bom_and_one_row_per_site_and_check(demo_report: ScanReport) -> None:
    text = render_csv(demo_report)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert list(rows[0]) == COLUMNS and len(rows) == pairs(demo_report)
    by_key = {(r["site_id"], r["check"]): r for r in rows}
    for site in demo_report.sites:
        for result in site.results:
            row = by_key[(site.id, result.check)]
            assert row["status"] == result.status.value and row["site_name"] == site.name
    assert any(r["status"] == "fail" and r["findings"] and r["rules"] for r in rows)


def test_junit_parses_with_one_testcase_per_site_and_check(demo_report: ScanReport) -> None:
    root = ET.fromstring(render_junit(demo_report).encode("utf-8"))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == pairs(demo_report) == int(root.get("tests", "0"))
    failing = [(s.id, r) for s in demo_report.sites for r in s.results if r.status is Status.FAIL]
    assert len(root.findall(".//failure")) == len(failing) == int(root.get("failures", "0")) > 0
    site_id, result = failing[0]
    case = root.find(f"./testsuite/testcase[@classname='gkaudit.{site_id}'][@name='{result.check}']")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None and result.summary in (failure.text or "")
    assert result.basis in (failure.text or "")
    skipped = [r for s in demo_report.sites for r in s.results
               if r.status in (Status.INCONCLUSIVE, Status.SKIPPED, Status.WAIVED)]
    assert len(root.findall(".//skipped")) == len(skipped)


def test_markdown_has_the_grid_and_the_findings(demo_report: ScanReport) -> None:
    text = render_markdown(demo_report)
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| 站点 |"))
    assert lines[header + 1].startswith("|---|")
    rows = lines[header + 2: header + 2 + len(demo_report.sites)]
    assert all(row.startswith("| ") and row.count("|") == lines[header].count("|") for row in rows)
    assert "问题与整改" in text and "依据 / rule" in text
    for site in demo_report.sites:
        assert f"`{site.id}`" in text


def test_html_is_self_contained_and_escapes_what_pages_say(demo_report: ScanReport) -> None:
    report = demo_report.model_copy(deep=True)
    result = next(r for s in report.sites for r in s.results if r.status is Status.FAIL)
    result.findings.append(Finding(severity=Severity.FAIL, message="<script>alert(1)</script>",
                                   evidence=Evidence(url="javascript:alert(1)", matched_text="<img src=x>")))
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in page
    assert "<script" not in page.lower().replace("&lt;script", "")
    assert 'href="javascript:' not in page and "&lt;img src=x&gt;" in page
    assert "@page" in page and "size: A4" in page and "@media print" in page
    # No resource from anywhere: no src= attributes, no stylesheet links, only anchors point outside.
    tags = re.findall(r"<[a-zA-Z][^>]*>", page)
    assert tags and not [t for t in tags if re.search(r"\s(src|srcset|background|poster)=", t)]
    for tag in re.findall(r"<link\b[^>]*>", page):
        assert 'href="data:' in tag
    for href in re.findall(r'<a href="([^"]*)"', page):
        assert href.startswith(("#", "http://", "https://"))
    for site in report.sites:
        assert f'id="site-{site.id}"' in page


def test_html_trend_needs_history(demo_report: ScanReport) -> None:
    assert "趋势" not in render_html(demo_report)
    older = demo_report.model_copy(deep=True, update={"scanner": demo_report.scanner.model_copy(
        update={"now": demo_report.scanner.now.replace(year=demo_report.scanner.now.year - 1)})})
    page = render_html(demo_report, history=[older])
    assert "趋势" in page and page.count("<polyline") >= 1
    assert page.index(str(older.scanner.now)) < page.rindex(str(demo_report.scanner.now))


def test_waived_results_show_what_the_check_found(demo_report: ScanReport) -> None:
    report = demo_report.model_copy(deep=True)
    result = next(r for s in report.sites for r in s.results if r.status is Status.FAIL)
    result.waived_status, result.status = Status.FAIL, Status.WAIVED
    result.waiver = WaiverInfo(reason="改版", expires="2099-01-01")
    assert "豁免（不合格）" in render_markdown(report) and "豁免（不合格）" in render_html(report)
    row = next(r for r in csv.DictReader(io.StringIO(render_csv(report)[1:])) if r["status"] == "waived")
    assert row["waived_status"] == "fail" and row["waiver_expires"] == "2099-01-01"


@pytest.mark.parametrize(("formats", "outputs", "expected"), [
    ([], [], [("table", None)]),
    (["json"], [], [("json", None)]),
    (["json", "html"], ["r.json", "r.html"], [("json", "r.json"), ("html", "r.html")]),
    (["json", "markdown"], ["r.json"], [("json", "r.json"), ("markdown", None)]),
    ([], ["r.json", "r.csv", "r.xml"], [("json", "r.json"), ("csv", "r.csv"), ("junit", "r.xml")]),
    (["junit"], ["results.txt"], [("junit", "results.txt")]),
])
def test_formats_and_outputs_pair_in_order(tmp_path: Path, formats: list[str], outputs: list[str],
                                           expected: list[tuple[str, str | None]]) -> None:
    specs = pair_outputs(formats, [tmp_path / o for o in outputs])
    assert [(s.format, s.path.name if s.path else None) for s in specs] == expected


@pytest.mark.parametrize(("formats", "outputs", "word"), [
    (["pdf"], [], "pdf"),
    (["json", "html"], [], "stdout"),
    (["table", "json"], ["r.json"], "suffix"),
    ([], ["r.bin"], "format"),
    (["json", "json"], ["r.json", "r.json"], "twice"),
])
def test_bad_format_output_pairs_are_refused(tmp_path: Path, formats: list[str], outputs: list[str],
                                             word: str) -> None:
    with pytest.raises(ConfigError, match=word):
        pair_outputs(formats, [tmp_path / o for o in outputs])


def test_every_format_from_one_demo_scan(tmp_path: Path) -> None:
    """The CLI writes five files and markdown to stdout from one scan of the simulated web."""
    files = {f: tmp_path / f"r.{ext}" for f, ext in
             (("json", "json"), ("csv", "csv"), ("junit", "xml"), ("html", "html"), ("table", "txt"))}
    args = [arg for f, path in files.items() for arg in ("-f", f, "-o", str(path))]
    done = gkaudit("demo", *args, "-f", "markdown", "--quiet", timeout=120)
    assert done.returncode == 0, done.stderr
    report = ScanReport.model_validate_json(files["json"].read_text(encoding="utf-8"))
    assert "| 站点 |" in done.stdout and report.sites
    assert files["csv"].read_bytes().startswith(b"\xef\xbb\xbf")
    cases = ET.parse(files["junit"]).getroot().findall(".//testcase")
    assert len(cases) == pairs(report)
    assert "<!DOCTYPE html>" in files["html"].read_text(encoding="utf-8")
    assert "图例 / legend" in files["table"].read_text(encoding="utf-8")
    assert json.loads(files["json"].read_text(encoding="utf-8"))["schema_version"] == SCHEMA_VERSION


def test_mismatched_output_is_refused_before_the_scan(tmp_path: Path) -> None:
    done = gkaudit("demo", "-f", "table", "-f", "json", "-o", str(tmp_path / "r.json"))
    assert done.returncode == 2 and "--format" in done.stderr
    assert not (tmp_path / "r.json").exists()


def test_what_a_hostile_page_says_stays_text_in_every_format(demo_report: ScanReport) -> None:
    report = demo_report.model_copy(deep=True)
    result = next(r for s in report.sites for r in s.results if r.status is Status.FAIL)
    result.summary = "=HYPERLINK(\"http://x\")"
    result.findings.append(Finding(severity=Severity.FAIL, message="<img src=x onerror=alert(1)> \x00\x1b|",
                                   fix='<meta name="SiteIDCode" content="3201000001">'))
    markdown = render_markdown(report)
    assert "<img" not in markdown and "&lt;meta name=" in markdown
    root = ET.fromstring(render_junit(report).encode("utf-8"))  # no NUL or ESC makes it unparsable
    assert any("<img src=x" in (f.text or "") for f in root.iter("failure"))
    rows = list(csv.reader(io.StringIO(render_csv(report)[1:])))
    assert "'=HYPERLINK(\"http://x\")" in {cell for row in rows for cell in row}
