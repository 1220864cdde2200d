"""SimWeb: the simulated government web — a DNS server and per-site HTTP listeners on 127.0.0.1 and ::1.

It runs in a background thread with its own event loop, so synchronous code (the CLI, pytest)
and async code alike can use it:

    with SimWeb() as web:
        web.nameserver          # "127.0.0.1:PORT" for --nameserver
        web.url("www.njqh.gov.cn")
        web.targets()           # Target objects for every demo site
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import tempfile
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from gkaudit.loop import loop_factory
from gkaudit.simweb.dns_server import DnsRecords, DnsServer
from gkaudit.simweb.hostile import warm_hostile_bodies
from gkaudit.simweb.http_server import HttpListener, RequestRecord, SiteResponder
from gkaudit.simweb.manifest import FixtureSite
from gkaudit.targets import Target

BUNDLED_SITES = Path(__file__).parent / "sites"
LOOPBACK = {"ipv4": "127.0.0.1", "ipv6": "::1"}


def discover_sites(roots: Iterable[Path]) -> list[FixtureSite]:
    """Every folder with a site.yaml under the given roots (one level deep), sorted by folder name."""
    sites: list[FixtureSite] = []
    for root in roots:
        for folder in sorted(p for p in Path(root).iterdir() if (p / "site.yaml").is_file()):
            sites.append(FixtureSite.load(folder))
    return sites


def reserve_port_pair() -> tuple[int, dict[str, socket.socket]]:
    """Sockets bound (not yet listening) to one port number on both 127.0.0.1 and ::1.

    Holding them until the listeners start closes the race in which another site, test or
    process takes the number in between. A family a site does not serve keeps its socket bound
    but never listening, so a connection to it is refused, as on a host with nothing there.
    """
    for _ in range(50):
        v6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        v6.bind(("::1", 0))
        port = v6.getsockname()[1]
        v4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            v4.bind(("127.0.0.1", port))
        except OSError:
            v4.close()
            v6.close()
            continue
        return port, {"ipv4": v4, "ipv6": v6}
    raise RuntimeError("no port free on both 127.0.0.1 and ::1")


class SimWeb:
    """Start with `start()` or a `with` block; everything listens on loopback only."""

    def __init__(self, roots: Iterable[Path] | None = None, today: date | None = None,
                 keepalive: bool = False) -> None:
        """`keepalive`: HTTP/1.1 connections stay open between requests, as on real sites (the benchmark
        and the pool tests); off, every answer closes its connection."""
        self.today = today or date.today()
        self.keepalive = keepalive
        self.sites: dict[str, FixtureSite] = {}
        for site in discover_sites(list(roots) if roots is not None else [BUNDLED_SITES]):
            if site.host in self.sites:
                raise ValueError(f"two fixture sites claim {site.host}")
            self.sites[site.host] = site
        self.records = DnsRecords()
        self.requests: list[RequestRecord] = []
        self.responders: dict[str, SiteResponder] = {}
        self.ca_bundle: str | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="simweb-")
        self._dns = DnsServer(self.records)
        self._listeners: list[HttpListener] = []
        self._unserved: list[socket.socket] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # --- public view -------------------------------------------------------------------------
    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self._dns.port}"

    def url(self, host: str, path: str = "/") -> str:
        return self.sites[host.lower()].base_url.rstrip("/") + path

    def targets(self) -> list[Target]:
        """Targets for every demo site, in folder order; ids and kinds come from each manifest."""
        found = []
        for site in sorted(self.sites.values(), key=lambda s: s.folder.name):
            if not site.manifest.demo:
                continue
            spec = dict(site.manifest.target)
            spec.setdefault("id", site.folder.name.replace("_", "-"))
            spec.setdefault("name", site.host)
            spec.setdefault("kind", "district")
            if spec.get("disclosure_url"):
                spec["disclosure_url"] = site.base_url.rstrip("/") + spec["disclosure_url"]
            found.append(Target(url=site.base_url, **spec))
        return found

    def requests_for(self, host: str) -> list[RequestRecord]:
        return [r for r in self.requests if r.host.split(":")[0].lower() == host.lower()]

    # --- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> SimWeb:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            self._loop = loop_factory()()
            try:
                self._loop.run_until_complete(self._start())
            except BaseException as exc:
                errors.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="simweb", daemon=True)
        self._thread.start()
        ready.wait(30)
        if errors:
            raise errors[0]

    def stop(self) -> None:
        if self._loop is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._stop(), self._loop)
        future.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = None
        self._tmp.cleanup()

    async def _stop(self) -> None:
        for listener in self._listeners:
            await listener.stop()
        for sock in self._unserved:
            sock.close()
        await self._dns.stop()
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()

    async def _start(self) -> None:
        reserved: dict[str, dict[str, socket.socket]] = {}
        for site in self.sites.values():
            site.port, reserved[site.host] = reserve_port_pair()
        self._build_dns()
        # Bombs and generated pages are built before anything listens: built on demand, on this loop,
        # they would stall every other site's answers (and DNS) for seconds.
        await asyncio.to_thread(warm_hostile_bodies, list(self.sites.values()))
        for site in self.sites.values():
            responder = SiteResponder(site, self.sites, self.today)
            self.responders[site.host] = responder
            for family in site.manifest.families:
                context = self._server_ssl(site) if site.manifest.tls else None
                listener = HttpListener(responder, family, LOOPBACK[family], site.port, context, self.requests,
                                        keepalive=self.keepalive)
                await listener.start(reserved[site.host].pop(family))
                self._listeners.append(listener)
            self._unserved += reserved[site.host].values()
        await self._dns.start()

    def _build_dns(self) -> None:
        for site in self.sites.values():
            manifest = site.manifest
            for name, records in manifest.dns.items():
                for rdtype, values in records.items():
                    for value in values:
                        self.records.add(name, rdtype, value)
            if manifest.cname:
                self.records.add(site.host, "CNAME", manifest.cname)
                continue
            a = manifest.a if manifest.a is not None else (["127.0.0.1"] if "ipv4" in manifest.families else [])
            aaaa = manifest.aaaa if manifest.aaaa is not None else (
                ["::1"] if "ipv6" in manifest.families else [])
            for value in a:
                self.records.add(site.host, "A", value)
            for value in aaaa:
                self.records.add(site.host, "AAAA", value)
            if not a and not aaaa:
                self.records.records.setdefault(site.host, {})

    def _server_ssl(self, site: FixtureSite) -> ssl.SSLContext:
        import trustme  # only needed for TLS fixture sites (installed with the `test` extra)

        if not hasattr(self, "_ca"):
            self._ca = trustme.CA()
            bundle = Path(self._tmp.name) / "simweb-ca.pem"
            self._ca.cert_pem.write_to_path(str(bundle))
            self.ca_bundle = str(bundle)
        names = ["wrong.example.org"] if site.manifest.tls == "wrong_host" else [site.host]
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert(*names).configure_cert(context)
        return context
