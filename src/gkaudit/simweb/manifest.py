"""Fixture sites of the simulated web: a folder with `site.yaml` (the manifest) and `www/` (the files).

Manifest fields (all but `host` optional):

    host: www.njqh.gov.cn          # the hostname the DNS server answers for
    families: [ipv4, ipv6]         # which loopback listeners serve it (127.0.0.1 / ::1)
    a: [...] / aaaa: [...]         # DNS overrides, e.g. aaaa: ["::ffff:127.0.0.1"] or ["::1"] with no v6 listener
    cname: edge.cdn.example        # the host is a CNAME to this name (give that name records in `dns`)
    dns: {name: {A: [...], AAAA: [...], NS: [...], CNAME: [...]}}   # extra records
    tls: false | true | wrong_host # HTTPS with the simweb test CA (wrong_host: a certificate for another name)
    encoding: utf-8 | gbk          # .html files are stored UTF-8 and served re-encoded (charset in <meta> only)
    raw: false                     # true: every file is served byte for byte (no templates, no charset header):
                                   # real-page copies in whatever encoding they were saved (UTF-16LE, GBK)
    latency_ms: 0                  # every answer leaves this long after its request came
    antibot: 412 | 521 | null      # every answer is that gateway's challenge page
    statuses: {"/gone/": 404}      # fixed statuses for paths
    redirects: {"/old/": "/new/"}  # 302s (templated: {{base}}, {{port}}, {{url:host}})
    routes: {"/njstjj/?id=xxgkzn": "njstjj/xxgkzn.html"}   # a path with query -> a file under www/
                                   # (exact match first, then equal decoded query parameters in any order)
    flaky: {"/busy/": 2}           # answer 503 the first N times, then the file
    huge: {"/big.html": 20000000}  # stream that many bytes of HTML
    hang: ["/slow/"]               # accept, never answer
    reset: ["/reset/"]             # close the connection without an answer
    replies: {"/x/": {status: 302, headers: [["Location", "javascript:void(0)"]], body: "..."}}
                                   # a verbatim answer: any status, headers in order (UTF-8 on the wire), body
    bombs: {"/bomb/": {encoding: "gzip, gzip", size: 2000000000}}
                                   # `size` bytes of HTML compressed with each Content-Encoding layer in turn
    generated: {"/deep/": {kind: nested, count: 100000}}
                                   # hostile bodies made at start: nested (count <div>s deep), digits
                                   # (createPageHTML with count digits), binary (count random bytes), empty,
                                   # bigtext (count bytes of text, dates, links, scripts and markup soup),
                                   # pdfbomb (a small PDF whose content stream inflates to count bytes)
    ipv6: {www: www6, statuses: {...}, redirects: {...}}   # what differs when asked over IPv6
    target: {id, name, kind, parent, tags, settings, disclosure_url}  # how `gkaudit demo` lists it
    demo: true                     # false: infrastructure (CDN, control host), not a target

Text files under www/ are templates: {{date:-N}} is the simulated today minus N days (ISO),
{{year}} / {{year:-1}} the year, {{base}} this site's root URL, {{url:HOST}} another site's root URL.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field


class FamilyOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    www: str | None = None
    statuses: dict[str, int] = Field(default_factory=dict)
    redirects: dict[str, str] = Field(default_factory=dict)


class RawReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: int = 200
    headers: list[tuple[str, str]] = Field(default_factory=list)
    body: str = ""


class Bomb(BaseModel):
    model_config = ConfigDict(extra="forbid")

    encoding: str = "gzip"
    size: int = 1_000_000_000


class Generated(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["nested", "digits", "binary", "empty", "bigtext", "pdfbomb"]
    count: int = 0
    content_type: str = "text/html; charset=utf-8"


class SiteManifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str
    families: list[Literal["ipv4", "ipv6"]] = Field(default_factory=lambda: ["ipv4", "ipv6"])
    a: list[str] | None = None
    aaaa: list[str] | None = None
    cname: str | None = None
    dns: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    tls: bool | Literal["wrong_host"] = False
    encoding: Literal["utf-8", "gbk"] = "utf-8"
    raw: bool = False
    latency_ms: int = 0
    antibot: int | None = None
    statuses: dict[str, int] = Field(default_factory=dict)
    redirects: dict[str, str] = Field(default_factory=dict)
    routes: dict[str, str] = Field(default_factory=dict)
    flaky: dict[str, int] = Field(default_factory=dict)
    huge: dict[str, int] = Field(default_factory=dict)
    hang: list[str] = Field(default_factory=list)
    reset: list[str] = Field(default_factory=list)
    replies: dict[str, RawReply] = Field(default_factory=dict)
    bombs: dict[str, Bomb] = Field(default_factory=dict)
    generated: dict[str, Generated] = Field(default_factory=dict)
    ipv6: FamilyOverride = Field(default_factory=FamilyOverride)
    target: dict[str, Any] = Field(default_factory=dict)
    demo: bool = True
    description: str = ""


class FixtureSite:
    """A manifest, its folder, and the port it was given when the simulated web started."""

    def __init__(self, folder: Path, manifest: SiteManifest) -> None:
        self.folder = folder
        self.manifest = manifest
        self.port = 0

    @classmethod
    def load(cls, folder: Path) -> FixtureSite:
        data = yaml.safe_load((folder / "site.yaml").read_text(encoding="utf-8")) or {}
        return cls(folder, SiteManifest.model_validate(data))

    @property
    def host(self) -> str:
        return self.manifest.host.lower()

    @property
    def scheme(self) -> str:
        return "https" if self.manifest.tls else "http"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}/"

    def www(self, family: str) -> Path:
        override = self.manifest.ipv6.www if family == "ipv6" else None
        return self.folder / (override or "www")


_TEMPLATE = re.compile(r"\{\{\s*(date|year|base|url|port)(?::([^}\s]*))?\s*\}\}")


def render_template(text: str, today: date, site: FixtureSite, sites: dict[str, FixtureSite]) -> str:
    """Fill {{date:-N}}, {{year:-N}}, {{base}}, {{port}} and {{url:HOST}} placeholders."""

    def replace(match: re.Match[str]) -> str:
        kind, arg = match.group(1), match.group(2) or ""
        if kind == "date":
            return (today + timedelta(days=int(arg or 0))).isoformat()
        if kind == "year":
            return str(today.year + int(arg or 0))
        if kind == "base":
            return site.base_url.rstrip("/")
        if kind == "port":
            return str(site.port)
        other = sites.get(arg.lower())
        return other.base_url.rstrip("/") if other else f"http://{arg}"

    return _TEMPLATE.sub(replace, text)
