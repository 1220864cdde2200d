"""Keep-alive as real sites offer it: connections reused per origin, idle origins closed, never one too many.

Measured at the server: simweb numbers each TCP connection it accepts and logs it with every request.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from gkaudit.net.dns import Resolver, parse_nameserver
from gkaudit.net.http import Fetcher
from gkaudit.simweb.web import SimWeb

from enginekit import fetch_options

HOSTS = [f"h{n}.pool.test" for n in range(4)]


def make_sites(root: Path) -> None:
    for host in HOSTS:
        folder = root / host
        (folder / "www").mkdir(parents=True)
        manifest = (f"host: {host}\nhang: [/hang]\nreplies:\n  /own:\n    status: 200\n    headers: [[Connection, close]]\n"
                    "    body: own\n  /moved:\n    status: 302\n    headers: [[Location, /a.html]]\n    body: moved\n")
        (folder / "site.yaml").write_text(manifest, encoding="utf-8")
        for name in ("index.html", "a.html", "b.html", "c.html"):
            (folder / "www" / name).write_text(f"<html><body><p>{host} {name}</p></body></html>", encoding="utf-8")


def _fetcher(web: SimWeb, **overrides: object) -> Fetcher:
    options = fetch_options(web, **{"concurrency": 4, "per_host": 1, **overrides})
    return Fetcher(Resolver(parse_nameserver(web.nameserver)), options)


def test_successive_requests_to_a_host_share_one_connection(tmp_path: Path) -> None:
    make_sites(tmp_path)
    with SimWeb(roots=[tmp_path], keepalive=True) as web:
        async def run() -> list[tuple[int | None, bool, bool]]:
            async with _fetcher(web) as fetcher:
                responses = [await fetcher.fetch(web.url(HOSTS[0], f"/{name}"), "ipv4")
                             for name in ("a.html", "b.html", "c.html", "")]
                return [(r.status, r.reused_connection, r.connect_ms is None) for r in responses]
        # the first opened the connection (and timed the connect); the others reused it, as they report
        assert asyncio.run(run()) == [(200, False, False), (200, True, True), (200, True, True), (200, True, True)]
        records = web.requests_for(HOSTS[0])
    assert len(records) == 4
    assert len({r.connection for r in records}) == 1, [r.connection for r in records]


def test_a_redirect_chain_reports_its_first_request_s_connection(tmp_path: Path) -> None:
    """`/moved` -> `/a.html` on one connection: the chain opened a connection (its first request did),
    so it is not reported as reused, and its connect time is that first request's."""
    make_sites(tmp_path)
    with SimWeb(roots=[tmp_path], keepalive=True) as web:
        async def run() -> tuple[int | None, int, bool, int | None]:
            async with _fetcher(web) as fetcher:
                r = await fetcher.fetch(web.url(HOSTS[3], "/moved"), "ipv4")
                return r.status, len(r.redirects), r.reused_connection, r.connect_ms
        status, redirects, reused, connect_ms = asyncio.run(run())
        records = web.requests_for(HOSTS[3])
    assert (status, redirects, reused) == (200, 1, False) and connect_ms is not None
    assert len({r.connection for r in records}) == 1  # the second request did reuse it


def test_idle_origins_beyond_the_cap_are_closed_and_reopened_when_needed(tmp_path: Path) -> None:
    make_sites(tmp_path)
    with SimWeb(roots=[tmp_path], keepalive=True) as web:
        async def run() -> tuple[int, list[int | None]]:
            async with _fetcher(web) as fetcher:
                pool = fetcher._client("ipv4", True)._transport._pool  # type: ignore[attr-defined]
                pool.max_origins = 2
                statuses = []
                for round_ in range(2):
                    for host in HOSTS:
                        statuses.append((await fetcher.fetch(web.url(host, f"/a.html?r={round_}"), "ipv4")).status)
                return len(pool._pools), statuses
        kept, statuses = asyncio.run(run())
        by_host = {host: [r.connection for r in web.requests_for(host)] for host in HOSTS}
    assert statuses == [200] * 8
    assert kept == 2
    assert all(len(set(connections)) == 2 for connections in by_host.values()), by_host  # closed, then reopened


def test_a_reply_that_closes_its_connection_and_a_hang_do_not_break_the_next_request(tmp_path: Path) -> None:
    make_sites(tmp_path)
    with SimWeb(roots=[tmp_path], keepalive=True) as web:
        async def run() -> list[object]:
            async with _fetcher(web, timeout=0.5, retries=0) as fetcher:
                own = await fetcher.fetch(web.url(HOSTS[2], "/own"), "ipv4")
                after_own = await fetcher.fetch(web.url(HOSTS[2], "/a.html"), "ipv4")
                hang = await fetcher.fetch(web.url(HOSTS[2], "/hang"), "ipv4")
                after_hang = await fetcher.fetch(web.url(HOSTS[2], "/b.html"), "ipv4")
                return [own.status, after_own.status, hang.failure is not None, after_hang.status]
        assert asyncio.run(run()) == [200, 200, True, 200]
        connections = [r.connection for r in web.requests_for(HOSTS[2])]
    assert connections[0] != connections[1]  # "Connection: close" was honoured
    assert connections[2] != connections[3]  # the hung connection was not reused


def test_a_head_answer_with_a_body_leaves_the_kept_connection_clean(tmp_path: Path) -> None:
    make_sites(tmp_path)
    with SimWeb(roots=[tmp_path], keepalive=True) as web:
        async def run() -> list[int | None]:
            async with _fetcher(web) as fetcher:
                missing = await fetcher.fetch(web.url(HOSTS[3], "/gone.html"), "ipv4", method="HEAD")
                page = await fetcher.fetch(web.url(HOSTS[3], "/a.html"), "ipv4")
                return [missing.status, page.status, page.failure is None]
        assert asyncio.run(run()) == [404, 200, True]  # the 404 page's body was not sent after the HEAD
        records = web.requests_for(HOSTS[3])
    assert [r.method for r in records] == ["HEAD", "GET"] and records[0].connection == records[1].connection


def test_the_open_file_limit_is_raised_for_the_idle_sockets() -> None:
    import resource

    from gkaudit.net.pool import ensure_open_files, sockets_needed
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = sockets_needed(16, 2)
    assert ensure_open_files(wanted) >= min(wanted, hard if hard != resource.RLIM_INFINITY else wanted)
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= soft  # never lowered
