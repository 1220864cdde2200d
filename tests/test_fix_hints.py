"""Every warn/fail finding says how to fix it and cites its rule with the RULES.md section."""

from __future__ import annotations

import re

import pytest

from gkaudit.model import ScanReport, Severity
from gkaudit.rules import rules_text

from conftest import scan_web


@pytest.fixture(scope="module")
def demo_report(bundled_web) -> ScanReport:  # type: ignore[no-untyped-def]
    return scan_web(bundled_web, bundled_web.targets(), [])


def test_every_gap_carries_a_rule_with_a_section_and_a_fix(demo_report: ScanReport) -> None:
    gaps = [(s.id, r.check, f) for s in demo_report.sites for r in s.results for f in r.findings
            if f.severity is not Severity.INFO]
    assert {"reachability", "disclosure", "ipv6", "plans", "management"} <= {check for _, check, _ in gaps}
    sections = set(re.findall(r"^## (\d+)\.", rules_text(), flags=re.MULTILINE))
    for site, check, found in gaps:
        assert found.fix and re.search(r"[\u4e00-\u9fff]", found.fix), (site, check, found.message)
        assert found.rule, (site, check, found.message)
        cited = re.findall(r"RULES\.md §(\d+)", found.rule) + re.findall(r"、§(\d+)", found.rule)
        assert cited and set(cited) <= sections, (site, check, found.rule)


def test_the_meta_hint_is_the_exact_line(demo_report: ScanReport) -> None:
    hints = [f.fix for s in demo_report.sites for r in s.results for f in r.findings
             if r.check == "management" and "元数据" in f.message]
    assert hints and all(re.search(r'<meta name="Site\w+" content="[^"]+">', h or "") for h in hints)
