"""Compute once per scan and share the result with every caller (the resolver, the fetcher, ScanEnv.memo)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


async def once(cache: dict[K, asyncio.Future[T]], key: K, compute: Callable[[], Awaitable[T]]) -> T:
    """The result of `compute()` for `key`, computed once and shared by all callers, concurrent ones included.

    The work runs in a task of its own: a caller that is cancelled (a check over its time limit,
    a check's own wait_for) stops waiting without cancelling the work the other callers share.
    A computation that fails or is cancelled is forgotten, so the next caller tries again.
    """
    future = cache.get(key)
    if future is None:
        future = asyncio.ensure_future(compute())
        cache[key] = future

        def forget_failure(done: asyncio.Future[T]) -> None:
            if (done.cancelled() or done.exception() is not None) and cache.get(key) is done:
                del cache[key]

        future.add_done_callback(forget_failure)
    return await asyncio.shield(future)
