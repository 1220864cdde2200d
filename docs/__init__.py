"""gkaudit.docs: the documents that ship in the wheel — RULES.md (printed by `gkaudit rules`) and ci/."""
