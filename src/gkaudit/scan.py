"""One scan from options to a written report: shared by the CLI, the demo and the benchmark.

`build_options` validates the common options into ScanOptions; `scan_and_report` runs the scan,
renders it, writes it and returns the exit code. Neither prints anything but the report and one
line per problem.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gkaudit import __version__
from gkaudit.check import Check
from gkaudit.errors import ConfigError
from gkaudit.files import atomic_writer, write_atomically
from gkaudit.interrupt import run_stoppable, signal_exit_code, signal_name, signals_held
from gkaudit.model import ScanReport, SiteReport, ToolInfo
from gkaudit.net.browser import find_chromium, unavailable_reason
from gkaudit.net.dns import parse_nameserver
from gkaudit.net.http import FetchOptions
from gkaudit.net.render import RENDER_MODES, RenderOptions
from gkaudit.registry import load_registry
from gkaudit.report.json import write_json
from gkaudit.report.table import render_table
from gkaudit.resume import carried_over, check_compatible, open_resume
from gkaudit.runner import ScanOptions, ScanRun, exit_code, run_sites, validate_settings
from gkaudit.shard import parse_shard, select_shard
from gkaudit.stream import StreamIndex, StreamSink, index_stream
from gkaudit.targets import Target

stderr = Console(stderr=True)


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
                       control_host=control_host or None, site_concurrency=8 * concurrency,
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
                    checks_dir: Path | None, output_format: str, output: Path | None, fail_on: str,
                    quiet: bool, resume: Path | None = None, shard: str | None = None, workers: int = 1,
                    resumable: bool = True) -> int:
    """Run the scan (streamed to disk as sites finish), write the report, return the exit code.

    `--output` is removed before the first request and written atomically at the end, so after a
    crash there is no report rather than yesterday's; an interrupted scan (SIGINT/SIGTERM) still
    writes one, with `interrupted` and `unfinished`, and keeps its stream for `--resume` (when the
    command has one: `resumable`).
    """
    if output_format not in ("table", "json"):
        raise ConfigError(f"--format {output_format!r}: 应为 table 或 json / expected table or json")
    if fail_on not in ("warn", "fail"):
        raise ConfigError(f"--fail-on {fail_on!r}: 应为 warn 或 fail / expected warn or fail")
    if output is not None and not output.parent.is_dir():  # say so before a long scan, not after it
        raise ConfigError(f"--output {output}: 目录不存在 / no such directory {output.parent}")
    checks = load_registry(checks_dir).select(check_ids or [])
    validate_settings(targets, checks)
    stream_path = _stream_path(output)
    resumed = _resumed(resume, [c.id for c in checks], options)
    keep = carried_over(resumed, targets) if resumed else []
    remaining = [t for t in targets if t.id not in set(keep)]
    if output is not None:
        _remove(output, "--output")  # from here on, no stale report can pass for this scan's
    sink = StreamSink(stream_path, ToolInfo(version=__version__), shard, resumed, keep)
    try:
        run, signum = _run(remaining, checks, checks_dir, options, sink, workers, quiet)
    except BaseException:
        if output is None:  # a temp stream nobody was told about
            stream_path.unlink(missing_ok=True)
        raise
    with signals_held():
        sink.end(run.finished_at, run.interrupted, run.unfinished)
        index = index_stream(stream_path)
        report = ScanReport(tool=ToolInfo(version=__version__), started_at=index.header.started_at,
                            finished_at=run.finished_at, scanner=run.scanner, totals=index.totals,
                            interrupted=run.interrupted, unfinished=run.unfinished, shard=shard)
        order = [t.id for t in targets if t.id in index.offsets]
        _write_report(report, index.sites(order), output_format, output)
    if resumed is not None and resumed.path not in (resume, stream_path):
        _remove(resumed.path, "--resume")  # the report converted to a stream
    if not resumable:
        stream_path.unlink(missing_ok=True)
    return _finish(report, stream_path if resumable else None, output, fail_on, quiet, signum, len(order))


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


def _run(targets: list[Target], checks: list[Check], checks_dir: Path | None, options: ScanOptions,
         sink: StreamSink, workers: int, quiet: bool) -> tuple[ScanRun, int | None]:
    """The scan itself, in this process or in `workers` processes; (how it ended, the signal that stopped it)."""
    with _progress(len(targets), quiet) as advance:
        if workers > 1 and len(targets) > 1:
            from gkaudit.workers import run_workers  # multiprocessing is imported only when used

            return run_workers(targets, [c.id for c in checks], checks_dir, options, sink, workers, advance)
        on_result = (lambda *_: advance()) if advance else None
        return run_stoppable(lambda stop: run_sites(targets, checks, options, sink, on_result, stop))


@contextlib.contextmanager
def _progress(total: int, quiet: bool) -> Iterator[Callable[[], None] | None]:
    """A progress bar on stderr when it is a terminal: yields `advance` (one site done), else None."""
    if quiet or not sys.stderr.isatty() or not total:
        yield None
        return
    columns = (TextColumn("扫描 scanning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task("scan", total=total)
        yield lambda: progress.advance(task)


def _write_report(report: ScanReport, sites: Iterator[SiteReport], output_format: str,
                  output: Path | None) -> None:
    """JSON is streamed site by site; the table needs every row, so it alone holds them all."""
    try:
        if output_format == "json":
            if output is None:
                write_json(report, sites, sys.stdout)
            else:
                with atomic_writer(output) as out:
                    write_json(report, sites, out)
            return
        text = render_table(report.model_copy(update={"sites": list(sites)}), color=_color(output))
        if output is None:
            sys.stdout.write(text)
        else:
            write_atomically(output, text)
    except OSError as exc:
        raise ConfigError(f"--output {output}: 无法写入 / cannot write: {exc.strerror or exc}") from None


def _finish(report: ScanReport, stream_path: Path | None, output: Path | None, fail_on: str, quiet: bool,
            signum: int | None, finished: int) -> int:
    """Messages on stderr and the exit code; the stream is kept only when it can still be resumed."""
    if output is not None and not quiet:
        stderr.print(f"报告已写入 / report written to {output}", markup=False, highlight=False)
    if report.interrupted:
        stderr.print(f"gkaudit: 扫描被 {signal_name(signum) if signum else '中止'} 中断 / scan interrupted: "
                     f"{finished} 个站点完成，{len(report.unfinished)} 个未完成 / unfinished"
                     + (f"；继续 / resume: --resume {stream_path}" if stream_path else ""),
                     style="bold yellow", highlight=False, soft_wrap=True, markup=False)
        return signal_exit_code(signum) if signum else 3
    if stream_path is not None:
        stream_path.unlink(missing_ok=True)
    code = exit_code(report, fail_on)
    if report.scanner.pages_not_rendered and not quiet:
        stderr.print(f"gkaudit: {report.scanner.pages_not_rendered} 个页面需浏览器渲染而未能渲染，结果为无法判定 / "
                     f"pages left inconclusive without a browser: {report.scanner.render_reason}",
                     highlight=False, soft_wrap=True, markup=False)
    if code == 3:
        stderr.print(f"gkaudit: 扫描无法进行 / scan could not run: {report.scanner.online_reason}",
                     style="bold red", highlight=False, soft_wrap=True, markup=False)
    return code


def _color(output: Path | None) -> bool:
    return output is None and sys.stdout.isatty()


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
