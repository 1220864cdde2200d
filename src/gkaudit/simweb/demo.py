"""`gkaudit demo`: start the simulated Nanjing web, scan it, print the report; or keep it serving."""

from __future__ import annotations

import signal
import tempfile
import time
from pathlib import Path

import typer
import yaml

from gkaudit.scan import build_render_options, scan_and_report
from gkaudit.simweb.options import CONTROL_HOST, simweb_scan_options
from gkaudit.simweb.web import SimWeb


def run_demo(*, check_ids: list[str] | None, output_format: str | list[str], output: Path | list[Path] | None,
             quiet: bool, now: str | None, fail_on: str, render: str = "auto", no_color: bool = False) -> int:
    render_options = build_render_options(render)  # a usage error before the web starts
    with SimWeb() as web:
        options = simweb_scan_options(web, now, render=render_options)
        return scan_and_report(web.targets(), options, check_ids=check_ids, checks_dir=None,
                               output_format=output_format, output=output, fail_on=fail_on, quiet=quiet,
                               resumable=False, no_color=no_color)


def serve_forever(now: str | None) -> None:
    """Run the simulated web until Ctrl-C; write a targets file and print the commands to try."""
    # Started in the background of a script, SIGINT arrives ignored (and Python keeps it so):
    # this server says "Ctrl-C to stop", so Ctrl-C must stop it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    web = SimWeb()
    web.start()
    try:
        folder = Path(tempfile.mkdtemp(prefix="gkaudit-demo-"))
        targets_path = folder / "demo-targets.yaml"
        sites = [t.model_dump(mode="json", exclude_defaults=True) for t in web.targets()]
        targets_path.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True, sort_keys=False),
                                encoding="utf-8")
        common = (f"--nameserver {web.nameserver} --allow-private --control-host {CONTROL_HOST} "
                  f"--ipv6-control {web.url(CONTROL_HOST)}")
        if web.ca_bundle:
            common += f" --ca-bundle {web.ca_bundle}"
        typer.echo(f"模拟政府网站已启动 / simulated web is up (DNS {web.nameserver})")
        typer.echo(f"--nameserver {web.nameserver}")
        for target in web.targets():
            typer.echo(f"  {target.id:<12} {target.url:<44} {target.name}")
        typer.echo("试试 / try:")
        typer.echo(f"  gkaudit scan --targets {targets_path} {common}")
        first = web.targets()[0]
        typer.echo(f"  gkaudit check {first.url} --kind {first.kind.value} {common} --format json")
        typer.echo("按 Ctrl-C 停止 / Ctrl-C to stop", err=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        web.stop()
