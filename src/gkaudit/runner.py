"""The runner: sites x checks, concurrently, with progress; each site handed on the moment it finishes.

A check that raises becomes `error`; a stop request (signal) cancels what is in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from gkaudit import __version__
from gkaudit.check import Check
from gkaudit.context import ScanEnv, SiteContext
from gkaudit.memory import FreeMemoryTrimmer
from gkaudit.model import CheckResult, ScannerFacts, ScanReport, SiteReport, Status, ToolInfo, WaiverInfo
from gkaudit.net.admission import SiteAdmission
from gkaudit.net.backend import is_ipv4_mapped
from gkaudit.net.dns import Nameserver, Resolver
from gkaudit.net.http import Fetcher, FetchOptions
from gkaudit.net.parse import PageTooComplex
from gkaudit.net.probe import ROUTE_PROBE_V6, has_route
from gkaudit.net.render import Renderer, RenderOptions
from gkaudit.targets import Target, Waiver

DEFAULT_CONTROL_HOST = "www.gov.cn"
DEFAULT_IPV6_CONTROL = "https://www.gov.cn/"

ProgressHook = Callable[[str, str], None]


# Sites in flight per request slot. Politeness spaces one host's requests, so a site uses a slot only
# now and then and several must be in flight per slot; beyond 4 the CPU, not the network, is the limit
# (1,000 bench sites at 50 ms: 8 per slot took 310 s at 447 MiB, 4 per slot 307 s at 386 MiB).
SITES_PER_REQUEST_SLOT = 4


@dataclass(frozen=True)
class ScanOptions:
    """Everything the CLI decides for a scan."""

    now: date
    fetch: FetchOptions = field(default_factory=FetchOptions)
    nameserver: Nameserver | None = None
    dns_timeout: float = 4.0
    ipv6: str = "auto"
    ipv6_control: str = DEFAULT_IPV6_CONTROL
    control_host: str | None = DEFAULT_CONTROL_HOST
    check_timeout: float = 300.0
    # At most this many sites audited at once (the CLI: SITES_PER_REQUEST_SLOT x --concurrency): it
    # bounds the pages alive at the same time, i.e. peak memory. Within it, sites start only while
    # the request slots are not saturated (net/admission.py); the first `concurrency` start at once.
    site_concurrency: int = SITES_PER_REQUEST_SLOT * 16  # the default --concurrency
    render: RenderOptions = field(default_factory=RenderOptions)  # the browser for script-built pages


class SiteSink(Protocol):
    """Where finished sites go: `begin` once with the scanner facts, then `site` for each site as it ends."""

    def begin(self, started_at: datetime, scanner: ScannerFacts) -> None: ...

    def site(self, report: SiteReport) -> None: ...


@dataclass
class ScanRun:
    """How a run ended; the sites themselves went to the sink."""

    started_at: datetime
    finished_at: datetime
    scanner: ScannerFacts
    interrupted: bool = False
    unfinished: list[str] = field(default_factory=list)


async def run_sites(targets: Sequence[Target], checks: Sequence[Check], options: ScanOptions, sink: SiteSink,
                    on_result: ProgressHook | None = None, stop: asyncio.Event | None = None) -> ScanRun:
    """Run every applicable check on every target, handing each SiteReport to `sink` as soon as it is done.

    No site is kept here: memory does not grow with the number of targets. When `stop` is set
    (SIGINT/SIGTERM), work in flight is cancelled, connections are closed and the run returns with
    `interrupted` and the targets that did not finish, in input order; `sink.begin` is always called.
    """
    validate_settings(targets, checks)
    started = datetime.now(UTC)
    resolver = Resolver(options.nameserver, timeout=options.dns_timeout)
    scanner = ScannerFacts(resolver=resolver.description, now=options.now,
                           allow_private=options.fetch.allow_private, checks=[c.id for c in checks])
    done: set[str] = set()
    begun = False

    async def scan(fetcher: Fetcher, renderer: Renderer) -> None:
        nonlocal begun
        scanner.render, scanner.render_reason = renderer.mode, renderer.unavailable
        env = ScanEnv(fetcher, resolver, options.now, scanner, ipv6_control_url=options.ipv6_control,
                      renderer=renderer)
        await _probe_scanner(env, options, [c.id for c in checks])
        sink.begin(started, scanner)
        begun = True
        pending = iter(targets)
        admission = SiteAdmission(fetcher, floor=options.fetch.concurrency, cap=options.site_concurrency)

        async def work() -> None:
            for target in pending:  # one shared iterator: at most site_concurrency sites at once
                async with admission.site():  # and more only while requests and the CPU keep up
                    report = await _run_site(target, checks, env, options, on_result)
                sink.site(report)
                done.add(target.id)

        try:
            async with admission, asyncio.TaskGroup() as group:
                for _ in range(max(1, min(options.site_concurrency, len(targets)))):
                    group.create_task(work())
        finally:  # also when a stop cancels the scan
            scanner.sites_at_once = admission.peak

    # the browser (started on the first page that needs it) is closed before the fetcher it is served by,
    # also when a stop request cancels the scan
    # freed trees and bodies go back to the OS as the scan goes on, not only when it ends
    with FreeMemoryTrimmer():
        async with Fetcher(resolver, options.fetch) as fetcher, Renderer(fetcher, options.render) as renderer:
            try:
                interrupted = await _until_stopped(scan(fetcher, renderer), stop)
            finally:
                scanner.browsers_started, scanner.pages_rendered = renderer.launches, renderer.rendered
                scanner.pages_not_rendered = renderer.wanted
    if not begun:
        sink.begin(started, scanner)
    return ScanRun(started_at=started, finished_at=datetime.now(UTC), scanner=scanner, interrupted=interrupted,
                   unfinished=[t.id for t in targets if t.id not in done])


def validate_settings(targets: Sequence[Target], checks: Sequence[Check]) -> None:
    """Invalid per-site settings are a usage error (ConfigError), found before any traffic."""
    for target in targets:
        for check in checks:
            check.settings_for(target)


async def _until_stopped(work: Coroutine[Any, Any, None], stop: asyncio.Event | None) -> bool:
    """Await `work`; if `stop` is set first, cancel it and wait for it to unwind. True when stopped."""
    task = asyncio.ensure_future(work)
    if stop is None:
        await task
        return False
    waiter = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if task.done():
        task.result()  # re-raise what the scan raised
        return False
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return True


class _Collect:
    """A sink that keeps everything: for run_scan, tests and other callers of a small scan."""

    def __init__(self) -> None:
        self.sites: list[SiteReport] = []

    def begin(self, started_at: datetime, scanner: ScannerFacts) -> None:
        pass

    def site(self, report: SiteReport) -> None:
        self.sites.append(report)


async def run_scan(targets: Sequence[Target], checks: Sequence[Check], options: ScanOptions,
                   on_result: ProgressHook | None = None, stop: asyncio.Event | None = None) -> ScanReport:
    """The whole report in memory, sites in input order (the CLI streams instead: gkaudit.scan)."""
    collected = _Collect()
    run = await run_sites(targets, checks, options, collected, on_result, stop)
    order = {target.id: index for index, target in enumerate(targets)}
    report = ScanReport(tool=ToolInfo(version=__version__), started_at=run.started_at,
                        finished_at=run.finished_at, scanner=run.scanner,
                        sites=sorted(collected.sites, key=lambda site: order[site.id]),
                        interrupted=run.interrupted, unfinished=run.unfinished)
    report.totals = report.count_statuses()
    return report


async def _probe_scanner(env: ScanEnv, options: ScanOptions, check_ids: list[str]) -> None:
    """Fill the scanner facts: can this machine resolve names at all, and does it have working IPv6."""
    facts = env.scanner
    if options.control_host:
        answer = await env.resolver.query(options.control_host, "A")
        facts.online = answer.ok and bool(answer.records)
        if not facts.online:
            facts.online_reason = (f"扫描机的解析器 {env.resolver.description} 无法解析对照域名 "
                                   f"{options.control_host}: {answer.detail or '无 A 记录'}")
    facts.ipv6_route = has_route()
    if "ipv6" not in check_ids or facts.online is False:  # offline: an IPv6 probe only waits for timeouts
        return
    if options.ipv6 == "off":
        facts.ipv6_usable, facts.ipv6_reason = False, "已用 --ipv6 off 关闭 IPv6 测量"
        return
    if options.ipv6 == "on":
        facts.ipv6_usable, facts.ipv6_reason = True, "已用 --ipv6 on 声明扫描机 IPv6 可用"
        return
    control_host = urlsplit(options.ipv6_control).hostname or ""
    if ":" in control_host:  # an IPv6 literal control URL
        native = [control_host]
    else:
        aaaa = await env.resolver.query(control_host, "AAAA")
        native = [a for a in aaaa.records if not is_ipv4_mapped(a)]  # ::ffff:x.x.x.x would probe IPv4
    probe_address = native[0] if native else ROUTE_PROBE_V6
    facts.ipv6_route = has_route(probe_address)
    if not facts.ipv6_route:
        facts.ipv6_usable = False
        facts.ipv6_reason = f"扫描机没有到 {probe_address} 的 IPv6 路由 (no IPv6 route)"
        return
    # Any HTTP answer over IPv6 (even an error status or an anti-bot page) proves this machine's IPv6 works.
    control = await env.fetcher.fetch(options.ipv6_control, "ipv6", follow=False)
    if control.status is None:
        facts.ipv6_usable = False
        facts.ipv6_reason = (f"IPv6 对照站点 {options.ipv6_control} 经 IPv6 无法访问: "
                             f"{control.describe_failure() or '无应答'}")
        return
    facts.ipv6_usable = True
    facts.ipv6_reason = f"IPv6 对照站点 {options.ipv6_control} 经 IPv6 可访问（HTTP {control.status}）"


async def _run_site(target: Target, checks: Sequence[Check], env: ScanEnv, options: ScanOptions,
                    on_result: ProgressHook | None) -> SiteReport:
    ctx = SiteContext(target, env)  # a cache of its own: the site's responses go when the site is done
    try:
        results = await asyncio.gather(*(_run_check(check, ctx, options) for check in checks))
    finally:
        ctx.cache.clear()
    if on_result is not None:
        on_result(target.id, "done")
    return SiteReport(id=target.id, name=target.name, url=target.url, kind=target.kind.value,
                      parent=target.parent, tags=target.tags, results=list(results))


async def _run_check(check: Check, ctx: SiteContext, options: ScanOptions) -> CheckResult:
    target = ctx.target
    if target.kind not in check.applies_to:
        return check.result(Status.SKIPPED, f"不适用于 {target.kind.value} 类站点 / not applicable")
    result = await _judge(check, ctx, options)
    if waiver := target.waiver_for(check.id, ctx.now) or target.expired_waiver_for(check.id, ctx.now):
        apply_waiver(result, waiver, ctx.now)
    return result


def apply_waiver(result: CheckResult, waiver: Waiver, day: date) -> None:
    """An active waiver turns the result `waived`, keeping what the check found; an expired one hides nothing."""
    active = waiver.active_on(day)
    result.waiver = WaiverInfo(reason=waiver.reason, expires=waiver.expires, expired=not active)
    if active:
        result.waived_status, result.status = result.status, Status.WAIVED
        result.summary = f"豁免至 {waiver.expires}（{waiver.reason}）；检查结果：{result.summary}"
    else:
        result.summary = f"{result.summary}（豁免已于 {waiver.expires} 到期）"


async def _judge(check: Check, ctx: SiteContext, options: ScanOptions) -> CheckResult:
    if ctx.env.scanner.online is False:
        return check.result(Status.INCONCLUSIVE, f"未检查：{ctx.env.scanner.online_reason}",
                            metrics={"reason": "scanner_offline"})
    check_ctx = ctx.with_settings(check.settings_for(ctx.target))  # its settings were validated before the scan started
    started = time.monotonic()
    deadline = asyncio.timeout(options.check_timeout)
    try:
        async with deadline:
            result = await check.run(check_ctx)
    except Exception as exc:  # a broken check must not stop the scan, whatever it raises
        if isinstance(exc, PageTooComplex):  # offloaded work on a page ran past its budget: cannot judge
            result = check.result(Status.INCONCLUSIVE, f"页面结构过于复杂，无法在时间预算内处理 / page too complex: {exc}",
                                  metrics={"reason": "page_too_complex"})
        elif isinstance(exc, TimeoutError) and deadline.expired():
            result = check.result(Status.INCONCLUSIVE,
                                  f"检查超时（{options.check_timeout:.0f} 秒）/ check timed out",
                                  metrics={"reason": "check_timeout"})
        else:
            result = check.result(Status.ERROR, f"检查自身出错 / check raised {type(exc).__name__}: {exc}")
    if not isinstance(result, CheckResult):
        result = check.result(Status.ERROR, f"检查自身出错 / check returned {type(result).__name__}, "
                                            "not a CheckResult")
    result.duration_ms = int((time.monotonic() - started) * 1000)
    return result


FAIL_ON_STATUSES = {
    "fail": {Status.FAIL, Status.ERROR},
    "warn": {Status.WARN, Status.FAIL, Status.ERROR},
}


def exit_code(report: ScanReport, fail_on: str) -> int:
    """0: nothing at or above `fail_on`; 1: compliance failures; 3: the scanner itself was offline.

    Read from `totals` when set, so a report whose sites are in a stream is judged the same way.
    """
    if report.scanner.online is False:
        return 3
    totals = report.totals or report.count_statuses()
    return 1 if any(totals.get(status.value) for status in FAIL_ON_STATUSES[fail_on]) else 0
