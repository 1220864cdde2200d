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
from gkaudit.net.sockets import AsyncioBackend

# IANA special-purpose blocks Python's `is_global` still lets through, though no public web host lives in
# them: IPv4 anycast/relay infrastructure (192.0.0.0/24 in full, AS112, AMT, 6to4 relay anycast), the
# deprecated IPv4-compatible ::a.b.c.d block (RFC 4291), site-local fec0::/10 (RFC 3879), the IETF
# protocol block 2001::/23 (Teredo, ORCHID...), AS112-v6, documentation 3fff::/20, SRv6 5f00::/16.
_NON_PUBLIC = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24",
    "192.175.48.0/24", "198.18.0.0/15", "240.0.0.0/4",
    "::/96", "100::/64", "2001::/23", "2001:db8::/32", "2620:4f:8000::/48", "3fff::/20", "5f00::/16",
    "fec0::/10",
))
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix: the IPv4 host in the last 32 bits
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215 local-use: bits 48-63 and 72-87 (RFC 6052)
_SIIT = ipaddress.IPv6Network("::ffff:0:0:0/96")  # RFC 2765 IPv4-translated: the last 32 bits


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: IPv4-mapped, NAT64, 6to4, SIIT; None for native IPv6."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    packed = ip.packed
    if ip in _NAT64 or ip in _SIIT:
        return ipaddress.IPv4Address(packed[12:16])
    if ip in _NAT64_LOCAL:
        return ipaddress.IPv4Address(packed[6:8] + packed[9:11])
    return None


def is_public_address(address: str) -> bool:
    """True for globally routable unicast addresses. An IPv6 address embedding an IPv4 one (mapped,
    NAT64, 6to4, SIIT) is judged by that IPv4 address; IANA special-purpose blocks are never public."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and (inner := embedded_ipv4(ip)) is not None:
        ip = inner
    if any(ip in network for network in _NON_PUBLIC if network.version == ip.version):
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
        self._inner = AsyncioBackend()

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
