"""Politeness: a global limit on requests in flight, and per host a limit and an exact start-to-start spacing.

Semantics (README "Speed and memory"): at most `concurrency` requests in flight over all hosts; per
host at most `per_host` in flight, and each request to a host starts at least `interval` seconds after
the previous request to that host started. A request's start is the moment it leaves the queue with
its global slot in hand; it is recorded then, under the host's start lock, so two requests can never
read the same "next start" and leave together. Requests queued behind a busy or slow host wait without
holding a global slot.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _HostGate:
    slots: asyncio.Semaphore
    start_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0


class Politeness:
    """`async with politeness.slot(host):` around each request (each retry is a request of its own)."""

    def __init__(self, concurrency: int, per_host: int, interval: float) -> None:
        self.interval = interval
        self.per_host = per_host
        self._global = asyncio.Semaphore(concurrency)
        self._hosts: dict[str, _HostGate] = {}

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        gate = self._hosts.get(host)
        if gate is None:
            gate = self._hosts[host] = _HostGate(asyncio.Semaphore(self.per_host))
        async with gate.slots:
            async with gate.start_lock:  # one request of this host at a time passes the start line
                wait = gate.next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                await self._global.acquire()
                gate.next_start = time.monotonic() + self.interval  # reserved as this request starts
            try:
                yield
            finally:
                self._global.release()
