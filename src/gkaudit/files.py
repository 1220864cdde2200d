"""Writing report files so that a reader never sees half of one: a temp file beside it, then os.replace."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[TextIO]:
    """Yield a text file that becomes `path` only when the block ends without an exception.

    The temp file lives in the same directory (os.replace is atomic only within one file system) and is
    flushed to disk before the rename; on an exception it is removed and `path` is left as it was.
    """
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_atomically(path: Path, text: str) -> None:
    with atomic_writer(path) as out:
        out.write(text)
