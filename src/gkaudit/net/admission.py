"""SiteAdmission: start sites as fast as the network can use them, never more than a cap at once.

Politeness spaces the requests to one host, so one site uses little of the global request limit;
enough sites must be in flight to keep it busy, and no more (each site in flight holds its pages).
Up to `floor` sites start at once; beyond that a site starts only while the fetcher is not
saturated (no request waiting for a global slot), one at a time, at most `cap` in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gkaudit.net.http import Fetcher

RAMP_S = 0.01  # pause after admitting a site beyond the floor: let it ask before measuring again


class SiteAdmission:
    def __init__(self, fetcher: Fetcher, floor: int, cap: int) -> None:
        self.fetcher = fetcher
        self.floor = max(1, min(floor, cap))
        self._slots = asyncio.Semaphore(max(1, cap))
        self._turn = asyncio.Lock()
        self.running = 0
        self.peak = 0

    @asynccontextmanager
    async def site(self) -> AsyncIterator[None]:
        """Hold this around one site's checks."""
        async with self._slots:
            async with self._turn:
                while self.running >= self.floor and self.fetcher.saturated:
                    await asyncio.sleep(RAMP_S)
                self.running += 1
                self.peak = max(self.peak, self.running)
                if self.running > self.floor:
                    await asyncio.sleep(RAMP_S)
            try:
                yield
            finally:
                self.running -= 1
