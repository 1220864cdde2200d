"""FetchCache: the responses one site's checks share, released when the site is done.

Two tables: single requests (`hops`: one HTTP exchange, no redirect followed) and followed chains
(`chains`: built from hops, so a followed fetch reuses the no-follow answer of its first hop and every
hop it passes through). The runner gives each site its own cache and clears it when the site finishes;
what must outlive a site (the IPv6 state of a linked host) goes in ScanEnv.memo as a small result.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gkaudit.net.dns import Family

if TYPE_CHECKING:
    from gkaudit.net.response import Response

# (method, url, family, verify)
RequestKey = tuple[str, str, Family, bool]


@dataclass(frozen=True)
class HopResult:
    """One exchange as the cache keeps it: the answer, and where it sends a client that follows (or None)."""

    response: Response
    target: str | None
    kind: str


@dataclass
class FetchCache:
    hops: dict[RequestKey, asyncio.Future[HopResult]] = field(default_factory=dict)
    chains: dict[RequestKey, asyncio.Future[Response]] = field(default_factory=dict)

    def clear(self) -> None:
        self.hops.clear()
        self.chains.clear()

    def __len__(self) -> int:
        return len(self.hops) + len(self.chains)
