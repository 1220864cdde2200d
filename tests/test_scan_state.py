"""What a scan keeps across sites stays bounded: DNS answers, cross-site memos, per-host politeness gates.

Without these bounds each finished site leaves some kilobytes behind for the rest of the scan
(measured: about 5 KB a site, 12 MiB a process over 2,500 sites), so memory grows with the number
of sites. Each test also shows the bound keeps what sites in flight still use.
"""

from __future__ import annotations

import asyncio
import itertools
import time

from gkaudit.net.once import RecentlyUsed, once
from gkaudit.net.polite import Politeness


def test_recently_used_keeps_the_last_used_entries() -> None:
    recent: RecentlyUsed[str, int] = RecentlyUsed(3)
    for key, value in [("a", 1), ("b", 2), ("c", 3)]:
        recent[key] = value
    assert recent.get("a") == 1  # used: now the newest
    recent["d"] = 4
    assert list(recent) == ["c", "a", "d"]  # b, the least recently used, went
    assert recent.get("b") is None and recent.get("b", 0) == 0


async def test_once_over_a_bounded_cache_computes_again_only_what_was_evicted() -> None:
    cache: RecentlyUsed[int, asyncio.Future[int]] = RecentlyUsed(4)
    calls: list[int] = []

    async def compute(key: int) -> int:
        calls.append(key)
        await asyncio.sleep(0)
        return key * 10

    for key in range(10):  # keys 6-9 stay
        assert await once(cache, key, lambda k=key: compute(k)) == key * 10
    assert await once(cache, 9, lambda: compute(9)) == 90
    assert calls == list(range(10))  # 9 came from the cache
    assert await once(cache, 0, lambda: compute(0)) == 0
    assert calls == [*range(10), 0]  # 0 had been evicted: computed again
    assert len(cache) == 4


async def test_concurrent_callers_share_one_computation_in_a_bounded_cache() -> None:
    cache: RecentlyUsed[str, asyncio.Future[int]] = RecentlyUsed(2)
    started = 0

    async def slow() -> int:
        nonlocal started
        started += 1
        await asyncio.sleep(0.01)
        return 7

    results = await asyncio.gather(*(once(cache, "k", slow) for _ in range(5)))
    assert results == [7] * 5 and started == 1


def test_the_resolver_and_the_scan_memo_are_bounded() -> None:
    from gkaudit.context import MEMO_ENTRIES, ScanEnv
    from gkaudit.net.dns import DNS_CACHE_ENTRIES, Resolver

    resolver = Resolver()
    assert isinstance(resolver._cache, RecentlyUsed) and resolver._cache.limit == DNS_CACHE_ENTRIES
    memo = ScanEnv.__dataclass_fields__["_memo"].default_factory()  # type: ignore[misc]
    assert isinstance(memo, RecentlyUsed) and memo.limit == MEMO_ENTRIES


async def test_politeness_drops_the_gates_of_hosts_no_request_uses() -> None:
    polite = Politeness(concurrency=8, per_host=2, interval=0.0)
    for number in range(1_000):
        async with polite.slot(f"h{number}.gov.cn") as on_wire:
            on_wire()
    assert len(polite._hosts) <= 64  # not 1,000


async def test_politeness_keeps_a_gate_whose_spacing_still_runs_or_that_is_in_use() -> None:
    polite = Politeness(concurrency=8, per_host=2, interval=30.0)  # every gate's spacing outlasts the test
    async with polite.slot("spaced.gov.cn") as on_wire:
        on_wire()
    held = asyncio.Event()
    release = asyncio.Event()

    async def hold() -> None:
        async with polite.slot("busy.gov.cn") as on_wire:
            held.set()
            await release.wait()
            on_wire()

    holder = asyncio.create_task(hold())
    await held.wait()
    quick = Politeness(concurrency=8, per_host=2, interval=0.0)
    quick._hosts = polite._hosts  # the same gates, swept by a scan whose other hosts need no spacing
    for number in range(200):
        async with quick.slot(f"h{number}.gov.cn") as on_wire:
            on_wire()
    assert {"spaced.gov.cn", "busy.gov.cn"} <= set(quick._hosts)
    release.set()
    await holder


async def test_a_dropped_gate_changes_no_spacing() -> None:
    """A host asked for again after its gate went is spaced from its last start as before."""
    interval = 0.02
    polite = Politeness(concurrency=8, per_host=1, interval=interval)
    starts: list[float] = []
    for number in range(60):  # each pass touches the repeated host and sweeps the others out
        async with polite.slot("again.gov.cn") as on_wire:
            on_wire()
            starts.append(time.monotonic())
        for other in range(number * 2, number * 2 + 2):
            async with polite.slot(f"h{other}.gov.cn") as on_wire:
                on_wire()
        if number == 30:
            await asyncio.sleep(interval)  # let every gate go idle once
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= interval - 0.005
    assert len(polite._hosts) < 121  # 1 + 2 x 60 hosts were asked for
