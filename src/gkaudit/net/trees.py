"""LiveTrees: at most a fixed number of parsed HTML trees kept per process; the others are parsed again.

A lexbor tree costs 100-500 KiB however small its page (its memory pools and, once queried, its
CSS engine), against 0.03-0.5 ms to parse it again (about 100 KB of HTML per millisecond). A scan
keeps every page of every site in flight, mostly read once, so their trees made up half a worker's
memory. Here the most recently used trees stay; a page whose tree was let go parses it again when
it is next asked for (`Page.tree`). A tree still in use (a local name, a node) lives on until that
use ends: letting go only drops the page's own references.

Pages too big to parse again within a few milliseconds on the event loop keep their trees.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Protocol

LIVE_TREE_LIMIT = 48  # per process: a handful per site in flight, the homepages among them
REPARSE_MAX_CHARS = 300_000  # about 3 ms of parsing: more would stall the event loop


class HoldsTree(Protocol):
    text: str

    def release_tree(self) -> None: ...


class LiveTrees:
    """The pages whose trees are kept, least recently used first; thread-safe (parse threads add to it)."""

    def __init__(self, limit: int = LIVE_TREE_LIMIT) -> None:
        self.limit = limit
        self.released = 0  # trees let go so far (each may be parsed again)
        self._pages: OrderedDict[int, weakref.ref[HoldsTree]] = OrderedDict()
        self._lock = threading.Lock()

    def touch(self, page: HoldsTree) -> None:
        """`page`'s tree was just used: keep it, and let go the least recently used beyond the limit.

        Entries are weak: a page freed meanwhile leaves an empty entry that simply drops out
        (an entry under a reused id is replaced)."""
        if len(page.text) > REPARSE_MAX_CHARS:
            return  # never let go: parsing it again would stall the loop
        key = id(page)
        evicted: list[HoldsTree] = []
        with self._lock:
            ref = self._pages.get(key)
            if ref is not None and ref() is page:
                self._pages.move_to_end(key)
            else:
                self._pages.pop(key, None)
                self._pages[key] = weakref.ref(page)
                while len(self._pages) > self.limit:
                    _, ref = self._pages.popitem(last=False)
                    if (old := ref()) is not None:
                        evicted.append(old)
            self.released += len(evicted)
        for old in evicted:  # outside the lock: releasing may free the tree
            old.release_tree()

    def __len__(self) -> int:
        return len(self._pages)


LIVE_TREES = LiveTrees()
