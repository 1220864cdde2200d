"""Stand-ins: which answer already asked for can answer another request for the same URL, and how.

One request per (URL, family) per site, however it is asked: an "any" fetch that connected over
IPv4 is exactly an IPv4 fetch (and one over native IPv6 an IPv6 fetch); an IPv4 fetch that got an
answer is what "any" (IPv4 first) would have got; and a GET answers a HEAD (RFC 9110 9.3.2: HEAD is
GET without the body).
"""

from __future__ import annotations

from dataclasses import replace

from gkaudit.net.backend import is_ipv4_mapped
from gkaudit.net.cache import HopResult, RequestKey
from gkaudit.net.dns import Family
from gkaudit.net.response import Response

STAND_INS: dict[Family, tuple[Family, ...]] = {"ipv4": ("any",), "ipv6": ("any",), "any": ("ipv4",)}


def stand_in_keys(key: RequestKey) -> list[RequestKey]:
    """The requests whose answer may answer `key`, best first: another family's (STAND_INS) and, for a
    HEAD, a GET of the same URL (RFC 9110 9.3.2: HEAD is GET without the body), in any of those families."""
    method, url, family, verify = key
    families = [family, *STAND_INS[family]]
    methods = ["GET", "HEAD"] if method == "HEAD" else [method]
    return [(m, url, f, verify) for m in methods for f in families if (m, f) != (method, family)]


def stand_in_answer(candidate: HopResult, other: RequestKey, key: RequestKey) -> HopResult | None:
    """`candidate` (the answer to request `other`) as the answer to `key`, or None when it cannot stand in.

    Another family's answer stands in when it went over the family asked (`_stands_for`). A GET stands
    in for a HEAD only when it got an HTTP answer: its status and headers, without the body, and only an
    HTTP redirect to follow (a HEAD has no page, so no meta refresh or script). `method` stays "GET": the
    evidence says which request was really sent.
    """
    response = candidate.response
    if other[2] != key[2] and not _stands_for(response, key[2]):
        return None
    if other[0] == key[0]:
        return replace(candidate, response=replace(response, family=key[2]))
    if response.failure is not None or response.status is None:
        return None  # a GET that broke (too large, timed out) says nothing of what a HEAD would get
    http_only = candidate.kind == "http"
    return HopResult(replace(response, family=key[2], body=b"", _page=None),
                     candidate.target if http_only else None, candidate.kind if http_only else "")


def _stands_for(response: Response, family: Family) -> bool:
    """Whether `response` (another family's answer to the same request) is what a `family` fetch would get."""
    address = response.address
    if address is None or response.status is None:  # no answer: which family it tried is unknown
        return False
    if family == "any":
        return response.family == "ipv4"
    if family == "ipv4":
        return ":" not in address
    return ":" in address and not is_ipv4_mapped(address)
