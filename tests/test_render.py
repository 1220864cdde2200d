"""Script-built pages read in headless Chromium, every request served by the Fetcher (net/render.py).

The fixture (tests/sites/render/tjj) is the real 南京市统计局 homepage (copied from tests/realpages at
test time) whose 政务公开 block links `./njstjj/?id=xxgk…` shells: each shell's list, and the
column's own navigation, are filled by a same-site external script via XHR from JSON files.
Tests that need the browser skip, saying why, where Chromium or Playwright is absent.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from gkaudit.columns.read import ColumnState, read_column
from gkaudit.model import CheckResult, Severity, Status
from gkaudit.net.browser import (
    INSTALL_HINT,
    PROFILE_PREFIX,
    find_chromium,
    profile_processes,
    unavailable_reason,
)
from gkaudit.net.dns import Resolver, parse_nameserver
from gkaudit.net.http import Fetcher, FetchOptions
from gkaudit.net.render import Rendered, Renderer, RenderFailure, RenderOptions
from gkaudit.simweb.web import SimWeb

from conftest import REALPAGES, SITES, scan_web

TJJ = "tjj.nanjing.gov.cn"
TODAY = date(2026, 9, 1)
NO_BROWSER = unavailable_reason()
needs_browser = pytest.mark.skipif(NO_BROWSER is not None, reason=f"render tests need Chromium: {NO_BROWSER}")


def copy_fixture(root: Path) -> Path:
    """tests/sites/render copied to `root`, with the real tjj homepage as its index.html (byte-exact)."""
    shutil.copytree(SITES / "render", root, dirs_exist_ok=True)
    shutil.copyfile(REALPAGES / "nanjing_tjj_home.html", root / "tjj" / "www" / "index.html")
    return root


@pytest.fixture
def web(tmp_path: Path, make_web) -> SimWeb:  # type: ignore[no-untyped-def]
    return make_web(copy_fixture(tmp_path / "sites"), today=TODAY)


def disclosure(web: SimWeb, mode: str, browsers: int | None = None) -> CheckResult:
    """The tjj disclosure result with `--render mode`; `browsers`: how many browsers the scan must start."""
    tjj = [t for t in web.targets() if t.id == "tjj"]
    report = scan_web(web, tjj, ["disclosure"], now=TODAY, render=RenderOptions(mode=mode))  # type: ignore[arg-type]
    assert report.scanner.render == mode
    if browsers is not None:
        assert report.scanner.browsers_started == browsers
        assert (report.scanner.pages_rendered > 0) == (browsers > 0)
    return report.sites[0].results[0]


def test_never_leaves_the_script_filled_column_inconclusive(web: SimWeb) -> None:
    result = disclosure(web, "never", browsers=0)
    assert result.status is Status.INCONCLUSIVE, result.summary
    assert "script_only" in result.metrics["inconclusive_reasons"]
    assert not [f for f in result.findings if f.severity is Severity.FAIL]  # never "blank" or "missing"
    for key in ("guide", "system", "statutory", "annual_report"):
        assert result.metrics["subcolumns"][key]["state"] == "script_unknown", key
        assert "rendered" not in result.metrics["subcolumns"][key]
    assert not web.requests_for("example.invalid")
    assert not [r for r in web.requests if r.path.endswith(".json")]  # no browser ran: no XHR was made


@needs_browser
def test_always_passes_with_subcolumns_read_from_the_rendered_dom(web: SimWeb) -> None:
    result = disclosure(web, "always", browsers=1)
    assert result.status is Status.PASS, result.summary
    subs = result.metrics["subcolumns"]
    for key, code in (("guide", "xxgkzn"), ("system", "xxgkzd"), ("statutory", "xxgkgknr"), ("annual_report", "xxgknb")):
        entry = subs[key]
        assert entry["url"] == web.url(TJJ, f"/njstjj/?id={code}"), key
        assert entry["found_on"] == "column", key  # the column's menu exists only in the rendered DOM
        assert entry["state"] == "ok" and entry["rendered"] is True and entry["dated_items"] >= 1, key
    assert result.metrics["latest_report_year"] == 2025
    assert result.metrics["request_channel"]["url"] == web.url(TJJ, "/njstjj/xxgkzl/ysqgk/")
    rendered = [f for f in result.findings if f.evidence.data and f.evidence.data.get("rendered")]
    assert rendered and all("Chromium" in (f.evidence.detail or "") for f in rendered)
    assert any(f.message.startswith("专栏页经浏览器渲染读取") for f in rendered)
    # every XHR the scripts made reached the simulated web, through the Fetcher
    paths = {r.path for r in web.requests_for(TJJ)}
    assert {"/njstjj/xxgkzl/data/nav.json", "/njstjj/xxgkzl/data/xxgkzn.json", "/njstjj/js/xxgk-list.js"} <= paths


@needs_browser
def test_auto_renders_only_what_static_reading_cannot_judge(web: SimWeb) -> None:
    result = disclosure(web, "auto", browsers=1)
    assert result.status is Status.PASS, result.summary
    assert all(result.metrics["subcolumns"][k].get("rendered") for k in ("guide", "system", "annual_report"))
    assert "rendered" not in result.metrics["request_channel"]  # a static page: no browser needed


def test_auto_without_a_browser_is_inconclusive_with_the_install_hint(web: SimWeb, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GKAUDIT_CHROMIUM", "/nonexistent/chromium")
    tjj = [t for t in web.targets() if t.id == "tjj"]
    scanner = scan_web(web, tjj, ["disclosure"], now=TODAY).scanner
    assert scanner.render == "auto" and scanner.browsers_started == 0 and scanner.pages_not_rendered >= 4
    assert INSTALL_HINT in (scanner.render_reason or "")
    result = disclosure(web, "auto", browsers=0)
    assert result.status is Status.INCONCLUSIVE, result.summary
    guide = next(f for f in result.findings if f.message.startswith("政府信息公开指南无法判定"))
    assert INSTALL_HINT in guide.message and "未能用浏览器渲染" in guide.message


def renderer_for(web: SimWeb, allow_private: bool = True, **options: object) -> tuple[Fetcher, Renderer]:
    fetcher = Fetcher(Resolver(parse_nameserver(web.nameserver), timeout=2.0),
                      FetchOptions(timeout=5.0, per_host_interval=0.0, allow_private=allow_private))
    return fetcher, Renderer(fetcher, RenderOptions(**options))  # type: ignore[arg-type]


async def render_once(web: SimWeb, url: str, **kwargs: object) -> tuple[Rendered | RenderFailure, Renderer]:
    fetcher, renderer = renderer_for(web, **kwargs)  # type: ignore[arg-type]
    async with fetcher, renderer:
        return await renderer.render(url), renderer


@needs_browser
def test_every_request_of_the_page_is_served_by_the_fetcher(web: SimWeb) -> None:
    result, renderer = asyncio.run(render_once(web, web.url(TJJ, "/probe/")))
    assert isinstance(result, Rendered), result
    assert "由脚本写入的内容" in result.page().visible_text  # fetch() ran and its answer came via the Fetcher
    log = {r.url.split(":", 2)[-1].split("/", 1)[-1]: r for r in result.requests}
    external = next(r for r in result.requests if "example.invalid" in r.url)
    assert external.failure == "dns_nxdomain" and external.status is None  # refused by the resolver: never connected
    assert log["probe/style.css"].failure == "skipped" and log["probe/logo.png"].failure == "skipped"
    served = {r.url for r in result.requests if r.status is not None}
    seen = {web.url(TJJ, r.path) for r in web.requests_for(TJJ)}
    assert served == seen == {web.url(TJJ, p) for p in ("/probe/", "/probe/local.js", "/probe/data.json")}
    assert renderer.launches == 1


@needs_browser
def test_the_private_address_guard_applies_to_the_browser(web: SimWeb) -> None:
    result, renderer = asyncio.run(render_once(web, web.url(TJJ, "/probe/"), allow_private=False))
    assert isinstance(result, RenderFailure) and result.kind == "document"
    assert "private_address" in result.reason
    assert not web.requests and renderer.launches == 0  # nothing connected, no browser started


@needs_browser
def test_an_empty_page_with_a_same_site_script_is_judged_on_its_rendered_dom(web: SimWeb) -> None:
    async def read(path: str):  # type: ignore[no-untyped-def]
        fetcher, renderer = renderer_for(web)
        async with fetcher, renderer:
            static = await read_column(fetcher.fetch, web.url(TJJ, path))
            rendered = await read_column(fetcher.fetch, web.url(TJJ, path), render=renderer)
            return static, rendered, renderer.launches

    static, rendered, launches = asyncio.run(read("/plain/"))
    assert static.state is ColumnState.SCRIPT_UNKNOWN  # static reading alone: an empty list a script fills
    assert rendered.state is ColumnState.OK and rendered.rendered is not None and len(rendered.dated) == 2
    assert rendered.evidence()["data"]["rendered"] is True and launches == 1
    _, empty, _ = asyncio.run(read("/plain/empty.html"))
    assert empty.state is ColumnState.BLANK and "经浏览器渲染后" in empty.reason  # rendered, settled, still empty


@needs_browser
def test_one_browser_per_scan_and_no_process_left(web: SimWeb) -> None:
    async def scan() -> tuple[int, str]:
        fetcher, renderer = renderer_for(web, max_pages=2)
        async with fetcher:
            async with renderer:
                urls = [web.url(TJJ, f"/njstjj/?id={code}") for code in ("xxgkzn", "xxgkzd", "xxgknb", "xxgkgknr")]
                results = await asyncio.gather(*(renderer.render(u) for u in urls))
                assert all(isinstance(r, Rendered) for r in results)
                browser = renderer._browser
                assert browser is not None and profile_processes(browser.profile)
                profile = browser.profile
            return renderer.launches, profile

    launches, profile = asyncio.run(scan())
    assert launches == 1
    assert profile.rsplit("/", 1)[-1].startswith(PROFILE_PREFIX)
    assert profile_processes(profile) == [] and not Path(profile).exists()


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gkaudit.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=60, env={**os.environ, "NO_COLOR": "1", **env}, check=False)


@pytest.mark.parametrize("command", [["check", "http://tjj.nanjing.gov.cn/"], ["demo"]])
def test_always_without_chromium_is_one_line_and_exit_2_before_the_scan(command: list[str]) -> None:
    done = run_cli(*command, "--render", "always", GKAUDIT_CHROMIUM="/nonexistent/chromium")
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--render always" in lines[0] and INSTALL_HINT in lines[0], done.stderr
    assert done.stdout == ""  # no scan ran


def test_a_bad_render_mode_is_a_usage_error() -> None:
    done = run_cli("check", "http://tjj.nanjing.gov.cn/", "--render", "sometimes")
    assert done.returncode == 2 and "--render 'sometimes'" in done.stderr and "Traceback" not in done.stderr


def test_chromium_is_found_from_the_environment_or_path(tmp_path: Path) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert find_chromium({"GKAUDIT_CHROMIUM": str(fake)}) == str(fake)
    assert find_chromium({"GKAUDIT_CHROMIUM": str(tmp_path / "missing"), "PATH": str(tmp_path)}) is None
    assert find_chromium({"PATH": str(tmp_path)}) == str(fake)
    assert find_chromium({"PATH": str(tmp_path / "empty")}) is None
    # Without Playwright that is the reason given first; with it, the unusable GKAUDIT_CHROMIUM is named.
    named = "GKAUDIT_CHROMIUM" if importlib.util.find_spec("playwright") is not None else "Playwright"
    assert named in (unavailable_reason({"GKAUDIT_CHROMIUM": str(tmp_path / "missing")}) or "")


@pytest.mark.parametrize("mode", ["never", pytest.param("auto", marks=needs_browser)])
def test_a_footer_loaded_by_ajax_is_read_from_the_rendered_homepage(web: SimWeb, mode: str) -> None:
    target = next(t for t in web.targets() if t.id == "yejiao")
    report = scan_web(web, [target], ["management"], now=TODAY, render=RenderOptions(mode=mode))  # type: ignore[arg-type]
    result = report.sites[0].results[0]
    ids = result.metrics["identifiers"]
    if mode == "never":
        assert result.status is Status.INCONCLUSIVE and ids["sitecode"] is None, result.summary
        return
    assert result.status is Status.PASS, result.summary
    assert ids["sitecode"] == "3201990002" and ids["icp"] and ids["police"] and ids["conac"] and ids["jiucuo"]
    assert "Chromium" in result.metrics["identifier_sources"]["sitecode"]


@needs_browser
def test_a_page_whose_network_never_goes_quiet_is_never_called_blank(make_web) -> None:  # type: ignore[no-untyped-def]
    slow = make_web(SITES / "render_slow", today=TODAY)

    async def read():  # type: ignore[no-untyped-def]
        fetcher, renderer = renderer_for(slow, page_budget_s=2.0)
        async with fetcher, renderer:
            return await read_column(fetcher.fetch, slow.url("www.manxuanran.gov.cn", "/tzgg/"), render=renderer)

    read_ = asyncio.run(read())
    assert read_.state is ColumnState.SCRIPT_UNKNOWN, read_.reason  # the list request still hangs: undecided
    assert "渲染时限内网络未静止" in read_.reason and read_.rendered is not None
    assert read_.rendered.settled is False and read_.evidence()["data"]["settled"] is False


def test_leftover_browser_processes_are_killed_by_profile(tmp_path: Path) -> None:
    """A process named after the profile (as an orphaned Chromium would be) is killed; gkaudit's own group is not."""
    from gkaudit.net.browser import kill_profile

    profile = str(tmp_path / f"{PROFILE_PREFIX}test")
    stray = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", f"--user-data-dir={profile}"],
                             start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while not profile_processes(profile) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert profile_processes(profile) == [stray.pid]
        assert kill_profile(profile) == 1
        assert stray.wait(10) == -9 and profile_processes(profile) == []
    finally:
        stray.kill()


@pytest.mark.parametrize("mode", ["never", pytest.param("auto", marks=needs_browser)])
def test_the_annual_report_check_reads_the_script_built_report_list_in_the_browser(web: SimWeb, mode: str) -> None:
    tjj = [t for t in web.targets() if t.id == "tjj"]
    report = scan_web(web, tjj, ["annual_report"], now=TODAY, render=RenderOptions(mode=mode))  # type: ignore[arg-type]
    result = report.sites[0].results[0]
    if mode == "never":
        assert result.metrics["reason"] == "report_column_script_unknown", result.summary
        return
    assert result.metrics["report_years"] == [2025, 2024], result.summary  # the list exists only once rendered
    assert result.metrics["reason"] == "unreachable"  # this fixture has no report page behind the list entry
