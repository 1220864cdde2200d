"""`--shard K/N`: a stable slice of the targets, by a hash of the site id (disjoint slices that cover all)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TypeVar

from gkaudit.errors import ConfigError

T = TypeVar("T")


def parse_shard(text: str) -> tuple[int, int]:
    """'2/3' -> (2, 3); ConfigError unless 1 <= K <= N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ConfigError(f"--shard {text!r}: 应为 K/N，1 ≤ K ≤ N / expected K/N with 1 <= K <= N, e.g. 1/3")
    return int(match[1]), int(match[2])


def shard_of(site_id: str, count: int) -> int:
    """The 1-based shard of `site_id` among `count`: sha256 of the id, as an integer, mod count.

    It depends on the id alone, so it is the same on every machine, in every Python, for any
    targets order, and adding a site never moves another one.
    """
    digest = hashlib.sha256(site_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select_shard(sites: Sequence[T], shard: int, count: int, key: str = "id") -> list[T]:
    return [site for site in sites if shard_of(getattr(site, key), count) == shard]
