"""`gkaudit targets import`: targets.yaml from a national site registry CSV (UTF-8, BOM, GBK)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gkaudit.errors import ConfigError
from gkaudit.targets import parse_targets
from gkaudit.targets_import import host_id, import_csv

from scalekit import gkaudit

HEADER = "网站名称,首页网址,网站标识码,主办单位,网站类型\n"
ROWS = (
    "南京市人民政府,https://www.nanjing.gov.cn/,3201000016,南京市人民政府,政府门户网站\n"
    "秦淮区人民政府,www.njqh.gov.cn,3201040001,南京市秦淮区人民政府,政府门户网站\n"
    "南京市统计局,http://tjj.nanjing.gov.cn/,3201000030,南京市统计局,部门网站\n"
    "南京江北新区,https://njna.nanjing.gov.cn/,3201000099,南京江北新区管理委员会,政府门户网站\n"
    "江苏省人民政府,http://www.jiangsu.gov.cn/,3200000001,江苏省人民政府,政府门户网站\n"
    "国家统计局,https://www.stats.gov.cn/,bm36000002,国家统计局,部门网站\n"
)


def write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_import_reads_every_encoding_the_registry_exports(tmp_path: Path, encoding: str) -> None:
    text = import_csv(write(tmp_path / "sites.csv", HEADER + ROWS, encoding))
    sites = {s.id: s for s in parse_targets(text).sites}
    assert list(sites) == ["nanjing-gov-cn", "njqh-gov-cn", "tjj-nanjing-gov-cn", "njna-nanjing-gov-cn",
                           "jiangsu-gov-cn", "stats-gov-cn"]
    kinds = {site_id: site.kind.value for site_id, site in sites.items()}
    assert kinds == {"nanjing-gov-cn": "portal", "njqh-gov-cn": "district", "tjj-nanjing-gov-cn": "department",
                     "njna-nanjing-gov-cn": "new_area", "jiangsu-gov-cn": "portal", "stats-gov-cn": "department"}
    assert sites["njqh-gov-cn"].url == "http://www.njqh.gov.cn/"  # the bare host of the export
    assert sites["nanjing-gov-cn"].name == "南京市人民政府"
    assert sites["tjj-nanjing-gov-cn"].settings == {"management": {"sitecode_prefix": "3201000030"}}


def test_column_order_and_extra_columns_do_not_matter(tmp_path: Path) -> None:
    text = "序号,网站类型,主办单位,网站标识码,首页网址,网站名称\n1,部门网站,南京市教育局,3201000040,http://edu.nanjing.gov.cn/,南京市教育局\n"
    sites = parse_targets(import_csv(write(tmp_path / "s.csv", text, "utf-8"))).sites
    assert [(s.id, s.kind.value, s.name) for s in sites] == [("edu-nanjing-gov-cn", "department", "南京市教育局")]


def test_every_bad_row_is_reported_with_its_line(tmp_path: Path) -> None:
    rows = ("好站,http://a.gov.cn/,3201000016,某单位,部门网站\n"
            ",ftp://b.gov.cn/,12,某单位,政府门户网站\n"
            "\n"
            "重复站,http://a.gov.cn/,3201000016,某单位,部门网站\n"
            "怪站,http://c.gov.cn/,3201000017,某单位,其他网站\n")
    with pytest.raises(ConfigError) as caught:
        import_csv(write(tmp_path / "bad.csv", HEADER + rows, "gbk"))
    message = str(caught.value)
    assert "bad.csv:3: 网站名称为空" in message and "bad.csv:3: 首页网址不是" in message
    assert "bad.csv:3: 网站标识码应为 10 位" in message
    assert "bad.csv:5: 与第 2 行是同一站点" in message and "bad.csv:6: 网站类型 '其他网站' 未知" in message
    assert "5 bad rows" in message


def test_missing_columns_and_other_encodings_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="missing columns: 网站标识码, 网站类型"):
        import_csv(write(tmp_path / "a.csv", "网站名称,首页网址,主办单位\n", "utf-8"))
    (tmp_path / "b.csv").write_bytes(b"\xff\xfe\x00\xd8garbage\x81")
    with pytest.raises(ConfigError, match="neither UTF-8 nor GBK"):
        import_csv(tmp_path / "b.csv")


def test_ids_are_stable_and_shared_hosts_get_a_path_suffix(tmp_path: Path) -> None:
    assert host_id("https://WWW.Njqh.gov.cn/") == "njqh-gov-cn"
    assert host_id("http://南京市人民政府.政务/") == "xn--1lq2az70af0nbwai50ag4l-xn--zfr164b"
    assert host_id("http://a.gov.cn:8080/") == "a-gov-cn-8080"
    rows = ("甲,http://www.js.gov.cn/col/a/,3200000001,甲,部门网站\n"
            "乙,http://www.js.gov.cn/col/b/,3200000002,乙,部门网站\n")
    forward = parse_targets(import_csv(write(tmp_path / "f.csv", HEADER + rows, "utf-8"))).sites
    lines = rows.splitlines(keepends=True)
    backward = parse_targets(import_csv(write(tmp_path / "b.csv", HEADER + lines[1] + lines[0], "utf-8"))).sites
    assert {s.name: s.id for s in forward} == {s.name: s.id for s in backward} == {
        "甲": "js-gov-cn-col-a", "乙": "js-gov-cn-col-b"}


def test_cli_import_writes_a_valid_targets_file(tmp_path: Path) -> None:
    source = write(tmp_path / "sites.csv", HEADER + ROWS, "gbk")
    done = gkaudit("targets", "import", source, "-o", tmp_path / "targets.yaml")
    assert done.returncode == 0, done.stderr
    assert len(yaml.safe_load((tmp_path / "targets.yaml").read_text(encoding="utf-8"))["sites"]) == 6
    listed = gkaudit("targets", "--targets", tmp_path / "targets.yaml")
    assert listed.returncode == 0 and "6 sites, valid" in listed.stdout
    bad = write(tmp_path / "bad.csv", HEADER + "x,notaurl,1,y,部门网站\n", "utf-8")
    done = gkaudit("targets", "import", bad)
    assert done.returncode == 2 and "bad.csv:2:" in done.stderr and done.stdout == ""
