"""Keep-alive connections kept per origin, so finding one costs the same for 10 sites or 1,000.

httpcore's connection pool scans every connection it holds on each request (and asks the socket
of each whether it is still readable), so one pool holding the idle connections of the hundred
sites a scan audits at once spends more CPU finding a connection than reconnecting. Each origin
(scheme, host, port) gets its own small httpcore pool; the least recently used idle pools are
closed once more than `max_origins` are kept, so sockets and memory stay bounded by the sites
in flight, not by the sites scanned.
"""

from __future__ import annotations

import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Any

import httpcore

Origin = tuple[bytes, bytes, int | None]
CLIENTS = 4  # the Fetcher's clients: (any | ipv4 | ipv6) x (verify | not), at most four in use


def ensure_open_files(wanted: int) -> int:
    """Raise this process's soft limit on open files towards `wanted` (never above the hard limit).

    The idle keep-alive connections of the sites in flight are sockets; a default soft limit of
    1,024 would turn them into false "connection failed" results at high --concurrency. Returns the
    soft limit in force (0 where the platform has no such limit).
    """
    try:
        import resource
    except ImportError:  # Windows
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return int(soft)


def pool_limits(concurrency: int, per_host: int) -> tuple[int, int]:
    """(connections per origin, idle origins kept) for a Fetcher: politeness keeps at most `per_host`
    requests to a host in flight, and up to 4 x concurrency sites, each with a few origins (its own
    hosts, linked hosts), are audited at once."""
    return per_host * 2, concurrency * 8


def sockets_needed(concurrency: int, per_host: int) -> int:
    """Open files a Fetcher may hold at once: the idle pools of every client (`pool_limits`), the
    requests in flight, and room for everything else."""
    per_origin, origins = pool_limits(concurrency, per_host)
    return CLIENTS * origins * per_origin + concurrency + 256


class PerOriginPool:
    """A drop-in for httpcore.AsyncConnectionPool (handle_async_request, aclose) with one pool per origin.

    `per_origin` bounds the connections of one origin (politeness keeps fewer in flight);
    `max_origins` the idle pools kept. A pool with a request in flight is never closed.
    """

    def __init__(self, *, ssl_context: ssl.SSLContext, network_backend: httpcore.AsyncNetworkBackend,
                 per_origin: int, max_origins: int, keepalive_expiry: float) -> None:
        self.ssl_context = ssl_context
        self.network_backend = network_backend
        self.per_origin = per_origin
        self.max_origins = max_origins
        self.keepalive_expiry = keepalive_expiry
        self._pools: OrderedDict[Origin, httpcore.AsyncConnectionPool] = OrderedDict()
        self._in_flight: dict[Origin, int] = {}

    async def _pool(self, origin: Origin) -> httpcore.AsyncConnectionPool:
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = httpcore.AsyncConnectionPool(
                ssl_context=self.ssl_context, max_connections=self.per_origin,
                max_keepalive_connections=self.per_origin, keepalive_expiry=self.keepalive_expiry,
                network_backend=self.network_backend)
            if len(self._pools) > self.max_origins:
                await self._evict()
        self._pools.move_to_end(origin)
        return pool

    async def _evict(self) -> None:
        """Close the least recently used pools with nothing in flight, down to `max_origins`.

        Each close yields to the loop, so the next pool to close is chosen afresh every time.
        """
        while len(self._pools) > self.max_origins:
            origin = next((o for o in self._pools if not self._in_flight.get(o)), None)
            if origin is None:
                return
            await self._pools.pop(origin).aclose()

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        url = request.url
        origin: Origin = (url.scheme, url.host, url.port)
        self._in_flight[origin] = self._in_flight.get(origin, 0) + 1
        try:
            response = await (await self._pool(origin)).handle_async_request(request)
        except BaseException:
            self._release(origin)
            raise
        response.stream = _TrackedStream(response.stream, lambda: self._release(origin))
        return response

    def _release(self, origin: Origin) -> None:
        left = self._in_flight.get(origin, 1) - 1
        if left > 0:
            self._in_flight[origin] = left
        else:
            self._in_flight.pop(origin, None)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.aclose()

    async def __aenter__(self) -> PerOriginPool:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()


class _TrackedStream:
    """A response body stream that calls `release` once when closed (its request is then no longer in flight)."""

    def __init__(self, stream: Any, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            if hasattr(self._stream, "aclose"):
                await self._stream.aclose()
        finally:
            if self._release is not None:
                self._release, release = None, self._release
                release()
