"""The rule reference (docs/RULES.md) the checks cite, read from the installed package."""

from __future__ import annotations

from importlib.resources import files

RULES_PACKAGE = "gkaudit.docs"  # docs/ in the repository, shipped in the wheel (pyproject.toml)


def rules_text() -> str:
    """The text of RULES.md as installed with gkaudit."""
    return (files(RULES_PACKAGE) / "RULES.md").read_text(encoding="utf-8")
