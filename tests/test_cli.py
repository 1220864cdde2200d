"""The command line, run as users and CI run it: a child process, exit codes, one-line errors.

The simulated web runs in this process (loopback); the child reaches it through --nameserver.
"""

from __future__ import annotations

import json
import os
import queue
import shlex
import signal
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml

from gkaudit.report.json import json_schema
from gkaudit.simweb.web import SimWeb

from enginekit import BADTLS, DUAL, ENGINE_SITES, IDN, REFUSED, unicode_url

REPO_TARGETS = Path(__file__).parent.parent / "targets.yaml"


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb(roots=[ENGINE_SITES]) as simulated:
        yield simulated


def gkaudit(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `python -m gkaudit.cli ARGS`; no error output of gkaudit may carry a traceback."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "gkaudit.cli", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout, env=env, check=False)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def sim_args(web: SimWeb, *more: str) -> list[str]:
    """Options that point a child gkaudit at the simulated web (its DNS, loopback allowed, its CA)."""
    args = ["--nameserver", web.nameserver, "--allow-private", "--control-host", "www.gov.cn",
            "--ipv6", "off", "--timeout", "5", "--quiet"]
    if web.ca_bundle:
        args += ["--ca-bundle", web.ca_bundle]
    return args + list(more)


def write_targets(path: Path, web: SimWeb, hosts: list[str], **extra: dict) -> Path:
    sites = []
    for host in hosts:
        site = {"id": host.split(".")[0], "name": host, "url": web.url(host), "kind": "district"}
        site.update(extra.get(host, {}))
        sites.append(site)
    path.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- exit codes of real scans -----------------------------------------------------------------

def test_scan_passing_site_exits_0(web: SimWeb, tmp_path: Path) -> None:
    targets = write_targets(tmp_path / "t.yaml", web, [DUAL])
    done = gkaudit("scan", "--targets", targets, "--check", "reachability", *sim_args(web))
    assert done.returncode == 0, done.stderr
    assert "通过=pass" in done.stdout


def test_scan_with_a_failing_site_exits_1(web: SimWeb, tmp_path: Path) -> None:
    targets = write_targets(tmp_path / "t.yaml", web, [DUAL, REFUSED])
    done = gkaudit("scan", "--targets", targets, "--check", "reachability", "--format", "json", *sim_args(web))
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [(s["id"], s["results"][0]["status"]) for s in report["sites"]] == [("dual", "pass"),
                                                                                ("refused", "fail")]


def test_fail_on_warn(web: SimWeb, tmp_path: Path) -> None:
    targets = write_targets(tmp_path / "t.yaml", web, [BADTLS])  # certificate for another name: warn
    assert gkaudit("scan", "--targets", targets, "--check", "reachability", *sim_args(web)).returncode == 0
    done = gkaudit("scan", "--targets", targets, "--check", "reachability", "--fail-on", "warn", *sim_args(web))
    assert done.returncode == 1
    assert "警告=warn" in done.stdout


def test_site_and_tag_selection(web: SimWeb, tmp_path: Path) -> None:
    targets = write_targets(tmp_path / "t.yaml", web, [DUAL, REFUSED], **{REFUSED: {"tags": ["broken"]}})
    only_dual = gkaudit("scan", "--targets", targets, "--site", "dual", "--check", "reachability",
                        "--format", "json", *sim_args(web))
    assert only_dual.returncode == 0
    assert [s["id"] for s in json.loads(only_dual.stdout)["sites"]] == ["dual"]
    tagged = gkaudit("scan", "--targets", targets, "--tag", "broken", "--check", "reachability",
                     "--format", "json", *sim_args(web))
    assert tagged.returncode == 1
    assert [s["id"] for s in json.loads(tagged.stdout)["sites"]] == ["refused"]


def test_check_url_returns_a_valid_json_report(web: SimWeb) -> None:
    url = web.url(DUAL)
    done = gkaudit("check", url, "--check", "reachability", "--format", "json", *sim_args(web))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    jsonschema.validate(report, json_schema())
    site = report["sites"][0]
    assert site["url"] == url and site["kind"] == "district"
    assert site["results"][0]["check"] == "reachability"
    assert site["results"][0]["status"] == "pass"
    assert report["scanner"]["allow_private"] is True
    assert report["scanner"]["resolver"] == web.nameserver


def test_output_file(web: SimWeb, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = gkaudit("check", web.url(DUAL), "--check", "reachability", "--format", "json", "--output", out,
                   *sim_args(web))
    assert done.returncode == 0
    assert done.stdout == ""
    jsonschema.validate(json.loads(out.read_text(encoding="utf-8")), json_schema())


def test_private_address_guard_is_on_by_default(web: SimWeb) -> None:
    args = [a for a in sim_args(web) if a != "--allow-private"]
    done = gkaudit("check", web.url(DUAL), "--check", "reachability", "--format", "json", *args)
    assert done.returncode == 1
    result = json.loads(done.stdout)["sites"][0]["results"][0]
    assert result["status"] == "fail" and result["metrics"]["failure"] == "private_address"


# --- the scanner itself is offline: exit 3 ----------------------------------------------------

@pytest.fixture
def silent_nameserver() -> Iterator[str]:
    """A UDP port on 127.0.0.1 that receives queries and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"127.0.0.1:{sock.getsockname()[1]}"


def offline_targets(tmp_path: Path) -> Path:
    if REPO_TARGETS.exists():
        return REPO_TARGETS
    path = tmp_path / "t.yaml"
    path.write_text(textwrap.dedent("""\
        sites:
          - {id: nanjing, name: 南京市人民政府, url: "https://www.nanjing.gov.cn/", kind: portal}
          - {id: qinhuai, name: 秦淮区人民政府, url: "https://www.njqh.gov.cn/", kind: district}
        """), encoding="utf-8")
    return path


def assert_offline_report(done: subprocess.CompletedProcess[str], targets: Path) -> None:
    assert done.returncode == 3, done.stderr
    line = one_line(done.stderr)
    assert "scan could not run" in line and "www.gov.cn" in line
    report = json.loads(done.stdout)
    jsonschema.validate(report, json_schema())
    assert report["scanner"]["online"] is False
    expected_ids = [site["id"] for site in yaml.safe_load(targets.read_text(encoding="utf-8"))["sites"]]
    assert [s["id"] for s in report["sites"]] == expected_ids
    for site in report["sites"]:
        assert site["results"], site["id"]
        for result in site["results"]:
            assert result["status"] in ("inconclusive", "skipped", "waived"), (site["id"], result)
            if result["status"] == "inconclusive":
                assert result["metrics"]["reason"] == "scanner_offline"


def test_offline_scanner_exits_3_with_every_site_classified(silent_nameserver: str, tmp_path: Path) -> None:
    targets = offline_targets(tmp_path)
    done = gkaudit("scan", "--targets", targets, "--nameserver", silent_nameserver, "--timeout", "1",
                   "--format", "json", "--quiet")
    assert_offline_report(done, targets)


def test_unreachable_nameserver_is_offline_too(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    targets = offline_targets(tmp_path)
    done = gkaudit("scan", "--targets", targets, "--nameserver", f"127.0.0.1:{port}", "--timeout", "1",
                   "--format", "json", "--quiet", "--check", "reachability")
    assert_offline_report(done, targets)


def test_offline_table_output_says_so(silent_nameserver: str) -> None:
    done = gkaudit("check", "https://www.njqh.gov.cn/", "--nameserver", silent_nameserver, "--timeout", "1",
                   "--check", "reachability")
    assert done.returncode == 3
    assert "无法判定=inconclusive" in done.stdout
    assert "scan could not run" in one_line(done.stderr)


# --- usage and configuration errors: exit 2, one line -----------------------------------------

BAD_TARGETS = textwrap.dedent("""\
    sites:
      - id: nanjing
        name: 南京市人民政府
        url: https://www.nanjing.gov.cn/
        kind: portal
      - id: qinhuai
        name: 秦淮区人民政府
        url: https://www.njqh.gov.cn/
        kind: district
        waivers:
          - {check: reachability, reason: 改版, expires: 2026-12-31}
    """)


@pytest.mark.parametrize(("change", "needle", "field"), [
    (("name: 秦淮区人民政府", "name: [秦淮区"), "url: https://www.njqh", None),
    (("    kind: district\n", "    kind: district\n    colour: red\n"), "colour:", "sites.1.colour"),
    (("kind: district", "kind: county"), "kind: county", "sites.1.kind"),
    (("id: qinhuai", "id: nanjing"), "id: nanjing", "sites.1.id"),
    (("url: https://www.njqh.gov.cn/", "url: njqh.gov.cn"), "url: njqh", "sites.1.url"),
    (("expires: 2026-12-31", "expires: 2026-02-30"), "expires:", "sites.1.waivers.0.expires"),
])
def test_malformed_targets_exit_2_naming_file_line_and_field(tmp_path: Path, change: tuple[str, str],
                                                             needle: str, field: str | None) -> None:
    text = BAD_TARGETS.replace(*change)
    assert text != BAD_TARGETS
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    line_number = hits[-1]
    for command in (["scan", "--targets", path, "--nameserver", "127.0.0.1:9"], ["targets", "--targets", path]):
        done = gkaudit(*command)
        assert done.returncode == 2
        message = one_line(done.stderr)
        assert f"{path}:{line_number}:" in message, message
        if field:
            assert f"'{field}'" in message


@pytest.mark.parametrize(("args", "words"), [
    (["--check", "nosuchcheck"], ["nosuchcheck", "reachability"]),
    (["--nameserver", "foo:bar"], ["--nameserver", "foo:bar"]),
    (["--nameserver", "1.2.3.4:99999"], ["--nameserver", "99999"]),
    (["--nameserver", "ns.example.com"], ["--nameserver"]),
    (["--now", "2026-13-01"], ["--now"]),
    (["--now", "yesterday"], ["--now"]),
    (["--site", "nosuchsite"], ["--site", "nosuchsite"]),
    (["--tag", "nosuchtag"], ["--tag"]),
    (["--format", "xml"], ["--format", "xml"]),
    (["--fail-on", "never"], ["--fail-on"]),
    (["--timeout", "0"], ["--timeout"]),
    (["--timeout", "abc"], ["--timeout"]),
    (["--concurrency", "0"], ["--concurrency"]),
    (["--ipv6", "maybe"], ["--ipv6"]),
    (["--ca-bundle", "/nonexistent/ca.pem"], ["--ca-bundle"]),
    (["--checks-dir", "/nonexistent/checks"], ["--checks-dir"]),
    (["--targets", "/nonexistent/targets.yaml"], ["/nonexistent/targets.yaml"]),
    (["--no-such-option"], ["--no-such-option"]),
])
def test_scan_usage_errors_exit_2(tmp_path: Path, args: list[str], words: list[str]) -> None:
    targets = tmp_path / "t.yaml"
    targets.write_text(BAD_TARGETS, encoding="utf-8")
    done = gkaudit("scan", "--targets", targets, "--nameserver", "127.0.0.1:9", "--timeout", "0.5", *args)
    assert done.returncode == 2
    message = one_line(done.stderr)
    for word in words:
        assert word in message, message
    assert done.stdout == ""


@pytest.mark.parametrize(("args", "word"), [
    (["not a url"], "not a url"),
    (["ftp://www.njqh.gov.cn/"], "ftp://"),
    (["https://www.njqh.gov.cn/", "--kind", "county"], "--kind"),
    (["https://www.njqh.gov.cn/", "--nameserver", "foo:bar"], "--nameserver"),
])
def test_check_usage_errors_exit_2(args: list[str], word: str) -> None:
    done = gkaudit("check", *args)
    assert done.returncode == 2
    assert word in one_line(done.stderr)


def test_invalid_site_settings_exit_2_naming_the_site(web: SimWeb, tmp_path: Path) -> None:
    targets = write_targets(tmp_path / "t.yaml", web, [DUAL, REFUSED],
                            **{REFUSED: {"settings": {"reachability": {"slow_ms": "fast"}}}})
    before = len(web.requests)
    done = gkaudit("scan", "--targets", targets, "--check", "reachability", *sim_args(web))
    assert done.returncode == 2
    message = one_line(done.stderr)
    assert "refused" in message and "slow_ms" in message
    assert web.requests[before:] == []  # found before any traffic


def test_unwritable_output_is_a_usage_error(web: SimWeb, tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "dir" / "report.json"
    done = gkaudit("check", web.url(DUAL), "--check", "reachability", "--output", out, *sim_args(web))
    assert done.returncode == 2
    assert str(out.parent) in one_line(done.stderr)


def test_ca_bundle_that_is_not_pem_is_a_usage_error(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate\n", encoding="utf-8")
    done = gkaudit("check", "https://www.njqh.gov.cn/", "--ca-bundle", bundle, "--nameserver", "127.0.0.1:9")
    assert done.returncode == 2
    assert "--ca-bundle" in one_line(done.stderr)


# --- the informational commands ---------------------------------------------------------------

def test_schema_command_prints_a_valid_json_schema() -> None:
    done = gkaudit("schema")
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_checks_command_lists_titles_and_basis() -> None:
    done = gkaudit("checks")
    assert done.returncode == 0
    assert "reachability" in done.stdout and "首页可访问" in done.stdout and "国办秘函〔2019〕19号" in done.stdout


@pytest.mark.skipif(not REPO_TARGETS.exists(), reason="targets.yaml is not in the repository yet")
def test_targets_command_validates_the_repository_file() -> None:
    done = gkaudit("targets", "--targets", REPO_TARGETS)
    assert done.returncode == 0
    assert "www.njqh.gov.cn" in done.stdout and "valid" in done.stdout


def test_version() -> None:
    done = gkaudit("--version")
    assert done.returncode == 0 and done.stdout.startswith("gkaudit ")


# --- text from users is never read as markup --------------------------------------------------

def test_brackets_in_an_error_message_are_printed_verbatim(tmp_path: Path) -> None:
    targets = tmp_path / "t.yaml"
    targets.write_text(BAD_TARGETS, encoding="utf-8")
    for site in ("[/x]", "[bold]x"):
        done = gkaudit("scan", "--targets", targets, "--site", site)
        assert done.returncode == 2
        assert f"--site '{site}'" in one_line(done.stderr)


def test_brackets_in_a_site_name_are_printed_verbatim(web: SimWeb, tmp_path: Path) -> None:
    name = "双栈[/b]测试[bold]站"
    targets = write_targets(tmp_path / "t.yaml", web, [DUAL], **{DUAL: {"name": name}})
    done = gkaudit("scan", "--targets", targets, "--check", "reachability", *sim_args(web))
    assert done.returncode == 0, done.stderr
    assert name in done.stdout


def test_broken_checks_dir_module_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import no_such_module_anywhere\n", encoding="utf-8")
    done = gkaudit("checks", "--checks-dir", tmp_path)
    assert done.returncode == 2
    assert "broken.py" in one_line(done.stderr)


def test_internal_error_is_one_line_and_exit_3(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from gkaudit import cli

    def explode(**_: object) -> None:
        raise RuntimeError("boom [/x]")

    monkeypatch.delenv("GKAUDIT_DEBUG", raising=False)
    monkeypatch.setattr(cli, "app", explode)
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 3
    line = one_line(capsys.readouterr().err)
    assert "RuntimeError: boom [/x]" in line


# --- waivers and --checks-dir through the command line ----------------------------------------

def test_waiver_holds_until_expiry_with_now(web: SimWeb, tmp_path: Path) -> None:
    waiver = {"waivers": [{"check": "reachability", "reason": "迁移机房", "expires": "2026-03-31"}]}
    targets = write_targets(tmp_path / "t.yaml", web, [REFUSED], **{REFUSED: waiver})
    common = ["scan", "--targets", targets, "--check", "reachability", "--format", "json", *sim_args(web)]
    waived = gkaudit(*common, "--now", "2026-03-31")
    assert waived.returncode == 0
    result = json.loads(waived.stdout)["sites"][0]["results"][0]
    assert result["status"] == "waived" and "迁移机房" in result["summary"]
    expired = gkaudit(*common, "--now", "2026-04-01")
    assert expired.returncode == 1
    assert json.loads(expired.stdout)["sites"][0]["results"][0]["status"] == "fail"


def test_checks_dir_check_that_raises_is_error_and_others_still_run(web: SimWeb, tmp_path: Path) -> None:
    folder = tmp_path / "checks"
    folder.mkdir()
    (folder / "exploding.py").write_text(textwrap.dedent('''\
        from gkaudit.check import Check

        class Exploding(Check):
            id = "exploding"
            title_zh = "会出错的检查"
            title_en = "Exploding"
            basis = "测试"

            async def run(self, ctx):
                raise ValueError("division by zero in a user check")
        '''), encoding="utf-8")
    listed = gkaudit("checks", "--checks-dir", folder)
    assert listed.returncode == 0 and "exploding" in listed.stdout
    done = gkaudit("check", web.url(DUAL), "--checks-dir", folder, "--check", "exploding", "--check",
                   "reachability", "--format", "json", *sim_args(web))
    assert done.returncode == 1  # an error counts against --fail-on fail
    results = json.loads(done.stdout)["sites"][0]["results"]
    assert [(r["check"], r["status"]) for r in results] == [("exploding", "error"), ("reachability", "pass")]
    assert "ValueError: division by zero in a user check" in results[0]["summary"]


# --- gkaudit demo --serve, then the printed `gkaudit check` command ----------------------------

def test_demo_serve_then_check_returns_a_valid_report() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    server = subprocess.Popen([sys.executable, "-m", "gkaudit.cli", "demo", "--serve"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout or []], daemon=True).start()
    try:
        command = None
        while command is None:
            line = lines.get(timeout=30)
            if line.strip().startswith("gkaudit check "):
                command = shlex.split(line)[1:]  # drop "gkaudit"
        done = gkaudit(*command, "--check", "reachability", "--quiet")
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        jsonschema.validate(report, json_schema())
        assert report["sites"][0]["results"][0]["status"] == "pass"
    finally:
        server.send_signal(signal.SIGINT)  # what Ctrl-C does
        try:
            _, err = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert server.returncode == 0
    assert "Traceback" not in err


def test_misspelt_waiver_check_is_a_configuration_error(web: SimWeb, tmp_path: Path) -> None:
    waiver = {"waivers": [{"check": "reachabilty", "reason": "拼错了", "expires": "2099-01-01"}]}
    targets = write_targets(tmp_path / "t.yaml", web, [DUAL, REFUSED], **{REFUSED: waiver})
    for command in (["scan", "--targets", targets, *sim_args(web)], ["targets", "--targets", targets]):
        done = gkaudit(*command)
        assert done.returncode == 2
        message = one_line(done.stderr)
        assert f"{targets}:" in message and "sites.1.waivers.0.check" in message and "reachabilty" in message


def test_check_a_chinese_domain(web: SimWeb) -> None:
    url = unicode_url(web, IDN)
    done = gkaudit("check", url, "--kind", "portal", "--check", "reachability", "--format", "json", *sim_args(web))
    assert done.returncode == 0, done.stderr
    site = json.loads(done.stdout)["sites"][0]
    assert site["id"] == "xn--1lq2az70af0nbwai50ag4l-xn--zfr164b" and site["url"] == url
    assert site["results"][0]["status"] == "pass"
