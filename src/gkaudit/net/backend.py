"""An httpcore network backend that resolves through gkaudit's resolver, pinned to one address family.

httpcore hands `connect_tcp` the URL's hostname; we resolve it ourselves and connect to the
address, while httpcore keeps the hostname for the Host header and TLS SNI. This is also where
the private-address guard sits, so no redirect, link or DNS answer can steer a connection to it.
"""

from __future__ import annotations

import ipaddress
import typing

import httpcore

from gkaudit.net.dns import Family, Resolver
from gkaudit.net.failures import FailureKind, NetError

# IPv6 ranges Python's `is_global` lets through but no public host lives in: the IPv4-compatible
# ::a.b.c.d block (deprecated, RFC 4291) and the deprecated site-local fec0::/10 (RFC 3879).
_NON_PUBLIC_V6 = (ipaddress.IPv6Network("::/96"), ipaddress.IPv6Network("fec0::/10"))


def is_public_address(address: str) -> bool:
    """True for globally routable unicast addresses; IPv4-mapped IPv6 is judged by its IPv4 part."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif any(ip in network for network in _NON_PUBLIC_V6):
            return False
    return ip.is_global and not ip.is_multicast


def is_ipv4_mapped(address: str) -> bool:
    """True for an IPv4-mapped IPv6 address (::ffff:a.b.c.d), which reaches the IPv4 host."""
    ip = ipaddress.ip_address(address)
    return isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the addresses our resolver gives for `family` ("any": IPv4 first, then IPv6)."""

    def __init__(self, resolver: Resolver, family: Family, allow_private: bool) -> None:
        self.resolver = resolver
        self.family = family
        self.allow_private = allow_private
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.resolver.addresses(host, self.family)
        if self.family == "ipv6":
            # An IPv4-mapped AAAA (::ffff:a.b.c.d) is IPv4 on the wire: an IPv6-only fetch must not use it.
            native = [a for a in addresses if not is_ipv4_mapped(a)]
            if not native:
                raise NetError(FailureKind.NO_ADDRESS, f"{host} 只有 IPv4 映射地址: {', '.join(addresses)}")
            addresses = native
        if self.family == "any":
            addresses.sort(key=lambda a: ":" in a)  # IPv4 first: the robust choice for content fetches
        if not self.allow_private:
            public = [a for a in addresses if is_public_address(a)]
            if not public:
                raise NetError(FailureKind.PRIVATE_ADDRESS, f"{host} -> {', '.join(addresses)}")
            addresses = public
        first_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
                first_error = first_error or exc
        # The first address's error is reported: for "any" that is IPv4, the family every site must serve;
        # on a scanner without IPv6 a later IPv6 "unreachable" would otherwise hide it.
        assert first_error is not None
        raise first_error

    async def connect_unix_socket(self, *args: typing.Any, **kwargs: typing.Any) -> httpcore.AsyncNetworkStream:
        raise NetError(FailureKind.UNSUPPORTED_URL, "unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
