"""The runner and the check contract: broken checks become `error`, order is deterministic,
non-applicable kinds are skipped, waivers hold until they expire, per-site settings are validated."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from gkaudit.check import Check
from gkaudit.errors import ConfigError
from gkaudit.model import ScanReport, Status
from gkaudit.registry import load_registry
from gkaudit.runner import ScanOptions, exit_code, run_scan
from gkaudit.simweb.options import simweb_scan_options
from gkaudit.simweb.web import SimWeb
from gkaudit.targets import Target, Waiver

from conftest import target_of
from enginekit import DUAL, ENGINE_SITES, V4ONLY, V6ONLY

USER_CHECKS = textwrap.dedent('''\
    """Checks a user might drop into --checks-dir."""
    import asyncio

    from gkaudit.check import Check, CheckSettings, finding
    from gkaudit.model import Status
    from gkaudit.targets import SiteKind


    class Exploding(Check):
        id = "exploding"
        title_zh = "会出错的检查"
        title_en = "Exploding check"
        basis = "测试"

        async def run(self, ctx):
            raise RuntimeError("kaboom: 检查自身的缺陷")


    class TimesOutItself(Check):
        id = "own_timeout"
        title_zh = "自己超时的检查"
        title_en = "Raises TimeoutError itself"
        basis = "测试"

        async def run(self, ctx):
            await asyncio.wait_for(asyncio.sleep(10), timeout=0.01)


    class RaisesConfigError(Check):
        id = "raises_config"
        title_zh = "运行时抛出配置错误的检查"
        title_en = "Raises ConfigError while running"
        basis = "测试"

        async def run(self, ctx):
            from gkaudit.net.dns import parse_nameserver
            parse_nameserver("not-an-address")


    class Forgetful(Check):
        id = "forgetful"
        title_zh = "忘了返回结果的检查"
        title_en = "Returns None"
        basis = "测试"

        async def run(self, ctx):
            await ctx.homepage()


    class Sleepy(Check):
        id = "sleepy"
        title_zh = "慢检查"
        title_en = "Slow check"
        basis = "测试"

        async def run(self, ctx):
            await asyncio.sleep(30)


    class DepartmentsOnly(Check):
        id = "departments_only"
        title_zh = "只查部门"
        title_en = "Departments only"
        basis = "测试"
        applies_to = frozenset({SiteKind.DEPARTMENT})

        async def run(self, ctx):
            return self.result(Status.PASS, "部门")


    class OrderSettings(CheckSettings):
        delay: float = 0.0


    class SlowFirstSite(Check):
        """Finishes last on the first site, so completion order differs from input order."""
        id = "slow_first_site"
        title_zh = "首站慢"
        title_en = "Slow on the first site"
        basis = "测试"
        Settings = OrderSettings

        async def run(self, ctx):
            await asyncio.sleep(ctx.settings.delay)
            response = await ctx.homepage()
            return self.result(Status.PASS if response.ok else Status.FAIL, ctx.target.id,
                               [finding("info", "homepage", **response.evidence())])
    ''')


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb(roots=[ENGINE_SITES]) as simulated:
        yield simulated


@pytest.fixture(scope="module")
def checks_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("user_checks")
    (folder / "user_checks.py").write_text(USER_CHECKS, encoding="utf-8")
    (folder / "_helper.py").write_text("raise RuntimeError('helpers are not loaded as checks')\n",
                                       encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def registry(checks_dir: Path):  # type: ignore[no-untyped-def]
    return load_registry(checks_dir)


def scan(web: SimWeb, targets: list[Target], checks: list[Check], **options: object) -> ScanReport:
    scan_options = simweb_scan_options(web)
    if options:
        scan_options = replace(scan_options, **options)  # type: ignore[arg-type]
    return asyncio.run(asyncio.wait_for(run_scan(targets, checks, scan_options), timeout=60))


def test_checks_dir_adds_checks_after_the_built_ins(registry, checks_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ids = registry.ids()
    assert "reachability" in ids
    user = ["exploding", "own_timeout", "raises_config", "forgetful", "sleepy", "departments_only", "slow_first_site"]
    assert set(user) <= set(ids)
    assert ids.index("reachability") < min(ids.index(i) for i in user)


def test_directory_checks_loads_user_files_only(checks_dir: Path) -> None:
    from gkaudit.registry import directory_checks

    found = {check.id for check in directory_checks(checks_dir)}
    assert found == {"exploding", "own_timeout", "raises_config", "forgetful", "sleepy", "departments_only", "slow_first_site"}


def test_a_check_that_raises_is_error_and_the_scan_goes_on(web: SimWeb, registry) -> None:  # type: ignore[no-untyped-def]
    checks = registry.select(["exploding", "reachability"])
    report = scan(web, [target_of(web, DUAL), target_of(web, V4ONLY)], checks)
    for site in report.sites:
        exploding, reachability = site.results
        assert exploding.status is Status.ERROR
        assert "RuntimeError" in exploding.summary and "kaboom: 检查自身的缺陷" in exploding.summary
        assert reachability.status is Status.PASS
    assert exit_code(report, "fail") == 1  # an error is not a pass


def test_a_check_raising_timeout_error_itself_is_error_not_a_scan_timeout(web: SimWeb, registry) -> None:  # type: ignore[no-untyped-def]
    report = scan(web, [target_of(web, DUAL)], registry.select(["own_timeout"]))
    result = report.sites[0].results[0]
    assert result.status is Status.ERROR
    assert "TimeoutError" in result.summary


def test_a_check_raising_config_error_while_running_does_not_abort_the_scan(web: SimWeb, registry) -> None:  # type: ignore[no-untyped-def]
    report = scan(web, [target_of(web, DUAL)], registry.select(["raises_config", "reachability"]))
    raised, reachability = report.sites[0].results
    assert raised.status is Status.ERROR and "--nameserver" in raised.summary
    assert reachability.status is Status.PASS


def test_a_check_that_returns_no_result_is_error(web: SimWeb, registry) -> None:  # type: ignore[no-untyped-def]
    report = scan(web, [target_of(web, DUAL)], registry.select(["forgetful", "reachability"]))
    forgetful, reachability = report.sites[0].results
    assert forgetful.status is Status.ERROR and "NoneType" in forgetful.summary
    assert reachability.status is Status.PASS


def test_a_check_over_its_time_limit_is_inconclusive(web: SimWeb, registry) -> None:  # type: ignore[no-untyped-def]
    # The limit is far above what reachability needs even on a loaded machine, far below sleepy's 30 s.
    report = scan(web, [target_of(web, DUAL)], registry.select(["sleepy", "reachability"]), check_timeout=4.0)
    sleepy, reachability = report.sites[0].results
    assert sleepy.status is Status.INCONCLUSIVE and sleepy.metrics["reason"] == "check_timeout"
    assert reachability.status is Status.PASS


def test_checks_are_skipped_for_kinds_they_do_not_apply_to(web: SimWeb, registry) -> None:  # type: ignore[no-untyped-def]
    targets = [target_of(web, DUAL, kind="district"), target_of(web, V4ONLY, kind="department"),
               target_of(web, V6ONLY, kind="portal")]
    report = scan(web, targets, registry.select(["departments_only"]))
    assert [s.results[0].status for s in report.sites] == [Status.SKIPPED, Status.PASS, Status.SKIPPED]
    assert exit_code(report, "warn") == 0


def test_output_order_is_input_order_whatever_finishes_first(web: SimWeb, registry) -> None:  # type: ignore[no-untyped-def]
    slow = {"slow_first_site": {"delay": 0.3}}
    targets = [target_of(web, V6ONLY, settings=slow), target_of(web, DUAL), target_of(web, V4ONLY)]
    checks = registry.select(["slow_first_site", "departments_only", "reachability"])
    report = scan(web, targets, checks)
    assert [s.id for s in report.sites] == [t.id for t in targets]
    for site in report.sites:
        assert [r.check for r in site.results] == ["slow_first_site", "departments_only", "reachability"]
        assert site.results[0].summary == site.id
    assert report.scanner.checks == ["slow_first_site", "departments_only", "reachability"]


def test_waiver_holds_until_expiry_then_the_check_runs(web: SimWeb, registry) -> None:  # type: ignore[no-untyped-def]
    waiver = Waiver(check="exploding", reason="网站改版，2026 年 6 月底完成", expires=date(2026, 6, 30))
    target = target_of(web, DUAL, waivers=[waiver])
    checks = registry.select(["exploding", "reachability"])
    on_expiry = scan(web, [target], checks, now=date(2026, 6, 30)).sites[0]
    assert on_expiry.results[0].status is Status.WAIVED
    assert "2026-06-30" in on_expiry.results[0].summary and "网站改版" in on_expiry.results[0].summary
    assert on_expiry.results[0].waiver is not None and on_expiry.results[0].waiver.expires == date(2026, 6, 30)
    # The check still ran: what it found is kept under the waiver.
    assert on_expiry.results[0].waived_status is Status.ERROR
    assert "kaboom" in on_expiry.results[0].summary
    assert on_expiry.results[1].status is Status.PASS and on_expiry.results[1].waiver is None  # one check only
    after = scan(web, [target], checks, now=date(2026, 7, 1)).sites[0]
    assert after.results[0].status is Status.ERROR and after.results[0].waived_status is None
    assert after.results[0].waiver is not None and after.results[0].waiver.expired  # reported, hides nothing
    assert "豁免已于 2026-06-30 到期" in after.results[0].summary
    assert exit_code(scan(web, [target], checks, now=date(2026, 7, 1)), "fail") == 1


def test_invalid_per_site_settings_stop_the_scan_before_any_traffic(web: SimWeb, registry) -> None:  # type: ignore[no-untyped-def]
    bad = target_of(web, V4ONLY, settings={"reachability": {"slow_ms": "fast"}})
    before = len(web.requests)
    with pytest.raises(ConfigError, match=rf"{bad.id}.*settings\.reachability\.slow_ms"):
        scan(web, [target_of(web, DUAL), bad], registry.select(["reachability"]))
    with pytest.raises(ConfigError, match="unknown_option"):
        scan(web, [target_of(web, DUAL, settings={"reachability": {"unknown_option": 1}})],
             registry.select(["reachability"]))
    assert web.requests[before:] == []


def test_unknown_check_id_is_a_config_error(registry) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="nosuch"):
        registry.select(["reachability", "nosuch"])


def test_scanner_offline_makes_every_result_inconclusive_without_traffic(web: SimWeb, registry) -> None:  # type: ignore[no-untyped-def]
    before = len(web.requests)
    report = scan(web, [target_of(web, DUAL), target_of(web, V4ONLY, kind="department")],
                  registry.select(["reachability", "departments_only"]), control_host="no-such-control.test")
    assert report.scanner.online is False and "no-such-control.test" in (report.scanner.online_reason or "")
    statuses = [[r.status for r in s.results] for s in report.sites]
    assert statuses == [[Status.INCONCLUSIVE, Status.SKIPPED], [Status.INCONCLUSIVE, Status.INCONCLUSIVE]]
    assert exit_code(report, "fail") == 3
    assert web.requests[before:] == []


def test_scan_options_defaults_are_sane() -> None:
    options = ScanOptions(now=date(2026, 1, 1))
    assert options.fetch.allow_private is False
    assert options.fetch.max_redirects > 0 and options.fetch.max_bytes > 0


class _GivesUpEarly(Check):
    """Asks for a hanging page first, then stops waiting for it after a moment."""

    id = "gives_up_early"
    title_zh = "提前放弃"
    title_en = "Gives up early"
    basis = "测试"

    async def run(self, ctx):  # type: ignore[no-untyped-def]
        try:
            await asyncio.wait_for(ctx.fetch(ctx.url + "slow/"), timeout=0.2)
        except TimeoutError:
            return self.result(Status.INCONCLUSIVE, "gave up")
        return self.result(Status.PASS, "answered")


class _WaitsPatiently(Check):
    """Asks for the same page and waits for the fetcher's own verdict."""

    id = "waits_patiently"
    title_zh = "耐心等待"
    title_en = "Waits"
    basis = "测试"

    async def run(self, ctx):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.05)  # the other check's fetch is in flight: this one shares it
        response = await ctx.fetch(ctx.url + "slow/")
        return self.result(Status.FAIL if response.failure else Status.PASS, "waited",
                           metrics={"failure": response.failure.value if response.failure else None})


def test_one_check_giving_up_on_a_shared_fetch_does_not_cancel_the_others(web: SimWeb) -> None:
    target = target_of(web, DUAL)
    report = scan(web, [target], [_GivesUpEarly(), _WaitsPatiently()],
                  fetch=replace(simweb_scan_options(web).fetch, timeout=1.0, retries=0))
    gave_up, waited = report.sites[0].results
    assert gave_up.status is Status.INCONCLUSIVE
    assert waited.status is Status.FAIL and waited.metrics["failure"] == "read_timeout"
