"""The asyncio socket backend (net/sockets.py): failures classified as with httpcore's anyio backend, closes at once."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections.abc import Callable

import httpcore
import httpx
import pytest

from gkaudit.loop import loop_factory
from gkaudit.net.classify import classify_httpx_error
from gkaudit.net.failures import FailureKind
from gkaudit.net.sockets import AsyncioBackend


def _server(handle: Callable[[socket.socket], None]) -> int:
    """A loopback TCP server that hands each accepted connection to `handle`; its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def serve() -> None:
        while True:
            connection, _ = listener.accept()
            handle(connection)
    threading.Thread(target=serve, daemon=True).start()
    return int(listener.getsockname()[1])


def _close_after_hello(connection: socket.socket) -> None:
    connection.recv(4096)
    connection.close()


def _reset_after_hello(connection: socket.socket) -> None:
    connection.recv(4096)
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def _https_failure(port: int) -> FailureKind:
    async def run() -> FailureKind:
        transport = httpx.AsyncHTTPTransport(verify=False)
        transport._pool._network_backend = AsyncioBackend()  # type: ignore[attr-defined]
        async with httpx.AsyncClient(transport=transport, timeout=3) as client:
            with pytest.raises(httpx.HTTPError) as caught:
                await client.get(f"https://127.0.0.1:{port}/")
        return classify_httpx_error(caught.value)[0]
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(run())


def test_a_peer_that_closes_during_the_tls_handshake_is_a_tls_error() -> None:
    """An SNI refused or no TLS on the port: anyio reported an SSLEOFError, so a TLS failure."""
    assert _https_failure(_server(_close_after_hello)) is FailureKind.TLS_ERROR


def test_a_reset_during_the_tls_handshake_is_a_connection_error() -> None:
    assert _https_failure(_server(_reset_after_hello)) is FailureKind.CONNECTION_ERROR


def test_closing_after_a_write_timeout_drops_the_connection_at_once() -> None:
    """A tarpit that never reads: close() would keep the socket and 50 MB of unsent bytes forever."""
    held: list[socket.socket] = []
    port = _server(held.append)

    async def run() -> tuple[bool, float]:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=3)
        with pytest.raises(httpcore.WriteTimeout):
            await stream.write(b"x" * (50 << 20), timeout=0.3)
        started = time.monotonic()
        await stream.aclose()
        while not stream._protocol.ended and time.monotonic() - started < 5:  # type: ignore[attr-defined]
            await asyncio.sleep(0.05)
        return stream._protocol.ended, time.monotonic() - started  # type: ignore[attr-defined]
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        ended, took = runner.run(run())
    assert ended and took < 2
