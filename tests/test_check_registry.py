"""Check discovery: built-ins, the "gkaudit.checks" entry-point group, --checks-dir; and the registry rules."""

from __future__ import annotations

import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from gkaudit import registry as registry_module
from gkaudit.check import Check, finding, status_from_findings
from gkaudit.errors import ConfigError
from gkaudit.model import Severity, Status
from gkaudit.registry import (
    ENTRY_POINT_GROUP,
    Registry,
    builtin_checks,
    directory_checks,
    entry_point_checks,
    load_registry,
)

PLUGIN = textwrap.dedent('''\
    from gkaudit.check import Check
    from gkaudit.model import Status


    class _Base(Check):
        basis = "插件"
        title_en = "plugin"

        async def run(self, ctx):
            return self.result(Status.PASS, self.id)


    class ByClass(_Base):
        id = "by_class"
        title_zh = "类"


    class ByInstance(_Base):
        id = "by_instance"
        title_zh = "实例"


    INSTANCE = ByInstance()
    ''')

MODULE_PLUGIN = textwrap.dedent('''\
    from gkaudit.check import Check


    class InModule(Check):
        id = "in_module"
        title_zh = "模块"
        title_en = "module"
        basis = "插件"
    ''')


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[EntryPoint]:
    (tmp_path / "gk_test_plugin.py").write_text(PLUGIN, encoding="utf-8")
    (tmp_path / "gk_test_module_plugin.py").write_text(MODULE_PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    points = [EntryPoint("by_class", "gk_test_plugin:ByClass", ENTRY_POINT_GROUP),
              EntryPoint("by_instance", "gk_test_plugin:INSTANCE", ENTRY_POINT_GROUP),
              EntryPoint("in_module", "gk_test_module_plugin", ENTRY_POINT_GROUP)]

    def fake_entry_points(*, group: str) -> list[EntryPoint]:
        return points if group == ENTRY_POINT_GROUP else []

    monkeypatch.setattr(registry_module, "entry_points", fake_entry_points)
    return points


def test_built_in_checks_include_reachability_and_skip_helpers() -> None:
    ids = [c.id for c in builtin_checks()]
    assert "reachability" in ids
    assert not any(i.startswith("_") for i in ids)
    assert len(ids) == len(set(ids))


def test_entry_point_checks_as_class_instance_or_module(plugins: list[EntryPoint]) -> None:
    assert sorted(c.id for c in entry_point_checks()) == ["by_class", "by_instance", "in_module"]
    registry = load_registry()
    ids = registry.ids()
    assert ids.index("reachability") < ids.index("by_class")


def test_broken_entry_point_is_a_config_error(plugins: list[EntryPoint]) -> None:
    plugins.append(EntryPoint("broken", "gk_no_such_module_xyz:Thing", ENTRY_POINT_GROUP))
    with pytest.raises(ConfigError, match="broken"):
        entry_point_checks()


def test_checks_dir_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--checks-dir"):
        directory_checks(tmp_path / "absent")


def test_checks_dir_file_with_a_syntax_error_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def broken(:\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.py.*SyntaxError"):
        directory_checks(tmp_path)


def test_a_user_check_may_not_take_a_built_in_id(tmp_path: Path) -> None:
    (tmp_path / "clash.py").write_text(textwrap.dedent('''\
        from gkaudit.check import Check

        class Clash(Check):
            id = "reachability"
            title_zh = "冲突"
            title_en = "clash"
            basis = "x"
        '''), encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate check id 'reachability'"):
        load_registry(tmp_path)


def test_a_check_without_metadata_is_refused() -> None:
    class NoBasis(Check):
        id = "no_basis"
        title_zh = "无依据"
        title_en = "no basis"
        basis = ""

    with pytest.raises(ConfigError, match="basis"):
        Registry([NoBasis()])


def test_select_keeps_the_requested_order_and_drops_repeats() -> None:
    registry = load_registry()
    assert [c.id for c in registry.select([])] == registry.ids()
    assert [c.id for c in registry.select(["reachability", "reachability"])] == ["reachability"]


def test_status_from_findings() -> None:
    assert status_from_findings([]) is Status.PASS
    assert status_from_findings([finding("info", "i")]) is Status.PASS
    assert status_from_findings([finding("info", "i"), finding("warn", "w")]) is Status.WARN
    assert status_from_findings([finding(Severity.FAIL, "f"), finding("warn", "w")]) is Status.FAIL


def test_finding_shorthand_fills_evidence() -> None:
    found = finding("fail", "首页无法访问", rule="规则", url="http://x.gov.cn/", http_status=500)
    assert found.evidence.url == "http://x.gov.cn/" and found.evidence.http_status == 500
    assert found.rule == "规则"
    with pytest.raises(ValueError):
        finding("fail", "bad evidence field", no_such_field=1)


def test_built_in_discovery_finds_check_packages_and_single_files() -> None:
    modules = {type(c).__module__ for c in builtin_checks()}
    assert {"gkaudit.checks.disclosure", "gkaudit.checks.ipv6", "gkaudit.checks.plans",
            "gkaudit.checks.management", "gkaudit.checks.reachability"} <= modules


def test_checks_dir_loads_a_check_package_whose_modules_import_each_other(tmp_path: Path) -> None:
    package = tmp_path / "footer_words"
    package.mkdir()
    (package / "judge.py").write_text("def verdict():\n    return 'pass'\n", encoding="utf-8")
    (package / "__init__.py").write_text(textwrap.dedent('''\
        from gkaudit.check import Check
        from gkaudit.model import Status

        from .judge import verdict


        class FooterWords(Check):
            id = "footer_words"
            title_zh = "页脚用语"
            title_en = "Footer words"
            basis = "test"

            async def run(self, ctx):
                return self.result(Status(verdict()), "ok")
        '''), encoding="utf-8")
    (tmp_path / "_helper.py").write_text("raise RuntimeError('helpers are not loaded')\n", encoding="utf-8")
    found = directory_checks(tmp_path)
    assert [c.id for c in found] == ["footer_words"]
