"""Ask one given name server directly (not through the resolver): does it answer for a zone.

Used to test a zone's IPv6 name servers over IPv6. Like every other door to the network it
refuses non-public addresses unless `allow_private`.
"""

from __future__ import annotations

import asyncio
import ipaddress

import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype

from gkaudit.net.backend import is_public_address
from gkaudit.net.dns import DnsAnswer, _rdata_text
from gkaudit.net.failures import FailureKind


async def ask_server(server: str, name: str, rdtype: str, *, port: int = 53, timeout: float = 3.0,
                     allow_private: bool = False) -> DnsAnswer:
    """One UDP query for `name`/`rdtype` to `server`:`port`. Never raises; the answer carries a failure."""
    try:
        ip = str(ipaddress.ip_address(server.strip("[]")))
    except ValueError:
        return DnsAnswer(name, rdtype, failure=FailureKind.UNSUPPORTED_URL, detail=f"{server} 不是 IP 地址")
    if not allow_private and not is_public_address(ip):
        return DnsAnswer(name, rdtype, failure=FailureKind.PRIVATE_ADDRESS, detail=ip)
    query = dns.message.make_query(name, rdtype)
    try:
        async with asyncio.timeout(timeout):
            wire = await _udp_exchange(query.to_wire(), ip, port)
        response = dns.message.from_wire(wire)
    except TimeoutError:
        return DnsAnswer(name, rdtype, failure=FailureKind.DNS_TIMEOUT, detail=f"[{ip}]:{port} 无应答 (timeout)")
    except ConnectionRefusedError:
        return DnsAnswer(name, rdtype, failure=FailureKind.CONNECT_REFUSED, detail=f"[{ip}]:{port} 端口不可达")
    except (OSError, dns.exception.DNSException) as exc:
        return DnsAnswer(name, rdtype, failure=FailureKind.DNS_ERROR, detail=f"[{ip}]:{port}: {exc}")
    if response.id != query.id:
        return DnsAnswer(name, rdtype, failure=FailureKind.DNS_ERROR, detail=f"[{ip}]:{port} 应答 ID 不符")
    rcode = response.rcode()
    if rcode == dns.rcode.NXDOMAIN:
        return DnsAnswer(name, rdtype, failure=FailureKind.DNS_NXDOMAIN, detail=f"[{ip}]:{port}: {name} NXDOMAIN")
    if rcode != dns.rcode.NOERROR:
        return DnsAnswer(name, rdtype, failure=FailureKind.DNS_ERROR,
                         detail=f"[{ip}]:{port} 返回 {dns.rcode.to_text(rcode)}")
    wanted = dns.rdatatype.from_text(rdtype)
    records = tuple(_rdata_text(r) for rrset in response.answer if rrset.rdtype == wanted for r in rrset)
    return DnsAnswer(name, rdtype, records)


class _OneReply(asyncio.DatagramProtocol):
    """Collects the first datagram; an ICMP port-unreachable on the connected socket becomes an error."""

    def __init__(self, reply: asyncio.Future[bytes]) -> None:
        self.reply = reply

    def datagram_received(self, data: bytes, addr: tuple) -> None:  # type: ignore[override]
        if not self.reply.done():
            self.reply.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self.reply.done():
            self.reply.set_exception(exc)


async def _udp_exchange(wire: bytes, ip: str, port: int) -> bytes:
    """Send one datagram from a connected UDP socket and wait for the first answer."""
    loop = asyncio.get_running_loop()
    reply: asyncio.Future[bytes] = loop.create_future()
    transport, _ = await loop.create_datagram_endpoint(lambda: _OneReply(reply), remote_addr=(ip, port))
    try:
        transport.sendto(wire)
        return await reply
    finally:
        transport.close()
