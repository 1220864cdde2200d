"""One scan from options to a written report: shared by the CLI, the demo and the benchmark.

`build_options` validates the common options into ScanOptions; `scan_and_report` runs the scan,
renders it, writes it and returns the exit code. Neither prints anything but the report and one
line per problem.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import ssl
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gkaudit import __version__
from gkaudit.check import Check
from gkaudit.errors import ConfigError
from gkaudit.interrupt import run_stoppable, signal_exit_code, signal_name, signals_held
from gkaudit.model import ScanReport, SiteReport, ToolInfo
from gkaudit.net.browser import find_chromium, unavailable_reason
from gkaudit.net.dns import parse_nameserver
from gkaudit.net.http import FetchOptions
from gkaudit.net.render import RENDER_MODES, RenderOptions
from gkaudit.order import start_slices
from gkaudit.registry import load_registry
from gkaudit.report.diff import diff_reports, render_diff, render_diff_text
from gkaudit.report.formats import OutputSpec, pair_outputs
from gkaudit.report.load import load_history
from gkaudit.report.outline import load_outline
from gkaudit.report.outputs import write_reports
from gkaudit.resume import carried_over, check_compatible, open_resume
from gkaudit.runner import (
    SITES_PER_REQUEST_SLOT,
    ScanOptions,
    ScanRun,
    exit_code,
    run_sites,
    validate_settings,
)
from gkaudit.shard import parse_shard, select_shard
from gkaudit.stream import StreamIndex, StreamSink, index_stream
from gkaudit.targets import Target


def stderr_console(no_color: bool = False) -> Console:
    """The console for messages on stderr: no escape codes at all with --no-color or NO_COLOR."""
    plain = no_color or bool(os.environ.get("NO_COLOR"))
    return Console(stderr=True, color_system=None if plain else "auto")


FAIL_ON_CHOICES = ("warn", "fail", "regression")
DIFF_FORMATS = ("table", "markdown", "json")


def build_options(*, nameserver: str | None, allow_private: bool, timeout: float, concurrency: int,
                  ca_bundle: Path | None, now: str | None, ipv6: str, ipv6_control: str,
                  control_host: str, render: str = "auto", render_budget: float = 20.0) -> ScanOptions:
    """Validate the common options; ConfigError (exit 2) names the bad one."""
    if timeout <= 0:
        raise ConfigError(f"--timeout {timeout}: 必须大于 0 / must be positive")
    if concurrency < 1:
        raise ConfigError(f"--concurrency {concurrency}: 至少为 1 / must be at least 1")
    if ca_bundle is not None:
        _check_ca_bundle(ca_bundle)
    if ipv6 not in ("auto", "on", "off"):
        raise ConfigError(f"--ipv6 {ipv6!r}: 应为 auto、on 或 off / expected auto, on or off")
    try:
        day = date.fromisoformat(now) if now else date.today()
    except ValueError:
        raise ConfigError(f"--now {now!r}: 日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD") from None
    render_options = build_render_options(render, render_budget)
    fetch = FetchOptions(timeout=timeout, concurrency=concurrency, allow_private=allow_private,
                         ca_bundle=str(ca_bundle) if ca_bundle else None)
    return ScanOptions(now=day, fetch=fetch, nameserver=parse_nameserver(nameserver) if nameserver else None,
                       dns_timeout=min(timeout, 5.0), ipv6=ipv6, ipv6_control=ipv6_control,
                       control_host=control_host or None, site_concurrency=SITES_PER_REQUEST_SLOT * concurrency,
                       render=render_options)


def build_render_options(mode: str, budget: float = 20.0) -> RenderOptions:
    """`--render auto|never|always` (with GKAUDIT_CHROMIUM); `always` without a browser is a usage error."""
    if mode not in RENDER_MODES:
        raise ConfigError(f"--render {mode!r}: 应为 auto、never 或 always / expected auto, never or always")
    if budget <= 0:
        raise ConfigError(f"--render-budget {budget}: 必须大于 0 / must be positive")
    if mode == "never":
        return RenderOptions(mode="never")
    if mode == "always" and (why := unavailable_reason(os.environ)) is not None:
        raise ConfigError(f"--render always: {why}")
    return RenderOptions(mode=mode, chromium=find_chromium(os.environ), page_budget_s=budget)  # type: ignore[arg-type]


def _check_ca_bundle(path: Path) -> None:
    """ConfigError unless `path` is a readable PEM file with at least one CA certificate."""
    if not path.is_file():
        raise ConfigError(f"--ca-bundle {path}: 文件不存在 / no such file")
    try:
        ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise ConfigError(f"--ca-bundle {path}: 不是 PEM 格式的 CA 证书 / not a PEM CA bundle ({exc})") from None


def scan_and_report(targets: list[Target], options: ScanOptions, *, check_ids: list[str] | None,
                    checks_dir: Path | None, output_format: str | list[str], output: Path | list[Path] | None,
                    fail_on: str, quiet: bool, resume: Path | None = None, shard: str | None = None,
                    workers: int = 1, resumable: bool = True, baseline: Path | None = None,
                    history: list[Path] | None = None, no_color: bool = False) -> int:
    """Run the scan (streamed to disk as sites finish), write every requested report, return the exit code.

    `output_format`/`output` pair up as `pair_outputs` says. Every `--output` is removed before the
    first request and written atomically at the end, so after a crash there is no report rather than
    yesterday's; an interrupted scan (SIGINT/SIGTERM) still writes them, with `interrupted` and
    `unfinished`, and keeps its stream for `--resume` (when the command has one: `resumable`).
    `baseline` is an earlier JSON report to compare with (the comparison goes to stderr, markdown and
    HTML; `fail_on="regression"` makes only regressions exit 1); `history` are earlier reports (files or
    folders) for the HTML trend chart. Every input is checked before the scan starts.
    """
    err = stderr_console(no_color)
    formats = [output_format] if isinstance(output_format, str) else list(output_format)
    outputs = [] if output is None else [output] if isinstance(output, Path) else list(output)
    specs = pair_outputs(formats, outputs)
    if fail_on not in FAIL_ON_CHOICES:
        raise ConfigError(f"--fail-on {fail_on!r}: 应为 {' | '.join(FAIL_ON_CHOICES)} / expected one of them")
    if fail_on == "regression" and baseline is None:
        raise ConfigError("--fail-on regression 需要 --baseline OLD.json / needs --baseline")
    old = load_outline(baseline, "--baseline") if baseline is not None else None
    earlier, problems = load_history(history or [], skip={s.path for s in specs if s.path is not None})
    for problem in problems:
        err.print(f"gkaudit: 跳过 / skipped {problem}", markup=False, highlight=False, soft_wrap=True)
    checks = load_registry(checks_dir).select(check_ids or [])
    validate_settings(targets, checks)
    anchor = _stream_anchor(specs)
    stream_path = _stream_path(anchor)
    resumed = _resumed(resume, [c.id for c in checks], options)
    keep = carried_over(resumed, targets) if resumed else []
    remaining = [t for t in targets if t.id not in set(keep)]
    slices = start_slices(remaining, old.site_seconds() if old is not None else {}, workers)
    for spec in specs:
        if spec.path is not None:
            _remove(spec.path, "--output")  # from here on, no stale report can pass for this scan's
    sink = StreamSink(stream_path, ToolInfo(version=__version__), shard, resumed, keep)
    try:
        run, signum = _run(slices, checks, checks_dir, options, sink, quiet, err)
    except BaseException:
        if anchor is None:  # a temp stream nobody was told about
            stream_path.unlink(missing_ok=True)
        raise
    position = {target.id: index for index, target in enumerate(targets)}
    run.unfinished.sort(key=lambda site_id: position.get(site_id, len(position)))  # targets order, as the report
    with signals_held():
        sink.end(run.finished_at, run.interrupted, run.unfinished)
        index = index_stream(stream_path)
        report = ScanReport(tool=ToolInfo(version=__version__), started_at=index.header.started_at,
                            finished_at=run.finished_at, scanner=run.scanner, totals=index.totals,
                            interrupted=run.interrupted, unfinished=run.unfinished, shard=shard)
        order = [t.id for t in targets if t.id in index.offsets]
        diff = write_reports(report, lambda: index.sites(order), specs, baseline=old, history=earlier,
                             color=use_color(no_color), width=terminal_width())
        hint = private_address_hint(index.sites(order), options)
    if resumed is not None and resumed.path not in (resume, stream_path):
        _remove(resumed.path, "--resume")  # the report converted to a stream
    if not resumable:
        stream_path.unlink(missing_ok=True)
    if diff is not None:
        err.print(render_diff_text(diff), markup=False, highlight=False, soft_wrap=True, end="")
    if hint:
        err.print(hint, markup=False, highlight=False, soft_wrap=True)
    code = _finish(report, stream_path if resumable else None, specs, "fail" if fail_on == "regression" else fail_on,
                   quiet, signum, len(order), err)
    if fail_on == "regression" and code in (0, 1):
        return 1 if diff is not None and diff.worse else 0
    return code


def compare_reports(old_path: Path, new_path: Path, output_format: str) -> tuple[str, int]:
    """`gkaudit diff`: the comparison as text and the exit code (1 when something got worse)."""
    if output_format not in DIFF_FORMATS:
        raise ConfigError(f"--format {output_format!r}: 应为 table、markdown 或 json / expected table, markdown or json")
    diff = diff_reports(load_outline(old_path), load_outline(new_path))
    return render_diff(diff, output_format), 1 if diff.worse else 0


def _stream_anchor(specs: list[OutputSpec]) -> Path | None:
    """The report file the stream lives beside: the JSON one, else the first file, else none (stdout)."""
    files = [s for s in specs if s.path is not None]
    chosen = next((s for s in files if s.format == "json"), files[0] if files else None)
    return chosen.path if chosen is not None else None


def _stream_path(output: Path | None) -> Path:
    """Beside the report (`<output>.partial.jsonl`), or a temp file when the report goes to stdout."""
    if output is not None:
        return output.with_name(output.name + ".partial.jsonl")
    fd, name = tempfile.mkstemp(prefix="gkaudit-", suffix=".partial.jsonl")
    os.close(fd)
    return Path(name)


def _resumed(resume: Path | None, check_ids: list[str], options: ScanOptions) -> StreamIndex | None:
    if resume is None:
        return None
    index = open_resume(resume)
    check_compatible(index, check_ids, options.now, resume)
    return index


def _remove(path: Path, option: str) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise ConfigError(f"{option} {path}: 无法删除旧文件 / cannot remove the old file: {exc.strerror}") from None


def _run(slices: list[list[Target]], checks: list[Check], checks_dir: Path | None, options: ScanOptions,
         sink: StreamSink, quiet: bool, err: Console) -> tuple[ScanRun, int | None]:
    """The scan itself: each slice (order.py) in a process of its own, the first in this one; (how it
    ended, the signal that stopped it)."""
    targets = [target for part in slices for target in part]
    with _progress(len(targets), quiet, err) as advance:
        if len(slices) > 1:
            from gkaudit.workers import run_workers  # imported only when used

            return run_workers(slices, checks, checks_dir, options, sink, advance)
        on_result = (lambda *_: advance()) if advance else None
        return run_stoppable(lambda stop: run_sites(targets, checks, options, sink, on_result, stop))


@contextlib.contextmanager
def _progress(total: int, quiet: bool, err: Console) -> Iterator[Callable[[], None] | None]:
    """A progress bar on stderr when it is a terminal: yields `advance` (one site done), else None."""
    if quiet or not sys.stderr.isatty() or not total:
        yield None
        return
    columns = (TextColumn("扫描 scanning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("scan", total=total)
        yield lambda: progress.advance(task)


def _finish(report: ScanReport, stream_path: Path | None, specs: list[OutputSpec], fail_on: str, quiet: bool,
            signum: int | None, finished: int, err: Console) -> int:
    """Messages on stderr and the exit code; the stream is kept only when it can still be resumed."""
    for spec in specs:
        if spec.path is not None and not quiet:
            err.print(f"{spec.format} 报告已写入 / report written to {spec.path}", markup=False, highlight=False)
    if report.interrupted:
        err.print(f"gkaudit: 扫描被 {signal_name(signum) if signum else '中止'} 中断 / scan interrupted: "
                  f"{finished} 个站点完成，{len(report.unfinished)} 个未完成 / unfinished"
                  + (f"；继续 / resume: --resume {stream_path}" if stream_path else ""),
                  style="bold yellow", highlight=False, soft_wrap=True, markup=False)
        return signal_exit_code(signum) if signum else 3
    if stream_path is not None:
        stream_path.unlink(missing_ok=True)
    code = exit_code(report, fail_on)
    if report.scanner.pages_not_rendered and not quiet:
        err.print(f"gkaudit: {report.scanner.pages_not_rendered} 个页面需浏览器渲染而未能渲染，结果为无法判定 / "
                  f"pages left inconclusive without a browser: {report.scanner.render_reason}",
                  highlight=False, soft_wrap=True, markup=False)
    if code == 3:
        err.print(f"gkaudit: 扫描无法进行 / scan could not run: {report.scanner.online_reason}",
                  style="bold red", highlight=False, soft_wrap=True, markup=False)
    return code


def use_color(no_color: bool = False) -> bool:
    """Colour only on a terminal, never with --no-color or a non-empty NO_COLOR (no-color.org)."""
    return not no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def terminal_width() -> int:
    """COLUMNS, else the terminal's width, else 120."""
    return shutil.get_terminal_size((120, 24)).columns


def private_address_hint(sites: Iterable[SiteReport], options: ScanOptions) -> str | None:
    """A hint to pass --allow-private when some site failed only because it resolves to a private address."""
    if options.fetch.allow_private:
        return None
    for site in sites:
        failures = {f.evidence.failure for r in site.results for f in r.findings if f.evidence.failure}
        if failures == {"private_address"}:
            return (f"提示 / hint：{site.id} 解析到内网或本机地址，gkaudit 默认拒绝连接；若这是内网站点或测试环境，"
                    "请加 --allow-private / it resolves to a private address: add --allow-private for an intranet")
    return None


def select_sites(sites: list[Target], site_ids: list[str], tags: list[str],
                 shard: str | None = None) -> list[Target]:
    """The sites chosen by --site/--tag, then the slice --shard K/N of them (which may be empty)."""
    known = {s.id for s in sites}
    for site_id in site_ids:
        if site_id not in known:
            raise ConfigError(f"--site {site_id!r}: targets 中没有这个站点 / no such site id")
    chosen = [s for s in sites if (not site_ids or s.id in site_ids) and (not tags or set(tags) & set(s.tags))]
    if not chosen:
        raise ConfigError("没有符合 --site/--tag 的站点 / no site matches --site/--tag")
    if shard is not None:
        chosen = select_shard(chosen, *parse_shard(shard))
    return chosen


MIN_SITES_PER_WORKER = 4  # with the default --workers, a smaller scan stays in one process


def worker_count(requested: int | None, sites: int) -> int:
    """--workers N as given (N >= 1), or by default the usable cores, one per MIN_SITES_PER_WORKER sites."""
    if requested is not None:
        if requested < 1:
            raise ConfigError(f"--workers {requested}: 至少为 1 / must be at least 1")
        return requested
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, sites // MIN_SITES_PER_WORKER))
