"""Parsing off the event loop: the worker pool's budget, its runaway threads, and the nesting pre-check."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time

import pytest

from gkaudit.checks.disclosure.judge import foreign_column_host
from gkaudit.net.page import Page
from gkaudit.net.parse import NESTING_COST_LIMIT, PageTooComplex, check_complexity, nesting_cost, parse_body
from gkaudit.net.workers import PoolExhausted, WorkerPool


def test_a_job_past_its_budget_times_out_and_the_pool_keeps_working() -> None:
    release = threading.Event()

    async def scenario() -> tuple[str, int]:
        pool = WorkerPool(workers=1, max_threads=3)
        with pytest.raises(TimeoutError):
            await pool.run(lambda: release.wait(60), budget=0.05)
        result = await pool.run(lambda: "next", budget=30)  # a fresh thread took the stuck one's place
        release.set()
        pool.close()
        return result, pool._abandoned

    result, _ = asyncio.run(scenario())
    assert result == "next"


def test_runaway_jobs_exhaust_the_pool_instead_of_piling_up_threads() -> None:
    release = threading.Event()

    async def scenario() -> None:
        pool = WorkerPool(workers=1, max_threads=2)
        with pytest.raises(TimeoutError):
            await pool.run(lambda: release.wait(60), budget=0.05)
        with pytest.raises(PoolExhausted):
            await pool.run(lambda: "never", budget=1)
        release.set()

    asyncio.run(scenario())


def test_the_event_loop_runs_while_a_job_works() -> None:
    release = threading.Event()
    order: list[str] = []

    async def other_site() -> None:
        await asyncio.sleep(0)
        order.append("other site done")
        release.set()  # only now may the job end: it cannot finish before the loop ran this

    async def scenario() -> None:
        pool = WorkerPool(workers=1)
        job = asyncio.create_task(pool.run(lambda: release.wait(30) and order.append("job done"), budget=30))
        await asyncio.gather(job, other_site())

    asyncio.run(scenario())
    assert order == ["other site done", "job done"]


def test_a_runaway_thread_does_not_keep_the_process_alive() -> None:
    code = ("import asyncio, time\nfrom gkaudit.net.workers import WorkerPool\n"
            "async def main():\n    pool = WorkerPool()\n    try:\n"
            "        await pool.run(lambda: time.sleep(600), budget=0.05)\n    except TimeoutError:\n"
            "        print('abandoned')\nasyncio.run(main())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert done.stdout.strip() == "abandoned"


def test_job_exceptions_reach_the_caller() -> None:
    async def scenario() -> None:
        with pytest.raises(ZeroDivisionError):
            await WorkerPool().run(lambda: 1 / 0, budget=10)

    asyncio.run(scenario())


# --- the nesting pre-check ----------------------------------------------------------------------

def test_deep_nesting_is_refused_before_parsing() -> None:
    deep = "<html><body>" + "<div>" * 100_000 + "x" + "</div>" * 100_000 + "</body></html>"
    assert nesting_cost(deep) > NESTING_COST_LIMIT
    with pytest.raises(PageTooComplex):
        check_complexity(deep)
    with pytest.raises(PageTooComplex):
        parse_body("http://a.gov.cn/", deep.encode(), "text/html", 200, redirects=True)


@pytest.mark.parametrize("html", [
    "<ul>" + "<li><a href='/a'>x</a><p>y" * 50_000 + "</ul>",  # sloppy but flat: implied end tags
    "<div><span>x</span></div>" * 50_000,
    "<table>" + "<tr><td>1<td>2" * 30_000 + "</table>",
    "<script>for(i=0;i<n;i++){}</script>" * 20_000,
])
def test_big_flat_pages_pass_the_pre_check(html: str) -> None:
    check_complexity(html)
    parsed = parse_body("http://a.gov.cn/", html.encode(), "text/html", 200, redirects=True)
    assert parsed.page.tree is not None


def test_parse_body_reads_redirects_in_the_worker() -> None:
    html = '<html><head><meta http-equiv="refresh" content="0;url=/new/"></head><body></body></html>'
    parsed = parse_body("http://a.gov.cn/", html.encode(), "text/html", 200, redirects=True)
    assert parsed.meta_refresh == "http://a.gov.cn/new/"


# --- <base href> on another domain ---------------------------------------------------------------

def test_a_foreign_base_href_does_not_move_links() -> None:
    page = Page("http://www.njqh.gov.cn/", '<base href="http://www.evil-example.com/"><a href="/xxgk/">政府信息公开</a>')
    assert page.foreign_base == "http://www.evil-example.com/"
    assert page.base_url == "http://www.njqh.gov.cn/"
    assert page.links[0].url == "http://www.njqh.gov.cn/xxgk/"


def test_a_base_href_on_the_sites_own_domain_is_honoured() -> None:
    page = Page("http://www.njqh.gov.cn/", '<base href="http://cms.njqh.gov.cn/site/"><a href="xxgk/">x</a>')
    assert page.foreign_base is None
    assert page.links[0].url == "http://cms.njqh.gov.cn/site/xxgk/"


def test_a_column_on_a_foreign_non_government_domain_is_named() -> None:
    home = "http://www.njqh.gov.cn/"
    assert foreign_column_host("http://www.evil-example.com/xxgk/", home) == "www.evil-example.com"
    assert foreign_column_host("http://xxgk.njqh.gov.cn/", home) is None
    assert foreign_column_host("https://www.nanjing.gov.cn/xxgk/qh/", home) is None  # the city's platform


# --- CPU work a check offloads ----------------------------------------------------------------

def test_offloaded_work_past_its_budget_makes_the_check_inconclusive(make_web) -> None:  # type: ignore[no-untyped-def]
    import time

    from gkaudit.check import Check
    from gkaudit.model import Status
    from gkaudit.runner import run_scan
    from gkaudit.simweb.options import simweb_scan_options

    from conftest import target_of
    from enginekit import DUAL, ENGINE_SITES

    class Grinding(Check):
        id = "grinding"
        title_zh = title_en = basis = "test"

        async def run(self, ctx):  # type: ignore[no-untyped-def]
            await ctx.offload(time.sleep, 5)  # stands for a regex over megabytes
            return self.result(Status.PASS, "never")

    class Light(Check):
        id = "light"
        title_zh = title_en = basis = "test"

        async def run(self, ctx):  # type: ignore[no-untyped-def]
            return self.result(Status.PASS, await ctx.offload(str.upper, "ok"))

    web = make_web(ENGINE_SITES)
    options = simweb_scan_options(web, parse_budget=0.1)
    report = asyncio.run(run_scan([target_of(web, DUAL)], [Grinding(), Light()], options))
    grinding, light = report.sites[0].results
    assert grinding.status is Status.INCONCLUSIVE and grinding.metrics["reason"] == "page_too_complex"
    assert light.status is Status.PASS and light.summary == "OK"


def _most_at_once(pool: WorkerPool, jobs: int) -> int:
    """Run `jobs` short jobs at once through `pool`; how many ran at the same time at most."""
    state = {"now": 0, "most": 0}
    lock = threading.Lock()

    def job() -> None:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.03)
        with lock:
            state["now"] -= 1

    async def main() -> None:
        await asyncio.gather(*(pool.run(job, 5) for _ in range(jobs)))

    asyncio.run(main())
    return state["most"]


def test_a_one_lane_pool_is_one_lane_again_once_an_abandoned_job_ends() -> None:
    pool = WorkerPool(workers=1, max_threads=3)
    release = threading.Event()

    async def stuck() -> None:
        with pytest.raises(TimeoutError):
            await pool.run(lambda: release.wait(10), 0.1)

    asyncio.run(stuck())
    assert _most_at_once(pool, 3) == 1  # its stand-in runs the others, one at a time
    assert len([t for t in pool._threads if t.is_alive()]) == 2  # the stand-in and the stuck one
    release.set()
    deadline = time.monotonic() + 5
    while pool._abandoned and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert _most_at_once(pool, 4) == 1  # the spare thread retired: one lane again
    assert len([t for t in pool._threads if t.is_alive()]) == 1


def test_a_job_given_up_while_queued_never_runs_and_adds_no_thread() -> None:
    pool = WorkerPool(workers=1, max_threads=4)
    ran: list[int] = []
    gate = threading.Event()

    async def main() -> None:
        first = asyncio.ensure_future(pool.run(lambda: gate.wait(5), 5))
        await asyncio.sleep(0.05)  # the first job holds the only thread
        queued = [asyncio.ensure_future(pool.run(lambda n=n: ran.append(n), 5)) for n in range(3)]
        await asyncio.sleep(0.05)
        for task in queued:
            task.cancel()
        await asyncio.gather(*queued, return_exceptions=True)
        gate.set()
        await first

    asyncio.run(main())
    time.sleep(0.1)
    assert ran == [] and pool._abandoned == 0
    assert len([t for t in pool._threads if t.is_alive()]) == 1


def test_an_idle_worker_holds_neither_its_last_job_nor_its_result() -> None:
    """A parse job's function holds the body and its result the parsed page (a megabyte or more):
    once the caller has them, the thread waiting for the next job keeps no reference to either."""
    import functools
    import gc
    import weakref

    class Result:
        pass

    class Body:
        pass

    async def main() -> tuple[weakref.ref[Result], weakref.ref[Body]]:
        pool = WorkerPool(workers=1)
        body = Body()
        result = await pool.run(functools.partial(lambda held: Result(), body), budget=5)  # the job holds body
        refs = weakref.ref(result), weakref.ref(body)
        del result, body
        await asyncio.sleep(0.05)  # the thread is back waiting for a job
        gc.collect()
        alive = refs[0]() is not None, refs[1]() is not None
        pool.close()
        assert alive == (False, False)
        return refs

    asyncio.run(main())
