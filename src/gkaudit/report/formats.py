"""The output formats by name, how `--format`/`--output` pair up, and one call to render any of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gkaudit.errors import ConfigError
from gkaudit.model import ScanReport
from gkaudit.report.csv import render_csv
from gkaudit.report.diff import ReportDiff
from gkaudit.report.html import render_html
from gkaudit.report.json import render_json
from gkaudit.report.junit import render_junit
from gkaudit.report.markdown import render_markdown
from gkaudit.report.table import render_table

FORMATS = ("table", "json", "csv", "markdown", "junit", "html")
SUFFIXES = {".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown", ".xml": "junit",
            ".html": "html", ".htm": "html", ".txt": "table"}
FORMAT_CHOICES = " | ".join(FORMATS)


@dataclass(frozen=True)
class OutputSpec:
    """One report to write: a format and a file (None: stdout)."""

    format: str
    path: Path | None


def pair_outputs(formats: list[str], outputs: list[Path]) -> list[OutputSpec]:
    """Pair the i-th --format with the i-th --output; one format more than outputs goes to stdout.

    An --output without its --format takes the format from its suffix (.json .csv .md .xml .html .txt);
    one whose suffix names a different format than its --format is refused (a likely mix-up);
    no --format and no --output is the table on stdout.
    """
    for name in formats:
        if name not in FORMATS:
            raise ConfigError(f"--format {name!r}: 应为 {FORMAT_CHOICES} / expected one of {FORMAT_CHOICES}")
    if len(formats) > len(outputs) + 1:
        raise ConfigError("只有一个 --format 可以输出到标准输出，其余须各配一个 --output / "
                          "only one --format may go to stdout; give each other one an --output")
    specs: list[OutputSpec] = []
    for index, path in enumerate(outputs):
        implied = SUFFIXES.get(path.suffix.lower())
        if index < len(formats):
            name = formats[index]
            if implied is not None and implied != name and path.suffix.lower() != ".txt":  # .txt: any text
                raise ConfigError(f"--format {name} 配 --output {path}：后缀看起来是 {implied} / the suffix says "
                                  f"{implied}; --format and --output pair up in order")
        elif implied is None:
            raise ConfigError(f"--output {path}: 无法从后缀判断格式，请加 --format / cannot tell the format, add --format")
        else:
            name = implied
        if not path.parent.is_dir():  # say so before a long scan, not after it
            raise ConfigError(f"--output {path}: 目录不存在 / no such directory {path.parent}")
        specs.append(OutputSpec(name, path))
    if len(formats) > len(outputs):
        specs.append(OutputSpec(formats[-1], None))
    if not specs:
        specs.append(OutputSpec("table", None))
    paths = [s.path for s in specs if s.path is not None]
    if len(set(paths)) != len(paths):
        raise ConfigError("同一个 --output 文件出现了两次 / the same --output file is given twice")
    return specs


def render(name: str, report: ScanReport, *, diff: ReportDiff | None = None,
           history: list[ScanReport] | None = None, width: int | None = None, color: bool = False) -> str:
    """The report in format `name` (one of FORMATS) as text."""
    if name == "table":
        return render_table(report, width=width, color=color)
    if name == "json":
        return render_json(report)
    if name == "csv":
        return render_csv(report)
    if name == "markdown":
        return render_markdown(report, diff)
    if name == "junit":
        return render_junit(report)
    if name == "html":
        return render_html(report, history, diff)
    raise ConfigError(f"--format {name!r}: 应为 {FORMAT_CHOICES}")
