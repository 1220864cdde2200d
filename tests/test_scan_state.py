"""What a scan keeps across sites stays bounded: DNS answers, cross-site memos, per-host politeness gates.

Without these bounds each finished site leaves some kilobytes behind for the rest of the scan
(measured: about 5 KB a site, 12 MiB a process over 2,500 sites), so memory grows with the number
of sites. Each test also shows the bound keeps what sites in flight still use.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import time

from gkaudit.net.once import RecentlyUsed, once
from gkaudit.net.polite import Politeness


def done_future(value: int) -> asyncio.Future[int]:
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


async def test_recently_used_keeps_the_last_used_entries() -> None:
    recent: RecentlyUsed[str, int] = RecentlyUsed(3)
    futures = {key: done_future(value) for key, value in [("a", 1), ("b", 2), ("c", 3), ("d", 4)]}
    for key in "abc":
        recent[key] = futures[key]
    assert recent.get("a") is futures["a"]  # used: now the newest
    recent["d"] = futures["d"]
    assert list(recent) == ["c", "a", "d"]  # b, the least recently used, went
    assert recent.get("b") is None
    assert copy.copy(recent).limit == 3


async def test_a_computation_in_flight_is_never_evicted() -> None:
    """Evicting a running future would let a later caller start the same work twice."""
    cache: RecentlyUsed[str, asyncio.Future[int]] = RecentlyUsed(1)
    calls: list[str] = []
    gate = asyncio.Event()

    async def compute(key: str) -> int:
        calls.append(key)
        await gate.wait()
        return len(key)

    first = asyncio.create_task(once(cache, "slow", lambda: compute("slow")))
    await asyncio.sleep(0)
    others = [asyncio.create_task(once(cache, key, lambda k=key: compute(k))) for key in ("x", "yy")]
    await asyncio.sleep(0)
    again = asyncio.create_task(once(cache, "slow", lambda: compute("slow")))  # still running: shared
    gate.set()
    assert await asyncio.gather(first, *others, again) == [4, 1, 2, 4]
    assert calls == ["slow", "x", "yy"]
    assert len(cache) == 1  # over its limit while they ran, back within it as their results settled
    await once(cache, "z", lambda: compute("z"))
    assert list(cache) == ["z"]


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


async def test_a_finished_entry_keeps_its_result_not_its_task() -> None:
    """A task keeps its coroutine and context after it ends; thousands of cached answers would too."""
    cache: dict[str, asyncio.Future[int]] = {}

    async def compute() -> int:
        await asyncio.sleep(0)
        return 5

    assert await once(cache, "k", compute) == 5
    await asyncio.sleep(0)  # the done callback
    assert not isinstance(cache["k"], asyncio.Task) and cache["k"].result() == 5
    assert await once(cache, "k", compute) == 5


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


async def test_a_gate_goes_only_once_its_spacing_ran_out() -> None:
    """A host's gate is dropped at a sweep only when its spacing has passed; the next request to it
    then goes at once, as it would have anyway, and those after it are spaced as before."""
    interval = 0.05
    polite = Politeness(concurrency=8, per_host=1, interval=interval)

    async def request(host: str) -> float:
        async with polite.slot(host) as on_wire:
            on_wire()
            return time.monotonic()

    await request("again.gov.cn")
    for number in range(64):  # a sweep while again.gov.cn's spacing still runs: kept
        await request(f"h{number}.gov.cn")
    assert "again.gov.cn" in polite._hosts
    await asyncio.sleep(interval)
    for number in range(64, 200):  # sweeps after it ran out: dropped
        await request(f"h{number}.gov.cn")
    assert "again.gov.cn" not in polite._hosts
    starts = [await request("again.gov.cn") for _ in range(4)]
    assert min(b - a for a, b in itertools.pairwise(starts)) >= interval - 0.005
