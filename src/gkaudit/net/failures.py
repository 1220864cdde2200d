"""The failure taxonomy: every network problem is classified, never stringified."""

from __future__ import annotations

from enum import StrEnum


class FailureKind(StrEnum):
    DNS_NXDOMAIN = "dns_nxdomain"
    DNS_TIMEOUT = "dns_timeout"
    DNS_ERROR = "dns_error"
    NO_ADDRESS = "no_address"
    CONNECT_REFUSED = "connect_refused"
    CONNECT_TIMEOUT = "connect_timeout"
    READ_TIMEOUT = "read_timeout"
    CONNECTION_ERROR = "connection_error"
    TLS_ERROR = "tls_error"
    HTTP_STATUS = "http_status"
    BLOCKED = "blocked"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    PRIVATE_ADDRESS = "private_address"
    UNSUPPORTED_URL = "unsupported_url"
    PAGE_TOO_COMPLEX = "page_too_complex"

    @property
    def label_zh(self) -> str:
        return FAILURE_LABELS_ZH[self]

    @property
    def transient(self) -> bool:
        """Worth a retry: the same request may well succeed a moment later.

        Not DNS timeouts: the resolver has already retried for its whole lifetime, and its per-scan
        cache would hand a retry the same answer.
        """
        return self in (FailureKind.CONNECT_TIMEOUT, FailureKind.READ_TIMEOUT)

    @property
    def before_contact(self) -> bool:
        """Raised before any packet went to the site's host: no address to knock at, or one refused here."""
        return self in (FailureKind.DNS_NXDOMAIN, FailureKind.DNS_TIMEOUT, FailureKind.DNS_ERROR,
                        FailureKind.NO_ADDRESS, FailureKind.PRIVATE_ADDRESS, FailureKind.UNSUPPORTED_URL)

    @property
    def undecidable(self) -> bool:
        """The site answered, but gkaudit cannot read what it said: a check cannot judge, never fails on it."""
        return self in (FailureKind.BLOCKED, FailureKind.PAGE_TOO_COMPLEX)


FAILURE_LABELS_ZH: dict[FailureKind, str] = {
    FailureKind.DNS_NXDOMAIN: "域名不存在",
    FailureKind.DNS_TIMEOUT: "域名解析超时",
    FailureKind.DNS_ERROR: "域名解析失败",
    FailureKind.NO_ADDRESS: "域名无对应地址",
    FailureKind.CONNECT_REFUSED: "连接被拒绝",
    FailureKind.CONNECT_TIMEOUT: "连接超时",
    FailureKind.READ_TIMEOUT: "响应超时",
    FailureKind.CONNECTION_ERROR: "连接中断",
    FailureKind.TLS_ERROR: "TLS/证书错误",
    FailureKind.HTTP_STATUS: "HTTP 错误状态",
    FailureKind.BLOCKED: "被反爬虫网关拦截",
    FailureKind.TOO_LARGE: "响应体过大",
    FailureKind.TOO_MANY_REDIRECTS: "重定向过多",
    FailureKind.PRIVATE_ADDRESS: "指向内网/保留地址，已拒绝连接",
    FailureKind.UNSUPPORTED_URL: "不支持的网址",
    FailureKind.PAGE_TOO_COMPLEX: "结构过于复杂，无法在时间预算内解析",
}


class NetError(Exception):
    """A classified network failure. Raised inside the network layer, returned to checks as data."""

    def __init__(self, kind: FailureKind, detail: str = "") -> None:
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.detail = detail
