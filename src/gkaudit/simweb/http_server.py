"""The HTTP side of the simulated web: one listener per site and family, serving its fixture folder.

HTTP/1.1; with `keepalive` (the benchmark, the pool tests) connections stay open between requests as
on real sites (hanging, reset and streamed answers, and replies naming their own Connection header,
close them); without, every answer closes its connection. Every request is logged (family, Host
header, TLS SNI, path, when its head arrived and when its answer was sent, on the monotonic clock)
so tests and the benchmark can assert what gkaudit really sent, and when.
"""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
import socket
import ssl
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from email.utils import formatdate
from urllib.parse import parse_qsl, unquote, urlsplit

from gkaudit.simweb.hostile import bomb_reply, generated_reply
from gkaudit.simweb.manifest import FixtureSite, render_template

ANTIBOT_412 = (b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
               b"<script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=84711;"
               b"$_ts.cd=\"qnrcrrAlWGqbcaqEDGAmcqVcxa\";</script>"
               b"<script type=\"text/javascript\" r='m' src=\"/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js\"></script>"
               b"</head><body></body></html>")
ANTIBOT_521 = (b"<html><body><script>document.cookie=('_')+('_j')+('sl_clearance_s=1700000000.1|0|abc');"
               b"location.href=location.pathname+location.search</script></body></html>")
KEEPALIVE_IDLE_S = 15.0  # longer than the client's keep-alive expiry (5 s), so the client closes first
TEXT_TYPES = (".html", ".htm", ".js", ".json", ".txt", ".xml", ".css", ".jsp", ".shtml")


@dataclass
class RequestRecord:
    family: str
    host: str
    path: str
    method: str
    sni: str | None
    user_agent: str
    cookie: str = ""
    arrived: float = 0.0   # time.monotonic() when the request head was read
    finished: float = 0.0  # when the answer was sent (0.0: not yet)
    connection: int = 0    # serial of the TCP connection it came on (equal: the client reused it)


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] | list[tuple[str, str]] = field(default_factory=dict)
    stream_bytes: int = 0
    hang: bool = False
    reset: bool = False


REASONS = {200: "OK", 202: "Accepted", 301: "Moved Permanently", 302: "Found", 304: "Not Modified",
           400: "Bad Request", 403: "Forbidden", 404: "Not Found", 412: "Precondition Failed",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 521: "Web Server Is Down"}


class _BodyCache:
    """The last rendered file bodies, at most `max_bytes` of them (least recently used dropped first)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[int, str, int], tuple[bytes, str]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # several simulated webs (threads) may serve at once

    def get(self, key: tuple[int, str, int]) -> tuple[bytes, str] | None:
        with self._lock:
            if (item := self._items.get(key)) is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[int, str, int], item: tuple[bytes, str]) -> tuple[bytes, str]:
        with self._lock:
            if key not in self._items:
                self._items[key] = item
                self._size += len(item[0])
                while self._size > self.max_bytes and len(self._items) > 1:
                    self._size -= len(self._items.popitem(last=False)[1][0])
            return item


_BODIES = _BodyCache(64 * 1024 * 1024)
_RESPONDERS = itertools.count()
_CONNECTIONS = itertools.count(1)


class SiteResponder:
    """Decides the answer to one request for one fixture site."""

    def __init__(self, site: FixtureSite, sites: dict[str, FixtureSite], today: date) -> None:
        self.site = site
        self.sites = sites
        self.today = today
        self.hits: dict[str, int] = {}
        self._token = next(_RESPONDERS)

    def respond(self, family: str, method: str, target: str) -> Reply:
        manifest = self.site.manifest
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        full = path + (f"?{parts.query}" if parts.query else "")
        self.hits[full] = self.hits.get(full, 0) + 1
        if manifest.antibot in (412, 202):
            return Reply(manifest.antibot, ANTIBOT_412, {"Content-Type": "text/html"})
        if manifest.antibot == 521:
            return Reply(521, ANTIBOT_521, {"Content-Type": "text/html", "Set-Cookie": "__jsluid_h=0123; path=/"})
        if path in manifest.hang:
            return Reply(0, hang=True)
        if path in manifest.reset:
            return Reply(0, reset=True)
        if path in manifest.huge:
            return Reply(200, headers={"Content-Type": "text/html"}, stream_bytes=manifest.huge[path])
        if (raw := manifest.replies.get(full) or manifest.replies.get(path)) is not None:
            return Reply(raw.status, self._render(raw.body).encode("utf-8"), list(raw.headers))
        if (bomb := manifest.bombs.get(path)) is not None:
            return Reply(200, *bomb_reply(bomb))
        if (generated := manifest.generated.get(path)) is not None:
            return Reply(200, *generated_reply(generated))
        if path in manifest.flaky and self.hits[full] <= manifest.flaky[path]:
            return Reply(503, b"busy", {"Content-Type": "text/plain", "Retry-After": "0"})
        override = manifest.ipv6 if family == "ipv6" else None
        redirects = {**manifest.redirects, **(override.redirects if override else {})}
        statuses = {**manifest.statuses, **(override.statuses if override else {})}
        for key in (full, path):
            if key in redirects:
                location = self._render(redirects[key])
                return Reply(302, b"", {"Location": location, "Content-Type": "text/html"})
        status = statuses.get(full, statuses.get(path, 200))
        file = self._file_for(family, path, full)
        if file is None:
            return Reply(404 if status == 200 else status, self._not_found(), {"Content-Type": "text/html"})
        body, content_type = self._load(file)
        return Reply(status, body if method != "HEAD" else b"", {"Content-Type": content_type})

    def _file_for(self, family: str, path: str, full: str):  # type: ignore[no-untyped-def]
        root = self.site.www(family)
        routed = self.site.manifest.routes.get(full) or self._route_by_params(full)
        candidates = [root / routed] if routed else []
        relative = path.lstrip("/")
        candidates += [root / relative / "index.html"] if path.endswith("/") else [root / relative,
                                                                                    root / relative / "index.html"]
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved.is_file() and root.resolve() in resolved.parents:
                return resolved
        return None

    def _route_by_params(self, full: str) -> str | None:
        """A route whose path is equal and whose decoded query parameters are equal, in any order."""
        path, _, query = full.partition("?")
        if not query:
            return None
        wanted = sorted(parse_qsl(query, keep_blank_values=True))
        for key, file in self.site.manifest.routes.items():
            route_path, _, route_query = key.partition("?")
            if route_query and route_path == path and sorted(parse_qsl(route_query, keep_blank_values=True)) == wanted:
                return file
        return None

    def _load(self, file) -> tuple[bytes, str]:  # type: ignore[no-untyped-def]
        """The file's answer body and type, rendered once per file version (the benchmark's server is cheap)."""
        key = (self._token, str(file), file.stat().st_mtime_ns)  # its own: ports and today differ per web
        if (known := _BODIES.get(key)) is None:
            known = _BODIES.put(key, self._read(file))
        return known

    def _read(self, file) -> tuple[bytes, str]:  # type: ignore[no-untyped-def]
        content_type = mimetypes.guess_type(file.name)[0] or "text/html"
        if file.suffix not in TEXT_TYPES or self.site.manifest.raw:
            return file.read_bytes(), content_type
        text = self._render(file.read_text(encoding="utf-8"))
        if self.site.manifest.encoding == "gbk":
            return text.encode("gb18030"), content_type  # charset declared only in the page's <meta>
        return text.encode("utf-8"), f"{content_type}; charset=utf-8"

    def _render(self, text: str) -> str:
        return render_template(text, self.today, self.site, self.sites)

    def _not_found(self) -> bytes:
        return "<html><head><title>404 页面不存在</title></head><body><h1>404 Not Found</h1></body></html>".encode()


class HttpListener:
    """Serves one site on one address (127.0.0.1 or ::1) and port."""

    def __init__(self, responder: SiteResponder, family: str, address: str, port: int,
                 ssl_context: ssl.SSLContext | None, log: list[RequestRecord], keepalive: bool = False) -> None:
        self.responder = responder
        self.keepalive = keepalive
        self.family = family
        self.address = address
        self.port = port
        self.ssl_context = ssl_context
        self.log = log
        self._server: asyncio.Server | None = None
        self._sni: dict[int, str] = {}
        self._writers: set[asyncio.StreamWriter] = set()
        if ssl_context is not None:
            ssl_context.sni_callback = self._remember_sni

    def _remember_sni(self, ssl_object: ssl.SSLObject, server_name: str | None, _: ssl.SSLContext) -> None:
        if server_name:
            self._sni[id(ssl_object)] = server_name

    async def start(self, sock: socket.socket) -> int:
        """Listen on `sock`, already bound to this listener's address and port."""
        self._server = await asyncio.start_server(self._handle, sock=sock, ssl=self.ssl_context)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One connection: requests answered in turn while both sides keep it alive (HTTP/1.1 keep-alive)."""
        self._writers.add(writer)
        connection = next(_CONNECTIONS)
        try:
            first_timeout = 10.0
            while await self._serve_one(reader, writer, first_timeout, connection):
                first_timeout = KEEPALIVE_IDLE_S
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float,
                         connection: int) -> bool:
        """Read one request and answer it; whether the connection may carry another."""
        try:
            first = await asyncio.wait_for(reader.read(1), timeout=timeout)
            if not first:
                return False
            if first == b"\x16" and self.ssl_context is None:  # a TLS ClientHello on a plain-HTTP port
                return False  # as a server without TLS there: no handshake (checked by links' HTTPS probe)
            head = first + await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError,
                ssl.SSLError):
            return False
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            return False
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if not await self._skip_body(reader, headers):
            return False
        ssl_object = writer.get_extra_info("ssl_object")
        record = RequestRecord(self.family, headers.get("host", ""), target, method,
                               self._sni.get(id(ssl_object)) if ssl_object else None,
                               headers.get("user-agent", ""), headers.get("cookie", ""), arrived=time.monotonic(),
                               connection=connection)
        self.log.append(record)
        reply = self.responder.respond(self.family, method, target)
        if latency_ms := self.responder.site.manifest.latency_ms:  # the answer leaves `latency` after the
            await asyncio.sleep(max(0.0, record.arrived + latency_ms / 1000 - time.monotonic()))  # request came
        keep = (self.keepalive and version.strip() == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
                and not (reply.hang or reply.reset or reply.stream_bytes) and not _names_connection(reply))
        try:
            if reply.hang:  # never answer; end when the client gives up (no task left to cancel at stop)
                while await reader.read(65536):
                    pass
            else:
                await self._send(writer, reply, keep, head_only=method == "HEAD")
        except (ConnectionError, ssl.SSLError):
            keep = False
        finally:
            record.finished = time.monotonic()
        return keep

    @staticmethod
    async def _skip_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bool:
        """Read past a request body of Content-Length bytes (none is used); False if it cannot be read."""
        try:
            length = int(headers.get("content-length", "0") or 0)
            if length > 0:
                await asyncio.wait_for(reader.readexactly(length), timeout=10)
            return length >= 0 and "chunked" not in headers.get("transfer-encoding", "").lower()
        except (ValueError, asyncio.IncompleteReadError, TimeoutError, ConnectionError, ssl.SSLError):
            return False

    async def _send(self, writer: asyncio.StreamWriter, reply: Reply, keep: bool = False,
                    head_only: bool = False) -> None:
        """Write `reply`; no body after a HEAD or with a status that has none (the Content-Length stays:
        on a kept connection, bytes the client does not expect would be read as the next answer)."""
        if reply.reset:
            transport = writer.transport
            transport.abort()
            return
        length = reply.stream_bytes or len(reply.body)
        head = [f"HTTP/1.1 {reply.status} {REASONS.get(reply.status, 'Status')}",
                f"Date: {formatdate(usegmt=True)}", "Server: simweb", f"Content-Length: {length}",
                "Connection: keep-alive" if keep else "Connection: close"]
        pairs = reply.headers.items() if isinstance(reply.headers, dict) else reply.headers
        head += [f"{k}: {v}" for k, v in pairs]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("utf-8"))  # hostile headers: raw UTF-8 bytes
        if head_only or reply.status in (204, 304) or 100 <= reply.status < 200:
            pass
        elif reply.stream_bytes:
            chunk = b"<p>" + b"x" * 65_529 + b"</p>\n"
            sent = 0
            while sent < reply.stream_bytes:
                piece = chunk[: reply.stream_bytes - sent]
                writer.write(piece)
                sent += len(piece)
                await writer.drain()
        else:
            writer.write(reply.body)
        await writer.drain()


def _names_connection(reply: Reply) -> bool:
    """A reply that sets its own Connection (or framing) header: sent as is, then the connection closes."""
    pairs = reply.headers.items() if isinstance(reply.headers, dict) else reply.headers
    return any(k.lower() in ("connection", "content-length", "transfer-encoding") for k, _ in pairs)
