"""Frameset homepages are followed to their main frame; an "any" fetch reports the first address's error."""

from __future__ import annotations

from collections.abc import Iterator

import httpcore
import pytest

from gkaudit.net.backend import PinnedBackend
from gkaudit.net.page import Page
from gkaudit.simweb.web import SimWeb

from conftest import SITES
from enginekit import fetch


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb(roots=[SITES / "engine"]) as running:
        yield running


def test_frameset_homepage_leads_to_its_main_frame(web: SimWeb) -> None:
    response = fetch(web, web.url("framed.engine.test"))
    assert response.ok
    assert response.final_url == web.url("framed.engine.test", "/portal/index.html")
    assert [hop.kind for hop in response.redirects] == ["frame"]
    assert response.page().title == "框架转发站 首页"


@pytest.mark.parametrize(("html", "expected"), [
    ('<frameset rows="0,*"><frame src="about:blank"><frame src="/real/"></frameset>', "http://a.gov.cn/real/"),
    ('<frameset cols="200,*"><frame name="menu" src="/m.html"><frame name="mainFrame" src="/h.html"></frameset>',
     "http://a.gov.cn/h.html"),
    ('<frameset rows="100%"><frame src="http://www.b.gov.cn/"></frameset>', "http://www.b.gov.cn/"),
    ('<frameset rows="70%,30%"><frame src="/big.html"><frame src="/small.html"></frameset>',
     "http://a.gov.cn/big.html"),
    ('<body><iframe src="/x.html"></iframe><p>正文</p></body>', None),
])
def test_frame_target(html: str, expected: str | None) -> None:
    assert Page("http://a.gov.cn/", f"<html>{html}</html>").frame_target() == expected


class _Resolver:
    async def addresses(self, host: str, family: str) -> list[str]:
        return ["::1", "127.0.0.1"]


class _Inner:
    async def connect_tcp(self, host: str, *args: object, **kwargs: object) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError(f"failed at {host}")


async def test_any_family_reports_the_ipv4_error_first() -> None:
    backend = PinnedBackend(_Resolver(), "any", allow_private=True)  # type: ignore[arg-type]
    backend._inner = _Inner()  # type: ignore[assignment]
    with pytest.raises(httpcore.ConnectError, match=r"failed at 127\.0\.0\.1"):
        await backend.connect_tcp("site.gov.cn", 80)
