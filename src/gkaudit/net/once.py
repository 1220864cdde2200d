"""Compute once per scan and share the result with every caller (the resolver, the fetcher, ScanEnv.memo)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, MutableMapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
V = TypeVar("V")


class RecentlyUsed(OrderedDict[K, V]):
    """A dict that keeps only its `limit` most recently used entries (`get` and setting count as use).

    For what a scan shares across sites (DNS answers, cross-site memos): a site in flight keeps using
    its entries, so they stay; what only finished sites used goes, and memory stays flat in the
    number of sites. An evicted key is computed again if it is ever asked for again.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def get(self, key: K, default: V | None = None) -> V | None:  # type: ignore[override]
        if key not in self:
            return default
        self.move_to_end(key)
        return self[key]

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


async def once(cache: MutableMapping[K, asyncio.Future[T]], key: K, compute: Callable[[], Awaitable[T]]) -> T:
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
