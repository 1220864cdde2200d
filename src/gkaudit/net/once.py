"""Compute once per scan (or while cached) and share the result with every caller (the resolver, the fetcher,
ScanEnv.memo)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, MutableMapping
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class RecentlyUsed(OrderedDict[K, asyncio.Future[T]]):
    """Futures by key, keeping only the `limit` most recently used (`get` and setting count as use),
    and every one still running: a computation in flight is never forgotten, so its key stays once.

    For what a scan shares across sites (DNS answers, cross-site memos): a site in flight keeps using
    its entries, so they stay; what only finished sites used goes, and memory stays flat in the
    number of sites. An evicted key is computed again if it is ever asked for again.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __reduce__(self) -> tuple[Any, ...]:  # copy.copy and friends need the limit
        return type(self), (self.limit,), None, None, iter(self.items())

    def get(self, key: K, default: asyncio.Future[T] | None = None) -> asyncio.Future[T] | None:  # type: ignore[override]
        if key not in self:
            return default
        self.move_to_end(key)
        return self[key]

    def __setitem__(self, key: K, value: asyncio.Future[T]) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        excess = len(self) - self.limit
        if excess > 0:
            done = []  # the oldest finished ones; walking past those in flight costs at most their number
            for old, future in self.items():
                if future.done():
                    done.append(old)
                    if len(done) == excess:
                        break
            for old in done:
                del self[old]


async def once(cache: MutableMapping[K, asyncio.Future[T]], key: K, compute: Callable[[], Awaitable[T]]) -> T:
    """The result of `compute()` for `key`, computed once and shared by all callers, concurrent ones included.

    The work runs in a task of its own: a caller that is cancelled (a check over its time limit,
    a check's own wait_for) stops waiting without cancelling the work the other callers share.
    A computation that fails or is cancelled is forgotten, so the next caller tries again; so is a
    finished one that a bounded `cache` (RecentlyUsed) let go, if it is asked for again. A result
    is kept as a plain finished future: the task's coroutine and context (some 700 bytes) go.
    """
    future = cache.get(key)
    if future is None:
        future = asyncio.ensure_future(compute())
        cache[key] = future

        def settle(done: asyncio.Future[T]) -> None:
            if cache.get(key) is not done:
                return  # let go, or replaced
            if done.cancelled() or done.exception() is not None:
                del cache[key]
                return
            kept: asyncio.Future[T] = done.get_loop().create_future()
            kept.set_result(done.result())
            cache[key] = kept

        future.add_done_callback(settle)
    return await asyncio.shield(future)
