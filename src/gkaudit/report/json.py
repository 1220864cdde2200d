"""JSON output and its JSON Schema: the contract the nightly CI job keeps."""

from __future__ import annotations

import json
from typing import Any

from gkaudit.model import ScanReport


def render_json(report: ScanReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


def json_schema() -> dict[str, Any]:
    schema = ScanReport.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://gkaudit.example/schema/scan-report.json"
    return schema


def render_schema() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
