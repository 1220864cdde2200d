"""A small pool of daemon threads for CPU work on page text, kept off the event loop, within a time budget.

A thread cannot be killed: a job past its budget is abandoned (its caller gets TimeoutError) and
keeps its thread until it ends. Abandoned threads are replaced up to `max_threads`, so a few
runaway parses cannot starve the others; past that, new jobs fail at once. The threads are
daemons, so a runaway parse never keeps the process alive at exit.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


class PoolExhausted(RuntimeError):
    """Every thread is busy with work past its budget."""


@dataclass(eq=False)
class _Job:
    fn: Callable[[], Any]
    loop: asyncio.AbstractEventLoop
    started: asyncio.Future[None]
    done: asyncio.Future[Any]
    state: str = "queued"  # then "running", "finished"; or "dropped" (given up while queued: never run)
    abandoned: bool = False  # its caller gave up while it ran: its thread is replaced (under the lock)


class WorkerPool:
    """`workers` threads run jobs in turn; a thread whose job was abandoned is replaced while it runs
    on, and once that job ends the pool shrinks back to `workers` (a one-thread pool stays one lane)."""

    def __init__(self, workers: int = 2, max_threads: int = 8) -> None:
        self.workers = workers
        self.max_threads = max_threads
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._abandoned = 0
        self._lock = threading.Lock()

    def _wanted(self) -> int:
        """The threads the pool should have: its workers and a stand-in per abandoned job, within max_threads."""
        return min(self.workers + self._abandoned, self.max_threads)

    def _ensure_threads(self) -> None:
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            while len(self._threads) < self._wanted():
                thread = threading.Thread(target=self._work, name="gkaudit-parse", daemon=True)
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            stay = self._run_job(job)
            del job  # its function and future hold a body and its parsed page: not while this thread idles
            if not stay:
                return
        with self._lock:  # told to stop (close): a thread listed after close may be the one stopping
            self._leave()

    def _leave(self) -> bool:
        """Take the calling thread off the list (the lock held); False when it was not on it."""
        current = threading.current_thread()
        if current not in self._threads:
            return False
        self._threads.remove(current)
        return True

    def _run_job(self, job: _Job) -> bool:
        """Run one job and hand its outcome to its loop; False when this thread is one too many now."""
        with self._lock:
            if job.state == "dropped":
                return True
            job.state = "running"
        _call_in(job.loop, job.started, None, None)
        try:
            result, error = job.fn(), None
        except BaseException as exc:  # handed to the caller, whatever it is
            result, error = None, exc
        _call_in(job.loop, job.done, result, error)
        with self._lock:
            job.state = "finished"
            if job.abandoned:
                self._abandoned -= 1
            if len(self._threads) > self.workers + self._abandoned and self._leave():
                return False  # a stand-in took its place meanwhile: one too many
        return True

    async def run(self, fn: Callable[[], T], budget: float) -> T:
        """Run `fn` in a worker; TimeoutError once it has run `budget` seconds (queueing not counted)."""
        if self._abandoned >= self.max_threads - 1:
            raise PoolExhausted(f"{self._abandoned} 个解析线程仍在处理超时的页面 / parser threads exhausted")
        if len(self._threads) < self._wanted():
            self._ensure_threads()  # (re)checked under the lock; the common case takes no lock at all
        loop = asyncio.get_running_loop()
        job = _Job(fn, loop, loop.create_future(), loop.create_future())
        self._jobs.put(job)
        try:
            await job.started
            return await asyncio.wait_for(asyncio.shield(job.done), budget)
        except (TimeoutError, asyncio.CancelledError):
            with self._lock:
                if job.state == "running":
                    job.abandoned = True
                    self._abandoned += 1
                elif job.state == "queued":
                    job.state = "dropped"
            job.done.cancel()
            if job.abandoned:
                self._ensure_threads()
            raise

    def close(self) -> None:
        """Let idle threads end (busy ones end when their job does; they are daemons either way)."""
        for _ in self._threads:
            self._jobs.put(None)
        self._threads = []


def _call_in(loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], result: Any,
             error: BaseException | None) -> None:
    try:
        loop.call_soon_threadsafe(_set, future, result, error)
    except RuntimeError:  # the loop has closed: the scan that wanted this result is over
        pass


def _set(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
