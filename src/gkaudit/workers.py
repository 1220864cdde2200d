"""`--workers N`: the scan's slices (gkaudit/order.py), one per process, then joined.

The first slice runs in this process; each other one in a fresh interpreter (`_Child`: no state or
threads inherited; its arguments are pickled to a file). Every slice runs with 1/N of --concurrency
and streams its sites to its own file beside the scan's stream; when all have ended, those lines are copied
into the scan's stream, so the final report is assembled exactly as for one process.
SIGINT/SIGTERM received here stops this process's slice and is passed to every child (each stops
cleanly and writes what it finished); a child still running STOP_GRACE_S later (stuck, or stopped
with SIGSTOP) is killed. A child that dies leaves its unfinished sites listed as such.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from gkaudit import __version__
from gkaudit.check import Check
from gkaudit.interrupt import STOP_SIGNALS, run_stoppable
from gkaudit.model import ScannerFacts, ToolInfo
from gkaudit.registry import load_registry
from gkaudit.report.merge import merge_scanner
from gkaudit.runner import ScanOptions, ScanRun, run_sites
from gkaudit.stream import SCANNER_COUNTS, StreamError, StreamIndex, StreamSink, index_stream, scanner_counts
from gkaudit.targets import Target

STOP_GRACE_S = 10.0  # a stopped child normally ends in well under a second


def run_workers(slices: list[list[Target]], checks: list[Check], checks_dir: Path | None, options: ScanOptions,
                sink: StreamSink, on_site: Callable[[], None] | None = None) -> tuple[ScanRun, int | None]:
    """Scan each slice in a process of its own, this one included, sites going to `sink`; returns the run
    and any signal.

    This process scans the first slice itself (a parent that only waited would hold its imports,
    some 50 MiB, for nothing); the other slices run in child processes. `on_site` (the progress
    bar) is called once per site finished so far, here or in a child.
    """
    targets = [target for part in slices for target in part]
    share = _share(options, len(slices))
    folder = Path(tempfile.mkdtemp(prefix=".gkaudit-workers-", dir=sink.path.parent))
    paths = [folder / f"worker-{number}.jsonl" for number in range(1, len(slices) + 1)]
    children = [_Child(path.with_suffix(".args"), (part, share, [c.id for c in checks], checks_dir, path))
                for part, path in zip(slices[1:], paths[1:], strict=True)]
    started = datetime.now(UTC)
    main = threading.current_thread() is threading.main_thread()  # only it receives signals
    previous = {number: signal.getsignal(number) for number in (STOP_SIGNALS if main else ())}
    early: list[int] = []  # a SIGTERM before this process's loop handles signals

    def stop_early(number: int, _frame: object) -> None:
        early.append(number)
        _stop_children(children)

    try:
        try:
            if main:  # children start with SIGINT ignored (kept across exec): a Ctrl-C while one is
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # still importing would print a traceback;
                signal.signal(signal.SIGTERM, stop_early)  # they install their own handlers once
            for process in children:  # running, as this process does in run_stoppable
                process.start()
            _, received = run_stoppable(
                lambda stop: _lead(slices[0], checks, share, paths[0], children, paths[1:], stop, on_site, early))
            received = received or (early[0] if early else None)
        finally:
            _stop_children(children)  # a no-op unless this process failed: children never outlive it
            deadline = time.monotonic() + STOP_GRACE_S
            for process in children:
                process.join(max(0.0, deadline - time.monotonic()))
                process.kill()  # a no-op for one that ended
                process.join()
            for number, handler in previous.items():
                signal.signal(number, handler)
        codes = [0] + [process.exitcode for process in children]
        return _combine(targets, paths, codes, sink, started, options), received
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _lead(targets: list[Target], checks: list[Check], options: ScanOptions, path: Path,
                children: list[_Child], child_paths: list[Path],
                stop: asyncio.Event, on_site: Callable[[], None] | None, early: list[int]) -> ScanRun:
    """This process's own slice, streamed to `path`, while it watches the children (their finished sites
    reach `on_site`; a stop, SIGINT/SIGTERM here, is passed on to them). Returns when all have ended.
    `early` holds a signal received before the loop handled signals: the slice then stops at once."""
    if early:
        stop.set()
    watcher = asyncio.get_running_loop().create_task(_watch(children, child_paths, stop, on_site))
    try:
        run = await _scan_slice(targets, checks, options, path, stop, (lambda *_: on_site()) if on_site else None)
        while any(process.is_alive() for process in children):
            await asyncio.sleep(0.1)
        return run
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def _scan_slice(targets: list[Target], checks: list[Check], options: ScanOptions, path: Path,
                      stop: asyncio.Event, on_result: Callable[..., None] | None = None) -> ScanRun:
    """One slice's scan, streamed to `path` and ended there (with the facts counted to the end).
    A signal while the end line is written only sets `stop` again: the file is always finished."""
    sink = StreamSink(path, ToolInfo(version=__version__))
    run = await run_sites(targets, checks, options, sink, on_result, stop)
    sink.end(run.finished_at, run.interrupted, run.unfinished, scanner_counts(run.scanner))
    return run


async def _watch(children: list[_Child], paths: list[Path], stop: asyncio.Event,
                 on_site: Callable[[], None] | None) -> None:
    """Until cancelled, every 0.25 s: report the children's finished sites to `on_site`; once `stop` is
    set, stop the children (once: a second SIGTERM could reach a child after its handlers are gone),
    and kill those still running STOP_GRACE_S later."""
    progress = _Progress(paths)
    stopped_at: float | None = None
    try:
        while True:
            await asyncio.sleep(0.25)
            if stop.is_set() and stopped_at is None:
                _stop_children(children)
                stopped_at = time.monotonic()
            elif stopped_at is not None and time.monotonic() - stopped_at > STOP_GRACE_S:
                for process in children:
                    process.kill()
            _advance(progress, on_site)
    finally:
        _advance(progress, on_site)  # the last sites the children wrote


def _advance(progress: _Progress, on_site: Callable[[], None] | None) -> None:
    for _ in range(progress.new_sites() if on_site else 0):
        on_site()  # type: ignore[misc]


def _stop_children(children: list[_Child]) -> None:
    """SIGTERM to every child still running: each stops cleanly and writes what it finished."""
    for process in children:
        if process.pid is not None and process.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)


class _Progress:
    """Counts the site lines the workers append to their streams, reading each byte once."""

    def __init__(self, paths: list[Path]) -> None:
        self.offsets = dict.fromkeys(paths, 0)

    def new_sites(self) -> int:
        found = 0
        for path, offset in self.offsets.items():
            try:
                with path.open("rb") as stream:
                    stream.seek(offset)
                    chunk = stream.read()
            except OSError:
                continue  # not created yet
            complete = chunk[: chunk.rfind(b"\n") + 1]
            self.offsets[path] = offset + len(complete)
            found += sum(line.startswith(b'{"id":') for line in complete.splitlines())
        return found


def _share(options: ScanOptions, workers: int) -> ScanOptions:
    """Each worker's part of --concurrency (and of the sites audited at once), at least 1."""
    fetch = replace(options.fetch, concurrency=max(1, options.fetch.concurrency // workers))
    return replace(options, fetch=fetch, site_concurrency=max(1, options.site_concurrency // workers))


def _combine(targets: list[Target], paths: list[Path], exit_codes: list[int | None], sink: StreamSink,
             started: datetime, options: ScanOptions) -> ScanRun:
    indexes: list[StreamIndex] = []
    for path in paths:
        with contextlib.suppress(StreamError):  # a worker that died before its first line
            indexes.append(index_stream(path))
    scanners = [index.header.scanner.model_copy(update=_counts(index)) for index in indexes]
    names = [f"worker {number}" for number in range(1, len(indexes) + 1)]
    scanner = merge_scanner(scanners, names) if scanners else ScannerFacts(
        resolver=str(options.nameserver or "system"), now=options.now,
        allow_private=options.fetch.allow_private)
    sink.begin(min([i.header.started_at for i in indexes], default=started), scanner)
    done: set[str] = set()
    for index in indexes:
        for site_id, line in index.raw_lines():
            sink.copy(line)
            done.add(site_id)
    ended_cleanly = all(code == 0 for code in exit_codes) and all(
        i.end is not None and not i.end.get("interrupted") for i in indexes) and len(indexes) == len(paths)
    unfinished = [t.id for t in targets if t.id not in done]
    return ScanRun(started_at=started, finished_at=datetime.now(UTC), scanner=scanner,
                   interrupted=not ended_cleanly or bool(unfinished), unfinished=unfinished)


def _counts(index: StreamIndex) -> dict[str, int]:
    """The counted scanner facts of a worker's end line (none when it did not end cleanly)."""
    counts = (index.end or {}).get("counts") or {}
    return {name: int(counts[name]) for name in SCANNER_COUNTS if isinstance(counts.get(name), int)}


class _Child:
    """One worker slice in a fresh interpreter, started by `start()`: this interpreter with its flags and
    its `sys.path` (not the working directory's modules), running `child_main(ARGS)`, ARGS a pickle of
    `_worker`'s arguments. Not multiprocessing: its "spawn" start method also runs a resource-tracker
    interpreter (13 MiB resident) that a scan, sharing no semaphores, never needs."""

    def __init__(self, args_path: Path, args: tuple[object, ...]) -> None:
        self.args_path = args_path
        self.args = args
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.args_path.open("wb") as stream:
            pickle.dump(self.args, stream)
        flags = subprocess._args_from_interpreter_flags()  # type: ignore[attr-defined]  # as multiprocessing does
        self.popen = subprocess.Popen([sys.executable, *flags, "-c", _CHILD_BOOTSTRAP, str(self.args_path),
                                       *sys.path], stdin=subprocess.DEVNULL)

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    @property
    def exitcode(self) -> int | None:
        """The exit status once ended (negative: the signal that killed it), else None."""
        return self.popen.poll() if self.popen else None

    def is_alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def join(self, timeout: float | None = None) -> None:
        """Wait until it ends, or `timeout` seconds."""
        if self.popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)

    def kill(self) -> None:
        """SIGKILL, if it still runs (its sites not yet written stay unfinished)."""
        if self.is_alive():
            with contextlib.suppress(ProcessLookupError):
                self.popen.kill()  # type: ignore[union-attr]


_CHILD_BOOTSTRAP = ("import sys; sys.path[:] = sys.argv[2:]; "
                    "from gkaudit.workers import child_main; child_main(sys.argv[1])")


def child_main(args_path: str) -> None:
    """A `_Child`'s entry point: `_worker` with the arguments pickled at `args_path`."""
    try:
        with open(args_path, "rb") as arguments:
            args = pickle.load(arguments)
    except Exception as exc:
        print(f"gkaudit worker: 无法读取参数 / cannot read its arguments: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(3)
    _worker(*args)


def _worker(targets: list[Target], options: ScanOptions, check_ids: list[str], checks_dir: Path | None,
            path: Path) -> None:
    """One worker process: its slice, streamed to `path`; SIGINT/SIGTERM stop it cleanly."""
    try:
        checks = load_registry(checks_dir).select(check_ids)
        run_stoppable(lambda stop: _scan_slice(targets, checks, options, path, stop))
    except Exception as exc:  # one line, as everywhere; the parent lists this slice as unfinished
        print(f"gkaudit worker: 内部错误 / internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(3)
