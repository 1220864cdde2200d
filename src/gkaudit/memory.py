"""Give freed heap memory back to the operating system as a long scan goes on.

Each site's pages, parse trees and reports are freed when the site ends, but glibc keeps the
freed memory inside the process (fragmented arenas), so resident memory would creep up with the
number of sites scanned. `release_free_memory()` asks glibc to return it (malloc_trim), at most
once per `interval` seconds; elsewhere (musl, macOS, Windows) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import time
from collections.abc import Callable

_trim: Callable[[int], int] | None = None
_last = 0.0


def _load_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def release_free_memory(interval: float = 1.0) -> bool:
    """Return freed heap pages to the OS if `interval` has passed since the last time; True if it ran."""
    global _trim, _last
    now = time.monotonic()
    if now - _last < interval:
        return False
    _last = now
    if _trim is None:
        _trim = _load_trim() or (lambda _pad: 0)
    _trim(0)
    return True
