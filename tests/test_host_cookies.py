"""HostCookies: each host's cookies in a jar of its own, so a request costs the same after 5,000 sites
have set cookies as after none, and nothing crosses to another host. No traffic: all in memory."""

from __future__ import annotations

import http.cookiejar

import httpx
import pytest

from gkaudit.net.cookies import ClientJar, HostCookies


def _set(cookies: HostCookies, url: str, *set_cookie: str) -> None:
    request = httpx.Request("GET", url)
    cookies.extract(httpx.Response(200, headers=[(b"set-cookie", v.encode()) for v in set_cookie],
                                   request=request))


def _sent(cookies: HostCookies, url: str, *, header: str | None = None) -> str:
    request = httpx.Request("GET", url, headers={"cookie": header} if header else None)
    cookies.add_header(request)
    return request.headers.get("cookie", "")


def test_cookies_go_back_to_their_own_host_only() -> None:
    cookies = HostCookies()
    _set(cookies, "http://www.nanjing.gov.cn/", "own=1; Path=/", "parent=1; Domain=nanjing.gov.cn; Path=/",
         "dotted=1; Domain=.nanjing.gov.cn", "self=1; Domain=www.nanjing.gov.cn", "名=1")
    assert sorted(_sent(cookies, "http://www.nanjing.gov.cn/a").split("; ")) == ["own=1", "self=1"]
    for other in ("http://www.njqh.nanjing.gov.cn/", "http://nanjing.gov.cn/", "http://a.www.nanjing.gov.cn/"):
        assert _sent(cookies, other) == ""


def test_a_cookie_header_built_elsewhere_is_replaced() -> None:
    cookies = HostCookies()
    assert _sent(cookies, "http://a.gov.cn/", header="leak=1") == ""
    _set(cookies, "http://a.gov.cn/", "ok=1")
    assert _sent(cookies, "http://a.gov.cn/", header="leak=1") == "ok=1"


def test_paths_and_ports_follow_the_cookie_rules() -> None:
    cookies = HostCookies()
    _set(cookies, "http://a.gov.cn/xxgk/index.html", "deep=1; Path=/xxgk")
    assert _sent(cookies, "http://a.gov.cn/xxgk/2024/") == "deep=1"
    assert _sent(cookies, "http://a.gov.cn/") == ""
    assert _sent(cookies, "http://a.gov.cn:8080/xxgk/") == "deep=1"  # a host's cookies, whatever the port


def test_a_request_reads_only_its_own_hosts_jar(monkeypatch: pytest.MonkeyPatch) -> None:
    cookies = HostCookies(hosts=10_000)
    for i in range(5000):
        _set(cookies, f"http://www.s{i}.gov.cn/", "JSESSIONID=abc; Path=/")
    assert len(cookies) == 5000
    looked_at: list[str] = []
    original = http.cookiejar.CookieJar._cookies_for_domain  # type: ignore[attr-defined]

    def counting(jar: http.cookiejar.CookieJar, domain: str, request: object) -> list[object]:
        looked_at.append(domain)
        return original(jar, domain, request)  # type: ignore[no-any-return]

    monkeypatch.setattr(http.cookiejar.CookieJar, "_cookies_for_domain", counting)
    assert _sent(cookies, "http://www.s4321.gov.cn/a") == "JSESSIONID=abc"
    assert looked_at == ["www.s4321.gov.cn"]
    looked_at.clear()
    assert _sent(cookies, "http://www.never.gov.cn/") == ""
    assert looked_at == []


def test_hosts_not_used_lately_are_forgotten() -> None:
    cookies = HostCookies(hosts=2)
    _set(cookies, "http://a.gov.cn/", "a=1")
    _set(cookies, "http://b.gov.cn/", "b=1")
    assert _sent(cookies, "http://a.gov.cn/") == "a=1"  # a is now the host used last
    _set(cookies, "http://c.gov.cn/", "c=1")
    assert _sent(cookies, "http://b.gov.cn/") == ""
    assert _sent(cookies, "http://a.gov.cn/") == "a=1"
    assert _sent(cookies, "http://c.gov.cn/") == "c=1"


def test_the_clients_own_jar_keeps_nothing() -> None:
    jar = ClientJar().jar  # even asked directly, its policy refuses every cookie
    request = httpx.Request("GET", "http://a.gov.cn/")
    httpx.Cookies(jar).extract_cookies(httpx.Response(200, headers={"set-cookie": "a=1"}, request=request))
    assert len(jar) == 0
    assert not httpx.Cookies(jar)  # so httpx copies no jar into the requests it builds


def test_the_clients_own_jar_stays_empty_and_costs_nothing_per_answer() -> None:
    from gkaudit.net.client import ScanClient

    client = ScanClient()
    response = httpx.Response(200, headers=[(b"set-cookie", b"s=1; Path=/")],
                              request=httpx.Request("GET", "http://a.gov.cn/"))
    client.cookies.extract_cookies(response)
    assert len(client.cookies.jar) == 0 and "cookie" not in client.build_request("GET", "http://a.gov.cn/").headers
