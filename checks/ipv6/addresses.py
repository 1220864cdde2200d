"""Address classes of the ipv6 check: native, IPv4-mapped, NAT64-synthesised.

No network here: everything takes strings and returns values, so each rule is tested on its own.
"""

from __future__ import annotations

import ipaddress

# NAT64 prefixes: the well-known one (RFC 6052) and the local-use one (RFC 8215). A resolver doing
# DNS64 synthesises such answers for IPv4-only names; they are not the site's own IPv6.
NAT64_PREFIXES = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def address_class(address: str) -> str:
    """`native` (a real IPv6 address), `mapped` (::ffff:a.b.c.d, IPv4 in disguise) or `nat64` (synthesised)."""
    ip = ipaddress.ip_address(address)
    if not isinstance(ip, ipaddress.IPv6Address):
        return "ipv4"
    if ip.ipv4_mapped is not None:
        return "mapped"
    if any(ip in prefix for prefix in NAT64_PREFIXES):
        return "nat64"
    return "native"
