"""CheckSettings: the base of every check's own settings (kept apart so the context needs no Check)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CheckSettings(BaseModel):
    """Base for a check's own settings; per-site overrides come from targets.yaml `settings.<check id>`."""

    model_config = ConfigDict(extra="forbid")
