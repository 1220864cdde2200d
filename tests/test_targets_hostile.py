"""Malformed targets files: every kind is exit 2 with one line per problem, each naming file:line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gkaudit.errors import ConfigError
from gkaudit.registry import load_registry
from gkaudit.targets import load_targets, parse_targets

SITE = textwrap.dedent("""\
    sites:
      - id: nanjing
        name: 南京市人民政府
        url: https://www.nanjing.gov.cn/
        kind: portal
    """)
SETTINGS = {c.id: c.Settings for c in load_registry()}


def problems(text: str, known: object = None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_targets(text, "t.yaml", known)  # type: ignore[arg-type]
    return str(info.value).split("\n")


@pytest.mark.parametrize(("text", "line"), [
    (SITE.replace("name: 南京市人民政府", "name: !!int 南京市人民政府"), 3),
    (SITE.replace("name: 南京市人民政府", "name: !!float abc"), 3),
    (SITE.replace("name: 南京市人民政府", "name: !!int " + "9" * 5000), 3),
    (SITE + "    waivers: [{check: reachability, reason: x, expires: !!timestamp 2025-13-45}]\n", 6),
    (SITE.replace("name: 南京市人民政府", "name: !!binary 'not base64!!'"), 3),
    (SITE.replace("name: 南京市人民政府", "name: !!python/object:os.system ls"), 3),
    (SITE + "    tags: " + "[" * 1000 + "]" * 1000 + "\n", 6),
    (SITE + "    settings:\n" + "".join("  " * (i + 3) + f"k{i}:\n" for i in range(200)), 53),  # where the 51st level starts
    (SITE.replace("    kind: portal\n", "    kind: portal\n    kind: district\n"), 6),
    (SITE.replace("  - id: nanjing\n", "  - id: nanjing\n    id: other\n"), 3),
    (SITE + "    \"tags\\nx\": [a]\n", 6),
    (SITE + "    ? |\n      multi\n      line\n    : 1\n", 6),
    ("sites:\n  - id: a\x00b\n", 2),
    (SITE + "    tags: [\x07]\n", 6),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n", 5),
])
def test_malformed_yaml_is_one_line_with_file_and_line(text: str, line: int) -> None:
    found = problems(text)
    assert len(found) == 1, found
    assert found[0].startswith(f"t.yaml:{line}:"), found


def test_duplicate_keys_are_an_error_naming_the_second() -> None:
    text = SITE.replace("    kind: portal\n", "    kind: portal\n    url: https://evil.example.com/\n")
    (found,) = problems(text)
    assert found.startswith("t.yaml:6:") and "duplicate key 'url'" in found


def test_merge_keys_may_be_overridden() -> None:
    text = textwrap.dedent("""\
        defaults: &d {kind: district, name: 区}
        sites:
          - <<: *d
            id: a
            name: A 区
            url: http://a.gov.cn/
        """)
    with pytest.raises(ConfigError) as info:  # 'defaults' is no field of the file, but the merge itself is fine
        parse_targets(text, "t.yaml")
    assert str(info.value).startswith("t.yaml:1:") and "defaults" in str(info.value)


def test_every_validation_error_is_listed_once_each_on_its_line() -> None:
    text = textwrap.dedent("""\
        sites:
          - id: Bad Id
            name: A
            url: ftp://a.gov.cn/
            kind: county
          - id: b
            name: B
            url: http://b.gov.cn/
            kind: district
            parent: nowhere
            settings:
              reachability: {slow_ms: fast}
              ipv7: {}
            waivers:
              - {check: ipv8, reason: x, expires: 2026-01-01}
        """)
    found = problems(text, SETTINGS)
    assert [f.split(":")[1] for f in found] == ["2", "4", "5", "10", "12", "13", "15"], found
    assert "sites.1.settings.reachability.slow_ms" in found[4]
    assert "unknown check 'ipv7'" in found[5] and "unknown check 'ipv8'" in found[6]


def test_per_check_settings_are_validated_with_their_line() -> None:
    text = SITE + "    settings:\n      reachability:\n        slow_ms: soon\n        colour: red\n"
    found = problems(text, SETTINGS)
    assert [f.split(":")[1] for f in found] == ["8", "9"], found
    assert parse_targets(SITE + "    settings:\n      reachability: {slow_ms: 100}\n", "t", SETTINGS)


def test_non_utf8_and_binary_files_name_the_line(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes(SITE.encode("utf-8") + "    tags: [南京]\n".encode("gbk"))
    with pytest.raises(ConfigError, match=rf"^{gbk}:6: .*UTF-8"):
        load_targets(gbk)
    garbage = tmp_path / "garbage.yaml"
    garbage.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ConfigError) as info:
        load_targets(garbage)
    assert str(info.value).startswith(f"{garbage}:") and "\n" not in str(info.value)


@pytest.mark.parametrize("text", [
    SITE.replace("name: 南京市人民政府", "name: !!int x"),
    SITE.replace("    kind: portal\n", "    kind: portal\n    kind: portal\n"),
    SITE + "    tags: " + "[" * 1000 + "]" * 1000 + "\n",
])
def test_the_cli_exits_2_with_one_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "gkaudit.cli", "targets", "--targets", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{path}:" in lines[0] and "Traceback" not in done.stderr


def test_the_cli_lists_every_problem_one_line_each(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(SITE + "    settings:\n      reachability: {slow_ms: soon}\n      nope: {}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "gkaudit.cli", "targets", "--targets", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(f"gkaudit: 错误 / error: {path}:") for line in lines), lines
