"""Politeness: a global limit on requests in flight, and per host a limit and an exact start-to-start spacing.

Semantics (README "Speed and memory"): at most `concurrency` requests in flight over all hosts; per
host at most `per_host` in flight, and each request to a host goes on the wire (its request line
is sent) at least `interval` seconds after the previous request to that host went on the wire.
The next allowed start is set at that moment, while the request holds its host's start lock, so no
two requests can read the same "next start" and leave together, and a slow DNS lookup or connect
cannot squeeze the gap seen by the server. A request that never reached its host (its name did not
resolve, or the scanner refused its address) leaves no gap: the host never saw it. A request takes
its global slot only at its first network event (`await start.connect()` before its connect, or
before its request line on a kept-alive connection), so building it and waiting for a pooled
connection hold none; requests queued behind a busy or slow host wait without holding one either. A host's gate is dropped once no request uses it and its spacing has run
out (it would let the next request go at once anyway), so memory stays flat in the number of sites.
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
    users: int = 0  # requests holding or waiting for this gate

    def idle(self, now: float) -> bool:
        """Nothing uses the gate and a new request could start at once: dropping it changes nothing."""
        return self.users == 0 and self.next_start <= now


class RequestStart:
    """A request's pass through its host's start line. Call it (`on_wire()`) when the request line is sent:
    the host's next request may start `interval` later. A request that ends unsent counts as started
    when it ends (a refused or timed-out connect still knocked at the host), unless `no_contact()` said
    it never reached the host (its name did not resolve, its address was refused by the scanner): then
    it leaves no gap behind, as the host never saw it."""

    def __init__(self, gate: _HostGate, interval: float, politeness: Politeness) -> None:
        self._gate = gate
        self._interval = interval
        self._passed = False
        self._politeness = politeness
        self.connected = False  # holds a global slot

    async def connect(self) -> None:
        """Take a global slot (waiting while all are busy): call just before the request first uses the
        network. Once per request; the slot is given back when the request's `slot()` block ends."""
        if not self.connected:
            await self._politeness._take_global()
            self.connected = True

    def __call__(self) -> None:
        if not self._passed:
            self._gate.next_start = time.monotonic() + self._interval
            self._pass()

    def no_contact(self) -> None:
        """This request did not reach the host (and will not): it ends without spacing the next one."""
        self._pass()

    def _pass(self) -> None:
        """Let the host's next request through the start line (once)."""
        if not self._passed:
            self._passed = True
            self._gate.start_lock.release()


class Politeness:
    """`async with politeness.slot(host) as start:` around each request (each retry is a request of its own).

    `await start.connect()` before the request's first network use (it takes a global slot), and call
    `start()` when its request line is sent (see RequestStart for a request that never is).
    """

    def __init__(self, concurrency: int, per_host: int, interval: float) -> None:
        self.interval = interval
        self.per_host = per_host
        self._global = asyncio.Semaphore(concurrency)
        self._hosts: dict[str, _HostGate] = {}
        self._sweep_at = 64  # drop idle gates when there are this many (then twice those left)
        self.queued = 0  # requests ready to start and waiting for a global slot

    @property
    def saturated(self) -> bool:
        """Every global slot is taken and some request is waiting for one."""
        return self.queued > 0

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[RequestStart]:
        gate = self._hosts.get(host) or self._new_gate(host)
        gate.users += 1
        try:
            async with gate.slots:
                await gate.start_lock.acquire()  # one request of this host at a time passes the start line
                try:
                    wait = gate.next_start - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                except BaseException:
                    gate.start_lock.release()
                    raise
                start = RequestStart(gate, self.interval, self)
                try:
                    yield start
                finally:
                    start()  # an unsent request counts as started when it ends, unless no_contact() said otherwise
                    if start.connected:
                        self._global.release()
        finally:
            gate.users -= 1

    async def _take_global(self) -> None:
        self.queued += 1
        try:
            await self._global.acquire()
        finally:
            self.queued -= 1

    def _new_gate(self, host: str) -> _HostGate:
        if len(self._hosts) >= self._sweep_at:
            now = time.monotonic()
            self._hosts = {name: gate for name, gate in self._hosts.items() if not gate.idle(now)}
            self._sweep_at = max(64, 2 * len(self._hosts))
        gate = self._hosts[host] = _HostGate(asyncio.Semaphore(self.per_host))
        return gate
