"""The event loop every gkaudit run uses: uvloop where it is installed, else asyncio's own.

uvloop (libuv, in C) does the loop's bookkeeping, its timers and its socket transports with less
CPU per request than asyncio's pure-Python selector loop; a national scan is CPU-bound, so that is
time saved. It exists for Linux and macOS only; elsewhere, or with `GKAUDIT_LOOP=asyncio` (to rule
the loop out when chasing a problem), asyncio's loop runs the same code.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """What creates a new event loop for a scan (or for simweb's thread)."""
    if os.environ.get("GKAUDIT_LOOP", "").strip().lower() != "asyncio":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return uvloop.new_event_loop
    return asyncio.new_event_loop
