"""`--resume FILE`: the sites an interrupted scan already finished, and whether they fit this scan.

FILE is the scan's result stream (`<output>.partial.jsonl`, kept when a scan is interrupted) or
the JSON report it wrote. A site is carried over only if it is still selected with the same URL;
the rest are scanned. A file of another scan (other checks, another judging date, not gkaudit's)
is a configuration error, exit 2, in one line.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from gkaudit.model import SCHEMA_VERSION, ScanReport
from gkaudit.stream import STREAM_MARK, SiteStream, StreamError, StreamIndex, index_stream
from gkaudit.targets import Target


def open_resume(path: Path) -> StreamIndex:
    """Index FILE as a result stream; a JSON report is first converted to one (in a temp file)."""
    try:
        with path.open("r", encoding="utf-8") as source:
            first = source.readline()
    except OSError as exc:
        raise StreamError(f"--resume {path}: 无法读取 / cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise StreamError(f"--resume {path}: 不是 UTF-8 文本 / not UTF-8 text") from None
    if first.lstrip().startswith("{") and STREAM_MARK in first:
        return index_stream(path)
    try:
        report = ScanReport.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, ValueError):
        raise StreamError(f"--resume {path}: 既不是 gkaudit 结果流也不是 JSON 报告 / "
                          "neither a gkaudit result stream nor a JSON report") from None
    fd, temp = tempfile.mkstemp(prefix="gkaudit-resume-", suffix=".jsonl")
    os.close(fd)
    stream = SiteStream(Path(temp), report)
    for site in report.sites:
        stream.write(site)
    stream.close()
    return index_stream(Path(temp))


def check_compatible(index: StreamIndex, check_ids: Sequence[str], now: object, source: Path) -> None:
    """StreamError unless the interrupted scan ran the same checks, judged on the same day, same schema major."""
    header = index.header
    if header.schema_version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise StreamError(f"--resume {source}: 报告格式 {header.schema_version} 与本版本 {SCHEMA_VERSION} 不兼容 / "
                          "incompatible schema version")
    if sorted(header.scanner.checks) != sorted(check_ids):
        raise StreamError(f"--resume {source}: 原扫描的检查项 {','.join(header.scanner.checks)} 与本次 "
                          f"{','.join(check_ids)} 不同 / not the same checks as this scan (use the same --check)")
    if header.scanner.now != now:
        raise StreamError(f"--resume {source}: 原扫描的判定日期为 {header.scanner.now}，本次为 {now} / judged on "
                          f"another date: add --now {header.scanner.now}")


def carried_over(index: StreamIndex, targets: Sequence[Target]) -> list[str]:
    """Ids of the selected targets the interrupted scan finished (same id and same URL)."""
    return [t.id for t in targets if t.id in index.offsets and index.urls.get(t.id) == t.url]
