"""Shared fixtures: simulated webs on loopback, and a helper to scan them.

- `bundled_web`: the simulated Nanjing shipped with gkaudit (session-wide).
- `make_web(*roots, today=...)`: a SimWeb over fixture-site folders (e.g. tests/sites/engine), stopped at the end.
- `scan_web(web, targets, check_ids, now=None, **fetch)`: run a scan against a web, return the ScanReport.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from gkaudit.model import ScanReport
from gkaudit.registry import load_registry
from gkaudit.runner import run_scan
from gkaudit.simweb.options import simweb_scan_options
from gkaudit.simweb.web import SimWeb
from gkaudit.targets import Target

TESTS = Path(__file__).parent
SITES = TESTS / "sites"
REALPAGES = TESTS / "realpages"  # public copies of real pages, from ../shared/realpages


@pytest.fixture(scope="session")
def bundled_web() -> Iterator[SimWeb]:
    with SimWeb() as web:
        yield web


@pytest.fixture
def make_web() -> Iterator[Callable[..., SimWeb]]:
    started: list[SimWeb] = []

    def factory(*roots: Path, today: date | None = None) -> SimWeb:
        web = SimWeb(roots=list(roots), today=today)
        web.start()
        started.append(web)
        return web

    yield factory
    for web in started:
        web.stop()


def scan_web(web: SimWeb, targets: list[Target], check_ids: list[str], now: date | str | None = None,
             **fetch: object) -> ScanReport:
    """Scan `targets` on `web` with the given checks (synchronously)."""
    checks = load_registry().select(check_ids)
    options = simweb_scan_options(web, now, **fetch)
    return asyncio.run(run_scan(targets, checks, options))


def target_of(web: SimWeb, host: str, kind: str = "district", **fields: object) -> Target:
    """A Target for one fixture host of `web`."""
    site_id = host.replace(".", "-")
    return Target(id=site_id, name=host, url=web.url(host), kind=kind, **fields)  # type: ignore[arg-type]
