"""What the scanner's own network can do: is there a route for IPv6, can it resolve a control name."""

from __future__ import annotations

import socket

# A global IPv6 address used only as a route-lookup destination: a UDP connect() sends no packet.
ROUTE_PROBE_V6 = "2400:3200::1"


def has_route(address: str = ROUTE_PROBE_V6, port: int = 53) -> bool:
    """True if the kernel has a route to `address`. No packet leaves the machine (UDP connect only)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect((address, port))
    except OSError:
        return False
    return True
