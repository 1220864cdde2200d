"""Writing the requested reports of one scan: JSON streamed site by site, the rest from the whole report.

Files are written atomically (a crash leaves no half report); the whole report is assembled in
memory only when a format or the baseline comparison needs every site at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

from gkaudit.errors import ConfigError
from gkaudit.files import atomic_writer, write_atomically
from gkaudit.model import ScanReport, SiteReport
from gkaudit.report.diff import ReportDiff, diff_reports
from gkaudit.report.formats import OutputSpec, render
from gkaudit.report.json import write_json
from gkaudit.report.outline import ReportOutline

FILE_WIDTH = 120  # a table written to a file is laid out for this many columns


def write_reports(report: ScanReport, sites: Callable[[], Iterator[SiteReport]], specs: list[OutputSpec], *,
                  baseline: ReportOutline | None = None, history: list[ScanReport] | None = None,
                  color: bool = False, width: int = FILE_WIDTH) -> ReportDiff | None:
    """Write every spec; `sites()` yields the sites afresh on each call; `color` and `width` are for stdout.

    Returns the comparison with `baseline`, when one is given.
    """
    whole: list[ScanReport] = []

    def full() -> ScanReport:
        if not whole:
            whole.append(report.model_copy(update={"sites": list(sites())}))
        return whole[0]

    diff = diff_reports(baseline, ReportOutline.from_sites(report.started_at, sites())) if baseline is not None else None
    for spec in specs:
        try:
            if spec.format == "json":
                if spec.path is None:
                    write_json(report, sites(), sys.stdout)
                else:
                    with atomic_writer(spec.path) as out:
                        write_json(report, sites(), out)
                continue
            on_stdout = spec.path is None
            text = render(spec.format, full(), diff=diff, history=history, width=width if on_stdout else FILE_WIDTH,
                          color=color and on_stdout)
            if spec.path is None:
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                write_atomically(spec.path, text)
        except OSError as exc:
            raise ConfigError(f"--output {spec.path}: 无法写入 / cannot write: {exc.strerror or exc}") from None
    return diff
