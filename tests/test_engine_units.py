"""Pure functions of the network layer: anti-bot detection, the address guard, Retry-After, nameservers."""

from __future__ import annotations

import email.utils
import time

import pytest

from gkaudit.errors import ConfigError
from gkaudit.net.antibot import detect_antibot
from gkaudit.net.backend import is_public_address
from gkaudit.net.dns import Nameserver, Resolver, parse_nameserver
from gkaudit.net.failures import FailureKind
from gkaudit.net.http import Fetcher, FetchOptions, Response, parse_retry_after
from gkaudit.simweb.http_server import ANTIBOT_412, ANTIBOT_521

# --- detect_antibot ---------------------------------------------------------------------------

TS_PAGE = ANTIBOT_412
NORMAL_403 = "<html><head><title>403 禁止访问</title></head><body>您没有权限访问此目录。</body></html>".encode()


@pytest.mark.parametrize(("status", "headers", "body"), [
    (412, {}, TS_PAGE),
    (202, {}, TS_PAGE),
    (412, {}, b"<html><script src='/x.js'></script></html>"),
    (521, {"set-cookie": "__jsluid_h=abc; path=/"}, b""),
    (521, {}, ANTIBOT_521),
    (403, {}, "<html><body>网站防火墙 安全狗 拦截</body></html>".encode()),
    (403, {}, "<html><body>您的访问请求可能对网站造成安全威胁</body></html>".encode()),
    (403, {}, b"<html><script>document.cookie='a=1';location.reload()</script></html>"),
])
def test_antibot_challenges_are_recognised(status: int, headers: dict[str, str], body: bytes) -> None:
    assert detect_antibot(status, headers, body)


@pytest.mark.parametrize(("status", "headers", "body"), [
    (200, {}, b"<html><body>ok</body></html>"),
    (200, {}, TS_PAGE.replace(b"$_ts", b"$_xx").replace(b"<script", b"<p")),
    (403, {}, NORMAL_403),
    (404, {}, b"<html><script>document.cookie='a=1'</script></html>"),
    (412, {}, b"Precondition Failed"),
    (521, {"set-cookie": "JSESSIONID=1"}, b"Web server is down"),
    (500, {}, TS_PAGE),
])
def test_ordinary_answers_are_not_antibot(status: int, headers: dict[str, str], body: bytes) -> None:
    assert detect_antibot(status, headers, body) is None


def test_a_big_403_page_with_a_waf_word_in_its_text_is_not_a_block() -> None:
    body = ("<html><body>" + "正常内容" * 20_000 + "安全狗</body></html>").encode()
    assert detect_antibot(403, {}, body) is None


# --- is_public_address ------------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "255.255.255.255", "224.0.0.1", "192.0.2.1", "198.18.0.1", "240.0.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "::ffff:192.168.0.1",
    "::127.0.0.1", "::7f00:1", "::8.8.8.8", "fec0::1",
    # IANA special-purpose IPv4 blocks Python counts as global
    "192.0.0.9", "192.0.0.170", "192.31.196.1", "192.52.193.1", "192.88.99.1", "192.175.48.1", "198.19.255.1",
    # IPv6 embedding a non-public IPv4: NAT64 (well-known and local-use), 6to4, SIIT
    "64:ff9b::7f00:1", "64:ff9b::10.0.0.1", "64:ff9b::192.168.1.1", "64:ff9b:1:7f00:0:100::",
    "64:ff9b:1:a00:0:100::", "2002:7f00:1::1", "2002:a00:1::", "2002:c0a8:101::1", "::ffff:0:127.0.0.1",
    "::ffff:0:10.0.0.1",
    # IPv6 special-purpose blocks
    "2001::1", "2001:20::1", "100::1", "2620:4f:8000::1", "3fff::1", "5f00::1",
])
def test_non_public_addresses(address: str) -> None:
    assert is_public_address(address) is False


@pytest.mark.parametrize("address", ["202.102.24.35", "8.8.8.8", "2400:3200::1", "240e::1",
                                     "::ffff:202.102.24.35", "64:ff9b::808:808",
                                     "64:ff9b::202.102.24.35", "64:ff9b:1:808:8:800::", "2002:808:808::1",
                                     "::ffff:0:8.8.8.8", "2408:8000::1"])
def test_public_addresses(address: str) -> None:
    assert is_public_address(address) is True


# --- parse_retry_after and the retry decision -------------------------------------------------

def test_parse_retry_after_seconds() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5e3"])
def test_parse_retry_after_unreadable(value: str | None) -> None:
    assert parse_retry_after(value) is None


def test_parse_retry_after_http_date() -> None:
    future = email.utils.formatdate(time.time() + 600, usegmt=True)
    assert 500 < (parse_retry_after(future) or 0) <= 600
    past = email.utils.formatdate(time.time() - 600, usegmt=True)
    assert parse_retry_after(past) == 0.0


def retry_delay(response: Response, attempt: int = 0, **options: object) -> float | None:
    fetcher = Fetcher(Resolver(), FetchOptions(**options))  # type: ignore[arg-type]
    return fetcher._retry_delay(response, attempt)


def answer(status: int | None = None, failure: FailureKind | None = None, **headers: str) -> Response:
    return Response(url="http://h/", family="any", final_url="http://h/", status=status, failure=failure,
                    headers={k.replace("_", "-"): v for k, v in headers.items()})


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried(status: int) -> None:
    assert retry_delay(answer(status), backoff=0.5) == 0.5
    assert retry_delay(answer(status), attempt=1, backoff=0.5) == 1.0


@pytest.mark.parametrize("status", [200, 301, 400, 403, 404, 410, 412, 501])
def test_other_statuses_are_not_retried(status: int) -> None:
    assert retry_delay(answer(status)) is None


@pytest.mark.parametrize("failure", [FailureKind.READ_TIMEOUT, FailureKind.CONNECT_TIMEOUT])
def test_timeouts_are_transient(failure: FailureKind) -> None:
    assert retry_delay(answer(failure=failure)) is not None


@pytest.mark.parametrize("failure", [FailureKind.CONNECT_REFUSED, FailureKind.DNS_NXDOMAIN, FailureKind.DNS_TIMEOUT,
                                     FailureKind.BLOCKED,
                                     FailureKind.TLS_ERROR, FailureKind.TOO_LARGE, FailureKind.PRIVATE_ADDRESS,
                                     FailureKind.NO_ADDRESS])
def test_permanent_failures_are_not_retried(failure: FailureKind) -> None:
    assert retry_delay(answer(failure=failure)) is None


def test_retries_stop_when_spent() -> None:
    assert retry_delay(answer(503), attempt=2, retries=2) is None
    assert retry_delay(answer(503), attempt=0, retries=0) is None


def test_retry_after_is_honoured_and_capped() -> None:
    assert retry_delay(answer(503, retry_after="3"), backoff=0.1) == 3.0
    assert retry_delay(answer(429, retry_after="600"), max_retry_after=30) is None


# --- parse_nameserver -------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("127.0.0.1", Nameserver("127.0.0.1", 53)),
    ("127.0.0.1:5353", Nameserver("127.0.0.1", 5353)),
    (" 114.114.114.114 ", Nameserver("114.114.114.114", 53)),
    ("::1", Nameserver("::1", 53)),
    ("[::1]", Nameserver("::1", 53)),
    ("[2400:3200::1]:5353", Nameserver("2400:3200::1", 5353)),
])
def test_parse_nameserver(value: str, expected: Nameserver) -> None:
    assert parse_nameserver(value) == expected


@pytest.mark.parametrize("value", ["foo", "foo:bar", "1.2.3.4:99999", "1.2.3.4:0", "1.2.3.4:", "1.2.3.4:abc",
                                   "[::1]x", "[::1]:", "dns.google:53", "1.2.3:53", ""])
def test_parse_nameserver_rejects(value: str) -> None:
    with pytest.raises(ConfigError, match="--nameserver"):
        parse_nameserver(value)


def test_nameserver_text_round_trips() -> None:
    for text in ("127.0.0.1:5353", "[::1]:53"):
        assert str(parse_nameserver(text)) == text
