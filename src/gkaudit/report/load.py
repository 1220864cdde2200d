"""Reading earlier JSON reports back (for `gkaudit diff`, `--baseline` and `--history`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from gkaudit.errors import ConfigError
from gkaudit.model import ScanReport


def load_report(path: Path, option: str = "") -> ScanReport:
    """A ScanReport from a `--format json` file; ConfigError (exit 2) in one line otherwise.

    Reports of schema 1.0 and 1.1 load too: everything 1.1 and 1.2 added is optional.
    """
    where = f"{option} {path}".strip()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{where}: 无法读取 / cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: 不是 UTF-8 文本 / not UTF-8 text") from None
    try:
        return ScanReport.model_validate_json(text)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "(file)"
        raise ConfigError(f"{where}: 不是 gkaudit 的 JSON 报告 / not a gkaudit JSON report "
                          f"({field}: {error['msg']})") from None


def load_history(paths: list[Path], skip: set[Path] | None = None) -> tuple[list[ScanReport], list[str]]:
    """Reports from files and folders (their `*.json`, sorted); returns (reports, problems).

    A named file that is not a report is an error; inside a folder such files are skipped and named
    in `problems` (a history folder often holds other JSON too).
    """
    skipped = {p.resolve() for p in (skip or set())}
    reports: list[ScanReport] = []
    problems: list[str] = []
    for path in paths:
        if path.is_dir():
            for item in sorted(path.glob("*.json")):
                if item.resolve() in skipped:
                    continue
                try:
                    reports.append(load_report(item, "--history"))
                except ConfigError as exc:
                    problems.append(str(exc))
        elif path.resolve() not in skipped:
            reports.append(load_report(path, "--history"))
    return reports, problems
