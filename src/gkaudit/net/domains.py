"""Registrable domains of host names: which hosts belong to one site, one government, one owner.

A built-in list of public suffixes (the .cn second levels and a few common elsewhere), not the full PSL:
government hosts live under `gov.cn` and its provincial kin, which the list covers.
"""

from __future__ import annotations

import ipaddress

# Second-level public suffixes under .cn (CNNIC's categories and the provincial ones) and a few
# common elsewhere. A name below one of these has its registrable domain one label further in.
_CN_SECOND_LEVEL = (
    "gov com net org edu ac mil "
    "bj tj he sx nm ln jl hl sh js zj ah fj jx sd ha hb hn gd gx hi cq sc gz yn xz sn gs qh nx xj tw hk mo"
).split()
PUBLIC_SUFFIXES = frozenset(
    [f"{label}.cn" for label in _CN_SECOND_LEVEL]
    + ["com.hk", "gov.hk", "org.hk", "edu.hk", "com.tw", "gov.tw", "co.uk", "gov.uk", "ac.uk", "org.uk",
       "com.au", "gov.au", "co.jp", "go.jp"]
)


def ip_literal_version(host: str) -> int | None:
    """4 or 6 when `host` is an IP literal (brackets allowed), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]")).version
    except ValueError:
        return None


def registrable_domain(host: str) -> str:
    """The domain a host's owner registered: `www.njqh.gov.cn` -> `njqh.gov.cn`, `a.b.example.com` -> `example.com`.

    Uses a short built-in list of multi-label public suffixes (gov.cn, com.cn, js.cn, …), not the full
    Public Suffix List. IP literals are returned unchanged.
    """
    host = host.lower().rstrip(".")
    if ip_literal_version(host) is not None:
        return host
    labels = host.split(".")
    if len(labels) <= 2:
        return host
    if ".".join(labels[-2:]) in PUBLIC_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def site_domain(host: str) -> str:
    """The domain whose subdomains count as the site's own (internal links).

    A site on `www.X` or directly on the registrable domain owns the registrable domain; any other
    host (a department on `tjj.nanjing.gov.cn`) shares its parent's: `nanjing.gov.cn`. Both cases
    give the registrable domain, so this is that; it exists to name the rule in one place.
    """
    return registrable_domain(host)


def is_internal(host: str, domain: str) -> bool:
    """True when `host` is `domain` or one of its subdomains."""
    host = host.lower().rstrip(".")
    return host == domain or host.endswith("." + domain)
