"""gkaudit.loop: uvloop where installed, asyncio's loop on request; a scan runs on it."""

from __future__ import annotations

import asyncio

import pytest

from gkaudit.interrupt import run_stoppable
from gkaudit.loop import loop_factory


def _loop_module(factory) -> str:
    loop = factory()
    try:
        return type(loop).__module__
    finally:
        loop.close()


def test_uvloop_is_the_default_where_installed() -> None:
    pytest.importorskip("uvloop")
    assert _loop_module(loop_factory()).startswith("uvloop")


def test_gkaudit_loop_asyncio_selects_the_standard_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GKAUDIT_LOOP", " AsyncIO ")
    assert loop_factory() is asyncio.new_event_loop


def test_run_stoppable_runs_on_the_chosen_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    async def main(stop: asyncio.Event) -> str:
        return type(asyncio.get_running_loop()).__module__

    monkeypatch.setenv("GKAUDIT_LOOP", "asyncio")
    assert run_stoppable(main) == (_loop_module(asyncio.new_event_loop), None)
    monkeypatch.delenv("GKAUDIT_LOOP")
    expected = _loop_module(loop_factory())
    assert run_stoppable(main) == (expected, None)
