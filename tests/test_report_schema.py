"""The JSON report and its JSON Schema: the contract the nightly CI job keeps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import jsonschema
import pytest

from gkaudit.model import SCHEMA_VERSION, ScanReport, Status
from gkaudit.registry import load_registry
from gkaudit.report.json import json_schema, render_json, render_schema
from gkaudit.report.table import render_table
from gkaudit.simweb.web import SimWeb
from gkaudit.targets import Waiver

from conftest import scan_web, target_of
from enginekit import BADTLS, DUAL, ENGINE_SITES, REFUSED, TS412

SITE_KEYS = {"id", "name", "url", "kind", "results"}
RESULT_KEYS = {"check", "status", "summary", "basis", "findings", "metrics", "duration_ms"}
FINDING_KEYS = {"severity", "message", "evidence"}


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb(roots=[ENGINE_SITES]) as simulated:
        yield simulated


@pytest.fixture(scope="module")
def report(web: SimWeb) -> ScanReport:
    """A real scan with pass, warn, fail, inconclusive, skipped and waived results."""
    waived = target_of(web, DUAL, kind="department",
                       waivers=[Waiver(check="reachability", reason="改版", expires=date(2099, 1, 1))])
    targets = [target_of(web, DUAL), target_of(web, BADTLS), target_of(web, REFUSED), target_of(web, TS412),
               waived.model_copy(update={"id": "waived"})]
    return scan_web(web, targets, ["reachability"])


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert json.loads(render_schema()) == schema


def test_schema_requires_the_contract_keys() -> None:
    schema = json_schema()
    assert {"tool", "started_at", "finished_at", "scanner"} <= set(schema["required"])
    assert {"schema_version", "sites"} <= set(schema["properties"])
    defs = schema["$defs"]
    assert {"id", "name", "url", "kind"} <= set(defs["SiteReport"]["required"])
    assert {"check", "status", "summary", "basis"} <= set(defs["CheckResult"]["required"])
    assert {"severity", "message"} <= set(defs["Finding"]["required"])
    assert set(defs["Status"]["enum"]) == {s.value for s in Status}
    # 1.2: optional fix hints and waivers that keep what the check found
    assert SCHEMA_VERSION == "1.2"
    assert "fix" in defs["Finding"]["properties"] and "fix" not in defs["Finding"]["required"]
    assert {"waived_status", "waiver"} <= set(defs["CheckResult"]["properties"])
    assert {"reason", "expires", "expired"} <= set(defs["WaiverInfo"]["properties"])


def test_a_1_0_report_still_loads() -> None:
    """Everything 1.1 and 1.2 added is optional: last year's reports stay readable for diff and --history."""
    old = {"schema_version": "1.0", "tool": {"version": "0.1.0"}, "started_at": "2025-12-01T00:00:00Z",
           "finished_at": "2025-12-01T00:01:00Z", "scanner": {"resolver": "system", "now": "2025-12-01",
                                                               "allow_private": False},
           "sites": [{"id": "a", "name": "A", "url": "https://a.gov.cn/", "kind": "district",
                      "results": [{"check": "reachability", "title": "t", "status": "pass", "summary": "ok",
                                   "basis": "b", "findings": [{"severity": "info", "message": "m", "rule": None}]}]}]}
    report = ScanReport.model_validate(old)
    assert report.sites[0].results[0].waiver is None and report.sites[0].results[0].findings[0].fix is None


def test_a_real_report_validates_against_the_schema(report: ScanReport) -> None:
    document = json.loads(render_json(report))
    jsonschema.validate(document, json_schema(), cls=jsonschema.Draft202012Validator)


def test_the_report_has_every_contract_key(report: ScanReport) -> None:
    document = json.loads(render_json(report))
    assert {"schema_version", "tool", "started_at", "finished_at", "scanner", "sites"} <= set(document)
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["tool"]["name"] == "gkaudit" and document["tool"]["version"]
    assert {"resolver", "now", "allow_private", "ipv6_route", "online"} <= set(document["scanner"])
    assert document["started_at"] <= document["finished_at"]
    for site in document["sites"]:
        assert SITE_KEYS <= set(site)
        for result in site["results"]:
            assert RESULT_KEYS <= set(result)
            assert isinstance(result["metrics"], dict) and isinstance(result["duration_ms"], int)
            for finding in result["findings"]:
                assert FINDING_KEYS <= set(finding)


def test_report_carries_statuses_and_evidence(report: ScanReport) -> None:
    statuses = {site.id: site.results[0].status for site in report.sites}
    assert list(statuses.values()) == [Status.PASS, Status.WARN, Status.FAIL, Status.INCONCLUSIVE, Status.WAIVED]
    waived = report.sites[4].results[0]
    assert waived.waived_status is Status.PASS and waived.waiver is not None and not waived.waiver.expired
    assert waived.findings  # the check ran under its waiver
    refused = report.sites[2].results[0]
    evidence = refused.findings[0].evidence
    assert evidence.failure == "connect_refused" and evidence.url == report.sites[2].url
    assert report.totals["pass"] == 1 and report.totals["waived"] == 1
    assert sum(report.totals.values()) == 5


def test_report_round_trips(report: ScanReport) -> None:
    assert ScanReport.model_validate_json(render_json(report)) == report


def test_streamed_json_is_the_models_own_json(report: ScanReport) -> None:
    """The writer that streams sites from disk writes byte for byte what pydantic writes for a whole report."""
    assert render_json(report) == report.model_dump_json(indent=2) + "\n"
    empty = report.model_copy(update={"sites": []})
    assert render_json(empty) == empty.model_dump_json(indent=2) + "\n"


def test_schema_1_1_describes_interrupted_scans_and_slices(report: ScanReport) -> None:
    assert SCHEMA_VERSION >= "1.1"
    properties = json_schema()["properties"]
    assert properties["interrupted"]["type"] == "boolean"
    assert properties["unfinished"]["items"]["type"] == "string"
    assert {"interrupted", "unfinished", "shard"}.isdisjoint(json_schema()["required"])  # 1.0 readers' files load
    document = json.loads(render_json(report))
    assert document["interrupted"] is False and document["unfinished"] == [] and document["shard"] is None
    stopped = report.model_copy(update={"interrupted": True, "unfinished": ["a", "b"]})
    jsonschema.validate(json.loads(render_json(stopped)), json_schema(), cls=jsonschema.Draft202012Validator)


def test_table_shows_every_site_and_status(report: ScanReport) -> None:
    text = render_table(report)
    for site in report.sites:
        assert site.id in text
    table, _, rest = text.partition("图例 / legend:")
    legend = rest.splitlines()[0]
    for zh, status in (("通过", "pass"), ("警告", "warn"), ("不合格", "fail"), ("无法判定", "inconclusive"),
                       ("豁免", "waived")):
        assert zh in table  # the coloured cell
        assert f"{zh}={status}" in legend  # and what it means in the JSON
    assert "5 个站点" in text


def test_every_registered_check_has_metadata() -> None:
    for check in load_registry():
        assert check.id and check.title_zh and check.title_en and check.basis
        assert check.applies_to
