"""Give freed heap memory back to the operating system as a long scan goes on.

Each site's pages, parse trees and reports are freed when the site ends, but glibc keeps the
freed memory inside the process (fragmented arenas), so resident memory would creep up with the
number of sites scanned. `release_free_memory()` asks glibc to return it (malloc_trim) once;
`FreeMemoryTrimmer` does so every `interval` seconds from a thread of its own while a scan runs
(trees die mid-site too, not only when a site ends). Elsewhere (musl, macOS, Windows) both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Callable
from types import TracebackType

_trim: Callable[[int], int] | None = None


def _load_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def _trimmer() -> Callable[[int], int]:
    global _trim
    if _trim is None:
        _trim = _load_trim() or (lambda _pad: 0)
    return _trim


def release_free_memory() -> None:
    """Return freed heap pages to the OS now (after a big one-off allocation, such as parsing targets)."""
    _trimmer()(0)


class FreeMemoryTrimmer:
    """A context manager: while it is open, a daemon thread returns freed heap pages to the OS every
    `interval` seconds. malloc_trim runs without the GIL (ctypes releases it), a few milliseconds at a
    time, so the event loop goes on meanwhile. `trim` replaces malloc_trim (tests)."""

    def __init__(self, interval: float = 0.25, trim: Callable[[int], int] | None = None) -> None:
        self.interval = interval
        self.trims = 0
        self._trim = trim
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> FreeMemoryTrimmer:
        trim = self._trim or _trimmer()
        self._stop.clear()

        def run() -> None:
            while not self._stop.wait(self.interval):
                trim(0)
                self.trims += 1

        self._thread = threading.Thread(target=run, name="gkaudit-trim", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
