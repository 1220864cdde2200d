"""One scan from options to a written report: shared by the CLI, the demo and the benchmark.

`build_options` validates the common options into ScanOptions; `scan_and_report` runs the scan,
renders it, writes it and returns the exit code. Neither prints anything but the report and one
line per problem.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gkaudit.errors import ConfigError
from gkaudit.model import ScanReport
from gkaudit.net.dns import parse_nameserver
from gkaudit.net.http import FetchOptions
from gkaudit.registry import load_registry
from gkaudit.report.json import render_json
from gkaudit.report.table import render_table
from gkaudit.runner import ScanOptions, exit_code, run_scan
from gkaudit.targets import Target

stderr = Console(stderr=True)


def build_options(*, nameserver: str | None, allow_private: bool, timeout: float, concurrency: int,
                  ca_bundle: Path | None, now: str | None, ipv6: str, ipv6_control: str,
                  control_host: str) -> ScanOptions:
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
    fetch = FetchOptions(timeout=timeout, concurrency=concurrency, allow_private=allow_private,
                         ca_bundle=str(ca_bundle) if ca_bundle else None)
    return ScanOptions(now=day, fetch=fetch, nameserver=parse_nameserver(nameserver) if nameserver else None,
                       dns_timeout=min(timeout, 5.0), ipv6=ipv6, ipv6_control=ipv6_control,
                       control_host=control_host or None, site_concurrency=2 * concurrency)


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
                    quiet: bool) -> int:
    """Run the scan, write the report, return the exit code."""
    if output_format not in ("table", "json"):
        raise ConfigError(f"--format {output_format!r}: 应为 table 或 json / expected table or json")
    if fail_on not in ("warn", "fail"):
        raise ConfigError(f"--fail-on {fail_on!r}: 应为 warn 或 fail / expected warn or fail")
    if output is not None and not output.parent.is_dir():  # say so before a long scan, not after it
        raise ConfigError(f"--output {output}: 目录不存在 / no such directory {output.parent}")
    checks = load_registry(checks_dir).select(check_ids or [])
    report = _run_with_progress(targets, checks, options, quiet)
    text = render_json(report) if output_format == "json" else render_table(report, color=_color(output))
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"--output {output}: 无法写入 / cannot write: {exc.strerror or exc}") from None
        if not quiet:
            stderr.print(f"报告已写入 / report written to {output}", markup=False, highlight=False)
    else:
        sys.stdout.write(text)
    code = exit_code(report, fail_on)
    if code == 3:
        stderr.print(f"gkaudit: 扫描无法进行 / scan could not run: {report.scanner.online_reason}",
                     style="bold red", highlight=False, soft_wrap=True, markup=False)
    return code


def _color(output: Path | None) -> bool:
    return output is None and sys.stdout.isatty()


def _run_with_progress(targets: list[Target], checks: list, options: ScanOptions, quiet: bool) -> ScanReport:
    if quiet or not sys.stderr.isatty():
        return asyncio.run(run_scan(targets, checks, options))
    columns = (TextColumn("扫描 scanning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task("scan", total=len(targets))
        return asyncio.run(run_scan(targets, checks, options,
                                    on_result=lambda *_: progress.advance(task)))


def select_sites(sites: list[Target], site_ids: list[str], tags: list[str]) -> list[Target]:
    known = {s.id for s in sites}
    for site_id in site_ids:
        if site_id not in known:
            raise ConfigError(f"--site {site_id!r}: targets 中没有这个站点 / no such site id")
    chosen = [s for s in sites if (not site_ids or s.id in site_ids) and (not tags or set(tags) & set(s.tags))]
    if not chosen:
        raise ConfigError("没有符合 --site/--tag 的站点 / no site matches --site/--tag")
    return chosen
