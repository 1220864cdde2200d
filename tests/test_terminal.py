"""The terminal: the table fits 80 and 120 columns, NO_COLOR and --no-color, help text, check order."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from gkaudit.model import ScanReport
from gkaudit.report.table import build_table, natural_width, render_table

from conftest import scan_web

ESC = "\x1b["


def run(*args: str, env: dict[str, str] | None = None, tty: bool = False, timeout: float = 120,
        stderr_tty: bool = False) -> tuple[int, str]:
    """`python -m gkaudit.cli ARGS` with `env` added; stdout (or, with `stderr_tty`, stderr) through a
    pseudo-terminal when `tty`, and that terminal's text returned."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "FORCE_COLOR")}
    full_env.update(env or {})
    command = [sys.executable, "-m", "gkaudit.cli", *args]
    if not tty:
        done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", env=full_env,
                              timeout=timeout, check=False)
        return done.returncode, done.stdout
    leader, follower = pty.openpty()
    streams = {"stdout": subprocess.DEVNULL, "stderr": follower} if stderr_tty else \
        {"stdout": follower, "stderr": subprocess.DEVNULL}
    child = subprocess.Popen(command, env=full_env, **streams)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    code = child.wait(timeout=timeout)
    return code, b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def demo_report(bundled_web) -> ScanReport:  # type: ignore[no-untyped-def]
    return scan_web(bundled_web, bundled_web.targets(), [])


@pytest.mark.parametrize("width", [30, 40, 60, 80, 100, 120, 160])
def test_no_line_is_wider_than_the_terminal(demo_report: ScanReport, width: int) -> None:
    text = render_table(demo_report, width=width)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    for site in demo_report.sites:
        assert site.name in text


def test_wide_terminals_get_the_full_grid_and_narrow_ones_a_narrow_layout(demo_report: ScanReport) -> None:
    full = natural_width(build_table(demo_report, "full"))
    wide = render_table(demo_report, width=full)
    assert "政府信息公开专栏" in wide.splitlines()[1] and "nanjing" in wide  # check titles, the id column
    assert "政府信息公开专栏" in render_table(demo_report, width=full - 1).splitlines()[1]  # titles, no ids
    narrow = render_table(demo_report, width=80)
    assert "1=reachability" in narrow and "✓ 通过=pass" in narrow  # numbered checks, one symbol per status
    tiny = render_table(demo_report, width=30)
    assert "reachability 通过" in tiny or "reachability 不合格" in tiny  # one block per site


@pytest.mark.parametrize("columns", ["80", "120"])
def test_the_demo_table_fits_columns(columns: str) -> None:
    code, out = run("demo", "--quiet", env={"COLUMNS": columns})
    assert code == 0
    assert max(cell_len(line) for line in out.splitlines()) <= int(columns), out


def test_reachability_comes_first(demo_report: ScanReport) -> None:
    assert demo_report.scanner.checks[0] == "reachability"
    assert all(site.results[0].check == "reachability" for site in demo_report.sites)


def test_colour_only_on_a_terminal_and_never_with_no_color() -> None:
    code, coloured = run("demo", "--quiet", "--check", "reachability", env={"COLUMNS": "120"}, tty=True)
    assert code == 0 and ESC in coloured  # the test can fail: a terminal does get colours
    code, plain = run("demo", "--quiet", "--check", "reachability", env={"COLUMNS": "120", "NO_COLOR": "1"},
                      tty=True)
    assert code == 0 and ESC not in plain and "通过" in plain
    code, plain = run("demo", "--quiet", "--check", "reachability", "--no-color", env={"COLUMNS": "120"}, tty=True)
    assert code == 0 and ESC not in plain and "通过" in plain


def test_error_lines_on_a_terminal_have_no_escape_codes_with_no_color() -> None:
    code, coloured = run("check", "www.njqh.gov.cn", "--timeout", "-1", tty=True, stderr_tty=True)
    assert code == 2 and ESC in coloured and "--timeout" in coloured
    code, plain = run("check", "www.njqh.gov.cn", "--timeout", "-1", env={"NO_COLOR": "1"}, tty=True,
                      stderr_tty=True)
    assert code == 2 and ESC not in plain and "--timeout" in plain


def test_help_names_formats_exit_codes_and_environment() -> None:
    code, out = run("scan", "--help", env={"COLUMNS": "120"})
    assert code == 0
    for word in ("csv", "junit", "markdown", "html", "退出码 / exit codes", "130", "143", "GKAUDIT_NAMESERVER",
                 "NO_COLOR", "--baseline", "--history", "regression", "例 / examples"):
        assert word in out, word
    code, out = run("--help", env={"COLUMNS": "120"})
    assert code == 0 and "--install-completion" in out and "diff" in out and "rules" in out


def test_environment_variables_stand_in_for_options(tmp_path: Path) -> None:
    code, _ = run("scan", "--targets", str(tmp_path / "missing.yaml"), env={"GKAUDIT_TIMEOUT": "-1"})
    assert code == 2
    done = subprocess.run([sys.executable, "-m", "gkaudit.cli", "scan"], capture_output=True, text=True,
                          env={**os.environ, "GKAUDIT_TARGETS": str(tmp_path / "nowhere.yaml")}, check=False)
    assert done.returncode == 2 and "nowhere.yaml" in done.stderr


def test_rules_prints_the_shipped_rule_reference() -> None:
    from importlib.resources import files

    shipped = (files("gkaudit.docs") / "RULES.md").read_text(encoding="utf-8")
    assert "国办公开办函〔2019〕61号" in shipped
    code, out = run("rules")
    assert code == 0 and out == shipped


def test_the_rule_reference_and_the_recipes_ship_in_the_wheel() -> None:
    import tomllib

    setup = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    assert setup["setuptools"]["package-dir"]["gkaudit.docs"] == "docs"
    assert "gkaudit.docs" in setup["setuptools"]["packages"]
    assert {"*.md", "ci/*"} <= set(setup["setuptools"]["package-data"]["gkaudit.docs"])
