"""The command line: parses options and hands them to gkaudit.scan; no logic of its own.

Exit codes: 0 nothing at or above --fail-on; 1 compliance failures; 2 usage or configuration
error; 3 the scan could not run (the scanner itself is offline).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gkaudit import __version__
from gkaudit.errors import ConfigError, GkauditError
from gkaudit.files import write_atomically
from gkaudit.registry import load_registry
from gkaudit.report.json import render_schema
from gkaudit.report.merge import merge_reports
from gkaudit.runner import exit_code
from gkaudit.scan import build_options, scan_and_report, select_sites, worker_count
from gkaudit.targets import SiteKind, load_targets, target_for_url
from gkaudit.targets_import import import_csv

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="gkaudit：政府网站政务公开合规检查 / audit government websites for disclosure rules.")
stderr = Console(stderr=True)

NameserverOpt = Annotated[str | None, typer.Option("--nameserver", help="DNS server HOST[:PORT] (default: system)")]
AllowPrivateOpt = Annotated[bool, typer.Option("--allow-private", help="Allow loopback/private addresses (test web, intranet)")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Per-request timeout, seconds")]
ConcurrencyOpt = Annotated[int, typer.Option("--concurrency", help="Requests in flight at once (all hosts)")]
CaBundleOpt = Annotated[Path | None, typer.Option("--ca-bundle", help="Extra trusted CA certificates (PEM)")]
NowOpt = Annotated[str | None, typer.Option("--now", help="Date the rules are judged against, YYYY-MM-DD (default: today)")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table | json")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to FILE")]
CheckOpt = Annotated[list[str] | None, typer.Option("--check", "-c", help="Run only this check (repeatable)")]
ChecksDirOpt = Annotated[Path | None, typer.Option("--checks-dir", help="Load extra checks from *.py files in DIR")]
FailOnOpt = Annotated[str, typer.Option("--fail-on", help="Exit 1 when a result is at least: warn | fail")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")]
Ipv6Opt = Annotated[str, typer.Option("--ipv6", help="Scanner IPv6: auto (probe) | on | off")]
Ipv6ControlOpt = Annotated[str, typer.Option("--ipv6-control", help="Dual-stack site fetched to prove the scanner's IPv6")]
ControlHostOpt = Annotated[str, typer.Option("--control-host", help="Name resolved to prove the scanner is online ('' = skip)")]
RenderOpt = Annotated[str, typer.Option("--render", help="Script-built pages in headless Chromium: auto | never | always "
                                                         "(browser: GKAUDIT_CHROMIUM or chromium on PATH)")]
RenderBudgetOpt = Annotated[float, typer.Option("--render-budget", help="Seconds a page may take in the browser")]


@app.command()
def scan(
    targets_file: Annotated[Path, typer.Option("--targets", "-t", help="targets.yaml")] = Path("targets.yaml"),
    site: Annotated[list[str] | None, typer.Option("--site", "-s", help="Only this site id (repeatable)")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Only sites with this tag (repeatable)")] = None,
    check: CheckOpt = None, checks_dir: ChecksDirOpt = None, fail_on: FailOnOpt = "fail",
    output_format: FormatOpt = "table", output: OutputOpt = None, quiet: QuietOpt = False,
    nameserver: NameserverOpt = None, allow_private: AllowPrivateOpt = False, timeout: TimeoutOpt = 10.0,
    concurrency: ConcurrencyOpt = 16, ca_bundle: CaBundleOpt = None, now: NowOpt = None,
    ipv6: Ipv6Opt = "auto", ipv6_control: Ipv6ControlOpt = "https://www.gov.cn/",
    control_host: ControlHostOpt = "www.gov.cn", render: RenderOpt = "auto", render_budget: RenderBudgetOpt = 20.0,
    resume: Annotated[Path | None, typer.Option("--resume", help="Continue an interrupted scan from its "
                                                "stream (<output>.partial.jsonl) or report")] = None,
    shard: Annotated[str | None, typer.Option("--shard", help="Only slice K/N of the sites (stable hash of "
                                              "the id), e.g. 1/3")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Processes sharing the scan (default: "
                                                "the cores; 1 = in this process)")] = None,
) -> None:
    """Audit every site in the targets file (the year-end audit)."""
    options = build_options(nameserver=nameserver, allow_private=allow_private, timeout=timeout,
                            concurrency=concurrency, ca_bundle=ca_bundle, now=now, ipv6=ipv6,
                            ipv6_control=ipv6_control, control_host=control_host, render=render,
                            render_budget=render_budget)
    known_checks = {c.id: c.Settings for c in load_registry(checks_dir)}  # ids and settings validated
    sites = select_sites(load_targets(targets_file, known_checks).sites, site or [], tag or [], shard)
    raise typer.Exit(scan_and_report(sites, options, check_ids=check, checks_dir=checks_dir,
                                     output_format=output_format, output=output, fail_on=fail_on, quiet=quiet,
                                     resume=resume, shard=shard, workers=worker_count(workers, len(sites))))


@app.command("check")
def check_url(
    url: Annotated[str, typer.Argument(help="Site URL, e.g. https://www.njqh.gov.cn/")],
    kind: Annotated[str, typer.Option("--kind", help="portal | district | new_area | department")] = "district",
    name: Annotated[str | None, typer.Option("--name", help="Site name for the report")] = None,
    check: CheckOpt = None, checks_dir: ChecksDirOpt = None, fail_on: FailOnOpt = "fail",
    output_format: FormatOpt = "table", output: OutputOpt = None, quiet: QuietOpt = False,
    nameserver: NameserverOpt = None, allow_private: AllowPrivateOpt = False, timeout: TimeoutOpt = 10.0,
    concurrency: ConcurrencyOpt = 16, ca_bundle: CaBundleOpt = None, now: NowOpt = None,
    ipv6: Ipv6Opt = "auto", ipv6_control: Ipv6ControlOpt = "https://www.gov.cn/",
    control_host: ControlHostOpt = "www.gov.cn", render: RenderOpt = "auto", render_budget: RenderBudgetOpt = 20.0,
) -> None:
    """Audit one site ad hoc, without a targets file."""
    options = build_options(nameserver=nameserver, allow_private=allow_private, timeout=timeout,
                            concurrency=concurrency, ca_bundle=ca_bundle, now=now, ipv6=ipv6,
                            ipv6_control=ipv6_control, control_host=control_host, render=render,
                            render_budget=render_budget)
    try:
        site_kind = SiteKind(kind)
    except ValueError:
        raise ConfigError(f"--kind {kind!r}: 应为 portal、district、new_area 或 department") from None
    try:
        target = target_for_url(url, site_kind, name)
    except ValueError as exc:
        raise ConfigError(f"{url!r}: 不是有效的 http(s) 网址 / not a valid http(s) URL ({exc.__class__.__name__})") \
            from None
    raise typer.Exit(scan_and_report([target], options, check_ids=check, checks_dir=checks_dir,
                                     output_format=output_format, output=output, fail_on=fail_on, quiet=quiet,
                                     resumable=False))


@app.command("checks")
def list_checks(checks_dir: ChecksDirOpt = None) -> None:
    """List the available checks with their titles and basis."""
    for check in load_registry(checks_dir):
        kinds = ",".join(k.value for k in sorted(check.applies_to))
        typer.echo(f"{check.id:<14} {check.title_zh} / {check.title_en}\n{'':<14} 依据: {check.basis}\n"
                   f"{'':<14} 适用: {kinds}")


targets_app = typer.Typer(no_args_is_help=False, rich_markup_mode=None,
                          help="Validate and list the targets file; `targets import` builds one from a CSV.")
app.add_typer(targets_app, name="targets")


@targets_app.callback(invoke_without_command=True)
def list_targets(
    ctx: typer.Context,
    targets_file: Annotated[Path, typer.Option("--targets", "-t", help="targets.yaml")] = Path("targets.yaml"),
    checks_dir: ChecksDirOpt = None,
) -> None:
    """Validate the targets file (check ids and per-check settings included) and list its sites."""
    if ctx.invoked_subcommand is not None:
        return
    loaded = load_targets(targets_file, {c.id: c.Settings for c in load_registry(checks_dir)})
    for site in loaded.sites:
        extra = f" parent={site.parent}" if site.parent else ""
        waivers = f" waivers={len(site.waivers)}" if site.waivers else ""
        typer.echo(f"{site.id:<14} {site.kind.value:<10} {site.url:<40} {site.name}{extra}{waivers}")
    typer.echo(f"{targets_file}: {len(loaded.sites)} 个站点，格式正确 / {len(loaded.sites)} sites, valid")


@targets_app.command("import")
def import_targets(
    csv_file: Annotated[Path, typer.Argument(help="CSV: 网站名称,首页网址,网站标识码,主办单位,网站类型")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write targets.yaml to FILE")] = None,
) -> None:
    """Build targets.yaml from a national site registry export (UTF-8 or GBK CSV)."""
    text = import_csv(csv_file)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_atomically(output, text)
    except OSError as exc:
        raise ConfigError(f"--output {output}: 无法写入 / cannot write: {exc.strerror or exc}") from None
    count = text.count("\n- id: ")
    stderr.print(f"{output}: {count} 个站点 / sites", markup=False, highlight=False)


@app.command("merge")
def merge(
    reports: Annotated[list[Path], typer.Argument(help="JSON reports of slices (--shard K/N) of one scan")],
    output: OutputOpt = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="Exit as `scan` does (1 when a result is "
                                                "at least warn | fail; 3 scanner offline); default: exit 0")] = None,
) -> None:
    """Join slice reports into one JSON report (refuses a site in two inputs)."""
    if output is not None and not output.parent.is_dir():
        raise ConfigError(f"--output {output}: 目录不存在 / no such directory {output.parent}")
    if fail_on not in (None, "warn", "fail"):
        raise ConfigError(f"--fail-on {fail_on!r}: 应为 warn 或 fail / expected warn or fail")
    merged, missing = merge_reports(reports, output, sys.stdout)
    for shard in missing:
        stderr.print(f"gkaudit merge: 注意 / note: 缺少分片 / slice {shard} is missing", style="yellow",
                     highlight=False, markup=False)
    if merged.unfinished:
        stderr.print(f"gkaudit merge: 注意 / note: {len(merged.unfinished)} 个站点未完成 / sites unfinished "
                     "(interrupted slices)", style="yellow", highlight=False, markup=False)
    if output is not None:
        stderr.print(f"{len(reports)} 个报告已合并 / reports merged: {sum(merged.totals.values())} 个结果 / "
                     f"results -> {output}", markup=False, highlight=False)
    raise typer.Exit(exit_code(merged, fail_on) if fail_on else 0)


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the report (--format json)."""
    sys.stdout.write(render_schema())


@app.command()
def demo(
    serve: Annotated[bool, typer.Option("--serve", help="Keep the simulated web running; print how to use it")] = False,
    check: CheckOpt = None, output_format: FormatOpt = "table", output: OutputOpt = None,
    quiet: QuietOpt = False, now: NowOpt = None, fail_on: FailOnOpt = "fail", render: RenderOpt = "auto",
) -> None:
    """Scan the bundled simulated Nanjing web (loopback only) and print the table."""
    from gkaudit.simweb.demo import run_demo, serve_forever

    if serve:
        serve_forever(now)
        return
    code = run_demo(check_ids=check, output_format=output_format, output=output, quiet=quiet, now=now,
                    fail_on=fail_on, render=render)
    # The demo shows failures on purpose: exit 0 unless the demo itself could not run.
    raise typer.Exit(0 if code in (0, 1) else code)


@app.callback(invoke_without_command=True)
def main_callback(
    version: Annotated[bool, typer.Option("--version", help="Show the version")] = False,
) -> None:
    if version:
        typer.echo(f"gkaudit {__version__}")
        raise typer.Exit(0)


def main() -> None:
    """Console-script entry: turn gkaudit errors into one line on stderr and the right exit code."""
    try:
        code = app(standalone_mode=False)  # click returns the Exit code instead of raising here
    except GkauditError as exc:
        for line in str(exc).splitlines() or [""]:  # several problems (a targets file): one line each
            stderr.print(f"gkaudit: 错误 / error: {line}", style="bold red", highlight=False, soft_wrap=True,
                         markup=False)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        stderr.print("gkaudit: 已中断 / interrupted")
        sys.exit(130)
    except Exception as exc:
        # Usage errors of click (vendored by newer typer as typer._click): recognised by their interface.
        if type(exc).__name__ == "NoArgsIsHelpError":
            sys.stdout.write(exc.format_message() + "\n")  # type: ignore[attr-defined]
            sys.exit(2)
        if callable(getattr(exc, "format_message", None)) and isinstance(getattr(exc, "exit_code", None), int):
            stderr.print(f"gkaudit: 用法错误 / usage error: {exc.format_message()}", style="bold red",
                         highlight=False, soft_wrap=True, markup=False)
            sys.exit(2)
        if os.environ.get("GKAUDIT_DEBUG"):
            raise
        # A bug in gkaudit or a check module: one line and exit 3 (the scan could not run), never exit 1,
        # which CI reads as "compliance failures". GKAUDIT_DEBUG=1 shows the traceback.
        stderr.print(f"gkaudit: 内部错误 / internal error: {type(exc).__name__}: {exc} (GKAUDIT_DEBUG=1 显示详情)",
                     style="bold red", highlight=False, soft_wrap=True, markup=False)
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
