"""Run a scan so that SIGINT and SIGTERM stop it cleanly instead of killing it.

The first signal sets the `stop` event the runner watches (it cancels work in flight and closes
connections); the scan then writes what finished. Exit codes follow the shell: 128 + signal
number, i.e. 130 for SIGINT and 143 for SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

from gkaudit.loop import loop_factory

T = TypeVar("T")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_stoppable(main: Callable[[asyncio.Event], Awaitable[T]]) -> tuple[T, int | None]:
    """Run main(stop) on a new event loop (gkaudit.loop), SIGINT/SIGTERM setting `stop`; returns
    (result, signal number or None)."""
    received: list[int] = []

    async def guarded() -> T:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_signal(number: int) -> None:
            if not received:
                received.append(number)
            stop.set()

        handled = STOP_SIGNALS if _main_thread() else ()  # signals reach the main thread only
        for number in handled:
            loop.add_signal_handler(number, on_signal, number)
        try:
            return await main(stop)
        finally:
            for number in handled:
                loop.remove_signal_handler(number)

    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        result = runner.run(guarded())
    return result, (received[0] if received else None)


@contextlib.contextmanager
def signals_held() -> Iterator[list[int]]:
    """While the report is written, a further SIGINT/SIGTERM is noted instead of killing the writer."""
    noted: list[int] = []
    previous = {number: signal.signal(number, lambda number, _frame: noted.append(number))
                for number in (STOP_SIGNALS if _main_thread() else ())}
    try:
        yield noted
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def signal_exit_code(number: int) -> int:
    return 128 + number


def signal_name(number: int) -> str:
    return signal.Signals(number).name
