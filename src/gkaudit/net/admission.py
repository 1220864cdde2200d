"""SiteAdmission: start sites as fast as the network and the CPU can use them, never more than a cap at once.

Politeness spaces the requests to one host, so one site uses little of the global request limit;
enough sites must be in flight to keep it busy, and no more (each site in flight holds its pages).
Up to `floor` sites start at once; beyond that a site starts only while the fetcher is not
saturated (no request waiting for a global slot) and the event loop keeps time (its timers run
less than `LAG_LIMIT_S` late: past that the CPU, not the network, is the limit, and another site
would only wait for it while holding memory), one at a time, at most `cap` in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

from gkaudit.net.http import Fetcher

RAMP_S = 0.01  # pause after admitting a site beyond the floor: let it ask before measuring again
LAG_PERIOD_S = 0.05  # how often the loop's lateness is measured
LAG_LIMIT_S = 0.03  # timers this late: the process is CPU-bound


class LoopLag:
    """How late the running event loop fires a short timer, decaying: a CPU-bound process runs late."""

    def __init__(self, period: float = LAG_PERIOD_S) -> None:
        self.period = period
        self.recent = 0.0  # seconds: the latest lateness, or a fading memory of a larger one
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._measure())

    async def _measure(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.period)
            late = loop.time() - before - self.period
            self.recent = max(late, self.recent * 0.8)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


class SiteAdmission:
    """Use as `async with SiteAdmission(...) as admission:` around the scan, `admission.site()` around each site."""

    def __init__(self, fetcher: Fetcher, floor: int, cap: int, lag_limit: float = LAG_LIMIT_S) -> None:
        self.fetcher = fetcher
        self.floor = max(1, min(floor, cap))
        self.lag_limit = lag_limit
        self.lag = LoopLag()
        self._slots = asyncio.Semaphore(max(1, cap))
        self._turn = asyncio.Lock()
        self.running = 0
        self.peak = 0

    async def __aenter__(self) -> SiteAdmission:
        self.lag.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.lag.stop()

    def _busy(self) -> bool:
        """More sites would only wait: for a request slot, or for the CPU."""
        return self.fetcher.saturated or self.lag.recent > self.lag_limit

    @asynccontextmanager
    async def site(self) -> AsyncIterator[None]:
        """Hold this around one site's checks."""
        async with self._slots:
            async with self._turn:
                while self.running >= self.floor and self._busy():
                    await asyncio.sleep(RAMP_S)
                self.running += 1
                self.peak = max(self.peak, self.running)
                if self.running > self.floor:
                    await asyncio.sleep(RAMP_S)
            try:
                yield
            finally:
                self.running -= 1
