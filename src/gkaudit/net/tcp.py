"""A bare TCP connect to one address: does anything listen there, and how long did the handshake take.

It resolves nothing (callers pass an IP address they got from the resolver) and, like the
fetcher, refuses non-public addresses unless `allow_private`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from dataclasses import dataclass
from typing import Any

from gkaudit.net.backend import is_public_address
from gkaudit.net.failures import FailureKind


@dataclass(frozen=True)
class TcpResult:
    """The outcome of one connect: `ok`, or a classified `failure`; `connect_ms` when it connected."""

    address: str
    port: int
    ok: bool
    connect_ms: int | None = None
    failure: FailureKind | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"address": self.address, "port": self.port, "reachable": self.ok,
                "connect_ms": self.connect_ms, "failure": self.failure.value if self.failure else None,
                "detail": self.detail or None}


async def tcp_connect(address: str, port: int, *, timeout: float = 5.0, allow_private: bool = False) -> TcpResult:
    """Open and close one TCP connection to `address`:`port`. Never raises for network trouble."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return TcpResult(address, port, False, failure=FailureKind.UNSUPPORTED_URL,
                         detail=f"{address} 不是 IP 地址 / not an IP address")
    if not allow_private and not is_public_address(str(ip)):
        return TcpResult(str(ip), port, False, failure=FailureKind.PRIVATE_ADDRESS, detail=str(ip))
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(str(ip), port)
    except TimeoutError:
        return TcpResult(str(ip), port, False, failure=FailureKind.CONNECT_TIMEOUT, detail=f"超过 {timeout:g} 秒")
    except ConnectionRefusedError as exc:
        return TcpResult(str(ip), port, False, failure=FailureKind.CONNECT_REFUSED, detail=str(exc))
    except OSError as exc:
        return TcpResult(str(ip), port, False, failure=FailureKind.CONNECTION_ERROR, detail=str(exc))
    connect_ms = int((time.monotonic() - started) * 1000)
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return TcpResult(str(ip), port, True, connect_ms=connect_ms)
