"""Freed memory goes back to the OS while a scan runs: FreeMemoryTrimmer's thread, and what stops it."""

from __future__ import annotations

import threading
import time

from gkaudit.memory import FreeMemoryTrimmer


def test_the_trimmer_trims_every_interval_while_open_and_never_after() -> None:
    calls: list[float] = []
    with FreeMemoryTrimmer(interval=0.01, trim=lambda pad: calls.append(time.monotonic()) or 0) as trimmer:
        time.sleep(0.2)
        assert not any(t.name == "gkaudit-trim" and not t.daemon for t in threading.enumerate())
    count = len(calls)
    assert count >= 5 and trimmer.trims == count
    time.sleep(0.05)
    assert len(calls) == count  # closed: the thread has ended
    assert not any(t.name == "gkaudit-trim" for t in threading.enumerate())


def test_the_trimmer_runs_real_malloc_trim_or_nothing() -> None:
    """On glibc it calls malloc_trim; elsewhere (musl, macOS, Windows) a no-op: it never raises."""
    with FreeMemoryTrimmer(interval=0.01) as trimmer:
        time.sleep(0.1)
    assert trimmer.trims >= 1
