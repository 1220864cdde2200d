"""`gkaudit check` with a bare host, and the --allow-private hint when a private address is the only failure."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from gkaudit.simweb.web import SimWeb
from gkaudit.targets import with_scheme
from test_cli import gkaudit, sim_args

from enginekit import DUAL, ENGINE_SITES


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb(roots=[ENGINE_SITES]) as simulated:
        yield simulated


@pytest.mark.parametrize(("given", "url"), [
    ("www.njqh.gov.cn", "http://www.njqh.gov.cn/"),
    ("www.njqh.gov.cn/qhqrmzf/xxgkzl/", "http://www.njqh.gov.cn/qhqrmzf/xxgkzl/"),
    ("www.njqh.gov.cn:8080", "http://www.njqh.gov.cn:8080/"),
    ("https://www.njqh.gov.cn/", "https://www.njqh.gov.cn/"),
    ("南京.政务.cn", "http://南京.政务.cn/"),
    ("not a url", "not a url"), ("localhost", "localhost"), ("ftp://x.gov.cn/", "ftp://x.gov.cn/"),
])
def test_a_bare_host_means_http(given: str, url: str) -> None:
    assert with_scheme(given) == url


def test_check_a_bare_host(web: SimWeb) -> None:
    bare = urlsplit(web.url(DUAL)).netloc  # host:port of the simulated site
    done = gkaudit("check", bare, "--check", "reachability", "-f", "json", *sim_args(web))
    assert done.returncode == 0, done.stderr
    site = json.loads(done.stdout)["sites"][0]
    assert site["url"] == f"http://{bare}/" and site["results"][0]["status"] == "pass"


def test_a_private_address_suggests_allow_private(web: SimWeb) -> None:
    args = [a for a in sim_args(web) if a != "--allow-private"]
    done = gkaudit("check", web.url(DUAL), "--check", "reachability", *args)
    assert done.returncode == 1
    assert "--allow-private" in done.stderr and "private address" in done.stderr
    allowed = gkaudit("check", web.url(DUAL), "--check", "reachability", *sim_args(web))
    assert allowed.returncode == 0 and "--allow-private" not in allowed.stderr
