"""Site admission: beyond the floor, a site starts only while requests and the CPU keep up.

No timing is asserted as speed: the loop is blocked on purpose (time.sleep on the loop thread) so
that its lateness is far above the limit, and the admission's decisions are read back.
"""

from __future__ import annotations

import asyncio
import time

from gkaudit.net.admission import LoopLag, SiteAdmission


class _Fetcher:
    saturated = False


def test_loop_lag_sees_a_blocked_loop_and_forgets_it() -> None:
    async def run() -> tuple[float, float]:
        lag = LoopLag(period=0.01)
        lag.start()
        await asyncio.sleep(0.05)
        time.sleep(0.2)  # the CPU-bound case: the loop cannot run its timers
        await asyncio.sleep(0.02)
        blocked = lag.recent
        await asyncio.sleep(0.5)
        await lag.stop()
        return blocked, lag.recent
    blocked, later = asyncio.run(run())
    assert blocked > 0.1
    assert later < blocked / 10


async def _start_sites(admission: SiteAdmission, count: int) -> tuple[asyncio.Event, list[asyncio.Task[None]]]:
    """`count` sites that hold their admission until the event is set."""
    release = asyncio.Event()

    async def site() -> None:
        async with admission.site():
            await release.wait()
    return release, [asyncio.create_task(site()) for _ in range(count)]


def test_no_site_beyond_the_floor_while_the_loop_runs_late() -> None:
    async def run() -> tuple[int, int]:
        admission = SiteAdmission(_Fetcher(), floor=2, cap=10, lag_limit=0.03)  # type: ignore[arg-type]
        async with admission:
            admission.lag.recent = 1.0  # CPU-bound, and no request waiting for a slot
            release, tasks = await _start_sites(admission, 6)
            await asyncio.sleep(0.05)
            while_late = admission.running
            await admission.lag.stop()
            admission.lag.recent = 0.0  # the loop keeps time again
            await asyncio.sleep(0.2)
            after = admission.running
            release.set()
            await asyncio.gather(*tasks)
        return while_late, after
    while_late, after = asyncio.run(run())
    assert while_late == 2  # the floor, and no more
    assert after == 6


def test_a_saturated_fetcher_also_holds_sites_at_the_floor() -> None:
    async def run() -> int:
        fetcher = _Fetcher()
        fetcher.saturated = True
        admission = SiteAdmission(fetcher, floor=3, cap=10)  # type: ignore[arg-type]
        async with admission:
            release, tasks = await _start_sites(admission, 5)
            await asyncio.sleep(0.05)
            running = admission.running
            release.set()
            await asyncio.gather(*tasks)
        return running
    assert asyncio.run(run()) == 3
