"""One async resolver for everything (dnspython), so a test DNS server on loopback drives the whole tool."""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field
from typing import Literal

import dns.asyncresolver
import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver

from gkaudit.errors import ConfigError
from gkaudit.net.failures import FailureKind, NetError
from gkaudit.net.once import RecentlyUsed, once

DNS_CACHE_ENTRIES = 8192  # (name, type) answers kept: up to ~80 per site in flight (linked hosts' AAAA and A)

Family = Literal["any", "ipv4", "ipv6"]


@dataclass(frozen=True)
class DnsAnswer:
    """The answer to one query: records (addresses or names), the CNAME chain walked, or a failure."""

    name: str
    rdtype: str
    records: tuple[str, ...] = ()
    cname_chain: tuple[str, ...] = ()
    failure: FailureKind | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class Nameserver:
    host: str
    port: int = 53

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_nameserver(value: str) -> Nameserver:
    """Parse HOST[:PORT] (IPv6 as [ADDR]:PORT or bare ADDR); ConfigError on anything else."""
    text = value.strip()
    host, port = text, "53"
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise ConfigError(f"--nameserver {value!r}: 格式应为 HOST[:PORT] / expected HOST[:PORT]")
            port = rest[1:]
    elif text.count(":") == 1:
        host, port = text.split(":")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ConfigError(
            f"--nameserver {value!r}: 需要 IP 地址（可带端口）/ must be an IP address, e.g. 127.0.0.1:5353"
        ) from None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"--nameserver {value!r}: 端口无效 / invalid port {port!r}")
    return Nameserver(host, int(port))


@dataclass
class Resolver:
    """Async resolver with a per-scan cache of the DNS_CACHE_ENTRIES answers used last (the names of
    the sites in flight and of hosts many sites link to). `nameserver=None` uses the system configuration."""

    nameserver: Nameserver | None = None
    timeout: float = 4.0
    _cache: RecentlyUsed[tuple[str, str], asyncio.Future[DnsAnswer]] = field(
        default_factory=lambda: RecentlyUsed(DNS_CACHE_ENTRIES), repr=False)
    _resolver: dns.asyncresolver.Resolver | None = field(default=None, repr=False)

    @property
    def description(self) -> str:
        if self.nameserver is not None:
            return str(self.nameserver)
        try:
            return "system (" + ", ".join(self._get_resolver().nameservers) + ")"
        except Exception:  # resolv.conf unreadable
            return "system"

    def _get_resolver(self) -> dns.asyncresolver.Resolver:
        if self._resolver is None:
            if self.nameserver is None:
                try:
                    resolver = dns.asyncresolver.Resolver(configure=True)
                except dns.resolver.NoResolverConfiguration:
                    resolver = dns.asyncresolver.Resolver(configure=False)
            else:
                resolver = dns.asyncresolver.Resolver(configure=False)
                resolver.nameservers = [self.nameserver.host]
                resolver.port = self.nameserver.port
            resolver.lifetime = self.timeout
            resolver.timeout = min(2.0, self.timeout)
            self._resolver = resolver
        return self._resolver

    async def query(self, name: str, rdtype: str) -> DnsAnswer:
        """Resolve once per scan (while the answer is among the recently used); concurrent callers share
        the same in-flight query."""
        key = (name.lower().rstrip("."), rdtype)
        return await once(self._cache, key, lambda: self._query(*key))

    async def _query(self, name: str, rdtype: str) -> DnsAnswer:
        try:
            answer = await self._get_resolver().resolve(name, rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            return DnsAnswer(name, rdtype, failure=FailureKind.DNS_NXDOMAIN, detail=f"{name} 不存在 (NXDOMAIN)")
        except dns.exception.Timeout:
            return DnsAnswer(name, rdtype, failure=FailureKind.DNS_TIMEOUT, detail=f"{name} {rdtype} 查询超时")
        except (dns.resolver.NoNameservers, dns.exception.DNSException) as exc:
            return DnsAnswer(name, rdtype, failure=FailureKind.DNS_ERROR, detail=f"{name} {rdtype}: {exc}")
        target = dns.rdatatype.from_text(rdtype)
        chain: list[str] = []
        records: list[str] = []
        for rrset in answer.response.answer:
            if rrset.rdtype == dns.rdatatype.CNAME:
                chain.extend(rdata.target.to_text(omit_final_dot=True) for rdata in rrset)
            elif rrset.rdtype == target:
                records.extend(_rdata_text(rdata) for rdata in rrset)
        return DnsAnswer(name, rdtype, tuple(records), tuple(chain))

    async def addresses(self, host: str, family: Family) -> list[str]:
        """Addresses of `host` for `family` (IPv6 first for "any"), or NetError when there are none."""
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        if literal is not None:
            if (family == "ipv4" and literal.version != 4) or (family == "ipv6" and literal.version != 6):
                raise NetError(FailureKind.NO_ADDRESS, f"{host} 不是 {family} 地址")
            return [str(literal)]
        rdtypes = {"ipv4": ["A"], "ipv6": ["AAAA"], "any": ["AAAA", "A"]}[family]
        answers = await asyncio.gather(*(self.query(host, rdtype) for rdtype in rdtypes))
        found = [address for answer in answers for address in answer.records]
        if found:
            return found
        failure = next((a for a in answers if a.failure is FailureKind.DNS_NXDOMAIN), None)
        failure = failure or next((a for a in answers if a.failure is not None), None)
        if failure is not None:
            raise NetError(failure.failure or FailureKind.DNS_ERROR, failure.detail)
        kinds = "/".join(rdtypes)
        raise NetError(FailureKind.NO_ADDRESS, f"{host} 没有 {kinds} 记录")


def _rdata_text(rdata: object) -> str:
    if hasattr(rdata, "address"):
        return str(rdata.address)
    if hasattr(rdata, "target"):
        return rdata.target.to_text(omit_final_dot=True)  # type: ignore[attr-defined]
    return str(rdata)
