"""An httpcore network backend on the running asyncio loop's own transports (uvloop's, in a scan).

httpcore's default backend goes through anyio, which opens a cancel scope around every read and
write and rebuilds a table of socket attributes to answer "what is the peer's address": on the
simulated web that was about 7% of a scan's CPU, for every request. Here a read that finds bytes
already received returns them at once; one that must wait sets a single timer; writes only wait
when the transport asks us to (flow control). The failures are httpcore's, mapped as its anyio
backend maps them (a refused connect is a ConnectError caused by ConnectionRefusedError, a TLS
failure one caused by the ssl error), so net/classify.py reads them the same.

Received bytes are buffered up to READ_HIGH_WATER; past that the transport stops reading until
httpcore takes them, so a site that sends without end costs at most that much memory here.
"""

from __future__ import annotations

import asyncio
import ssl
import typing

import httpcore
from httpcore._exceptions import map_exceptions
from httpcore._utils import is_socket_readable

READ_HIGH_WATER = 256 * 1024


class _Buffered(asyncio.Protocol):
    """What a connection has received and whether it has ended; one waiter for data, one for drain."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.ended = False  # EOF or connection lost
        self.error: Exception | None = None
        self.peer: typing.Any = None
        self._data_waiter: asyncio.Future[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None
        self._writing_paused = False
        self._reading_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = typing.cast(asyncio.Transport, transport)
        self.peer = transport.get_extra_info("peername")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > READ_HIGH_WATER and not self._reading_paused and self.transport is not None:
            self._reading_paused = True
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> bool:
        self.ended = True
        self._wake_reader()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.error = self.error or exc
        self._wake_reader()
        self._wake_writer()

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        self._wake_writer()

    def take(self, max_bytes: int) -> bytes:
        data = bytes(self.buffer[:max_bytes])
        del self.buffer[:max_bytes]
        if self._reading_paused and len(self.buffer) <= READ_HIGH_WATER // 2 and self.transport is not None:
            self._reading_paused = False
            self.transport.resume_reading()
        return data

    async def wait_for_data(self, timeout: float | None) -> None:
        """Until bytes arrive or the connection ends; TimeoutError after `timeout` seconds."""
        self._data_waiter = asyncio.get_running_loop().create_future()
        await _within(self._data_waiter, timeout)

    async def wait_for_drain(self, timeout: float | None) -> None:
        """Until the transport takes writes again; TimeoutError after `timeout` seconds."""
        if not self._writing_paused or self.ended:
            return
        self._drain_waiter = asyncio.get_running_loop().create_future()
        await _within(self._drain_waiter, timeout)

    def _wake_reader(self) -> None:
        if self._data_waiter is not None and not self._data_waiter.done():
            self._data_waiter.set_result(None)
        self._data_waiter = None

    def _wake_writer(self) -> None:
        if self._drain_waiter is not None and not self._drain_waiter.done():
            self._drain_waiter.set_result(None)
        self._drain_waiter = None


async def _within(waiter: asyncio.Future[None], timeout: float | None) -> None:
    """Await `waiter`; TimeoutError once `timeout` seconds pass (one timer, cancelled when it is woken)."""
    if timeout is None:
        await waiter
        return
    loop = asyncio.get_running_loop()
    timer = loop.call_later(timeout, _expire, waiter)
    try:
        await waiter
    finally:
        timer.cancel()


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection (plain TCP, or TLS after start_tls) as httpcore reads and writes it."""

    def __init__(self, transport: asyncio.Transport, protocol: _Buffered) -> None:
        self._transport = transport
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        with map_exceptions({TimeoutError: httpcore.ReadTimeout}):
            while not protocol.buffer and not protocol.ended:
                await protocol.wait_for_data(timeout)
        if protocol.buffer:
            return protocol.take(max_bytes)
        if protocol.error is not None:
            raise httpcore.ReadError(str(protocol.error) or type(protocol.error).__name__) from protocol.error
        return b""  # the peer closed the connection

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        protocol = self._protocol
        if protocol.ended or self._transport.is_closing():
            raise self._write_error()
        self._transport.write(buffer)
        with map_exceptions({TimeoutError: httpcore.WriteTimeout}):
            await protocol.wait_for_drain(timeout)
        if protocol.ended:  # lost while the bytes waited to be sent
            raise self._write_error()

    def _write_error(self) -> httpcore.WriteError:
        """The error for a write to a connection that has ended, caused by why it ended."""
        error = self._protocol.error
        exc = httpcore.WriteError(str(error) if error else "连接已关闭 / connection closed")
        exc.__cause__ = error
        return exc

    async def aclose(self) -> None:
        # abort, not close: close() waits for unsent bytes (a tarpit never takes them) and, over TLS,
        # for the peer's close_notify (up to 30 s); httpcore's anyio backend closes at once too
        self._transport.abort()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        exc_map: dict[type[Exception], type[Exception]] = {
            TimeoutError: httpcore.ConnectTimeout, ssl.SSLError: httpcore.ConnectError, OSError: httpcore.ConnectError}
        try:
            with map_exceptions(exc_map):
                async with asyncio.timeout(timeout):
                    try:
                        if self._protocol.ended:  # closed before the handshake began
                            raise self._protocol.error or ConnectionResetError()
                        transport = await loop.start_tls(self._transport, self._protocol, ssl_context,
                                                         server_hostname=server_hostname)
                    except OSError as exc:
                        if isinstance(exc, ssl.SSLError) or exc.errno is not None:
                            raise  # a TLS alert, or a reset (ECONNRESET): as anyio reports them
                        # the peer closed instead of answering the handshake (an SNI refused, no TLS on the
                        # port): anyio reports an SSLEOFError, a TLS failure, not a plain connection error
                        raise ssl.SSLEOFError("SSL 握手时对方关闭了连接 / closed by the peer during the SSL handshake") from exc
        except BaseException:
            self._transport.abort()
            raise
        if transport is None:  # the connection ended during the handshake
            raise httpcore.ConnectError("SSL 握手时连接已关闭 / connection closed during the SSL handshake")
        self._protocol.transport = transport
        return AsyncioStream(transport, self._protocol)

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "server_addr":
            return self._protocol.peer
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        if info == "is_readable":  # an idle connection with anything to read is dead or talking out of turn
            protocol = self._protocol
            return protocol.ended or bool(protocol.buffer) or is_socket_readable(self._transport.get_extra_info("socket"))
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Connects with the running loop's `create_connection`; `host` is an address (PinnedBackend resolved it)."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        with map_exceptions({TimeoutError: httpcore.ConnectTimeout, OSError: httpcore.ConnectError}):
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(_Buffered, host, port, local_addr=local)
            try:
                for option in socket_options or ():
                    transport.get_extra_info("socket").setsockopt(*option)
            except BaseException:
                transport.abort()
                raise
        return AsyncioStream(typing.cast(asyncio.Transport, transport), protocol)

    async def connect_unix_socket(self, *args: typing.Any, **kwargs: typing.Any) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
