"""Politeness as the README states it, measured where it matters: at the server (simweb's request log).

Per host: never more than `per_host` requests in flight, and each request starts at least
`per_host_interval` after the previous one started. Times are read from the log, never asserted
as speed: a small tolerance covers clock granularity and the loopback hop.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

from gkaudit.net.dns import Resolver, parse_nameserver
from gkaudit.net.http import Fetcher
from gkaudit.net.polite import Politeness
from gkaudit.simweb.web import SimWeb

from enginekit import ENGINE_SITES, REFUSED, fetch_options

TOLERANCE = 0.02  # seconds


def make_site(root: Path, host: str, latency_ms: int) -> None:
    folder = root / host
    (folder / "www").mkdir(parents=True)
    (folder / "site.yaml").write_text(f"host: {host}\nlatency_ms: {latency_ms}\n", encoding="utf-8")
    (folder / "www" / "index.html").write_text("<html><body><p>polite</p></body></html>", encoding="utf-8")


def max_in_flight(spans: list[tuple[float, float]]) -> int:
    events = sorted([(start, 1) for start, _ in spans] + [(end - TOLERANCE, -1) for _, end in spans])
    peak = level = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    return peak


def test_per_host_limit_and_start_to_start_spacing_seen_by_the_server(tmp_path: Path) -> None:
    make_site(tmp_path, "slow.polite.test", latency_ms=150)  # answers slower than the spacing: overlap is possible
    make_site(tmp_path, "fast.polite.test", latency_ms=0)    # answers faster than the spacing: starts queue
    interval, per_host = 0.1, 2
    with SimWeb(roots=[tmp_path]) as web:
        async def burst() -> list:
            options = fetch_options(web, concurrency=8, per_host=per_host, per_host_interval=interval)
            async with Fetcher(Resolver(parse_nameserver(web.nameserver)), options) as fetcher:
                # Warm up first (the client's TLS context, DNS): this test runs server and client in one
                # process, and first-request CPU here would delay the server's clock, not the request.
                await asyncio.gather(*(fetcher.fetch(web.url(host, "/warm"), "ipv4") for host in web.sites))
                urls = [web.url(host, f"/?n={n}") for host in web.sites for n in range(8)]
                return await asyncio.gather(*(fetcher.fetch(u, "ipv4") for u in urls))

        responses = asyncio.run(asyncio.wait_for(burst(), timeout=60))
        assert all(r.ok for r in responses)
        for host in web.sites:
            records = sorted((r for r in web.requests_for(host) if r.path != "/warm"), key=lambda r: r.arrived)
            assert len(records) == 8 and all(r.finished >= r.arrived > 0 for r in records)
            gaps = [b.arrived - a.arrived for a, b in itertools.pairwise(records)]
            assert min(gaps) >= interval - TOLERANCE, (host, gaps)
            assert max_in_flight([(r.arrived, r.finished) for r in records]) <= per_host, host
        slow = [r for r in web.requests_for("slow.polite.test") if r.path != "/warm"]
        assert max_in_flight([(r.arrived, r.finished) for r in slow]) == per_host  # the limit was reached, not avoided
        assert min(r.finished - r.arrived for r in slow) >= 0.150 - 0.005  # an answer never leaves before its latency


def test_a_request_that_never_reached_its_host_leaves_no_gap_and_one_that_knocked_does() -> None:
    """A dead footer link (the name does not resolve) shared by many sites must not queue them all at
    one per `interval`; a refused connect did reach the host, and spaces the next request as any other."""
    interval = 30.0  # a gap after any of these requests would outlast the test's own timeout
    with SimWeb(roots=[ENGINE_SITES]) as web:
        async def run() -> tuple[list, float, float]:
            options = fetch_options(web, per_host_interval=interval, retries=0)
            async with Fetcher(Resolver(parse_nameserver(web.nameserver)), options) as fetcher:
                dead = [await fetcher.fetch(f"http://dead.polite.test/{n}", "ipv4") for n in range(5)]
                refused = await fetcher.fetch(web.url(REFUSED), "ipv4")
                gates = fetcher._polite._hosts
                return [*dead, refused], gates["dead.polite.test"].next_start, gates[REFUSED].next_start

        responses, dead_next, refused_next = asyncio.run(asyncio.wait_for(run(), timeout=20))
    assert [r.failure.value for r in responses] == ["dns_nxdomain"] * 5 + ["connect_refused"]
    assert dead_next == 0.0  # never moved: the next request to it may go at once
    assert refused_next > 0.0  # the refused connect counts as a start, `interval` ahead


async def test_a_request_takes_its_global_slot_only_when_it_first_uses_the_network() -> None:
    polite = Politeness(concurrency=1, per_host=2, interval=0.0)

    async def request(host: str, connected: asyncio.Event, done: asyncio.Event) -> None:
        async with polite.slot(host) as start:
            await start.connect()
            start()
            connected.set()
            await done.wait()

    a_connected, a_done, b_connected, b_done = (asyncio.Event() for _ in range(4))
    async with polite.slot("c.gov.cn"):  # past its start line, not yet on the network: holds no slot
        a = asyncio.create_task(request("a.gov.cn", a_connected, a_done))
        await asyncio.wait_for(a_connected.wait(), 5)  # so the one slot was free for a
        b = asyncio.create_task(request("b.gov.cn", b_connected, b_done))
        await asyncio.sleep(0.05)
        assert not b_connected.is_set() and polite.saturated  # b queues for the slot a holds
        a_done.set()
        await asyncio.wait_for(b_connected.wait(), 5)  # a's block ended: its slot went to b
        assert not polite.saturated
        b_done.set()
        await asyncio.gather(a, b)


def test_time_queued_for_a_global_slot_is_never_a_timeout(tmp_path: Path) -> None:
    """One global slot, five hosts answering in 0.4 s each, `timeout` 0.5 s (a request's limit: 3 x 0.5 s):
    the last request waits ~1.6 s for the slot, yet neither times out nor reports the wait as its time."""
    hosts = [f"q{n}.polite.test" for n in range(5)]
    for host in hosts:
        make_site(tmp_path, host, latency_ms=400)
    with SimWeb(roots=[tmp_path]) as web:
        async def queue() -> list:
            options = fetch_options(web, concurrency=1, timeout=0.5, retries=0)
            async with Fetcher(Resolver(parse_nameserver(web.nameserver)), options) as fetcher:
                return await asyncio.gather(*(fetcher.fetch(web.url(host), "ipv4") for host in hosts))

        responses = asyncio.run(asyncio.wait_for(queue(), timeout=30))
        spans = sorted((r.arrived, r.finished) for host in hosts for r in web.requests_for(host))
    assert all(r.ok for r in responses), [r.problem for r in responses]
    assert max(r.elapsed_ms for r in responses) < 1_000  # each its own exchange, never the queue before it
    assert max_in_flight(spans) == 1 and spans[-1][0] - spans[0][0] >= 4 * 0.4 - TOLERANCE  # one at a time
