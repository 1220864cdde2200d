"""targets.yaml: the models, and loader errors that name the file, the line and the field."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from gkaudit.errors import ConfigError
from gkaudit.targets import SiteKind, Target, load_targets, parse_targets, target_for_url

REPO_TARGETS = Path(__file__).parent.parent / "targets.yaml"

GOOD = textwrap.dedent("""\
    version: 1
    sites:
      - id: nanjing
        name: 南京市人民政府
        url: https://www.nanjing.gov.cn/
        kind: portal
      - id: qinhuai
        name: 秦淮区人民政府
        url: https://www.njqh.gov.cn/
        kind: district
        parent: nanjing
        tags: [district]
        settings:
          reachability: {slow_ms: 5000}
        waivers:
          - check: reachability
            reason: 改版中
            expires: 2026-12-31
    """)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the `occurrence`-th line containing `needle`."""
    hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def error_for(text: str, source: str = "targets.yaml") -> str:
    with pytest.raises(ConfigError) as info:
        parse_targets(text, source)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_good_file_loads() -> None:
    loaded = parse_targets(GOOD)
    assert [s.id for s in loaded.sites] == ["nanjing", "qinhuai"]
    qinhuai = loaded.sites[1]
    assert qinhuai.kind is SiteKind.DISTRICT and qinhuai.parent == "nanjing"
    assert qinhuai.settings == {"reachability": {"slow_ms": 5000}}
    assert qinhuai.waivers[0].expires == date(2026, 12, 31)
    assert qinhuai.host == "www.njqh.gov.cn"


def test_a_loaded_file_is_the_parsed_file_copied_whole(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(GOOD, encoding="utf-8")
    loaded = load_targets(path)  # copied into fresh memory after parsing (targets._compacted)
    assert loaded == parse_targets(GOOD)
    assert loaded.sites[1].host == "www.njqh.gov.cn" and loaded.sites[1].waivers[0].expires == date(2026, 12, 31)


def test_waiver_is_active_until_its_expiry_day_inclusive() -> None:
    qinhuai = parse_targets(GOOD).sites[1]
    assert qinhuai.waiver_for("reachability", date(2026, 12, 31)) is not None
    assert qinhuai.waiver_for("reachability", date(2027, 1, 1)) is None
    assert qinhuai.waiver_for("ipv6", date(2026, 1, 1)) is None


def test_syntax_error_names_the_line() -> None:
    text = GOOD.replace("name: 秦淮区人民政府", "name: [秦淮区人民政府")
    message = error_for(text, "conf/targets.yaml")
    assert message.startswith(f"conf/targets.yaml:{line_of(text, 'url: https://www.njqh')}:")
    assert "YAML" in message


def test_tab_indentation_is_a_syntax_error() -> None:
    message = error_for("sites:\n\t- id: a\n")
    assert message.startswith("targets.yaml:2:") and "YAML" in message


@pytest.mark.parametrize(("change", "needle", "field"), [
    (("    kind: district\n", "    kind: district\n    colour: red\n"), "colour:", "sites.1.colour"),
    (("kind: district", "kind: county"), "kind: county", "sites.1.kind"),
    (("url: https://www.njqh.gov.cn/", "url: www.njqh.gov.cn"), "url: www.njqh", "sites.1.url"),
    (("expires: 2026-12-31", "expires: 2026-13-01"), "expires:", "sites.1.waivers.0.expires"),
    (("expires: 2026-12-31", "expires: next year"), "expires:", "sites.1.waivers.0.expires"),
    (("reason: 改版中", "reason: ''"), "reason:", "sites.1.waivers.0.reason"),
    (("id: qinhuai", "id: Qin Huai"), "id: Qin Huai", "sites.1.id"),
    (("tags: [district]", "tags: district"), "tags:", "sites.1.tags"),
    (("reachability: {slow_ms: 5000}", "reachability: 5000"), "reachability:", "sites.1.settings.reachability"),
    (("parent: nanjing", "parent: shanghai"), "parent: shanghai", "sites.1.parent"),
    (("id: qinhuai", "id: nanjing"), "id: nanjing", "sites.1.id"),
])
def test_field_errors_name_line_and_field(change: tuple[str, str], needle: str, field: str) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    message = error_for(text)
    occurrence = 2 if needle == "id: nanjing" else 1
    assert message.startswith(f"targets.yaml:{line_of(text, needle, occurrence)}:"), message
    assert f"'{field}'" in message


def test_duplicate_id_in_flow_style_points_at_the_second_site() -> None:
    text = textwrap.dedent("""\
        sites:
          - {id: a, name: A, url: "http://a.gov.cn/", kind: district}
          - {id: b, name: B, url: "http://b.gov.cn/", kind: district}
          - {id: a, name: C, url: "http://c.gov.cn/", kind: district}
        """)
    message = error_for(text)
    assert message.startswith("targets.yaml:4:") and "duplicate" in message


def test_missing_field_points_at_its_site() -> None:
    text = GOOD.replace("    url: https://www.njqh.gov.cn/\n", "")
    message = error_for(text)
    assert message.startswith(f"targets.yaml:{line_of(text, 'id: qinhuai')}:")
    assert "'sites.1.url'" in message


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    assert error_for(text).startswith("targets.yaml:1:")


def test_unknown_top_level_key() -> None:
    text = GOOD + "extra: 1\n"
    assert error_for(text).startswith(f"targets.yaml:{line_of(text, 'extra:')}:")


def test_load_targets_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(GOOD.replace("kind: portal", "kind: city"), encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{path}:6: .*'sites.0.kind'"):
        load_targets(path)


def test_unreadable_targets(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_targets(tmp_path / "absent.yaml")
    (tmp_path / "gbk.yaml").write_bytes("sites: []  # 南京".encode("gbk"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_targets(tmp_path / "gbk.yaml")


def test_target_for_url() -> None:
    target = target_for_url("https://www.njqh.gov.cn/index.html", SiteKind.DISTRICT)
    assert target.id == "www-njqh-gov-cn" and target.name == "www.njqh.gov.cn"
    with pytest.raises(ValueError):
        target_for_url("not a url")


def test_target_for_a_chinese_domain_gets_an_ascii_id() -> None:
    target = target_for_url("http://南京市人民政府.政务/", SiteKind.PORTAL)
    assert target.id == "xn--1lq2az70af0nbwai50ag4l-xn--zfr164b"
    assert target.name == "南京市人民政府.政务" and target.host == "南京市人民政府.政务"


def test_target_model_rejects_non_http_urls() -> None:
    with pytest.raises(ValueError):
        Target(id="x", name="x", url="ftp://x.gov.cn/", kind=SiteKind.DISTRICT)


@pytest.mark.skipif(not REPO_TARGETS.exists(), reason="targets.yaml is not in the repository yet")
def test_repository_targets_file_loads_with_the_nanjing_sites() -> None:
    loaded = load_targets(REPO_TARGETS)
    ids = [s.id for s in loaded.sites]
    assert len(ids) == len(set(ids)) >= 28
    kinds = {s.kind for s in loaded.sites}
    assert kinds == set(SiteKind)
    hosts = {s.host for s in loaded.sites}
    assert {"www.nanjing.gov.cn", "www.njqh.gov.cn", "njna.nanjing.gov.cn"} <= hosts
    assert sum(s.kind is SiteKind.DISTRICT for s in loaded.sites) == 11
    assert sum(s.kind is SiteKind.DEPARTMENT for s in loaded.sites) >= 15
    assert all(s.host.endswith(".gov.cn") for s in loaded.sites)


@pytest.mark.parametrize(("change", "needle", "field"), [
    (("- check: reachability", "- check: reachabilty"), "check: reachabilty", "sites.1.waivers.0.check"),
    (("reachability: {slow_ms: 5000}", "reachabilty: {slow_ms: 5000}"), "reachabilty:",
     "sites.1.settings.reachabilty"),
])
def test_unknown_check_ids_in_settings_and_waivers(change: tuple[str, str], needle: str, field: str) -> None:
    text = GOOD.replace(*change)
    assert parse_targets(text).sites[1].id == "qinhuai"  # without the registry the file is well-formed
    with pytest.raises(ConfigError) as info:
        parse_targets(text, known_checks={"reachability", "ipv6"})
    message = str(info.value)
    assert message.startswith(f"targets.yaml:{line_of(text, needle)}:")
    assert f"'{field}'" in message and "reachabilty" in message and "ipv6" in message
    assert parse_targets(GOOD, known_checks={"reachability"}).sites[1].waivers
