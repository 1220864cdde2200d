"""SiteContext and ScanEnv: the single door through which checks reach the network and the clock."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from gkaudit.context import ScanEnv, SiteContext
from gkaudit.model import ScannerFacts
from gkaudit.net.dns import Resolver
from gkaudit.net.http import Fetcher
from gkaudit.registry import load_registry
from gkaudit.targets import SiteKind, Target


def make_env() -> ScanEnv:
    resolver = Resolver()
    facts = ScannerFacts(resolver="test", now=date(2026, 5, 1), allow_private=False)
    return ScanEnv(Fetcher(resolver), resolver, date(2026, 5, 1), facts)


async def test_memo_computes_once_for_concurrent_callers() -> None:
    env = make_env()
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return 42

    results = await asyncio.gather(*(env.memo(("host", "x"), compute) for _ in range(5)))
    assert results == [42] * 5 and calls == 1
    assert await env.memo(("host", "x"), compute) == 42 and calls == 1


async def test_memo_does_not_keep_failures() -> None:
    env = make_env()
    attempts = 0

    async def flaky() -> str:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("first time fails")
        return "ok"

    with pytest.raises(RuntimeError):
        await env.memo("k", flaky)
    assert await env.memo("k", flaky) == "ok"


def test_context_exposes_target_clock_and_settings() -> None:
    reachability = load_registry().get("reachability")
    target = Target(id="qinhuai", name="秦淮区", url="https://WWW.NJQH.gov.cn/index.html", kind=SiteKind.DISTRICT,
                    settings={"reachability": {"slow_ms": 1234}})
    ctx = SiteContext(target, make_env()).with_settings(reachability.settings_for(target))
    assert ctx.now == date(2026, 5, 1)
    assert ctx.host == "www.njqh.gov.cn"
    assert ctx.url == "https://WWW.NJQH.gov.cn/index.html"
    assert ctx.settings.slow_ms == 1234  # type: ignore[attr-defined]
    bare = target.model_copy(update={"settings": {}})
    default = SiteContext(bare, make_env()).with_settings(reachability.settings_for(bare))
    assert default.settings.slow_ms == 15_000  # type: ignore[attr-defined]


async def test_a_cancelled_caller_does_not_cancel_the_shared_work() -> None:
    env = make_env()
    started = asyncio.Event()

    async def slow() -> str:
        started.set()
        await asyncio.sleep(0.2)
        return "done"

    first = asyncio.create_task(env.memo("k", slow))
    await started.wait()
    second = asyncio.create_task(env.memo("k", slow))
    await asyncio.sleep(0)
    first.cancel()
    assert await second == "done"
    with pytest.raises(asyncio.CancelledError):
        await first
