"""The command line: parses options and hands them to gkaudit.scan; no logic of its own.

Exit codes: 0 nothing at or above --fail-on; 1 compliance failures (or regressions); 2 usage or
configuration error; 3 the scan could not run (the scanner itself is offline); 130/143 interrupted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from gkaudit import __version__
from gkaudit.cli_help import APP_HELP, CHECK_EPILOG, DIFF_EPILOG, EXIT_CODES, SCAN_EPILOG
from gkaudit.errors import ConfigError, GkauditError
from gkaudit.files import write_atomically
from gkaudit.registry import load_registry
from gkaudit.report.formats import FORMAT_CHOICES
from gkaudit.report.json import render_schema
from gkaudit.report.merge import merge_reports
from gkaudit.rules import rules_text
from gkaudit.runner import exit_code
from gkaudit.scan import (
    build_options,
    compare_reports,
    scan_and_report,
    select_sites,
    stderr_console,
    worker_count,
)
from gkaudit.targets import SiteKind, load_targets, target_for_url, with_scheme
from gkaudit.targets_import import import_csv

app = typer.Typer(add_completion=True, no_args_is_help=True, rich_markup_mode=None, help=APP_HELP,
                  epilog=EXIT_CODES)
stderr = stderr_console()


def _env(name: str) -> str:
    return f"GKAUDIT_{name}"


RenderOpt = Annotated[str, typer.Option("--render", envvar=_env("RENDER"), metavar="auto|never|always",
                                        help="脚本生成的页面用无头 Chromium 读取 / script-built pages in headless "
                                             "Chromium: auto | never | always (browser: GKAUDIT_CHROMIUM or "
                                             "chromium on PATH)")]
RenderBudgetOpt = Annotated[float, typer.Option("--render-budget", help="每页在浏览器中的时限（秒）/ seconds a "
                                                "page may take in the browser")]


NameserverOpt = Annotated[str | None, typer.Option("--nameserver", envvar=_env("NAMESERVER"),
                                                   help="DNS 服务器 / DNS server HOST[:PORT] (default: system)")]
AllowPrivateOpt = Annotated[bool, typer.Option("--allow-private", envvar=_env("ALLOW_PRIVATE"),
                                               help="允许内网/本机地址 / allow loopback and private addresses "
                                                    "(test web, intranet)")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", envvar=_env("TIMEOUT"), help="每个请求的超时秒数 / "
                                           "per-request timeout, seconds")]
ConcurrencyOpt = Annotated[int, typer.Option("--concurrency", envvar=_env("CONCURRENCY"),
                                             help="同时进行的请求数 / requests in flight at once (all hosts)")]
CaBundleOpt = Annotated[Path | None, typer.Option("--ca-bundle", envvar=_env("CA_BUNDLE"),
                                                  help="额外信任的 CA 证书 / extra trusted CA certificates (PEM)")]
NowOpt = Annotated[str | None, typer.Option("--now", envvar=_env("NOW"), help="判定日期 / date the rules are "
                                            "judged against, YYYY-MM-DD (default: today)")]
FormatOpt = Annotated[list[str] | None, typer.Option("--format", "-f", metavar="FORMAT",
                                                     help=f"{FORMAT_CHOICES} (repeatable; default table)")]
OutputOpt = Annotated[list[Path] | None, typer.Option("--output", "-o", metavar="FILE",
                                                      help="写入文件，与 --format 依次配对 / write the report to "
                                                           "FILE, paired in order with --format (repeatable)")]
CheckOpt = Annotated[list[str] | None, typer.Option("--check", "-c", help="只运行此检查 / run only this check "
                                                    "(repeatable; see gkaudit checks)")]
ChecksDirOpt = Annotated[Path | None, typer.Option("--checks-dir", envvar=_env("CHECKS_DIR"),
                                                   help="从目录加载更多检查 / load extra checks from DIR")]
FailOnOpt = Annotated[str, typer.Option("--fail-on", envvar=_env("FAIL_ON"), metavar="warn|fail|regression",
                                        help="退出码 1 的条件 / exit 1 when a result is at least warn | fail, "
                                             "or (regression, with --baseline) when something got worse")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度 / no progress bar")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="不输出颜色 / no colours (also NO_COLOR=1)")]
Ipv6Opt = Annotated[str, typer.Option("--ipv6", envvar=_env("IPV6"), metavar="auto|on|off",
                                      help="扫描机 IPv6 / scanner IPv6: auto (probe) | on | off")]
Ipv6ControlOpt = Annotated[str, typer.Option("--ipv6-control", envvar=_env("IPV6_CONTROL"),
                                             help="证明扫描机 IPv6 的双栈站点 / dual-stack site fetched to prove "
                                                  "the scanner's IPv6")]
ControlHostOpt = Annotated[str, typer.Option("--control-host", envvar=_env("CONTROL_HOST"),
                                             help="证明扫描机联网的域名 / name resolved to prove the scanner is "
                                                  "online ('' = skip)")]
BaselineOpt = Annotated[Path | None, typer.Option("--baseline", metavar="OLD.json",
                                                  help="与之前的 JSON 报告比较（写到 stderr），并先扫描其中耗时最长的站点 / "
                                                       "compare with an earlier JSON report (printed on stderr); "
                                                       "its slowest sites start first")]
HistoryOpt = Annotated[list[Path] | None, typer.Option("--history", envvar=_env("HISTORY"), metavar="DIR|FILE",
                                                       help="之前的 JSON 报告，用于 HTML 趋势图 / earlier JSON "
                                                            "reports (files or folders) for the HTML trend chart")]
TargetsOpt = Annotated[Path, typer.Option("--targets", "-t", envvar=_env("TARGETS"), help="targets.yaml")]


@app.command(epilog=SCAN_EPILOG)
def scan(
    targets_file: TargetsOpt = Path("targets.yaml"),
    site: Annotated[list[str] | None, typer.Option("--site", "-s", help="只查此站点 / only this site id "
                                                   "(repeatable)")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="只查带此标签的站点 / only sites with this tag "
                                                  "(repeatable)")] = None,
    check: CheckOpt = None, checks_dir: ChecksDirOpt = None, fail_on: FailOnOpt = "fail",
    output_format: FormatOpt = None, output: OutputOpt = None, baseline: BaselineOpt = None,
    history: HistoryOpt = None, quiet: QuietOpt = False, no_color: NoColorOpt = False,
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
    """检查 targets 文件中的每个站点（年度检查）/ Audit every site in the targets file (the year-end audit)."""
    options = build_options(nameserver=nameserver, allow_private=allow_private, timeout=timeout,
                            concurrency=concurrency, ca_bundle=ca_bundle, now=now, ipv6=ipv6,
                            ipv6_control=ipv6_control, control_host=control_host, render=render,
                            render_budget=render_budget)
    known_checks = {c.id: c.Settings for c in load_registry(checks_dir)}  # ids and settings validated
    sites = select_sites(load_targets(targets_file, known_checks).sites, site or [], tag or [], shard)
    raise typer.Exit(scan_and_report(sites, options, check_ids=check, checks_dir=checks_dir,
                                     output_format=output_format or [], output=output or [], fail_on=fail_on,
                                     quiet=quiet, resume=resume, shard=shard,
                                     workers=worker_count(workers, len(sites)), baseline=baseline, history=history,
                                     no_color=no_color))


@app.command("check", epilog=CHECK_EPILOG)
def check_url(
    url: Annotated[str, typer.Argument(help="站点网址或主机名 / site URL or bare host, e.g. www.njqh.gov.cn")],
    kind: Annotated[str, typer.Option("--kind", metavar="portal|district|new_area|department",
                                      help="站点类型 / site kind")] = "district",
    name: Annotated[str | None, typer.Option("--name", help="报告中的站点名 / site name for the report")] = None,
    check: CheckOpt = None, checks_dir: ChecksDirOpt = None, fail_on: FailOnOpt = "fail",
    output_format: FormatOpt = None, output: OutputOpt = None, baseline: BaselineOpt = None,
    quiet: QuietOpt = False, no_color: NoColorOpt = False,
    nameserver: NameserverOpt = None, allow_private: AllowPrivateOpt = False, timeout: TimeoutOpt = 10.0,
    concurrency: ConcurrencyOpt = 16, ca_bundle: CaBundleOpt = None, now: NowOpt = None,
    ipv6: Ipv6Opt = "auto", ipv6_control: Ipv6ControlOpt = "https://www.gov.cn/",
    control_host: ControlHostOpt = "www.gov.cn", render: RenderOpt = "auto", render_budget: RenderBudgetOpt = 20.0,
) -> None:
    """临时检查一个站点，无需 targets 文件 / Audit one site ad hoc, without a targets file."""
    options = build_options(nameserver=nameserver, allow_private=allow_private, timeout=timeout,
                            concurrency=concurrency, ca_bundle=ca_bundle, now=now, ipv6=ipv6,
                            ipv6_control=ipv6_control, control_host=control_host, render=render,
                            render_budget=render_budget)
    try:
        site_kind = SiteKind(kind)
    except ValueError:
        raise ConfigError(f"--kind {kind!r}: 应为 portal、district、new_area 或 department") from None
    try:
        target = target_for_url(with_scheme(url), site_kind, name)
    except ValueError as exc:
        raise ConfigError(f"{url!r}: 不是有效的 http(s) 网址 / not a valid http(s) URL ({exc.__class__.__name__})") \
            from None
    raise typer.Exit(scan_and_report([target], options, check_ids=check, checks_dir=checks_dir,
                                     output_format=output_format or [], output=output or [], fail_on=fail_on,
                                     quiet=quiet, resumable=False, baseline=baseline, no_color=no_color))


@app.command("diff", epilog=DIFF_EPILOG)
def diff(
    old: Annotated[Path, typer.Argument(metavar="OLD.json", help="之前的 JSON 报告 / the earlier report")],
    new: Annotated[Path, typer.Argument(metavar="NEW.json", help="新的 JSON 报告 / the newer report")],
    output_format: Annotated[str, typer.Option("--format", "-f", metavar="table|markdown|json",
                                               help="输出格式 / output format")] = "table",
) -> None:
    """比较两份 JSON 报告：新增不合格、已修复、状态变化、增删站点 / Compare two JSON reports."""
    text, code = compare_reports(old, new, output_format)
    sys.stdout.write(text)
    raise typer.Exit(code)


@app.command("rules")
def rules() -> None:
    """打印规则说明（检查依据的文号、条款与阈值）/ Print the rule reference the checks cite (RULES.md)."""
    sys.stdout.write(rules_text())


@app.command("checks")
def list_checks(checks_dir: ChecksDirOpt = None) -> None:
    """列出可用的检查及其依据 / List the available checks with their titles and basis."""
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
    """校验 targets 文件并列出站点 / Validate the targets file (check ids and per-check settings included) and list its sites."""
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
    """由全国政府网站信息报送系统导出的 CSV 生成 targets.yaml / Build targets.yaml from a national site registry export (UTF-8 or GBK CSV)."""
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
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写入文件 / write the merged JSON report "
                                                "to FILE (default: stdout)")] = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="Exit as `scan` does (1 when a result is "
                                                "at least warn | fail; 3 scanner offline); default: exit 0")] = None,
) -> None:
    """合并分片报告 / Join slice reports into one JSON report (refuses a site in two inputs)."""
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
    """打印 JSON 报告的 JSON Schema / Print the JSON Schema of the report (--format json)."""
    sys.stdout.write(render_schema())


@app.command()
def demo(
    serve: Annotated[bool, typer.Option("--serve", help="Keep the simulated web running; print how to use it")] = False,
    check: CheckOpt = None, output_format: FormatOpt = None, output: OutputOpt = None,
    quiet: QuietOpt = False, no_color: NoColorOpt = False, now: NowOpt = None, fail_on: FailOnOpt = "fail",
    render: RenderOpt = "auto",
) -> None:
    """扫描内置的模拟南京网站（仅本机回环）/ Scan the bundled simulated Nanjing web (loopback only)."""
    from gkaudit.simweb.demo import run_demo, serve_forever

    if serve:
        serve_forever(now)
        return
    code = run_demo(check_ids=check, output_format=output_format or [], output=output or [], quiet=quiet,
                    now=now, fail_on=fail_on, render=render, no_color=no_color)
    # The demo shows failures on purpose: exit 0 unless the demo itself could not run.
    raise typer.Exit(0 if code in (0, 1) else code)


@app.callback(invoke_without_command=True)
def main_callback(
    version: Annotated[bool, typer.Option("--version", help="显示版本 / show the version")] = False,
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
