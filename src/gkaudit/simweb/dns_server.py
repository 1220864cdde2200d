"""A small authoritative DNS server (UDP and TCP) for the simulated web, on loopback only.

It answers A, AAAA, CNAME and NS from a dict of records, follows CNAME chains inside its own
data (as a recursive resolver would hand them to a client), and says NXDOMAIN for names it
does not know. Good enough to drive dnspython's resolver exactly as a real one would.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

TTL = 60


@dataclass
class DnsRecords:
    """name -> {rdtype: [values]}; names are lower-case without the final dot."""

    records: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def add(self, name: str, rdtype: str, value: str) -> None:
        values = self.records.setdefault(name.lower().rstrip("."), {}).setdefault(rdtype, [])
        if value not in values:
            values.append(value)

    def lookup(self, name: str, rdtype: str) -> tuple[int, list[dns.rrset.RRset]]:
        """rcode and answer RRsets for a query, CNAMEs followed (at most 8 deep)."""
        answers: list[dns.rrset.RRset] = []
        current = name.lower().rstrip(".")
        for _ in range(8):
            entry = self.records.get(current)
            if entry is None:
                return (dns.rcode.NXDOMAIN if not answers else dns.rcode.NOERROR), answers
            if "CNAME" in entry and rdtype != "CNAME":
                target = entry["CNAME"][0]
                answers.append(_rrset(current, "CNAME", [target]))
                current = target.lower().rstrip(".")
                continue
            if rdtype in entry:
                answers.append(_rrset(current, rdtype, entry[rdtype]))
            return dns.rcode.NOERROR, answers
        return dns.rcode.SERVFAIL, answers


def _rrset(name: str, rdtype: str, values: list[str]) -> dns.rrset.RRset:
    texts = [v if rdtype not in ("CNAME", "NS") else v.rstrip(".") + "." for v in values]
    return dns.rrset.from_text_list(name + ".", TTL, dns.rdataclass.IN, rdtype, texts)


class DnsServer:
    """Serves `records` on host:port over UDP and TCP. Start and stop inside a running event loop."""

    def __init__(self, records: DnsRecords, host: str = "127.0.0.1", port: int = 0) -> None:
        self.records = records
        self.host = host
        self.port = port
        self.queries: list[tuple[str, str]] = []
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None

    def answer(self, wire: bytes) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except Exception:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA | dns.flags.RA
        if not query.question:
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True)
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name.lower(), rdtype))
        rcode, answers = self.records.lookup(name, rdtype)
        response.set_rcode(rcode)
        response.answer.extend(answers)
        return response.to_wire()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        server = self

        class Udp(asyncio.DatagramProtocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport = transport

            def datagram_received(self, data: bytes, addr: tuple) -> None:  # type: ignore[override]
                reply = server.answer(data)
                if reply is not None:
                    self.transport.sendto(reply, addr)  # type: ignore[attr-defined]

        # Bind TCP first to learn a free port, then UDP on the same number.
        self._tcp = await asyncio.start_server(self._handle_tcp, self.host, self.port)
        self.port = self._tcp.sockets[0].getsockname()[1]
        self._udp, _ = await loop.create_datagram_endpoint(Udp, local_addr=(self.host, self.port))

    async def _handle_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                size = struct.unpack("!H", await reader.readexactly(2))[0]
                reply = self.answer(await reader.readexactly(size))
                if reply is None:
                    break
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            await self._tcp.wait_closed()
