"""The JSON report nests each site's pretty JSON by indenting its lines, never inside its strings."""

from __future__ import annotations

import json

from gkaudit.report.json import _nested


def test_line_separators_inside_strings_stay_as_they_are() -> None:
    """U+2028, U+0085 and friends are line breaks to str.splitlines (textwrap.indent indented after them)."""
    value = {"detail": "第一行\u2028第二行\u0085第三行\x1c", "items": ["a", {"b": "c\u2029d"}]}
    text = json.dumps(value, indent=2, ensure_ascii=False)
    nested = _nested(text, "    ")
    assert json.loads(nested) == value
    assert all(line.startswith("    ") for line in nested.split("\n"))
